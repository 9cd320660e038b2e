"""Objective 3, care pathway transformation: the indicators behind the chapter and partnership
measure 5 (emergency admissions for the plan's six long-term conditions; the whole NHS
Outcomes Framework 2.3.i list is a second indicator beside it).

All values come from the extract's aggregates (:func:`bbp_analysis.extract.measures`):
crude rates with Byar intervals (exact below 10 events), proportions with Wilson score
intervals, directly standardised rates (ESP 2013) with Dobson intervals. Every count shown
passes through :func:`bbp_analysis.disclosure.suppress` at the run's threshold.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from IPython.display import HTML

from .. import extract, judgement
from ..catalogue import indicator
from ..disclosure import suppress_ratio
from ..figures import ci_dot_chart, trend_chart, xmr_figure
from ..headline import INDICATIVE, Headline, Reading, trend_fields
from ..publish import mark_suppressed, show_figure, show_table
from ..reference import PLAN_SHORT
from ..report import describe_dot_chart
from ..stats import baseline_spc, compare, dsr, proportion, rate, recent_trend, sii
from . import objective_3_its as its

PM5 = "pm5-acsc-admissions"
PM5_QUERY = "acsc_plan_admissions"
"""Measure 5's SQL file and measure name: the plan's six conditions."""
NHSOF = "acsc-chronic-nhsof"
NHSOF_QUERY, NHSOF_MEASURE = "acsc_admissions", "acsc_chronic_admissions"
"""The NHS OF 2.3.i list indicator (not the partnership measure)."""
ANCHOR = "objective-3-care-pathways#pm5-acsc-spc"
BASELINE_PERIOD = "2021-22"
"""The review's reference year for measure 5's ethnic variation: the plan states no year for
its figures; 2021-22 is the last full year before the plan (and the year the synthetic
extract is calibrated to)."""
ETHNIC_GROUPS = ("Asian", "Black", "Mixed", "Other", "White")  # "Not stated" left out
OLDER_BANDS = ("65-69", "70-74", "75-79", "80-84", "85-89", "90+")
EXCLUDED_NOTE = "Not stated"
SII_COLUMNS = ("sii", "sii_lower", "sii_upper", "rii", "rii_lower", "rii_upper")
GAP_NOT_COMPUTED = "a deprivation fifth has too few admissions to publish"
SPC_START = pd.Timestamp("2021-04-01")
"""Monthly charts start after the first pandemic year (2020-21), a different process."""
SPC_PER = 100_000
SPC_UNIT = "per 100,000 registered people a day"
"""Monthly charts show rates per day, so that months of 28 to 31 days compare."""


def _seed(params: dict) -> int:
    return int(params.get("synthetic_seed", 20220401))


def rows(query: str, measure: str, params: dict, **where: object) -> pd.DataFrame:
    """Aggregate rows of one measure for the run's area (all periods)."""
    return extract.measures(
        query, area_code=params["area_code"], seed=_seed(params), measure=measure, **where
    )


def _interval(kind: str, numerator, denominator, multiplier: float, confidence: float):
    if kind == "proportion":
        return proportion(numerator, denominator, confidence=confidence, multiplier=multiplier)
    return rate(numerator, denominator, confidence=confidence, multiplier=multiplier)


def area_values(
    query: str,
    measure: str,
    params: dict,
    *,
    kind: str,
    multiplier: float,
    polarity: str,
    breakdown: str = "total",
    level: str = "pcn",
    period: str | None = None,
) -> pd.DataFrame:
    """One period's value for the borough and each PCN (``breakdown="total"``) or each group
    of a breakdown (borough, or the named PCN), with intervals, the comparison with the
    borough (Fingertips rule) and small counts suppressed.

    Columns: ``level, area, numerator, denominator, value, lower, upper, comparison,
    suppressed``; the benchmark row first (level "borough"), then the others by value.
    """
    period = period or params["period"]
    data = rows(query, measure, params, period=period)
    borough = data[(data["area_type"] == "borough") & (data["breakdown"] == "total")]
    if breakdown == "total":
        others = data[(data["area_type"] == level) & (data["breakdown"] == "total")]
        if params.get("pcn") and level == "pcn":
            others = others[others["area_code"] == params["pcn"]]
        others = others.assign(area=others["area_code"])
    else:
        scope = "pcn" if params.get("pcn") else "borough"
        others = data[(data["area_type"] == scope) & (data["breakdown"] == breakdown)]
        if params.get("pcn"):
            others = others[others["area_code"] == params["pcn"]]
        others = others[others["breakdown_value"] != EXCLUDED_NOTE]
        others = others.assign(area=others["breakdown_value"])
    table = pd.concat(
        [
            borough.assign(area=params["area_name"], level="borough"),
            others.assign(level=level if breakdown == "total" else breakdown),
        ]
    )
    table = table[table["denominator"] > 0].reset_index(drop=True)
    stats = _interval(
        kind, table["numerator"], table["denominator"], multiplier, params["confidence"]
    )
    table = pd.concat([table[["level", "area", "numerator", "denominator"]], stats], axis=1)
    benchmark = float(table["value"].iloc[0])
    table["comparison"] = compare(table["lower"], table["upper"], benchmark, polarity)
    table.loc[0, "comparison"] = "benchmark"
    protected = suppress_ratio(
        table,
        params["suppression_threshold"],
        proportion=kind == "proportion",
        value_columns=["value", "lower", "upper"],
        symbol=None,
        source=query,
    )
    protected.loc[protected["suppressed"], "comparison"] = "suppressed"
    body = protected.iloc[1:]
    if breakdown == "total":
        body = body.sort_values("value", ascending=False, kind="stable")
    else:  # natural order of the groups (age from youngest, quintile 1 = most deprived)
        body = body.sort_values("area", key=_group_order, kind="stable")
    return pd.concat([protected.iloc[:1], body], ignore_index=True)


def _group_order(labels: pd.Series) -> pd.Series:
    """Sort key: the number a label starts with (age bands, quintiles), else the label."""
    numbers = pd.to_numeric(labels.astype(str).str.extract(r"^(\d+)")[0], errors="coerce")
    return numbers.fillna(1000).astype(str).str.zfill(8) + labels.astype(str)


def series(
    query: str,
    measure: str,
    params: dict,
    *,
    kind: str,
    multiplier: float,
    pcns: bool = False,
    breakdown: str = "total",
    group: str = "total",
) -> pd.DataFrame:
    """Annual values up to the reporting period for the borough (and each PCN when ``pcns``,
    or the named PCN), for one ``group`` of a ``breakdown`` (default: everyone): ``period,
    area, numerator, denominator, value, lower, upper, suppressed``."""
    data = rows(query, measure, params, breakdown=breakdown, breakdown_value=group)
    data = data[data["period"] <= params["period"]]
    keep = data["area_type"] == "borough"
    if params.get("pcn"):
        keep |= (data["area_type"] == "pcn") & (data["area_code"] == params["pcn"])
    elif pcns:
        keep |= data["area_type"] == "pcn"
    data = data[keep & (data["denominator"] > 0)].copy()
    data["area"] = np.where(data["area_type"] == "borough", params["area_name"], data["area_code"])
    data = data.sort_values(["area_type", "area", "period"], ignore_index=True)
    stats = _interval(
        kind, data["numerator"], data["denominator"], multiplier, params["confidence"]
    )
    table = pd.concat([data[["period", "area", "numerator", "denominator"]], stats], axis=1)
    return suppress_ratio(
        table,
        params["suppression_threshold"],
        proportion=kind == "proportion",
        value_columns=["value", "lower", "upper"],
        symbol=None,
        source=query,
    )


def trend_label(table: pd.DataFrame, area: str, polarity: str) -> str:
    """Fingertips recent trend (last five periods, chi-square at 99.8%) for ``area``."""
    one = table[table["area"] == area].sort_values("period")
    return recent_trend(one["numerator"].astype(float), one["denominator"], polarity)


def trend_figure(
    table: pd.DataFrame,
    *,
    figure_id: str,
    title: str,
    what: str,
    unit: str,
    polarity: str,
    note: str = "",
    target: float | None = None,
) -> HTML:
    """Trend chart of ``table`` (from :func:`series`) with alt text, data table and CSV; the
    caption is ``title`` followed by ``note`` (e.g. the synthetic-data label)."""
    shown = table[~table["suppressed"]]
    fig = trend_chart(
        shown, period="period", series="area", target=target, title=title, ylabel=unit
    )
    caption = f"{title}. {note}".strip()
    parts = []
    for area, group in shown.groupby("area", sort=False):
        group = group.sort_values("period")
        first, last = group.iloc[0], group.iloc[-1]
        parts.append(
            f"{area} from {first['value']:.1f} in {first['period']} to "
            f"{last['value']:.1f} in {last['period']} (recent trend: "
            f"{trend_label(table, area, polarity).lower()})"
        )
    alt = (
        f"Line chart of {what} ({unit}) by year with confidence intervals: "
        + "; ".join(parts)
        + "."
    )
    data = mark_suppressed(
        table,
        ["period", "area", "numerator", "denominator", "value", "lower", "upper"],
        ["numerator", "value", "lower", "upper"],
    )
    return show_figure(
        fig,
        figure_id=figure_id,
        caption=caption,
        alt=alt,
        data=data,
        decimals={"numerator": 0, "denominator": 0, "value": 1, "lower": 1, "upper": 1},
    )


def dot_figure(
    table: pd.DataFrame,
    *,
    figure_id: str,
    title: str,
    what: str,
    label: str,
    unit: str,
    params: dict,
    note: str = "",
) -> HTML:
    """Dot-and-interval chart of ``table`` (from :func:`area_values`) against its benchmark,
    titled ``title``, captioned ``title`` and ``note``; suppressed rows shown as [c] in its
    data only. When every row is suppressed there is nothing to draw, and the data table is
    shown instead with a caption saying why."""
    frame = table.iloc[1:]
    benchmark_name = str(table["area"].iloc[0])
    benchmark = float(table["value"].iloc[0])
    columns = ["area", "numerator", "denominator", "value", "lower", "upper", "comparison"]
    data = mark_suppressed(frame, columns, ["numerator", "value", "lower", "upper"])
    decimals = {"numerator": 0, "denominator": 0, "value": 1, "lower": 1, "upper": 1}
    if frame["suppressed"].all():
        return show_table(
            data,
            f"{title}: every group's count is too small to publish, so "
            f"each is shown as [c]. {note}".strip(),
            figure_id,
            decimals,
        )
    fig = ci_dot_chart(
        frame[~frame["suppressed"]],
        label="area",
        benchmark=benchmark,
        benchmark_label=benchmark_name,
        title=title,
        xlabel=unit.strip() or "value",
    )
    alt = describe_dot_chart(
        frame,
        what=what,
        label=label,
        unit=unit,
        benchmark_name=benchmark_name,
        benchmark=benchmark,
        confidence=params["confidence"],
    )
    return show_figure(
        fig,
        figure_id=figure_id,
        caption=f"{title}. {note}".strip(),
        alt=alt,
        data=data,
        decimals=decimals,
    )


# Partnership measure 5 -----------------------------------------------------------------


def acsc_values(params: dict, breakdown: str = "total", period: str | None = None) -> pd.DataFrame:
    """Measure 5: emergency admissions for the plan's six conditions per 1,000 registered
    people (crude, Byar intervals), borough then PCNs or groups (:func:`area_values`)."""
    spec = indicator(PM5)
    return area_values(
        PM5_QUERY,
        PM5_QUERY,
        params,
        kind="rate",
        multiplier=spec.multiplier,
        polarity=spec.polarity,
        breakdown=breakdown,
        period=period,
    )


def ethnic_range(params: dict, period: str) -> float:
    """Ratio of the highest to the lowest ethnic-group rate (groups with a stated ethnicity,
    borough-wide): the measure of variation between ethnic groups the target asks to reduce."""
    groups = acsc_values({**params, "pcn": None}, "ethnic_group", period).iloc[1:]
    groups = groups[groups["area"].isin(ETHNIC_GROUPS) & groups["value"].notna()]
    return float(groups["value"].max() / groups["value"].min())


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
    return series(PM5_QUERY, PM5_QUERY, params, kind="rate", multiplier=1000, pcns=pcns)


def nhsof_series(params: dict, pcns: bool = False) -> pd.DataFrame:
    """The NHS OF 2.3.i list indicator: annual crude rates per 1,000 registered people to the
    reporting period (borough, and PCNs when ``pcns``), Byar intervals."""
    return series(
        NHSOF_QUERY,
        NHSOF_MEASURE,
        params,
        kind="rate",
        multiplier=indicator(NHSOF).multiplier,
        pcns=pcns,
    )


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
            indicator_id=PM5,
            title=spec.title,
            period=params["period"],
            value=float(row["value"]),
            lower=float(row["lower"]),
            upper=float(row["upper"]),
            unit=spec.unit,
            polarity=spec.polarity,
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
            synthetic=True,
            source=f"Synthetic WSIC-shaped extract, {params['period']}; condition list, baseline "
            f"and target from the {PLAN_SHORT}, section 4",
            **trend_fields(trend),
            readings=status["readings"],
            baseline_text=f"Plan: {plan['baseline']}",
            comparator_text=f"Plan: {plan['nwl']}",
        )
    ]


def daily_rate(count: pd.Series, population: pd.Series, month: pd.Series) -> pd.Series:
    """Events per :data:`SPC_PER` people per day in each calendar month (``month`` dated on
    any day of it): count / (population x days in the month) x SPC_PER."""
    return count / (population * pd.to_datetime(month).dt.days_in_month) * SPC_PER


def monthly_spc(
    query: str, measure: str, params: dict, programmes: dict[str, pd.Timestamp]
) -> pd.DataFrame:
    """A monthly count (borough, or the named PCN) from :data:`SPC_START` to the end of the
    period as a rate per day (:func:`daily_rate`, so months of different lengths compare), on
    an XmR chart with limits fixed on the pre-programme baseline and recalculated at
    ``programmes`` starts (name -> date; starts after the period left out) only by the Making
    Data Count rule (:func:`bbp_analysis.stats.baseline_spc`, improvement = decrease);
    ``attrs`` keep the starts (``programmes``) and the ``unit`` for the chart."""
    data = rows(query, measure, params, breakdown="total")
    end = pd.Timestamp(params["period_end"])
    scope = "pcn" if params.get("pcn") else "borough"
    data = data[data["area_type"] == scope]
    if params.get("pcn"):
        data = data[data["area_code"] == params["pcn"]]
    data = data.assign(date=pd.to_datetime(data["period"] + "-01"))
    data = data[(data["date"] >= SPC_START) & (data["date"] <= end)]
    data = data.sort_values("date")
    value = daily_rate(data["numerator"], data["denominator"], data["date"])
    programmes = {name: when for name, when in programmes.items() if when <= end}
    points = baseline_spc(
        value.to_numpy(), data["date"].to_numpy(), list(programmes.values()), improvement="decrease"
    )
    points["count"] = data["numerator"].to_numpy()
    points["days"] = data["date"].dt.days_in_month.to_numpy()
    points.attrs.update(programmes=programmes, unit=SPC_UNIT)
    return points


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
        "acsc_plan_admissions_monthly",
        "acsc_plan_admissions_monthly",
        params,
        programme_starts(params),
    )


def acsc_spc_figure(points: pd.DataFrame, params: dict) -> HTML:
    """SPC chart of :func:`acsc_monthly` (:func:`bbp_analysis.figures.xmr_figure`); no target
    line, because the plan's NWL average is a rate by weighted population on another basis."""
    where = params.get("pcn") or params["area_name"]
    title = f"Emergency admissions for the plan's six conditions, {where}: XmR chart"
    parts = xmr_figure(
        points,
        title=title,
        unit=SPC_UNIT,
        subject=f"measure 5 for {where}",
        threshold=params["suppression_threshold"],
        source="acsc_plan_admissions_monthly",
        note="No target line: the plan's NWL average is a rate by weighted "
        "population, not comparable.",
    )
    caption = (
        f"{title} ({SPC_UNIT}), diabetes team starts marked. "
        f"{extract.synthetic_label(params['area_code'], _seed(params))}"
    )
    return show_figure(**parts, figure_id="pm5-acsc-spc", caption=caption)


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
    and area (borough, plus the named PCN)."""
    data = rows("falls_65plus", "falls_admissions_65plus", params, breakdown="age_band")
    data = data[(data["period"] <= params["period"]) & data["breakdown_value"].isin(OLDER_BANDS)]
    keep = data["area_type"] == "borough"
    if params.get("pcn"):
        keep |= (data["area_type"] == "pcn") & (data["area_code"] == params["pcn"])
    data = data[keep].copy()
    data["area"] = np.where(data["area_type"] == "borough", params["area_name"], data["area_code"])
    result = dsr(
        data,
        "numerator",
        "denominator",
        "esp2013",
        by=["area", "period"],
        confidence=params["confidence"],
        age_band="breakdown_value",
    )
    result = result.rename(columns={"total_count": "numerator", "total_population": "denominator"})
    result = result.sort_values(["area", "period"], ignore_index=True)
    return suppress_ratio(
        result,
        params["suppression_threshold"],
        proportion=False,
        value_columns=["value", "lower", "upper"],
        symbol=None,
        source="falls_65plus",
    )


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
    data = rows(PM5_QUERY, PM5_QUERY, params, breakdown="imd_quintile")
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
        source="acsc_admissions",
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
    :func:`bbp_analysis.judgement.gap_change`: "narrower" or "wider" only when the interval
    of the change excludes zero, otherwise "no clear change"; "not tested" without the
    baseline year. ``confidence`` is the level of the table's intervals."""
    baseline = judgement.GAP_BASELINE_PERIOD
    now = table.iloc[-1]
    if baseline not in set(table["period"]) or now["period"] == baseline:
        return f"not tested (no year after {baseline} to compare)"
    base = table[table["period"] == baseline].iloc[0]
    if pd.isna(base["sii"]) or pd.isna(now["sii"]):
        return f"not assessed ({GAP_NOT_COMPUTED} in {baseline} or {now['period']})"
    verdict, z = judgement.gap_change(
        *(
            judgement.Estimate(float(r["sii"]), float(r["sii_lower"]), float(r["sii_upper"]))
            for r in (base, now)
        ),
        confidence,
    )
    if verdict == judgement.NO_CLEAR_CHANGE:
        return f"no clear change since {baseline} (z = {z:.2f})"
    return f"{verdict} than in {baseline} (z = {z:.2f})"


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
