"""Funnel limits and significance against PHEindicatormethods' reference outputs."""

import numpy as np
import pandas as pd
import pytest

from bbp_analysis.stats import (
    funnel_limits,
    funnel_limits_overdispersed,
    funnel_plot_points,
    funnel_significance,
)

# ukhsa-collaboration/PHEindicatormethods tests/testthat/testdata_funnel_prop_outputs.csv
# (baseline 80.642448%): Population, Lower2s, Upper2s, Lower3s, Upper3s
PROPORTION_REFERENCE = [
    (1, 3.204264, 100, 0, 100),
    (3, 35.933491, 100, 10.150815, 100),
    (20, 63.326743, 97.958152, 53.341156, 100),
    (41, 68.548635, 92.73626, 61.574398, 99.710497),
    (1008, 78.203374, 83.081521, 76.796814, 84.488082),
    (110000, 80.408963, 80.875933, 80.274317, 81.010578),
]

# ukhsa-collaboration/PHEindicatormethods tests/testthat/testdata_funnel_ratio_outputs.csv:
# observed O, expected E at the 2s (95%) and 3s (99.8%) lower/upper limits, ratio − 1 and ISR
RATIO_REFERENCE = [
    # O, E, level, side, count scale, isr scale
    (1, 5.571644585, "95", "lower", -0.820519779, 17.94802207),
    (1, 0.025317898, "95", "upper", 38.49774946, 3949.774946),
    (10, 24.13397235, "99_8", "lower", -0.585646331, 41.43536693),
    (10, 2.960519925, "99_8", "upper", 2.37778507, 337.778507),
    (100, 121.6268111, "95", "lower", -0.17781286, 82.21871402),
    (100, 81.36400699, "95", "upper", 0.229044681, 122.9044681),
    (716, 636.1521174, "99_8", "upper", 0.125516964, 112.5516964),
]


def _proportion_areas(average: float) -> tuple[np.ndarray, np.ndarray]:
    # two areas whose pooled proportion is exactly ``average``
    denominators = np.array([1_000_000.0, 1_000_000.0])
    return denominators * average, denominators


@pytest.mark.parametrize(("n", "low95", "high95", "low998", "high998"), PROPORTION_REFERENCE)
def test_proportion_limits_match_reference(n, low95, high95, low998, high998):
    # a third area at the reference denominator, with the average proportion itself
    numerators, denominators = _proportion_areas(0.80642448)
    points = funnel_limits(
        np.append(numerators, 0.80642448 * n), np.append(denominators, n), "proportion"
    )
    assert points["baseline"].iloc[0] == pytest.approx(80.642448, abs=1e-6)
    row = points.iloc[2]
    assert row["lower_95"] == pytest.approx(low95, abs=2e-6)
    assert row["upper_95"] == pytest.approx(high95, abs=2e-6)
    assert row["lower_99_8"] == pytest.approx(low998, abs=2e-6)
    assert row["upper_99_8"] == pytest.approx(high998, abs=2e-6)


@pytest.mark.parametrize(("o", "e", "level", "side", "count", "isr"), RATIO_REFERENCE)
def test_ratio_limits_match_reference(o, e, level, side, count, isr):
    as_count = funnel_limits([o], [e], "ratio", ratio_type="count")
    as_isr = funnel_limits([o], [e], "ratio", ratio_type="isr")
    column = f"{side}_{level}"
    assert as_count.loc[0, column] == pytest.approx(count, rel=2e-6, abs=1e-7)
    assert as_isr.loc[0, column] == pytest.approx(isr, rel=2e-6)
    assert as_count.loc[0, "baseline"] == 0
    assert as_isr.loc[0, "baseline"] == 100


def test_rate_limits_are_ratio_limits_times_average():
    # two areas, 150 events in 300,000 person-years: average 50 per 100,000.
    # Area 1 (100,000) expects 50 events, so its limits are the ratio limits at E = 50 × 50.
    rates = funnel_limits([40, 110], [100_000, 200_000], "rate")
    ratios = funnel_limits([40], [50.0], "ratio", ratio_type="isr")
    assert rates.loc[0, "baseline"] == pytest.approx(50.0)
    assert rates.loc[0, "value"] == pytest.approx(40.0)
    for column in ("lower_95", "upper_95", "lower_99_8", "upper_99_8"):
        assert rates.loc[0, column] == pytest.approx(ratios.loc[0, column] / 100 * 50, rel=1e-9)


def test_proportion_significance_matches_reference_labels():
    # ukhsa-collaboration/PHEindicatormethods tests/testthat/testdata_funnel_prop_inputs.csv
    # (first rows); classified against the pooled average of all 300+ areas (80.642448%),
    # which the comparison here recreates with one balancing area.
    areas = pd.DataFrame(
        {
            "numerator": [35078.488, 24803.6256, 50050.7443, 26789.238, 30277.5312],
            "denominator": [41980, 31824, 61921, 33012, 37828],
            "expected": ["High (0.001)", "Low (0.001)", "Not significant", "High (0.025)",
                         "Low (0.025)"],
        }
    )  # fmt: skip
    balance_n = 10_000_000.0
    target_total = 0.80642448 * (areas["denominator"].sum() + balance_n)
    numerators = np.append(areas["numerator"], target_total - areas["numerator"].sum())
    denominators = np.append(areas["denominator"], balance_n)
    labels = funnel_significance(numerators, denominators, "proportion")[:5]
    translated = areas["expected"].str.replace("(0.001)", "(99.8%)").str.replace("(0.025)", "(95%)")
    assert labels.tolist() == translated.tolist()


def test_ratio_and_dsr_significance():
    # O = 8, E = 6.24 (reference inputs row 1): exact 95% CI for O/E = (0.553, 2.526): not
    # significant. O = 507, E = 272.3: Byar 99.8% lower 507·(…)³/272.3 > 1: high.
    # O = 0, E = 240.6: exact upper 3.689/240.6 < 1: low at 99.8%.
    labels = funnel_significance([8, 507, 0], [6.239860227, 272.3024867, 240.6273499], "ratio")
    assert labels.tolist() == ["Not significant", "High (99.8%)", "Low (99.8%)"]
    dsr_labels = funnel_significance(
        [5, 200, 400], None, "rate", rate_type="dsr", rate=[10.0, 100.0, 150.0]
    )
    assert dsr_labels.iloc[0] == "Not applicable (DSR events < 10)"
    assert dsr_labels.iloc[1].startswith("Low")
    assert dsr_labels.iloc[2].startswith("High")


def test_overdispersion_widens_limits_by_hand():
    # ratios with E = 100 each and O = 70, 90, 100, 110, 130: z = (O/E − 1)/√(1/E) =
    # −3, −1, 0, 1, 3; Winsorised at the 10%/90% quantiles (−2.2, 2.2): φ = (2·4.84 + 2)/5
    # = 2.336; w = 100 each: Σw − Σw²/Σw = 500 − 100 = 400; τ² = (5·2.336 − 4)/400 = 0.0192
    # 95% limits: 1 ± 1.959964·√(0.01 + 0.0192) = 1 ± 1.959964·0.170880 → ratio − 1 = ±0.334919
    result = funnel_limits_overdispersed([70, 90, 100, 110, 130], [100.0] * 5, "ratio")
    assert result.attrs["phi"] == pytest.approx(2.336)
    assert result.attrs["tau2"] == pytest.approx(0.0192)
    assert result.loc[0, "upper_95"] == pytest.approx(0.334919, abs=1e-6)
    assert result.loc[0, "lower_95"] == pytest.approx(-0.334919, abs=1e-6)
    labels = funnel_significance([70, 90, 100, 110, 130], [100.0] * 5, "ratio", overdispersion=True)
    assert labels.tolist() == ["Not significant"] * 5


def test_plot_points_axis_and_values():
    numerators, denominators = _proportion_areas(0.80642448)
    points = funnel_plot_points(
        np.append(numerators, 0.80642448 * 20), np.append(denominators, 20), "proportion"
    )
    # the largest denominator is over twice the smallest, so the axis starts at 1 and ends at
    # 1,000,000 × 1.05 rounded up to 2 significant figures = 1,100,000
    assert points["denominator"].iloc[0] == 1
    assert points["denominator"].iloc[-1] == 1_100_000
    assert len(points) <= 100
    assert points["denominator"].is_monotonic_increasing
    # reference value at denominator 1 (testdata_funnel_prop_outputs.csv), and limits that
    # close in on the baseline as the denominator grows
    assert points.loc[0, "lower_95"] == pytest.approx(3.204264, abs=2e-6)
    assert points["lower_95"].is_monotonic_increasing
    assert points["upper_99_8"].is_monotonic_decreasing


def test_funnel_bad_input():
    with pytest.raises(ValueError, match=r"must not exceed the denominator.*positions 1"):
        funnel_limits([1, 5], [2, 4], "proportion")
    with pytest.raises(ValueError, match="statistic"):
        funnel_limits([1], [2], "mean")
    with pytest.raises(ValueError, match="funnels need every value"):
        funnel_limits([1, np.nan], [2, 3], "proportion")


def test_overdispersion_without_excess_variation_is_the_normal_approximation():
    # five areas at exactly 50/100: z = 0, φ = 0, τ² = 0, so the 95% limits are
    # 50 ± 100 · 1.959964 · sqrt(0.5 · 0.5 / 100) = 50 ± 9.79982
    result = funnel_limits_overdispersed([50] * 5, [100] * 5, "proportion")
    assert result.attrs["tau2"] == 0
    assert result["upper_95"].tolist() == pytest.approx([59.79982] * 5, abs=1e-5)


def test_dsr_funnel_limits_use_derived_denominators():
    # 200 events at a DSR of 100 per 100,000 → derived denominator 200,000; an area with no
    # events has no derived denominator and no limits
    result = funnel_limits([200, 300, 0], None, "rate", rate_type="dsr", rate=[100.0, 150.0, 0.0])
    assert result["value"].tolist() == [100.0, 150.0, 0.0]
    assert result["baseline"].iloc[0] == pytest.approx(500 / 400_000 * 100_000)
    assert result.loc[2, ["lower_95", "upper_95"]].isna().all()
    assert result.loc[0, "lower_95"] < 125 < result.loc[0, "upper_95"]
