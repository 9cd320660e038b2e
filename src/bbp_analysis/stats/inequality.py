"""Slope and relative index of inequality (PHEindicatormethods ``phe_sii`` method)."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
from scipy import special

from bbp_analysis.stats._checks import (
    StatsInputError,
    as_float,
    confidence_levels,
    group_keys,
    reject,
    require_columns,
)
from bbp_analysis.stats.quantiles import normal_quantile

ValueType = Literal["normal", "rate", "proportion"]
MIN_QUANTILES, MAX_QUANTILES = 5, 100
_Z95 = float(normal_quantile(0.975))


#: The scale each value type is fitted on (log for rates, logit for proportions) and back;
#: "normal" values are fitted as they are.
_LINKS = {"rate": (np.log, np.exp), "proportion": (special.logit, special.expit)}


def _forward(values: np.ndarray, value_type: ValueType) -> np.ndarray:
    return _LINKS[value_type][0](values) if value_type in _LINKS else values


def _backward(values: np.ndarray, value_type: ValueType) -> np.ndarray:
    return _LINKS[value_type][1](values) if value_type in _LINKS else values


def _midpoints(population: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Population shares a_i and the cumulative share at each quantile's midpoint b_i."""
    share = population / population.sum()
    return share, np.cumsum(share) - share / 2


def _fit(y: np.ndarray, share: np.ndarray, rank: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weighted least squares of y (rows: draws, columns: quantiles) on rank with weights share.

    Returns (intercept, slope) per row: the fitted values at x = 0 and the change from 0 to 1.
    """
    centre = share @ rank
    deviation = share * (rank - centre)
    slope = y @ deviation / (deviation @ (rank - centre))
    intercept = y @ share - slope * centre
    return intercept, slope


def _indices(
    intercept: np.ndarray,
    slope: np.ndarray,
    value_type: ValueType,
    transform: bool,
    multiplier: float,
) -> tuple[np.ndarray, np.ndarray]:
    """SII and RII from regression coefficients (back-transformed at x = 0 and 1 if asked)."""
    if transform:
        at_zero = _backward(intercept, value_type)
        at_one = _backward(intercept + slope, value_type)
    else:
        at_zero, at_one = intercept, intercept + slope
    sii = (at_one - at_zero) * multiplier
    rii = at_one / at_zero
    return sii, (1 / rii if multiplier < 0 else rii)


def sii(
    frame: pd.DataFrame,
    quantile: str,
    population: str,
    value: str,
    lower: str | None = None,
    upper: str | None = None,
    se: str | None = None,
    value_type: ValueType = "normal",
    by: str | Sequence[str] | None = None,
    multiplier: float = 1,
    confidence: float | Sequence[float] = 0.95,
    repetitions: int = 100_000,
    seed: int | None = None,
    transform: bool = False,
) -> pd.DataFrame:
    """Slope index of inequality (SII) and relative index (RII) with simulated CIs.

    Quantiles (5-100 distinct values over the whole frame) are ordered ascending; each sits at
    the midpoint of its cumulative population share, so quantile 1 is near x = 0. The SII is the
    slope of a population-weighted least-squares line of value on x, × ``multiplier``; the RII
    is the fitted value at x = 1 over that at x = 0 (inverted for a negative multiplier).
    Standard errors come from ``se`` or from 95% limits as (upper − lower)/(2 × 1.959964) on the
    log (rates) or logit (proportions, 0-1 scale) scale. CIs: ``repetitions`` normal draws per
    quantile (numpy Generator seeded with ``seed``), the same fit on each draw, and the order
    statistics at round(reps × (1−conf)/2) and round(reps × (1+conf)/2) (1-based). With
    ``transform=True`` (rates/proportions, limits given) the fit is on the log/logit scale and
    the SII is the back-transformed difference between x = 1 and x = 0.
    As PHEindicatormethods 2.1.0 ``phe_sii``, a population that is missing or <= 0, a missing or
    negative standard error, a missing confidence limit and a proportion (or its limits)
    outside 0-1 are errors, as are a missing value and a quantile given twice in a group;
    groups lacking any quantile are dropped with a warning. Returns one row per group:
    ``sii, sii_lower, sii_upper, rii, rii_lower, rii_upper`` (``_95``/``_99_8`` suffixes for
    the confidence pair).
    """
    keys = group_keys(by)
    levels = confidence_levels(confidence)
    _check_arguments(value_type, lower, upper, se, transform, repetitions)
    columns = [quantile, population, value, *(c for c in (lower, upper, se) if c), *keys]
    require_columns(frame, columns)
    data = frame[columns].copy()
    _check_values(data, quantile, population, value, lower, upper, se, value_type, keys)
    values = as_float(data[value], value)
    data["_se"] = _standard_errors(data, values, lower, upper, se, value_type, transform)
    reject(data["_se"].to_numpy() < 0, se or "lower, upper", "standard errors must not be negative")
    quantiles = np.sort(data[quantile].dropna().unique())
    if not MIN_QUANTILES <= quantiles.size <= MAX_QUANTILES:
        raise StatsInputError(
            f"found {quantiles.size} distinct values",
            column=quantile,
            rule=f"needs {MIN_QUANTILES}-{MAX_QUANTILES} quantiles",
        )
    generator = np.random.default_rng(seed)
    rows = []
    groups = data.groupby(keys, sort=True, dropna=False) if keys else [((), data)]
    for key, group in groups:
        group = group.sort_values(quantile)
        if group[quantile].tolist() != quantiles.tolist():
            warnings.warn(
                f"group {key} lacks some of the {quantiles.size} quantiles; it is left out",
                stacklevel=2,
            )
            continue
        row = dict(zip(keys, key if isinstance(key, tuple) else (key,), strict=True))
        row.update(
            _one_group(
                group,
                population,
                value,
                value_type,
                multiplier,
                levels,
                repetitions,
                transform,
                generator,
            )
        )
        rows.append(row)
    return pd.DataFrame(rows, columns=[*keys, *_output_columns(levels)])


def _output_columns(levels) -> list[str]:
    names = []
    for stat in ("sii", "rii"):
        names.append(stat)
        for level in levels:
            suffix = level.lower.removeprefix("lower")
            names += [f"{stat}_lower{suffix}", f"{stat}_upper{suffix}"]
    return names


def _check_arguments(value_type, lower, upper, se, transform, repetitions) -> None:
    if value_type not in ("normal", "rate", "proportion"):
        raise StatsInputError(
            f"got {value_type!r}", column="value_type", rule="must be normal, rate or proportion"
        )
    if se is None and (lower is None or upper is None):
        raise StatsInputError(
            "give se= or both lower= and upper=", column="se", rule="standard errors are needed"
        )
    if transform and (value_type == "normal" or se is not None):
        raise StatsInputError(
            "transform needs a rate or proportion and 95% limits, not se",
            column="transform",
            rule="transform applies to rates/proportions given with limits",
        )
    if repetitions < 1000:
        raise StatsInputError(f"got {repetitions}", column="repetitions", rule="must be >= 1000")


def _check_values(data, quantile, population, value, lower, upper, se, value_type, keys) -> None:
    """Refuse the inputs ``phe_sii`` (PHEindicatormethods 2.1.0) refuses, naming the column
    and the first 0-based positions; also a missing value and a repeated quantile."""
    pop = as_float(data[population], population)
    reject(np.isnan(pop) | (pop <= 0), population, "must be present and greater than zero")
    values = as_float(data[value], value)
    reject(np.isnan(values), value, "values must not be missing")
    if se is not None:
        errors = as_float(data[se], se)
        reject(np.isnan(errors) | (errors < 0), se, "standard errors must be present and >= 0")
    else:
        for name in (lower, upper):
            reject(np.isnan(as_float(data[name], name)), name, "confidence limits must be present")
    if value_type == "proportion":
        for name in (value, *(c for c in (lower, upper) if c and se is None)):
            numbers = as_float(data[name], name)
            reject((numbers < 0) | (numbers > 1), name, "proportions must be between 0 and 1")
    repeated = data.duplicated([*keys, quantile]).to_numpy()
    reject(repeated, quantile, "each quantile must appear once in each group")


def _standard_errors(data, values, lower, upper, se, value_type, transform) -> np.ndarray:
    if se is not None:
        return as_float(data[se], se)
    low = as_float(data[lower], lower)
    high = as_float(data[upper], upper)
    if value_type == "normal":
        return (high - low) / (2 * _Z95)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (_forward(high, value_type) - _forward(low, value_type)) / (2 * _Z95)


def _one_group(
    group, population, value, value_type, multiplier, levels, repetitions, transform, generator
) -> dict[str, float]:
    share, rank = _midpoints(group[population].to_numpy(dtype=float))
    y = group[value].to_numpy(dtype=float)
    se = group["_se"].to_numpy(dtype=float)
    observed = _forward(y, value_type) if transform else y
    intercept, slope = _fit(observed[None, :], share, rank)
    sii_value, rii_value = _indices(intercept, slope, value_type, transform, multiplier)
    centre = _forward(y, value_type) if value_type != "normal" else y
    draws = generator.normal(centre, se, size=(repetitions, y.size))
    if value_type != "normal" and not transform:
        draws = _backward(draws, value_type)
    sim_intercept, sim_slope = _fit(draws, share, rank)
    sim_sii, sim_rii = _indices(sim_intercept, sim_slope, value_type, transform, multiplier)
    sim_sii.sort()
    sim_rii.sort()
    result = {"sii": float(sii_value[0]), "rii": float(rii_value[0])}
    for level in levels:
        low = round(repetitions * (1 - level.confidence) / 2)
        high = round(repetitions * (level.confidence + (1 - level.confidence) / 2))
        suffix = level.lower.removeprefix("lower")
        for stat, simulated in (("sii", sim_sii), ("rii", sim_rii)):
            result[f"{stat}_lower{suffix}"] = float(simulated[max(low, 1) - 1])
            result[f"{stat}_upper{suffix}"] = float(simulated[high - 1])
    return result
