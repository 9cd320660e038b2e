"""The claims ledger: every generated key message of the scorecard, the test behind it, its
result and the edition it first appeared in.

A claim is a headline's status sentence (:class:`bbp_analysis.headline.Headline`
``status_text``); its test is the chapter's status rule and the verdicts of the target's
readings, and the comparison with the baseline and comparators, each judged as
:mod:`bbp_analysis.judgement` specifies (:func:`bbp_analysis.site.whatchanged.comparisons`);
its result is the status. It "first appeared" in the
earliest edition from which every edition up to this one gave the indicator the same status.
"""

from __future__ import annotations

import html
from typing import Any

from ..scorecard import STATUS_MARKS
from .whatchanged import comparisons


def first_edition(indicator_id: str, status: str, history: list[dict[str, Any]]) -> str:
    """The earliest period of the unbroken run of editions (``history`` oldest first, ending
    with the current one) in which ``indicator_id`` had ``status``."""
    first = history[-1]["period"]
    for snap in reversed(history):
        found = [h for h in snap["headlines"] if h["indicator_id"] == indicator_id]
        if not found or found[0]["status"] != status:
            break
        first = snap["period"]
    return first


def _test(item: dict[str, Any]) -> str:
    compared = comparisons(item)
    readings = "".join(
        f" {reading['name']}: {reading['verdict']}." for reading in item.get("readings", [])
    )
    if not compared:
        return (
            "The chapter's status rule; no baseline or comparator value on the measure's "
            f"basis to test against.{readings}"
        )
    sources = item.get("comparator_sources", {})
    parts = "; ".join(
        f"against the {name}"
        + (f" ({sources[name]})" if name in sources else "")
        + f": {word} ({_rule(item, name)})"
        for name, word in compared.items()
    )
    return f"The chapter's status rule, and each comparison ({parts}).{readings}"


def _rule(item: dict[str, Any], name: str) -> str:
    """The specification's test behind one comparison, in a few words."""
    if name == "baseline" and item.get("baseline_comparison"):
        return "two-sample test against the survey baseline, Newcombe's interval"
    return "interval against the value, Fingertips rule"


def ledger_rows(history: list[dict[str, Any]]) -> list[dict[str, str]]:
    """One row per headline of the current (last) snapshot in ``history``."""
    current = history[-1]
    return [
        {
            "Claim": f"{item['title']}: {item['status_text']}",
            "Test": _test(item),
            "Result": STATUS_MARKS[item["status"]],
            "First appeared": first_edition(item["indicator_id"], item["status"], history),
        }
        for item in current["headlines"]
    ]


def page(history: list[dict[str, Any]]) -> str:
    """The MyST page of the ledger for the current edition."""
    rows = ledger_rows(history)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(row[key])}</td>" for key in row) + "</tr>"
        for row in rows
    )
    head = "".join(
        f'<th scope="col">{key}</th>' for key in ("Claim", "Test", "Result", "First appeared")
    )
    periods = ", ".join(snap["period"] for snap in history)
    return (
        "# Claims ledger\n\n"
        "Every key message the scorecard generates for this edition, the test behind it, its "
        "result and the edition in which the same result first appeared (looking back over "
        f"the editions {periods}). A claim is tested again each edition; when its result "
        "changes, the ledger starts its run again.\n\n"
        f'<table class="bbp-table" id="claims-ledger"><caption>Claims ledger, edition '
        f"{html.escape(history[-1]['period'])}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table>\n"
    )
