"""Wilson score proportions against scipy, hand-worked values and properties."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import binomtest

from bbp_analysis.stats import StatsInputError, proportion


def test_hand_worked_wilson_interval():
    # O = 40, n = 100, z = 1.959964: z² = 3.841459;
    # sqrt(z² + 4·40·(1 − 0.4)) = sqrt(3.841459 + 96) = 9.992070; × z = 19.584102
    # lower = (80 + 3.841459 − 19.584102) / (2·103.841459) = 64.257357 / 207.682918 = 0.309401
    # upper = (80 + 3.841459 + 19.584102) / 207.682918 = 103.425561 / 207.682918 = 0.497997
    result = proportion(40, 100)
    assert result.loc[0, "value"] == pytest.approx(40.0)
    assert result.loc[0, "lower"] == pytest.approx(30.9401, abs=1e-4)
    assert result.loc[0, "upper"] == pytest.approx(49.7997, abs=1e-4)


@pytest.mark.parametrize(("o", "n"), [(0, 10), (1, 10), (7, 23), (50, 50), (123, 4567)])
@pytest.mark.parametrize("confidence", [0.95, 0.998, 0.9])
def test_agrees_with_scipy_wilson(o, n, confidence):
    expected = binomtest(o, n).proportion_ci(confidence_level=confidence, method="wilson")
    result = proportion(o, n, confidence=confidence, multiplier=1)
    assert result.loc[0, "lower"] == pytest.approx(expected.low, abs=1e-12)
    assert result.loc[0, "upper"] == pytest.approx(expected.high, abs=1e-12)


def test_limits_exact_at_zero_and_n():
    result = proportion([0, 20], [20, 20], multiplier=1)
    assert result.loc[0, "lower"] == 0.0
    assert result.loc[1, "upper"] == 1.0


def test_confidence_pair_gives_four_columns_and_percentages_are_accepted():
    pair = proportion(30, 120, confidence=(0.95, 0.998))
    assert list(pair.columns) == ["value", "lower_95", "upper_95", "lower_99_8", "upper_99_8"]
    single = proportion(30, 120, confidence=95)
    assert pair.loc[0, "lower_95"] == pytest.approx(single.loc[0, "lower"])
    assert pair.loc[0, "lower_99_8"] < pair.loc[0, "lower_95"]


def test_confidence_one_gives_whole_range():
    result = proportion(3, 10, confidence=1)
    assert (result.loc[0, "lower"], result.loc[0, "upper"]) == (0.0, 100.0)


def test_series_index_kept_and_missing_flows_through():
    numerators = pd.Series([5.0, np.nan], index=["a", "b"])
    result = proportion(numerators, pd.Series([10.0, 10.0], index=["a", "b"]))
    assert list(result.index) == ["a", "b"]
    assert result.loc["b"].isna().all()
    assert result.loc["a", "value"] == pytest.approx(50.0)


@pytest.mark.parametrize(
    ("numerator", "denominator", "match"),
    [
        ([1, -1], [5, 5], r"column 'numerator'.*must not be negative.*positions 1"),
        ([1, 2], [5, 0], r"column 'denominator'.*greater than zero.*positions 1"),
        ([6, 2, 9], [5, 5, 5], r"must not exceed the denominator.*positions 0, 2"),
    ],
)
def test_bad_input_names_argument_rule_and_positions(numerator, denominator, match):
    with pytest.raises(ValueError, match=match):
        proportion(numerator, denominator)


@pytest.mark.parametrize("confidence", [0.5, 89, 101, (0.9, 0.95)])
def test_bad_confidence(confidence):
    with pytest.raises(StatsInputError, match="confidence"):
        proportion(1, 2, confidence=confidence)


@given(st.lists(st.tuples(st.integers(0, 10_000), st.integers(1, 10_000)), min_size=1, max_size=30))
def test_vectorised_properties(pairs):
    o = np.array([min(a, b) for a, b in pairs], dtype=float)
    n = np.array([b for _, b in pairs], dtype=float)
    narrow = proportion(o, n, confidence=0.95, multiplier=1)
    wide = proportion(o, n, confidence=0.998, multiplier=1)
    # monotone in confidence, bounded, containing the estimate
    assert (wide["lower"] <= narrow["lower"] + 1e-12).all()
    assert (wide["upper"] >= narrow["upper"] - 1e-12).all()
    assert ((narrow["lower"] >= 0) & (narrow["upper"] <= 1)).all()
    assert (narrow["lower"] <= narrow["value"] + 1e-12).all()
    assert (narrow["upper"] >= narrow["value"] - 1e-12).all()
    # symmetry: the interval for p mirrors the interval for 1 − p
    mirror = proportion(n - o, n, multiplier=1)
    np.testing.assert_allclose(mirror["lower"], 1 - narrow["upper"], atol=1e-12)
    np.testing.assert_allclose(mirror["upper"], 1 - narrow["lower"], atol=1e-12)
    # each element equals the scalar call
    first = proportion(o[0], n[0], multiplier=1)
    assert narrow.loc[0, "lower"] == pytest.approx(first.loc[0, "lower"])


def test_non_numeric_input_is_named():
    with pytest.raises(ValueError, match=r"column 'numerator'.*numeric"):
        proportion(pd.Series(["1", "two"]), pd.Series([5, 5]))
