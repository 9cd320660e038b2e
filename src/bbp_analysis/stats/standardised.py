"""Directly standardised rates (Dobson), indirectly standardised ratios and the test of their
homogeneity across groups."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources

import numpy as np
import pandas as pd

from bbp_analysis.stats._checks import (
    ArrayLike,
    StatsInputError,
    as_float,
    check_counts,
    confidence_levels,
    group_keys,
    reject,
    require_columns,
)
from bbp_analysis.stats.quantiles import chi2_upper_tail
from bbp_analysis.stats.rates import byar_lower, byar_upper, poisson_count_bounds

DSR_MIN_COUNT = 10
"""A DSR and its interval are not published when the total count is below this."""


def esp2013() -> pd.DataFrame:
    """European Standard Population 2013, 19 bands: ``age_band`` ("0-4" ... "90+"), ``population``.

    Source: Eurostat (2013) KS-RA-13-028-EN, Annex F (see ESP2013-SOURCE.md); sums to 100,000.
    """
    with resources.files(__package__).joinpath("esp2013.csv").open("r", encoding="utf-8") as f:
        table = pd.read_csv(f, dtype={"age_band": str, "population": "int64"})
    return table


def _grouped(frame: pd.DataFrame, keys: list[str]) -> pd.core.groupby.DataFrameGroupBy:
    by = keys if keys else np.zeros(len(frame), dtype=int)
    return frame.groupby(by, sort=True, dropna=False)


def _standard_weights(
    frame: pd.DataFrame, standard: str, keys: list[str], age_band: str | None
) -> np.ndarray:
    """The standard population for each row: a column, or ESP 2013 by label or by position."""
    if standard != "esp2013":
        require_columns(frame, [standard])
        weights = as_float(frame[standard], standard)
        reject(np.isnan(weights), standard, "standard population must not be missing")
        reject(weights < 0, standard, "standard population must not be negative")
        return weights
    table = esp2013()
    if age_band is not None:
        require_columns(frame, [age_band])
        labels = frame[age_band].astype(str).to_numpy()
        lookup = dict(zip(table["age_band"], table["population"].astype(float), strict=True))
        unknown = ~np.isin(labels, list(lookup))
        reject(unknown, age_band, f"age band must be one of {list(lookup)}")
        return np.array([lookup[label] for label in labels], dtype=float)
    sizes = _grouped(frame, keys).size()
    wrong = sizes.to_numpy() != len(table)
    if wrong.any():
        raise StatsInputError(
            f"groups {list(sizes.index[wrong][:5])} have {list(sizes.to_numpy()[wrong][:5])} rows",
            column="standard",
            rule="'esp2013' joined by position needs exactly 19 age-band rows per group, "
            "in order 0-4 ... 90+ (or pass age_band=)",
        )
    position = _grouped(frame, keys).cumcount().to_numpy()
    return table["population"].to_numpy(dtype=float)[position]


def dsr(
    frame: pd.DataFrame,
    count: str,
    population: str,
    standard: str,
    by: str | Sequence[str] | None = None,
    confidence: float | Sequence[float] = 0.95,
    multiplier: float = 100_000,
    age_band: str | None = None,
) -> pd.DataFrame:
    """Directly standardised rate per ``multiplier`` with Dobson et al. (1991) confidence limits.

    ``standard`` is the column holding each age band's standard population, or ``"esp2013"``
    (European Standard Population 2013), joined on the ``age_band`` labels if given, else by
    position (19 rows per group, ordered 0-4 ... 90+). Per group:
    DSR = Σ(O_i w_i / n_i) / Σw_i × multiplier; var = Σ O_i (w_i/n_i)² / (Σw_i)²;
    limits = DSR + sqrt(var/O) (Byar(O) − O) × multiplier with O = ΣO_i. Missing counts count 0.
    Returns one row per group: ``total_count, total_population, value, lower, upper``; value and
    limits are missing when the total count is below 10.
    """
    keys = group_keys(by)
    require_columns(frame, [count, population, *keys])
    levels = confidence_levels(confidence)
    o = np.nan_to_num(as_float(frame[count], count), nan=0.0)
    n = as_float(frame[population], population)
    check_counts(o, count)
    reject(np.isnan(n) | (n <= 0), population, "must be present and greater than zero")
    w = _standard_weights(frame, standard, keys, age_band)
    parts = pd.DataFrame(
        {"o": o, "n": n, "w": w, "a": o * w / n, "v": o * (w / n) ** 2},
        index=frame.index,
    )
    if keys:
        parts[keys] = frame[keys]
    sums = _grouped(parts, keys)[["o", "n", "w", "a", "v"]].sum()
    total = sums["o"].to_numpy()
    publish = total >= DSR_MIN_COUNT
    with np.errstate(divide="ignore", invalid="ignore"):
        value = sums["a"].to_numpy() / sums["w"].to_numpy()
        spread = np.sqrt(sums["v"].to_numpy() / sums["w"].to_numpy() ** 2 / total)
    result = pd.DataFrame(
        {"total_count": total, "total_population": sums["n"].to_numpy()},
        index=sums.index,
    )
    result["value"] = np.where(publish, value * multiplier, np.nan)
    for level in levels:
        lower = value + spread * (byar_lower(total, level.z) - total)
        upper = value + spread * (byar_upper(total, level.z) - total)
        result[level.lower] = np.where(publish, lower * multiplier, np.nan)
        result[level.upper] = np.where(publish, upper * multiplier, np.nan)
    return _finish(result, keys)


def _finish(result: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    if keys:
        return result.reset_index(names=keys if len(keys) > 1 else keys[0])
    return result.reset_index(drop=True)


def _reference(
    frame: pd.DataFrame, reference: str | ArrayLike, name: str, keys: list[str]
) -> np.ndarray:
    """Reference counts or populations: a column, or a vector joined by position per group."""
    if isinstance(reference, str):
        require_columns(frame, [reference])
        return as_float(frame[reference], reference)
    vector = as_float(reference, name)
    sizes = _grouped(frame, keys).size().to_numpy()
    reject(sizes != vector.size, name, f"each group needs {vector.size} rows to join by position")
    return vector[_grouped(frame, keys).cumcount().to_numpy()]


def isr(
    frame: pd.DataFrame,
    count: str,
    population: str,
    ref_count: str | ArrayLike,
    ref_population: str | ArrayLike,
    by: str | Sequence[str] | None = None,
    confidence: float | Sequence[float] = 0.95,
    ref_value: float = 1,
) -> pd.DataFrame:
    """Indirectly standardised ratio O/E × ``ref_value`` (100 gives an SMR-style scale).

    E = Σ (ref_count_i / ref_population_i) × population_i over the age bands of each group,
    a missing ref_count or population counting 0; O = Σ count_i (missing skipped). The limits
    are exact Poisson when O < 10 and Byar's from 10, divided by E. ``ref_count`` and
    ``ref_population`` are columns or vectors joined by position within each group. Returns
    one row per group: ``observed, expected, value, lower, upper``.

    As PHEindicatormethods 2.1.0 ``calculate_ISRatio`` (``na.zero(x_ref) / n_ref * na.zero(n)``,
    summed without dropping missing terms), a band whose reference population is 0 or missing
    is not an error: with a reference count above 0 and a local population above 0 its
    expected count is infinite, so E is infinite and the ratio and both limits are 0; with a
    reference count of 0 (0/0) or a local population of 0 (∞ × 0) it is undefined, so E, the
    ratio and the limits are missing (NaN). A negative reference population is an error.
    """
    keys = group_keys(by)
    require_columns(frame, [count, population, *keys])
    levels = confidence_levels(confidence)
    o = as_float(frame[count], count)
    n = as_float(frame[population], population)
    ref_o = _reference(frame, ref_count, "ref_count", keys)
    ref_n = _reference(frame, ref_population, "ref_population", keys)
    check_counts(o, count)
    reject(n < 0, population, "must not be negative")
    check_counts(ref_o, "ref_count")
    reject(ref_n < 0, "ref_population", "must not be negative")
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = np.nan_to_num(ref_o, nan=0.0) / ref_n * np.nan_to_num(n, nan=0.0)
    parts = pd.DataFrame({"o": np.nan_to_num(o, nan=0.0), "e": expected}, index=frame.index)
    if keys:
        parts[keys] = frame[keys]
    sums = _grouped(parts, keys)[["o", "e"]].sum(min_count=0, skipna=False)
    observed = sums["o"].to_numpy()
    expected_total = sums["e"].to_numpy()
    result = pd.DataFrame({"observed": observed, "expected": expected_total}, index=sums.index)
    with np.errstate(divide="ignore", invalid="ignore"):
        result["value"] = observed / expected_total * ref_value
        for level in levels:
            lower, upper = poisson_count_bounds(observed, level)
            result[level.lower] = lower / expected_total * ref_value
            result[level.upper] = upper / expected_total * ref_value
    return _finish(result, keys)


@dataclass(frozen=True)
class Heterogeneity:
    """A chi-square test that several standardised ratios are equal: the ``statistic``, its
    degrees of freedom ``df``, the ``p_value`` and the pooled ratio ``pooled`` (ΣO/ΣE)."""

    statistic: float
    df: int
    p_value: float
    pooled: float


def ratio_heterogeneity(observed: ArrayLike, expected: ArrayLike) -> Heterogeneity:
    """Test of homogeneity of indirectly standardised ratios O_i/E_i across k groups
    (Breslow and Day 1987, Statistical Methods in Cancer Research II, chapter 3): under the
    null hypothesis every group's ratio equals the pooled ratio R = ΣO/ΣE, and
    X² = Σ (O_i − R·E_i)² / (R·E_i) follows a chi-square distribution on k − 1 degrees of
    freedom. It is Pearson's goodness-of-fit statistic of the counts O_i against the shares
    E_i/ΣE (R's ``chisq.test(O, p = E / sum(E))``). Needs at least two groups, counts >= 0,
    expected counts > 0 and ΣO > 0.
    """
    o = as_float(observed, "observed")
    e = as_float(expected, "expected")
    reject(np.isnan(o), "observed", "must not be missing")
    check_counts(o, "observed")
    reject(np.isnan(e) | (e <= 0), "expected", "must be present and greater than zero")
    if o.size != e.size or o.size < 2:
        raise StatsInputError(
            f"got {o.size} observed and {e.size} expected counts",
            column="observed",
            rule="needs one expected count per observed count, for at least two groups",
        )
    if o.sum() <= 0:
        raise StatsInputError("all counts are zero", column="observed", rule="needs an event")
    pooled = o.sum() / e.sum()
    fitted = pooled * e
    statistic = float(((o - fitted) ** 2 / fitted).sum())
    df = int(o.size - 1)
    return Heterogeneity(statistic, df, float(chi2_upper_tail(statistic, df)), float(pooled))
