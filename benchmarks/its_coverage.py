"""Coverage and bias of objective 3's estimators on perturbed simulated panels (a script).

Run: .venv/bin/python benchmarks/its_coverage.py [--seeds N] [--write]
Runs every estimator (:mod:`bbp_analysis.its_coverage`) on the aggregate simulator's panels,
calibrated on the default synthetic extract for 2025-26, for every outcome and scenario over
seeds 1..N (default 100), and prints per outcome, scenario and estimator the interval
coverage (% of 95% intervals holding the truth, with its Monte Carlo standard error) and the
bias (%, geometric mean of estimate / truth - 1). ``--write`` stores the per-seed results the
chapter reads (src/bbp_analysis/chapters/its_coverage.csv). Takes tens of minutes.
"""

from __future__ import annotations

import argparse
import time

from bbp_analysis import its_coverage
from bbp_analysis.params import load_parameters


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=its_coverage.SEEDS)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    params = load_parameters("2025-26")
    started = time.perf_counter()
    results = its_coverage.simulate_all(params, range(1, args.seeds + 1))
    elapsed = time.perf_counter() - started
    table = its_coverage.summary(results)
    print(f"{len(results)} fits over {args.seeds} seeds in {elapsed:.0f} s")
    print(
        table.to_string(
            index=False,
            formatters={
                "coverage": "{:.0f}".format,
                "coverage_se": "{:.1f}".format,
                "bias": "{:+.1f}".format,
                "bias_se": "{:.1f}".format,
            },
        )
    )
    if args.write:
        results.to_csv(its_coverage.RESULTS, index=False, float_format="%.10g")
        print(f"wrote {its_coverage.RESULTS}")


if __name__ == "__main__":
    main()
