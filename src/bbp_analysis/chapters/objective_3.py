"""Objective 3, care pathway transformation: the indicators behind the chapter and partnership
measure 5 (emergency admissions for the plan's six long-term conditions; the whole NHS
Outcomes Framework 2.3.i list is a second indicator beside it).

All values come from the extract's aggregates (:func:`bbp_analysis.extract.measures`):
crude rates with Byar intervals (exact below 10 events), proportions with Wilson score
intervals, directly standardised rates (ESP 2013) with Dobson intervals. Every count shown
passes through :func:`bbp_analysis.disclosure.suppress` at the run's threshold.
"""

from __future__ import annotations

import pandas as pd
from IPython.display import HTML

from .. import extract, judgement
from ..catalogue import indicator
from ..disclosure import suppress_ratio
from ..figures import spc_figure
from ..headline import INDICATIVE, Headline, Reading, trend_fields
from ..indicators import (
    area_values,
    headline_fields,
    monthly_spc,
    rows,
    series,
    standardised_series,
    trend,
    values,
)
from ..reference import PLAN_SHORT
from ..stats import rate, sii
from . import objective_3_its as its
from .scope import synthetic_label as _label
from .scope import where as _where

PM5 = "pm5-acsc-admissions"
PM5_QUERY, PM5_MEASURE = indicator(PM5).query, indicator(PM5).measure_name
"""Measure 5's SQL file and measure name (from the catalogue): the plan's six conditions."""
PM5_MONTHLY = (indicator(PM5).measure.parts[1][0], indicator(PM5).measure.parts[1][1][0])
"""Measure 5 by month: (SQL file, measure name), the entry's second measure part."""
NHSOF = "acsc-chronic-nhsof"
NHSOF_QUERY, NHSOF_MEASURE = indicator(NHSOF).query, indicator(NHSOF).measure_name
"""The NHS OF 2.3.i list indicator (not the partnership measure)."""
ANCHOR = "objective-3-care-pathways#pm5-acsc-spc"
BASELINE_PERIOD = "2021-22"
"""The review's reference year for measure 5's ethnic variation: the plan states no year for
its figures; 2021-22 is the last full year before the plan (and the year the synthetic
extract is calibrated to)."""
ETHNIC_GROUPS = ("Asian", "Black", "Mixed", "Other", "White")  # "Not stated" left out
SII_COLUMNS = ("sii", "sii_lower", "sii_upper", "rii", "rii_lower", "rii_upper")
GAP_NOT_COMPUTED = "a deprivation fifth has too few admissions to publish"


# Partnership measure 5 -----------------------------------------------------------------


def acsc_values(params: dict, breakdown: str = "total", period: str | None = None) -> pd.DataFrame:
    """Measure 5: emergency admissions for the plan's six conditions per 1,000 registered
    people (crude, Byar intervals), borough then PCNs or groups (:func:`area_values`)."""
    return values(PM5, params, breakdown=breakdown, period=period)


def ethnic_range(params: dict, period: str) -> float:
    """Ratio of the highest to the lowest ethnic-group rate (groups with a stated ethnicity,
    borough-wide): the measure of variation between ethnic groups the target asks to reduce;
    NaN when no group has a rate or the lowest is zero (no ratio)."""
    groups = acsc_values({**params, "pcn": None}, "ethnic_group", period).iloc[1:]
    groups = groups[groups["area"].isin(ETHNIC_GROUPS) & groups["value"].notna()]
    lowest = groups["value"].min()
    return float(groups["value"].max() / lowest) if lowest > 0 else float("nan")


def plan_as_given() -> dict[str, str]:
    """The plan's measure 5 figures in its own words, with no unit or year added:
    ``baseline`` (the plan's borough) and ``nwl`` (the NWL average the target names)."""
    spec = indicator(PM5)
    basis = spec.baseline["as_given"]
    return {
        "baseline": f"{spec.baseline['value']:g}, {basis}",
        "nwl": f"NWL average {spec.target['value']:g}, {spec.target['as_given']}",
    }


def pm5_status(params: dict) -> dict[str, object]:
    """Status of measure 5: "not comparable". The target ("reduce ACSC admissions in all
    PCNs to the NWL average while reducing variation between ethnic groups") is set on the
    plan's rate by weighted population (no unit or year stated); the review's rate is a crude
    rate per 1,000 registered people, so the target is not judged. Two indicative readings
    are given instead: PCNs against the borough (99.8% interval, Fingertips rule: several
    PCNs compared, :func:`bbp_analysis.judgement.screening`) and the ratio of the highest to
    the lowest ethnic-group rate beside :data:`BASELINE_PERIOD` (not tested: the ratio has no
    standard error)."""
    borough = {**params, "pcn": None}
    values = acsc_values(judgement.screening(borough))
    rate, pcns = float(values["value"].iloc[0]), values.iloc[1:]
    worse = pcns.loc[pcns["comparison"] == "worse", "area"].tolist()
    shown = pcns[~pcns["suppressed"]]
    now, base = ethnic_range(params, params["period"]), ethnic_range(params, BASELINE_PERIOD)
    plan = plan_as_given()
    text = (
        f"The plan's figures ({plan['baseline']}; {plan['nwl']}) are on another basis "
        f"than the review's crude rate of {rate:.2f} per 1,000 registered people for the "
        "six conditions, so the target is not judged."
    )
    readings = (
        Reading(
            "PCNs against the borough",
            INDICATIVE,
            f"PCN rates run from {shown['value'].min():.2f} to {shown['value'].max():.2f} "
            f"per 1,000; {len(worse)} of {len(pcns)} PCNs clearly above the borough rate "
            f"(99.8% interval, as several PCNs are compared)"
            f"{': ' + ', '.join(worse) if worse else ''}. The plan's PCN range "
            "(10.3 to 12.81) is on its own basis and is not compared.",
        ),
        Reading(
            "Variation between ethnic groups",
            INDICATIVE,
            f"The highest ethnic-group rate is {now:.2f} times the lowest ({base:.2f} in "
            f"{BASELINE_PERIOD}, the review's reference year). Not tested: the ratio has "
            "no standard error, so the review does not say whether the variation has "
            "narrowed.",
        ),
    )
    return {
        "status": "not comparable",
        "text": text,
        "target": None,
        "plan_target": float(indicator(PM5).target["value"]),
        "readings": readings,
        "pcns_worse": len(worse),
        "pcns_above": worse,
        "pcns": len(pcns),
        "ethnic_ratio": now,
        "ethnic_ratio_baseline": base,
    }


def acsc_series(params: dict, pcns: bool = True) -> pd.DataFrame:
    """Measure 5's annual rates per 1,000 to the reporting period (borough and PCNs)."""
    return trend(PM5, params, pcns=pcns)


def nhsof_series(params: dict, pcns: bool = False) -> pd.DataFrame:
    """The NHS OF 2.3.i list indicator: annual crude rates per 1,000 registered people to the
    reporting period (borough, and PCNs when ``pcns``), Byar intervals."""
    return trend(NHSOF, params, pcns=pcns)


def headline_measures(params: dict) -> list[Headline]:
    """Partnership measure 5 for the front-page scorecard and the board paper (borough)."""
    spec = indicator(PM5)
    borough = {**params, "pcn": None}
    row = acsc_values(borough).iloc[0]
    status = pm5_status(borough)
    trend = acsc_series(borough, pcns=False)
    plan = plan_as_given()
    return [
        Headline(
            measure=5,
            period=params["period"],
            unit=spec.unit,
            **headline_fields(PM5, row),
            baseline=None,
            baseline_period="plan baseline, year not stated",
            target=None,
            target_text=(
                f"{' '.join(spec.target['text'].split())} The NWL average is the plan's "
                f"{spec.target['value']:g} ({spec.target['as_given']}). The comparison "
                "with the review's rate is indicative only."
            ),
            status=str(status["status"]),
            status_text=str(status["text"]),
            anchor=ANCHOR,
            synthetic=extract.is_synthetic(),
            source=f"{extract.origin()}, {params['period']}; condition list, baseline "
            f"and target from the {PLAN_SHORT}, section 4",
            **trend_fields(trend),
            readings=status["readings"],
            baseline_text=f"Plan: {plan['baseline']}",
            comparator_text=f"Plan: {plan['nwl']}",
        )
    ]


def programme_starts(params: dict) -> dict[str, pd.Timestamp]:
    """Integrated diabetes team starts (the programme acting on these admissions), each PCN's,
    or the named PCN's only: label -> date."""
    table = its.interventions(params["area_code"])
    table = table[table["intervention"] == "integrated_diabetes_team"]
    if params.get("pcn"):
        table = table[table["pcn_name"] == params["pcn"]]
    starts = table.drop_duplicates("pcn_name").sort_values("start_date")
    return {
        f"Diabetes team: {row.pcn_name.replace(' PCN', '')}": pd.Timestamp(row.start_date)
        for row in starts.itertuples()
    }


def acsc_monthly(params: dict) -> pd.DataFrame:
    """Measure 5 by month per 100,000 a day with XmR columns (:func:`monthly_spc`), limits
    recalculated only at diabetes team starts (:func:`programme_starts`)."""
    return monthly_spc(
        *PM5_MONTHLY,
        params,
        programme_starts(params),
    )


def acsc_spc_figure(points: pd.DataFrame, params: dict) -> HTML:
    """SPC chart of :func:`acsc_monthly` (:func:`bbp_analysis.figures.spc_figure`); no target
    line, because the plan's NWL average is a rate by weighted population on another basis."""
    where = _where(params)
    return spc_figure(
        points,
        figure_id="pm5-acsc-spc",
        title=f"Emergency admissions for the plan's six conditions, {where}: XmR chart",
        subject=f"measure 5 for {where}",
        marked="diabetes team starts",
        note=_label(params),
        threshold=params["suppression_threshold"],
        source=PM5_MONTHLY[0],
        alt_note="No target line: the plan's NWL average is a rate by weighted "
        "population, not comparable.",
    )


def under5_ae(params: dict) -> pd.DataFrame:
    """A&E (type 1) attendances of children aged 0-4 per 1,000 registered children, by year."""
    return series(
        "ae_attendances",
        "ae_type1_attendances",
        params,
        kind="rate",
        multiplier=1000,
        breakdown="age_band",
        group="0-4",
    )


# Frailty and falls -----------------------------------------------------------------------


def falls_dsr(params: dict) -> pd.DataFrame:
    """Emergency admissions for falls aged 65+, directly standardised to the ESP 2013 (65+
    bands) per 100,000, with Dobson intervals: one row per period (to the reporting period)
    and area (borough, plus the named PCN); :func:`bbp_analysis.indicators.standardised_series`."""
    return standardised_series("falls_65plus", "falls_admissions_65plus", params)


# Inequality ------------------------------------------------------------------------------


def acsc_inequality(params: dict) -> pd.DataFrame:
    """Slope and relative index of inequality in measure 5 (the plan's six conditions) across
    local IMD quintiles, per year to the reporting period (borough, or the named PCN).

    Quintile rates per 1,000 with Byar intervals feed :func:`bbp_analysis.stats.sii` (rates,
    log scale for the standard errors, 10,000 seeded simulations). The sign is set so that a
    positive SII is the excess rate in the most deprived fifth over the least deprived
    (per 1,000) and an RII above 1 the ratio between them. Columns: ``period, sii, sii_lower,
    sii_upper, rii, rii_lower, rii_upper``; all missing in a year where a fifth's count is
    suppressed (no index rests on a count too small to publish).
    """
    data = rows(PM5_QUERY, PM5_MEASURE, params, breakdown="imd_quintile")
    scope = "pcn" if params.get("pcn") else "borough"
    data = data[(data["area_type"] == scope) & (data["period"] <= params["period"])]
    if params.get("pcn"):
        data = data[data["area_code"] == params["pcn"]]
    data = data.assign(quintile=data["breakdown_value"].astype(int)).reset_index(drop=True)
    stats = rate(
        data["numerator"], data["denominator"], confidence=params["confidence"], multiplier=1000
    )
    protected = suppress_ratio(
        data,
        params["suppression_threshold"],
        proportion=False,
        groups=["period"],
        symbol=None,
        source=NHSOF_QUERY,
    )
    usable = ~data["period"].isin(set(data.loc[protected["suppressed"], "period"]))
    periods = sorted(data["period"].unique())
    data = pd.concat([data[["period", "quintile", "denominator"]], stats], axis=1)[usable]
    if data.empty:
        return pd.DataFrame({"period": periods}).reindex(columns=["period", *SII_COLUMNS])
    result = sii(
        data,
        "quintile",
        "denominator",
        "value",
        "lower",
        "upper",
        value_type="rate",
        by="period",
        multiplier=-1,
        confidence=params["confidence"],
        repetitions=10_000,
        seed=1,
    )
    return result.set_index("period").reindex(periods).rename_axis("period").reset_index()


def gap_change(table: pd.DataFrame, confidence: float = 0.95) -> str:
    """Whether the deprivation gap (SII, from :func:`gap_table`) has changed since
    :data:`bbp_analysis.judgement.GAP_BASELINE_PERIOD`, by
    :func:`bbp_analysis.judgement.gap_change`, as words that follow "The gap": "is narrower" or
    "is wider" only when the interval of the change excludes zero, otherwise "has not clearly
    changed"; "was not tested" without the baseline year. ``confidence`` is the level of the
    table's intervals. The test statistic is on the methods page, not in the sentence."""
    baseline = judgement.GAP_BASELINE_PERIOD
    now = table.iloc[-1]
    if baseline not in set(table["period"]) or now["period"] == baseline:
        return f"was not tested (no year after {baseline} to compare)"
    base = table[table["period"] == baseline].iloc[0]
    if pd.isna(base["sii"]) or pd.isna(now["sii"]):
        return f"was not assessed ({GAP_NOT_COMPUTED} in {baseline} or {now['period']})"
    verdict, _ = judgement.gap_change(
        *(
            judgement.Estimate(float(r["sii"]), float(r["sii_lower"]), float(r["sii_upper"]))
            for r in (base, now)
        ),
        confidence,
    )
    if verdict == judgement.NO_CLEAR_CHANGE:
        return f"has not clearly changed since {baseline}"
    return f"is {verdict} than in {baseline}"


TREATMENT_TARGETS = {
    "diabetes_target_hba1c": "HbA1c at or below 58 mmol/mol",
    "diabetes_target_bp": "Blood pressure at or below 140/80 mmHg",
    "diabetes_target_statin": "On a statin",
    "diabetes_all_three_treatment_targets": "All three",
}


def treatment_targets(params: dict) -> pd.DataFrame:
    """Each diabetes treatment target and all three together, by area (borough first, then
    PCNs): the percentage with its interval as text, "[c]" where the count is suppressed,
    and the comparison with the borough."""
    columns = {}
    areas: list[str] = []
    for measure, label in TREATMENT_TARGETS.items():
        table = area_values(
            "diabetes_care_processes",
            measure,
            params,
            kind="proportion",
            multiplier=100,
            polarity="high_is_good",
        )
        areas = areas or list(table["area"])
        table = table.set_index("area").reindex(areas)
        columns[label] = [
            "[c]"
            if row.suppressed
            else f"{row.value:.1f}% ({row.lower:.1f} to {row.upper:.1f}) {row.comparison}"
            for row in table.itertuples()
        ]
    return pd.DataFrame({"Area": areas, **columns})
