"""Proportions with Wilson score confidence intervals (PHE method, no continuity correction)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from bbp_analysis.stats._checks import (
    ArrayLike,
    confidence_levels,
    counts_and_denominators,
    index_of,
    interval_frame,
    reject,
)


def wilson_bounds(
    numerator: np.ndarray, denominator: np.ndarray, z: float
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for O/n on the 0-1 scale.

    lower/upper = (2O + z² ∓ z·sqrt(z² + 4O(1 − O/n))) / (2(n + z²)). At O = 0 the lower bound is
    exactly 0 and at O = n the upper bound is exactly 1.
    """
    o, n = numerator, denominator
    with np.errstate(invalid="ignore", divide="ignore"):
        spread = z * np.sqrt(np.maximum(z**2 + 4 * o * (1 - o / n), 0.0))
        centre = 2 * o + z**2
        scale = 2 * (n + z**2)
        lower = np.where(o == 0, 0.0, (centre - spread) / scale)
        upper = np.where(o == n, 1.0, (centre + spread) / scale)
    missing = np.isnan(o) | np.isnan(n)
    return np.where(missing, np.nan, lower), np.where(missing, np.nan, upper)


def proportion(
    numerator: ArrayLike,
    denominator: ArrayLike,
    confidence: float | Sequence[float] = 0.95,
    multiplier: float = 100,
) -> pd.DataFrame:
    """Proportion O/n × ``multiplier`` (default 100: a percentage) with Wilson score CIs.

    Returns ``value, lower, upper`` (or the 95% and 99.8% columns when ``confidence`` is
    ``(0.95, 0.998)``), one row per element, keeping a pandas index if one was given.
    A confidence of 1 gives the interval (0, multiplier). Missing inputs give missing results.
    Raises ``ValueError`` for negative numerators, denominators <= 0 or numerator > denominator.
    """
    levels = confidence_levels(confidence)
    o, n = counts_and_denominators(numerator, denominator, ("numerator", "denominator"))
    reject(o > n, "numerator", "must not exceed the denominator")
    bounds = {}
    for level in levels:
        if level.confidence == 1:
            lower = np.where(np.isnan(o + n), np.nan, 0.0)
            upper = np.where(np.isnan(o + n), np.nan, 1.0)
        else:
            lower, upper = wilson_bounds(o, n, level.z)
        bounds[level] = (lower * multiplier, upper * multiplier)
    return interval_frame(o / n * multiplier, bounds, index_of(numerator, denominator))
