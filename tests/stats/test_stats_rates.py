"""Crude rates: exact Poisson below 10 events, Byar's from 10."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import chi2

from bbp_analysis.stats import rate


def test_zero_events_upper_limit():
    # exact upper at O = 0: chi²(0.975; 2)/2 = −ln(0.025) = 3.688879 events
    result = rate(0, 1000, multiplier=1000)
    assert result.loc[0, "lower"] == 0.0
    assert result.loc[0, "upper"] == pytest.approx(3.688879, abs=1e-6)


@pytest.mark.parametrize("count", [1, 5, 9])
def test_exact_branch_matches_scipy_chi2(count):
    result = rate(count, 50_000, confidence=0.95)
    lower = chi2.ppf(0.025, 2 * count) / 2 / 50_000 * 100_000
    upper = chi2.ppf(0.975, 2 * count + 2) / 2 / 50_000 * 100_000
    assert result.loc[0, "lower"] == pytest.approx(lower, rel=1e-12)
    assert result.loc[0, "upper"] == pytest.approx(upper, rel=1e-12)


def test_byar_branch_hand_worked():
    # O = 100, z = 1.959964:
    # lower = 100 (1 − 0.0011111 − 0.0653321)³ = 100 (0.9335568)³ = 100 · 0.813621 = 81.3621
    # upper = 101 (1 − 0.0011001 + 1.959964/30.149627)³ = 101 (1.063908)³ = 101 · 1.204237
    #       = 121.6280
    result = rate(100, 100_000)
    assert result.loc[0, "value"] == pytest.approx(100.0)
    assert result.loc[0, "lower"] == pytest.approx(81.3621, abs=1e-3)
    assert result.loc[0, "upper"] == pytest.approx(121.6280, abs=1e-3)


def test_switch_is_at_ten_events():
    below, at = rate([9, 10], [1000, 1000]).itertuples(index=False)
    assert below.upper == pytest.approx(chi2.ppf(0.975, 20) / 2 / 1000 * 100_000)
    byar_upper_10 = 11 * (1 - 1 / 99 + 1.959963984540054 / (3 * np.sqrt(11))) ** 3
    assert at.upper == pytest.approx(byar_upper_10 / 1000 * 100_000)


def test_confidence_pair_and_errors():
    pair = rate(25, 10_000, confidence=(0.95, 0.998))
    assert pair.loc[0, "lower_99_8"] < pair.loc[0, "lower_95"] < 250 < pair.loc[0, "upper_95"]
    with pytest.raises(ValueError, match=r"column 'count'.*negative.*positions 2"):
        rate([1, 2, -3], 100)
    with pytest.raises(ValueError, match=r"column 'denominator'.*greater than zero"):
        rate(1, -100)


def test_missing_flows_through():
    result = rate([np.nan, 4], [100, np.nan])
    assert result.isna().all().all()


@given(st.lists(st.tuples(st.integers(0, 5000), st.floats(1, 1e7)), min_size=1, max_size=40))
def test_rates_monotone_in_confidence_and_contain_value(pairs):
    o = np.array([a for a, _ in pairs], dtype=float)
    n = np.array([b for _, b in pairs])
    narrow = rate(o, n, confidence=0.95)
    wide = rate(o, n, confidence=0.998)
    assert (wide["lower"] <= narrow["lower"] + 1e-9).all()
    assert (wide["upper"] >= narrow["upper"] - 1e-9).all()
    assert (narrow["lower"] <= narrow["value"] + 1e-9).all()
    assert (narrow["upper"] >= narrow["value"]).all()
