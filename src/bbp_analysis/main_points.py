"""The edition's main points: three to five plain sentences on where the partnership measures
stand, written from the edition's headlines (its results file) for the front page and the
board paper's executive summary.

Each sentence states only what a judged word says: a measure is called short of its target
only when its status is "not met" (the whole confidence interval on the wrong side of the
target), on target only when "met", and "too close to call" when its interval includes the
target; it is called better or worse than its baseline only when the comparison's test says
so (:func:`bbp_analysis.site.whatchanged.comparisons`). Values are never compared here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from . import catalogue
from .headline import Headline
from .site.whatchanged import comparisons

MAX_POINTS = 5
NUMBERS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
UNIT_SUFFIX = re.compile(r"\s*\([^)]*\)$")
"""A label's closing unit in brackets, e.g. "(%)" or "(weighted %)", left out in sentences."""
NOT_JUDGED = ("baseline set", "no baseline yet", "not comparable")
"""Statuses that do not judge the target (a baseline to set, or a plan figure on another
basis)."""
TALLY = {
    ("met",): ("meets its target", "meet their target"),
    ("not met",): ("falls short", "fall short"),
    ("uncertain",): ("is too close to call", "are too close to call"),
    NOT_JUDGED: ("is not yet judged against a target", "are not yet judged against a target"),
}
"""The overview's words for one (singular) or several (plural) indicators of each group of
statuses."""


def format_value(value: float | None, unit: str) -> str:
    """A headline value as every display prints it: one decimal place and its unit;
    ``[x]`` when withheld."""
    if value is None:
        return "[x]"
    return f"{value:,.1f}%" if unit == "%" else f"{value:,.1f} {unit}"


def short_label(item: Headline) -> str:
    """The indicator's short name: the catalogue's chart label without its unit, else the
    headline's title."""
    try:
        label = catalogue.indicator(item.indicator_id).label
    except KeyError:
        label = ""
    return UNIT_SUFFIX.sub("", label) or item.title


def _count(n: int) -> str:
    return NUMBERS[n] if n < len(NUMBERS) else str(n)


def _join(words: Sequence[str]) -> str:
    words = list(words)
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def _overview(items: list[Headline], measures: int) -> str:
    reported = len({item.measure for item in items})
    parts = []
    for statuses, (one, many) in TALLY.items():
        n = sum(item.status in statuses for item in items)
        if n:
            parts.append(f"{_count(n)} {one if n == 1 else many}")
    scope = (
        f"all {_count(measures)} partnership measures"
        if reported == measures
        else f"{_count(reported)} of the {_count(measures)} partnership measures"
    )
    noun = "indicator covers" if len(items) == 1 else "indicators cover"
    return f"{_count(len(items)).capitalize()} headline {noun} {scope}: {_join(parts)}."


def _status_point(items: list[Headline], status: str) -> str:
    labels = [short_label(item) for item in items if item.status == status]
    if not labels:
        return ""
    chosen = _join(labels)
    if status == "not met":
        return f"Short of target: {chosen}."
    if status == "met":
        return f"On target: {chosen}."
    return f"Too close to call (the interval includes the target): {chosen}."


def _baseline_point(items: list[Headline]) -> str:
    words = {
        item.indicator_id: comparisons(item.as_dict()).get("baseline", "not compared")
        for item in items
    }
    judged = [item for item in items if words[item.indicator_id] != "not compared"]
    if not judged:
        return ""
    named = {
        word: _join([short_label(item) for item in judged if words[item.indicator_id] == word])
        for word in ("better", "worse")
        if any(words[item.indicator_id] == word for item in judged)
    }
    same = sum(words[item.indicator_id] == "similar" for item in judged)
    parts = [f"{word} for {names}" for word, names in named.items()]
    if same and parts:
        parts.append(f"no clear change for the other {_count(same)}")
    elif same:
        parts.append(f"no clear change for any of the {_count(same)} with one")
    return f"Since the baseline: {'; '.join(parts)}."


def _not_judged_point(items: list[Headline]) -> str:
    waiting = [item for item in items if item.status in NOT_JUDGED]
    if not waiting:
        return ""
    return (
        f"Not yet judged against a target: {_join([short_label(i) for i in waiting])} "
        "(a baseline is being set, or the plan's figure is on another basis)."
    )


def main_points(items: list[Headline]) -> list[str]:
    """Three to five plain sentences from the edition's headlines, most telling first: an
    overview of the statuses, the indicators short of target, too close to call and on
    target, the change since the baseline where its test finds one, and those not judged."""
    measures = len({m.partnership_measure for m in catalogue.partnership_measures()})
    points = [
        _overview(items, measures),
        _status_point(items, "not met"),
        _status_point(items, "uncertain"),
        _status_point(items, "met"),
        _baseline_point(items),
        _not_judged_point(items),
    ]
    return [point for point in points if point][:MAX_POINTS]
