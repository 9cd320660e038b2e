"""Monthly XmR charts: rates per day, limits fixed on the pre-programme baseline, recalculated
only by the Making Data Count rule, on a flat synthetic series and on the default extract."""

import warnings

import numpy as np
import pandas as pd
import pytest

from bbp_analysis import indicators
from bbp_analysis.chapters import objective_2 as o2
from bbp_analysis.chapters import objective_2_text, objective_3_text
from bbp_analysis.chapters import objective_3 as o3
from bbp_analysis.figures import xmr_figure
from bbp_analysis.stats import baseline_spc, spc
from bbp_analysis.stats.spc import REBASE_LAG, REBASE_POINTS, RUN_LENGTH

from support import RUN_PARAMS

PARAMS = RUN_PARAMS
MONTHS = pd.Series(pd.date_range("2021-04-01", periods=60, freq="MS"))
DAYS = MONTHS.dt.days_in_month.to_numpy()
FEBRUARY = (MONTHS.dt.month == 2).to_numpy()
POPULATION = 250_000
START = [pd.Timestamp("2022-07-01")]


def test_a_constant_daily_rate_is_equal_in_every_month():
    counts = pd.Series(70.0 * DAYS)  # 70 admissions a day, every day
    per_day = indicators.daily_rate(counts, pd.Series([POPULATION] * 60), MONTHS)
    assert per_day.to_numpy() == pytest.approx([28.0] * 60)  # 70 / 250,000 x 100,000
    annualised = counts / POPULATION * 12_000  # the old "x 12" rate
    january = annualised[MONTHS.dt.month == 1].iloc[0]
    assert annualised[FEBRUARY].to_numpy() == pytest.approx(
        [january * d / 31 for d in DAYS[FEBRUARY]]
    )  # 28/31: 9.7% low (6.5% in 2024)


def _february_flags(rates: str, seeds: int = 200) -> tuple[float, float, int]:
    """Share of February points and of other points flagged special cause, over Poisson
    series with a constant daily rate, and the number of February points."""
    february = other = 0
    for seed in range(seeds):
        counts = pd.Series(np.random.default_rng(seed).poisson(70.0 * DAYS))
        if rates == "per day":
            values = indicators.daily_rate(counts, pd.Series([POPULATION] * 60), MONTHS)
        else:
            values = counts / POPULATION * 12_000
        flags = baseline_spc(values.to_numpy(), MONTHS, START)["special_cause"].to_numpy()
        february += flags[FEBRUARY].sum()
        other += flags[~FEBRUARY].sum()
    n = seeds * FEBRUARY.sum()
    return february / n, other / (seeds * (~FEBRUARY).sum()), n


def test_february_in_a_flat_series_is_flagged_no_more_than_other_months():
    february, other, n = _february_flags("per day")
    error = np.sqrt(other * (1 - other) / n)
    assert abs(february - other) < 3 * error
    old_february, old_other, _ = _february_flags("x 12")
    assert old_february - old_other > 3 * error  # the old rate singles February out


@pytest.fixture(scope="module")
def charts() -> dict[str, pd.DataFrame]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return {"acsc": o3.acsc_monthly(PARAMS), "emergency": o2.emergency_monthly(PARAMS)}


QUERIES = {
    "acsc": ("emergency_admissions_monthly", "pm5-acsc-admissions-monthly"),
    "emergency": ("emergency_admissions_monthly", "o2-emergency-monthly"),
}


@pytest.mark.parametrize("name", ["acsc", "emergency"])
def test_chapter_series_are_per_day_with_baseline_limits(charts, name):
    points = charts[name]
    raw = indicators.rows(*QUERIES[name], PARAMS, breakdown="total")
    raw = (
        raw[raw["area_type"] == "borough"]
        .assign(date=lambda d: pd.to_datetime(d["period"] + "-01"))
        .set_index("date")
        .loc[points["date"]]
    )
    days = raw.index.days_in_month.to_numpy()
    expected = raw["numerator"].to_numpy() / (raw["denominator"].to_numpy() * days) * 1e5
    assert points["value"].to_numpy() == pytest.approx(expected, rel=1e-12)
    starts = sorted(points.attrs["programmes"].values())
    before = points["date"] < starts[0]
    assert before.sum() >= 12 and points.attrs["pre_programme"]
    baseline = spc(points.loc[before, "value"].to_numpy())
    first_group = points["rebase_group"] == 0
    for column in ("mean", "lpl", "upl"):
        assert points.loc[first_group, column].to_numpy() == pytest.approx(
            [baseline[column].iloc[0]] * first_group.sum()
        )
    old = spc(raw["numerator"].to_numpy() / raw["denominator"].to_numpy() * 12_000)
    print(
        f"{name}: special-cause points, all-period limits on x12 rates "
        f"{int(old['special_cause'].sum())}, baseline limits on rates per day "
        f"{int(points['special_cause'].sum())} of {len(points)}; recalculated at "
        f"{[f'{w:%Y-%m}' for w in points.attrs['recalculated']]}"
    )


@pytest.mark.parametrize("name", ["acsc", "emergency"])
def test_chapter_recalculations_meet_the_rule(charts, name):
    points = charts[name]
    for when in points.attrs["recalculated"]:
        assert when in set(points.attrs["programmes"].values())
        at = int(np.flatnonzero(points["date"] == when)[0])
        assert len(points) - at >= REBASE_POINTS
        earlier = points["mean"].iloc[at - 1]
        side = np.sign(points["value"].to_numpy() - earlier)
        assert any(
            abs(side[k : k + RUN_LENGTH].sum()) == RUN_LENGTH and side[k - 1] != side[k]
            for k in range(at, at + REBASE_LAG)
        )
        assert points["in_baseline"].iloc[at : at + REBASE_POINTS].all()


def test_one_builder_draws_labels_above_the_data_and_writes_the_table(charts):
    points = charts["acsc"]
    parts = xmr_figure(
        points,
        title="t",
        unit=points.attrs["unit"],
        subject="measure 5",
        threshold=10,
        source="emergency_admissions_monthly",
    )
    ax = parts["fig"].axes[0]
    labels = [t for t in ax.texts]
    assert [t.get_text() for t in labels] == ["1", "2", "3", "4", "5"]
    assert all(
        t.xycoords[1] == "axes fraction" and t.xy[1] == 1.0 and t.get_va() == "bottom"
        for t in labels
    )  # above the plot area
    assert ax.get_ylabel() == "per 100,000 registered people a day"
    first, last = points.attrs["baseline"]
    assert f"Limits fixed on {first:%b %Y} to {last:%b %Y} (baseline)" in parts["alt"]
    data = parts["data"]
    assert list(data.columns) == [
        "month",
        "days",
        "count",
        "value",
        "mean",
        "lpl",
        "upl",
        "limits_from",
        "point_type",
    ]
    assert data["days"].tolist() == points["date"].dt.days_in_month.tolist()
    assert data["limits_from"].iloc[0] == f"{first:%b %Y} to {last:%b %Y} (baseline)"


def test_programme_starts_after_the_period_are_left_out():
    points = o2.emergency_monthly(PARAMS.with_period("2022-23"))
    assert points["date"].iloc[-1] == pd.Timestamp("2023-03-01") and len(points) == 24
    assert sorted(points.attrs["programmes"]) == [
        "integrated diabetes team (first PCN)",
        "integrated frailty model (first PCN)",
    ]


def test_messages_name_the_baseline_and_the_unit(charts):
    first, last = charts["acsc"].attrs["baseline"]
    text = objective_3_text.spc_message(charts["acsc"])
    assert f"limits from {first:%B %Y} to {last:%B %Y}, before the first diabetes team" in text
    assert "per 100,000 registered people a day" in text
    emergency = objective_2_text.spc_message(PARAMS).data
    start, end = charts["emergency"].attrs["baseline"]
    assert f"against limits set on {start:%B %Y} to {end:%B %Y}" in emergency
