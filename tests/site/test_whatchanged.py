"""What changed between two edition snapshots."""

from __future__ import annotations

import copy
import json

import pytest

from bbp_analysis.site.editions import what_changed_page
from bbp_analysis.site.whatchanged import Change, changes, comparisons, direction


def headline(**overrides):
    item = {
        "indicator_id": "pm5-acsc-admissions",
        "title": "ACSC admissions",
        "period": "2024-25",
        "value": 10.4,
        "lower": 10.0,
        "upper": 10.8,
        "unit": "per 1,000 population",
        "polarity": "low_is_good",
        "baseline": 11.47,
        "comparators": {"NWL": 9.89},
        "status": "not met",
        "status_text": "Not met.",
        "trend": [["2022-23", 10.9], ["2023-24", 10.5], ["2024-25", 10.4]],
    }
    return {**item, **overrides}


def snap(period, headlines, methods=None, downloads=("a.csv",)):
    return {
        "period": period,
        "headlines": headlines,
        "methods": methods or {"pm5-acsc-admissions": "m1", "pm3": "m3"},
        "downloads": list(downloads),
    }


def test_comparisons_use_the_interval_rule_unless_the_chapter_tested_a_survey_baseline() -> None:
    assert comparisons(headline()) == {"baseline": "better", "NWL": "worse"}
    assert comparisons(headline(polarity="high_is_good")) == {
        "baseline": "worse",
        "NWL": "better",
    }
    assert comparisons(headline(polarity="no_judgement", comparators={"NWL": 10.5})) == {
        "baseline": "lower",
        "NWL": "similar",
    }
    # a survey baseline judged by the chapter's two-sample test keeps the chapter's word
    assert comparisons(headline(baseline_comparison="similar"))["baseline"] == "similar"
    assert comparisons(headline(lower=None)) == {"baseline": "not compared", "NWL": "not compared"}


def test_year_on_year_direction_needs_the_test() -> None:
    """10.5 (10.1 to 10.9) then 10.4 (10.0 to 10.8): difference -0.1, square-and-add interval
    -0.1 ± √(0.4² + 0.4²) = -0.666 to 0.466, includes zero; 10.5 then 9.0 (8.6 to 9.4):
    -1.5 ± 0.566 excludes zero."""
    item = headline(
        trend=[["2023-24", 10.5], ["2024-25", 10.4]],
        trend_intervals=[["2023-24", 10.1, 10.9], ["2024-25", 10.0, 10.8]],
    )
    assert direction(item) == "no clear change"
    item["trend"][-1][1], item["trend_intervals"][-1][1:] = 9.0, [8.6, 9.4]
    assert direction(item) == "down"
    assert direction(headline()) == "unknown"  # no intervals: not tested, not called


def test_new_period_revision_and_status_change_found() -> None:
    old = snap("2024-25", [headline()])
    new_item = headline(
        period="2025-26",
        value=9.5,
        lower=9.1,
        upper=9.85,
        status="met",
        status_text="Met.",
        trend=[["2022-23", 10.9], ["2023-24", 10.62], ["2024-25", 10.43], ["2025-26", 9.5]],
    )
    found = changes(old, snap("2025-26", [new_item], downloads=("a.csv", "b.csv")))
    kinds = [c.kind for c in found]
    assert kinds == ["new data", "revised", "status", "comparison", "download added"]
    assert found[0].text == "New period(s) of data: 2025-26: 9.5 per 1,000 population."
    # 2023-24 moved by 0.12 (> 0.05): a revision; 2024-25 by 0.03: within tolerance.
    assert found[1].text == (
        "2023-24 revised from 10.5 per 1,000 population to 10.6 per 1,000 population."
    )
    assert found[2] == Change(
        "status", "ACSC admissions", "Target status changed from not met to met: Met.", ""
    )
    # 9.1 to 9.85 lies below NWL's 9.89: lower is better, so "worse" became "better".
    assert found[3].text == "Compared with NWL: worse in 2024-25, better in 2025-26."
    assert found[4].subject == "b.csv"


def test_a_withheld_value_is_a_revision_only_when_it_is_published() -> None:
    old = snap(
        "2024-25", [headline(trend=[["2022-23", None], ["2023-24", None], ["2024-25", 8.0]])]
    )
    item = headline(trend=[["2022-23", None], ["2023-24", 10.5], ["2024-25", None]])
    found = [c.text for c in changes(old, snap("2024-25", [item])) if c.kind == "revised"]
    assert found == [
        "2023-24 revised from no value to 10.5 per 1,000 population.",
        "2024-25 revised from 8.0 per 1,000 population to no value.",
    ]


def test_method_change_is_named_as_the_cause() -> None:
    old = snap("2024-25", [headline()])
    new = snap(
        "2025-26",
        [headline(period="2025-26", status="met", status_text="Met.")],
        methods={"pm5-acsc-admissions": "m2"},
    )
    (status,) = [c for c in changes(old, new) if c.kind == "status"]
    assert status.cause == "method"
    lines = what_changed_page(new, old, "as built").split("\n")
    assert (
        "- **ACSC admissions.** Target status changed from not met to met: Met. "
        "*(Cause: a change of method.)*"
    ) in lines


def test_a_cause_is_given_only_for_a_change_of_method() -> None:
    """A change that follows from the data carries no cause (it would say nothing)."""
    old = snap("2024-25", [headline()])
    new = snap("2025-26", [headline(period="2025-26", status="met", status_text="Met.")])
    page = what_changed_page(new, old, "as built")
    assert "- **ACSC admissions.** Target status changed from not met to met: Met.\n" in page
    assert "Cause" not in page


def test_indicators_added_and_dropped() -> None:
    pm3 = headline(indicator_id="pm3", title="Citizen experience")
    found = changes(snap("2024-25", [headline()]), snap("2025-26", [pm3]))
    assert [(c.kind, c.subject) for c in found] == [
        ("added", "Citizen experience"),
        ("dropped", "ACSC admissions"),
    ]


def test_identical_snapshots_have_no_changes() -> None:
    old = snap("2024-25", [headline()])
    assert changes(old, copy.deepcopy(old)) == []


@pytest.mark.slow
def test_known_change_between_the_last_two_default_editions(default_build) -> None:
    """Citizens' positive experience: 2024-25's interval lies above the 2022-23 baseline
    value, but the two-sample test against the baseline survey does not support a
    difference, so the comparison stays "similar" and no change is listed (the editions'
    snapshots as the session's default build published them)."""
    site = default_build[1]
    old, new = (
        json.loads((site / period / "edition.json").read_text(encoding="utf-8"))
        for period in ("2024-25", "2025-26")
    )
    pm3_old = next(h for h in old["headlines"] if h["indicator_id"] == "pm3-citizen-experience")
    assert pm3_old["lower"] > pm3_old["baseline"]
    assert pm3_old["baseline_comparison"] == "similar"
    found = changes(old, new)
    assert not [
        c for c in found if c.kind == "comparison" and c.subject.startswith("Citizens reporting")
    ]
    assert any(c.kind == "new data" and "2025-26" in c.text for c in found)


def test_a_changed_reading_is_listed_with_its_figures() -> None:
    def reading(verdict: str, text: str) -> dict:
        return {
            "name": "Against the NWL average of the same year",
            "verdict": verdict,
            "text": text,
        }

    old = snap("2024-25", [headline(readings=[reading("not met", "NWL 2024-25: 15.0%.")])])
    new = snap(
        "2025-26",
        [headline(period="2025-26", readings=[reading("met", "NWL 2025-26: 16.1%.")])],
    )
    (found,) = [c for c in changes(old, new) if c.kind == "reading"]
    assert found == Change(
        "reading",
        "ACSC admissions",
        "Against the NWL average of the same year: not met in 2024-25, met in 2025-26. "
        "NWL 2025-26: 16.1%.",
        "",
    )
    # an older snapshot without readings gives no reading change
    assert not [c for c in changes(snap("2024-25", [headline()]), new) if c.kind == "reading"]


def test_a_comparison_reading_is_listed_once_under_comparison() -> None:
    def item(period: str, lower: float, upper: float, verdict: str) -> dict:
        reading = {"name": "Change since the 2022-23 baseline", "verdict": verdict, "text": "."}
        return headline(
            period=period,
            lower=lower,
            upper=upper,
            baseline=11.47,
            polarity="low_is_good",
            comparators={},
            readings=[reading],
        )

    old = snap("2024-25", [item("2024-25", 10.0, 11.0, "better")])
    new = snap("2025-26", [item("2025-26", 11.0, 12.0, "similar")])
    kinds = [c.kind for c in changes(old, new)]
    assert "reading" not in kinds and kinds.count("comparison") == 1
