"""What the "Delivering the plan" chapter puts on the page: its figures with alt text and data,
its tables, and each workstream's links to the logic model and the indicators it should move."""

from __future__ import annotations

import html

import pandas as pd
from IPython.display import HTML, Markdown

from .. import results
from ..publish import show_figure, show_table
from ..site.logic_model import indicator_link
from . import charts, status, text
from .tracker import STATUSES, Tracker, split_list

ILLUSTRATIVE = "Illustrative"


def _flag(illustrative: bool) -> str:
    return ILLUSTRATIVE if illustrative else "From the partnership's papers"


def key_messages(tracker: Tracker, period: str) -> Markdown:
    """The chapter's key messages as a list."""
    lines = "\n".join(f"- {line}" for line in text.key_messages(tracker, period))
    return Markdown(f"**Key messages** (delivery tracker; illustrative from 2022-23)\n\n{lines}")


def status_figure(tracker: Tracker, period: str) -> HTML:
    """Milestones by status for each workstream, with its data."""
    summary = status.workstream_summary(tracker, period)
    data = summary.rename(columns={s: s.capitalize() for s in STATUSES})
    data = data.rename(columns={"workstream": "Workstream", "total": "Total"})
    parts = [
        f"{row['Workstream']}: "
        + ", ".join(f"{int(row[s.capitalize()])} {s}" for s in STATUSES if row[s.capitalize()])
        for _, row in data.iterrows()
    ]
    alt = "Grid of milestone counts by status for each workstream. " + "; ".join(parts) + "."
    return show_figure(
        charts.status_chart(summary, period),
        figure_id="delivery-status",
        caption=f"Milestones reported in {period} by status and workstream. "
        f"{text.ILLUSTRATIVE_NOTE}",
        alt=alt,
        data=data,
    )


def timeline_figure(tracker: Tracker, period: str, period_end: str) -> HTML:
    """The milestone timeline, with its data."""
    table = status.current(tracker, period)
    data = pd.DataFrame(
        {
            "Workstream": table["workstream"],
            "Milestone": table["milestone"],
            "Due": table["due"].dt.strftime("%Y-%m-%d"),
            "Due date basis": table["due_basis"],
            "Status": table["status"],
            "Reported": table["updated"],
            "Source": [_flag(i) for i in table["illustrative"]],
        }
    )
    late = table[(table["due"] <= pd.Timestamp(period_end)) & (table["status"] != "complete")]
    alt = (
        f"Timeline of {len(table)} milestones by due date with status markers; "
        f"{len(late)} were due by {period_end} and are not complete"
        + (": " + "; ".join(late["milestone"]) if len(late) else "")
        + "."
    )
    return show_figure(
        charts.timeline_chart(table, period, period_end),
        figure_id="delivery-timeline",
        caption=f"Milestone timeline, {period}: due dates and status; dashed "
        f"line: end of the period. {text.ILLUSTRATIVE_NOTE}",
        alt=alt,
        data=data,
    )


def _milestone_rows(frame: pd.DataFrame, middle: dict[str, pd.Series]) -> pd.DataFrame:
    """A milestone table for readers: workstream and milestone, the ``middle`` columns (label
    -> values), then the evidence and whether the row is illustrative."""
    return pd.DataFrame(
        {
            "Workstream": frame["workstream"],
            "Milestone": frame["milestone"],
            **middle,
            "Evidence": frame["evidence"],
            "Source": [_flag(i) for i in frame["illustrative"]],
        }
    )


def moved_table(tracker: Tracker, period: str) -> HTML:
    """Milestones whose status changed since the previous period."""
    changes = status.moved(tracker, period)
    data = _milestone_rows(changes, {"Before": changes["before"], "Now": changes["now"]})
    before = status.previous_period(tracker, period) or "the start of the tracker"
    return show_table(
        data,
        f"What moved between {before} and {period}: milestones whose "
        "status changed or that are new",
        "delivery-moved",
    )


def history_table(tracker: Tracker, period: str) -> HTML:
    """Earlier milestones and their last report (the 100-day plans and after)."""
    table = status.history(tracker, period)
    data = _milestone_rows(
        table,
        {
            "Due": table["due"].dt.strftime("%Y-%m-%d"),
            "Last status": table["status"],
            "Reported": table["updated"],
        },
    )
    return show_table(
        data,
        f"Earlier milestones and their last report, up to {period} "
        "(history from the 100-day plans of 2020 and 2021 cited to the "
        "partnership's papers)",
        "delivery-history",
    )


def risk_figure(tracker: Tracker, period: str) -> HTML:
    """The risk matrix, with the register as its data."""
    register = status.risk_register(tracker, period)
    data = pd.DataFrame(
        {
            "Risk": register["risk_id"],
            "Description": register["risk"],
            "Owner role": register["owner_role"],
            "Reviewed": register["reviewed"],
            "Likelihood": register["likelihood"],
            "Impact": register["impact"],
            "Score": register["score"],
            "Band": register["band"],
            "Trend": register["trend"],
            "Mitigations": register["mitigations"],
        }
    )
    alt = (
        "Risk matrix of likelihood against impact. "
        + "; ".join(
            f"{r['risk_id']}: likelihood {r['likelihood']}, impact {r['impact']}, score "
            f"{r['score']} ({r['band']}), {r['trend']}"
            for _, r in register.iterrows()
        )
        + "."
    )
    return show_figure(
        charts.risk_matrix_chart(register, period),
        figure_id="delivery-risks",
        caption=f"Risk matrix, {period}: each risk's latest review, the shape "
        "its trend against the review before. The risks are the partnership's "
        "own; every score is illustrative.",
        alt=alt,
        data=data,
    )


def workstream_links(tracker: Tracker) -> HTML:
    """Each workstream with its senior responsible role, logic-model activities and the
    indicators its work should move, linked to their charts with their current status (read
    from the edition's results file)."""
    items = {h.indicator_id: h.as_dict() for h in results.headlines()}
    blocks = []
    for _, row in tracker.workstreams.iterrows():
        activities = split_list(row["logic_model_activities"])
        indicators = split_list(row["indicators"])
        objective = (
            f"objective {row['objective']}" if pd.notna(row["objective"]) else "all objectives"
        )
        role = (
            f"senior responsible role, illustrative: {html.escape(row['sro_role'])}"
            if pd.notna(row["sro_role"])
            else "lead not named in the partnership's papers"
        )
        parts = [f"<p><strong>{html.escape(row['workstream'])}</strong> ({objective}; {role})</p>"]
        if activities:
            parts.append(
                "<p>Logic-model activities: "
                + "; ".join(html.escape(a) for a in activities)
                + ".</p>"
            )
        if indicators:
            parts.append(
                "<ul>"
                + "".join(f"<li>{indicator_link(i, items)}</li>" for i in indicators)
                + "</ul>"
            )
        else:
            parts.append("<p>No indicator in the catalogue measures this work yet.</p>")
        blocks.append("".join(parts))
    return HTML('<div class="bbp-workstreams">' + "".join(blocks) + "</div>")
