"""Regression helpers: interrupted time series (segmented regression) and rate ratios."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from bbp_analysis.stats._checks import (
    StatsInputError,
    as_float,
    check_counts,
    check_denominators,
    confidence_levels,
    group_keys,
    reject,
    require_columns,
)

Family = Literal["gaussian", "poisson", "negative_binomial"]
Seasonality = Literal["fourier", "month"] | None


@dataclass(frozen=True)
class ITSResult:
    """Interrupted time series fit.

    ``estimates``: one row per term (``pre_slope``, ``level_change``, ``slope_change``, plus
    seasonal terms and ``intercept``) with ``estimate, lower, upper, p_value``; count models
    add ``ratio, ratio_lower, ratio_upper`` (exp of the log-scale values: the level change is a
    rate ratio). ``series``: ``date, observed, fitted, counterfactual`` (the pre-intervention
    trend and seasonality carried on, without the level and slope changes). ``model`` is the
    statsmodels results object.
    """

    estimates: pd.DataFrame
    series: pd.DataFrame
    model: object


def newey_west_lags(n: int) -> int:
    """Newey-West (1994) automatic lag choice floor(4 (n/100)^(2/9)), at least 1."""
    return max(1, math.floor(4 * (n / 100) ** (2 / 9)))


def _seasonal_terms(dates: pd.Series, seasonality: Seasonality, harmonics: int) -> pd.DataFrame:
    month = dates.dt.month.to_numpy()
    if seasonality is None:
        return pd.DataFrame(index=dates.index)
    if seasonality == "fourier":
        terms = {}
        for k in range(1, harmonics + 1):
            terms[f"sin_{k}"] = np.sin(2 * np.pi * k * month / 12)
            terms[f"cos_{k}"] = np.cos(2 * np.pi * k * month / 12)
        return pd.DataFrame(terms, index=dates.index)
    if seasonality == "month":
        dummies = {f"month_{m}": (month == m).astype(float) for m in range(2, 13)}
        return pd.DataFrame(dummies, index=dates.index)
    raise StatsInputError(
        f"got {seasonality!r}", column="seasonality", rule="must be 'fourier', 'month' or None"
    )


def _fit(y: np.ndarray, design: pd.DataFrame, family: Family, offset: np.ndarray | None, lags: int):
    from . import models as sm  # statsmodels, imported on first use

    covariance = {"cov_type": "HAC", "cov_kwds": {"maxlags": lags, "use_correction": True}}
    if family == "gaussian":
        return sm.OLS(y, design).fit(use_t=True, **covariance)
    if family == "poisson":
        return sm.GLM(y, design, family=sm.families.Poisson(), offset=offset).fit(**covariance)
    if family == "negative_binomial":
        return _negative_binomial(y, design, offset, covariance)
    raise StatsInputError(
        f"got {family!r}", column="family", rule="must be gaussian, poisson or negative_binomial"
    )


def _negative_binomial(y: np.ndarray, design: pd.DataFrame, offset: np.ndarray | None, covariance):
    """NB2 fit started from the Poisson estimates (dispersion 0.1), by BFGS."""
    from . import models as sm  # statsmodels, imported on first use

    poisson = sm.GLM(y, design, family=sm.families.Poisson(), offset=offset).fit()
    start = np.append(np.asarray(poisson.params), 0.1)
    model = sm.NegativeBinomial(y, design, offset=offset)
    return model.fit(start_params=start, method="bfgs", maxiter=1000, disp=False, **covariance)


def _table(result, terms: Sequence[str], confidence: float, counts: bool) -> pd.DataFrame:
    names = result.model.exog_names
    params = pd.Series(np.asarray(result.params), index=names)
    pvalues = pd.Series(np.asarray(result.pvalues), index=names)
    bounds = pd.DataFrame(np.asarray(result.conf_int(alpha=1 - confidence))[: len(names)],
                          index=names)  # fmt: skip
    table = pd.DataFrame({"term": list(terms)})
    table["estimate"] = params[terms].to_numpy()
    table["lower"] = bounds.loc[terms, 0].to_numpy()
    table["upper"] = bounds.loc[terms, 1].to_numpy()
    table["p_value"] = pvalues[terms].to_numpy()
    if counts:
        for column in ("estimate", "lower", "upper"):
            name = "ratio" if column == "estimate" else f"ratio_{column}"
            table[name] = np.exp(table[column])
    return table


def its(
    frame: pd.DataFrame,
    date: str,
    outcome: str,
    intervention: str | pd.Timestamp,
    *,
    denominator: str | None = None,
    family: Family = "gaussian",
    seasonality: Seasonality = None,
    harmonics: int = 2,
    lags: int | None = None,
    confidence: float = 0.95,
) -> ITSResult:
    """Segmented regression of a monthly series around ``intervention`` (first post date).

    Model (link scale): outcome ~ intercept + pre_slope·t + level_change·post +
    slope_change·(t − t₀)·post [+ seasonality], with t the month number from the first date,
    post = date >= intervention and t₀ the first post month. Seasonality: ``"fourier"``
    (``harmonics`` sine/cosine pairs of month of year) or ``"month"`` (11 month dummies).
    ``family="gaussian"`` is OLS; ``"poisson"`` a Poisson GLM and ``"negative_binomial"`` a
    negative binomial (NB2) model, both log link with offset log(``denominator``) if given.
    Standard errors are Newey-West (HAC, small-sample corrected) with ``lags`` (default
    floor(4(n/100)^(2/9)), >= 1), robust to autocorrelation; intervals are t (OLS) or Wald
    (count models) at ``confidence``. HAC intervals undercover in short series: in seeded
    simulations of 60 months with independent errors the 95% interval for the slope change
    missed the truth about 13% of the time, so prefer long series and read them with care.
    """
    confidence = confidence_levels(confidence)[0].confidence
    require_columns(frame, [date, outcome, *([denominator] if denominator else [])])
    data = frame.sort_values(date).reset_index(drop=True)
    dates = pd.to_datetime(data[date])
    y = as_float(data[outcome], outcome)
    reject(np.isnan(y), outcome, "must not be missing")
    start = pd.Timestamp(intervention)
    post = (dates >= start).to_numpy()
    if post.all() or not post.any():
        raise StatsInputError(
            f"intervention {start.date()} with dates {dates.min().date()}-{dates.max().date()}",
            column="intervention",
            rule="needs points before and after the intervention",
        )
    months = (dates.dt.year - dates.iloc[0].year) * 12 + dates.dt.month - dates.iloc[0].month
    t = months.to_numpy(dtype=float)
    t0 = t[post][0]
    design = pd.DataFrame(
        {
            "intercept": 1.0,
            "pre_slope": t,
            "level_change": post.astype(float),
            "slope_change": np.where(post, t - t0, 0.0),
        }
    )
    design = pd.concat([design, _seasonal_terms(dates, seasonality, harmonics)], axis=1)
    offset = None
    counts = family != "gaussian"
    if counts:
        check_counts(y, outcome)
    if denominator is not None:
        exposure = as_float(data[denominator], denominator)
        check_denominators(exposure, denominator)
        reject(np.isnan(exposure), denominator, "must not be missing")
        offset = np.log(exposure)
    result = _fit(y, design, family, offset, lags if lags is not None else newey_west_lags(y.size))
    terms = ["pre_slope", "level_change", "slope_change"]
    terms += [c for c in design.columns if c not in (*terms, "intercept")] + ["intercept"]
    estimates = _table(result, terms, confidence, counts)
    counterfactual_design = design.assign(level_change=0.0, slope_change=0.0)
    params = np.asarray(result.params)[: design.shape[1]]
    linear = design.to_numpy() @ params
    linear_cf = counterfactual_design.to_numpy() @ params
    if offset is not None:
        linear, linear_cf = linear + offset, linear_cf + offset
    inverse = np.exp if counts else (lambda x: x)
    series = pd.DataFrame(
        {
            "date": dates,
            "observed": y,
            "fitted": inverse(linear),
            "counterfactual": inverse(linear_cf),
        }
    )
    return ITSResult(estimates=estimates, series=series, model=result)


def rate_ratio(
    frame: pd.DataFrame,
    count: str,
    exposure: str,
    group: str,
    *,
    reference: object | None = None,
    covariates: str | Sequence[str] | None = None,
    family: Literal["poisson", "negative_binomial"] = "poisson",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Rate ratios of each ``group`` level against ``reference`` from a log-linear count model.

    log E[count] = log(exposure) + β₀ + β_g + covariates (numeric columns, or categorical ones
    as dummies), fitted as a Poisson GLM or a negative binomial (NB2, dispersion estimated)
    model. Returns one row per non-reference level: ``group, rate_ratio, lower, upper,
    p_value`` (Wald, model-based standard errors). ``reference`` defaults to the first level in
    sorted order.
    """
    keys = group_keys(covariates)
    confidence = confidence_levels(confidence)[0].confidence
    require_columns(frame, [count, exposure, group, *keys])
    y = as_float(frame[count], count)
    e = as_float(frame[exposure], exposure)
    check_counts(y, count)
    check_denominators(e, exposure)
    reject(np.isnan(y) | np.isnan(e), f"{count}, {exposure}", "must not be missing")
    levels = sorted(frame[group].dropna().unique().tolist())
    if reference is None:
        reference = levels[0]
    if reference not in levels or len(levels) < 2:
        raise StatsInputError(
            f"levels {levels[:10]}, reference {reference!r}",
            column=group,
            rule="needs at least two levels including the reference",
        )
    others = [level for level in levels if level != reference]
    design = pd.DataFrame({"intercept": np.ones(len(frame))}, index=frame.index)
    for level in others:
        design[f"group[{level}]"] = (frame[group] == level).astype(float)
    for key in keys:
        column = frame[key]
        if pd.api.types.is_numeric_dtype(column):
            design[key] = column.astype(float)
        else:
            dummies = pd.get_dummies(column, prefix=key, drop_first=True, dtype=float)
            design = pd.concat([design, dummies], axis=1)
    design = design.reset_index(drop=True)
    if family not in ("poisson", "negative_binomial"):
        raise StatsInputError(
            f"got {family!r}", column="family", rule="must be poisson or negative_binomial"
        )
    if family == "poisson":
        from . import models as sm  # statsmodels, imported on first use

        result = sm.GLM(y, design, family=sm.families.Poisson(), offset=np.log(e)).fit()
    else:
        result = _negative_binomial(y, design, np.log(e), {})
    terms = [f"group[{level}]" for level in others]
    table = _table(result, terms, confidence, counts=True)
    return pd.DataFrame(
        {
            "group": others,
            "rate_ratio": table["ratio"],
            "lower": table["ratio_lower"],
            "upper": table["ratio_upper"],
            "p_value": table["p_value"],
        }
    )
