"""Building blocks the chapter notebooks call, so each code cell stays one or two lines."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date

import pandas as pd
from IPython.display import HTML, Markdown

from . import catalogue
from .disclosure import suppression_rule_text
from .headline import Headline
from .params import RunParameters
from .publish import show_table
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


def run_context(params: RunParameters) -> Markdown:
    """One line saying what this page was built for: period, area and PCN view."""
    start = date.fromisoformat(params["period_start"]).strftime("%-d %B %Y")
    end = date.fromisoformat(params["period_end"]).strftime("%-d %B %Y")
    view = params.get("pcn") or "all its Primary Care Networks"
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


def methods_table(specs: Iterable[catalogue.Indicator], table_id: str) -> HTML:
    """The indicators a chapter shows, each with its unit, method and definition (from the
    catalogue)."""
    table = pd.DataFrame(
        [
            {
                "Indicator": spec.title,
                "Unit": spec.unit,
                "Method": spec.method,
                "Definition": " ".join(spec.definition.split()),
            }
            for spec in specs
        ]
    )
    caption = "Indicators shown in this chapter and their methods (from the indicator catalogue)"
    return show_table(table, caption, table_id)


def status_table(
    headlines: list[Headline],
    columns: Callable[[Headline], dict[str, str]],
    caption: str,
    table_id: str,
) -> HTML:
    """A chapter's partnership measures, one row each: :func:`headline_columns`, then the
    chapter's own ``columns`` of the measure (which include :func:`status_columns`)."""
    table = pd.DataFrame([{**headline_columns(h), **columns(h)} for h in headlines])
    return show_table(table, caption, table_id)


def headline_columns(h: Headline) -> dict[str, str]:
    """A partnership measure's row in a chapter's status table: measure, period, value with
    its interval and baseline (%, one decimal; blank without a baseline)."""
    baseline = "" if h.baseline is None else f"{h.baseline:.1f} ({h.baseline_period})"
    return {
        "Measure": f"{h.measure}. {h.title}",
        "Period": h.period,
        "Value (%)": f"{h.value:.1f} ({h.lower:.1f} to {h.upper:.1f})",
        "Baseline (%)": baseline,
    }


def status_columns(h: Headline) -> dict[str, str]:
    """A partnership measure's target, status and the reason for it, in a status table."""
    return {"Target": h.target_text, "Status": h.status, "Why": h.status_text}


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


def states(text: str, number: str) -> bool:
    """Whether ``text`` states ``number`` (as written, e.g. "64.1"), not as part of another
    number ("164.1", "64.15")."""
    return re.search(rf"(?<![\d.]){re.escape(number)}(?!\d)", text) is not None


def key_message(title: str, period: str, value: str, interval: str, status: str, text: str) -> str:
    """One key message, stating each number once: the measure and period, its ``value`` (e.g.
    "64.1%") and ``interval`` ("61.1 to 67.0"), its status and the reason (``text``). The
    value and interval are left out of the lead when the reason states the value, and the
    interval when the reason states it (with or without % signs)."""
    if states(text, value.rstrip("%")):
        lead = ""
    elif interval in text.replace("%", ""):
        lead = f"{value}; "
    else:
        lead = f"{value} ({interval}); "
    return f"- **{title}** ({period}): {lead}{status}. {text}"
