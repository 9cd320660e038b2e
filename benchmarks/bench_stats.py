"""Time and peak memory of the indicator methods at scale (a script, not a test).

Run: .venv/bin/python benchmarks/bench_stats.py
Each function runs once for time (best of ``REPEATS``) and once under tracemalloc for the
peak memory Python and numpy allocate during the call.
"""

from __future__ import annotations

import time
import tracemalloc
import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd

from bbp_analysis.stats import dsr, esp2013, isr, proportion, rate, spc

AREAS = 100_000
BANDS = 19
REPEATS = 3
SPC_POINTS = 100_000
SPC_SERIES = 1_000


def _inputs() -> dict[str, object]:
    rng = np.random.default_rng(2024)
    denominators = rng.integers(1_000, 50_000, AREAS)
    numerators = rng.binomial(denominators, 0.2)
    areas = np.repeat(np.arange(AREAS), BANDS)
    populations = rng.integers(100, 5_000, AREAS * BANDS)
    deaths = rng.poisson(populations * 0.01)
    banded = pd.DataFrame(
        {
            "area": areas,
            "band": np.tile(esp2013()["age_band"].to_numpy(), AREAS),
            "deaths": deaths,
            "pop": populations,
            "ref_deaths": np.tile(np.linspace(10, 5000, BANDS), AREAS),
            "ref_pop": 1_000_000.0,
        }
    )
    return {
        "events": rng.poisson(denominators * 2e-4),  # mean 5: both the exact and Byar branches
        "numerators": numerators,
        "denominators": denominators,
        "banded": banded,
        "series": rng.normal(100, 10, SPC_POINTS),
        "short_series": rng.normal(100, 10, (SPC_SERIES, 60)),
    }


def _cases(data: dict[str, object]) -> dict[str, Callable[[], object]]:
    banded = data["banded"]
    return {
        f"proportion ({AREAS:,} areas, 95% + 99.8%)": lambda: proportion(
            data["numerators"], data["denominators"], confidence=(0.95, 0.998)
        ),
        f"rate ({AREAS:,} areas, 95% + 99.8%)": lambda: rate(
            data["events"], data["denominators"], confidence=(0.95, 0.998)
        ),
        f"dsr ({AREAS:,} areas x {BANDS} bands, ESP 2013)": lambda: dsr(
            banded, "deaths", "pop", "esp2013", by="area"
        ),
        f"isr ({AREAS:,} areas x {BANDS} bands)": lambda: isr(
            banded, "deaths", "pop", "ref_deaths", "ref_pop", by="area"
        ),
        f"spc (one series of {SPC_POINTS:,} points)": lambda: spc(data["series"]),
        f"spc ({SPC_SERIES:,} series of 60 points, looped)": lambda: [
            spc(row) for row in data["short_series"]
        ],
    }


def _measure(function: Callable[[], object]) -> tuple[float, float]:
    best = float("inf")
    for _ in range(REPEATS):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    tracemalloc.start()
    function()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return best, peak / 2**20


def main() -> None:
    warnings.simplefilter("ignore")
    data = _inputs()
    print(f"{'function':<52} {'seconds':>8} {'peak MiB':>9}")
    for name, function in _cases(data).items():
        seconds, peak = _measure(function)
        print(f"{name:<52} {seconds:>8.3f} {peak:>9.1f}")


if __name__ == "__main__":
    main()
