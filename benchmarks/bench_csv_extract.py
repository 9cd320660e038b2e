"""Every measure over an extract delivered as CSV files against the same extract as Parquet
(a script that prints figures, not a test).

Run: .venv/bin/python benchmarks/bench_csv_extract.py [FOLDER]
Writes FOLDER's tables (default: the default area's generated extract) as CSV files with a
header, as a warehouse export arrives, into a temporary folder, then aggregates every measure
(:func:`bbp_analysis.measures.engine.write_all`, DuckDB) over the Parquet folder and over the
CSV folder, twice each, alternating. Prints each run's wall-clock and CPU time (this process,
DuckDB's threads included), the CSV files' size and whether the two aggregate files are equal.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from bbp_analysis.contract import load
from bbp_analysis.measures import engine
from bbp_analysis.params import load_parameters
from bbp_analysis.paths import project_root


def as_csv(folder: Path, out: Path) -> int:
    """``folder``'s tables as ``out/<table>.csv`` (header, DuckDB's CSV writer) beside its
    manifest; returns the CSV files' bytes."""
    con = duckdb.connect(":memory:")
    for name in load().tables:
        source, target = (folder / f"{name}.parquet").as_posix(), (out / f"{name}.csv").as_posix()
        con.execute(f"COPY (SELECT * FROM read_parquet('{source}')) TO '{target}' (HEADER)")
    con.close()
    shutil.copy(folder / "manifest.json", out / "manifest.json")
    return sum(p.stat().st_size for p in out.glob("*.csv"))


def timed(label: str, folder: Path, out: Path) -> None:
    wall, cpu = time.perf_counter(), time.process_time()
    rows = engine.write_all(folder, out)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"{label:<10} {rows:>10,} rows {wall:7.2f} s wall {cpu:7.2f} s CPU")


def main() -> None:
    root = project_root()
    area = load_parameters(None, root)["area_code"]
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else root / "data" / "synthetic" / area
    with tempfile.TemporaryDirectory(prefix="bench-csv-") as scratch:
        csv_folder = Path(scratch, "csv")
        csv_folder.mkdir()
        size = as_csv(folder, csv_folder)
        print(f"extract {folder}; as CSV: {size / 1e6:,.0f} MB")
        outputs = {"Parquet": Path(scratch, "parquet.out"), "CSV": Path(scratch, "csv.out")}
        for _ in range(2):
            timed("Parquet", folder, outputs["Parquet"])
            timed("CSV", csv_folder, outputs["CSV"])
        same = pq.read_table(outputs["Parquet"]).equals(pq.read_table(outputs["CSV"]))
        print(f"aggregates from CSV equal those from Parquet: {same}")


if __name__ == "__main__":
    main()
