"""Headings that state a partnership measure's finding, from its headline (the results).

A chapter glues each heading under :func:`glue_name` and its Markdown heading shows it, so the
heading reads as the finding ("...: lower than at baseline; target met") and
changes with the data. The change from the baseline is claimed only when the test says so:
the interval of the period's value lies wholly above or below the baseline (Fingertips rule),
or, for a survey baseline, the chapter's two-sample comparison found a difference.
"""

from __future__ import annotations

from .headline import Headline

STATUS_CLAUSE = {
    "met": "target met",
    "not met": "target not met",
    "uncertain": "too close to call against the target",
    "baseline set": "",
    "no baseline yet": "no baseline yet",
    "not comparable": "not on the target's basis",
}
"""Each status as the end of a heading (none where the change from baseline says it all)."""


def glue_name(item: Headline) -> str:
    """The glue key of a headline's heading, e.g. ``finding_pm5_acsc_admissions``."""
    return "finding_" + item.indicator_id.replace("-", "_")


def direction(item: Headline) -> str:
    """``higher``, ``lower`` or ``similar`` against the baseline, or ``""`` when there is no
    baseline or value to compare."""
    if item.baseline_comparison in ("better", "worse"):
        good_is_high = item.polarity != "low_is_good"
        return "higher" if (item.baseline_comparison == "better") == good_is_high else "lower"
    if item.baseline_comparison == "similar":
        return "similar"
    if item.baseline is None or item.lower is None or item.upper is None:
        return ""
    if item.lower > item.baseline:
        return "higher"
    if item.upper < item.baseline:
        return "lower"
    return "similar"


def heading(item: Headline) -> str:
    """The finding as a heading: the measure, its change from the baseline and its status."""
    change = {
        "higher": "higher than at baseline",
        "lower": "lower than at baseline",
        "similar": "no clear change from baseline",
        "": "",
    }[direction(item)]
    clause = STATUS_CLAUSE[item.status]
    title = item.title[:1].upper() + item.title[1:]
    said = "; ".join(part for part in (change, clause) if part)
    return f"{title}: {said}" if said else title
