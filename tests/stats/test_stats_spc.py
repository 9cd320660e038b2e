"""XmR SPC: reference limits from NHSRplotthedots and hand-built series for each rule."""

import warnings

import numpy as np
import pandas as pd
import pytest

from bbp_analysis.stats import baseline_spc, spc

# nhs-r-community/NHSRplotthedots tests/testthat/test-ptd_spc_standard.R: set.seed(123);
# y = rnorm(20); expected limits in tests/testthat/_snaps/ptd_spc_standard.md
RNORM_123 = [
    -0.56047565, -0.23017749, 1.55870831, 0.07050839, 0.12928774, 1.71506499, 0.46091621,
    -1.26506123, -0.68685285, -0.44566197, 1.22408180, 0.35981383, 0.40077145, 0.11068272,
    -0.55584113, 1.78691314, 0.49785048, -1.96661716, 0.70135590, -0.47279141,
]  # fmt: skip
BASELINE = [0.0, 10.0] * 6
"""12 points: mean 5, every moving range 10, so with fix_after=12 the limits are
5 ∓ 26.6 = (−21.6, 31.6) and the close-to-limit lines 5 ∓ 17.7333 = (−12.7333, 22.7333)."""


def _quiet(*args, **kwargs) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return spc(*args, **kwargs)


@pytest.mark.parametrize(
    ("spike", "screen", "mean", "lpl", "upl"),
    [
        (False, True, 0.1416238, -3.01138, 3.294627),
        (True, True, 0.6694159, -2.383666, 3.722497),
        (True, False, 0.6694159, -4.596625, 5.935457),
    ],
)
def test_limits_match_nhsrplotthedots_snapshot(spike, screen, mean, lpl, upl):
    values = list(RNORM_123)
    if spike:
        values[14] = 10  # y[15] <- 10 in R
    result = spc(values, screen_outliers=screen)
    assert result["mean"].iloc[0] == pytest.approx(mean, abs=1e-6)
    assert result["lpl"].iloc[0] == pytest.approx(lpl, abs=1e-5)
    assert result["upl"].iloc[0] == pytest.approx(upl, abs=1e-5)


def test_hand_built_limits_and_common_cause():
    result = spc([*BASELINE, 5.0])
    # mean = 65/13 = 5; 12 moving ranges: 11 of 10 and one of 5 → AmR = 115/12 = 9.583333
    assert result["mean"].iloc[0] == pytest.approx(5.0)
    assert result["upl"].iloc[0] == pytest.approx(5 + 2.66 * 115 / 12)
    assert result["near_upl"].iloc[0] == pytest.approx(5 + 2 / 3 * 2.66 * 115 / 12)
    assert not result["special_cause"].any()
    assert (result["point_type"] == "common_cause").all()


def test_seven_point_trend():
    values = [10, 0, 10, 0, 10, 0, 1, 2, 3, 4, 5, 6, 7, 0, 10, 0, 10, 0, 10, 0]
    # mean 4.4, AmR = 124/19 = 6.526: limits (−12.96, 21.76), nothing close or outside;
    # 0, 1, ..., 7 at positions 5-12 rise strictly 7 times
    result = spc(values)
    flagged = result.index[result["special_cause"]].tolist()
    assert flagged == list(range(5, 13))
    assert set(result.loc[5:12, "special_cause_rule"]) == {"7 Point Trend (Increasing)"}
    assert set(result.loc[5:12, "point_type"]) == {"special_cause_improvement"}
    falling = spc(values, improvement="decrease")
    assert set(falling.loc[5:12, "point_type"]) == {"special_cause_concern"}


def test_tie_breaks_a_trend():
    values = [10, 0, 10, 0, 10, 0, 1, 2, 3, 3, 5, 6, 7, 0, 10, 0, 10, 0, 10, 0]
    assert not spc(values)["special_cause"].any()


def test_run_of_seven_on_one_side():
    values = [0, 10] * 5 + [6, 7, 6, 7, 6, 7, 6] + [0, 10, 0]
    # mean 5.25; positions 9-16 (10, then 6/7 alternating) are 8 points above the mean
    result = spc(values)
    assert result.index[result["special_cause"]].tolist() == list(range(9, 17))
    assert set(result.loc[9:16, "special_cause_rule"]) == {"7 Points Above CL"}


def test_point_on_the_mean_breaks_a_run():
    broken = _quiet([*BASELINE, 6, 6, 6, 5, 6, 6, 6, 6], fix_after=12)
    assert not broken["special_cause"].any()
    run = _quiet(BASELINE + [6] * 7, fix_after=12)
    # position 11 (10) is also above the mean: the run is positions 11-18
    assert run.index[run["special_cause"]].tolist() == list(range(11, 19))


def test_two_in_three_flags_only_the_close_points():
    result = _quiet([*BASELINE, 10, 25, 8, 26, 0, 10, 0, 10], fix_after=12)
    # 25 and 26 lie between 22.73 and 31.6; the window (25, 8, 26) is all above the mean
    assert result.index[result["special_cause"]].tolist() == [13, 15]
    assert set(result.loc[[13, 15], "special_cause_rule"]) == {"2 in 3 Above CL"}
    opposite = _quiet([*BASELINE, 25, -15, 0, 10], fix_after=12)
    assert not opposite["special_cause"].any()


def test_precedence_outside_then_trend_then_run():
    result = _quiet([*BASELINE, 10, 12, 14, 16, 18, 20, 40], fix_after=12)
    # position 11 (10) ties with 12 so is not in the trend, but starts a run of 8 above
    assert result.loc[11, "special_cause_rule"] == "7 Points Above CL"
    assert set(result.loc[12:17, "special_cause_rule"]) == {"7 Point Trend (Increasing)"}
    assert result.loc[18, "special_cause_rule"] == "Above UPL"
    assert not result.loc[:10, "special_cause"].any()


def test_shared_point_takes_the_later_trend():
    result = _quiet([*BASELINE, 0, 2, 4, 6, 8, 10, 12, 10, 8, 6, 4, 2, 0], fix_after=12)
    assert set(result.loc[12:17, "special_cause_rule"]) == {"7 Point Trend (Increasing)"}
    assert set(result.loc[18:24, "special_cause_rule"]) == {"7 Point Trend (Decreasing)"}


def test_constant_series_has_no_limits():
    result = spc([3.0] * 15)
    assert result["mean"].eq(3.0).all()
    assert result["upl"].isna().all() and result["lpl"].isna().all()
    assert (result["point_type"] == "common_cause").all()


def test_rebasing_by_position_and_date():
    values = [0, 10] * 7 + [100, 110] * 7
    by_position = spc(values, rebase=[14])
    assert by_position["rebase_group"].tolist() == [0] * 14 + [1] * 14
    assert by_position["mean"].iloc[0] == pytest.approx(5.0)
    assert by_position["mean"].iloc[-1] == pytest.approx(105.0)
    dates = pd.date_range("2022-01-01", periods=28, freq="MS")
    by_date = spc(values[::-1], dates=dates[::-1], rebase=["2023-03-01"])
    pd.testing.assert_series_equal(by_date["mean"], by_position["mean"])
    assert by_date["date"].is_monotonic_increasing
    single = spc(values)
    assert single["special_cause"].any()
    assert not by_position["special_cause"].any()


def test_assurance_and_neutral_point_types():
    assert spc(RNORM_123, target=5).attrs["assurance"] == "consistent_fail"
    assert spc(RNORM_123, target=-5)["assurance"].iloc[0] == "consistent_pass"
    assert spc(RNORM_123, target=0).attrs["assurance"] == "inconsistent"
    assert spc(RNORM_123, target=5, improvement="decrease").attrs["assurance"] == (
        "consistent_pass"
    )
    assert spc(RNORM_123, target=5, improvement="neutral").attrs["assurance"] is None
    assert spc(RNORM_123).attrs["assurance"] is None
    neutral = _quiet([*BASELINE, 10, 12, 14, 16, 18, 20, 40], fix_after=12, improvement="neutral")
    assert neutral.loc[18, "point_type"] == "special_cause_neutral_high"
    assert neutral.attrs["variation"] == "special_cause_neutral_high"


def test_short_series_warns_and_bad_arguments_raise():
    with pytest.warns(UserWarning, match="rebase group 0 has 5 points"):
        spc([1, 2, 3, 4, 5])
    with pytest.raises(ValueError, match="fix_after"):
        spc(RNORM_123, fix_after=11)
    with pytest.raises(ValueError, match="improvement"):
        spc(RNORM_123, improvement="up")


def test_missing_values_are_skipped_in_limits():
    values = list(RNORM_123)
    values[3] = np.nan
    result = spc(values)
    present = [v for v in values if not np.isnan(v)]
    assert result["mean"].iloc[0] == pytest.approx(np.mean(present))


MONTHS = pd.date_range("2021-04-01", periods=40, freq="MS")


def test_limits_come_only_from_the_pre_programme_baseline():
    values = [*BASELINE, 4.0, 6.0] + [5.0, 7.0] * 13  # 12 baseline months, start in month 13
    start = [MONTHS[12]]
    result = baseline_spc(values, MONTHS, start)
    # BASELINE: mean 5, AmR 10 -> limits 5 -/+ 26.6, held for all 40 months
    assert result["mean"].eq(5.0).all()
    assert result["lpl"].to_numpy() == pytest.approx([-21.6] * 40)
    assert result["upl"].to_numpy() == pytest.approx([31.6] * 40)
    assert result["in_baseline"].tolist() == [True] * 12 + [False] * 28
    assert result.attrs["baseline"] == (MONTHS[0], MONTHS[11])
    assert result.attrs["pre_programme"] and result.attrs["recalculated"] == []
    changed = list(values)
    changed[20] = 40.0  # would widen all-period limits; beyond the fixed UPL of 31.6
    again = baseline_spc(changed, MONTHS, start)
    for column in ("mean", "lpl", "upl"):
        pd.testing.assert_series_equal(again[column], result[column])
    assert again.loc[20, "special_cause_rule"] == "Above UPL"
    assert spc(changed)["upl"].iloc[0] != pytest.approx(spc(values)["upl"].iloc[0])


def test_baseline_falls_back_to_the_first_12_points():
    values = [0.0, 10.0] * 20
    result = baseline_spc(values, MONTHS, [MONTHS[5]])
    assert result["in_baseline"].sum() == 12
    assert not result.attrs["pre_programme"]
    assert result.attrs["baseline"] == (MONTHS[0], MONTHS[11])


def _shifted(lead: list[float], after: int) -> list[float]:
    """15 baseline points (mean 14/3, AmR 10), then ``lead``, then points at 8 and 9 (above
    the mean), ``after`` points from the start in all."""
    tail = [8.0, 9.0] * after
    return [0.0, 10.0] * 7 + [0.0] + (lead + tail)[:after]


@pytest.mark.parametrize(
    ("lead", "after", "recalculated"),
    [
        ([], 15, True),  # a run of 7 above begins at the start, 15 points from it
        ([0.0, 0.0], 20, True),  # the run begins at the third point: within REBASE_LAG
        ([0.0, 0.0, 0.0], 20, False),  # begins at the fourth point: does not coincide
        ([], 14, False),  # too few points after the start
        ([0.0, 10.0] * 10, 20, False),  # no shift
    ],
)
def test_recalculation_only_where_the_rule_is_met(lead, after, recalculated):
    values = _shifted(lead, after)
    dates = pd.date_range("2020-01-01", periods=len(values), freq="MS")
    result = baseline_spc(values, dates, [dates[15]])
    assert result["rebase_group"].max() == int(recalculated)
    assert result.attrs["recalculated"] == ([dates[15]] if recalculated else [])
    assert result["mean"].iloc[0] == pytest.approx(14 / 3)
    if recalculated:
        new = np.asarray(values[15:30])
        assert result["mean"].iloc[-1] == pytest.approx(new.mean())
        assert result["in_baseline"].iloc[15:30].all() and not result["in_baseline"].iloc[30:].any()
    else:
        assert result["mean"].to_numpy() == pytest.approx([14 / 3] * len(values))


def test_a_run_already_under_way_before_the_start_is_not_a_shift():
    values = [0.0, 10.0] * 7 + [0.0] + [8.0, 9.0] * 12
    dates = pd.date_range("2020-01-01", periods=len(values), freq="MS")
    # the run above the mean begins at position 15; a start one month later does not coincide
    assert baseline_spc(values, dates, [dates[16]]).attrs["recalculated"] == []
    assert baseline_spc(values, dates, [dates[15]]).attrs["recalculated"] == [dates[15]]


def test_a_start_inside_the_new_fixing_window_is_skipped():
    values = [0.0, 10.0] * 7 + [0.0] + [9.0, 8.0] * 10 + [30.0, 31.0] * 10
    dates = pd.date_range("2020-01-01", periods=len(values), freq="MS")
    # second start at position 25, inside 15-29 (the first recalculation's fixing points,
    # mean 8.5); position 34 (8) is below that mean, so the run above begins at 35
    skipped = baseline_spc(values, dates, [dates[15], dates[25]])
    assert skipped.attrs["recalculated"] == [dates[15]]
    both = baseline_spc(values, dates, [dates[15], dates[35]])
    assert both.attrs["recalculated"] == [dates[15], dates[35]]
    assert both["mean"].iloc[-1] == pytest.approx((30 * 8 + 31 * 7) / 15)  # its first 15


def test_per_group_baseline_lengths():
    values = [0, 10] * 7 + [100, 110] * 10
    result = spc(values, rebase=[14], fix_after=[12, 12])
    assert result["in_baseline"].tolist() == [True] * 12 + [False] * 2 + [True] * 12 + [False] * 8
    with pytest.raises(ValueError, match="one length per rebase group"):
        spc(values, rebase=[14], fix_after=[12])
    with pytest.raises(ValueError, match="at least 12"):
        spc(values, rebase=[14], fix_after=[12, 11])
