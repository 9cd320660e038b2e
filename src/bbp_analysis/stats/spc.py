"""XmR statistical process control with the Making Data Count rules (NHSRplotthedots 0.2.2)."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from bbp_analysis.stats._checks import ArrayLike, StatsInputError, as_float

Improvement = Literal["increase", "decrease", "neutral"]

LIMIT_FACTOR = 2.66
"""Process limits sit 2.66 average moving ranges from the mean (3 sigma for XmR)."""
SCREEN_FACTOR = 3.267
"""Moving ranges at or above 3.267 × the average moving range are screened out."""
RUN_LENGTH = 7
"""Points in a run on one side of the mean, or in a trend, that make a special cause."""
MIN_FIX_AFTER = 12
SHORT_GROUP = 13
"""Groups with fewer points than this get a warning (NHSRplotthedots' threshold)."""
REBASE_POINTS = 15
"""Points needed from a programme start to recalculate limits there; the new limits are fixed
on them (Making Data Count asks for 15-20 points to set limits)."""
REBASE_LAG = 3
"""A shift coincides with a programme start when its run begins in the start month or within
the next ``REBASE_LAG - 1`` points."""


def _runs(signs: np.ndarray, length: int) -> np.ndarray:
    """True where a point belongs to a run of at least ``length`` equal non-zero signs."""
    if signs.size == 0:
        return np.zeros(0, dtype=bool)
    starts = np.flatnonzero(np.concatenate([[True], signs[1:] != signs[:-1]]))
    lengths = np.diff(np.append(starts, signs.size))
    long_run = (lengths >= length) & (signs[starts] != 0)
    return np.repeat(long_run, lengths)


def _trend(y: np.ndarray) -> np.ndarray:
    """Direction (+1/−1, 0 if none) of each point in a trend of 7 strictly rising/falling points.

    A tie breaks a trend. A point shared by two trends takes the later trend's direction.
    """
    steps = np.sign(np.diff(y))
    steps = np.where(np.isnan(steps), 0, steps)
    in_steps = _runs(steps, RUN_LENGTH - 1)
    part = np.zeros(y.size, dtype=bool)
    part[:-1] |= in_steps
    part[1:] |= in_steps
    before = np.concatenate([[0.0], steps])
    after = np.concatenate([steps, [0.0]])
    next_part = np.append(part[1:], False)
    return np.where(part, np.where(next_part, after, before), 0.0)


def _two_in_three(close: np.ndarray, side: np.ndarray) -> np.ndarray:
    """Close-to-limit points in a window of 3 on one side of the mean with >= 2 close points."""
    if close.size < 3:
        return np.zeros(close.size, dtype=bool)
    close_sum = np.convolve(close.astype(float), np.ones(3), mode="valid")
    side_sum = np.convolve(side, np.ones(3), mode="valid")
    window = (close_sum >= 2) & (np.abs(side_sum) == 3)
    member = np.zeros(close.size, dtype=bool)
    for offset in range(3):
        member[offset : offset + window.size] |= window
    return member & close


def _limits(y: np.ndarray, fix_after: int | None, screen: bool) -> tuple[float, float]:
    """Mean and average moving range from the baseline points (screened if asked)."""
    base = y[:fix_after] if fix_after else y
    centre = float(np.nanmean(base)) if np.isfinite(base).any() else np.nan
    ranges = np.abs(np.diff(base))
    ranges = ranges[~np.isnan(ranges)]
    average = float(ranges.mean()) if ranges.size else np.nan
    if screen and ranges.size:
        kept = ranges[ranges < SCREEN_FACTOR * average]
        average = float(kept.mean()) if kept.size else np.nan
    return centre, average


def _classify_group(y: np.ndarray, centre: float, amr: float) -> dict[str, np.ndarray]:
    upl = centre + LIMIT_FACTOR * amr
    lpl = centre - LIMIT_FACTOR * amr
    near = 2 / 3 * LIMIT_FACTOR * amr
    with np.errstate(invalid="ignore"):
        side = np.nan_to_num(np.sign(y - centre))
        above, below = y > upl, y < lpl
        outside = above | below
        close = ~outside & ((y > centre + near) | (y < centre - near))
    trend = _trend(y)
    two_three = _two_in_three(close, side)
    one_side = _runs(side, RUN_LENGTH)
    rule = np.full(y.size, None, dtype=object)
    named = np.zeros(y.size, dtype=bool)
    direction = np.zeros(y.size)
    choices = (
        (above, "Above UPL", np.ones(y.size)),
        (below, "Below LPL", -np.ones(y.size)),
        (trend > 0, "7 Point Trend (Increasing)", trend),
        (trend < 0, "7 Point Trend (Decreasing)", trend),
        (two_three & (side > 0), "2 in 3 Above CL", side),
        (two_three & (side < 0), "2 in 3 Below CL", side),
        (one_side & (side > 0), "7 Points Above CL", side),
        (one_side & (side < 0), "7 Points Below CL", side),
    )
    for mask, label, sign in choices:
        free = mask & ~named
        rule[free] = label
        direction[free] = sign[free]
        named |= free
    return {
        "mean": np.full(y.size, centre),
        "lpl": np.full(y.size, lpl),
        "upl": np.full(y.size, upl),
        "near_lpl": np.full(y.size, centre - near),
        "near_upl": np.full(y.size, centre + near),
        "special_cause_rule": rule,
        "direction": direction,
    }


def _point_type(direction: np.ndarray, improvement: Improvement) -> np.ndarray:
    if improvement == "neutral":
        high, low = "special_cause_neutral_high", "special_cause_neutral_low"
    elif improvement == "increase":
        high, low = "special_cause_improvement", "special_cause_concern"
    else:
        high, low = "special_cause_concern", "special_cause_improvement"
    return np.select([direction > 0, direction < 0], [high, low], "common_cause").astype(object)


def _assurance(
    target: float | None, lpl: float, upl: float, improvement: Improvement
) -> str | None:
    """Assurance of meeting ``target`` from the latest limits (None without a target)."""
    if target is None or improvement == "neutral":
        return None
    if improvement == "increase":
        if target > upl:
            return "consistent_fail"
        return "consistent_pass" if target < lpl else "inconsistent"
    if target < lpl:
        return "consistent_fail"
    return "consistent_pass" if target > upl else "inconsistent"


def _rebase_groups(n: int, dates: np.ndarray | None, rebase: Sequence | None) -> np.ndarray:
    """Group number of each point: a new group starts at each rebase date (or 0-based position)."""
    if not rebase:
        return np.zeros(n, dtype=int)
    if dates is None:
        positions = np.asarray(rebase, dtype=int)
        if ((positions <= 0) | (positions >= n)).any():
            raise StatsInputError(
                f"got {list(positions)} for {n} points",
                column="rebase",
                rule="rebase positions must be between 1 and len(values) - 1",
            )
        return np.searchsorted(np.sort(positions), np.arange(n), side="right")
    points = pd.to_datetime(pd.Series(rebase)).to_numpy()
    return np.searchsorted(np.sort(points), dates, side="right")


def _fix_lengths(fix_after: int | Sequence[int] | None, groups: int) -> list[int | None]:
    """Baseline length of each rebase group (None: all its points), checked against the rules."""
    lengths = (
        [fix_after] * groups if fix_after is None or np.isscalar(fix_after) else list(fix_after)
    )
    if len(lengths) != groups:
        raise StatsInputError(
            f"{len(lengths)} lengths for {groups} groups",
            column="fix_after",
            rule="needs one length per rebase group",
        )
    for length in lengths:
        if length is not None and length < MIN_FIX_AFTER:
            raise StatsInputError(
                f"got {length}", column="fix_after", rule=f"must be at least {MIN_FIX_AFTER}"
            )
    return lengths


def spc(
    values: ArrayLike,
    dates: ArrayLike | None = None,
    improvement: Improvement = "increase",
    target: float | None = None,
    fix_after: int | Sequence[int] | None = None,
    rebase: Sequence | None = None,
    screen_outliers: bool = True,
) -> pd.DataFrame:
    """XmR chart of one series, one row per point, sorted by date if dates are given.

    Per rebase group: mean of the baseline (the first ``fix_after`` points, >= 12, or all; a
    sequence gives one length per group);
    average moving range AmR of consecutive points, with ranges >= 3.267 AmR screened out and
    AmR recomputed (``screen_outliers``); process limits ``lpl``/``upl`` = mean ∓ 2.66 AmR and
    the "close to limits" lines at 2/3 of that. A constant series has no limits (NaN).
    Special-cause rules, first applying names the point (``special_cause_rule``):
    outside the limits; a trend of 7 points each strictly above (below) the previous (ties
    break it; a point shared by two trends takes the later one); 2 of 3 consecutive points on
    one side of the mean close to (beyond 2/3 of the way to, not outside) a limit, flagging the
    close points; a run of 7 on one side of the mean (a point on the mean breaks it).
    ``point_type`` maps each rule's direction through ``improvement`` to
    special_cause_improvement/_concern (or _neutral_high/_low) or common_cause.
    ``assurance`` (consistent_pass/consistent_fail/inconsistent; None without a target or for
    "neutral") compares ``target`` with the latest group's limits; it is both a column and
    ``result.attrs["assurance"]``, beside ``attrs["variation"]`` (the last point's type).
    Rebasing: ``rebase`` lists dates (or 0-based positions without dates) starting new groups.
    """
    if improvement not in ("increase", "decrease", "neutral"):
        raise StatsInputError(
            f"got {improvement!r}",
            column="improvement",
            rule="must be increase, decrease or neutral",
        )
    y = as_float(values, "values")
    frame = pd.DataFrame({"value": y})
    date_values = None
    if dates is not None:
        frame.insert(0, "date", pd.to_datetime(np.asarray(dates)))
        if len(frame["date"]) != y.size:
            raise StatsInputError(
                f"{len(frame['date'])} dates for {y.size} values",
                column="dates",
                rule="needs one date per value",
            )
        frame = frame.sort_values("date", kind="stable").reset_index(drop=True)
        y = frame["value"].to_numpy()
        date_values = frame["date"].to_numpy()
    group = _rebase_groups(y.size, date_values, rebase)
    frame["rebase_group"] = group
    fixes = _fix_lengths(fix_after, int(group.max()) + 1 if group.size else 1)
    position = np.arange(y.size) - np.searchsorted(group, group)  # place within its group
    frame["in_baseline"] = [
        fixes[g] is None or p < fixes[g] for g, p in zip(group, position, strict=True)
    ]
    parts: dict[str, list[np.ndarray]] = {}
    latest = (np.nan, np.nan)
    for number in np.unique(group):
        members = group == number
        points = y[members]
        if points.size < SHORT_GROUP:
            warnings.warn(
                f"rebase group {number} has {points.size} points; limits from fewer than "
                f"{SHORT_GROUP} points are unreliable",
                stacklevel=2,
            )
        centre, amr = _limits(points, fixes[number], screen_outliers)
        for name, column in _classify_group(points, centre, amr).items():
            parts.setdefault(name, []).append(column)
        latest = (centre - LIMIT_FACTOR * amr, centre + LIMIT_FACTOR * amr)
    for name, columns in parts.items():
        frame[name] = np.concatenate(columns) if columns else np.array([])
    frame["special_cause"] = frame["special_cause_rule"].notna()
    frame["point_type"] = _point_type(frame.pop("direction").to_numpy(), improvement)
    assurance = _assurance(target, latest[0], latest[1], improvement)
    frame["target"] = np.nan if target is None else float(target)
    frame["assurance"] = pd.Series([assurance] * len(frame), dtype=object)
    frame.attrs["assurance"] = assurance
    frame.attrs["variation"] = frame["point_type"].iloc[-1] if len(frame) else None
    return frame


def _shift_at(y: np.ndarray, centre: float, start: int) -> bool:
    """True if a run of 7 points on one side of ``centre`` begins (the point before it is on
    the other side or on the mean) at ``start`` or within the next ``REBASE_LAG - 1`` points."""
    with np.errstate(invalid="ignore"):
        side = np.nan_to_num(np.sign(y - centre))
    for first in range(start, min(start + REBASE_LAG, y.size - RUN_LENGTH + 1)):
        run = side[first : first + RUN_LENGTH]
        begins = first == 0 or side[first - 1] != run[0]
        if begins and run[0] != 0 and (run == run[0]).all():
            return True
    return False


def baseline_spc(
    values: ArrayLike,
    dates: ArrayLike,
    starts: Sequence,
    improvement: Improvement = "increase",
    target: float | None = None,
) -> pd.DataFrame:
    """XmR chart (:func:`spc`) with limits fixed on a pre-programme baseline, recalculated at a
    programme start only where the Making Data Count conditions for recalculating hold.

    Baseline: the points dated before the earliest of ``starts`` (at least 12: with fewer, the
    first 12, and ``attrs["pre_programme"]`` is False); its mean and limits are held fixed
    (extended) over later points. At each start, in date order, the limits are recalculated
    only if (1) the start falls after the current limits' fixing points; (2) a sustained shift
    coincides with it: a run of 7 points on one side of the current mean begins in the start
    month or within the next ``REBASE_LAG - 1`` points; and (3) at least ``REBASE_POINTS``
    points follow from the start, on which the new limits are then fixed. ``attrs``:
    ``baseline`` (first and last baseline dates), ``recalculated`` (start dates used),
    ``pre_programme``, plus :func:`spc`'s.
    """
    frame = pd.DataFrame(
        {"date": pd.to_datetime(np.asarray(dates)), "value": as_float(values, "values")}
    )
    frame = frame.sort_values("date", kind="stable").reset_index(drop=True)
    y, when = frame["value"].to_numpy(), frame["date"].to_numpy()
    points = pd.to_datetime(pd.Series(list(starts), dtype=object)).sort_values().to_numpy()
    first = int(np.searchsorted(when, points[0])) if points.size else y.size
    baseline = min(max(first, MIN_FIX_AFTER), y.size)
    fixes: list[int | None] = [baseline if baseline >= MIN_FIX_AFTER else None]
    rebase: list[int] = []
    for start in points:
        at = int(np.searchsorted(when, start))
        settled = (rebase[-1] if rebase else 0) + (fixes[-1] or y.size)
        if at < settled or y.size - at < REBASE_POINTS:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            chart = spc(y, fix_after=fixes, rebase=rebase or None)
        if _shift_at(y, float(chart["mean"].iloc[at]), at):
            rebase.append(at)
            fixes.append(REBASE_POINTS)
    result = spc(
        y,
        when,
        improvement=improvement,
        target=target,
        fix_after=fixes,
        rebase=[when[i] for i in rebase] or None,
    )
    result.attrs["baseline"] = (
        (pd.Timestamp(when[0]), pd.Timestamp(when[baseline - 1])) if y.size else None
    )
    result.attrs["recalculated"] = [pd.Timestamp(when[i]) for i in rebase]
    result.attrs["pre_programme"] = first >= MIN_FIX_AFTER
    return result
