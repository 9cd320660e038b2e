"""Where delivery stands in an edition: milestone status, workstream summaries, what moved
since the last edition, and the risk register with scores and trends.

A milestone's status in an edition is its latest update at or before the edition's period; a
risk's position is its latest review at or before it, its score is likelihood x impact (1 to
25) and its trend compares the score with the review before (rising, steady, falling, new).
"""

from __future__ import annotations

import pandas as pd

from .tracker import STATUSES, Tracker

SCORE_BANDS = ((15, "high"), (8, "medium"), (1, "low"))
"""Lowest score of each band (likelihood x impact), highest band first."""


def _latest(frame: pd.DataFrame, key: str, period: str) -> pd.DataFrame:
    """Each ``key``'s latest row at or before ``period``."""
    upto = frame[frame["period"] <= period].sort_values([key, "period"])
    return upto.groupby(key, sort=True).tail(1).reset_index(drop=True)


def milestone_status(tracker: Tracker, period: str) -> pd.DataFrame:
    """Every milestone with an update at or before ``period`` and its status then.

    Columns: ``workstream_id, workstream, milestone_id, milestone, due, due_basis, status,
    updated, evidence, illustrative`` (``updated``: the period of the update used;
    ``illustrative``: the status or the due date is illustrative), ordered by workstream (as
    listed) then due date.
    """
    latest = _latest(tracker.updates, "milestone_id", period).rename(
        columns={"period": "updated", "provenance": "status_provenance"}
    )
    table = tracker.milestones.merge(latest, on="milestone_id", how="inner")
    table = table.merge(tracker.workstreams[["workstream_id", "workstream"]], on="workstream_id")
    table["illustrative"] = (table["status_provenance"] == "illustrative") | (
        table["due_basis"] == "illustrative"
    )
    order = {w: i for i, w in enumerate(tracker.workstreams["workstream_id"])}
    table["_order"] = table["workstream_id"].map(order)
    table = table.sort_values(["_order", "due", "milestone_id"], ignore_index=True)
    return table[
        [
            "workstream_id",
            "workstream",
            "milestone_id",
            "milestone",
            "due",
            "due_basis",
            "status",
            "updated",
            "evidence",
            "illustrative",
        ]
    ]


def previous_period(tracker: Tracker, period: str) -> str | None:
    """The latest period before ``period`` with any tracker entry, or None."""
    earlier = [p for p in tracker.periods() if p < period]
    return earlier[-1] if earlier else None


def current(tracker: Tracker, period: str) -> pd.DataFrame:
    """Milestones the edition reports: those updated in ``period``, and those still open at
    the previous period's update (the rest are history, see :func:`history`)."""
    table = milestone_status(tracker, period)
    return table[_is_current(table, tracker, period)].reset_index(drop=True)


def history(tracker: Tracker, period: str) -> pd.DataFrame:
    """Milestones not in :func:`current`, each with its last report."""
    table = milestone_status(tracker, period)
    return table[~_is_current(table, tracker, period)].reset_index(drop=True)


def _is_current(table: pd.DataFrame, tracker: Tracker, period: str) -> pd.Series:
    since = previous_period(tracker, period) or period
    return (table["updated"] == period) | (
        (table["updated"] == since) & (table["status"] != "complete")
    )


def moved(tracker: Tracker, period: str) -> pd.DataFrame:
    """Milestones whose status changed since the previous period (or that are new in it).

    Columns: ``workstream, milestone, before, now, evidence, illustrative``; ``before`` is
    ``"new"`` for a milestone with no earlier update.
    """
    now = milestone_status(tracker, period)
    now = now[now["updated"] == period]
    before_period = previous_period(tracker, period)
    before = (
        milestone_status(tracker, before_period) if before_period else now.iloc[0:0]
    ).set_index("milestone_id")["status"]
    now = now.assign(before=now["milestone_id"].map(before).fillna("new"))
    changed = now[now["before"] != now["status"]].rename(columns={"status": "now"})
    return changed[
        ["workstream", "milestone", "before", "now", "evidence", "illustrative"]
    ].reset_index(drop=True)


def workstream_summary(tracker: Tracker, period: str) -> pd.DataFrame:
    """Milestones by status for each workstream with any :func:`current` in ``period``.

    Columns: ``workstream`` then one count column per status (in :data:`STATUSES` order) and
    ``total``; workstreams in tracker order.
    """
    table = current(tracker, period)
    counts = pd.crosstab(table["workstream"], table["status"]).reindex(
        columns=list(STATUSES), fill_value=0
    )
    order = [w for w in tracker.workstreams["workstream"] if w in counts.index]
    counts = counts.reindex(order)
    counts["total"] = counts.sum(axis=1)
    counts.columns.name = None
    return counts.reset_index()


def score_band(score: int) -> str:
    """``high`` (15 to 25), ``medium`` (8 to 14) or ``low`` (1 to 7)."""
    return next(name for lowest, name in SCORE_BANDS if score >= lowest)


def risk_register(tracker: Tracker, period: str) -> pd.DataFrame:
    """Each risk's latest review at or before ``period`` with its score, band and trend.

    Columns: ``risk_id, risk, owner_role, reviewed, likelihood, impact, score, band,
    previous_score, trend, mitigations, illustrative``, highest score first (ties: higher
    likelihood, then id).
    """
    reviews = tracker.reviews.assign(
        score=tracker.reviews["likelihood"] * tracker.reviews["impact"]
    )
    reviews = reviews.sort_values(["risk_id", "period"])
    reviews["previous_score"] = reviews.groupby("risk_id")["score"].shift(1)
    reviews["previous_likelihood"] = reviews.groupby("risk_id")["likelihood"].shift(1)
    reviews["previous_impact"] = reviews.groupby("risk_id")["impact"].shift(1)
    latest = _latest(reviews, "risk_id", period).rename(columns={"period": "reviewed"})
    table = tracker.risks[["risk_id", "risk", "owner_role"]].merge(latest, on="risk_id")
    difference = table["score"] - table["previous_score"]
    table["trend"] = [
        "new" if pd.isna(d) else "rising" if d > 0 else "falling" if d < 0 else "steady"
        for d in difference
    ]
    table["band"] = [score_band(int(s)) for s in table["score"]]
    table["illustrative"] = table["provenance"] == "illustrative"
    table = table.sort_values(
        ["score", "likelihood", "risk_id"], ascending=[False, False, True], ignore_index=True
    )
    return table[
        [
            "risk_id",
            "risk",
            "owner_role",
            "reviewed",
            "likelihood",
            "impact",
            "score",
            "band",
            "previous_score",
            "previous_likelihood",
            "previous_impact",
            "trend",
            "mitigations",
            "illustrative",
        ]
    ]


def top_risks(tracker: Tracker, period: str, count: int = 3) -> pd.DataFrame:
    """The ``count`` highest-scoring risks of :func:`risk_register`."""
    return risk_register(tracker, period).head(count).reset_index(drop=True)
