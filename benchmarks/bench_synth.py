"""Benchmark the synthetic extract generator and the full measure set.

Prints, for Harrow (scale 1.0) and for the eight NW London boroughs ("NWL", scale set by
``--nwl-scale``), the generation time (with schema validation timed separately), where the
generation time goes per table (drawing the rows, sorting them into Arrow chunks, the
generator's own checks, Parquet writing), the peak resident memory of the generating
process, the rows written, and the time to aggregate every measure with DuckDB. Each case
runs in its own subprocess so peaks do not mix. The load average is printed with each case.

    .venv/bin/python benchmarks/bench_synth.py [--nwl-scale 0.25] [--skip-nwl] [--no-validate]
        [--no-aggregation]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

CHILD = """
import json, resource, sys, time
from collections import defaultdict
from pathlib import Path
from bbp_analysis.synth import generate as gen
from bbp_analysis.synth.generate import generate, validate_tables
from bbp_analysis.measures import run_all
area, scale, out = sys.argv[1], float(sys.argv[2]), Path(sys.argv[3])
validate, aggregate = sys.argv[4:6]
phases = defaultdict(float)  # (table, phase) -> seconds

def timed_steps(steps, phase, name_of):
    while True:
        t0 = time.perf_counter()
        try:
            item = next(steps)
        except StopIteration:
            return
        phases[(name_of(item), phase)] += time.perf_counter() - t0
        yield item

borough_rows, tables = gen._borough_rows, gen._tables
gen._borough_rows = lambda *a: timed_steps(borough_rows(*a), "draw", lambda r: r.name)
gen._tables = lambda frame, name, *a: timed_steps(
    tables(frame, name, *a), "sort+arrow", lambda _: name)
write, check = gen._Writer.write, gen._Writer._check
def timed_write(self, chunk):
    t0 = time.perf_counter()
    write(self, chunk)
    phases[(self.name, "check+write")] += time.perf_counter() - t0
def timed_check(self, chunk):
    t0 = time.perf_counter()
    check(self, chunk)
    phases[(self.name, "check")] += time.perf_counter() - t0
gen._Writer.write, gen._Writer._check = timed_write, timed_check
t0 = time.perf_counter()
paths = generate(area=area, scale=scale, out_dir=out, validate=True)
generation = time.perf_counter() - t0
peak_generation = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
validation = None
if validate == "yes":
    import pyarrow.parquet as pq
    t0 = time.perf_counter()
    periods = tuple(json.loads(paths["manifest"].read_text())["periods"])
    validate_tables({n: pq.read_table(p) for n, p in paths.items() if n != "manifest"}, periods)
    validation = time.perf_counter() - t0
t0 = time.perf_counter()
results = run_all(out) if aggregate == "yes" else {}
aggregation = time.perf_counter() - t0 if aggregate == "yes" else None
manifest = json.loads(paths["manifest"].read_text())
print(json.dumps({
    "generation_s": generation, "validation_s": validation, "aggregation_s": aggregation,
    "peak_rss_generation_mb": peak_generation,
    "peak_rss_total_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "rows": {k: v["rows"] for k, v in manifest["tables"].items()},
    "phases": [[t, p, v] for (t, p), v in phases.items()],
    "aggregate_rows": sum(len(f) for f in results.values()),
    "bytes": sum(p.stat().st_size for p in paths.values()),
}))
"""


def run_case(area: str, scale: float, validate: bool, aggregate: bool) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        load = os.getloadavg()[0]
        started = time.perf_counter()
        done = subprocess.run(
            [
                sys.executable,
                "-c",
                CHILD,
                area,
                str(scale),
                folder,
                "yes" if validate else "no",
                "yes" if aggregate else "no",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode:
            raise SystemExit(f"{area} x {scale} failed:\n{done.stderr}")
        result = json.loads(done.stdout.strip().splitlines()[-1])
        result["wall_s"] = time.perf_counter() - started
        result["load"] = (load, os.getloadavg()[0])
        return result


def report(label: str, result: dict) -> None:
    print(
        f"\n== {label} (load average {result['load'][0]:.1f} before, {result['load'][1]:.1f} after)"
    )
    print(f"generation        {result['generation_s']:8.1f} s (checked while written)")
    if result["validation_s"] is not None:
        print(f"schema validation {result['validation_s']:8.1f} s")
    if result["aggregation_s"] is not None:
        print(
            f"measure set       {result['aggregation_s']:8.1f} s  "
            f"({result['aggregate_rows']:,} aggregate rows)"
        )
    print(
        f"peak RSS          {result['peak_rss_generation_mb']:8.0f} MB generation, "
        f"{result['peak_rss_total_mb']:.0f} MB with aggregation"
    )
    print(f"parquet written   {result['bytes'] / 1e6:8.1f} MB")
    print_phases(result["phases"])
    for name, rows in result["rows"].items():
        print(f"  {name:22s} {rows:>12,}")


PHASES = ("draw", "sort+arrow", "check", "write")


def print_phases(phases: list[list]) -> None:
    """Seconds per table: drawing its rows, sorting them into Arrow chunks, the generator's
    checks, and Parquet writing (check+write less check). The persons' draw includes the
    hospital spells and A&E attendances, which are drawn before the persons are handed on."""
    seconds: dict[str, dict[str, float]] = {}
    for table, phase, value in phases:
        seconds.setdefault(table, {})[phase] = value
    print(f"  {'seconds per table':22s}" + "".join(f" {h:>10s}" for h in PHASES))
    for table, by in sorted(seconds.items(), key=lambda item: -sum(item[1].values())):
        write = by.get("check+write", 0.0) - by.get("check", 0.0)
        values = (by.get("draw", 0.0), by.get("sort+arrow", 0.0), by.get("check", 0.0), write)
        print(f"  {table:22s}" + "".join(f" {v:10.2f}" for v in values))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nwl-scale", type=float, default=1.0)
    parser.add_argument("--skip-nwl", action="store_true")
    parser.add_argument("--no-validate", action="store_true")
    parser.add_argument("--no-aggregation", action="store_true")
    args = parser.parse_args()
    report(
        "Harrow E09000015, scale 1.0",
        run_case("E09000015", 1.0, not args.no_validate, not args.no_aggregation),
    )
    if not args.skip_nwl:
        report(
            f"NW London, eight boroughs, scale {args.nwl_scale}",
            run_case("NWL", args.nwl_scale, not args.no_validate, not args.no_aggregation),
        )


if __name__ == "__main__":
    main()
