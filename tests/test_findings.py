"""Headings state a partnership measure's finding only as far as its test supports it."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bbp_analysis import findings
from bbp_analysis.headline import Headline

ACSC = Headline(
    measure=5,
    indicator_id="pm5-acsc-admissions",
    title="emergency admissions for ambulatory care sensitive conditions",
    period="2025-26",
    value=4.1,
    lower=3.8,
    upper=4.4,
    unit="per 1,000",
    polarity="low_is_good",
    baseline=5.0,
    baseline_period="2021-22",
    target=4.0,
    target_text="reduce",
    status="uncertain",
    status_text="",
    anchor="objective-3-care-pathways#pm5-acsc-spc",
    synthetic=True,
    source="synthetic",
)


def test_glue_name_is_the_indicator_id() -> None:
    assert findings.glue_name(ACSC) == "finding_pm5_acsc_admissions"


def test_a_change_is_stated_only_when_the_interval_excludes_the_baseline() -> None:
    assert findings.heading(ACSC) == (
        "Emergency admissions for ambulatory care sensitive conditions: lower than at "
        "baseline; too close to call against the target"
    )
    # interval 4.6 to 5.2 includes the baseline 5.0: no change claimed
    across = replace(ACSC, value=4.9, lower=4.6, upper=5.2, status="not met")
    assert findings.heading(across) == (
        "Emergency admissions for ambulatory care sensitive conditions: no clear change from "
        "baseline; target not met"
    )
    above = replace(ACSC, value=5.6, lower=5.2, upper=6.0, status="not met")
    assert findings.direction(above) == "higher"


@pytest.mark.parametrize(
    ("verdict", "polarity", "expected"),
    [
        ("better", "high_is_good", "higher"),
        ("better", "low_is_good", "lower"),
        ("worse", "high_is_good", "lower"),
        ("worse", "low_is_good", "higher"),
        ("similar", "high_is_good", "similar"),
    ],
)
def test_a_survey_baseline_is_read_by_the_chapter_test(
    verdict: str, polarity: str, expected: str
) -> None:
    # the interval alone (3.8 to 4.4 against 5.0) would say lower; the two-sample test decides
    item = replace(ACSC, baseline_comparison=verdict, polarity=polarity)
    assert findings.direction(item) == expected


def test_without_a_baseline_the_heading_gives_the_status_only() -> None:
    item = replace(ACSC, baseline=None, status="no baseline yet")
    assert findings.heading(item) == (
        "Emergency admissions for ambulatory care sensitive conditions: no baseline yet"
    )
    item = replace(ACSC, status="baseline set", baseline_comparison="similar")
    assert findings.heading(item) == (
        "Emergency admissions for ambulatory care sensitive conditions: no clear change from "
        "baseline"
    )
