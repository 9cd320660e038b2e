"""Slope and relative index of inequality: hand-worked fits and simulated intervals."""

import numpy as np
import pandas as pd
import pytest

from bbp_analysis.stats import sii


def _quintiles(values, se=1.0, population=(100, 100, 100, 100, 100), **extra) -> pd.DataFrame:
    return pd.DataFrame({"q": [1, 2, 3, 4, 5], "pop": population, "y": values, "se": se, **extra})


def test_hand_worked_fit_and_simulated_interval():
    # equal populations: x = 0.1, 0.3, 0.5, 0.7, 0.9 (midpoints), weights 0.2 each.
    # y = 1, 1, 1, 1, 6: x̄ = 0.5, ȳ = 2, Σa(x−x̄)² = 0.08, Σa(x−x̄)(y−ȳ) = 0.4
    # slope = 5, intercept = 2 − 5·0.5 = −0.5, RII = (−0.5 + 5)/−0.5 = −9.
    # With se = 1 for each quintile the slope's SD is sqrt(Σ c²) with c = 2.5(x − 0.5)
    # = (−1, −0.5, 0, 0.5, 1): sqrt(2.5) = 1.581139, so the 95% CI is 5 ± 3.098975.
    result = sii(_quintiles([1, 1, 1, 1, 6]), "q", "pop", "y", se="se", seed=1)
    row = result.iloc[0]
    assert row["sii"] == pytest.approx(5.0)
    assert row["rii"] == pytest.approx(-9.0)
    assert row["sii_lower"] == pytest.approx(5 - 3.098975, abs=0.05)
    assert row["sii_upper"] == pytest.approx(5 + 3.098975, abs=0.05)


def test_unequal_populations_exact_line():
    # populations 1:2:3:2:2 → shares .1 .2 .3 .2 .2, midpoints .05 .2 .45 .7 .9;
    # y = 5 + 10x lies on a line, so the SII is 10 and the RII (5 + 10)/5 = 3 whatever the weights
    x = np.array([0.05, 0.2, 0.45, 0.7, 0.9])
    frame = _quintiles(5 + 10 * x, se=1e-6, population=(10, 20, 30, 20, 20))
    row = sii(frame, "q", "pop", "y", se="se", seed=2, repetitions=2000).iloc[0]
    assert row["sii"] == pytest.approx(10.0)
    assert row["rii"] == pytest.approx(3.0)
    assert row["sii_lower"] == pytest.approx(10.0, abs=1e-4)
    negative = sii(frame, "q", "pop", "y", se="se", multiplier=-1, repetitions=2000).iloc[0]
    assert negative["sii"] == pytest.approx(-10.0)
    assert negative["rii"] == pytest.approx(1 / 3)


def test_rates_with_transform_back_transform_the_log_line():
    # log rate = log 100 + 0.5x exactly: intercept log 100, slope 0.5 on the log scale
    # SII = 100(e^0.5 − 1) = 64.872127, RII = e^0.5 = 1.648721; 95% limits at ±1.96·0.05
    x = np.array([0.1, 0.3, 0.5, 0.7, 0.9])
    rates = 100 * np.exp(0.5 * x)
    frame = _quintiles(
        rates, lo=rates * np.exp(-1.959964 * 0.05), hi=rates * np.exp(1.959964 * 0.05)
    )
    row = sii(frame, "q", "pop", "y", lower="lo", upper="hi", value_type="rate",
              transform=True, seed=3, repetitions=20_000).iloc[0]  # fmt: skip
    assert row["sii"] == pytest.approx(64.872127, abs=1e-5)
    assert row["rii"] == pytest.approx(1.648721, abs=1e-6)
    assert row["rii_lower"] < 1.648721 < row["rii_upper"]


def test_seeded_runs_repeat_and_groups_are_separate():
    frame = pd.concat(
        [_quintiles([1, 2, 3, 4, 5]).assign(area="A"), _quintiles([5, 4, 3, 2, 1]).assign(area="B")]
    )
    first = sii(frame, "q", "pop", "y", se="se", by="area", seed=7, repetitions=5000,
                confidence=(0.95, 0.998))  # fmt: skip
    second = sii(frame, "q", "pop", "y", se="se", by="area", seed=7, repetitions=5000,
                 confidence=(0.95, 0.998))  # fmt: skip
    pd.testing.assert_frame_equal(first, second)
    assert first["area"].tolist() == ["A", "B"]
    # y rises by 1 per quintile (0.2 of the population): slope 5
    assert first["sii"].tolist() == pytest.approx([5.0, -5.0])
    assert (first["sii_lower_99_8"] < first["sii_lower_95"]).all()


def test_incomplete_group_dropped_with_warning():
    # phe_sii (PHEindicatormethods 2.1.0) keeps only the groups holding every quantile found
    # in the data, with the warning "some records have been removed due to incomplete or
    # invalid data"; the complete group's SII is that of the group alone
    frame = pd.concat(
        [_quintiles([1, 1, 1, 1, 6]).assign(area="A"), _quintiles([1, 2, 3, 4, 5]).assign(area="B")]
    ).reset_index(drop=True)
    with pytest.warns(UserWarning, match="lacks some of the 5 quantiles; it is left out"):
        result = sii(frame.drop(index=7), "q", "pop", "y", se="se", by="area", repetitions=1000)
    assert result["area"].tolist() == ["A"]
    assert result.loc[0, "sii"] == pytest.approx(5.0)


@pytest.mark.parametrize(
    ("change", "arguments", "message"),
    [
        # phe_sii stops: "missing lower or upper confidence limits in input dataset"
        ({"lo": (2, np.nan)}, {"lower": "lo", "upper": "hi"},
         r"column 'lo': confidence limits must be present: at 0-based positions 2"),
        # phe_sii stops: "negative or missing standard errors in input dataset"
        ({"se": (3, np.nan)}, {"se": "se"},
         r"column 'se': standard errors must be present and >= 0: at 0-based positions 3"),
        ({"se": (0, -1.0)}, {"se": "se"}, r"column 'se': standard errors must be present"),
        # phe_sii stops: "some groups have a zero, negative or missing population"
        ({"pop": (4, np.nan)}, {"se": "se"}, r"column 'pop': must be present and greater"),
        # no value to fit (phe_sii's simulation has no mean to draw around)
        ({"y": (1, np.nan)}, {"se": "se"},
         r"column 'y': values must not be missing: at 0-based positions 1"),
        # phe_sii stops: "confidence limit proportions are not all between 0 and 1"
        ({"hi": (4, 1.2)}, {"lower": "lo", "upper": "hi", "value_type": "proportion"},
         r"column 'hi': proportions must be between 0 and 1: at 0-based positions 4"),
    ],
)  # fmt: skip
def test_missing_or_invalid_inputs_are_a_clear_error_not_an_empty_result(
    change, arguments, message
):
    # Before: an ungrouped frame with one missing limit, standard error or value came back
    # empty with a warning, and the caller's result.iloc[0] raised a bare IndexError.
    # PHEindicatormethods 2.1.0 phe_sii refuses these inputs with stop(); so does sii, with a
    # ValueError naming the column, the rule and the position.
    values = [0.1, 0.2, 0.3, 0.4, 0.5]
    frame = _quintiles(values, lo=[v - 0.05 for v in values], hi=[v + 0.05 for v in values])
    for column, (row, value) in change.items():
        frame.loc[row, column] = value
    with pytest.raises(ValueError, match=message):
        sii(frame, "q", "pop", "y", repetitions=1000, **arguments)


def test_quantile_given_twice_in_a_group_is_an_error():
    frame = pd.concat([_quintiles([1, 2, 3, 4, 5]), _quintiles([1, 2, 3, 4, 5]).iloc[[2]]])
    with pytest.raises(ValueError, match=r"column 'q': each quantile must appear once.*5"):
        sii(frame.reset_index(drop=True), "q", "pop", "y", se="se", repetitions=1000)


def test_bad_input():
    four = pd.DataFrame({"q": [1, 2, 3, 4], "pop": 1, "y": [1, 2, 3, 4], "se": 1})
    with pytest.raises(ValueError, match=r"column 'q'.*5-100 quantiles"):
        sii(four, "q", "pop", "y", se="se")
    with pytest.raises(ValueError, match=r"column 'y'.*between 0 and 1.*positions 4"):
        sii(_quintiles([0.1, 0.2, 0.3, 0.4, 1.2]), "q", "pop", "y", se="se",
            value_type="proportion")  # fmt: skip
    with pytest.raises(ValueError, match="transform"):
        sii(_quintiles([1, 2, 3, 4, 5]), "q", "pop", "y", se="se", value_type="rate",
            transform=True)  # fmt: skip
    with pytest.raises(ValueError, match=r"column 'pop'.*greater than zero"):
        sii(_quintiles([1, 2, 3, 4, 5], population=(1, 1, 0, 1, 1)), "q", "pop", "y", se="se")
