"""Building blocks the chapter notebooks call, so each code cell stays one or two lines."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
from IPython.display import HTML, Markdown

from . import catalogue
from .disclosure import suppression_rule_text
from .figures import ci_dot_chart
from .publish import mark_suppressed, show_figure, show_table
from .reference import PLAN_TITLE, load_reference
from .scorecard import plan_measures

PLAN = PLAN_TITLE


def mission() -> Markdown:
    """The partnership's mission, quoted from the plan."""
    item = catalogue.partnership()
    return Markdown(f"> **Our mission:** *{item.mission}.*\n>\n> {item.name}, {PLAN}, section 1.")


def objective_intro(objective_id: int) -> Markdown:
    """The objective in the plan's words, quoted with its source."""
    item = next(o for o in catalogue.partnership().objectives if o.id == objective_id)
    return Markdown(f"> *{item.title}.*\n>\n> Objective {item.id} of the {PLAN}, section 4.")


def run_context(params: dict[str, Any]) -> Markdown:
    """One line saying what this page was built for: period, area and PCN view."""
    start = date.fromisoformat(params["period_start"]).strftime("%-d %B %Y")
    end = date.fromisoformat(params["period_end"]).strftime("%-d %B %Y")
    view = params.get("pcn") or "all five Primary Care Networks"
    if params.get("pcn"):
        view += (
            f": this neighbourhood's own figures, beside {params['area_name']}'s (some charts "
            "keep every PCN for comparison); the partnership measures' headline values and "
            f"status are for the whole of {params['area_name']}"
        )
    return Markdown(
        f"**Reporting period** {params['period']} ({start} to {end}) · **Area** "
        f"{params['area_name']} ({params['area_code']}) · **View** {view} · "
        f"**Confidence intervals** {params['confidence']:.1%}"
    )


def suppression_note(threshold: int) -> Markdown:
    """The disclosure-control rule applied on this page, in plain English."""
    return Markdown(f"**Small numbers.** {suppression_rule_text(threshold)}")


def plan_measures_table(objective: int | None, table_id: str) -> HTML:
    """The plan's baseline, comparators and target for the objective's partnership measures."""
    table = plan_measures(load_reference("partnership_measures"), objective)
    caption = (
        f"Partnership outcome measures as published in the {PLAN}, section 4 "
        "(baselines, comparators and targets; empty cells: the plan gives no figure)"
    )
    return show_table(table, caption, table_id)


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


def comparison_chart(
    frame: pd.DataFrame,
    *,
    figure_id: str,
    what: str,
    label: str,
    unit: str,
    benchmark_name: str,
    benchmark: float,
    confidence: float,
    caption: str,
) -> HTML:
    """Dot chart of ``frame`` (one row per area) with intervals against ``benchmark``.

    Suppressed rows are left off the chart and shown as ``[c]`` in its data.
    """
    suppressed = frame.get("suppressed", False)
    fig = ci_dot_chart(
        frame[~suppressed],
        label="area",
        benchmark=benchmark,
        benchmark_label=benchmark_name,
        title=caption,
        xlabel=unit.strip() or "value",
    )
    alt = describe_dot_chart(
        frame,
        what=what,
        label=label,
        unit=unit,
        benchmark_name=benchmark_name,
        benchmark=benchmark,
        confidence=confidence,
    )
    columns = ["area", "numerator", "denominator", "value", "lower", "upper", "comparison"]
    data = mark_suppressed(frame, columns, ["numerator", "value", "lower", "upper"])
    return show_figure(
        fig,
        figure_id=figure_id,
        caption=caption,
        alt=alt,
        data=data,
        decimals={"numerator": 0, "denominator": 0, "value": 1, "lower": 1, "upper": 1},
    )
