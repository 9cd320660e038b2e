"""The chart types of the review, drawn in the house style of :mod:`bbp_analysis.chart_style`,
and the published figure kinds built on them (a dot chart, a trend chart, an XmR chart; each
with its alt text, caption and data): :func:`dot_figure`, :func:`trend_figure`,
:func:`spc_figure`, :func:`funnel_figure`.

Significance is never shown by colour alone: comparison results also change the marker shape
and are written in the labels. Legends sit below the plot area, never on the data.
"""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import HTML
from matplotlib.lines import Line2D

from .chart_style import (
    PALETTE,
    legend_below,
    mark_axis_break,
    new_figure,
    rows_height,
    text_size,
    title_beside_labels,
    value_limits,
)
from .disclosure import suppress
from .indicators import trend_label
from .publish import mark_suppressed, show_figure, show_table

# Comparison label -> (colour, marker). Shapes carry the meaning without colour.
COMPARISON_STYLE = {
    "better": (PALETTE["blue"], "^"),
    "higher": (PALETTE["blue"], "^"),
    "worse": (PALETTE["vermillion"], "v"),
    "lower": (PALETTE["vermillion"], "v"),
    "similar": (PALETTE["grey"], "o"),
    "not compared": (PALETTE["grey"], "s"),
}


def ci_dot_chart(
    frame: pd.DataFrame,
    *,
    label: str,
    value: str = "value",
    lower: str = "lower",
    upper: str = "upper",
    comparison: str | None = "comparison",
    benchmark: float | None = None,
    benchmark_label: str = "Benchmark",
    title: str = "",
    xlabel: str = "",
    floor: float | None = 0.0,
) -> plt.Figure:
    """Horizontal dot-and-interval chart, one row per entry of ``frame[label]`` (top to bottom).

    The benchmark is a dashed vertical line; each dot's marker and colour show its
    comparison with the benchmark, and the legend below the plot names them. The x axis covers
    every value, interval and the benchmark (:func:`~bbp_analysis.chart_style.value_limits`):
    it starts at ``floor`` unless the values sit far above it, when the break is marked.
    """
    rows = frame.reset_index(drop=True)
    fig, ax = new_figure(rows_height(len(rows), per_row=30, extra=140))
    positions = range(len(rows) - 1, -1, -1)
    seen: set[str] = set()
    for pos, (_, row) in zip(positions, rows.iterrows(), strict=True):
        result = str(row[comparison]) if comparison else "not compared"
        colour, marker = COMPARISON_STYLE.get(result, COMPARISON_STYLE["not compared"])
        ax.plot([row[lower], row[upper]], [pos, pos], color=colour, linewidth=1.6)
        ax.plot(
            row[value],
            pos,
            marker=marker,
            color=colour,
            markersize=7,
            linestyle="none",
            label=result.capitalize() if comparison and result not in seen else None,
        )
        seen.add(result)
    if benchmark is not None:
        ax.axvline(
            benchmark,
            color=PALETTE["black"],
            linestyle="--",
            linewidth=1,
            label=f"{benchmark_label} ({benchmark:.1f})",
        )
    ax.set_yticks(list(positions), labels=list(rows[label]))
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.set_xlabel(xlabel)
    title_beside_labels(ax, title, rows[label].astype(str))
    reach = [*rows[value], *rows[lower], *rows[upper], *([benchmark] if benchmark else [])]
    left, right, broken = value_limits(reach, floor=floor)
    ax.set_xlim(left, right)
    if broken:
        mark_axis_break(ax)
    legend_below(fig, ncols=4)
    return fig


# Funnel classification label -> (colour, marker); shapes carry the meaning without colour.
FUNNEL_STYLE = {
    "High (99.8%)": (PALETTE["blue"], "^"),
    "High (95%)": (PALETTE["sky"], "^"),
    "Low (99.8%)": (PALETTE["vermillion"], "v"),
    "Low (95%)": (PALETTE["orange"], "v"),
    "Not significant": (PALETTE["grey"], "o"),
}

# SPC point type -> (colour, marker), following Making Data Count: orange concern, blue
# improvement, grey common cause, purple neutral special cause.
SPC_STYLE = {
    "special_cause_improvement": (PALETTE["blue"], "^"),
    "special_cause_concern": (PALETTE["orange"], "v"),
    "special_cause_neutral_high": (PALETTE["purple"], "^"),
    "special_cause_neutral_low": (PALETTE["purple"], "v"),
    "common_cause": (PALETTE["grey"], "o"),
}


def funnel_chart(
    frame: pd.DataFrame,
    limits: pd.DataFrame,
    *,
    label: str,
    denominator: str,
    value: str = "value",
    significance: str = "significance",
    title: str = "",
    xlabel: str = "",
    ylabel: str = "",
    label_outliers: bool = True,
) -> plt.Figure:
    """Funnel plot: each area's value against its denominator, with 95% and 99.8% limits.

    ``limits`` is :func:`bbp_analysis.stats.funnel_plot_points` output (``denominator,
    baseline, lower_95, upper_95, lower_99_8, upper_99_8``). Areas outside the 99.8% limits
    are labelled by name when ``label_outliers``.
    """
    fig, ax = new_figure(480)
    ax.grid(axis="both")
    x = limits["denominator"]
    ax.plot(x, limits["baseline"], color=PALETTE["black"], linewidth=1, label="Average")
    ax.plot(
        x,
        limits["lower_95"],
        color=PALETTE["grey"],
        linestyle="--",
        linewidth=1,
        label="95% limits",
    )
    ax.plot(x, limits["upper_95"], color=PALETTE["grey"], linestyle="--", linewidth=1)
    ax.plot(
        x,
        limits["lower_99_8"],
        color=PALETTE["black"],
        linestyle=":",
        linewidth=1.2,
        label="99.8% limits",
    )
    ax.plot(x, limits["upper_99_8"], color=PALETTE["black"], linestyle=":", linewidth=1.2)
    for result, rows in frame.groupby(significance, sort=True):
        colour, marker = FUNNEL_STYLE.get(str(result), FUNNEL_STYLE["Not significant"])
        ax.plot(
            rows[denominator],
            rows[value],
            marker=marker,
            color=colour,
            linestyle="none",
            markersize=7,
            label=str(result),
        )
        if label_outliers and "99.8" in str(result):
            for _, row in rows.iterrows():
                ax.annotate(
                    str(row[label]),
                    (row[denominator], row[value]),
                    fontsize=text_size("small"),
                    xytext=(4, 3),
                    textcoords="offset points",
                )
    shown = limits[limits["denominator"] >= _smallest(frame[denominator], x) * 0.8]
    low = np.nanmin([frame[value].min(), shown["lower_99_8"].min()])
    high = np.nanmax([frame[value].max(), shown["upper_99_8"].max()])
    pad = (high - low) * 0.08
    ax.set_ylim(low - pad, high + pad)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    legend_below(fig, ncols=3)
    return fig


def _smallest(denominators: pd.Series, axis: pd.Series | np.ndarray) -> float:
    """The smallest denominator shown, or the axis's when no point is shown (every point
    suppressed): where a funnel chart's y range starts to follow the limits."""
    return float(denominators.min()) if len(denominators) else float(np.min(axis))


def _month_edge(when: pd.Timestamp) -> pd.Timestamp:
    """Half a month before a monthly point's date: where a period drawn on the chart starts."""
    return pd.Timestamp(when) - pd.Timedelta(days=15)


def _spc_programmes(ax: plt.Axes, programmes: dict[str, pd.Timestamp]) -> list[Line2D]:
    """Programme starts as dotted lines before their first month, numbered above the plot area
    (never over the data), with one legend entry per number."""
    handles = []
    numbers: dict[pd.Timestamp, list[str]] = {}
    ordered = sorted(programmes.items(), key=lambda item: (item[1], item[0]))
    for number, (name, when) in enumerate(ordered, start=1):
        when = pd.Timestamp(when)
        numbers.setdefault(when, []).append(str(number))
        style = {"color": PALETTE["purple"], "linewidth": 1, "linestyle": ":"}
        handles.append(Line2D([], [], **style, label=f"{number}: {name} ({when:%b %Y})"))
    for when, labels in numbers.items():
        ax.axvline(_month_edge(when), color=PALETTE["purple"], linewidth=1, linestyle=":")
        ax.annotate(
            ",".join(labels),
            (_month_edge(when), 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(0, 2),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=text_size("small"),
            color=PALETTE["purple"],
            annotation_clip=False,
        )
    return handles


def spc_chart(
    points: pd.DataFrame,
    *,
    programmes: dict[str, pd.Timestamp] | None = None,
    target: float | None = None,
    title: str = "",
    ylabel: str = "",
) -> plt.Figure:
    """XmR chart from :func:`bbp_analysis.stats.baseline_spc` (or ``spc``) output: monthly
    values, mean and process limits per rebase group, points marked by type, the baseline
    period shaded, each recalculation of the limits as a solid line, and programme starts
    as dotted lines numbered above the plot with a key below it."""
    fig, ax = new_figure(520)
    ax.grid(axis="y")
    ax.plot(points["date"], points["value"], color=PALETTE["grey"], linewidth=1, zorder=2)
    for number, group in points.groupby("rebase_group", sort=True):
        for column, style, label in (
            ("mean", "-", "Mean"),
            ("upl", "--", "Process limits"),
            ("lpl", "--", None),
        ):
            ax.plot(
                group["date"],
                group[column],
                color=PALETTE["black"],
                linestyle=style,
                linewidth=1,
                zorder=2,
                label=label if number == points["rebase_group"].min() else None,
            )
    for kind, rows in points.groupby("point_type", sort=True):
        colour, marker = SPC_STYLE.get(str(kind), SPC_STYLE["common_cause"])
        ax.plot(
            rows["date"],
            rows["value"],
            marker=marker,
            color=colour,
            linestyle="none",
            markersize=5,
            zorder=3,
            label=str(kind).replace("_", " ").capitalize(),
        )
    baseline = points.attrs.get("baseline")
    if baseline:
        first, last = (pd.Timestamp(when) for when in baseline)
        ax.axvspan(
            _month_edge(first),
            _month_edge(last) + pd.Timedelta(days=30),
            color=PALETTE["sky"],
            alpha=0.15,
            zorder=0,
            linewidth=0,
            label=f"Baseline {first:%b %Y} to {last:%b %Y} (limits fixed on it)",
        )
    for when in points.attrs.get("recalculated", []):
        ax.axvline(
            _month_edge(when),
            color=PALETTE["black"],
            linewidth=1.2,
            zorder=1,
            label=f"Limits recalculated from {pd.Timestamp(when):%b %Y}",
        )
    if target is not None:
        ax.axhline(
            target,
            color=PALETTE["green"],
            linestyle="-.",
            linewidth=1.2,
            label=f"Target ({target:g})",
        )
    handles = _spc_programmes(ax, programmes or {})
    ax.set_title(title, pad=text_size("small") + 8)
    ax.set_ylabel(ylabel)
    own, labels = ax.get_legend_handles_labels()
    legend_below(fig, [*own, *handles], [*labels, *(h.get_label() for h in handles)], ncols=2)
    return fig


def _limit_periods(points: pd.DataFrame) -> pd.Series:
    """For each point, the months its limits come from, as words."""
    words = {}
    for number, group in points.groupby("rebase_group", sort=True):
        fixed = group[group["in_baseline"]]["date"]
        kind = "baseline" if number == points["rebase_group"].min() else "recalculated"
        words[number] = f"{fixed.min():%b %Y} to {fixed.max():%b %Y} ({kind})"
    return points["rebase_group"].map(words)


def xmr_figure(
    points: pd.DataFrame,
    *,
    title: str,
    unit: str,
    subject: str,
    threshold: int,
    source: str,
    target: float | None = None,
    note: str = "",
) -> dict:
    """Everything a published XmR chart needs from one builder: the chart (:func:`spc_chart`,
    programme starts from ``points.attrs["programmes"]``), alt text written from the data,
    and the data table with counts below ``threshold`` suppressed ([c]) and the value
    blanked with them. Returns the keyword arguments of ``publish.show_figure`` other than
    ``figure_id`` and ``caption``."""
    programmes = points.attrs.get("programmes", {})
    fig = spc_chart(points, programmes=programmes, target=target, title=title, ylabel=unit)
    periods = _limit_periods(points)
    first, last = points.iloc[0], points.iloc[-1]
    limits = f"mean {first['mean']:.2f}, process limits {first['lpl']:.2f} to {first['upl']:.2f}"
    recalculated = points.attrs.get("recalculated", [])
    if recalculated:
        later = (
            f"Limits recalculated from {', '.join(f'{w:%B %Y}' for w in recalculated)} "
            f"(latest: mean {last['mean']:.2f}, process limits {last['lpl']:.2f} to "
            f"{last['upl']:.2f})."
        )
    else:
        later = "No programme start met the rule for recalculating the limits."
    tally = ", ".join(
        f"{n} {k.replace('_', ' ')}" for k, n in points["point_type"].value_counts().items()
    )
    starts = "; ".join(
        f"{name} from {when:%B %Y}" for name, when in sorted(programmes.items(), key=lambda x: x[1])
    )
    alt = (
        f"XmR statistical process control chart of {len(points)} months of {subject}, "
        f"{unit}. Limits fixed on {periods.iloc[0]}: {limits}. {later} Points: {tally}."
        + (f" Programme starts marked: {starts}." if starts else "")
        + (f" {note}" if note else "")
    )
    data = points.assign(month=points["date"].dt.strftime("%Y-%m"), limits_from=periods)
    data = suppress(
        data, ["count"], threshold, value_columns=["value"], symbol="[c]", source=source
    )
    data = data[
        ["month", "days", "count", "value", "mean", "lpl", "upl", "limits_from", "point_type"]
    ]
    places = 3 if abs(first["mean"]) < 10 else 2
    decimals = {
        "count": 0,
        "days": 0,
        "value": places,
        "mean": places,
        "lpl": places,
        "upl": places,
    }
    return {"fig": fig, "alt": alt, "data": data, "decimals": decimals}


def trend_chart(
    frame: pd.DataFrame,
    *,
    period: str,
    series: str,
    value: str = "value",
    lower: str | None = "lower",
    upper: str | None = "upper",
    target: float | None = None,
    title: str = "",
    ylabel: str = "",
    floor: float | None = 0.0,
    reference: float | None = None,
) -> plt.Figure:
    """Lines over periods, one per ``series`` (e.g. the borough, NWL, London), each with its
    confidence interval as error bars and a distinct marker; the y axis covers every value,
    interval, the target and the ``reference`` line (e.g. zero, no gap), from ``floor`` unless
    the values sit far above it (then the break is marked)."""
    fig, ax = new_figure(400)
    ax.grid(axis="y")
    markers = ["o", "s", "D", "^", "v", "P", "X"]
    periods = list(dict.fromkeys(frame.sort_values(period)[period]))
    position = {p: i for i, p in enumerate(periods)}
    for index, (name, rows) in enumerate(frame.groupby(series, sort=False)):
        rows = rows.sort_values(period)
        x = rows[period].map(position)
        errors = None
        if lower and upper and rows[lower].notna().any():
            errors = [rows[value] - rows[lower], rows[upper] - rows[value]]
        ax.errorbar(
            x,
            rows[value],
            yerr=errors,
            marker=markers[index % len(markers)],
            capsize=3,
            linewidth=1.4,
            label=str(name),
        )
    if target is not None:
        ax.axhline(
            target,
            color=PALETTE["green"],
            linestyle="-.",
            linewidth=1.2,
            label=f"Target ({target:g})",
        )
    ax.set_xticks(range(len(periods)), labels=periods)
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    if reference is not None:
        ax.axhline(reference, color=PALETTE["grey"], linewidth=0.8)
    reach = [*frame[value], *(v for v in (target, reference) if v is not None)]
    if lower and upper:
        reach += [*frame[lower], *frame[upper]]
    bottom, top, broken = value_limits(reach, floor=floor)
    ax.set_ylim(bottom, top)
    if broken:
        mark_axis_break(ax, "y")
    legend_below(fig, ncols=3)
    return fig


def its_chart(data: pd.DataFrame, *, start: pd.Timestamp, title: str, ylabel: str) -> plt.Figure:
    """Interrupted time series: the observed monthly ``rate`` (dots; suppressed months left
    out), the ``fitted`` segmented model (line) and the ``counterfactual`` (the pre-programme
    trend carried on, dashed, from ``start``), with the start marked above the plot area."""
    fig, ax = new_figure(420)
    ax.grid(axis="y")
    dates = pd.to_datetime(data["month"] + "-01")
    lines = [(~data["suppressed"], "rate", "o", "grey", {"markersize": 3.5}, "Observed")]
    if data["fitted"].notna().any():
        lines += [
            (dates.notna(), "fitted", "-", "blue", {"linewidth": 1.6}, "Fitted (segmented model)"),
            (
                dates >= start,
                "counterfactual",
                "--",
                "orange",
                {"linewidth": 1.6},
                "Expected without the programme",
            ),
        ]
    for keep, column, style, colour, size, label in lines:
        keep = keep.to_numpy()
        ax.plot(
            dates[keep], data.loc[keep, column], style, color=PALETTE[colour], label=label, **size
        )
    ax.axvline(start, color=PALETTE["purple"], linestyle=":", linewidth=1.2)
    ax.annotate(
        f"Start {start:%b %Y}",
        (start, 1.0),
        xycoords=("data", "axes fraction"),
        xytext=(0, 2),
        textcoords="offset points",
        fontsize=text_size("small"),
        va="bottom",
        ha="center",
        color=PALETTE["purple"],
        annotation_clip=False,
    )
    ax.set_title(title, pad=text_size("small") + 8)
    ax.set_ylabel(ylabel)
    ax.set_ylim(bottom=0)
    legend_below(fig, ncols=3)
    return fig


def pyramid_chart(
    frame: pd.DataFrame,
    *,
    age_band: str = "age_band",
    sex: str = "sex",
    share: str = "share",
    compare: pd.DataFrame | None = None,
    title: str = "",
) -> plt.Figure:
    """Population pyramid: percentage of the population by age band, males left, females
    right; ``compare`` (same columns) is drawn as an outline, e.g. the borough behind a PCN.
    Drawn at the compact width, the title wrapped to fit."""
    bands = list(dict.fromkeys(frame[age_band]))
    fig, ax = new_figure(rows_height(len(bands), per_row=20, extra=130), width="compact")
    ax.grid(axis="x")
    for code, side, colour in (("M", -1, PALETTE["blue"]), ("F", 1, PALETTE["orange"])):
        rows = frame[frame[sex] == code].set_index(age_band).reindex(bands)
        ax.barh(
            range(len(bands)),
            side * rows[share],
            color=colour,
            height=0.85,
            label="Males" if code == "M" else "Females",
        )
        if compare is not None:
            other = compare[compare[sex] == code].set_index(age_band).reindex(bands)
            ax.barh(
                range(len(bands)),
                side * other[share],
                height=0.85,
                fill=False,
                edgecolor=PALETTE["black"],
                linewidth=0.8,
                label="Comparison (outline)" if code == "M" else None,
            )
    ax.set_yticks(range(len(bands)), labels=bands)
    widest = max(frame[share].max(), compare[share].max() if compare is not None else 0)
    ax.set_xlim(-widest * 1.1, widest * 1.1)
    ticks = [t for t in ax.get_xticks() if abs(t) <= widest * 1.1]
    ax.set_xticks(ticks, labels=[f"{abs(t):g}%" for t in ticks])
    ax.set_title(textwrap.fill(title, 46))
    legend_below(fig, ncols=3)
    return fig


VALUE_DECIMALS = {"numerator": 0, "denominator": 0, "value": 1, "lower": 1, "upper": 1}
"""Decimal places of the data behind a dot or trend chart."""
VALUE_COLUMNS = ["area", "numerator", "denominator", "value", "lower", "upper"]


def _caption(title: str, note: str) -> str:
    """A figure's caption: its title, then the note (e.g. the synthetic-data label) if any."""
    return f"{title}. {note}" if note else title


def describe_dot_chart(
    frame: pd.DataFrame,
    *,
    what: str,
    label: str,
    unit: str,
    benchmark_name: str,
    benchmark: float,
    confidence: float,
) -> str:
    """Alt text for a dot-and-interval chart, generated from its data (shown rows only)."""
    shown = frame[~frame["suppressed"]] if "suppressed" in frame else frame
    if shown.empty:
        return (
            f"No {label} are shown: the counts of all {len(frame)} are too small to publish "
            f"(suppressed). The {benchmark_name} value is {benchmark:.1f}{unit}."
        )
    top = shown.loc[shown["value"].idxmax()]
    bottom = shown.loc[shown["value"].idxmin()]
    tally = ", ".join(f"{n} {name}" for name, n in shown["comparison"].value_counts().items())
    hidden = len(frame) - len(shown)
    note = f" {hidden} not shown because their counts are suppressed." if hidden else ""
    return (
        f"Dot chart of {what} for {len(shown)} {label}, each with a {confidence:.0%} "
        f"confidence interval, against the {benchmark_name} value of {benchmark:.1f}{unit}. "
        f"Highest: {top['area']} ({top['value']:.1f}{unit}); lowest: {bottom['area']} "
        f"({bottom['value']:.1f}{unit}). Compared with {benchmark_name}: {tally}.{note}"
    )


def dot_figure(
    table: pd.DataFrame,
    *,
    figure_id: str,
    title: str,
    what: str,
    label: str,
    unit: str,
    confidence: float,
    note: str = "",
    benchmark: float | None = None,
    benchmark_name: str = "",
) -> HTML:
    """Published dot-and-interval chart (:func:`ci_dot_chart`) of ``table`` (one row per area
    or group: ``area, numerator, denominator, value, lower, upper, comparison, suppressed``)
    against its benchmark, with alt text (:func:`describe_dot_chart`) and data; captioned
    ``title`` and ``note`` (:func:`_caption`). Without ``benchmark``, the first row of
    ``table`` is the benchmark (as :func:`bbp_analysis.indicators.area_values` returns it).
    Suppressed rows are left off the chart and shown as [c] in its data; when every row is
    suppressed there is nothing to draw, and the data table is shown instead with a caption
    saying why."""
    if benchmark is None:
        benchmark_name, benchmark = str(table["area"].iloc[0]), float(table["value"].iloc[0])
        table = table.iloc[1:]
    suppressed = table["suppressed"] if "suppressed" in table else pd.Series(False, table.index)
    data = mark_suppressed(
        table, [*VALUE_COLUMNS, "comparison"], ["numerator", "value", "lower", "upper"]
    )
    if suppressed.all():
        caption = (
            f"{title}: every group's count is too small to publish, so each is shown as [c]. {note}"
        )
        return show_table(data, caption.strip(), figure_id, VALUE_DECIMALS)
    fig = ci_dot_chart(
        table[~suppressed],
        label="area",
        benchmark=benchmark,
        benchmark_label=benchmark_name,
        title=title,
        xlabel=unit.strip() or "value",
    )
    alt = describe_dot_chart(
        table,
        what=what,
        label=label,
        unit=unit,
        benchmark_name=benchmark_name,
        benchmark=benchmark,
        confidence=confidence,
    )
    return show_figure(
        fig,
        figure_id=figure_id,
        caption=_caption(title, note),
        alt=alt,
        data=data,
        decimals=VALUE_DECIMALS,
    )


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
    """Published trend chart (:func:`trend_chart`) of ``table`` (from
    :func:`bbp_analysis.indicators.series`) with alt text naming each area's first and last
    values and recent trend, and its data ([c] where suppressed); captioned ``title`` and
    ``note`` (e.g. the synthetic-data label)."""
    shown = table[~table["suppressed"]]
    fig = trend_chart(
        shown, period="period", series="area", target=target, title=title, ylabel=unit
    )
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
        table, ["period", *VALUE_COLUMNS], ["numerator", "value", "lower", "upper"]
    )
    return show_figure(
        fig,
        figure_id=figure_id,
        caption=_caption(title, note),
        alt=alt,
        data=data,
        decimals=VALUE_DECIMALS,
    )


def _adjusted_limits(ax: plt.Axes, axis, low, high, shown: pd.DataFrame) -> None:
    """Overdispersion-adjusted 99.8% limits as solid lines, the axis widened to show them."""
    style = {"color": PALETTE["orange"], "linewidth": 1.2}
    ax.plot(axis, low, **style, label="99.8% limits, overdispersion-adjusted")
    ax.plot(axis, high, **style)
    inside = axis >= _smallest(shown["denominator"], axis) * 0.8
    bottom, top = ax.get_ylim()
    ax.set_ylim(min(bottom, np.nanmin(low[inside]) - 2), max(top, np.nanmax(high[inside]) + 2))
    legend_below(ax.figure, ncols=3)


def funnel_figure(
    table: pd.DataFrame,
    limits: pd.DataFrame,
    *,
    figure_id: str,
    label: str,
    title: str,
    xlabel: str,
    ylabel: str,
    caption: str,
    alt: str,
    decimals: dict[str, int],
    adjusted: tuple[np.ndarray, np.ndarray] | None = None,
) -> HTML:
    """Published practice funnel plot (:func:`funnel_chart`) of the unsuppressed rows of
    ``table`` (``label, pcn, numerator, denominator, value, significance, significance_od,
    suppressed``) within ``limits``; ``adjusted`` (lower and upper values over
    ``limits["denominator"]``) adds the overdispersion-adjusted 99.8% limits. Its data are
    every row of ``table``, [c] where suppressed."""
    shown = table[~table["suppressed"]]
    fig = funnel_chart(
        shown,
        limits,
        label=label,
        denominator="denominator",
        title=title,
        xlabel=xlabel,
        ylabel=ylabel,
    )
    if adjusted is not None:
        axis = limits["denominator"].to_numpy(dtype=float)
        _adjusted_limits(fig.axes[0], axis, *adjusted, shown)
    data = table.assign(value=table["value"].where(~table["suppressed"]))
    data = mark_suppressed(
        data,
        [label, "pcn", "numerator", "denominator", "value", "significance", "significance_od"],
        ["numerator", "denominator", "value"],
    )
    data = data.rename(columns={"significance_od": "significance (overdispersion-adjusted)"})
    return show_figure(
        fig, figure_id=figure_id, caption=caption, alt=alt, data=data, decimals=decimals
    )


def spc_figure(
    points: pd.DataFrame,
    *,
    figure_id: str,
    title: str,
    subject: str,
    marked: str,
    note: str,
    threshold: int,
    source: str,
    target: float | None = None,
    alt_note: str = "",
) -> HTML:
    """Published XmR chart of monthly ``points`` (:func:`xmr_figure`; the unit from
    ``points.attrs["unit"]``), captioned "``title`` (unit), ``marked`` marked. ``note``"."""
    unit = points.attrs["unit"]
    parts = xmr_figure(
        points,
        title=title,
        unit=unit,
        subject=subject,
        threshold=threshold,
        source=source,
        target=target,
        note=alt_note,
    )
    caption = f"{title} ({unit}), {marked} marked. {note}"
    return show_figure(**parts, figure_id=figure_id, caption=caption)
