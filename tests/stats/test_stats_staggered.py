"""Staggered adoption (bbp_analysis.stats.staggered): Webb weights, the imputation estimator
by hand, the not-yet-started rule, leads and randomisation inference."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from bbp_analysis.stats import staggered as st

PERIODS = pd.date_range("2021-04-01", periods=24, freq="MS")


def _panel(count: np.ndarray, first: list[int], exposure: float = 1000.0) -> st.Panel:
    units = [f"U{i}" for i in range(count.shape[0])]
    return st.Panel(
        units, PERIODS[: count.shape[1]], count, np.full(count.shape, exposure), np.array(first)
    )


def _multiplicative(first: list[int], effect: float, lead: float = 1.0) -> st.Panel:
    """Noise-free counts: unit level x period level x effect once started (x ``lead`` in the
    three months before)."""
    units = np.array([1.0, 1.3, 0.8, 1.1, 0.9])[: len(first), None]
    periods = (1 + 0.2 * np.sin(np.arange(24) / 3))[None, :]
    steps = np.arange(24)[None, :]
    started = steps >= np.array(first)[:, None]
    before = (np.array(first)[:, None] - steps >= 1) & (np.array(first)[:, None] - steps <= 3)
    count = 20 * units * periods * np.where(started, effect, 1.0) * np.where(before, lead, 1.0)
    return _panel(count, first)


def test_webb_weights_have_the_published_moments():
    """Webb (2014): six points +-sqrt(1/2), +-1, +-sqrt(3/2), each 1/6: E v = 0, E v^2 = 1,
    E v^3 = 0, E v^4 = 7/6."""
    one = st.webb_weights(1)[:, 0]
    assert sorted(one) == pytest.approx([-math.sqrt(1.5), -1, -math.sqrt(0.5),
                                         math.sqrt(0.5), 1, math.sqrt(1.5)])  # fmt: skip
    assert [np.mean(one**k) for k in (1, 2, 3, 4)] == pytest.approx([0, 1, 0, 7 / 6])
    two = st.webb_weights(2)
    assert two.shape == (36, 2) and len({tuple(row) for row in two}) == 36
    drawn = st.webb_weights(6, draws=999, seed=5)
    assert drawn.shape == (999, 6) and np.array_equal(drawn, st.webb_weights(6, 999, seed=5))


def test_two_by_two_is_the_difference_in_differences_ratio():
    count = np.array([[40.0, 50.0], [30.0, 27.0]])
    exposure = np.array([[1000.0, 1100.0], [800.0, 900.0]])
    data = st.Panel(["A", "B"], PERIODS[:2], count, exposure, np.array([2, 1]))
    exposed = data.exposed()
    ratio = st.imputed_ratio(count, exposure, ~exposed, exposed)
    by_hand = (27 / 900) / ((30 / 800) * (50 / 1100) / (40 / 1000))
    assert ratio == pytest.approx(by_hand, rel=1e-9)


def test_noise_free_effect_and_leads_are_recovered_exactly():
    data = _multiplicative([6, 9, 12, 15, 24], effect=0.8)
    exposed = data.exposed()
    target = st.predictable(~exposed, exposed)
    assert st.imputed_ratio(data.count, data.exposure, ~exposed, target) == pytest.approx(0.8)
    lead = data.lead((1, 3))
    fit = ~exposed & ~lead
    ratio = st.imputed_ratio(data.count, data.exposure, fit, st.predictable(fit, lead))
    assert ratio == pytest.approx(1.0)
    anticipating = _multiplicative([6, 9, 12, 15, 24], effect=0.8, lead=0.9)
    ratio = st.imputed_ratio(anticipating.count, anticipating.exposure, fit, lead & fit.any(0))
    assert ratio == pytest.approx(0.9)


def test_a_unit_never_serves_as_comparison_after_its_start():
    """Counts of a unit after its start do not move any other unit's prediction."""
    data = _multiplicative([6, 9, 12, 15, 24], effect=0.8)
    exposed = data.exposed()
    later = exposed & (np.arange(5) == 2)[:, None]  # the third unit's cells once started
    before = st.imputed_ratio(data.count, data.exposure, ~exposed, st.predictable(~exposed, later))
    changed = data.count.copy()
    changed[0, 6:] *= 10  # the first unit, after it started
    after = st.imputed_ratio(changed, data.exposure, ~exposed, st.predictable(~exposed, later))
    assert after == pytest.approx(before, rel=1e-9)
    # and periods with every unit started have no comparison: they drop out
    nobody_left = _multiplicative([6, 9, 12, 15, 20], effect=0.8).exposed()
    assert not st.predictable(~nobody_left, nobody_left)[:, 20:].any()


def test_randomisation_counts_distinct_assignments():
    assert len(st.assignments(np.array([3, 6, 9]))) == 6
    assert len(st.assignments(np.array([3, 3, 9, 9, 9]))) == 10  # two waves: p >= 0.1
    assert len(st.assignments(np.array([6, 9, 12, 15, 18]))) == 120


def test_randomisation_p_is_smallest_for_a_strong_effect():
    data = _multiplicative([4, 8, 12, 16, 20], effect=0.5)
    p_value, count = st.permutation_p(data)
    assert count == 120 and p_value == pytest.approx(1 / 120)
    null = _multiplicative([4, 8, 12, 16, 20], effect=1.0)
    assert st.permutation_p(null)[0] == pytest.approx(1.0)


def test_bootstrap_interval_holds_the_effect_and_is_deterministic():
    rng = np.random.default_rng(3)
    base = _multiplicative([6, 9, 12, 15, 18], effect=0.8)
    data = _panel(rng.poisson(base.count * 10).astype(float), [6, 9, 12, 15, 18], 10_000.0)
    result = st.staggered(data, draws=199, seed=1)
    effect = result.effect
    assert effect.lower < effect.ratio < effect.upper
    assert effect.lower < 0.8 < effect.upper
    assert result.clusters == 5 and result.draws == 199 and result.assignments == 120
    assert list(result.leads["window"]) == ["1-3 months before", "4-6 months before"]
    again = st.staggered(data, draws=199, seed=1)
    assert again.effect == effect


def test_panel_from_long_rows_and_bad_input():
    rows = pd.DataFrame(
        {
            "pcn": ["A", "A", "B", "B"],
            "date": ["2021-04-01", "2021-05-01"] * 2,
            "count": [1, 2, 3, 4],
            "exposure": [10.0, 10, 10, 10],
        }
    )
    data = st.panel(rows, "pcn", "date", "count", "exposure", {"B": pd.Timestamp("2021-05-01")})
    assert data.first.tolist() == [2, 1] and data.count.tolist() == [[1, 2], [3, 4]]
    with pytest.raises(st.StatsInputError):
        st.panel(rows.iloc[:3], "pcn", "date", "count", "exposure", {})
