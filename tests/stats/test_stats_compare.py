"""Benchmark comparison and the Fingertips recent trend."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from bbp_analysis.stats import compare, recent_trend
from bbp_analysis.stats.compare import trend_chi_square


def test_compare_with_each_polarity():
    lower = pd.Series([10.0, 4.0, 1.0, np.nan], index=list("abcd"))
    upper = pd.Series([12.0, 6.0, 3.0, 2.0], index=list("abcd"))
    assert compare(lower, upper, 5.0, "high_is_good").tolist() == [
        "better", "similar", "worse", "not compared",
    ]  # fmt: skip
    assert compare(lower, upper, 5.0, "low_is_good").tolist() == [
        "worse", "similar", "better", "not compared",
    ]  # fmt: skip
    for polarity in (None, "no_judgement"):
        assert compare(lower, upper, 5.0, polarity).tolist() == [
            "higher", "similar", "lower", "not compared",
        ]  # fmt: skip
    assert list(compare(lower, upper, 5.0, None).index) == list("abcd")


def test_interval_touching_benchmark_is_similar_and_missing_benchmark_not_compared():
    assert compare([5.0], [7.0], [5.0], "high_is_good").tolist() == ["similar"]
    assert compare([6.0], [7.0], [np.nan], "high_is_good").tolist() == ["not compared"]


def test_compare_bad_input():
    with pytest.raises(ValueError, match="polarity"):
        compare([1], [2], 1, "up")
    with pytest.raises(ValueError, match=r"column 'lower'.*must not exceed upper.*positions 0"):
        compare([3], [2], 1, None)


def test_trend_statistic_hand_worked():
    # r = 10, 20, 30, 40, 50 of 1000 each: R = 150, N = 5000, p = 0.03, x̄ = 3
    # T = Σ r x − R x̄ = 550 − 450 = 100; Σ n x² − N x̄² = 55000 − 45000 = 10000
    # χ² = 100² / (0.03 · 0.97 · 10000) = 10000 / 291 = 34.364261
    chi_square, t = trend_chi_square(np.array([10.0, 20, 30, 40, 50]), np.full(5, 1000.0))
    assert chi_square == pytest.approx(34.364261, abs=1e-6)
    assert t == pytest.approx(100.0)


def test_trend_statistic_equals_n_times_squared_correlation():
    # Armitage's statistic is N·r² for the correlation of score and outcome over individuals
    counts, denominators = np.array([3, 5, 4, 9, 11]), np.array([40, 50, 45, 60, 55])
    scores = np.repeat(np.arange(1, 6), denominators)
    outcome = np.concatenate([np.r_[np.ones(c), np.zeros(n - c)]
                              for c, n in zip(counts, denominators, strict=True)])  # fmt: skip
    r = stats.pearsonr(scores, outcome).statistic
    chi_square, _ = trend_chi_square(counts.astype(float), denominators.astype(float))
    assert chi_square == pytest.approx(denominators.sum() * r**2, rel=1e-10)


def test_recent_trend_labels():
    rising = [1, 2, 10, 20, 30, 40, 50]  # only the last five are tested
    n = [1000] * 7
    assert recent_trend(rising, n, "high_is_good") == "Increasing and getting better"
    assert recent_trend(rising, n, "low_is_good") == "Increasing and getting worse"
    assert recent_trend(rising, n) == "Increasing"
    assert recent_trend(rising[::-1], n, "low_is_good") == "Decreasing and getting better"
    assert recent_trend(rising[::-1], n, "high_is_good") == "Decreasing and getting worse"
    assert recent_trend(rising[::-1], n, "no_judgement") == "Decreasing"
    # 20, 22, ..., 28 of 1000: χ² = 20² / (0.024·0.976·10000) = 1.7077 < 9.5495
    assert recent_trend([20, 22, 24, 26, 28], [1000] * 5, "high_is_good") == (
        "No significant change"
    )


def test_recent_trend_cannot_be_calculated():
    assert recent_trend([10, 20, 30, 40], [100] * 4) == "Cannot be calculated"
    assert recent_trend([1, 2, 1, 2, 1], [100] * 5) == "Cannot be calculated"
    assert recent_trend([10, 20, np.nan, 40, 50], [100] * 5) == "Cannot be calculated"
    with pytest.raises(ValueError, match=r"column 'denominators'.*greater than zero"):
        recent_trend([1, 2, 3, 4, 5], [10, 10, 0, 10, 10])
