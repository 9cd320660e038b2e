"""The test of homogeneity of standardised ratios against published reference values."""

import pytest

from bbp_analysis.stats import StatsInputError, ratio_heterogeneity


def test_equal_expected_counts_match_r_chisq_test():
    # R: chisq.test(c(25, 32, 18, 20)) -> X-squared = 4.9158, df = 3, p-value = 0.1781
    # (equal expected counts: every group's ratio tested against the pooled ratio)
    result = ratio_heterogeneity([25, 32, 18, 20], [1, 1, 1, 1])
    assert result.statistic == pytest.approx(4.9158, abs=5e-5)
    assert result.df == 3
    assert result.p_value == pytest.approx(0.1781, abs=5e-5)
    assert result.pooled == pytest.approx(95 / 4)


def test_unequal_expected_counts_match_r_chisq_test_with_p():
    # R: chisq.test(c(25, 32, 18, 20), p = c(1/3, 1/3, 1/6, 1/6))
    #    -> X-squared = 2.8, df = 3, p-value = 0.4235
    # Expected counts in the ratio 2:2:1:1 (any scale: only the shares E_i / sum(E) matter)
    result = ratio_heterogeneity([25, 32, 18, 20], [40.0, 40.0, 20.0, 20.0])
    assert result.statistic == pytest.approx(2.8, abs=1e-9)
    assert result.df == 3
    assert result.p_value == pytest.approx(0.4235, abs=5e-5)
    assert result.pooled == pytest.approx(95 / 120)


def test_identical_ratios_give_zero():
    result = ratio_heterogeneity([10, 20, 30], [5.0, 10.0, 15.0])
    assert result.statistic == pytest.approx(0.0)
    assert result.p_value == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("observed", "expected", "rule"),
    [
        ([5], [2.0], "at least two groups"),
        ([5, 6], [2.0, 0.0], "greater than zero"),
        ([5, -1], [2.0, 3.0], "must not be negative"),
        ([0, 0], [2.0, 3.0], "needs an event"),
        ([5, 6, 7], [2.0, 3.0], "at least two groups"),
    ],
)
def test_bad_input_is_refused(observed, expected, rule):
    with pytest.raises(StatsInputError, match=rule):
        ratio_heterogeneity(observed, expected)
