"""The review's status and comparison specification: how every status of a partnership
measure and every comparison stated on the site is judged, implemented once.

Every estimate is a value with its confidence interval at the run's level (``confidence``,
95% by default); statements that name a few PCNs, practices or groups out of many use
:data:`SCREENING_LEVEL` (99.8%) instead. :data:`RULES` names each kind of judgement, the
function that makes it and its rule in plain English; the methods page prints that table
(a test compares them).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .params import RunParameters
from .stats import compare, recent_trend
from .stats.proportions import wilson_bounds
from .stats.quantiles import normal_quantile

SCREENING_LEVEL = 0.998
"""The level of a statement that names units out of many (PCNs, practices, groups)."""
GAP_BASELINE_PERIOD = "2021-22"
"""The one baseline year of every "is the gap closing?" statement: the last full year before
the plan (2022-23 was its first year)."""
UNCERTAIN = "uncertain"
NO_CLEAR_CHANGE = "no clear change"


@dataclass(frozen=True)
class Estimate:
    """A value with its confidence interval (``lower``, ``upper``), all in the same unit."""

    value: float
    lower: float
    upper: float


def screening(params: RunParameters) -> RunParameters:
    """The run's parameters at :data:`SCREENING_LEVEL`, for a statement that names PCNs,
    practices or groups out of many (so that about 1 in 500, not 1 in 20, is named by chance
    when none differs)."""
    return params.replace(confidence=SCREENING_LEVEL)


def against_value(lower: float, upper: float, value: float, polarity: str | None) -> str:
    """Fingertips rule for a published or simulated comparator, or a plan baseline given with
    no sample size: the estimate's interval against the comparator's value (the value taken
    as exact). ``better``/``worse`` (``higher``/``lower`` without polarity) when the interval
    lies wholly on one side, ``similar`` when it includes the value, ``not compared`` when
    anything is missing."""
    if lower is None or upper is None or value is None:
        return "not compared"
    return str(compare([lower], [upper], value, polarity).iloc[0])


def difference_interval(a: Estimate, b: Estimate) -> Estimate:
    """Interval for the difference ``a - b`` of two independent estimates, each with its own
    interval at the same level: the square-and-add method (MOVER; Newcombe 1998, method 10,
    when both intervals are Wilson score intervals; Zou and Donner 2008 in general):
    lower = d − √((a − a_lower)² + (b_upper − b)²), upper = d + √((a_upper − a)² + (b −
    b_lower)²). With symmetric intervals it is the two-sample z-test's interval."""
    d = a.value - b.value
    low = d - math.hypot(a.value - a.lower, b.upper - b.value)
    high = d + math.hypot(a.upper - a.value, b.value - b.lower)
    return Estimate(d, low, high)


def newcombe_interval(
    k1: float, n1: float, k2: float, n2: float, confidence: float = 0.95
) -> Estimate:
    """Newcombe's hybrid score interval for p1 − p2 = k1/n1 − k2/n2 (proportions, 0-1 scale):
    Wilson score intervals of each combined by :func:`difference_interval`. ``n`` may be an
    effective sample size (weighted surveys)."""
    z = float(normal_quantile(0.5 + confidence / 2))
    bounds = wilson_bounds(np.array([k1, k2], float), np.array([n1, n2], float), z)
    first = Estimate(k1 / n1, float(bounds[0][0]), float(bounds[1][0]))
    second = Estimate(k2 / n2, float(bounds[0][1]), float(bounds[1][1]))
    return difference_interval(first, second)


def z_equivalent(difference: Estimate, confidence: float) -> float:
    """The z statistic matching a difference interval: the difference over its standard error
    read from the half-width on the side of zero (|z| exceeds the critical value exactly when
    the interval excludes zero)."""
    critical = float(normal_quantile(0.5 + confidence / 2))
    half = (
        difference.value - difference.lower
        if difference.value >= 0
        else (difference.upper - difference.value)
    )
    return difference.value * critical / half if half > 0 else 0.0


def against_baseline(now: Estimate, base: Estimate, polarity: str | None) -> str:
    """A survey estimate against a survey baseline (both with sampling error): ``better`` or
    ``worse`` when the interval of the difference (:func:`difference_interval`, at the level
    of the two intervals) excludes zero, ``similar`` otherwise."""
    diff = difference_interval(now, base)
    return against_value(diff.lower, diff.upper, 0.0, polarity)


def against_target(lower: float, upper: float, target: float, polarity: str) -> str:
    """A target value: ``met`` when the whole interval is on the target's right side (at or
    above it when high is good, at or below when low is good), ``not met`` when the whole
    interval is on the wrong side, ``uncertain`` when it includes the target."""
    good_side = {"high_is_good": lower >= target, "low_is_good": upper <= target}
    bad_side = {"high_is_good": upper < target, "low_is_good": lower > target}
    if polarity not in good_side:
        raise ValueError(f"a target needs a polarity, got {polarity!r}")
    if good_side[polarity]:
        return "met"
    return "not met" if bad_side[polarity] else UNCERTAIN


def against_range(lower: float, upper: float, low: float, high: float, polarity: str) -> str:
    """A target range read with the indicator's polarity: when low is good, the range's top is
    the line (below the range is better, not a miss); when high is good, its bottom; then
    :func:`against_target`."""
    return against_target(lower, upper, high if polarity == "low_is_good" else low, polarity)


def gap_change(base: Estimate, now: Estimate, confidence: float) -> tuple[str, float]:
    """Is an inequality gap (a slope index of inequality) closing since the baseline year? The
    gap is the SII signed so that the baseline gap is positive; ``narrower`` or ``wider`` when
    the interval of the change (:func:`difference_interval`) excludes zero, ``no clear
    change`` otherwise. Returns the verdict and the matching z statistic."""
    sign = -1.0 if base.value < 0 else 1.0

    def oriented(e: Estimate) -> Estimate:
        ends = sorted((sign * e.lower, sign * e.upper))
        return Estimate(sign * e.value, ends[0], ends[1])

    diff = difference_interval(oriented(now), oriented(base))
    z = z_equivalent(diff, confidence)
    if diff.upper < 0:
        return "narrower", z
    return ("wider" if diff.lower > 0 else NO_CLEAR_CHANGE), z


def year_on_year(previous: Estimate, latest: Estimate) -> str:
    """The latest year-on-year change: ``up`` or ``down`` when the interval of the difference
    (:func:`difference_interval`) excludes zero, ``no clear change`` otherwise."""
    values = (
        previous.value,
        previous.lower,
        previous.upper,
        latest.value,
        latest.lower,
        latest.upper,
    )
    if any(v is None or (isinstance(v, float) and math.isnan(v)) for v in values):
        return "not tested"
    diff = difference_interval(latest, previous)
    if diff.lower > 0:
        return "up"
    return "down" if diff.upper < 0 else NO_CLEAR_CHANGE


def name_groups(kind: str, named: Sequence[str], every: Sequence[str]) -> str:
    """Name the groups of a breakdown (``every``, in their natural order) that a statement
    picks out (``named``), summarised when that is shorter: "every age group", "every age
    group under 65", "every age group 65 and over", "every ethnic group except White";
    otherwise the names."""
    chosen = [g for g in every if g in set(named)]
    if not chosen:
        return "none"
    if len(chosen) == len(every):
        return f"every {kind}"
    if kind == "age group":
        first = every.index(chosen[0])
        if chosen == list(every[first : first + len(chosen)]):
            if first == 0:
                return f"every {kind} under {every[len(chosen)].split('-')[0]}"
            if first + len(chosen) == len(every):
                return f"every {kind} {chosen[0].split('-')[0]} and over"
    if len(chosen) > len(every) / 2 and len(every) - len(chosen) <= 3:
        rest = [g for g in every if g not in chosen]
        return f"every {kind} except {', '.join(rest)}"
    return ", ".join(chosen)


@dataclass(frozen=True)
class Rule:
    """One kind of judgement: the function that makes it and its rule in plain English."""

    function: Callable[..., Any]
    rule: str


RULES: dict[str, Rule] = {
    "Against a published or simulated comparator, or a plan figure": Rule(
        against_value,
        "Better or worse when the period's interval lies wholly on one side of the value, "
        "similar when it includes it (the Fingertips rule; the value is taken as exact). "
        "Level: 95%.",
    ),
    "Against a survey baseline": Rule(
        against_baseline,
        "Better or worse when the interval of the difference between the period and the "
        "baseline excludes zero, similar otherwise. The interval uses both surveys' "
        "uncertainty: Newcombe's hybrid score interval (each year's Wilson interval, on the "
        "effective sample size for weighted surveys, combined by square and add). Level: 95%.",
    ),
    "Against a target value": Rule(
        against_target,
        "Met when the whole interval is on the target's right side, not met when the whole "
        "interval is on the wrong side, uncertain when the interval includes the target. "
        "Level: 95%.",
    ),
    "Against a target range": Rule(
        against_range,
        "Read with the indicator's polarity: when low is good the top of the range is the "
        "line, so a value below the range is not a miss; then as for a target value. "
        "Level: 95%.",
    ),
    "Groups against a target": Rule(
        name_groups,
        "A group is named as missing the target only when its 99.8% interval lies wholly on "
        "the wrong side. The group's own benchmark is used where one is held; otherwise the "
        "all-age target is applied, and the page says so. Groups are summarised (for example "
        "'every age group under 65'). Level: 99.8%.",
    ),
    "Naming PCNs, practices or groups out of many": Rule(
        screening,
        "A key message names a PCN, practice or group as different from the borough (or a "
        "group from everyone else) only when its 99.8% interval (or funnel limit) excludes "
        "that value, so that about 1 in 500 comparisons, not 1 in 20, is flagged by chance. "
        "Tables and charts of PCNs and practices still show each one's 95% comparison, as "
        "Fingertips does; at that level about 1 in 20 differs by chance. Level: 99.8%.",
    ),
    "Is the gap closing?": Rule(
        gap_change,
        "The slope index of inequality in the latest year against 2021-22, the year before "
        "the plan, signed so that the 2021-22 gap is positive. Narrower or wider when the "
        "interval of the change (square and add; with symmetric intervals a two-sample "
        "z-test) excludes zero, no clear change otherwise. Level: 95%. A gap with no "
        "standard error is reported as not tested.",
    ),
    "Recent trend": Rule(
        recent_trend,
        "Increasing or decreasing (getting better or worse by the indicator's polarity) when "
        "the chi-square test for linear trend in proportions (Armitage) on the counts of the "
        "five latest years exceeds 9.549, no significant change otherwise; not calculated "
        "with fewer than five years or fewer than 10 events. Level: 99.8%.",
    ),
    "Year-on-year change": Rule(
        year_on_year,
        "Up or down when the interval of the difference between the last two years excludes "
        "zero (square and add), no clear change otherwise. Level: 95%.",
    ),
}
"""Each kind of judgement, the function that makes it and its rule: the methods page's
specification table (``book/methods.md``, checked by a test)."""
