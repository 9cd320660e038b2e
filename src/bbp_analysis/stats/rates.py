"""Crude rates with exact Poisson (< 10 events) or Byar's (>= 10 events) confidence intervals."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from bbp_analysis.stats._checks import (
    ArrayLike,
    Level,
    confidence_levels,
    counts_and_denominators,
    index_of,
    interval_frame,
)
from bbp_analysis.stats.quantiles import chi2_quantile

EXACT_BELOW = 10
"""Counts below this use the exact (chi-square) Poisson interval; from it, Byar's."""


def byar_lower(count: np.ndarray, z: float) -> np.ndarray:
    """Byar's lower limit for a Poisson count: O(1 − 1/(9O) − z/(3√O))³, NaN if negative."""
    with np.errstate(divide="ignore", invalid="ignore"):
        limit = count * (1 - 1 / (9 * count) - z / (3 * np.sqrt(count))) ** 3
    return np.where(limit < 0, np.nan, limit)


def byar_upper(count: np.ndarray, z: float) -> np.ndarray:
    """Byar's upper limit for a Poisson count: (O+1)(1 − 1/(9(O+1)) + z/(3√(O+1)))³."""
    shifted = count + 1
    return shifted * (1 - 1 / (9 * shifted) + z / (3 * np.sqrt(shifted))) ** 3


def exact_lower(count: np.ndarray, confidence: float) -> np.ndarray:
    """Exact Poisson lower limit: chi²((1−conf)/2; 2O)/2, which is 0 at O = 0."""
    with np.errstate(invalid="ignore"):
        limit = chi2_quantile((1 - confidence) / 2, 2 * count) / 2
    return np.where(count == 0, 0.0, limit)


def exact_upper(count: np.ndarray, confidence: float) -> np.ndarray:
    """Exact Poisson upper limit: chi²(conf + (1−conf)/2; 2O + 2)/2."""
    return chi2_quantile(confidence + (1 - confidence) / 2, 2 * count + 2) / 2


def poisson_count_bounds(count: np.ndarray, level: Level) -> tuple[np.ndarray, np.ndarray]:
    """Limits for a Poisson count: exact when O < 10, Byar's when O >= 10 (NaN stays NaN)."""
    exact = count < EXACT_BELOW
    lower = np.full(count.shape, np.nan)
    upper = np.full(count.shape, np.nan)
    if exact.any():
        lower[exact] = exact_lower(count[exact], level.confidence)
        upper[exact] = exact_upper(count[exact], level.confidence)
    byar = count >= EXACT_BELOW
    if byar.any():
        lower[byar] = byar_lower(count[byar], level.z)
        upper[byar] = byar_upper(count[byar], level.z)
    return lower, upper


def rate(
    count: ArrayLike,
    denominator: ArrayLike,
    confidence: float | Sequence[float] = 0.95,
    multiplier: float = 100_000,
) -> pd.DataFrame:
    """Crude rate O/n × ``multiplier`` (default per 100,000) with Poisson CIs.

    The interval is exact (chi-square) when O < 10 and Byar's approximation from O = 10, divided
    by n and scaled like the value. Returns ``value, lower, upper`` (or the 95% and 99.8%
    columns for ``confidence=(0.95, 0.998)``). Missing inputs give missing results. Raises
    ``ValueError`` for negative counts or denominators <= 0. Counts above the denominator are
    allowed (events can recur).
    """
    levels = confidence_levels(confidence)
    o, n = counts_and_denominators(count, denominator, ("count", "denominator"))
    bounds = {}
    for level in levels:
        lower, upper = poisson_count_bounds(o, level)
        bounds[level] = (lower / n * multiplier, upper / n * multiplier)
    return interval_frame(o / n * multiplier, bounds, index_of(count, denominator))
