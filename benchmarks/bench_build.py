"""Build and aggregation benchmarks, each against a naive baseline in the same run (a
script that prints a table, not a test).

    .venv/bin/python benchmarks/bench_build.py [--only build,stats,aggregation]
        [--period 2025-26] [--nwl data/synthetic/NWL]

build: on a scratch copy of the project (extract and measures cache hard-linked), one edition
cold with ``--jobs 1`` (the sequential baseline) and cold with ``--jobs <CPUs>``, then a
rebuild with nothing changed, then a rebuild after changing ``confidence`` in the period's
parameters file; wall-clock seconds, notebooks executed/skipped, each notebook's execution
time. stats: :mod:`bench_stats` (100,000 areas). aggregation: the full measure set
(:func:`bbp_analysis.measures.engine.write_all`) on the Harrow extract and on the
eight-borough extract, each in a fresh process (time, peak resident memory), beside a pandas
groupby of the registered population against the same measure on DuckDB.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BBP = Path(sys.executable).with_name("bbp")
SKIP = {".venv", "_build", ".git", ".ruff_cache", ".pytest_cache"}
EXECUTED = re.compile(r"executed (\S+): (\S+) in ([\d.]+) s")
SKIPPED = re.compile(r"\] skipped ")

AGGREGATE = """
import json, resource, sys, time
from pathlib import Path
from bbp_analysis.measures import engine
start = time.perf_counter()
rows = engine.write_all(sys.argv[1], Path(sys.argv[2]))
print(json.dumps({"seconds": time.perf_counter() - start, "rows": rows,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

PANDAS_VS_DUCKDB = """
import json, resource, sys, time
from pathlib import Path
import pandas as pd
from bbp_analysis.extract import covered_periods, read_manifest
from bbp_analysis.measures import engine
folder, which = sys.argv[1], sys.argv[2]
start = time.perf_counter()
if which == "duckdb":
    rows = len(engine.run_measure("registered_population", folder))
else:
    persons = pd.read_parquet(f"{folder}/persons.parquet")
    parts = []
    for year in covered_periods(read_manifest(Path(folder))):
        mid = pd.Timestamp(f"{year[:4]}-10-01")
        start_reg = pd.to_datetime(persons["registered_from"])
        end_reg = pd.to_datetime(persons["registered_to"])
        alive = persons[((start_reg.isna() | (start_reg <= mid))
                         & (end_reg.isna() | (end_reg > mid))).to_numpy()]
        age = mid.year - alive["birth_year"] - (alive["birth_month"] >= 10)
        band = (age // 5 * 5).clip(upper=90).astype(str)
        alive = alive.assign(period=year, age_band=band)
        for column in ("age_band", "sex", "ethnic_group", "imd_quintile_local", "imd_decile"):
            for area in ("borough_code", "pcn_name", "practice_code"):
                parts.append(alive.groupby(["period", area, column]).size())
        for area in ("borough_code", "pcn_name", "practice_code"):
            parts.append(alive.groupby(["period", area]).size())
    rows = sum(len(p) for p in parts)
print(json.dumps({"seconds": time.perf_counter() - start, "rows": rows,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def child(code: str, *args: str) -> dict:
    """Run ``code`` in a fresh interpreter; its last stdout line is JSON."""
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise SystemExit(f"benchmark child failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def machine() -> str:
    """CPU count, memory, load average and platform, for the record."""
    with open("/proc/meminfo") as handle:
        total_kb = int(handle.readline().split()[1])
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"{os.cpu_count()} CPUs, {total_kb / 2**20:.0f} GiB RAM, load average {load}, "
        f"{platform.platform()}, Python {platform.python_version()}"
    )


def scratch_project(target: Path, area: str) -> Path:
    """Copy the project's sources and hard-link its extract and measures cache."""
    shutil.copytree(
        ROOT,
        target,
        ignore=lambda d, names: [
            n for n in names if n in SKIP or (d == str(ROOT / "data") and n == "synthetic")
        ],
    )
    for part in (f"data/synthetic/{area}", "_build/cache"):
        if (ROOT / part).exists():
            shutil.copytree(ROOT / part, target / part, copy_function=os.link)
    return target


def build(project: Path, period: str, jobs: int) -> tuple[float, list[tuple[str, float]], int]:
    """One ``bbp build`` of ``period``: seconds, (notebook, seconds) executed, notebooks
    skipped."""
    env = {**os.environ, "BBP_ROOT": str(project)}
    command = [
        str(BBP),
        "build",
        "--period",
        period,
        "--jobs",
        str(jobs),
        "--out",
        str(project / "_build" / "site"),
    ]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    seconds = time.perf_counter() - start
    if done.returncode:
        raise SystemExit(f"bbp build failed:\n{done.stderr[-2000:]}")
    executed = [(m.group(2), float(m.group(3))) for m in EXECUTED.finditer(done.stderr)]
    return seconds, executed, len(SKIPPED.findall(done.stderr))


def bench_build(period: str) -> None:
    print(f"\n== Build of edition {period} (one edition; scratch copy of the project)")
    with tempfile.TemporaryDirectory(prefix="bbp-bench-") as folder:
        project = scratch_project(Path(folder) / "project", "E09000015")
        cache = project / "_build" / "notebook-cache"
        cpus = os.cpu_count() or 1
        print(f"{'run':<40} {'seconds':>8} {'executed':>9} {'skipped':>8}", flush=True)
        runs = {}
        for label, jobs, change in (
            ("cold, --jobs 1 (sequential baseline)", 1, None),
            (f"cold, --jobs {cpus}", cpus, "clear cache"),
            ("warm, nothing changed", cpus, None),
            ("one parameter changed (confidence)", cpus, "confidence"),
        ):
            if change == "clear cache":
                shutil.rmtree(cache)
            elif change == "confidence":
                params = project / "parameters" / f"{period}.yaml"
                params.write_text(params.read_text() + "confidence: 0.99\n")
            runs[label] = seconds, executed, skipped = build(project, period, jobs)
            print(f"{label:<40} {seconds:>8.1f} {len(executed):>9} {skipped:>8}", flush=True)
        sequential = runs["cold, --jobs 1 (sequential baseline)"]
        cold = runs[f"cold, --jobs {cpus}"]
        for label in ("warm, nothing changed", "one parameter changed (confidence)"):
            print(f"{label}: {runs[label][0] / cold[0]:.1%} of the cold build")
        print(f"parallel speed-up over sequential (cold): {sequential[0] / cold[0]:.2f}x")
        print("\nper-notebook execution (cold, sequential run)")
        for name, seconds in sequential[1]:
            print(f"  {name:<48} {seconds:>7.1f} s")


def bench_stats() -> None:
    print("\n== Statistics functions (benchmarks/bench_stats.py)")
    sys.path.insert(0, str(Path(__file__).parent))
    import bench_stats

    bench_stats.main()


def bench_aggregation(extracts: dict[str, Path]) -> None:
    print("\n== Measure aggregation (full indicator set, DuckDB, fresh process each)")
    print(f"{'extract':<28} {'persons':>10} {'seconds':>8} {'peak MB':>8} {'rows out':>10}")
    import pyarrow.parquet as pq

    with tempfile.TemporaryDirectory(prefix="bbp-bench-") as folder:
        for label, extract in extracts.items():
            persons = pq.read_metadata(extract / "persons.parquet").num_rows
            result = child(AGGREGATE, str(extract), str(Path(folder) / f"{label}.parquet"))
            print(
                f"{label:<28} {persons:>10,} {result['seconds']:>8.1f} "
                f"{result['peak_mb']:>8.0f} {result['rows']:>10,}"
            )
    print("\nregistered population, every area level and breakdown: pandas vs DuckDB")
    print(f"{'extract':<28} {'pandas s':>9} {'MB':>6} {'duckdb s':>9} {'MB':>6} {'ratio':>6}")
    for label, extract in extracts.items():
        naive = child(PANDAS_VS_DUCKDB, str(extract), "pandas")
        duck = child(PANDAS_VS_DUCKDB, str(extract), "duckdb")
        print(
            f"{label:<28} {naive['seconds']:>9.1f} {naive['peak_mb']:>6.0f} "
            f"{duck['seconds']:>9.1f} {duck['peak_mb']:>6.0f} "
            f"{naive['seconds'] / duck['seconds']:>6.1f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="build,stats,aggregation")
    parser.add_argument("--period", default="2025-26")
    parser.add_argument(
        "--nwl",
        default=str(ROOT / "data" / "synthetic" / "NWL"),
        help="eight-borough extract (make it with `bbp data synth --area NWL`)",
    )
    args = parser.parse_args()
    sections = set(args.only.split(","))
    print(f"machine: {machine()}")
    if "build" in sections:
        bench_build(args.period)
    if "stats" in sections:
        bench_stats()
    if "aggregation" in sections:
        extracts = {"Harrow (E09000015)": ROOT / "data" / "synthetic" / "E09000015"}
        if (Path(args.nwl) / "persons.parquet").is_file():
            extracts["NW London, eight boroughs"] = Path(args.nwl)
        else:
            print(f"(no eight-borough extract at {args.nwl}: `bbp data synth --area NWL`)")
        bench_aggregation(extracts)
    print(f"\nmachine at the end: {machine()}")


if __name__ == "__main__":
    main()
