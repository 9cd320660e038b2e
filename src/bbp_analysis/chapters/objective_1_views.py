"""Objective 1's figures and tables: the measure 1 and 2 charts, the population pyramid and
composition tables, Core20PLUS5, inequality (SII/RII by year, ethnic gap), prevention and the
practice funnel plots, each with alt text generated from its data, a data table and a CSV
download (suppressed values shown as [c])."""

from __future__ import annotations

import pandas as pd
from IPython.display import HTML

from .. import figures, judgement
from ..catalogue import indicator
from ..chart_style import legend_below, widen_y
from ..figures import pyramid_chart, trend_chart
from ..indicators import area_values, protect, rows
from ..params import RunParameters
from ..publish import mark_suppressed, show_figure, show_table
from ..stats import funnel_limits_overdispersed, funnel_plot_points, funnel_significance, proportion
from . import objective_1 as o1
from . import objective_1_groups as groups
from .scope import synthetic_label as _label

BREAST_LOW = 15.0
"""The plan: some practices below 15% for breast screening."""
ONE_DP = {"value": 1, "lower": 1, "upper": 1}


# Partnership measures ---------------------------------------------------------------------


def _with_comparators(
    table: pd.DataFrame, bench: pd.DataFrame, columns: list[str], counts: list[str]
) -> pd.DataFrame:
    """A trend chart's data: the area's ``columns`` ([c] in ``counts`` where suppressed), then
    its comparators' values with their source (from the plan, or simulated)."""
    marked = mark_suppressed(table, columns, counts)
    return pd.concat([marked, bench.rename(columns={"origin": "source"})], ignore_index=True)


def _show_trend(
    fig,
    figure_id: str,
    sources: tuple[pd.DataFrame, pd.DataFrame, RunParameters],
    counts: list[str],
    caption: str,
    alt: str,
) -> HTML:
    """Show a measure's trend chart: its data are the area's period, area, ``counts`` (whole
    numbers, [c] where suppressed), value and interval, then the comparators (``sources`` is
    the area's table, the comparators and the run's parameters); the caption gains the
    comparators' sources and the data label."""
    table, bench, params = sources
    data = _with_comparators(
        table,
        bench,
        ["period", "area", *counts, "value", "lower", "upper"],
        [counts[0], "value", "lower", "upper"],
    )
    return show_figure(
        fig,
        figure_id=figure_id,
        caption=f"{caption} {o1.comparator_caption(bench)} {_label(params)}",
        alt=alt,
        data=data,
        decimals={**dict.fromkeys(counts, 0), **ONE_DP},
    )


def decay_figure(params: RunParameters) -> HTML:
    """Measure 1: tooth decay at age 5 by survey year for the area, with London and England
    (and NWL) from the comparator table, and both target readings as reference lines."""
    table = o1.decay_series(params)
    bench = o1.comparators(params, "oral_health_decay_age5")
    bench = bench[bench["period"].isin(table["period"])]
    shown = pd.concat(
        [
            table[~table["suppressed"]][["period", "area", "value", "lower", "upper"]],
            bench[["period", "area", "value"]],
        ],
        ignore_index=True,
    )
    targets = o1.decay_targets()
    fig = trend_chart(
        shown,
        period="period",
        series="area",
        target=targets["relative"],
        title="Five-year-olds with experience of tooth decay",
        ylabel="%",
    )
    fig.axes[0].axhline(
        targets["points"],
        color="#555555",
        linestyle=":",
        linewidth=1,
        label=f"Target, percentage-point reading ({targets['points']:.1f}%)",
    )
    widen_y(fig.axes[0], targets["points"])
    legend_below(fig, ncols=2)
    last = table.iloc[-1]
    alt = (
        f"Line chart of the share of five-year-olds with tooth decay by survey year: "
        f"{last['area']} {last['value']:.1f}% in {last['period']} against "
        + ", ".join(
            f"{a} {v:.1f}%"
            for a, v in zip(
                bench.loc[bench["period"] == last["period"], "area"],
                bench.loc[bench["period"] == last["period"], "value"],
                strict=True,
            )
        )
        + f"; targets {targets['relative']:.1f}% (relative) and {targets['points']:.1f}% "
        "(percentage points)."
    )
    return _show_trend(
        fig,
        "pm1-tooth-decay-5-trend",
        (table, bench, params),
        ["numerator", "denominator"],
        "Five-year-olds with experience of dental decay (%, 95% Wilson interval), "
        f"survey years to {params['period']}, with London, England and NWL.",
        alt,
    )


def gpps_trend_figure(params: RunParameters, rating: str) -> HTML:
    """Measure 2: the area's weighted % rating access ``rating`` by year, with NWL, London and
    England and the NWL-average target line."""
    level = "pcn" if params.get("pcn") else "borough"
    table = o1.gpps_values(params, rating, level=level)
    measure = o1.GPPS[rating][0]
    bench = o1.comparators(params, measure)
    bench = bench[bench["period"] <= params["period"]]
    shown = pd.concat([table[~table["suppressed"]], bench], ignore_index=True)
    target = o1.gpps_target(rating)
    title = f"Experience of making a GP appointment rated {rating}"
    fig = trend_chart(
        shown, period="period", series="area", target=target, title=title, ylabel="% of respondents"
    )
    last = table.iloc[-1]
    alt = (
        f"Line chart of the weighted share of GP Patient Survey respondents rating their "
        f"experience of making an appointment {rating}: {last['area']} "
        f"{last['value']:.1f}% in {last['period']}, target {target:g}% (the NWL average "
        "when the plan was written)."
    )
    return _show_trend(
        fig,
        f"pm2-gp-access-{rating}-trend",
        (table, bench, params),
        ["respondents", "effective_n"],
        f"{title} (weighted %, 95% interval allowing for the survey weighting), "
        "with NWL, London and England.",
        alt,
    )


GROUP_WORDS = {
    "met": "meets target",
    "not met": "short of target",
    "uncertain": "too close to call",
}
"""A group's reading against a level (:func:`bbp_analysis.judgement.against_target`)."""


def gpps_groups_table(params: RunParameters, rating: str) -> HTML:
    """Measure 2 by age band, ethnic group and local deprivation fifth in the period, each
    group read against both NWL levels by its 99.8% interval (many groups compared,
    :func:`bbp_analysis.judgement.screening`): the plan's NWL figure and the NWL average of
    the same year (the comparator table). The table shows the 95% interval."""
    target = o1.gpps_target(rating)
    same = o1.nwl_same_year(params, rating)
    level = "pcn" if params.get("pcn") else "borough"
    frames, wide = [], []
    for breakdown, name in o1.GPPS_GROUPS.items():
        table = o1.gpps_values(params, rating, breakdown, level=level, period=params["period"])
        frames.append(table.assign(breakdown=name))
        wide.append(
            o1.gpps_values(
                judgement.screening(params),
                rating,
                breakdown,
                level=level,
                period=params["period"],
            )
        )
    table = pd.concat(frames, ignore_index=True)
    screened = pd.concat(wide, ignore_index=True)
    plan_column = f"against plan's NWL {target:g}%"
    columns = {plan_column: target}
    if same is not None:
        columns[f"against NWL {params['period']} ({same[0]:.1f}%, {same[1]})"] = same[0]
    for column, level_value in columns.items():
        table[column] = [
            "suppressed"
            if s
            else GROUP_WORDS[judgement.against_target(lo, hi, level_value, o1.POLARITY[rating])]
            for lo, hi, s in zip(
                screened["lower"], screened["upper"], table["suppressed"], strict=True
            )
        ]
    shown = mark_suppressed(
        table,
        ["breakdown", "group", "respondents", "value", "lower", "upper", *columns],
        ["respondents", "value", "lower", "upper"],
    )
    where = params.get("pcn") or params["area_name"]
    caption = (
        f"Experience of making a GP appointment rated {rating} by group, {where}, "
        f"{params['period']} (weighted %, 95% interval), read against the plan's NWL figure "
        f"of {target:g}% (which sets the status) and against the NWL average of the same year. "
        "Each group is judged by its 99.8% interval, as many groups are compared: short of "
        "the target only when that interval lies wholly on the wrong side. No NWL figure is "
        "held for each group, so the all-age level is applied to every group. "
        f"{_label(params)}"
    )
    return show_table(
        shown,
        caption,
        f"pm2-gp-access-{rating}-groups",
        decimals={"respondents": 0, **ONE_DP},
        method="Weighted proportion; Wilson interval on the Kish effective n",
    )


# Population -------------------------------------------------------------------------------


def pyramid_figure(params: RunParameters, pcn: str | None = None) -> HTML:
    """Population pyramid of the borough, or of ``pcn`` with the borough as an outline."""
    table = groups.pyramid(params, pcn)
    compare = groups.pyramid(params) if pcn else None
    where = pcn or params["area_name"]
    fig = pyramid_chart(
        table, compare=compare, title=f"Registered population by age and sex, {where}"
    )
    older = table[table["age_band"].str.match(r"^(6[5-9]|[7-9]\d)")]["share"].sum()
    young = table[table["age_band"].isin(["0-4", "5-9", "10-14"])]["share"].sum()
    alt = (
        f"Population pyramid of {where}'s registered population by five-year age band, "
        f"males left and females right: {young:.1f}% aged 0-14 and {older:.1f}% aged 65 "
        "and over" + (f"; {params['area_name']} shown as an outline." if pcn else ".")
    )
    figure_id = "o1-registered-population-pyramid" + (f"-{_slug(pcn)}" if pcn else "")
    caption = (
        f"Registered population by sex and five-year age band, {where}, 1 October of "
        f"{params['period']} (% of all registered). {_label(params)}"
    )
    data = mark_suppressed(table, ["age_band", "sex", "persons", "share"], ["persons", "share"])
    return show_figure(
        fig,
        figure_id=figure_id,
        caption=caption,
        alt=alt,
        data=data,
        decimals={"persons": 0, "share": 2},
    )


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-")


def composition_table(params: RunParameters, breakdown: str, caption: str, table_id: str) -> HTML:
    """Shares of the registered population by group for the borough and PCNs."""
    table = groups.composition(params, breakdown)
    shown = table.astype(object).where(table.notna(), "[c]")
    return show_table(
        shown,
        f"{caption}, {params['period']} (% of registered people; [c]: "
        f"fewer than {params['suppression_threshold']}). {_label(params)}",
        table_id,
        decimals={c: 1 for c in table.columns if c != "group"},
    )


def segments_table(params: RunParameters) -> HTML:
    """Bridges to Health segments: share of people and of emergency admissions."""
    table = groups.segments(params)
    shown = mark_suppressed(
        table,
        [
            "segment",
            "name",
            "persons",
            "population_share",
            "admissions",
            "admissions_share",
            "ratio",
        ],
        ["persons", "admissions", "population_share", "admissions_share", "ratio"],
    )
    where = params.get("pcn") or params["area_name"]
    return show_table(
        shown,
        f"Bridges to Health segments, {where}, {params['period']}: share "
        "of registered people and of emergency admissions (%); ratio above 1 "
        f"means more than their share of admissions. {_label(params)}",
        "o1-b2h-segments-table",
        decimals={
            "persons": 0,
            "admissions": 0,
            "population_share": 1,
            "admissions_share": 1,
            "ratio": 2,
        },
    )


# Core20PLUS5 ------------------------------------------------------------------------------


def group_size_table(params: RunParameters) -> HTML:
    """Core20 and the PLUS groups set in the parameters: size (% with Wilson intervals) and
    emergency admissions against everyone else (indirectly standardised ratio); then how each
    group is found in the extract and where it comes from."""
    table = groups.group_sizes(params)
    people = ["group", "persons", "denominator", "value", "lower", "upper"]
    ratios = ["ratio", "ratio_lower", "ratio_upper", "others_ratio"]
    shown = pd.concat(
        [
            mark_suppressed(table, people, ["persons", "value", "lower", "upper"]),
            mark_suppressed(table.assign(suppressed=table["ratio_suppressed"]), ratios, ratios),
            table[["versus"]].reset_index(drop=True),
        ],
        axis=1,
    ).rename(
        columns={
            "persons": "people",
            "denominator": "registered",
            "value": "% of registered",
            "ratio": "emergency admissions, ratio to expected",
            "ratio_lower": "ratio lower",
            "ratio_upper": "ratio upper",
            "others_ratio": "everyone else's ratio",
            "versus": "group vs everyone else",
        }
    )
    where = params.get("pcn") or params["area_name"]
    sizes = show_table(
        shown,
        f"Core20PLUS groups in {where}, {params['period']}: share of registered people (%, "
        "95% Wilson interval) and emergency admissions as a ratio to the number expected at "
        "the whole population's rates for each five-year age band (100 = as expected; 95% "
        "Byar interval), the group against everyone not in it. A group the extract cannot "
        f"identify is listed without numbers. {_label(params)}",
        "o1-core20plus-groups-table",
        decimals={
            "people": 0,
            "registered": 0,
            "% of registered": 2,
            "lower": 2,
            "upper": 2,
            "emergency admissions, ratio to expected": 0,
            "ratio lower": 0,
            "ratio upper": 0,
            "everyone else's ratio": 0,
        },
    )
    definitions = show_table(
        groups.group_definitions(params),
        "How each PLUS group is found in the extract, and where the group comes from: a seed "
        "document that names it (quoted) or the review's own choice. The plan names no PLUS "
        "groups; they are set in the parameters (plus_groups).",
        "o1-core20plus-groups-definitions",
    )
    return HTML(sizes.data + definitions.data)


def clinical_table(params: RunParameters) -> HTML:
    """The five clinical areas, each group against everyone else and the ambition."""
    table = groups.clinical_areas(params)
    columns = [
        "clinical area",
        "group",
        "group n",
        "group %",
        "lower",
        "upper",
        "everyone else",
        "everyone else %",
        "group vs everyone else",
        "ambition",
        "ambition reached",
    ]
    shown = mark_suppressed(
        table, columns, ["group n", "group %", "lower", "upper", "everyone else %"]
    )
    where = params.get("pcn") or params["area_name"]
    return show_table(
        shown,
        f"Core20PLUS5 clinical areas in {where}, {params['period']}: "
        "each group against everyone else (%, 95% Wilson interval; 'higher' or "
        f"'lower' when the group's 99.8% interval excludes everyone else's value, as "
        f"{len(table)} comparisons are made at once). "
        f"{_label(params)}",
        "o1-core20plus5-clinical-table",
        decimals={"group n": 0, "group %": 1, "lower": 1, "upper": 1, "everyone else %": 1},
    )


# Inequality -------------------------------------------------------------------------------


def inequality_table(params: RunParameters) -> tuple[HTML, pd.DataFrame]:
    """SII and RII across local deprivation fifths in the period for the main indicators,
    with the change since the baseline year (:func:`groups.gap_change`): the table and its
    data."""
    records = []
    for key in groups.INEQUALITY_KEYS:
        trend = groups.inequality_trend(key, params)
        change = groups.gap_change(trend, params["confidence"])
        last = trend.iloc[-1]
        records.append(
            {
                "indicator": indicator(key).chart_label,
                "key": key,
                "SII": last["sii"],
                "SII lower": last["sii_lower"],
                "SII upper": last["sii_upper"],
                "RII": last["rii"],
                "RII lower": last["rii_lower"],
                "RII upper": last["rii_upper"],
                "baseline year": change["first"],
                "SII, baseline year": change["sii_first"],
                "gap since baseline year": change["verdict"],
            }
        )
    table = pd.DataFrame(records)
    where = params.get("pcn") or params["area_name"]
    shown = table.drop(columns="key")
    html = show_table(
        shown,
        f"Slope index of inequality (SII: least minus most deprived "
        f"local fifth, in the indicator's unit) and relative index (RII: their "
        f"ratio), {where}, {params['period']}, with 95% simulated intervals; "
        "'gap since baseline year': the change in the SII since the year before the plan, "
        "narrower or wider only when its 95% interval excludes zero (see the methods page). "
        f"{_label(params)}",
        "o1-sii-deprivation-table",
        decimals={
            c: (2 if c.startswith("RII") else 1)
            for c in shown.columns
            if c.startswith(("SII", "RII"))
        },
        method="Population-weighted regression on the fifths' midpoints "
        "(PHE SII tool method), logit/log intervals simulated",
    )
    return html, table


def sii_trend_figure(key: str, params: RunParameters) -> HTML:
    """The SII of one indicator by year with its interval (is the gap closing?)."""
    trend = groups.inequality_trend(key, params)
    title = f"Deprivation gap (SII): {indicator(key).chart_label}"
    shown = trend.rename(columns={"sii": "value", "sii_lower": "lower", "sii_upper": "upper"})
    fig = trend_chart(
        shown.assign(area="SII"),
        period="period",
        series="area",
        title=title,
        ylabel="least minus most deprived",
        floor=None,
        reference=0.0,
    )
    change = groups.gap_change(trend, params["confidence"])
    first, last = (
        "not computed" if pd.isna(v) else f"{v:.1f}"
        for v in (change["sii_first"], change["sii_last"])
    )
    alt = (
        f"Line chart of the slope index of inequality for {indicator(key).chart_label} by "
        f"year: {first} in {change['first']} and {last} in {change['last']}; the gap is "
        f"{change['verdict']}."
    )
    return show_figure(
        fig,
        figure_id=f"{key}-sii-trend",
        caption=f"{title}, by year, 95% interval. {_label(params)}",
        alt=alt,
        data=trend,
        decimals={c: 2 for c in trend.columns if c != "period"},
    )


def ethnic_gap_table(params: RunParameters) -> HTML:
    """The gap between the highest and lowest ethnic group for the main indicators, first
    year and the period."""
    records = []
    for key in groups.INEQUALITY_KEYS:
        gaps = groups.ethnic_gap(key, params)
        first, last = gaps.iloc[0], gaps.iloc[-1]
        records.append(
            {
                "indicator": indicator(key).chart_label,
                "highest": last["highest"],
                "highest value": last["highest_value"],
                "lowest": last["lowest"],
                "lowest value": last["lowest_value"],
                "gap": last["gap"],
                "first year": first["period"],
                "gap in first year": first["gap"],
            }
        )
    table = pd.DataFrame(records)
    where = params.get("pcn") or params["area_name"]
    return show_table(
        table,
        f"Gap between the highest and lowest ethnic group (Asian, Black, "
        f"Mixed, Other, White), {where}, {params['period']} and the first year "
        f"(indicator's unit; groups under {params['suppression_threshold']} "
        f"events left out). {_label(params)}",
        "o1-ethnic-gap-table",
        decimals={"highest value": 1, "lowest value": 1, "gap": 1, "gap in first year": 1},
    )


# Prevention and neighbourhoods --------------------------------------------------------------


def practice_points(key: str, params: RunParameters) -> pd.DataFrame:
    """One indicator's value for every practice (the whole borough, so the limits use all
    practices), with funnel classifications unadjusted and overdispersion-adjusted."""
    query, measure = indicator(key).query, indicator(key).measure_name
    data = rows(
        query, measure, params, period=params["period"], area_type="practice", breakdown="total"
    )
    data = data[data["denominator"] > 0].sort_values("area_code", ignore_index=True)
    stats = proportion(data["numerator"], data["denominator"], confidence=params["confidence"])
    table = pd.concat([data[["area_code", "numerator", "denominator"]], stats], axis=1)
    table = table.rename(columns={"area_code": "practice"})
    pcn = rows(
        "o2_practice_pcn",
        "o2-neighbourhood-profile-practice-pcn",
        params,
        period=params["period"],
        area_type="practice",
    ).set_index("area_code")["breakdown_value"]
    table["pcn"] = table["practice"].map(pcn)
    num, den = table["numerator"], table["denominator"]
    table["significance"] = funnel_significance(num, den, "proportion").to_numpy()
    table["significance_od"] = funnel_significance(
        num, den, "proportion", overdispersion=True
    ).to_numpy()
    table.attrs["phi"] = funnel_limits_overdispersed(num, den, "proportion").attrs["phi"]
    return table


def funnel_figure(key: str, params: RunParameters) -> HTML:
    """Practice funnel plot (95% and 99.8% limits around the borough value); the named PCN's
    practices only when set. Small practices' values are suppressed."""
    table = practice_points(key, params)
    limits = funnel_plot_points(table["numerator"], table["denominator"], "proportion")
    table = protect(table, params, kind="proportion", source=indicator(key).query)
    if params.get("pcn"):
        table = table[table["pcn"] == params["pcn"]]
    shown = table[~table["suppressed"]]
    title = indicator(key).chart_label
    counts = shown["significance"].value_counts()
    od = int(shown["significance_od"].str.contains("99.8").sum())
    low = int((shown["value"] < BREAST_LOW).sum())
    below = f"; {low} below {BREAST_LOW:g}%" if key == "o1-breast-screening" else ""
    alt = (
        f"Funnel plot of {title.lower()} for {len(shown)} practices: "
        + ", ".join(f"{n} {k.lower()}" for k, n in counts.items())
        + f"; {od} outside the 99.8% limits after the overdispersion adjustment (phi "
        f"{table.attrs.get('phi', float('nan')):.2f}){below}."
    )
    return figures.funnel_figure(
        table,
        limits,
        figure_id=f"{key}-funnel",
        label="practice",
        title=f"{title}: practices, {params['period']}",
        xlabel="eligible",
        ylabel="%",
        caption=(
            f"{title}: practice funnel plot, 95% and 99.8% limits around the "
            f"{params['area_name']} value; overdispersion-adjusted classification "
            f"(Spiegelhalter random effects) in the data. {_label(params)}"
        ),
        alt=alt,
        decimals={"numerator": 0, "denominator": 0, "value": 1},
    )


def pcn_values(key: str, params: RunParameters) -> pd.DataFrame:
    """One indicator (not the weighted GP survey) for the borough and each PCN (or the named
    PCN) in the period, with intervals and the comparison with the borough."""
    item = indicator(key)
    query, measure, kind = item.query, item.measure_name, item.kind
    multiplier, polarity = item.multiplier, item.polarity
    return area_values(query, measure, params, kind=kind, multiplier=multiplier, polarity=polarity)
