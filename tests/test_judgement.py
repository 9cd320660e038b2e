"""The status and comparison specification: its functions against published and hand-derived
values, and the methods page's table against the code that makes each judgement."""

from __future__ import annotations

import importlib
import inspect
import math
from pathlib import Path

import pytest

from bbp_analysis import judgement
from bbp_analysis.judgement import Estimate
from bbp_analysis.stats import recent_trend

from support import RUN_PARAMS

stats_compare = importlib.import_module("bbp_analysis.stats.compare")

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "bbp_analysis"


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ((56, 70, 48, 80), (0.0524, 0.3339)),
        ((9, 10, 3, 10), (0.1705, 0.8090)),
        ((6, 7, 2, 7), (0.0582, 0.8062)),
        ((5, 56, 0, 29), (-0.0381, 0.1926)),
        ((0, 10, 0, 20), (-0.1611, 0.2775)),
        ((0, 10, 0, 10), (-0.2775, 0.2775)),
        ((10, 10, 0, 20), (0.6791, 1.0000)),
        ((10, 10, 0, 10), (0.6075, 1.0000)),
    ],
)
def test_newcombe_interval_matches_newcombe_1998_table_ii(counts, expected) -> None:
    """Newcombe RG. Interval estimation for the difference between independent proportions:
    comparison of eleven methods. Statistics in Medicine 1998;17:873-890, Table II, method 10
    (score interval without continuity correction), 95%, to four decimals."""
    got = judgement.newcombe_interval(*counts)
    assert got.value == pytest.approx(counts[0] / counts[1] - counts[2] / counts[3])
    assert (got.lower, got.upper) == (
        pytest.approx(expected[0], abs=5e-5),
        pytest.approx(expected[1], abs=5e-5),
    )


def test_square_and_add_with_symmetric_intervals_is_the_two_sample_z_test() -> None:
    """a = 10 ± 2, b = 4 ± 2 (95%, se = 2 / 1.96 each): d = 6, half-width
    √(2² + 2²) = 2.828, so 3.172 to 8.828; z = 6 / √(2 (2 / 1.96)²) = 4.158."""
    diff = judgement.difference_interval(Estimate(10, 8, 12), Estimate(4, 2, 6))
    assert (diff.value, diff.lower, diff.upper) == pytest.approx((6, 6 - 8**0.5, 6 + 8**0.5))
    se = 2 / 1.959963984540054
    assert judgement.z_equivalent(diff, 0.95) == pytest.approx(6 / math.sqrt(2 * se**2))


def test_measure_3_in_2024_25_is_similar_to_its_survey_baseline() -> None:
    """The issue's case: 66.0% (63.1 to 68.8) in 2024-25 against 63.0% (60.0 to 65.9) in
    2022-23. The interval lies above 63.0, yet the difference, 3.0 points, has the interval
    3.0 − √(2.9² + 2.9²) = −1.10 to 3.0 + √(2.8² + 3.0²) = 7.10, z = 3.0 × 1.96 / 4.10 = 1.43."""
    now, base = Estimate(66.0, 63.1, 68.8), Estimate(63.0, 60.0, 65.9)
    assert judgement.against_value(now.lower, now.upper, base.value, "high_is_good") == "better"
    assert judgement.against_baseline(now, base, "high_is_good") == "similar"
    diff = judgement.difference_interval(now, base)
    assert (diff.lower, diff.upper) == pytest.approx((-1.1012, 7.1037), abs=1e-4)
    assert judgement.z_equivalent(diff, 0.95) == pytest.approx(1.434, abs=1e-3)
    assert judgement.against_baseline(Estimate(70, 67, 73), base, "high_is_good") == "better"
    assert judgement.against_baseline(Estimate(70, 67, 73), base, "low_is_good") == "worse"


def test_a_target_value_is_met_not_met_or_uncertain_on_the_interval() -> None:
    assert judgement.against_target(72.0, 75.0, 71.0, "high_is_good") == "met"
    assert judgement.against_target(66.0, 70.0, 71.0, "high_is_good") == "not met"
    assert judgement.against_target(70.0, 72.0, 71.0, "high_is_good") == "uncertain"
    assert judgement.against_target(9.0, 11.5, 12.0, "low_is_good") == "met"
    assert judgement.against_target(13.6, 16.6, 12.0, "low_is_good") == "not met"
    assert judgement.against_target(11.0, 13.0, 12.0, "low_is_good") == "uncertain"
    with pytest.raises(ValueError, match="polarity"):
        judgement.against_target(1.0, 2.0, 1.5, "no_judgement")


def test_a_target_range_is_read_with_the_indicators_polarity() -> None:
    """Turnover (low is good) against the NWL range 10% to 18.4%: below the range is met."""
    assert judgement.against_range(7.0, 9.0, 10.0, 18.4, "low_is_good") == "met"
    assert judgement.against_range(13.9, 15.9, 10.0, 18.4, "low_is_good") == "met"
    assert judgement.against_range(17.9, 19.0, 10.0, 18.4, "low_is_good") == "uncertain"
    assert judgement.against_range(19.0, 21.0, 10.0, 18.4, "low_is_good") == "not met"
    assert judgement.against_range(7.0, 9.0, 10.0, 18.4, "high_is_good") == "not met"


def test_gap_change_has_one_sign_convention() -> None:
    """The gap is signed so that the baseline gap is positive: −10 (−12 to −8) then −4 (−6 to
    −2) is a gap of 10 narrowing to 4 (z = −6 / √(2 (2/1.96)²) = −4.158), exactly as +10 then
    +4; 10 ± 2 then 8 ± 2 is no clear change (z = −1.386)."""
    narrowing = judgement.gap_change(Estimate(-10, -12, -8), Estimate(-4, -6, -2), 0.95)
    assert narrowing[0] == "narrower"
    assert narrowing[1] == pytest.approx(-4.158, abs=1e-3)
    assert judgement.gap_change(Estimate(10, 8, 12), Estimate(4, 2, 6), 0.95) == narrowing
    verdict, z = judgement.gap_change(Estimate(10, 8, 12), Estimate(8, 6, 10), 0.95)
    assert (verdict, z) == ("no clear change", pytest.approx(-1.386, abs=1e-3))
    assert judgement.gap_change(Estimate(4, 3, 5), Estimate(10, 8, 12), 0.95)[0] == "wider"


def test_year_on_year_change_is_called_only_when_tested() -> None:
    assert judgement.year_on_year(Estimate(61.4, 59.4, 63.4), Estimate(61.3, 59.3, 63.2)) == (
        "no clear change"
    )
    assert judgement.year_on_year(Estimate(56.1, 54.1, 58.1), Estimate(61.4, 59.4, 63.4)) == "up"
    assert judgement.year_on_year(Estimate(24.7, 23.0, 26.5), Estimate(19.9, 18.3, 21.6)) == (
        "down"
    )
    assert judgement.year_on_year(Estimate(1, 0, 2), Estimate(math.nan, 0, 2)) == "not tested"


def test_groups_are_named_in_summary() -> None:
    ages = ["16-24", "25-34", "35-44", "45-54", "55-64", "65-74", "75-84", "85+"]
    assert judgement.name_groups("age group", ages[:5], ages) == "every age group under 65"
    assert judgement.name_groups("age group", ages[5:], ages) == "every age group 65 and over"
    assert judgement.name_groups("age group", ages, ages) == "every age group"
    assert judgement.name_groups("age group", ["25-34", "55-64"], ages) == "25-34, 55-64"
    ethnic = ["Asian", "Black", "Mixed", "Other", "White"]
    assert judgement.name_groups("ethnic group", ethnic[:4], ethnic) == (
        "every ethnic group except White"
    )
    assert judgement.name_groups("ethnic group", [], ethnic) == "none"


def test_screening_statements_use_99_8_percent() -> None:
    screened = judgement.screening(RUN_PARAMS)
    assert screened.confidence == 0.998
    assert screened.replace(confidence=0.95) == RUN_PARAMS


def _methods_rows(marker: str) -> list[list[str]]:
    text = (ROOT / "book" / "methods.md").read_text(encoding="utf-8")
    body = text.split(f"% {marker}:", 1)[1].split(f"% end {marker}", 1)[0]
    lines = [line for line in body.splitlines() if line.startswith("|")][2:]
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in lines]


CALL_SITES = {
    "against_value": ["site/whatchanged.py"],
    "against_baseline": ["chapters/objective_2.py"],
    "against_target": ["chapters/objective_1.py"],
    "against_range": ["chapters/objective_2.py"],
    "name_groups": ["chapters/objective_1.py"],
    "screening": [
        "chapters/objective_1.py",
        "chapters/objective_1_groups.py",
        "chapters/objective_2_text.py",
        "chapters/objective_3.py",
    ],
    "gap_change": ["chapters/objective_1_groups.py", "chapters/objective_3.py"],
    "year_on_year": ["site/whatchanged.py"],
    "recent_trend": ["indicators.py"],
}
"""Where each rule's function is called: every judgement of its kind on the site."""


def test_methods_page_states_each_rule_the_code_calls() -> None:
    """The methods page's specification is :data:`judgement.RULES`, row for row; each rule's
    function lives in :mod:`bbp_analysis.judgement` and is the one its call sites call."""
    rows = _methods_rows("judgement-rules")
    assert rows == [[name, rule.rule] for name, rule in judgement.RULES.items()]
    functions = {rule.function.__name__ for rule in judgement.RULES.values()}
    assert functions == set(CALL_SITES)
    for rule in judgement.RULES.values():
        # the recent trend is the statistics module's Fingertips test, called as it is
        home = stats_compare if rule.function is recent_trend else judgement
        assert inspect.getmodule(rule.function) is home
        prefix = "" if home is stats_compare else "judgement."
        for site in CALL_SITES[rule.function.__name__]:
            source = (SRC / site).read_text(encoding="utf-8")
            assert f"{prefix}{rule.function.__name__}(" in source, (site, rule.function)


def test_no_second_copy_of_a_judgement() -> None:
    """The comparisons the specification replaced are gone from their old homes."""
    whatchanged = (SRC / "site" / "whatchanged.py").read_text(encoding="utf-8")
    assert "def compare_interval" not in whatchanged
    assert 'sii_upper"] < base["sii_lower' not in (SRC / "chapters" / "objective_3.py").read_text(
        encoding="utf-8"
    )
    board = (SRC / "board_paper.py").read_text(encoding="utf-8")
    assert "compare_interval" not in board
    groups = (SRC / "chapters" / "objective_1_groups.py").read_text(encoding="utf-8")
    assert "1.959964" not in groups
