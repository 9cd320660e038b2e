"""Every figure of issue 21 in one run: build, fresh clone, eight boroughs, Spark, tests (a
script that prints tables, not a test).

    .venv/bin/python benchmarks/bench_build.py [--only SECTION,...] [--edition PERIOD]
        [--jobs N] [--scale S] [--nwl FOLDER] [--period 2025-26] [--test-args ARGS]

Sections (all by default, in this order):

build        on a scratch copy of the project (environment present): every edition cold (no
             extract, measures or caches), again with nothing changed (time as a share of the
             cold build), again after changing ``confidence`` in ``--period``'s file.
clone        ``git clone`` of HEAD to a built site with the README's ``scripts/in-venv bbp
             build``, with empty uv and pip caches (a fresh machine): clone, environment,
             build and total.
generation   ``bbp data synth --area NWL --scale S`` in a new process: time, peak memory.
aggregation  every measure (:func:`bbp_analysis.measures.engine.write_all`) on the eight-borough
             extract (``--nwl``, else the one generated above), DuckDB and Spark ``local[2]``
             side by side (``--engines``), each in a new process.
spark        ``bbp build --engine spark --period P`` on the default extract (measures not
             cached) beside the DuckDB build of the same edition: both times, and whether the
             published headlines (``edition.json``: values, intervals, statuses), the front
             page's scorecard (``downloads/scorecard.csv``) and the download tables equal.
tests        ``scripts/test --quick`` and ``scripts/test``, each on a fresh clone sharing this
             environment (``--test-args`` narrows them, to try the section); a failing
             run's time is marked failed. Their memory is not sampled (the sampling's own
             CPU would come out of the time measured; see :func:`measure`).
pandas       the registered population by every area and breakdown from the default extract
             (generated when absent): pandas groupby vs DuckDB.
stats        :mod:`bench_stats` (100,000 areas).

Peak memory is that of the whole process tree (the JVM included for Spark), sampled every
0.1 s (not for the test commands), or the largest single process's maximum resident set size
if higher. The run ends with the build log lines containing "ERROR" (every build above), the
targets, and the machine.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import math
import os
import platform
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
BBP = BIN / "bbp"
SECTIONS = ("build", "clone", "generation", "aggregation", "spark", "tests", "pandas", "stats")
SKIP = {".venv", "_build", ".git", ".ruff_cache", ".pytest_cache", "node_modules"}
EXECUTED = re.compile(r"executed (\S+): (\S+) in ([\d.]+) s")
SKIPPED = re.compile(r"\] skipped ")
REUSED = re.compile(r": reused the whole edition ")
LOCKS = ("requirements.lock", "requirements-dev.lock")
STAMPS = {"requirements.lock": ".bbp-lock-stamp", "requirements-dev.lock": ".bbp-dev-lock-stamp"}
BUILD_LOGS: list[tuple[str, str]] = []  # (run, output) of every build, scanned for "ERROR"
FIGURES: list[tuple[str, str, str]] = []  # (figure, value, target) for the closing table

AGGREGATE = """
import json, sys, time
from pathlib import Path
from bbp_analysis.extract import manifest_of
from bbp_analysis.measures import engine
extract, out, which = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
seconds, arrow = {}, engine._arrow
def timed(con, name):
    start = time.perf_counter()
    table = arrow(con, name)
    seconds[name] = time.perf_counter() - start
    return table
engine._arrow = timed  # each measure's wall time on its connection (DuckDB only)
rows = engine.write_all(extract, out, engine=which)
streams = engine.streams(manifest_of(Path(extract))) if which == "duckdb" else None
print(json.dumps({"rows": rows, "seconds": seconds, "streams": streams}))
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


@dataclass
class Measured:
    """One command's wall-clock seconds, peak resident memory (MB), output and CPU seconds
    (user + system, its own and its descendants')."""

    seconds: float
    peak_mb: float
    returncode: int
    output: str
    cpu_seconds: float = 0.0


def tree_rss(process: psutil.Process) -> int:
    """Resident bytes of a process and all its descendants now."""
    total = 0
    try:
        members = [process, *process.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    for member in members:
        with contextlib.suppress(psutil.NoSuchProcess):
            total += member.memory_info().rss
    return total


def measure(
    command: list[str],
    cwd: Path | None = None,
    env: dict | None = None,
    sample_memory: bool = True,
) -> Measured:
    """Run ``command`` (output to a file): wall seconds and the peak memory of its process
    tree, sampled every 0.1 s, or the largest process's maximum RSS (wait4) if higher.
    ``sample_memory=False`` leaves the tree unsampled (the peak is then the largest
    process's): for a command whose time is the figure and whose memory is not, on a machine
    it keeps busy. Each sample reads every process on the machine to find the tree's members,
    then each member's memory: 4.5 ms of this process's CPU for a tree of 41 processes among
    168 (measured here, 2026-12-06), about 4.5% of a core taken from the command measured,
    some 27 CPU s over a 600 s run of the test suite on 2 cores."""
    with tempfile.TemporaryFile("w+") as log:
        start = time.perf_counter()
        proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
        watched, peak = psutil.Process(proc.pid), 0
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG if sample_memory else 0)
            if pid:
                break
            peak = max(peak, tree_rss(watched))
            time.sleep(0.1)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        log.seek(0)
        output = log.read()
    peak_mb = max(peak / 2**20, usage.ru_maxrss / 1024)
    cpu = usage.ru_utime + usage.ru_stime
    return Measured(seconds, peak_mb, proc.returncode, output, cpu)


def checked(label: str, result: Measured) -> Measured:
    """``result``, or stop the benchmark with the end of the failed command's output."""
    if result.returncode:
        raise SystemExit(f"{label} failed (exit {result.returncode}):\n{result.output[-3000:]}")
    return result


def machine() -> str:
    """CPU count, memory, load average and platform, for the record."""
    with open("/proc/meminfo") as handle:
        total_kb = int(handle.readline().split()[1])
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"{os.cpu_count()} CPUs, {total_kb / 2**20:.0f} GiB RAM, load average {load}, "
        f"{platform.platform()}, Python {platform.python_version()}"
    )


def clean_env(**extra: str) -> dict[str, str]:
    """This environment without a project root or an activated venv, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if k not in ("BBP_ROOT", "VIRTUAL_ENV")}
    path = [p for p in env.get("PATH", "").split(os.pathsep) if Path(p) != BIN]
    return {**env, "PATH": os.pathsep.join(path), **extra}


def scratch_project(target: Path, measures_cache: bool = True) -> Path:
    """Copy the project's sources; hard-link its Harrow extract and ``_build/cache`` (less the
    measures cache unless ``measures_cache``)."""
    shutil.copytree(
        ROOT,
        target,
        ignore=lambda d, names: [
            n for n in names if n in SKIP or (d == str(ROOT / "data") and n == "synthetic")
        ],
    )
    for part in ("data/synthetic/E09000015", "_build/cache"):
        if (ROOT / part).exists():
            shutil.copytree(ROOT / part, target / part, copy_function=os.link)
    if not measures_cache:
        shutil.rmtree(target / "_build" / "cache" / "measures", ignore_errors=True)
    return target


def clone_head(target: Path) -> Path:
    """``git clone`` of the committed HEAD (what a new user or CI gets)."""
    subprocess.run(["git", "clone", "-q", str(ROOT), str(target)], check=True)
    return target


def bbp_build(project: Path, label: str, *args: str) -> Measured:
    """``bbp build ARGS`` with ``project`` as the root; its log kept for the ERROR scan."""
    env = {**os.environ, "BBP_ROOT": str(project)}
    result = checked(label, measure([str(BBP), "build", *args], cwd=project, env=env))
    BUILD_LOGS.append((label, result.output))
    return result


PROGRESS = re.compile(r"^\[\s*([\d.]+)s\] (.*)$", re.MULTILINE)
PHASES = (  # (step, pattern of the progress lines that belong to it)
    ("checking inputs", r"loading parameters"),
    ("generating the extract", r"generating the synthetic extract"),
    ("aggregating the measures", r"aggregating the measures"),
    ("chapter and other notebooks", r"execut(ing|ed) "),
    ("pages and downloads", r": writing what changed"),
    ("book builds", r": building the book"),
    ("board papers", r": writing the board paper"),
    ("disclosure audit", r"disclosure audit"),
    ("publishing", r"publishing to"),
)


def timeline(output: str) -> list[tuple[str, float, float]]:
    """Each phase of a build log with the time of its first progress line and of the line
    after its last one (when the next step started)."""
    lines = [(float(m.group(1)), m.group(2)) for m in PROGRESS.finditer(output)]
    rows = []
    for step, pattern in PHASES:
        at = [i for i, (_, text) in enumerate(lines) if re.search(pattern, text)]
        if at:
            end = lines[min(at[-1] + 1, len(lines) - 1)][0]
            rows.append((step, lines[at[0]][0], end))
    return rows


def edition_args(edition: str | None) -> list[str]:
    return ["--period", edition] if edition else []


def bench_build(period: str, edition: str | None, jobs: int) -> None:
    which = f"edition {edition}" if edition else "every edition"
    print(f"\n== Build of {which}, --jobs {jobs} (scratch copy; the environment present)")
    with tempfile.TemporaryDirectory(prefix="bbp-bench-") as folder:
        project = scratch_project(Path(folder) / "project")
        for part in ("data/synthetic", "_build"):
            shutil.rmtree(project / part, ignore_errors=True)
        site = ["--jobs", str(jobs), "--out", str(project / "_build" / "site")]
        print(
            f"{'run':<36} {'seconds':>8} {'of cold':>8} {'executed':>9} {'skipped':>8} "
            f"{'reused':>7}",
            flush=True,
        )
        runs: dict[str, tuple[Measured, list[tuple[str, float]]]] = {}
        for label, change in (
            ("cold (no extract, measures, caches)", None),
            ("no change", None),
            (f"confidence changed in {period}", "confidence"),
        ):
            if change == "confidence":
                params = project / "parameters" / f"{period}.yaml"
                params.write_text(params.read_text() + "confidence: 0.99\n")
            result = bbp_build(project, f"build: {label}", *site, *edition_args(edition))
            executed = [
                (f"{m.group(1)} {m.group(2)}", float(m.group(3)))
                for m in EXECUTED.finditer(result.output)
            ]
            runs[label] = result, executed
            cold = next(iter(runs.values()))[0].seconds
            print(
                f"{label:<36} {result.seconds:>8.1f} {result.seconds / cold:>8.1%} "
                f"{len(executed):>9} {len(SKIPPED.findall(result.output)):>8} "
                f"{len(REUSED.findall(result.output)):>7}",
                flush=True,
            )
        cold_run, executed = next(iter(runs.values()))
        no_change = runs["no change"][0].seconds
        FIGURES.append((f"cold build, {which}", f"{cold_run.seconds:.1f} s", "< 90 s"))
        FIGURES.append(("no-change rebuild / cold", f"{no_change / cold_run.seconds:.1%}", "< 5%"))
        busy = cold_run.cpu_seconds / (cold_run.seconds * (os.cpu_count() or 1))
        print(
            f"\ncold run: {cold_run.cpu_seconds:.1f} CPU seconds (user + system) in "
            f"{cold_run.seconds:.1f} s, the {os.cpu_count()} cores {busy:.0%} busy"
        )
        print("timeline of the cold run (seconds since the build started)")
        for step, start, end in timeline(cold_run.output):
            print(f"  {step:<44} {start:>7.1f} {end:>7.1f}")
        print("\nper-notebook execution (cold run)")
        for name, seconds in executed:
            print(f"  {name:<56} {seconds:>7.1f} s")


def bench_clone(edition: str | None) -> None:
    """``git clone`` of HEAD, then the README's ``scripts/in-venv bbp build`` with empty uv
    and pip caches: environment creation from the lock, data, every edition."""
    print("\n== Fresh clone to built site: scripts/in-venv bbp build, empty uv and pip caches")
    with tempfile.TemporaryDirectory(prefix="bbp-bench-clone-") as folder:
        env = clean_env(UV_CACHE_DIR=f"{folder}/uv-cache", PIP_NO_CACHE_DIR="1")
        start = time.perf_counter()
        clone = clone_head(Path(folder) / "bbp-review")
        cloned = time.perf_counter() - start
        environment = checked(
            "scripts/in-venv true", measure(["scripts/in-venv", "true"], cwd=clone, env=env)
        )
        build = checked(
            "scripts/in-venv bbp build",
            measure(
                ["scripts/in-venv", "bbp", "build", *edition_args(edition)], cwd=clone, env=env
            ),
        )
        BUILD_LOGS.append(("fresh clone: scripts/in-venv bbp build", build.output))
        total = time.perf_counter() - start
        for label, seconds in (
            ("git clone", cloned),
            ("environment (scripts/in-venv true)", environment.seconds),
            ("build (scripts/in-venv bbp build)", build.seconds),
            ("fresh clone to built site", total),
        ):
            print(f"{label:<50} {seconds:>8.1f} s")
        FIGURES.append(("environment creation, cold caches", f"{environment.seconds:.1f} s", ""))
        FIGURES.append(("fresh clone to built site", f"{total:.1f} s", "< 180 s"))


def bench_generation(scale: float, out: Path) -> Path:
    print(f"\n== Eight-borough generation: bbp data synth --area NWL --scale {scale:g}")
    result = checked(
        "bbp data synth",
        measure(
            [
                str(BBP),
                "data",
                "synth",
                "--area",
                "NWL",
                "--scale",
                f"{scale:g}",
                "--out",
                str(out),
            ],
            cwd=ROOT,
        ),
    )
    print(f"{'persons':>10} {'seconds':>8} {'peak MB':>8}")
    print(f"{persons(out):>10,} {result.seconds:>8.1f} {result.peak_mb:>8.0f}")
    FIGURES.append((f"NWL generation (scale {scale:g})", f"{result.seconds:.1f} s", ""))
    FIGURES.append(("NWL generation peak memory", f"{result.peak_mb:,.0f} MB", "< 4,096 MB"))
    return out


def persons(extract: Path) -> int:
    import pyarrow.parquet as pq

    return pq.read_metadata(extract / "persons.parquet").num_rows


def bench_aggregation(extract: Path, engines: list[str]) -> None:
    print(f"\n== Eight-borough aggregation, every measure ({persons(extract):,} persons)")
    print(f"{'engine':<16} {'seconds':>8} {'peak MB':>8} {'rows out':>10} {'time / DuckDB':>14}")
    env = {**os.environ, "BBP_SPARK_MASTER": "local[2]"}
    with tempfile.TemporaryDirectory(prefix="bbp-bench-") as folder:
        duckdb = None
        for engine, label in (("duckdb", "DuckDB"), ("spark", "Spark local[2]")):
            if engine not in engines:
                FIGURES.append((f"NWL aggregation, {label}", "not run (--engines)", ""))
                continue
            out = Path(folder) / f"{engine}.parquet"
            command = [sys.executable, "-c", AGGREGATE, str(extract), str(out), engine]
            result = measure(command, cwd=ROOT, env=env)
            target = ("< 60 s", "< 4,096 MB") if engine == "duckdb" else ("completes", "")
            if result.returncode:
                print(f"{label:<16} failed after {result.seconds:.1f} s: {cause(result.output)}")
                FIGURES.append((f"NWL aggregation, {label}", "failed", target[0]))
                continue
            report = json.loads(result.output.strip().splitlines()[-1])
            rows = report["rows"]
            duckdb = result if engine == "duckdb" else duckdb
            ratio = f"{result.seconds / duckdb.seconds:.2f}" if duckdb else "-"
            print(
                f"{label:<16} {result.seconds:>8.1f} {result.peak_mb:>8.0f} {rows:>10,} {ratio:>14}"
            )
            FIGURES.append((f"NWL aggregation, {label}", f"{result.seconds:.1f} s", target[0]))
            FIGURES.append(
                (f"NWL aggregation peak, {label}", f"{result.peak_mb:,.0f} MB", target[1])
            )
            print_slowest(report.get("seconds", {}), report.get("streams"))


def print_slowest(seconds: dict[str, float], streams: int | None, count: int = 8) -> None:
    """The ``count`` measures taking the most wall time on their connection (``streams``
    connections aggregating side by side)."""
    if not seconds:
        return
    heading = f"slowest measures ({streams} connection(s) side by side)"
    print(f"  {heading:<46} {'wall s':>6}")
    for name, wall in sorted(seconds.items(), key=lambda item: -item[1])[:count]:
        print(f"  {name:<46} {wall:>6.1f}")


def cause(output: str) -> str:
    """The line of a failed command's output that names the error (else its last line)."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    named = [line for line in lines if re.match(r"^[\w.]*(Error|Exception)\b", line)]
    return (named or lines or ["no output"])[-1][:300]


def site_edition(site: Path, period: str) -> Path:
    """The folder of ``period``'s edition in a built site."""
    return site / period if (site / period / "edition.json").is_file() else site


def same_number(a: object, b: object) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return (
            isinstance(a, int | float)
            and isinstance(b, int | float)
            and (math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12))
        )
    return a == b


def same_json(a: object, b: object) -> bool:
    """Equal JSON values, floats within a relative 1e-9 (sums may add in another order)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_json(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_json(x, y) for x, y in zip(a, b, strict=True))
    return same_number(a, b)


def same_table(a: Path, b: Path) -> bool:
    import pandas as pd

    if a.read_bytes() == b.read_bytes():
        return True
    left, right = pd.read_csv(a), pd.read_csv(b)
    try:
        pd.testing.assert_frame_equal(left, right, check_exact=False, rtol=1e-9)
    except AssertionError:
        return False
    return True


def bench_spark(period: str, jobs: int) -> None:
    """Both builds of ``period`` (measures not cached), then the published headline values
    compared: the edition snapshot's headlines (``edition.json``: value, interval, status and
    reason of every headline), the front page's scorecard (``downloads/scorecard.csv``) and
    every other download table, first byte for byte, then within a relative 1e-9."""
    print(f"\n== bbp build --engine spark --period {period} (default extract) beside DuckDB")
    with tempfile.TemporaryDirectory(prefix="bbp-bench-spark-") as folder:
        sites, seconds = {}, {}
        print(f"{'engine':<8} {'seconds':>8} {'peak MB':>8}   (measures not cached)")
        for engine in ("duckdb", "spark"):
            project = scratch_project(Path(folder) / engine, measures_cache=False)
            site = Path(folder) / f"{engine}-site"
            result = bbp_build(
                project,
                f"build --engine {engine}",
                "--engine",
                engine,
                "--period",
                period,
                "--jobs",
                str(jobs),
                "--out",
                str(site),
            )
            sites[engine], seconds[engine] = site_edition(site, period), result.seconds
            print(f"{engine:<8} {result.seconds:>8.1f} {result.peak_mb:>8.0f}")
        FIGURES.append((f"build --period {period}, DuckDB", f"{seconds['duckdb']:.1f} s", ""))
        FIGURES.append(
            (f"build --engine spark --period {period}", f"{seconds['spark']:.1f} s", "builds")
        )
        equal = compare_editions(sites["duckdb"], sites["spark"])
        FIGURES.append(("Spark headline values = DuckDB's", "yes" if equal else "NO", "yes"))


def compare_editions(duck: Path, spark: Path) -> bool:
    """Print how the Spark edition's published values compare with DuckDB's, file by file;
    True when the headlines (``edition.json``) and the scorecard are identical."""
    headlines = [read_json(s / "edition.json")["headlines"] for s in (duck, spark)]
    same_headlines = headlines[0] == headlines[1]
    print(
        f"edition.json headlines ({len(headlines[0])}: values, intervals, statuses): "
        + ("identical" if same_headlines else "DIFFER")
        + ("" if same_headlines else f" (within 1e-9: {yes(same_json(*headlines))})")
    )
    same_results = (duck / "results.json").read_bytes() == (spark / "results.json").read_bytes()
    print(f"results.json (every headline and stated value): {yes(same_results)} identical")
    scorecard = Path("downloads", "scorecard.csv")
    same_scorecard = (duck / scorecard).read_bytes() == (spark / scorecard).read_bytes()
    print(f"front-page scorecard ({scorecard}): {'identical' if same_scorecard else 'DIFFER'}")
    tables = sorted(p.name for p in (duck / "downloads").glob("*.csv"))
    identical = [
        n
        for n in tables
        if (spark / "downloads" / n).is_file()
        and (duck / "downloads" / n).read_bytes() == (spark / "downloads" / n).read_bytes()
    ]
    close = [
        n
        for n in tables
        if n not in identical
        and (spark / "downloads" / n).is_file()
        and same_table(duck / "downloads" / n, spark / "downloads" / n)
    ]
    differ = sorted(set(tables) - set(identical) - set(close))
    print(
        f"download tables (downloads/*.csv): {len(identical)} of {len(tables)} identical,"
        f" {len(close)} within 1e-9" + (f"; differ: {', '.join(differ)}" if differ else "")
    )
    return same_headlines and same_scorecard


def read_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def yes(flag: bool) -> str:
    return "yes" if flag else "NO"


def shared_venv(clone: Path) -> None:
    """Give ``clone`` this environment: its ``.venv`` links each entry of this one and holds
    the stamps ``scripts/in-venv`` expects of the clone's locks, so nothing is installed."""
    venv, shared = clone / ".venv", Path(sys.prefix)
    venv.mkdir()
    for entry in shared.iterdir():
        if entry.name not in STAMPS.values():
            (venv / entry.name).symlink_to(entry)
    tail = b"".join(
        (clone / n).read_bytes() for n in ("requirements-bootstrap.lock", "pyproject.toml")
    )
    for lock, stamp in STAMPS.items():
        digest = hashlib.sha256((clone / lock).read_bytes() + tail).hexdigest()
        (venv / stamp).write_text(digest + "\n")
    axe = ROOT / "tests" / "site" / "axe" / "node_modules"
    if axe.is_dir():
        shutil.copytree(
            axe, clone / "tests/site/axe/node_modules", copy_function=os.link, symlinks=True
        )


def bench_tests(test_args: list[str]) -> None:
    shown = " ".join(test_args)
    print(f"\n== The test command on a fresh clone (this environment shared) {shown}")
    print(f"{'command':<36} {'seconds':>8} {'result'}")
    with tempfile.TemporaryDirectory(prefix="bbp-bench-tests-") as folder:
        for label, args in (("scripts/test --quick", ["--quick"]), ("scripts/test", [])):
            clone = clone_head(Path(folder) / label.replace(" ", "").replace("/", "-"))
            shared_venv(clone)
            env = clean_env(PYTHONPATH=str(clone / "src"))
            result = measure(
                ["scripts/test", *args, *test_args], cwd=clone, env=env, sample_memory=False
            )
            lines = [x for x in result.output.splitlines() if re.search(r" in [\d.]+s", x)]
            summary = lines[-1].strip("= ") if lines else f"exit {result.returncode}"
            print(f"{label:<36} {result.seconds:>8.1f} {summary}", flush=True)
            target = "< 180 s" if args else "< 600 s"
            value = f"{result.seconds:.1f} s" + ("" if result.returncode == 0 else ", failed")
            FIGURES.append((f"{label} {shown}".strip(), value, target))


def bench_stats() -> None:
    print("\n== Statistics functions (benchmarks/bench_stats.py)")
    sys.path.insert(0, str(Path(__file__).parent))
    import bench_stats

    bench_stats.main()


def bench_pandas() -> None:
    """The registered population from the repository's default extract (generated first when
    absent, as ``bbp build`` would: a fresh clone has none)."""
    from bbp_analysis.extract import ensure_extract, extract_folder
    from bbp_analysis.params import load_parameters

    print("\n== Registered population, every area level and breakdown: pandas vs DuckDB")
    defaults = load_parameters(None, ROOT)
    ensure_extract(defaults["area_code"], defaults["synthetic_seed"], ROOT)
    extract = extract_folder(defaults["area_code"], ROOT)
    print(f"{'extract':<14} {'pandas s':>9} {'MB':>6} {'duckdb s':>9} {'MB':>6} {'ratio':>6}")
    runs = {}
    for which in ("pandas", "duckdb"):
        command = [sys.executable, "-c", PANDAS_VS_DUCKDB, str(extract), which]
        result = checked(f"registered population on {which}", measure(command, cwd=ROOT))
        runs[which] = json.loads(result.output.strip().splitlines()[-1])
    naive, duck = runs["pandas"], runs["duckdb"]
    print(
        f"{extract.name:<14} {naive['seconds']:>9.1f} {naive['peak_mb']:>6.0f} "
        f"{duck['seconds']:>9.1f} {duck['peak_mb']:>6.0f} "
        f"{naive['seconds'] / duck['seconds']:>6.1f}"
    )


def report_errors() -> None:
    lines = [
        f"  {run}: {line.strip()}"
        for run, output in BUILD_LOGS
        for line in output.splitlines()
        if "ERROR" in line
    ]
    print(f'\n== Build log lines containing "ERROR" ({len(BUILD_LOGS)} builds): {len(lines)}')
    for line in lines[:10]:
        print(line)
    if BUILD_LOGS:
        FIGURES.append(('build log lines with "ERROR"', str(len(lines)), "0"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(SECTIONS), help=", ".join(SECTIONS))
    parser.add_argument("--period", default="2025-26", help="edition changed, and built on Spark")
    parser.add_argument("--edition", help="build only this edition (to try the build sections)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--scale", type=float, default=1.0, help="eight-borough list sizes x")
    parser.add_argument("--nwl", help="eight-borough extract to aggregate (default: generated)")
    parser.add_argument(
        "--engines", default="duckdb,spark", help="aggregation engines to run (duckdb,spark)"
    )
    parser.add_argument("--test-args", default="", help="extra arguments for scripts/test")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # each table row as soon as it is measured
    sections = set(args.only.split(","))
    if unknown := sections - set(SECTIONS):
        parser.error(f"unknown section(s) {', '.join(sorted(unknown))}: one of {SECTIONS}")
    print(f"machine: {machine()}")
    print(f"command: {shlex.join(sys.argv)} (HEAD {git_head()})", flush=True)
    with tempfile.TemporaryDirectory(prefix="bbp-bench-nwl-") as folder:
        nwl = Path(args.nwl) if args.nwl else None
        if "build" in sections:
            bench_build(args.period, args.edition, args.jobs)
        if "clone" in sections:
            bench_clone(args.edition)
        if "generation" in sections:
            generated = bench_generation(args.scale, Path(folder) / "NWL")
            nwl = nwl or generated
        if "aggregation" in sections:
            if nwl is None or not (nwl / "persons.parquet").is_file():
                raise SystemExit("aggregation: give --nwl FOLDER or run the generation section")
            bench_aggregation(nwl, args.engines.split(","))
        if "spark" in sections:
            bench_spark(args.period, args.jobs)
        if "tests" in sections:
            bench_tests(shlex.split(args.test_args))
        if "pandas" in sections:
            bench_pandas()
        if "stats" in sections:
            bench_stats()
    report_errors()
    print(f"\n== Issue 21 figures\n{'figure':<48} {'value':>12}  target")
    for figure, value, target in FIGURES:
        print(f"{figure:<48} {value:>12}  {target}")
    print(f"\nmachine at the end: {machine()}")


def git_head() -> str:
    done = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip() or "unknown"


if __name__ == "__main__":
    main()
