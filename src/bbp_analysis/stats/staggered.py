"""Staggered adoption with few units: a Poisson imputation estimator that compares each unit
only with units not yet started, event-study leads, wild cluster bootstrap (Webb weights)
intervals and randomisation inference.

Model (Borusyak, Jaravel and Spiess 2024; Wooldridge 2023 for the Poisson form): in cells not
yet exposed, E[count] = exposure x a_unit x l_period (unit and calendar-period fixed effects),
fitted by Poisson maximum likelihood on those cells only (iterative proportional fitting, which
solves the Poisson score equations of a two-way model). The model predicts the count each
exposed cell would have had without the programme; the effect is the rate ratio
sum(observed) / sum(predicted) over the exposed cells that can be predicted (a period with no
unexposed unit left has no comparison and drops out). A unit therefore never serves as a
comparison once it has started.

With five units the usual sandwich standard errors are badly biased. Intervals come from a
wild cluster bootstrap-t (Webb's six-point weights, one weight per unit, each draw studentised
by its leave-one-unit-out jackknife standard error); p-values against no change from the same
bootstrap and from randomisation inference (every distinct reassignment of the observed start
dates to units). What few units
allow: five units give 6^5 = 7,776 distinct Webb draws, but only as many reassignments as
there are distinct orderings of the start dates (120 for five different dates, 10 for two
waves of three and two), so randomisation inference cannot give p < 0.05 with two waves.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from bbp_analysis.stats._checks import StatsInputError, confidence_levels, require_columns

WEBB = np.array([-math.sqrt(1.5), -1.0, -math.sqrt(0.5), math.sqrt(0.5), 1.0, math.sqrt(1.5)])
"""Webb's (2014) six-point weights, each with probability 1/6: mean 0, variance 1, third
moment 0, fourth moment 7/6."""
LEADS = ((1, 3), (4, 6))
"""Lead windows (months before the start, inclusive) tested for anticipation."""
DRAWS = 999
"""Bootstrap draws when 6^units is larger (otherwise every draw is enumerated)."""
_ITERATIONS = 2000
_TOLERANCE = 1e-10


@dataclass(frozen=True)
class Panel:
    """Counts and exposures as unit x period arrays, with each unit's first exposed period."""

    units: list
    periods: pd.DatetimeIndex
    count: np.ndarray
    exposure: np.ndarray
    first: np.ndarray  # index of the start period; len(periods) when never (or not yet) started

    def exposed(self) -> np.ndarray:
        """True in cells on or after the unit's start."""
        return np.arange(len(self.periods))[None, :] >= self.first[:, None]

    def lead(self, months: tuple[int, int]) -> np.ndarray:
        """True in the cells ``months[0]``..``months[1]`` periods before each unit's start."""
        before = self.first[:, None] - np.arange(len(self.periods))[None, :]
        return (before >= months[0]) & (before <= months[1])


@dataclass(frozen=True)
class Estimate:
    """A rate ratio with its bootstrap interval, bootstrap and randomisation p-values (against
    a ratio of 1), and the cells behind it."""

    ratio: float
    lower: float
    upper: float
    p_value: float
    cells: int
    periods: int


@dataclass(frozen=True)
class StaggeredResult:
    """:func:`staggered` output: the ``effect``, one ``leads`` row per window (``window,
    ratio, lower, upper, p_value, cells``), the randomisation p-value, the number of distinct
    start-date assignments behind it, the number of units (clusters) and bootstrap draws."""

    effect: Estimate
    leads: pd.DataFrame
    permutation_p: float
    assignments: int
    clusters: int
    draws: int


def panel(
    frame: pd.DataFrame,
    unit: str,
    period: str,
    count: str,
    exposure: str,
    starts: Mapping[object, pd.Timestamp | None],
) -> Panel:
    """A complete unit x period :class:`Panel` from long rows (one per unit and period);
    ``starts`` maps each unit to its first exposed period (None or absent: not started)."""
    require_columns(frame, [unit, period, count, exposure])
    dates = pd.to_datetime(frame[period])
    wide = frame.assign(**{period: dates}).pivot_table(
        index=unit, columns=period, values=[count, exposure], aggfunc="sum"
    )
    counts, exposures = wide[count].to_numpy(float), wide[exposure].to_numpy(float)
    if np.isnan(counts).any() or np.isnan(exposures).any() or (exposures <= 0).any():
        raise StatsInputError(
            "missing unit-period cells or exposure <= 0",
            column=exposure,
            rule="needs every unit in every period with a positive exposure",
        )
    periods = pd.DatetimeIndex(wide[count].columns)
    first = np.array(
        [
            len(periods)
            if starts.get(u) is None or pd.isna(starts.get(u))
            else int(np.searchsorted(periods, pd.Timestamp(starts[u])))
            for u in wide.index
        ]
    )
    return Panel(list(wide.index), periods, counts, exposures, first)


def webb_weights(clusters: int, draws: int = DRAWS, seed: int = 20220401) -> np.ndarray:
    """Bootstrap weights, one row per draw and one column per cluster: every one of the
    6^clusters combinations when that is at most ``draws``, else ``draws`` seeded draws."""
    if 6**clusters <= draws:
        return np.array(list(itertools.product(WEBB, repeat=clusters)))
    return np.random.default_rng(seed).choice(WEBB, size=(draws, clusters))


def _finite(values: np.ndarray) -> np.ndarray:
    """``values`` with NaN and infinities (a unit or period with nothing to fit) set to 0."""
    values[~np.isfinite(values)] = 0.0
    return values


def fit_means(count: np.ndarray, exposure: np.ndarray, fit: np.ndarray) -> np.ndarray:
    """Poisson two-way (unit, period) fixed-effects means fitted on the ``fit`` cells only, for
    every cell: exposure x a_unit x l_period, by iterative proportional fitting to a relative
    change below 1e-10. ``count`` may carry leading axes (bootstrap draws); a unit or period
    whose fitted total is not positive gives NaN means."""
    y = np.where(fit, count, 0.0)
    unit_total, period_total = y.sum(axis=-1), y.sum(axis=-2)
    weight = np.where(fit, exposure, 0.0)
    shape = count.shape[:-2]
    a = np.ones((*shape, count.shape[-2]))
    level = np.ones((*shape, count.shape[-1]))
    with np.errstate(divide="ignore", invalid="ignore"):
        for step in range(_ITERATIONS):
            a_new = _finite(unit_total / (weight @ level[..., :, None])[..., 0])
            level_new = _finite(period_total / (a_new[..., None, :] @ weight)[..., 0, :])
            if step % 5 == 4:
                change = max(
                    np.abs(a_new - a).max(initial=0) / max(np.abs(a_new).max(initial=0), 1e-300),
                    np.abs(level_new - level).max(initial=0)
                    / max(np.abs(level_new).max(initial=0), 1e-300),
                )
                if change < _TOLERANCE:
                    a, level = a_new, level_new
                    break
            a, level = a_new, level_new
    bad = (unit_total <= 0)[..., :, None] | (period_total <= 0)[..., None, :]
    means = exposure * a[..., :, None] * level[..., None, :]
    return np.where(bad, np.nan, means)


def imputed_ratio(count: np.ndarray, exposure: np.ndarray, fit: np.ndarray, target: np.ndarray):
    """sum(count) / sum(predicted) over the ``target`` cells, the prediction fitted on the
    ``fit`` cells (:func:`fit_means`); over leading axes too."""
    means = fit_means(count, exposure, fit)
    observed = np.where(target, count, 0.0).sum(axis=(-2, -1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return observed / np.where(target, means, 0.0).sum(axis=(-2, -1))


def predictable(fit: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Target cells in a unit and a period that each have fitted cells."""
    return target & fit.any(axis=1)[:, None] & fit.any(axis=0)[None, :]


def _log_ratio_and_se(count: np.ndarray, data: Panel, fit: np.ndarray, target: np.ndarray):
    """log imputed ratio and its leave-one-unit-out jackknife standard error
    sqrt((G - 1) / G x sum (estimate without unit g - their mean)^2), over leading axes."""
    log_ratio = np.log(imputed_ratio(count, data.exposure, fit, target))
    others = []
    for unit in range(len(data.units)):
        keep = np.arange(len(data.units))[:, None] != unit
        left = predictable(fit & keep, target & keep)
        if left.any():
            others.append(np.log(imputed_ratio(count, data.exposure, fit & keep, left)))
    others = np.array(others)
    groups = len(others)
    spread = ((others - others.mean(axis=0)) ** 2).sum(axis=0)
    return log_ratio, np.sqrt((groups - 1) / groups * spread)


def estimate(data: Panel, fit: np.ndarray, target: np.ndarray, weights, confidence: float):
    """:class:`Estimate` of the imputed rate ratio over ``target`` cells fitted on ``fit``,
    with a wild cluster bootstrap-t interval: the model with the estimated ratio on the target
    cells gives means and residuals; each draw multiplies every unit's residuals by its Webb
    weight, re-estimates, and studentises by its own jackknife standard error; the interval
    is log ratio - t* quantiles x standard error, and p is the share of draws with
    |t*| >= |observed t| against a ratio of 1. A draw with no valid estimate counts as
    extreme (t* = +infinity; quantiles without interpolation)."""
    target = predictable(fit, target)
    periods = int((target.any(axis=0) & fit.any(axis=0)).sum())
    if not target.any():
        return Estimate(np.nan, np.nan, np.nan, np.nan, 0, 0)
    log_ratio, se = _log_ratio_and_se(data.count, data, fit, target)
    cells = fit | target
    offset = np.where(target, np.exp(log_ratio), 1.0)
    means = fit_means(data.count, data.exposure * offset, cells)
    residual = np.where(cells, data.count - means, 0.0)
    drawn = means + weights[:, :, None] * residual[None, :, :]
    stars, star_se = _log_ratio_and_se(drawn, data, fit, target)
    with np.errstate(invalid="ignore", divide="ignore"):
        t_stars = (stars - log_ratio) / star_se
    t_stars = np.where(np.isfinite(t_stars), t_stars, np.inf)
    alpha = 1 - confidence
    spread = np.abs(t_stars)
    low, high = np.quantile(t_stars, [alpha / 2, 1 - alpha / 2], method="inverted_cdf")
    return Estimate(
        ratio=float(np.exp(log_ratio)),
        lower=float(np.exp(log_ratio - high * se)),
        upper=float(np.exp(log_ratio - low * se)),
        p_value=float(np.mean(spread >= abs(log_ratio / se) - 1e-12)) if se > 0 else np.nan,
        cells=int(target.sum()),
        periods=periods,
    )


def assignments(first: np.ndarray) -> list[np.ndarray]:
    """Every distinct reassignment of the units' start periods to the units."""
    return [np.array(order) for order in sorted(set(itertools.permutations(first.tolist())))]


def permutation_p(data: Panel) -> tuple[float, int]:
    """Randomisation p-value of no effect: the share of distinct start-date reassignments
    (:func:`assignments`) whose estimate is at least as far from a ratio of 1 (log scale) as
    the observed one; with the number of reassignments (1 / that is the smallest p)."""
    orders = assignments(data.first)
    steps = np.arange(len(data.periods))
    exposed = np.array([steps[None, :] >= order[:, None] for order in orders])
    fit = ~exposed
    target = exposed & fit.any(axis=2)[:, :, None] & fit.any(axis=1)[:, None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        distance = np.abs(np.log(imputed_ratio(data.count, data.exposure, fit, target)))
    distance = np.where(np.isfinite(distance), distance, np.inf)
    observed = distance[[tuple(o) for o in orders].index(tuple(data.first))]
    return float(np.mean(distance >= observed - 1e-12)), len(orders)


def staggered(
    data: Panel,
    *,
    leads: tuple[tuple[int, int], ...] = LEADS,
    confidence: float = 0.95,
    draws: int = DRAWS,
    seed: int = 20220401,
) -> StaggeredResult:
    """The programme's rate ratio by Poisson imputation from not-yet-started units, with
    restricted wild cluster bootstrap intervals (Webb weights by unit, ``draws`` seeded draws
    or full enumeration) and the randomisation p-value; each lead window's ratio (its cells
    predicted from cells before the window and left out of the fit: about 1 when there is no
    anticipation) with its own interval."""
    confidence = confidence_levels(confidence)[0].confidence
    if len(data.units) < 2 or (data.first >= len(data.periods)).all():
        raise StatsInputError(
            f"{len(data.units)} units", column="starts", rule="needs two units, one started"
        )
    weights = webb_weights(len(data.units), draws, seed)
    exposed = data.exposed()
    effect = estimate(data, ~exposed, exposed, weights, confidence)
    rows = []
    for window in leads:
        lead = data.lead(window)
        result = estimate(data, ~exposed & ~lead, lead, weights, confidence)
        rows.append(
            {
                "window": f"{window[0]}-{window[1]} months before",
                "ratio": result.ratio,
                "lower": result.lower,
                "upper": result.upper,
                "p_value": result.p_value,
                "cells": result.cells,
            }
        )
    p_value, count = permutation_p(data)
    return StaggeredResult(
        effect=effect,
        leads=pd.DataFrame(rows),
        permutation_p=p_value,
        assignments=count,
        clusters=len(data.units),
        draws=len(weights),
    )
