"""Fingertips comparisons: an area's interval against a benchmark, and the recent trend."""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from bbp_analysis.stats._checks import (
    ArrayLike,
    StatsInputError,
    as_float,
    broadcast,
    counts_and_denominators,
    index_of,
    reject,
)
from bbp_analysis.stats.quantiles import chi2_quantile

Polarity = Literal["high_is_good", "low_is_good", "no_judgement"] | None

TREND_POINTS = 5
TREND_CONFIDENCE = 0.998
TREND_MIN_COUNT = 10
_POLARITIES = ("high_is_good", "low_is_good", "no_judgement", None)


def _check_polarity(polarity: Polarity) -> None:
    if polarity not in _POLARITIES:
        raise StatsInputError(
            f"got {polarity!r}",
            column="polarity",
            rule="must be 'high_is_good', 'low_is_good', 'no_judgement' or None",
        )


def compare(
    lower: ArrayLike, upper: ArrayLike, benchmark: ArrayLike, polarity: Polarity
) -> pd.Series:
    """Compare each area's confidence interval with the benchmark's value (Fingertips method).

    The interval entirely above the benchmark value is "higher", entirely below "lower",
    otherwise "similar" (not CI overlap: the benchmark's own interval is not used). With
    polarity "high_is_good" higher/lower read "better"/"worse", with "low_is_good"
    "worse"/"better"; None or "no_judgement" keep higher/similar/lower. A missing limit or
    benchmark gives "not compared".
    """
    _check_polarity(polarity)
    low, high, mark = broadcast(
        as_float(lower, "lower"),
        as_float(upper, "upper"),
        as_float(benchmark, "benchmark"),
        names=("lower", "upper", "benchmark"),
    )
    reject(low > high, "lower", "must not exceed upper")
    words = {
        "high_is_good": ("better", "worse"),
        "low_is_good": ("worse", "better"),
    }.get(polarity, ("higher", "lower"))
    missing = np.isnan(low) | np.isnan(high) | np.isnan(mark)
    labels = np.select(
        [missing, low > mark, high < mark], ["not compared", words[0], words[1]], "similar"
    )
    return pd.Series(
        labels.astype(object), index=index_of(lower, upper, benchmark), name="comparison"
    )


def trend_chi_square(counts: np.ndarray, denominators: np.ndarray) -> tuple[float, float]:
    """Chi-square test for linear trend in proportions (Armitage), scores 1..k, 1 df.

    With r_i events of n_i, R = Σr, N = Σn, p = R/N and x̄ = Σ n_i x_i / N:
    T = Σ r_i x_i − R x̄, χ² = T² / (p(1 − p)(Σ n_i x_i² − N x̄²)). Returns (χ², T); the sign
    of T is the direction of the trend.
    """
    scores = np.arange(1, counts.size + 1, dtype=float)
    total_n = denominators.sum()
    total_r = counts.sum()
    p = total_r / total_n
    mean_score = (denominators * scores).sum() / total_n
    t = (counts * scores).sum() - total_r * mean_score
    variance = p * (1 - p) * ((denominators * scores**2).sum() - total_n * mean_score**2)
    return float(t**2 / variance), float(t)


def recent_trend(counts: ArrayLike, denominators: ArrayLike, polarity: Polarity = None) -> str:
    """Fingertips recent-trend label for the last five points of a series (oldest first).

    Test: chi-square test for linear trend in proportions (Armitage), scores 1-5, 1 df, on the
    counts and denominators of the five most recent points, significant at 99.8% (χ² > 9.549).
    A significant rise is "Increasing and getting better"/"... worse" for polarities
    "high_is_good"/"low_is_good" and "Increasing" otherwise (likewise for falls); otherwise
    "No significant change". "Cannot be calculated" when there are fewer than five points, any
    of the last five is missing, the five counts total fewer than 10, or every trial is an
    event (no variance).
    """
    _check_polarity(polarity)
    r, n = counts_and_denominators(counts, denominators, ("counts", "denominators"))
    r, n = r[-TREND_POINTS:], n[-TREND_POINTS:]
    if r.size < TREND_POINTS or np.isnan(r).any() or np.isnan(n).any():
        return "Cannot be calculated"
    if r.sum() < TREND_MIN_COUNT or r.sum() >= n.sum():
        return "Cannot be calculated"
    chi_square, direction = trend_chi_square(r, n)
    if chi_square <= chi2_quantile(TREND_CONFIDENCE, 1):
        return "No significant change"
    rising = direction > 0
    word = "Increasing" if rising else "Decreasing"
    if polarity in ("high_is_good", "low_is_good"):
        better = rising == (polarity == "high_is_good")
        return f"{word} and getting {'better' if better else 'worse'}"
    return word
