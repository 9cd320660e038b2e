"""Funnel-plot control limits and significance, as OHID Fingertips/PHEindicatormethods draw them.

Limits are at 95% (two-sided, "2s": p = 0.025 each tail) and 99.8% ("3s": p = 0.001 each tail)
around the overall average, evaluated at each area's own denominator:

* proportions: the Wilson interval solved for the observed proportion whose Wilson CI just
  touches the average (PHEindicatormethods ``sigma_adjustment``);
* ratios (denominator = expected count E) and rates: the Poisson counts O whose exact tail
  probability given the expected count equals p (the R package bisects for E given integer O;
  here O is solved, continuously, for the area's E; the two describe the same curve).

``funnel_limits_overdispersed`` gives Spiegelhalter's (2005) random-effects limits instead.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
from scipy import special

from bbp_analysis.stats._checks import (
    ArrayLike,
    Level,
    StatsInputError,
    as_float,
    broadcast,
    check_counts,
    counts_and_denominators,
    index_of,
    reject,
)
from bbp_analysis.stats.quantiles import normal_quantile
from bbp_analysis.stats.rates import poisson_count_bounds

Statistic = Literal["proportion", "ratio", "rate"]

LEVELS = (Level(0.95, "lower_95", "upper_95"), Level(0.998, "lower_99_8", "upper_99_8"))
DSR_MIN_EVENTS = 10
NOT_APPLICABLE = "Not applicable (DSR events < 10)"
_BISECTIONS = 60


def _tail(level: Level) -> float:
    return (1 - level.confidence) / 2


def _wilson_touching(average: float, n: np.ndarray, q: float) -> np.ndarray:
    """Observed proportion at denominator n whose Wilson limit equals ``average``.

    With q the normal quantile of the tail (negative for the lower limit), A = av(N/q² + 1),
    B = 1/q² + 1/N and D = sqrt(64av²(N/q²+1)² − 64B·av(N(av(N/q²+2) − 1) + q²(av − 1))), the
    limit is (A − D/8)/B/N below the average and (A + D/8)/B/N above it.
    """
    a = average * (n / q**2 + 1)
    b = 1 / q**2 + 1 / n
    d = np.sqrt(
        64 * average**2 * (n / q**2 + 1) ** 2
        - 64 * b * average * (n * (average * (n / q**2 + 2) - 1) + q**2 * (average - 1))
    )
    sign = -1.0 if q < 0 else 1.0
    return (a + sign * d / 8) / b / n


def _poisson_count_limit(
    expected: np.ndarray, p: float, side: Literal["low", "high"]
) -> np.ndarray:
    """Count O (continuous) at which a Poisson(E) tail probability equals ``p``.

    Low side: P(X <= O | E) = p, i.e. regularised gamma P(O + 1, E) = 1 − p (0 if E is too small
    for any O >= 0). High side: P(X >= O | E) = p, i.e. P(O, E) = p. Solved by bisection.
    """
    shift, target = (1.0, 1 - p) if side == "low" else (0.0, p)
    low = np.zeros_like(expected)
    high = expected + 20 * np.sqrt(expected) + 50
    for _ in range(_BISECTIONS):
        middle = (low + high) / 2
        above = special.gammainc(middle + shift, expected) > target
        low = np.where(above, middle, low)
        high = np.where(above, high, middle)
    result = (low + high) / 2
    if side == "low":
        result = np.where(special.gammainc(shift, expected) <= target, 0.0, result)
    return np.where(np.isnan(expected), np.nan, result)


def _prepare(
    numerator: ArrayLike,
    denominator: ArrayLike,
    statistic: Statistic,
    rate: ArrayLike | None,
    rate_type: str,
    multiplier: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Validated numerators and denominators (DSRs get a back-derived denominator)."""
    o = as_float(numerator, "numerator")
    if statistic == "rate" and rate_type == "dsr":
        if rate is None:
            raise StatsInputError(
                "give the DSRs as rate=", column="rate", rule="rate_type 'dsr' needs the rates"
            )
        o, r = broadcast(o, as_float(rate, "rate"), names=("numerator", "rate"))
        check_counts(o, "numerator")
        reject(r < 0, "rate", "must not be negative")
        with np.errstate(divide="ignore", invalid="ignore"):
            n = np.where(o > 0, o / r * multiplier, np.nan)
        return o, n
    if rate_type not in ("crude", "dsr"):
        raise StatsInputError(f"got {rate_type!r}", column="rate_type", rule="must be crude or dsr")
    o, n = counts_and_denominators(o, denominator, ("numerator", "denominator"))
    reject(np.isnan(o) | np.isnan(n), "numerator, denominator", "funnels need every value")
    if statistic == "proportion":
        reject(o > n, "numerator", "must not exceed the denominator")
    return o, n


def _average(o: np.ndarray, n: np.ndarray, statistic: Statistic) -> float:
    if statistic == "ratio":
        return 1.0
    used = ~np.isnan(n)
    return float(o[used].sum() / n[used].sum())


def _scale(statistic: Statistic, ratio_type: str, multiplier: float):
    """Map a ratio O/E (ratios) or O/n (others) onto the reporting scale."""
    if statistic != "ratio":
        return lambda x: x * multiplier
    if ratio_type == "count":
        return lambda x: x - 1
    if ratio_type == "isr":
        return lambda x: x * 100
    raise StatsInputError(f"got {ratio_type!r}", column="ratio_type", rule="must be count or isr")


def _default_multiplier(statistic: Statistic, multiplier: float | None) -> float:
    if statistic not in ("proportion", "ratio", "rate"):
        raise StatsInputError(
            f"got {statistic!r}", column="statistic", rule="must be proportion, ratio or rate"
        )
    if multiplier is not None:
        return multiplier
    return {"proportion": 100.0, "ratio": 1.0, "rate": 100_000.0}[statistic]


def _limits_at(
    statistic: Statistic, average: float, n: np.ndarray, scale, multiplier: float
) -> dict[str, np.ndarray]:
    """Both levels' limits at denominators ``n`` (expected counts for ratios)."""
    columns: dict[str, np.ndarray] = {}
    for level in LEVELS:
        p = _tail(level)
        if statistic == "proportion":
            q = float(normal_quantile(1 - p))
            with np.errstate(invalid="ignore", divide="ignore"):
                lower = _wilson_touching(average, n, -q) * multiplier
                upper = _wilson_touching(average, n, q) * multiplier
            columns[level.lower] = np.clip(lower, 0, multiplier)
            columns[level.upper] = np.clip(upper, 0, multiplier)
            continue
        expected = n * average if statistic == "rate" else n
        with np.errstate(invalid="ignore", divide="ignore"):
            low = _poisson_count_limit(expected, p, "low") / expected * average
            high = _poisson_count_limit(expected, p, "high") / expected * average
        columns[level.lower] = scale(low)
        columns[level.upper] = scale(high)
    return columns


def funnel_limits(
    numerator: ArrayLike,
    denominator: ArrayLike | None,
    statistic: Statistic,
    *,
    multiplier: float | None = None,
    ratio_type: Literal["count", "isr"] = "count",
    rate_type: Literal["crude", "dsr"] = "crude",
    rate: ArrayLike | None = None,
) -> pd.DataFrame:
    """Each area's value with the 95% and 99.8% funnel limits at its own denominator.

    * ``"proportion"``: numerator/denominator × multiplier (default 100); limits are clamped
      to [0, multiplier]; baseline = Σnumerator/Σdenominator.
    * ``"ratio"``: observed/expected; ``ratio_type="count"`` reports O/E − 1 (baseline 0),
      ``"isr"`` reports O/E × 100 (baseline 100).
    * ``"rate"``: events per denominator (person-years over the period) × multiplier (default
      100,000); ``rate_type="dsr"`` takes the DSRs as ``rate=`` and back-derives each area's
      denominator as events/rate × multiplier (areas with 0 events get missing limits).

    Returns ``value, baseline, lower_95, upper_95, lower_99_8, upper_99_8``.
    """
    multiplier = _default_multiplier(statistic, multiplier)
    scale = _scale(statistic, ratio_type, multiplier)
    o, n = _prepare(numerator, denominator, statistic, rate, rate_type, multiplier)
    average = _average(o, n, statistic)
    with np.errstate(invalid="ignore", divide="ignore"):
        value = scale(o / n) if statistic != "rate" or rate is None else as_float(rate, "rate")
    frame = pd.DataFrame(
        {"value": value, "baseline": scale(average)}, index=index_of(numerator, denominator)
    )
    for column, values in _limits_at(statistic, average, n, scale, multiplier).items():
        frame[column] = values
    return frame


def _classify(value: np.ndarray, limits: pd.DataFrame) -> np.ndarray:
    labels = np.full(value.shape, "Not significant", dtype=object)
    for level, name in ((LEVELS[1], "99.8%"), (LEVELS[0], "95%")):
        still = labels == "Not significant"
        labels[still & (value > limits[level.upper].to_numpy())] = f"High ({name})"
        labels[still & (value < limits[level.lower].to_numpy())] = f"Low ({name})"
    return labels


def funnel_significance(
    numerator: ArrayLike,
    denominator: ArrayLike | None,
    statistic: Statistic,
    *,
    multiplier: float | None = None,
    ratio_type: Literal["count", "isr"] = "count",
    rate_type: Literal["crude", "dsr"] = "crude",
    rate: ArrayLike | None = None,
    overdispersion: bool = False,
) -> pd.Series:
    """Each area's funnel classification, as Fingertips labels it.

    "High (99.8%)", "High (95%)", "Low (99.8%)", "Low (95%)" or "Not significant" (99.8%
    checked first); DSR areas with fewer than 10 events are "Not applicable (DSR events < 10)".
    Proportions compare the value with the funnel limits at the area's denominator. Ratios and
    rates test the area's own exact (< 10 events) or Byar (>= 10) Poisson interval for O/E
    against 1, with E = expected count (ratios) or average rate × denominator (rates), as the
    R package does. With ``overdispersion=True`` every statistic is compared with
    ``funnel_limits_overdispersed`` instead.
    """
    keywords = {"multiplier": multiplier, "ratio_type": ratio_type, "rate_type": rate_type}
    if overdispersion:
        limits = funnel_limits_overdispersed(
            numerator, denominator, statistic, rate=rate, **keywords
        )
        labels = _classify(limits["value"].to_numpy(), limits)
    elif statistic == "proportion":
        limits = funnel_limits(numerator, denominator, statistic, **keywords)
        labels = _classify(limits["value"].to_numpy(), limits)
    else:
        multiplier = _default_multiplier(statistic, multiplier)
        o, n = _prepare(numerator, denominator, statistic, rate, rate_type, multiplier)
        expected = n * _average(o, n, statistic)
        labels = np.full(o.shape, "Not significant", dtype=object)
        for level, name in ((LEVELS[1], "99.8%"), (LEVELS[0], "95%")):
            lower, upper = poisson_count_bounds(o, level)
            still = labels == "Not significant"
            with np.errstate(invalid="ignore", divide="ignore"):
                labels[still & (lower / expected > 1)] = f"High ({name})"
                labels[still & (upper / expected < 1)] = f"Low ({name})"
    if statistic == "rate" and rate_type == "dsr":
        labels[as_float(numerator, "numerator") < DSR_MIN_EVENTS] = NOT_APPLICABLE
    return pd.Series(labels, index=index_of(numerator, denominator), name="significance")


def funnel_limits_overdispersed(
    numerator: ArrayLike,
    denominator: ArrayLike | None,
    statistic: Statistic,
    *,
    multiplier: float | None = None,
    ratio_type: Literal["count", "isr"] = "count",
    rate_type: Literal["crude", "dsr"] = "crude",
    rate: ArrayLike | None = None,
    winsorise: float = 0.1,
) -> pd.DataFrame:
    """Funnel limits widened for over-dispersion by Spiegelhalter's (2005) random-effects method.

    On the O/n (or O/E) scale with target θ (the average; 1 for ratios) and within-area standard
    error s_i (sqrt(θ(1−θ)/n) for proportions, sqrt(1/E) for ratios, sqrt(θ/n) for rates):
    z_i = (y_i − θ)/s_i are Winsorised at the ``winsorise`` and 1 − ``winsorise`` quantiles;
    φ = mean(z²); with w_i = 1/s_i², τ² = max(0, (Iφ − (I − 1)) / (Σw − Σw²/Σw)); limits are
    θ ± z_α sqrt(s_i² + τ²), reported on the same scale as ``funnel_limits``. The frame's
    ``attrs`` hold ``phi`` and ``tau2``.
    """
    multiplier = _default_multiplier(statistic, multiplier)
    scale = _scale(statistic, ratio_type, multiplier)
    o, n = _prepare(numerator, denominator, statistic, rate, rate_type, multiplier)
    theta = _average(o, n, statistic)
    used = ~np.isnan(n)
    with np.errstate(invalid="ignore", divide="ignore"):
        y = o / n
        variance = {
            "proportion": theta * (1 - theta) / n,
            "ratio": 1 / n,
            "rate": theta / n,
        }[statistic]
    z = (y - theta) / np.sqrt(variance)
    low_cut, high_cut = np.quantile(z[used], [winsorise, 1 - winsorise])
    phi = float(np.mean(np.clip(z[used], low_cut, high_cut) ** 2))
    weights = 1 / variance[used]
    count = int(used.sum())
    tau2 = max(
        0.0, (count * phi - (count - 1)) / (weights.sum() - (weights**2).sum() / weights.sum())
    )
    frame = pd.DataFrame(
        {"value": scale(y) if rate is None else as_float(rate, "rate"), "baseline": scale(theta)},
        index=index_of(numerator, denominator),
    )
    for level in LEVELS:
        spread = level.z * np.sqrt(variance + tau2)
        frame[level.lower] = scale(theta - spread)
        frame[level.upper] = scale(theta + spread)
    frame.attrs.update({"phi": phi, "tau2": tau2})
    return frame


def _signif(x: float, digits: int, rounding) -> float:
    if x <= 0:
        return 0.0
    power = 10 ** (math.floor(math.log10(x)) - digits + 1)
    return rounding(x / power) * power


def funnel_plot_points(
    numerator: ArrayLike,
    denominator: ArrayLike | None,
    statistic: Statistic,
    *,
    multiplier: float | None = None,
    ratio_type: Literal["count", "isr"] = "count",
    rate_type: Literal["crude", "dsr"] = "crude",
    rate: ArrayLike | None = None,
    points: int = 100,
) -> pd.DataFrame:
    """A smooth series of funnel limits for plotting (like the R package's 100 points).

    The axis runs from 0 (drawn from 1) when the largest denominator is over twice the smallest,
    else from the smallest × 0.95 rounded down to 2 significant figures, up to the largest × 1.05
    rounded up to 2 significant figures, in ``points`` geometrically spaced whole numbers
    (duplicates dropped). Returns ``denominator, baseline, lower_95, upper_95, lower_99_8,
    upper_99_8``; denominators are expected counts for ratios and derived ones for DSRs.
    """
    multiplier = _default_multiplier(statistic, multiplier)
    scale = _scale(statistic, ratio_type, multiplier)
    o, n = _prepare(numerator, denominator, statistic, rate, rate_type, multiplier)
    average = _average(o, n, statistic)
    present = n[~np.isnan(n)]
    smallest, largest = float(present.min()), float(present.max())
    start = 1.0 if largest > 2 * smallest else max(_signif(smallest * 0.95, 2, math.floor), 1.0)
    end = _signif(largest * 1.05, 2, math.ceil)
    axis = np.unique(np.round(np.geomspace(start, end, points)))
    frame = pd.DataFrame({"denominator": axis, "baseline": scale(average)})
    for column, values in _limits_at(statistic, average, axis, scale, multiplier).items():
        frame[column] = values
    return frame


__all__: Sequence[str] = (
    "funnel_limits",
    "funnel_limits_overdispersed",
    "funnel_plot_points",
    "funnel_significance",
)
