"""Objective 3, care pathway transformation: the indicators behind the chapter and partnership
measure 5 (emergency admissions for the plan's six long-term conditions; the whole NHS
Outcomes Framework 2.3.i list is a second indicator beside it).

All values come from the extract's aggregates (:func:`bbp_analysis.extract.measures`):
measure 5 indirectly age-sex standardised to NWL (:mod:`bbp_analysis.standardisation`),
crude rates with Byar intervals (exact below 10 events), proportions with Wilson score
intervals, directly standardised rates (ESP 2013) with Dobson intervals. Every count shown
passes through :func:`bbp_analysis.disclosure.suppress` at the run's threshold.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from IPython.display import HTML

from .. import extract, judgement, standardisation
from ..catalogue import indicator
from ..figures import spc_figure
from ..headline import INDICATIVE, Headline, Reading, trend_fields
from ..indicators import (
    area_values,
    headline_fields,
    monthly_spc,
    series,
    standardised_series,
    trend,
)
from ..memo import per_inputs
from ..params import RunParameters
from ..reference import PLAN_SHORT
from ..stats import Heterogeneity, ratio_heterogeneity, sii
from . import objective_3_its as its
from .scope import synthetic_label as _label
from .scope import where as _where

PM5 = "pm5-acsc-admissions"
PM5_MONTHLY = (indicator(PM5).measure.parts[1][0], indicator(PM5).measure.parts[1][1][0])
"""Measure 5 by month: (SQL file, measure name), the entry's second measure part."""
NHSOF = "acsc-chronic-nhsof"
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


def acsc_values(
    params: RunParameters, breakdown: str = "total", period: str | None = None
) -> pd.DataFrame:
    """Measure 5: emergency admissions for the plan's six conditions while registered, per
    1,000, indirectly age-sex standardised to NWL, borough then PCNs or groups, each compared
    with NWL's rate for people of the same age and sex
    (:func:`bbp_analysis.standardisation.standardised_values`)."""
    return standardisation.standardised_values(PM5, params, breakdown=breakdown, period=period)


def nwl_rate(params: RunParameters, period: str | None = None) -> float:
    """NWL's measure-5 rate per 1,000 in ``period`` on the measure's definition (the
    standard, so also its standardised rate)."""
    return standardisation.benchmark_rate(PM5, params, period or params["period"])


@dataclass(frozen=True)
class EthnicVariation:
    """The test of variation between ethnic groups' age-sex standardised rates in one year:
    ``test`` (:func:`bbp_analysis.stats.ratio_heterogeneity`, None when fewer than two
    groups can be tested), the groups tested with their standardised ratio to NWL
    (``ratios``), the groups left out because their count is suppressed (``left_out``) and
    the test's level ``alpha`` (1 minus the run's confidence; one test, not a screen)."""

    period: str
    test: Heterogeneity | None
    ratios: dict[str, float]
    left_out: tuple[str, ...]
    alpha: float

    def finding(self) -> str:
        """The result in plain words, with the test's figures and any group left out."""
        left = (
            f"; {', '.join(self.left_out)} left out, too few admissions to publish"
            if self.left_out
            else ""
        )
        if self.test is None:
            return f"fewer than two ethnic groups can be tested{left}"
        t = self.test
        finding = (
            "the groups' rates differ more than chance would explain"
            if t.p_value < self.alpha
            else "no clear evidence that the groups' rates differ"
        )
        return (
            f"{finding} (heterogeneity chi-square {t.statistic:.1f} on {t.df} degrees of "
            f"freedom, {p_text(t.p_value)}, across {len(self.ratios)} groups' rates "
            f"standardised for age and sex{left})"
        )


def p_text(p: float) -> str:
    """A p-value as the page states it: "p < 0.001" below 0.001, else to three decimals."""
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def ethnic_variation(params: RunParameters, period: str) -> EthnicVariation:
    """Variation between ethnic groups (stated ethnicity, the borough or the named PCN) in
    measure 5, age-sex standardised to NWL, tested by the chi-square test of homogeneity of
    the groups' standardised ratios. Groups whose admissions are suppressed are left out of
    the test and named; "Not stated" is never a group."""
    table = acsc_values(params, "ethnic_group", period).iloc[1:]
    table = table[table["area"].isin(ETHNIC_GROUPS)]
    shown = table[~table["suppressed"]]
    left_out = tuple(table.loc[table["suppressed"], "area"])
    test = ratio_heterogeneity(shown["numerator"], shown["expected"]) if len(shown) >= 2 else None
    ratios = dict(zip(shown["area"], shown["ratio"].astype(float), strict=True))
    return EthnicVariation(period, test, ratios, left_out, 1 - float(params["confidence"]))


def plan_as_given() -> dict[str, str]:
    """The plan's measure 5 figures in its own words, with no unit or year added:
    ``baseline`` (the plan's borough) and ``nwl`` (the NWL average the target names)."""
    spec = indicator(PM5)
    basis = spec.baseline["as_given"]
    return {
        "baseline": f"{spec.baseline['value']:g}, {basis}",
        "nwl": f"NWL average {spec.target['value']:g}, {spec.target['as_given']}",
    }


CAVEAT = (
    "The comparison with the NWL average is indicative. The plan's figures (Harrow 11.47, NWL "
    "9.89) are rates by weighted population with no unit or year stated; the review compares "
    "each PCN's age-sex standardised rate with NWL's rate computed on the review's own "
    "definition from the eight-borough extract"
)


def caveat() -> str:
    """The caveat measure 5 carries wherever its status is shown (chapter, scorecard, board
    paper), naming the source of the NWL rates in this run."""
    source = "; in this edition those NWL rates are synthetic." if extract.is_synthetic() else "."
    return CAVEAT + source


def pcn_readings(params: RunParameters) -> pd.DataFrame:
    """Each PCN against NWL: its standardised ratio's 99.8% interval (several PCNs are
    compared, :func:`bbp_analysis.judgement.screening`) against 1 by
    :func:`bbp_analysis.judgement.against_target`: ``area, ratio, ratio_lower, ratio_upper,
    suppressed, reading`` ("met", "not met", "uncertain", or "not assessed" when its count
    is suppressed)."""
    table = acsc_values(judgement.screening(params.replace(pcn=None))).iloc[1:]
    table = table.assign(
        reading=[
            "not assessed"
            if row.suppressed
            else judgement.against_target(row.ratio_lower, row.ratio_upper, 1.0, "low_is_good")
            for row in table.itertuples()
        ]
    )
    return table[["area", "ratio", "ratio_lower", "ratio_upper", "suppressed", "reading"]]


def pm5_status(params: RunParameters) -> dict[str, object]:
    """Status of measure 5 against "reduce ACSC admissions in all PCNs to the NWL average
    while reducing variation between ethnic groups", on age-sex standardised rates.

    PCN part (:func:`pcn_readings`): "met" when every PCN's 99.8% interval lies at or below
    NWL's rate, "not met" when any lies wholly above it, otherwise "uncertain"; a PCN whose
    count is suppressed is not assessed, so the part cannot be "met" while one is, and it is
    never counted as above NWL. Ethnic part: the heterogeneity chi-square this year and in
    :data:`BASELINE_PERIOD` (:func:`ethnic_variation`); whether the variation has narrowed
    is not tested, so the measure as a whole is never "met": a met PCN part gives
    "uncertain". The comparison is indicative (:func:`caveat`)."""
    borough = params.replace(pcn=None)
    pcns = pcn_readings(borough)
    above = pcns.loc[pcns["reading"] == "not met", "area"].tolist()
    below = pcns.loc[pcns["reading"] == "met", "area"].tolist()
    unassessed = pcns.loc[pcns["reading"] == "not assessed", "area"].tolist()
    nwl = nwl_rate(params)
    values = acsc_values(borough)
    rate = float(values["value"].iloc[0])
    now = ethnic_variation(borough, params["period"])
    base = ethnic_variation(borough, BASELINE_PERIOD)
    status = "not met" if above else judgement.UNCERTAIN
    part = (
        f"{len(above)} of {len(pcns)} PCNs clearly above NWL's rate for people of the same "
        f"age and sex ({', '.join(above) if above else 'none'}); {len(below)} clearly below"
        + (f"; {', '.join(unassessed)} not assessed (too few admissions)" if unassessed else "")
        + " (99.8% intervals, as several PCNs are compared)"
    )
    text = (
        f"Age-sex standardised to NWL, {params['area_name']} had {rate:.2f} admissions per "
        f"1,000 registered people against NWL's {nwl:.2f}; {part}. Whether the variation "
        "between ethnic groups has narrowed is not tested, so the target as a whole is "
        "not judged met."
    )
    plan = plan_as_given()
    readings = (
        Reading(
            "Each PCN against NWL (age-sex standardised)", status, part[0].upper() + part[1:] + "."
        ),
        Reading(
            "Variation between ethnic groups",
            INDICATIVE,
            f"In {params['period']}, {now.finding()}. In {BASELINE_PERIOD}, the review's "
            f"reference year, {base.finding()}. Whether the variation has narrowed is not "
            "tested.",
        ),
        Reading(
            "The plan's own figures",
            "not comparable",
            f"The plan's figures ({plan['baseline']}; {plan['nwl']}) are on another basis and "
            "are not compared.",
        ),
    )
    return {
        "status": status,
        "text": text,
        "target": nwl,
        "plan_target": float(indicator(PM5).target["value"]),
        "readings": readings,
        "pcns_worse": len(above),
        "pcns_above": above,
        "pcns_below": below,
        "pcns_unassessed": unassessed,
        "pcns": len(pcns),
        "ethnic": now,
        "ethnic_baseline": base,
        "caveat": caveat(),
    }


def acsc_series(params: RunParameters, pcns: bool = True) -> pd.DataFrame:
    """Measure 5's annual age-sex standardised rates per 1,000 to the reporting period
    (borough and PCNs)."""
    return standardisation.standardised_series(PM5, params, pcns=pcns)


def nhsof_series(params: RunParameters, pcns: bool = False) -> pd.DataFrame:
    """The NHS OF 2.3.i list indicator: annual crude rates per 1,000 registered people to the
    reporting period (borough, and PCNs when ``pcns``), Byar intervals."""
    return trend(NHSOF, params, pcns=pcns)


@per_inputs
def headline_measures(params: RunParameters) -> list[Headline]:
    """Partnership measure 5 for the front-page scorecard and the board paper (borough)."""
    spec = indicator(PM5)
    borough = params.replace(pcn=None)
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
                f"{' '.join(spec.target['text'].split())} Read against NWL's rate on the "
                f"review's definition ({status['target']:.2f} per 1,000 in "
                f"{params['period']}); the plan's NWL average is {spec.target['value']:g} "
                f"({spec.target['as_given']})."
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
            comparator_text=(
                f"NWL {status['target']:.2f} per 1,000 on the review's definition"
                f"{' (synthetic)' if extract.is_synthetic() else ''}; plan: {plan['nwl']}"
            ),
            comparators={"NWL": float(status["target"])},
            comparator_sources={
                "NWL": "synthetic" if extract.is_synthetic() else "the extract's comparator table"
            },
            caveat=str(status["caveat"]),
        )
    ]


def programme_starts(params: RunParameters) -> dict[str, pd.Timestamp]:
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


def acsc_monthly(params: RunParameters) -> pd.DataFrame:
    """Measure 5 by month per 100,000 a day with XmR columns (:func:`monthly_spc`), limits
    recalculated only at diabetes team starts (:func:`programme_starts`)."""
    return monthly_spc(
        *PM5_MONTHLY,
        params,
        programme_starts(params),
    )


def acsc_spc_figure(points: pd.DataFrame, params: RunParameters) -> HTML:
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


def under5_ae(params: RunParameters) -> pd.DataFrame:
    """A&E (type 1) attendances of children aged 0-4 per 1,000 registered children, by year."""
    return series(
        "ae_attendances",
        "o2-ae-isr",
        params,
        kind="rate",
        multiplier=1000,
        breakdown="age_band",
        group="0-4",
    )


# Frailty and falls -----------------------------------------------------------------------


def falls_dsr(params: RunParameters) -> pd.DataFrame:
    """Emergency admissions for falls aged 65+, directly standardised to the ESP 2013 (65+
    bands) per 100,000, with Dobson intervals: one row per period (to the reporting period)
    and area (borough, plus the named PCN); :func:`bbp_analysis.indicators.standardised_series`."""
    return standardised_series("falls_65plus", "falls-65plus-dsr", params)


# Inequality ------------------------------------------------------------------------------


def acsc_inequality(params: RunParameters) -> pd.DataFrame:
    """Slope and relative index of inequality in measure 5 across local IMD fifths, on the
    fifths' age-sex standardised rates (:func:`acsc_values`, 95% limits), per year to the
    reporting period (borough, or the named PCN).

    :func:`bbp_analysis.stats.sii` weights each fifth by its share of the registered
    population (log scale for the standard errors, 10,000 seeded simulations). The sign is
    set so that a positive SII is the excess standardised rate in the most deprived fifth
    over the least deprived (per 1,000) and an RII above 1 the ratio between them. Columns:
    ``period, sii, sii_lower, sii_upper, rii, rii_lower, rii_upper``; all missing in a year
    where a fifth's count is suppressed or a fifth is missing (no index rests on a count too
    small to publish).
    """
    periods = sorted(acsc_series(params, pcns=False)["period"].unique())
    frames = []
    for period in periods:
        table = acsc_values(params.replace(confidence=0.95), "imd_quintile", period).iloc[1:]
        if len(table) != 5 or table["suppressed"].any():
            continue
        frames.append(
            table.assign(period=period, quintile=table["area"].astype(int))[
                ["period", "quintile", "denominator", "value", "lower", "upper"]
            ]
        )
    if not frames:
        return pd.DataFrame({"period": periods}).reindex(columns=["period", *SII_COLUMNS])
    result = sii(
        pd.concat(frames, ignore_index=True),
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
    "diabetes-treatment-targets-hba1c": "HbA1c at or below 58 mmol/mol",
    "diabetes-treatment-targets-bp": "Blood pressure at or below 140/80 mmHg",
    "diabetes-treatment-targets-statin": "On a statin",
    "diabetes-treatment-targets": "All three",
}


def treatment_targets(params: RunParameters) -> pd.DataFrame:
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
