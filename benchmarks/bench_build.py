"""Build and aggregation benchmarks, each against a baseline in the same run (a script that
prints a table, not a test).

    .venv/bin/python benchmarks/bench_build.py [--only build,stats,aggregation]
        [--period 2025-26] [--fresh-clone] [--nwl data/synthetic/NWL]

build: on a scratch copy of the project, every edition cold (no extract, measures or caches;
the environment present), then again with nothing changed (its time as a share of the cold
build), then after changing ``confidence`` in one period's file; wall-clock seconds,
notebooks executed and skipped, editions reused whole, each notebook's execution time.
--fresh-clone: ``git clone`` of HEAD to a built site with the README's ``scripts/in-venv bbp
build`` (environment creation included). stats: :mod:`bench_stats` (100,000 areas).
aggregation: the full measure set (:func:`bbp_analysis.measures.engine.write_all`) on the
Harrow extract and on the eight-borough extract, each in a fresh process (time, peak resident
memory), beside a pandas groupby of the registered population against the same measure on
DuckDB.
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
REUSED = re.compile(r": reused the whole edition ")

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


def build(project: Path, jobs: int) -> tuple[float, list[tuple[str, float]], int, int]:
    """One ``bbp build`` of every edition: seconds, (notebook, seconds) executed, notebooks
    skipped, editions reused whole from the edition cache."""
    env = {**os.environ, "BBP_ROOT": str(project)}
    command = [str(BBP), "build", "--jobs", str(jobs), "--out", str(project / "_build" / "site")]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    seconds = time.perf_counter() - start
    if done.returncode:
        raise SystemExit(f"bbp build failed:\n{done.stderr[-2000:]}")
    executed = [(m.group(2), float(m.group(3))) for m in EXECUTED.finditer(done.stderr)]
    return seconds, executed, len(SKIPPED.findall(done.stderr)), len(REUSED.findall(done.stderr))


def bench_build(period: str) -> None:
    cpus = os.cpu_count() or 1
    print(f"\n== Build of every edition, --jobs {cpus} (scratch copy of the project)")
    print("cold: no extract, no measures, no caches (the environment is present)")
    with tempfile.TemporaryDirectory(prefix="bbp-bench-") as folder:
        project = scratch_project(Path(folder) / "project", "E09000015")
        for part in ("data/synthetic", "_build"):
            shutil.rmtree(project / part, ignore_errors=True)
        header = f"{'run':<42} {'seconds':>8} {'executed':>9} {'skipped':>8} {'reused':>7}"
        print(header, flush=True)
        runs = {}
        for label, change in (
            ("cold", None),
            ("no change", None),
            (f"confidence changed in {period}", "confidence"),
        ):
            if change == "confidence":
                params = project / "parameters" / f"{period}.yaml"
                params.write_text(params.read_text() + "confidence: 0.99\n")
            runs[label] = seconds, executed, skipped, reused = build(project, cpus)
            print(
                f"{label:<42} {seconds:>8.1f} {len(executed):>9} {skipped:>8} {reused:>7}",
                flush=True,
            )
        cold = runs["cold"][0]
        for label in list(runs)[1:]:
            print(f"{label}: {runs[label][0] / cold:.1%} of the cold build")
        print("\nper-notebook execution (cold run)")
        for name, seconds in runs["cold"][1]:
            print(f"  {name:<56} {seconds:>7.1f} s")


def bench_fresh_clone() -> None:
    """``git clone`` of the committed HEAD, then the README's ``scripts/in-venv bbp build``:
    environment creation from the lock, data, every edition."""
    print("\n== Fresh clone to built site (environment included; README's set-up command)")
    with tempfile.TemporaryDirectory(prefix="bbp-bench-clone-") as folder:
        clone = Path(folder) / "bbp-review"
        subprocess.run(
            ["git", "clone", "-q", str(ROOT), str(clone)], check=True, capture_output=True
        )
        env = {k: v for k, v in os.environ.items() if k not in ("BBP_ROOT", "VIRTUAL_ENV")}
        start = time.perf_counter()
        done = subprocess.run(
            ["scripts/in-venv", "bbp", "build"],
            cwd=clone,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        seconds = time.perf_counter() - start
        if done.returncode:
            raise SystemExit(f"fresh clone build failed:\n{done.stderr[-2000:]}")
        print(f"{'clone to built site (scripts/in-venv bbp build)':<50} {seconds:>8.1f} s")


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
    parser.add_argument("--period", default="2025-26", help="edition whose parameter changes")
    parser.add_argument(
        "--fresh-clone",
        action="store_true",
        help="also time a fresh clone of HEAD to a built site, environment included",
    )
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
    if args.fresh_clone:
        bench_fresh_clone()
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
