"""The indicator layer: rows read once and filtered, an indicator assessed from its catalogue
entry (value, interval, comparison, trend, status), checked against the extract's own counts."""

from __future__ import annotations

import pandas as pd
import pytest

from bbp_analysis import catalogue, extract, indicators
from bbp_analysis.stats import compare, rate, recent_trend

from support import RUN_PARAMS

PARAMS = RUN_PARAMS
ACSC = "acsc-chronic-nhsof"  # a crude rate (Byar); measure 5 is standardised elsewhere
QUERY, MEASURE = catalogue.indicator(ACSC).query, catalogue.indicator(ACSC).measure_name
PCN = "Harrow East PCN"


def totals(area_type: str, area_code: str | None = None) -> pd.DataFrame:
    """The NHS OF list indicator's whole-population rows for one area, by period, straight
    from the extract."""
    data = extract.measures(QUERY, measure=MEASURE, area_type=area_type, breakdown="total")
    if area_code:
        data = data[data["area_code"] == area_code]
    return data.set_index("period").sort_index()


def test_rows_are_the_extract_rows_filtered_on_equal_values() -> None:
    got = indicators.rows(QUERY, MEASURE, PARAMS, period="2025-26", breakdown="total")
    expected = extract.measures(QUERY, measure=MEASURE, period="2025-26", breakdown="total")
    pd.testing.assert_frame_equal(got, expected)


def test_the_borough_assessed_from_the_catalogue_entry() -> None:
    result = indicators.assess(ACSC, PARAMS)
    borough = totals("borough")
    n, d = borough.loc["2025-26", ["numerator", "denominator"]]
    assert result.value == pytest.approx(n / d * 1000)  # catalogue multiplier: per 1,000
    byar = rate([n], [d], confidence=0.95, multiplier=1000).iloc[0]
    assert (result.lower, result.upper) == pytest.approx((byar["lower"], byar["upper"]))
    assert result.lower < result.value < result.upper
    assert result.comparison == "benchmark"
    assert result.trend == recent_trend(borough["numerator"], borough["denominator"], "low_is_good")
    assert result.status is None  # no target


def test_a_pcn_is_compared_with_the_borough_by_its_interval() -> None:
    result = indicators.assess(ACSC, PARAMS, area=PCN)
    pcn, borough = totals("pcn", PCN), totals("borough")
    assert result.value == pytest.approx(
        pcn.loc["2025-26", "numerator"] / pcn.loc["2025-26", "denominator"] * 1000
    )
    benchmark = borough.loc["2025-26", "numerator"] / borough.loc["2025-26", "denominator"] * 1000
    expected = compare([result.lower], [result.upper], benchmark, "low_is_good").iloc[0]
    assert result.comparison == expected != "benchmark"
    pcn = pcn[pcn.index <= "2025-26"]
    assert result.trend == recent_trend(pcn["numerator"], pcn["denominator"], "low_is_good")


def test_a_group_of_a_breakdown_and_an_earlier_period() -> None:
    result = indicators.assess(
        ACSC,
        PARAMS,
        area="White",
        breakdown="ethnic_group",
        period="2023-24",
    )
    data = extract.measures(
        QUERY,
        measure=MEASURE,
        area_type="borough",
        breakdown="ethnic_group",
        breakdown_value="White",
    ).set_index("period")
    assert result.period == "2023-24" and result.area == "White"
    n, d = data.loc["2023-24", ["numerator", "denominator"]]
    assert result.value == pytest.approx(n / d * 1000)
    upto = data[data.index <= "2023-24"].sort_index()
    assert result.trend == recent_trend(upto["numerator"], upto["denominator"], "low_is_good")


@pytest.mark.parametrize(
    ("lower", "upper", "expected"),
    [(8.0, 12.0, "met"), (17.0, 19.0, "uncertain"), (18.5, 20.0, "not met")],
)
def test_status_against_a_target_range(lower: float, upper: float, expected: str) -> None:
    # Voluntary turnover: target 10% to 18.4%, low is good, so the range's top is the line.
    assert indicators.status("pm4-voluntary-turnover", lower, upper) == expected


def test_status_against_a_target_value_and_without_one() -> None:
    # GP access rated good: the plan's value is 71 (NWL average), high is good.
    assert indicators.status("pm2-gp-access-good", 71.5, 74.0) == "met"
    assert indicators.status("pm2-gp-access-good", 69.0, 70.9) == "not met"
    assert indicators.status("pm1-tooth-decay-5", 30.0, 35.0) is None  # two readings, no value
    assert indicators.status("pm2-gp-access-good", None, None) is None


def test_an_unsupported_method_is_named() -> None:
    assert indicators.kind_of("pm1-tooth-decay-5") == "proportion"
    assert indicators.kind_of(ACSC) == "rate"
    with pytest.raises(ValueError, match="pm5-acsc-admissions: method 'isr'"):
        indicators.kind_of("pm5-acsc-admissions")  # standardised: bbp_analysis.standardisation
    with pytest.raises(ValueError, match="falls-65plus-dsr: method 'dobson'"):
        indicators.kind_of("falls-65plus-dsr")
