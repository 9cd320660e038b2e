"""Benchmark the synthetic extract generator and the full measure set.

Prints, for Harrow (scale 1.0) and for the eight NW London boroughs ("NWL", scale set by
``--nwl-scale``), the generation time (with schema validation timed separately), the peak
resident memory of the generating process, the rows written, and the time to aggregate every
measure with DuckDB. Each case runs in its own subprocess so peaks do not mix.

    .venv/bin/python benchmarks/bench_synth.py [--nwl-scale 0.25] [--skip-nwl] [--no-validate]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time

CHILD = """
import json, resource, sys, time
from pathlib import Path
from bbp_analysis.synth.generate import generate, validate_tables
from bbp_analysis.measures import run_all
area, scale, out, validate = sys.argv[1], float(sys.argv[2]), Path(sys.argv[3]), sys.argv[4]
t0 = time.perf_counter()
paths = generate(area=area, scale=scale, out_dir=out, validate=False)
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
results = run_all(out)
aggregation = time.perf_counter() - t0
manifest = json.loads(paths["manifest"].read_text())
print(json.dumps({
    "generation_s": generation, "validation_s": validation, "aggregation_s": aggregation,
    "peak_rss_generation_mb": peak_generation,
    "peak_rss_total_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "rows": {k: v["rows"] for k, v in manifest["tables"].items()},
    "aggregate_rows": sum(len(f) for f in results.values()),
    "bytes": sum(p.stat().st_size for p in paths.values()),
}))
"""


def run_case(area: str, scale: float, validate: bool) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", CHILD, area, str(scale), folder, "yes" if validate else "no"],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode:
            raise SystemExit(f"{area} x {scale} failed:\n{done.stderr}")
        result = json.loads(done.stdout.strip().splitlines()[-1])
        result["wall_s"] = time.perf_counter() - started
        return result


def report(label: str, result: dict) -> None:
    print(f"\n== {label}")
    print(f"generation        {result['generation_s']:8.1f} s")
    if result["validation_s"] is not None:
        print(f"schema validation {result['validation_s']:8.1f} s")
    print(
        f"measure set       {result['aggregation_s']:8.1f} s  "
        f"({result['aggregate_rows']:,} aggregate rows)"
    )
    print(
        f"peak RSS          {result['peak_rss_generation_mb']:8.0f} MB generation, "
        f"{result['peak_rss_total_mb']:.0f} MB with aggregation"
    )
    print(f"parquet written   {result['bytes'] / 1e6:8.1f} MB")
    for name, rows in result["rows"].items():
        print(f"  {name:22s} {rows:>12,}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nwl-scale", type=float, default=1.0)
    parser.add_argument("--skip-nwl", action="store_true")
    parser.add_argument("--no-validate", action="store_true")
    args = parser.parse_args()
    report("Harrow E09000015, scale 1.0", run_case("E09000015", 1.0, not args.no_validate))
    if not args.skip_nwl:
        report(
            f"NW London, eight boroughs, scale {args.nwl_scale}",
            run_case("NWL", args.nwl_scale, not args.no_validate),
        )


if __name__ == "__main__":
    main()
