"""Objective 2's neighbourhood profiles and figures: small multiples of the PCNs, funnel
plots with overdispersion-adjusted limits, the SPC chart and the dot charts, each shown with
alt text generated from its data, a data table and a CSV download (suppressed counts [c])."""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import HTML
from matplotlib.ticker import MaxNLocator

from .. import figures
from ..catalogue import indicator
from ..chart_style import PALETTE, legend_below, new_figure, text_size
from ..disclosure import suppress
from ..figures import ci_dot_chart, describe_dot_chart
from ..indicators import rows
from ..params import RunParameters
from ..publish import mark_suppressed, show_figure, show_table
from ..stats import funnel_plot_points, isr
from . import objective_2 as o2
from .scope import synthetic_label as _label
from .scope import where as _where

ETHNIC = ("Asian", "Black", "Mixed", "Other", "White")
CONDITIONS = {
    "o3-diabetes-prevalence": "Diabetes",
    "o3-hypertension-prevalence": "Hypertension",
    "o2-ltc-prevalence-expected-copd": "COPD",
    "o2-ltc-prevalence-expected-asthma": "Asthma",
}
SEGMENTS = 8


def _share(data: pd.DataFrame, breakdown: str, value: str, areas: pd.Series) -> pd.Series:
    """Share (%) of the registered population in one group, by area code."""
    part = data[(data["breakdown"] == breakdown) & (data["breakdown_value"] == value)]
    part = part.set_index("area_code")["numerator"]
    return (part.reindex(areas.index).fillna(0) / areas * 100).round(1)


def _prevalence(params: RunParameters, measure: str) -> pd.DataFrame:
    """Recorded prevalence (%) and age-expected prevalence (%: the borough's age-band prevalence
    applied to the area's age structure, by indirect standardisation) by area code."""
    data = rows("ltc_prevalence", measure, params, period=params["period"])
    total = data[data["breakdown"] == "total"].set_index("area_code")
    bands = data[data["breakdown"] == "age_band"]
    ref = bands[bands["area_type"] == "borough"][["breakdown_value", "numerator", "denominator"]]
    ref = ref.rename(columns={"numerator": "ref_n", "denominator": "ref_d"})
    ref = ref[ref["ref_d"] > 0]
    local = bands[bands["area_type"].isin(["borough", "pcn"])].merge(ref, on="breakdown_value")
    ratio = isr(local, "numerator", "denominator", "ref_n", "ref_d", by="area_code")
    ratio = ratio.set_index("area_code")
    denominator = total["denominator"].reindex(ratio.index)
    return pd.DataFrame(
        {
            "recorded": ratio["observed"] / denominator * 100,
            "expected": ratio["expected"] / denominator * 100,
            "cases": ratio["observed"],
        }
    )


def profile(params: RunParameters) -> pd.DataFrame:
    """The neighbourhood profile for the period: one row per PCN plus the borough (last), with
    registered population, practices, age, deprivation, ethnic mix, recorded and expected
    prevalence of four conditions and the Bridges to Health segment shares (all %).
    Population counts and prevalence cases pass through disclosure control."""
    period = params["period"]
    pop = rows("registered_population", "o1-registered-population", params, period=period)
    pop = pop[pop["area_type"].isin(["borough", "pcn"])]
    totals = pop[pop["breakdown"] == "total"].set_index("area_code")["numerator"]
    order = [*sorted(a for a in totals.index if a != params["area_code"]), params["area_code"]]
    totals = totals.reindex(order)
    table = pd.DataFrame(index=totals.index)
    table["Registered population"] = totals
    practices = o2.practice_pcns(params).value_counts()
    table["Practices"] = [int(practices.get(a, practices.sum())) for a in order]
    older = rows(
        "registered_population",
        "o1-registered-population-aged-65-plus",
        params,
        period=period,
        breakdown="total",
    ).set_index("area_code")
    young = rows(
        "registered_population",
        "o1-registered-population-aged-0-15",
        params,
        period=period,
        breakdown="total",
    ).set_index("area_code")
    table["Aged 0-15 (%)"] = (young["numerator"] / young["denominator"] * 100).reindex(order)
    table["Aged 65+ (%)"] = (older["numerator"] / older["denominator"] * 100).reindex(order)
    table["Most deprived local fifth (%)"] = _share(pop, "imd_quintile", "1", totals)
    for group in ETHNIC:
        table[f"{group} (%)"] = _share(pop, "ethnic_group", group, totals)
    for measure, name in CONDITIONS.items():
        prev = _prevalence(params, measure).reindex(order)
        table[f"{name} recorded (%)"] = prev["recorded"]
        table[f"{name} expected (%)"] = prev["expected"]
        table[f"_{name} cases"] = prev["cases"]
    for k in range(1, SEGMENTS + 1):
        seg = rows(
            "b2h_segments", f"o1-b2h-segments-{k}", params, period=period, breakdown="total"
        ).set_index("area_code")
        table[f"Segment {k} (%)"] = (seg["numerator"] / seg["denominator"] * 100).reindex(order)
    table.index = [params["area_name"] if a == params["area_code"] else a for a in order]
    table.index.name = "area"
    out = table.reset_index()
    counts = ["Registered population"] + [c for c in out if c.startswith("_")]
    rates = {f"_{n} cases": [f"{n} recorded (%)", f"{n} expected (%)"] for n in CONDITIONS.values()}
    for column in counts:
        protected = suppress(
            out[["area", column, *rates.get(column, [])]],
            [column],
            params["suppression_threshold"],
            value_columns=rates.get(column, []),
            symbol=None,
            source="registered_population",
        )
        for name in [column, *rates.get(column, [])]:
            out[name] = protected[name]
    return out.drop(columns=[c for c in out if c.startswith("_")])


def _short(name: str) -> str:
    return name.removesuffix(" PCN")


PANELS = [
    ("Registered population", "Registered population"),
    ("Aged 0-15 (%)", "Aged 0-15 (%)"),
    ("Aged 65+ (%)", "Aged 65+ (%)"),
    ("Most deprived local fifth (%)", "Most deprived local fifth (%)"),
    ("Asian (%)", "Asian ethnic group (%)"),
    ("White (%)", "White ethnic group (%)"),
    ("Diabetes", "Diabetes prevalence (%)"),
    ("Hypertension", "Hypertension prevalence (%)"),
]


def profile_figure(table: pd.DataFrame, params: RunParameters) -> HTML:
    """Small multiples: one panel per profile measure, one bar per PCN, the borough value as a
    dashed line; for conditions, bars are recorded and diamonds the age-expected prevalence;
    a last panel shows the segment mix (no borough line on the population panel). The named
    PCN's bars are hatched and starred."""
    pcns = table.iloc[:-1]
    borough = table.iloc[-1]
    fig, axes = new_figure(560, rows=3, cols=3, sharey=True)
    labels = [_short(a) + (" *" if a == params.get("pcn") else "") for a in pcns["area"]]
    y = np.arange(len(pcns))
    for ax, (column, title) in zip(axes.flat, PANELS, strict=False):
        recorded = f"{column} recorded (%)" if column in CONDITIONS.values() else column
        values = pcns[recorded].astype(float)
        bars = ax.barh(y, values, color=PALETTE["blue"], label="PCN value")
        for bar, area in zip(bars, pcns["area"], strict=True):
            if area == params.get("pcn"):
                bar.set_hatch("//")
                bar.set_color(PALETTE["orange"])
        if column != "Registered population":  # a borough total is not a comparator
            ax.axvline(
                float(borough[recorded]),
                color=PALETTE["black"],
                linestyle="--",
                linewidth=1,
                label=params["area_name"],
            )
        else:
            ax.xaxis.set_major_formatter(lambda x, _: f"{x / 1000:,.0f}k")
        if column in CONDITIONS.values():
            ax.plot(
                pcns[f"{column} expected (%)"].astype(float),
                y,
                "D",
                color=PALETTE["black"],
                markersize=5,
                label="Expected for age",
            )
        ax.xaxis.set_major_locator(MaxNLocator(nbins=3))
        ax.set_title(textwrap.fill(title, 20), fontsize=text_size("small"))
    ax = axes.flat[len(PANELS)]
    left = np.zeros(len(pcns))
    colours = plt.get_cmap("viridis")(np.linspace(0, 1, SEGMENTS))
    for k in range(1, SEGMENTS + 1):
        share = pcns[f"Segment {k} (%)"].astype(float).to_numpy()
        ax.barh(y, share, left=left, color=colours[k - 1], label=f"Segment {k}")
        left += share
    ax.xaxis.set_major_locator(MaxNLocator(nbins=3))
    ax.set_title(
        textwrap.fill("Bridges to Health segment mix (%)", 20), fontsize=text_size("small")
    )
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    for ax in axes.flat:
        ax.tick_params(axis="y", length=0)
    handles = {}
    for ax in axes.flat:
        for handle, name in zip(*ax.get_legend_handles_labels(), strict=True):
            handles.setdefault(name, handle)
    legend_below(fig, list(handles.values()), list(handles), ncols=4)
    fig.suptitle(f"Neighbourhood profiles, {params['period']}", x=0.01, ha="left", weight="bold")
    parts = []
    for column, title in PANELS:
        recorded = f"{column} recorded (%)" if column in CONDITIONS.values() else column
        values = pcns.set_index("area")[recorded].astype(float).dropna()
        if values.empty:
            continue
        parts.append(
            f"{title}: highest {values.idxmax()} ({values.max():,.1f}), lowest "
            f"{values.idxmin()} ({values.min():,.1f}), {params['area_name']} "
            f"{float(borough[recorded]):,.1f}"
        )
    alt = "Small-multiple bar charts comparing the Primary Care Networks. " + "; ".join(parts) + "."
    caption = (
        f"Neighbourhood profiles of the Primary Care Networks, {params['period']}"
        f"{' (' + params['pcn'] + ' starred)' if params.get('pcn') else ''}. "
        f"{_label(params)}"
    )
    data = mark_suppressed(table, list(table.columns), ["Registered population"])
    return show_figure(
        fig,
        figure_id="o2-neighbourhood-profile-chart",
        caption=caption,
        alt=alt,
        data=data,
        decimals={"Registered population": 0, "Practices": 0},
    )


def profile_table(table: pd.DataFrame, params: RunParameters) -> HTML:
    """The profile as a printable table (measures down, areas across)."""
    data = mark_suppressed(table, list(table.columns), ["Registered population"])
    shown = data.set_index("area").T.reset_index().rename(columns={"index": "Measure"})
    for column in shown.columns[1:]:
        shown[column] = [
            v
            if isinstance(v, str)
            else f"{v:,.1f}".removesuffix(".0")
            if m in ("Registered population", "Practices")
            else f"{v:.1f}"
            for m, v in zip(shown["Measure"], shown[column], strict=True)
        ]
    caption = (
        f"Neighbourhood profile table, {params['period']}: registered population, "
        "practices, age, deprivation, ethnic mix, recorded and age-expected prevalence "
        f"and segment mix (%). {_label(params)}"
    )
    return show_table(shown, caption, "o2-neighbourhood-profile-table")


def ratio_figure(key: str, params: RunParameters) -> HTML:
    """Dot chart of a standardised ratio per PCN (the borough = 100) with intervals; the axis is
    zoomed on the intervals (a ratio's natural reference is 100, not 0)."""
    table = o2.standardised(key, params.replace(pcn=None))
    title = f"{indicator(key).chart_label} by PCN, indirectly age-sex standardised ratio"
    frame = table.rename(columns={"observed": "numerator", "population": "denominator"})
    shown = frame[~frame["suppressed"]]
    fig = ci_dot_chart(
        shown,
        label="area",
        benchmark=100.0,
        benchmark_label=params["area_name"],
        title=title,
        xlabel=f"ratio ({params['area_name']} = 100)",
        floor=None,
    )
    alt = describe_dot_chart(
        frame,
        what=title.lower(),
        label="PCNs",
        unit="",
        benchmark_name=params["area_name"],
        benchmark=100.0,
        confidence=params["confidence"],
    )
    columns = [
        "area",
        "numerator",
        "expected",
        "denominator",
        "value",
        "lower",
        "upper",
        "comparison",
    ]
    data = mark_suppressed(frame, columns, ["numerator", "expected", "value", "lower", "upper"])
    data = data.rename(columns={"numerator": "observed", "denominator": "registered persons"})
    caption = (
        f"{title}, {params['period']} (observed / expected x 100, 95% interval). {_label(params)}"
    )
    return show_figure(
        fig,
        figure_id=f"{key}-pcn",
        caption=caption,
        alt=alt,
        data=data,
        decimals={
            "observed": 0,
            "expected": 1,
            "registered persons": 0,
            "value": 1,
            "lower": 1,
            "upper": 1,
        },
    )


def _od_curve(axis: np.ndarray, attrs: dict, z: float, statistic: str) -> tuple:
    theta, tau2 = attrs["theta"], attrs["tau2"]
    variance = (1 / axis) if statistic == "ratio" else theta * (1 - theta) / axis
    spread = z * np.sqrt(variance + tau2)
    scale = 100.0
    return (theta - spread) * scale, (theta + spread) * scale


def funnel_figure(key: str, params: RunParameters) -> HTML:
    """Practice funnel plot (95% and 99.8% limits) with the overdispersion-adjusted 99.8%
    limits drawn as solid lines; points marked by the unadjusted classification; the named
    PCN's practices only when set (limits from all practices)."""
    table = funnel_points(key, params)
    statistic = table.attrs["statistic"]
    extra = {"ratio_type": "isr"} if statistic == "ratio" else {}
    limits = funnel_plot_points(table["numerator"], table["denominator"], statistic, **extra)
    shown = table[~table["suppressed"]]
    if params.get("pcn"):
        shown = shown[shown["pcn"] == params["pcn"]]
    title = indicator(key).chart_label
    xlabel = "expected events" if statistic == "ratio" else "denominator"
    counts = shown["significance"].value_counts()
    od = shown["significance_od"].str.contains("99.8").sum()
    alt = (
        f"Funnel plot of {title.lower()} for {len(shown)} practices against "
        f"{xlabel}: "
        + ", ".join(f"{n} {k.lower()}" for k, n in counts.items())
        + f". With the overdispersion adjustment (phi {table.attrs['phi']:.2f}) {od} "
        "practices are outside the 99.8% limits."
        if len(shown)
        else f"Funnel plot of {title.lower()} against {xlabel}: the limits only, no "
        f"practice shown (every practice's count is below {params['suppression_threshold']} "
        "and is suppressed)."
    )
    axis = limits["denominator"].to_numpy(dtype=float)
    return figures.funnel_figure(
        table if not params.get("pcn") else table[table["pcn"] == params["pcn"]],
        limits,
        figure_id=f"{key}-funnel",
        label="area",
        title=f"{title}: practices, {params['period']}",
        xlabel=xlabel,
        ylabel=f"standardised ratio ({params['area_name']} = 100)" if statistic == "ratio" else "%",
        caption=(
            f"{title}: practice funnel plot with 95% and 99.8% limits and the "
            f"overdispersion-adjusted 99.8% limits (Spiegelhalter random effects), "
            f"{params['period']}. {_label(params)}"
        ),
        alt=alt,
        decimals={"numerator": 0, "denominator": 1, "value": 1},
        adjusted=_od_curve(axis, table.attrs, 3.090232, statistic),
    )


def funnel_points(key: str, params: RunParameters) -> pd.DataFrame:
    """:func:`objective_2.funnel_points` (all practices)."""
    return o2.funnel_points(key, params)


def spc_figure(params: RunParameters) -> HTML:
    """XmR chart of monthly emergency admissions with the interventions marked
    (:func:`bbp_analysis.figures.spc_figure`)."""
    where = _where(params)
    return figures.spc_figure(
        o2.emergency_monthly(params),
        figure_id="o2-emergency-monthly-spc",
        title=f"Emergency admissions, {where}: XmR chart",
        subject=f"emergency admissions for {where}",
        marked="neighbourhood-team interventions",
        note=_label(params),
        threshold=params["suppression_threshold"],
        source="emergency_admissions_monthly",
    )


def organisation_table(
    table: pd.DataFrame, *, table_id: str, caption: str, extra: tuple[str, ...] = ()
) -> HTML:
    """A by-organisation table (from :func:`objective_2.organisation_values`), [c] where
    suppressed."""
    columns = ["area", "numerator", "denominator", "value", "lower", "upper", "comparison", *extra]
    data = mark_suppressed(table, columns, ["numerator", "value", "lower", "upper"])
    data = data.rename(columns={"area": "organisation"})
    return show_table(
        data,
        caption,
        table_id,
        decimals={"numerator": 0, "denominator": 0, "value": 1, "lower": 1, "upper": 1},
    )
