"""Nine care processes from the plan's table: totals, intervals, comparison, suppression."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from bbp_analysis.care_processes import (
    nine_care_processes,
    plan_comparison_text,
    plan_practice_counts,
    plan_statements,
    summary,
)


def wilson(o: float, n: float, z: float = 1.959963984540054) -> tuple[float, float]:
    """Wilson score interval written out independently of the package (percent)."""
    p = o / n
    centre = p + z * z / (2 * n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return 100 * (centre - half) / (1 + z * z / n), 100 * (centre + half) / (1 + z * z / n)


@pytest.fixture(scope="module")
def practices() -> pd.DataFrame:
    return plan_practice_counts()


@pytest.fixture(scope="module")
def table(practices: pd.DataFrame) -> pd.DataFrame:
    return nine_care_processes(practices, area_name="Harrow", threshold=10)


def test_practice_table_has_canonical_pcns(practices: pd.DataFrame) -> None:
    assert len(practices) == 29
    assert set(practices["pcn_name"]) == {
        "Harrow Collaborative PCN",
        "Harrow East PCN",
        "Health Alliance PCN",
        "Healthsense PCN",
        "Sphere PCN",
    }


def test_borough_total_and_wilson_interval(table: pd.DataFrame) -> None:
    borough = table.iloc[0]
    assert borough["level"] == "borough"
    assert (borough["numerator"], borough["denominator"]) == (4988, 20831)
    assert borough["value"] == pytest.approx(100 * 4988 / 20831)
    lower, upper = wilson(4988, 20831)
    assert borough["lower"] == pytest.approx(lower, abs=1e-9)
    assert borough["upper"] == pytest.approx(upper, abs=1e-9)


def test_pcn_values_and_comparisons(table: pd.DataFrame) -> None:
    pcns = table[table["level"] == "pcn"].set_index("area")
    assert pcns.loc["Healthsense PCN", "value"] == pytest.approx(100 * 2154 / 5874)
    assert pcns.loc["Sphere PCN", "value"] == pytest.approx(100 * 641 / 4603)
    # Healthsense's interval lies above Harrow's 23.9%, Sphere's below, Health Alliance's
    # (23.1%, 852 of 3,685) straddles it.
    assert pcns.loc["Healthsense PCN", "comparison"] == "better"
    assert pcns.loc["Sphere PCN", "comparison"] == "worse"
    assert pcns.loc["Health Alliance PCN", "comparison"] == "similar"
    assert list(pcns.index) == sorted(pcns.index, key=lambda a: -pcns.loc[a, "value"])


def test_small_count_and_its_complement_suppressed(table: pd.DataFrame) -> None:
    hidden = table[table["suppressed"]]
    # Hatch End has 2 achievers (below 10); the next smallest count in Sphere PCN (Northwick,
    # 77) is suppressed too, so 641 minus the published practices cannot reveal it.
    assert sorted(hidden["area"]) == [
        "Hatch End Medical Centre (E84053)",
        "The Northwick Surgery (E84044)",
    ]
    assert hidden["numerator"].isna().all() and hidden["value"].isna().all()
    assert (hidden["comparison"] == "suppressed").all()
    assert not table.loc[~table["suppressed"], "numerator"].lt(10).any()


def test_single_pcn_view(practices: pd.DataFrame) -> None:
    view = nine_care_processes(practices, area_name="Harrow", threshold=10, pcn="Harrow East PCN")
    assert list(view["level"]) == ["borough", "pcn", "practice", "practice", "practice"]
    assert set(view.loc[view["level"] == "practice", "pcn_name"]) == {"Harrow East PCN"}
    with pytest.raises(ValueError, match="no practices in PCN 'Nowhere PCN'"):
        nine_care_processes(practices, area_name="Harrow", threshold=10, pcn="Nowhere PCN")


def test_summary_and_plan_comparison(table: pd.DataFrame) -> None:
    numbers = summary(table)
    assert numbers["pcn_max_name"] == "Healthsense PCN"
    assert numbers["pcn_min_name"] == "Sphere PCN"
    assert plan_statements() == {"harrow": 23, "nwl": 36, "pcn_highest": 35, "pcn_lowest": 13}
    text = plan_comparison_text(numbers, plan_statements())
    assert "Harrow 23.9% (plan text: 23%)" in text
    assert "differs from the plan's text by up to 1.7 percentage points" in text
