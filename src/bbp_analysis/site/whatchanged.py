"""What changed since the last edition, found by comparing two edition snapshots.

Changes are listed for each headline indicator: periods of data new to this edition; back-series
values revised by more than :data:`TOLERANCE` (in the indicator's unit, so a change that
shows at the one decimal place published); a change of target status, of the verdict of one
of the target's readings (e.g. measure 2 against the NWL average of the same year), of the
comparison with the baseline or a comparator, or of the latest year-on-year change (each
judged as :mod:`bbp_analysis.judgement` specifies: up or down only when its test says so),
each put down to a change of method when the indicator's catalogue definition or target
changed (a cause is given only then: otherwise the change follows from the data, which says
nothing a reader does not already know); indicators added or dropped; and downloads (figures
and tables) added or dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .. import judgement
from ..headline import COMPARISON_VOCABULARY

TOLERANCE = 0.05
METHOD = "method"
"""The one cause a change is given: the indicator's definition or target changed."""
KINDS = (
    "new data",
    "revised",
    "status",
    "reading",
    "comparison",
    "trend",
    "added",
    "dropped",
    "download added",
    "download dropped",
)


@dataclass(frozen=True)
class Change:
    """One difference: its kind (one of :data:`KINDS`), the indicator (or download) it is
    about, a plain sentence, and its cause (:data:`METHOD` when the indicator's catalogue
    definition or target changed between the editions, else ``""``: the data)."""

    kind: str
    subject: str
    text: str
    cause: str = ""


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "no value"
    return f"{value:,.1f}%" if unit == "%" else f"{value:,.1f} {unit}"


def direction(item: dict[str, Any]) -> str:
    """The latest year-on-year change of a headline's trend
    (:func:`bbp_analysis.judgement.year_on_year`: up or down only when the interval of the
    difference excludes zero, else no clear change); "unknown" with fewer than two periods
    or no intervals."""
    intervals = item.get("trend_intervals") or []
    if len(item["trend"]) < 2 or len(intervals) != len(item["trend"]):
        return "unknown"
    (_, before), (_, latest) = item["trend"][-2], item["trend"][-1]
    (_, low0, high0), (_, low1, high1) = intervals[-2], intervals[-1]
    return judgement.year_on_year(
        judgement.Estimate(before, low0, high0), judgement.Estimate(latest, low1, high1)
    )


def comparisons(item: dict[str, Any]) -> dict[str, str]:
    """Each baseline or comparator value -> its comparison word: the chapter's own verdict
    for a survey baseline (``baseline_comparison``, a two-sample test), otherwise the
    Fingertips rule (:func:`bbp_analysis.judgement.against_value`)."""
    against = {"baseline": item.get("baseline"), **item.get("comparators", {})}
    out = {
        name: judgement.against_value(item["lower"], item["upper"], value, item["polarity"])
        for name, value in against.items()
        if value is not None
    }
    if item.get("baseline_comparison") and "baseline" in out:
        out["baseline"] = item["baseline_comparison"]
    return out


def _revised(before: float | None, after: float | None) -> bool:
    """Whether a period's value changed by more than :data:`TOLERANCE`, or was withheld (None,
    a small count) in one edition and published in the other."""
    if before is None or after is None:
        return (before is None) != (after is None)
    return abs(after - before) > TOLERANCE


def _series_changes(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    subject, unit = new["title"], new["unit"]
    before = {period: value for period, value in old["trend"]}
    after = {period: value for period, value in new["trend"]}
    out = []
    added = [period for period in after if period not in before]
    if added:
        values = ", ".join(f"{p}: {_fmt(after[p], unit)}" for p in added)
        out.append(Change("new data", subject, f"New period(s) of data: {values}."))
    for period in sorted(set(before) & set(after)):
        if _revised(before[period], after[period]):
            out.append(
                Change(
                    "revised",
                    subject,
                    f"{period} revised from {_fmt(before[period], unit)} to "
                    f"{_fmt(after[period], unit)}.",
                )
            )
    return out


def _reading_changes(old: dict[str, Any], new: dict[str, Any], cause: str) -> list[Change]:
    """A change of verdict of a target reading present in both snapshots (matched on the start
    of its name, before any bracket). Readings that are comparisons (better, similar, worse)
    are left to :func:`comparisons`, which lists the same change under "comparison"."""

    def key(name: str) -> str:
        return name.split(" (")[0]

    before = {key(r["name"]): r for r in old.get("readings", [])}
    out = []
    for reading in new.get("readings", []):
        previous = before.get(key(reading["name"]))
        if reading["verdict"] in COMPARISON_VOCABULARY:
            continue
        if previous and previous["verdict"] != reading["verdict"]:
            out.append(
                Change(
                    "reading",
                    new["title"],
                    f"{reading['name']}: {previous['verdict']} in {old['period']}, "
                    f"{reading['verdict']} in {new['period']}. {reading['text']}",
                    cause,
                )
            )
    return out


def _judgement_changes(old: dict[str, Any], new: dict[str, Any], cause: str) -> list[Change]:
    subject = new["title"]
    out = []
    if old["status"] != new["status"]:
        out.append(
            Change(
                "status",
                subject,
                f"Target status changed from {old['status']} to {new['status']}: "
                f"{new['status_text']}",
                cause,
            )
        )
    out.extend(_reading_changes(old, new, cause))
    before, after = comparisons(old), comparisons(new)
    for name in sorted(set(before) & set(after)):
        if before[name] != after[name]:
            out.append(
                Change(
                    "comparison",
                    subject,
                    f"Compared with {'the ' if name == 'baseline' else ''}{name}: "
                    f"{before[name]} in {old['period']}, "
                    f"{after[name]} in {new['period']}.",
                    cause,
                )
            )
    was, now = direction(old), direction(new)
    if was != now:
        out.append(
            Change(
                "trend",
                subject,
                f"Latest year-on-year change was {was} in {old['period']}, {now} in "
                f"{new['period']}.",
                cause,
            )
        )
    return out


def _download_changes(old: list[str] | None, new: list[str] | None) -> list[Change]:
    if old is None or new is None:
        return []
    return [
        Change("download added", name, f"New figure or table data: {name}.")
        for name in sorted(set(new) - set(old))
    ] + [
        Change("download dropped", name, f"No longer published: {name}.")
        for name in sorted(set(old) - set(new))
    ]


def changes(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """Every change from snapshot ``old`` (the last edition) to ``new``, in :data:`KINDS`
    order, then in the order of the new edition's headlines."""
    before = {item["indicator_id"]: item for item in old["headlines"]}
    after = {item["indicator_id"]: item for item in new["headlines"]}
    out: list[Change] = []
    for indicator_id, item in after.items():
        if indicator_id not in before:
            out.append(Change("added", item["title"], "Reported for the first time."))
            continue
        previous = before[indicator_id]
        same_method = old["methods"].get(indicator_id) == new["methods"].get(indicator_id)
        out.extend(_series_changes(previous, item))
        out.extend(_judgement_changes(previous, item, "" if same_method else METHOD))
    out.extend(
        Change("dropped", item["title"], "No longer reported.")
        for indicator_id, item in before.items()
        if indicator_id not in after
    )
    out.extend(_download_changes(old.get("downloads"), new.get("downloads")))
    return sorted(out, key=lambda change: KINDS.index(change.kind))
