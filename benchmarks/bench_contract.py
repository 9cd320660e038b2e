"""Time of the extract-contract check on the default extract (a script, not a test).

Run: .venv/bin/python benchmarks/bench_contract.py [FOLDER]
Prints the wall-clock and CPU time of a full check (every rule on every table, in DuckDB),
and of the cached check the build repeats (the result looked up by the manifest's hash).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from bbp_analysis.contract import gate
from bbp_analysis.contract.conform import problems
from bbp_analysis.extract import read_manifest
from bbp_analysis.params import load_parameters
from bbp_analysis.paths import project_root


def _timed(label: str, call) -> object:
    wall, cpu = time.perf_counter(), time.process_time()
    result = call()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"{label:<44} {wall:7.2f} s wall {cpu:7.2f} s CPU")
    return result


def main() -> None:
    root = project_root()
    defaults = load_parameters(None, root)
    area = defaults["area_code"]
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else root / "data" / "synthetic" / area
    rows = sum(e["rows"] for e in read_manifest(folder)["tables"].values())
    print(f"extract {folder} ({rows:,} rows)")
    found, _ = _timed("full check (every rule, every table)", lambda: problems(folder))
    print(f"problems found: {len(found)}")
    with tempfile.TemporaryDirectory() as scratch:
        cache_root = Path(scratch)
        (cache_root / "data" / "synthetic").mkdir(parents=True)
        (cache_root / "data" / "synthetic" / area).symlink_to(folder.resolve())
        seed = defaults["synthetic_seed"]
        _timed(
            "gate, first run (checks, writes the cache)",
            lambda: gate.check_extract_contract(area, seed, cache_root),
        )
        gate._RESULTS.clear()
        _timed(
            "gate, next process (reads the cache)",
            lambda: gate.check_extract_contract(area, seed, cache_root),
        )


if __name__ == "__main__":
    main()
