"""The delivery chapter's words, generated from the tracker: key messages and the one-line
summaries the board paper repeats."""

from __future__ import annotations

import pandas as pd

from . import status
from .tracker import STATUSES, Tracker

ILLUSTRATIVE_NOTE = (
    "Statuses from 2022-23 on, illustrative due dates, senior responsible roles and all risk "
    "scores are illustrative until the partnership's own tracker replaces them; the history "
    "before 2022-23 is transcribed from the partnership's papers with citations."
)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def status_sentence(tracker: Tracker, period: str) -> str:
    """How many milestones the edition reports and how many stand at each status."""
    table = status.current(tracker, period)
    if table.empty:
        return f"No milestone is reported for {period}."
    counts = table["status"].value_counts()
    parts = [f"{int(counts[s])} {s}" for s in STATUSES if s in counts]
    return f"{_plural(len(table), 'milestone')} reported in {period}: {', '.join(parts)}."


def moved_sentence(tracker: Tracker, period: str) -> str:
    """What moved since the previous period, counted by direction."""
    changes = status.moved(tracker, period)
    before = status.previous_period(tracker, period)
    if changes.empty:
        return f"No milestone changed status since {before or 'the start of the tracker'}."
    rank = {s: i for i, s in enumerate(STATUSES)}
    new = changes[changes["before"] == "new"]
    old = changes[changes["before"] != "new"]
    better = old[[rank[n] < rank[b] for n, b in zip(old["now"], old["before"], strict=True)]]
    completed = old[old["now"] == "complete"]
    worse = len(old) - len(better)
    return (
        f"Since {before}: {_plural(len(completed), 'milestone')} completed, "
        f"{len(better) - len(completed)} moved up without completing, {worse} slipped and "
        f"{len(new)} new."
    )


def risk_sentence(tracker: Tracker, period: str) -> str:
    """The highest risk and how the register's scores moved."""
    register = status.risk_register(tracker, period)
    if register.empty:
        return f"No risk review is recorded for {period}."
    top = register.iloc[0]
    trends = register["trend"].value_counts()
    moved = ", ".join(
        f"{int(trends[t])} {t}" for t in ("rising", "falling", "steady", "new") if t in trends
    )
    return (
        f"Highest risk: {top['risk'].split(':')[0].lower()} (likelihood "
        f"{top['likelihood']} x impact {top['impact']} = {top['score']}, "
        f"{top['trend']}). Risk scores since the last review: {moved}."
    )


def key_messages(tracker: Tracker, period: str) -> list[str]:
    """The chapter's key messages (plain sentences, no mark-up)."""
    return [
        status_sentence(tracker, period),
        moved_sentence(tracker, period),
        risk_sentence(tracker, period),
    ]


def off_track(tracker: Tracker, period: str) -> pd.DataFrame:
    """Milestones at risk or off track in the edition, worst first."""
    table = status.current(tracker, period)
    table = table[table["status"].isin(["off track", "at risk"])]
    return table.sort_values(["status", "due"], ascending=[False, True], ignore_index=True)
