"""Did the change work? Objective 3's programmes evaluated on the extract's monthly aggregates.

For each programme in the extract's ``interventions`` table (start date and the PCNs reached)
and each monitored outcome:

* an interrupted time series (:func:`bbp_analysis.stats.its`): a Poisson log-linear
  segmented regression of monthly counts with log(population) offset, two Fourier harmonics
  of month of year for seasonality and Newey-West (HAC) standard errors for autocorrelation
  and overdispersion, on the series of the PCNs starting together (one "wave"), from
  :data:`ITS_START` to the end of the reporting period. The level change is a rate ratio; the
  slope change is shown as the percentage change per year in the trend;
* where PCNs started on different dates, a comparison with the PCNs not yet started
  (:func:`bbp_analysis.stats.staggered.staggered`): PCN x calendar-month Poisson effects
  fitted on the months before each PCN's start only, so a PCN never serves as a comparison
  once it has started; the rate ratio of observed to predicted admissions over the started
  PCN-months that can be predicted, a wild cluster bootstrap-t interval (Webb weights, PCNs
  as clusters), a randomisation p-value and two lead windows (1-3 and 4-6 months before the
  starts) for anticipation. For the annual nine care processes, a binomial model of PCN-year
  counts with PCN and year effects on the years with a not-yet-started PCN gives an odds
  ratio (in practice one contrast year).

Denominators are person-months at risk (``o3_its_monthly``), so closed cohorts shrink month
by month rather than stepping each April. How often these estimators recover a known effect
under perturbed simulations is in :mod:`bbp_analysis.its_coverage`.

A result counts as evidence of a change only when its confidence interval excludes no change;
otherwise the chapter says the evidence is too weak to conclude.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import extract, memo
from ..disclosure import suppress
from ..params import RunParameters
from ..stats import its
from ..stats import staggered as stats_staggered

ITS_START = pd.Timestamp("2021-04-01")
"""First month analysed: 2020-21 (the first pandemic year) ran at a different level of
activity and is left out so it cannot be mistaken for a programme effect."""
MIN_PRE_MONTHS = 12
MIN_POST_MONTHS = 12
HARMONICS = 2
NEGATIVE_CONTROL = {
    True: "no change detected, as expected: no programme acts on this outcome",
    False: "change detected without a programme: other factors move this series",
}


@dataclass(frozen=True)
class Outcome:
    """A monitored outcome: the aggregate measure holding it and how to read it."""

    query: str
    measure: str
    title: str
    unit: str
    multiplier: float
    monthly: bool


OUTCOMES: dict[str, Outcome] = {
    "acsc_admissions_diabetes": Outcome(
        "o3_its_monthly",
        "programme-effects-diabetes-acsc",
        "Emergency admissions for diabetes (chronic ACSC)",
        "per 1,000 people with diabetes a month",
        1000,
        True,
    ),
    "falls_admissions_65plus": Outcome(
        "o3_its_monthly",
        "programme-effects-falls-65plus",
        "Emergency admissions for falls, aged 65+",
        "per 1,000 people aged 65+ a month",
        1000,
        True,
    ),
    "emergency_admissions_frail": Outcome(
        "o3_its_monthly",
        "programme-effects-frail-emergency",
        "Emergency admissions of people with moderate or severe frailty",
        "per 1,000 people with moderate or severe frailty a month",
        1000,
        True,
    ),
    "utc_attendances": Outcome(
        "o3_its_monthly",
        "programme-effects-utc",
        "Urgent treatment centre attendances",
        "per 1,000 registered people a month",
        1000,
        True,
    ),
    "diabetes_nine_care_processes": Outcome(
        "diabetes_care_processes",
        "diabetes-9cp",
        "People with diabetes receiving all nine care processes",
        "%",
        100,
        False,
    ),
    "cancer_screening": Outcome(
        "programmes", "o1-cervical-screening", "Cervical screening coverage", "%", 100, False
    ),
    "mmr2_by_5": Outcome(
        "programmes", "o1-mmr2-by-5", "Children with two MMR doses by age 5", "%", 100, False
    ),
}

PROGRAMME_NAMES = {
    "integrated_diabetes_team": "Integrated diabetes team",
    "integrated_frailty_model": "Integrated frailty model",
    "falls_pathway": "Integrated falls pathway",
    "negative_control": "No programme: a check outcome that nothing should change",
}


def interventions(area_code: str = "E09000015", seed: int = 20220401) -> pd.DataFrame:
    """The extract's programme table (one row per programme x PCN x outcome), read as is: it
    holds dates and PCN names, no person-level data. ``effect_size`` is the effect built
    into the synthetic data (1.0 for negative controls)."""
    extract.measures("o3_its_monthly", area_code=area_code, seed=seed, area_type="borough")
    frame = extract.read_table("interventions", area_code)
    frame["start_date"] = pd.to_datetime(frame["start_date"])
    return frame.sort_values(
        ["intervention", "outcome", "start_date", "pcn_name"], ignore_index=True
    )


def _outcome_rows(spec: Outcome, params: RunParameters, **where: str) -> pd.DataFrame:
    """The monthly measure rows (totals) of one outcome, filtered on ``where``."""
    return extract.measures(
        spec.query,
        area_code=params["area_code"],
        seed=params.get("synthetic_seed", 20220401),
        measure=spec.measure,
        breakdown="total",
        **where,
    )


def monthly_series(
    outcome: str, params: RunParameters, pcns: list[str] | None = None
) -> pd.DataFrame:
    """Monthly counts and person-months at risk (``population``; summed over ``pcns``, or the
    borough when None) from :data:`ITS_START` to the end of the reporting period: ``date,
    count, population, rate`` (rate per ``multiplier`` person-months)."""
    spec = OUTCOMES[outcome]
    rows = _outcome_rows(spec, params)
    if pcns is None:
        rows = rows[rows["area_type"] == "borough"]
    else:
        rows = rows[(rows["area_type"] == "pcn") & rows["area_code"].isin(pcns)]
    series = rows.groupby("period", as_index=False)[["numerator", "denominator"]].sum()
    series["date"] = pd.to_datetime(series["period"] + "-01")
    end = pd.Timestamp(params["period_end"])
    series = series[(series["date"] >= ITS_START) & (series["date"] <= end)]
    series = series.rename(columns={"numerator": "count", "denominator": "population"})
    series["rate"] = series["count"] / series["population"] * spec.multiplier
    return series[["date", "count", "population", "rate"]].sort_values("date", ignore_index=True)


def verdict(lower: float, upper: float, *, enough: bool, too_early: str = "") -> str:
    """Plain-English reading of a ratio's confidence interval (1 = no change)."""
    if not enough:
        return too_early or "too early to assess"
    if upper < 1:
        return "evidence of a fall"
    if lower > 1:
        return "evidence of a rise"
    return "evidence too weak to conclude (interval includes no change)"


def _waves(rows: pd.DataFrame, pcn: str | None) -> list[tuple[pd.Timestamp, list[str]]]:
    """PCNs grouped by start date (one wave each); only the named PCN when given."""
    if pcn is not None:
        rows = rows[rows["pcn_name"] == pcn]
    grouped = rows.groupby("start_date")["pcn_name"].apply(lambda s: sorted(s))
    return [(start, list(names)) for start, names in grouped.items()]


def _pcn_label(pcns: list[str], group: pd.DataFrame) -> str:
    every = group["pcn_name"].nunique()
    return f"all {every} PCNs" if len(pcns) == every and every > 1 else ", ".join(pcns)


def its_fit(outcome: str, start: pd.Timestamp, pcns: list[str] | None, params: RunParameters):
    """ITS of one outcome for one wave; ``(series, result or None, months before, after)``.
    Fitted once per process for the same inputs (:func:`bbp_analysis.memo.inputs_key`; the
    results table and the charts ask for the same fits); the series is a copy, the result
    is shared and read only."""
    wave = None if pcns is None else tuple(pcns)
    key = memo.inputs_key(params, (outcome, pd.Timestamp(start).isoformat(), wave), {})
    if key not in _FITS:
        _FITS[key] = _its_fit(outcome, pd.Timestamp(start), pcns, params)
    series, result, before, after = _FITS[key]
    return series.copy(), result, before, after


_FITS: dict[tuple, tuple] = {}


def _its_fit(outcome: str, start: pd.Timestamp, pcns: list[str] | None, params: RunParameters):
    series = monthly_series(outcome, params, pcns)
    before = int((series["date"] < start).sum())
    after = int((series["date"] >= start).sum())
    if before < MIN_PRE_MONTHS or after < MIN_POST_MONTHS:
        return series, None, before, after
    result = its(
        series,
        "date",
        "count",
        start,
        denominator="population",
        family="poisson",
        seasonality="fourier",
        harmonics=HARMONICS,
        confidence=params.get("confidence", 0.95),
    )
    return series, result, before, after


def _too_early(before: int, after: int, start: pd.Timestamp) -> str:
    if after == 0:
        return f"not started by the end of this period (starts {start:%B %Y})"
    if after < MIN_POST_MONTHS:
        return f"too early to assess: {after} months since the start (at least {MIN_POST_MONTHS})"
    return f"too few months before the start ({before}; at least {MIN_PRE_MONTHS})"


ITS_COLUMNS = [
    "programme",
    "outcome",
    "pcns",
    "pcn_list",
    "start",
    "months_before",
    "months_after",
    "built_in_effect",
    "level_ratio",
    "level_lower",
    "level_upper",
    "slope_pct_year",
    "slope_lower",
    "slope_upper",
    "p_value",
    "verdict",
]
STAGGERED_COLUMNS = [
    "programme",
    "outcome",
    "measure",
    "built_in_effect",
    "periods_with_contrast",
    "ratio",
    "lower",
    "upper",
    "p_value",
    "permutation_p",
    "assignments",
    "anticipation",
    "verdict",
]


def its_results(params: RunParameters, table: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per programme x monthly outcome x wave: the ITS level change (rate ratio) and
    slope change (% per year) with intervals, the built-in effect and the verdict."""
    table = interventions(params["area_code"]) if table is None else table
    rows = []
    for (programme, outcome), group in table.groupby(["intervention", "outcome"], sort=True):
        spec = OUTCOMES[outcome]
        if not spec.monthly:
            continue
        for start, pcns in _waves(group, params.get("pcn")):
            _, result, before, after = its_fit(outcome, start, pcns, params)
            row = {
                "programme": PROGRAMME_NAMES[programme],
                "outcome": spec.title,
                "pcns": _pcn_label(pcns, group),
                "pcn_list": tuple(pcns),
                "start": f"{start:%Y-%m}",
                "months_before": before,
                "months_after": after,
                "built_in_effect": float(group["effect_size"].iloc[0]),
                "level_ratio": np.nan,
                "level_lower": np.nan,
                "level_upper": np.nan,
                "slope_pct_year": np.nan,
                "slope_lower": np.nan,
                "slope_upper": np.nan,
                "p_value": np.nan,
            }
            if result is not None:
                est = result.estimates.set_index("term")
                level, slope = est.loc["level_change"], est.loc["slope_change"]
                row.update(
                    level_ratio=level["ratio"],
                    level_lower=level["ratio_lower"],
                    level_upper=level["ratio_upper"],
                    p_value=level["p_value"],
                    slope_pct_year=100 * (np.exp(12 * slope["estimate"]) - 1),
                    slope_lower=100 * (np.exp(12 * slope["lower"]) - 1),
                    slope_upper=100 * (np.exp(12 * slope["upper"]) - 1),
                )
            row["verdict"] = verdict(
                row["level_lower"],
                row["level_upper"],
                enough=result is not None,
                too_early=_too_early(before, after, start),
            )
            if programme == "negative_control" and result is not None:
                row["verdict"] = NEGATIVE_CONTROL[row["verdict"] == verdict(1, 1, enough=True)]
            rows.append(row)
    return pd.DataFrame(rows, columns=ITS_COLUMNS)


def _fixed_effects_fit(frame: pd.DataFrame, confidence: float) -> tuple[float, ...]:
    """Binomial GLM of yearly shares with PCN and year dummies plus ``active`` (weights the
    denominators, standard errors scaled by the Pearson dispersion); (ratio, lower, upper, p)."""
    from ..stats import models as sm

    design = pd.concat(
        [
            pd.Series(1.0, index=frame.index, name="intercept"),
            frame["active"].astype(float),
            pd.get_dummies(frame["pcn"], prefix="pcn", drop_first=True, dtype=float),
            pd.get_dummies(frame["period"], prefix="t", drop_first=True, dtype=float),
        ],
        axis=1,
    )
    share = frame["numerator"] / frame["denominator"]
    model = sm.GLM(share, design, family=sm.families.Binomial(), var_weights=frame["denominator"])
    result = model.fit(scale="X2")
    low, high = result.conf_int(alpha=1 - confidence).loc["active"]
    return (
        float(np.exp(result.params["active"])),
        float(np.exp(low)),
        float(np.exp(high)),
        float(result.pvalues["active"]),
    )


def pcn_panel(outcome: str, params: RunParameters, pcns: list[str]) -> pd.DataFrame:
    """Monthly PCN rows of one outcome from :data:`ITS_START` to the end of the period:
    ``pcn, date, count, person_months``."""
    data = _outcome_rows(OUTCOMES[outcome], params, area_type="pcn")
    data = data[data["area_code"].isin(pcns)]
    data = data.assign(date=pd.to_datetime(data["period"] + "-01"))
    end = pd.Timestamp(params["period_end"])
    data = data[(data["date"] >= ITS_START) & (data["date"] <= end)]
    return pd.DataFrame(
        {
            "pcn": data["area_code"].to_numpy(),
            "date": data["date"].to_numpy(),
            "count": data["numerator"].to_numpy(float),
            "person_months": data["denominator"].to_numpy(float),
        }
    )


def staggered_fit(
    frame: pd.DataFrame,
    starts: dict[str, pd.Timestamp],
    confidence: float = 0.95,
    draws: int = stats_staggered.DRAWS,
) -> stats_staggered.StaggeredResult:
    """The not-yet-started comparison of a :func:`pcn_panel`-shaped frame
    (:func:`bbp_analysis.stats.staggered.staggered`; PCNs are the clusters)."""
    data = stats_staggered.panel(frame, "pcn", "date", "count", "person_months", starts)
    return stats_staggered.staggered(data, confidence=confidence, draws=draws)


def anticipation(leads: pd.DataFrame) -> str:
    """Plain reading of the lead windows: a lead interval that excludes 1 is a warning."""
    shown = leads.dropna(subset=["ratio"])
    if shown.empty:
        return "no months before the starts to check"
    flagged = shown[(shown["upper"] < 1) | (shown["lower"] > 1)]
    ratios = ", ".join(f"{r.ratio:.2f} ({r.window})" for r in shown.itertuples())
    if flagged.empty:
        return f"no sign of change before the starts: {ratios}"
    return (
        f"change before the starts (anticipation, another cause, or chance: the simulations "
        f"below show how often a window is flagged without anticipation): {ratios}"
    )


def _care_processes_fit(data: pd.DataFrame, starts: dict, confidence: float):
    """Yearly care processes: years up to the last with a not-yet-started PCN only, so a PCN
    never serves as a comparison after its start; (fit or None, contrast years)."""
    mid = pd.to_datetime(data["period"].str[:4] + "-10-01")
    data = data.assign(active=mid.to_numpy() >= data["pcn"].map(starts).to_numpy())
    waiting = data.groupby("period")["active"].agg(["min", "max"])
    kept = waiting.index[waiting["min"] == 0]
    data = data[data["period"].isin(kept)]
    contrast = int(((waiting["min"] == 0) & (waiting["max"] == 1)).sum())
    return (_fixed_effects_fit(data, confidence) if contrast >= 1 else None), contrast


def staggered_results(params: RunParameters, table: pd.DataFrame | None = None) -> pd.DataFrame:
    """Comparison with not-yet-started PCNs, for each programme whose PCNs started on
    different dates: monthly outcomes by Poisson imputation (:func:`staggered_fit`; rate
    ratio, wild cluster bootstrap interval, randomisation p-value, lead windows); the annual
    nine care processes as an odds ratio (binomial, PCN and year effects, years with a
    not-yet-started PCN only; a PCN-year counts as running when the programme had started by
    1 October)."""
    table = interventions(params["area_code"]) if table is None else table
    confidence = params.get("confidence", 0.95)
    end = pd.Timestamp(params["period_end"])
    rows = []
    for (programme, outcome), group in table.groupby(["intervention", "outcome"], sort=True):
        if group["start_date"].nunique() < 2:
            continue
        spec = OUTCOMES[outcome]
        starts = dict(zip(group["pcn_name"], group["start_date"], strict=True))
        row = {
            "programme": PROGRAMME_NAMES[programme],
            "outcome": spec.title,
            "measure": "rate ratio" if spec.monthly else "odds ratio",
            "built_in_effect": float(group["effect_size"].iloc[0]),
            "periods_with_contrast": 0,
            "ratio": np.nan,
            "lower": np.nan,
            "upper": np.nan,
            "p_value": np.nan,
            "permutation_p": np.nan,
            "assignments": np.nan,
            "anticipation": "",
        }
        if spec.monthly:
            frame = pcn_panel(outcome, params, list(starts))
            within = {p: s if s <= end else None for p, s in starts.items()}
            enough = any(s is not None for s in within.values())
            result = staggered_fit(frame, within, confidence) if enough else None
            if result is not None:
                row["periods_with_contrast"] = result.effect.periods
                enough = result.effect.periods >= 6
            if enough:
                effect = result.effect
                row.update(
                    ratio=effect.ratio,
                    lower=effect.lower,
                    upper=effect.upper,
                    p_value=effect.p_value,
                    permutation_p=result.permutation_p,
                    assignments=result.assignments,
                    anticipation=anticipation(result.leads),
                )
        else:
            data = _outcome_rows(spec, params, area_type="pcn")
            data = data[data["area_code"].isin(starts)].rename(columns={"area_code": "pcn"})
            mid = pd.to_datetime(data["period"].str[:4] + "-10-01")
            data = data[(data["period"] >= "2021-22") & (mid <= end)]
            fit, row["periods_with_contrast"] = _care_processes_fit(data, starts, confidence)
            enough = fit is not None
            if enough:
                row.update(zip(("ratio", "lower", "upper", "p_value"), fit, strict=True))
        row["verdict"] = verdict(
            row["lower"],
            row["upper"],
            enough=enough,
            too_early=f"too early to compare: {row['periods_with_contrast']} period(s) so "
            "far with some PCNs running and others not started",
        )
        if enough and not spec.monthly:  # care processes: higher is better
            row["verdict"] = (
                row["verdict"].replace("fall", "fall (worse)").replace("rise", "rise (better)")
            )
        rows.append(row)
    return pd.DataFrame(rows, columns=STAGGERED_COLUMNS)


def chart_data(series: pd.DataFrame, result, *, multiplier: float, threshold: int) -> pd.DataFrame:
    """The ITS chart's data with small monthly counts suppressed (their rate blanked too):
    ``month, count, rate, fitted, counterfactual`` (rates per ``multiplier``)."""
    data = series.copy()
    if result is not None:
        fit = result.series.set_index("date")
        data["fitted"] = data["date"].map(fit["fitted"]) / data["population"] * multiplier
        data["counterfactual"] = (
            data["date"].map(fit["counterfactual"]) / data["population"] * multiplier
        )
    else:
        data["fitted"] = np.nan
        data["counterfactual"] = np.nan
    data = suppress(
        data, ["count"], threshold, value_columns=["rate"], symbol=None, source="o3_its_monthly"
    )
    data["month"] = data["date"].dt.strftime("%Y-%m")
    return data[["month", "count", "rate", "fitted", "counterfactual", "suppressed"]]
