"""Objective 2, integrated neighbourhood teams: partnership measures 3 (citizens' experience of
care) and 4 (staff satisfaction and voluntary turnover), unplanned care by neighbourhood and
the enablers the data hold.

Values come from the extract's aggregates (:func:`bbp_analysis.extract.measures`):
proportions with Wilson score intervals, indirectly age-sex standardised ratios (observed /
expected x 100, the borough's sex-age-band rates as the standard, exact Poisson below 10 events and
Byar's from 10), funnel limits (95% and 99.8%) with Spiegelhalter's random-effects
overdispersion adjustment. Every count shown passes through
:func:`bbp_analysis.disclosure.suppress` at the run's threshold.
"""

from __future__ import annotations

import pandas as pd

from .. import extract, judgement
from ..catalogue import indicator
from ..disclosure import suppress
from ..headline import Headline, Reading, trend_fields
from ..indicators import (
    area_values,
    headline_fields,
    monthly_spc,
    protect,
    rows,
    series,
    values,
)
from ..memo import per_inputs
from ..params import RunParameters
from ..reference import PLAN_SHORT
from ..stats import compare, funnel_limits_overdispersed, funnel_significance, isr, proportion

PM3 = "pm3-citizen-experience"
PM4S = "pm4-staff-satisfaction"
PM4T = "pm4-voluntary-turnover"
PAGE = "objective-2-neighbourhood-teams"
BASELINE_PERIOD = "2022-23"
"""The plan: "Establish baseline in 22/23" for both surveys."""
TURNOVER_RANGE = (10.0, 18.4)
"""NWL target range for voluntary turnover (%), plan section 4."""

UNPLANNED = ("o2-emergency-isr", "o2-ae-isr", "o2-utc-isr")
"""Unplanned-care indicators standardised by sex and age band (catalogue ids)."""

PROPORTIONS = ("o2-readmissions-30d", "o2-carers-identified", "pm3-citizen-experience")
"""Practice-level proportions shown in funnel plots."""


# Partnership measure 3 ------------------------------------------------------------------


def citizen_values(
    params: RunParameters, breakdown: str = "total", period: str | None = None
) -> pd.DataFrame:
    """Citizens reporting a positive experience (%), Wilson intervals, borough then PCNs (or the
    groups of ``breakdown``), compared with the borough."""
    return area_values(
        "citizen_experience",
        "pm3-citizen-experience",
        params,
        kind="proportion",
        multiplier=100,
        polarity="high_is_good",
        breakdown=breakdown,
        period=period,
    )


def citizen_series(params: RunParameters, pcns: bool = True) -> pd.DataFrame:
    """Annual % positive experience up to the period (borough and PCNs)."""
    return series(
        "citizen_experience",
        "pm3-citizen-experience",
        params,
        kind="proportion",
        multiplier=100,
        pcns=pcns,
    )


# Partnership measure 4 ------------------------------------------------------------------


def organisation_values(
    query: str, measure: str, params: RunParameters, *, polarity: str, period: str | None = None
) -> pd.DataFrame:
    """One period's % for the partnership and each organisation (Wilson intervals), compared
    with the partnership value; small counts suppressed. Columns: ``area, numerator,
    denominator, value, lower, upper, comparison, suppressed`` (partnership row first)."""
    period = period or params["period"]
    data = rows(query, measure, params, period=period, area_type="borough")
    total = data[data["breakdown"] == "total"].assign(area=f"{params['area_name']} partnership")
    orgs = data[data["breakdown"] == "organisation"].sort_values("breakdown_value")
    table = pd.concat([total, orgs.assign(area=orgs["breakdown_value"])], ignore_index=True)
    table = table[table["denominator"] > 0].reset_index(drop=True)
    stats = proportion(
        table["numerator"], table["denominator"], confidence=params["confidence"], multiplier=100
    )
    table = pd.concat([table[["area", "numerator", "denominator"]], stats], axis=1)
    table["comparison"] = compare(
        table["lower"], table["upper"], float(table["value"].iloc[0]), polarity
    )
    table.loc[0, "comparison"] = "benchmark"
    out = protect(table, params, kind="proportion", source=query)
    out.loc[out["suppressed"], "comparison"] = "suppressed"
    return out


def staff_values(params: RunParameters, period: str | None = None) -> pd.DataFrame:
    """Staff survey respondents satisfied in their work (%), by organisation."""
    return organisation_values(
        "staff_satisfaction",
        "pm4-staff-satisfaction",
        params,
        polarity="high_is_good",
        period=period,
    )


RANGE_WORDS = {
    "met": "at or below the range's top",
    "not met": "above the range",
    judgement.UNCERTAIN: "too close to call",
}
"""An organisation's turnover against the NWL range (:func:`judgement.against_range`)."""


def turnover_values(params: RunParameters, period: str | None = None) -> pd.DataFrame:
    """Voluntary turnover (%) by organisation with ``against_range``: each interval against
    the NWL range of 10% to 18.4% read with the indicator's polarity (low is good, so the
    range's top is the line; :func:`bbp_analysis.judgement.against_range`)."""
    table = organisation_values(
        "workforce", "pm4-voluntary-turnover", params, polarity="low_is_good", period=period
    )
    low, high = TURNOVER_RANGE
    polarity = indicator(PM4T).polarity
    table["against_range"] = [
        "suppressed" if s else RANGE_WORDS[judgement.against_range(lo, hi, low, high, polarity)]
        for lo, hi, s in zip(table["lower"], table["upper"], table["suppressed"], strict=True)
    ]
    return table


def vacancy_values(params: RunParameters, period: str | None = None) -> pd.DataFrame:
    """Vacancy rate (vacancies / (headcount + vacancies), %) by organisation."""
    return organisation_values(
        "workforce", "o2-vacancy-rate", params, polarity="low_is_good", period=period
    )


def partnership_series(query: str, measure: str, params: RunParameters) -> pd.DataFrame:
    """Partnership-wide annual % (Wilson) to the period: ``period, value, lower, upper``."""
    data = rows(query, measure, params, area_type="borough", breakdown="total")
    data = data[(data["period"] <= params["period"]) & (data["denominator"] > 0)]
    data = data.sort_values("period", ignore_index=True)
    stats = proportion(
        data["numerator"], data["denominator"], confidence=params["confidence"], multiplier=100
    )
    table = pd.concat([data[["period", "numerator", "denominator"]], stats], axis=1)
    return protect(table, params, kind="proportion", source=query)


def baseline_status(
    table: pd.DataFrame, period: str, polarity: str
) -> tuple[str, str, float | None, Reading | None]:
    """Status of a survey series (from :func:`partnership_series`) against the plan's target
    "Establish baseline in 22/23": "baseline set" once the baseline year is in the data, "no
    baseline yet" before. The change since the baseline is a separate comparison, judged by
    :func:`bbp_analysis.judgement.against_baseline` (both years are surveys: better or worse
    only when the interval of the difference, Newcombe's hybrid score method, excludes
    zero), none in the baseline year itself. Returns the status, one sentence, the baseline
    value and the comparison (a :class:`Reading`, or None)."""
    if BASELINE_PERIOD not in set(table["period"]):
        return (
            "no baseline yet",
            f"The survey baseline year ({BASELINE_PERIOD}) is not in the data yet.",
            None,
            None,
        )
    base = table[table["period"] == BASELINE_PERIOD].iloc[0]
    text = f"Baseline established in {BASELINE_PERIOD} at {base['value']:.1f}%, as the plan asked."
    if period == BASELINE_PERIOD:
        return "baseline set", f"{text} This is the baseline year.", float(base["value"]), None
    now = table[table["period"] == period].iloc[0]
    estimates = [
        judgement.Estimate(float(r["value"]), float(r["lower"]), float(r["upper"]))
        for r in (now, base)
    ]
    word = judgement.against_baseline(*estimates, polarity)
    diff = judgement.difference_interval(*estimates)
    relation = "similar to" if word == "similar" else f"{word} than"
    reading = Reading(
        name=f"Change since the {BASELINE_PERIOD} baseline",
        verdict=word,
        text=(
            f"{now['value']:.1f}% in {period} ({now['lower']:.1f} to {now['upper']:.1f}), "
            f"{relation} the baseline of {base['value']:.1f}%: a change of "
            f"{diff.value:+.1f} points ({diff.lower:+.1f} to {diff.upper:+.1f}; two-sample "
            "test using both surveys' uncertainty, Newcombe's method)."
        ),
    )
    return (
        "baseline set",
        f"{text} Change since: {word} ({now['value']:.1f}% in {period}).",
        float(base["value"]),
        reading,
    )


@per_inputs
def headline_measures(params: RunParameters) -> list[Headline]:
    """Partnership measures 3 (citizens' positive experience) and 4 (staff satisfaction;
    voluntary turnover against the NWL range) for the scorecard and the board paper."""
    params = params.replace(pcn=None)
    period = params["period"]
    source = f"{extract.origin()}, {period}; targets from the {PLAN_SHORT}, section 4"
    out = []
    for number, spec_id, query, measure, anchor in (
        (3, PM3, "citizen_experience", "pm3-citizen-experience", "pm3-citizen-experience-pcn"),
        (
            4,
            PM4S,
            "staff_satisfaction",
            "pm4-staff-satisfaction",
            "pm4-staff-satisfaction-organisation",
        ),
    ):
        spec = indicator(spec_id)
        table = partnership_series(query, measure, params)
        row = table[table["period"] == period].iloc[0]
        status, text, base, change = baseline_status(table, period, spec.polarity)
        out.append(
            Headline(
                measure=number,
                period=period,
                unit="%",
                **headline_fields(spec_id, row),
                baseline=base,
                baseline_period=BASELINE_PERIOD,
                target=None,
                target_text=spec.target["text"],
                status=status,
                status_text=text,
                anchor=f"{PAGE}#{anchor}",
                synthetic=extract.is_synthetic(),
                source=source,
                **trend_fields(table),
                readings=(change,) if change else (),
                baseline_comparison=change.verdict if change else "",
            )
        )
    spec = indicator(PM4T)
    table = partnership_series("workforce", "pm4-voluntary-turnover", params)
    row = table[table["period"] == period].iloc[0]
    low, high = TURNOVER_RANGE
    status = judgement.against_range(
        float(row["lower"]), float(row["upper"]), low, high, spec.polarity
    )
    where = {
        "met": "wholly at or below the top of",
        "not met": "wholly above",
        judgement.UNCERTAIN: "across the top of",
    }[status]
    out.append(
        Headline(
            measure=4,
            period=period,
            unit="%",
            **headline_fields(PM4T, row),
            baseline=None,
            baseline_period="",
            target=high,
            target_text=spec.target["text"],
            status=status,
            status_text=(
                f"Partnership voluntary turnover {row['value']:.1f}% ({row['lower']:.1f} "
                f"to {row['upper']:.1f}): the interval is {where} the NWL range of "
                f"{low:g}% to {high:g}% (low is good, so a rate below the range is not a "
                "miss)."
            ),
            anchor=f"{PAGE}#pm4-voluntary-turnover-organisation",
            synthetic=extract.is_synthetic(),
            source=source,
            **trend_fields(table),
        )
    )
    return out


# Standardised unplanned care ------------------------------------------------------------


def practice_pcns(params: RunParameters, period: str | None = None) -> pd.Series:
    """Each practice's PCN (index: practice code), from the extract's aggregates."""
    data = rows(
        "o2_practice_pcn",
        "o2-neighbourhood-profile-practice-pcn",
        params,
        period=period or params["period"],
        area_type="practice",
    )
    data = data[data["denominator"] > 0].sort_values("area_code")
    return data.set_index("area_code")["breakdown_value"].rename("pcn")


def _ratios(key: str, params: RunParameters, level: str, period: str | None) -> pd.DataFrame:
    """Unsuppressed standardised ratios (see :func:`standardised`)."""
    query, measure = indicator(key).query, indicator(key).measure_name
    data = rows(query, measure, params, period=period or params["period"], breakdown="sex_age_band")
    ref = data[data["area_type"] == "borough"][["breakdown_value", "numerator", "denominator"]]
    ref = ref.rename(columns={"numerator": "ref_count", "denominator": "ref_population"})
    ref = ref[ref["ref_population"] > 0]
    local = data[data["area_type"] == level].merge(ref, on="breakdown_value", how="inner")
    local = local.sort_values(["area_code", "breakdown_value"], ignore_index=True)
    result = isr(
        local,
        "numerator",
        "denominator",
        "ref_count",
        "ref_population",
        by="area_code",
        confidence=params["confidence"],
        ref_value=100,
    )
    population = local.groupby("area_code")["denominator"].sum()
    result = result.rename(columns={"area_code": "area"})
    result["population"] = result["area"].map(population).to_numpy()
    result = result[result["population"] > 0].reset_index(drop=True)
    if level == "practice":
        result["pcn"] = result["area"].map(practice_pcns(params, period)).to_numpy()
    else:
        result["pcn"] = result["area"]
    result["comparison"] = compare(result["lower"], result["upper"], 100.0, "low_is_good")
    return result.sort_values("area", ignore_index=True)


def standardised(
    key: str, params: RunParameters, level: str = "pcn", period: str | None = None
) -> pd.DataFrame:
    """Indirectly sex-age standardised ratio (x100; the borough = 100) of an unplanned-care measure
    for each PCN or practice in the period: ``area, pcn, observed, expected, population, value,
    lower, upper, comparison, suppressed`` sorted by area. Expected = sum over 38 sex-age bands
    of the borough's rate x the area's registered persons; small observed counts suppressed."""
    result = _ratios(key, params, level, period)
    query = indicator(key).query
    out = suppress(
        result,
        ["observed"],
        params["suppression_threshold"],
        value_columns=["value", "lower", "upper", "expected"],
        symbol=None,
        source=query,
    )
    out.loc[out["suppressed"], "comparison"] = "suppressed"
    return out[
        [
            "area",
            "pcn",
            "observed",
            "expected",
            "population",
            "value",
            "lower",
            "upper",
            "comparison",
            "suppressed",
        ]
    ].sort_values("area", ignore_index=True)


def practice_proportions(
    key: str, params: RunParameters, period: str | None = None
) -> pd.DataFrame:
    """One proportion for each practice in the period: ``area, pcn, numerator, denominator,
    value, lower, upper`` (Wilson, %), before suppression (funnel input)."""
    query, measure = indicator(key).query, indicator(key).measure_name
    data = rows(
        query,
        measure,
        params,
        period=period or params["period"],
        area_type="practice",
        breakdown="total",
    )
    data = data[data["denominator"] > 0].sort_values("area_code", ignore_index=True)
    stats = proportion(
        data["numerator"], data["denominator"], confidence=params["confidence"], multiplier=100
    )
    table = pd.concat([data[["area_code", "numerator", "denominator"]], stats], axis=1)
    table = table.rename(columns={"area_code": "area"})
    table["pcn"] = table["area"].map(practice_pcns(params, period)).to_numpy()
    return table


def funnel_points(key: str, params: RunParameters, period: str | None = None) -> pd.DataFrame:
    """Practice funnel input and both classifications (all practices, so the limits and the
    overdispersion estimate use the whole borough): ``area, pcn, numerator, denominator,
    value, significance, significance_od, suppressed`` plus ``attrs`` phi, tau2, theta,
    statistic. For ratios numerator/denominator are observed/expected counts."""
    if key in UNPLANNED:
        table = _ratios(key, params, "practice", period)
        table = table.rename(columns={"observed": "numerator", "expected": "denominator"})
        statistic, extra = "ratio", {"ratio_type": "isr"}
    else:
        table = practice_proportions(key, params, period)
        statistic, extra = "proportion", {}
    table = table[table["denominator"] > 0].reset_index(drop=True)
    num, den = table["numerator"], table["denominator"]
    table["significance"] = funnel_significance(num, den, statistic, **extra).to_numpy()
    table["significance_od"] = funnel_significance(
        num, den, statistic, overdispersion=True, **extra
    ).to_numpy()
    limits = funnel_limits_overdispersed(num, den, statistic, **extra)
    theta = 1.0 if statistic == "ratio" else float(num.sum() / den.sum())
    counts = ["numerator", "denominator"] if statistic == "proportion" else ["numerator"]
    protected = suppress(
        table[counts],
        counts,
        params["suppression_threshold"],
        symbol=None,
        source=extract_name(key),
    )
    table["suppressed"] = protected["suppressed"].to_numpy()
    table.attrs.update(
        {
            "phi": limits.attrs["phi"],
            "tau2": limits.attrs["tau2"],
            "theta": theta,
            "statistic": statistic,
        }
    )
    return table[
        [
            "area",
            "pcn",
            "numerator",
            "denominator",
            "value",
            "significance",
            "significance_od",
            "suppressed",
        ]
    ]


def extract_name(key: str) -> str:
    """The SQL file behind a practice measure (for disclosure messages)."""
    return indicator(key).query


def outliers(params: RunParameters, period: str | None = None) -> pd.DataFrame:
    """For each practice measure, how many practices sit outside the 99.8% funnel limits, with
    and without the overdispersion adjustment, and which (the named PCN's only when set)."""
    records = []
    for key in (*UNPLANNED, *PROPORTIONS):
        title = indicator(key).chart_label
        table = funnel_points(key, params, period)
        phi = round(float(table.attrs["phi"]), 2)
        if params.get("pcn"):
            table = table[table["pcn"] == params["pcn"]]

        def named(column: str, table: pd.DataFrame = table) -> str:
            hit = table[table[column].str.contains("99.8")]
            return (
                "; ".join(
                    f"{a} ({s.split(' ')[0].lower()})"
                    for a, s in zip(hit["area"], hit[column], strict=True)
                )
                or "none"
            )

        records.append(
            {
                "measure": title,
                "practices": len(table),
                "outside 99.8% limits": int(table["significance"].str.contains("99.8").sum()),
                "outside 99.8% (overdispersion-adjusted)": int(
                    table["significance_od"].str.contains("99.8").sum()
                ),
                "practices outside (unadjusted)": named("significance"),
                "practices outside (adjusted)": named("significance_od"),
                "overdispersion factor (phi)": phi,
            }
        )
    return pd.DataFrame(records)


def interventions(params: RunParameters) -> dict[str, pd.Timestamp]:
    """Neighbourhood-team interventions built into the extract, as chart annotations: each
    programme's start in the named PCN, or its first start in any PCN (negative controls left
    out)."""
    table = extract.read_table("interventions", params["area_code"])
    table = table[~table["negative_control"]]
    if params.get("pcn"):
        table = table[table["pcn_name"] == params["pcn"]]
    first = table.groupby("intervention")["start_date"].min().sort_index()
    scope = "" if params.get("pcn") else " (first PCN)"
    return {f"{name.replace('_', ' ')}{scope}": pd.Timestamp(when) for name, when in first.items()}


def emergency_monthly(params: RunParameters) -> pd.DataFrame:
    """Monthly emergency admissions (borough, or the named PCN) from April 2021 to the end of
    the period per 100,000 a day, with XmR columns
    (:func:`bbp_analysis.indicators.monthly_spc`): limits fixed before the first programme
    start, recalculated only by the Making Data Count rule at the programme starts of
    :func:`interventions`."""
    return monthly_spc(
        "emergency_admissions_monthly",
        "o2-emergency-monthly",
        params,
        interventions(params),
    )


def readmission_values(params: RunParameters) -> pd.DataFrame:
    """Emergency readmissions within 30 days (% of emergency discharges), borough then PCNs."""
    return values("o2-readmissions-30d", params)


def carer_values(params: RunParameters) -> pd.DataFrame:
    """Adults identified as carers (% of registered adults), borough then PCNs."""
    return values("o2-carers-identified", params)
