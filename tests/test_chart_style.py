"""The house chart style: axis limits cover every value and interval, legends sit outside the
plot area, and a saved chart is twice its display width with no text under 11 CSS pixels."""

from __future__ import annotations

import io
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from PIL import Image

from bbp_analysis import chart_style
from bbp_analysis.delivery import charts
from bbp_analysis.figures import (
    ci_dot_chart,
    funnel_chart,
    its_chart,
    pyramid_chart,
    spc_chart,
    trend_chart,
)


def dots(values: list[float], half_width: float = 4.0) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "area": [f"PCN {i}" for i in range(len(values))],
            "value": values,
            "lower": [v - half_width for v in values],
            "upper": [v + half_width for v in values],
            "comparison": ["similar", "better", "worse", "similar", "similar"][: len(values)],
        }
    )


def trend() -> pd.DataFrame:
    periods = ["2021-22", "2022-23", "2023-24", "2024-25"]
    return pd.DataFrame(
        {
            "period": periods * 2,
            "area": ["Harrow"] * 4 + ["NWL"] * 4,
            "value": [71.0, 72.5, 74.0, 75.0, 70.0, 70.5, 71.5, 72.0],
            "lower": [69.0, 70.5, 72.0, 73.0, 68.0, 68.5, 69.5, 70.0],
            "upper": [73.0, 74.5, 76.0, 77.0, 72.0, 72.5, 73.5, 74.0],
        }
    )


def spc_points() -> pd.DataFrame:
    dates = pd.date_range("2022-04-01", periods=24, freq="MS")
    value = 10 + np.sin(np.arange(24))
    points = pd.DataFrame(
        {
            "date": dates,
            "value": value,
            "mean": 10.0,
            "upl": 13.0,
            "lpl": 7.0,
            "rebase_group": 0,
            "point_type": ["common_cause"] * 23 + ["special_cause_concern"],
        }
    )
    points.attrs["baseline"] = (dates[0], dates[11])
    return points


def milestones() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "milestone": [
                "Integrated neighbourhood team live in every Primary Care Network area of the "
                "borough, with shared records",
                "Frailty pathway agreed",
                "Community diagnostic hub open",
            ],
            "due": pd.to_datetime(["2024-04-30", "2025-12-31", "2026-03-31"]),
            "status": ["complete", "at risk", "not started"],
        }
    )


def register() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "risk_id": ["R1", "R2", "R3"],
            "likelihood": [4, 2, 4],
            "impact": [4, 3, 4],
            "previous_likelihood": [3, np.nan, 4],
            "previous_impact": [4, np.nan, 4],
            "trend": ["rising", "new", "steady"],
        }
    )


def funnel():
    frame = pd.DataFrame(
        {
            "practice": ["A", "B", "C"],
            "denominator": [1000, 4000, 9000],
            "value": [60.0, 75.0, 70.0],
            "significance": ["Low (99.8%)", "High (95%)", "Not significant"],
        }
    )
    x = np.linspace(500, 10000, 20)
    spread = 300 / np.sqrt(x)
    limits = pd.DataFrame(
        {
            "denominator": x,
            "baseline": 70.0,
            "lower_95": 70 - 2 * spread,
            "upper_95": 70 + 2 * spread,
            "lower_99_8": 70 - 3 * spread,
            "upper_99_8": 70 + 3 * spread,
        }
    )
    return funnel_chart(frame, limits, label="practice", denominator="denominator")


def its():
    months = pd.date_range("2021-04-01", periods=36, freq="MS").strftime("%Y-%m")
    rate = pd.Series(5 + 0.02 * np.arange(36))
    data = pd.DataFrame(
        {
            "month": months,
            "rate": rate,
            "fitted": rate,
            "counterfactual": rate + 0.3,
            "suppressed": False,
        }
    )
    return its_chart(data, start=pd.Timestamp("2022-10-01"), title="ACSC", ylabel="per 1,000")


def pyramid():
    bands = ["0-4", "5-9", "10-14", "15-19", "20-24"]
    frame = pd.DataFrame(
        {
            "age_band": bands * 2,
            "sex": ["M"] * 5 + ["F"] * 5,
            "share": [3.1, 3.0, 3.2, 2.9, 3.4, 3.0, 2.9, 3.1, 3.0, 3.6],
        }
    )
    return pyramid_chart(
        frame,
        compare=frame.assign(share=frame["share"] * 0.9),
        title="Registered population by age and sex, Harrow Collaborative PCN",
    )


CHARTS = {
    "its": its,
    "pyramid": pyramid,
    "dot": lambda: ci_dot_chart(dots([80, 90, 97, 85, 88]), label="area", benchmark=86.0),
    "trend": lambda: trend_chart(trend(), period="period", series="area", target=76.0),
    "spc": lambda: spc_chart(spc_points(), programmes={"Frailty": pd.Timestamp("2023-01-01")}),
    "funnel": funnel,
    "status": lambda: charts.status_chart(
        pd.DataFrame(
            {
                "workstream": ["Frailty", "Children and young people"],
                "complete": [1, 0],
                "on track": [2, 1],
                "at risk": [0, 1],
                "off track": [0, 0],
                "not started": [0, 3],
                "total": [3, 5],
            }
        ),
        "2025-26",
    ),
    "timeline": lambda: charts.timeline_chart(milestones(), "2025-26", "2026-03-31"),
    "risks": lambda: charts.risk_matrix_chart(register(), "2025-26"),
}


def overlaps(a, b) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


def test_value_limits_start_at_zero_unless_the_values_sit_far_above_it() -> None:
    assert chart_style.value_limits([10.0, 40.0, 85.0]) == (0.0, pytest.approx(90.1), False)
    low, high, broken = chart_style.value_limits([60.0, 70.0, 85.0])
    assert (low, high, broken) == (pytest.approx(58.5), pytest.approx(86.5), True)
    # no floor (a ratio around 100): zoomed to at least a tenth of 105, no break to mark
    assert chart_style.value_limits([95.0, 105.0], floor=None) == (
        pytest.approx(94.12),
        pytest.approx(105.88),
        False,
    )


def test_value_limits_do_not_magnify_a_tiny_range() -> None:
    low, high, broken = chart_style.value_limits([84.5, 85.0, 85.5])
    assert (low, high, broken) == (pytest.approx(80.212), pytest.approx(89.788), True)


def test_dot_chart_axis_contains_every_interval_and_the_benchmark() -> None:
    frame = dots([88.0, 91.0, 97.0, 93.0], half_width=3.5)  # upper reaches 100.5
    fig = ci_dot_chart(frame, label="area", benchmark=86.0)
    left, right = fig.axes[0].get_xlim()
    assert left < 84.5 and right > 100.5  # every interval end and the benchmark, padded
    assert left > 0  # zoomed: 84.5 to 100.5 in the right-hand sixth no more
    breaks = [line for line in fig.axes[0].lines if line.get_transform() == fig.axes[0].transAxes]
    assert len(breaks) == 2  # the axis-break sign


def test_dot_chart_starts_at_zero_when_values_are_spread() -> None:
    fig = ci_dot_chart(dots([15.0, 40.0, 60.0]), label="area", benchmark=35.0)
    assert fig.axes[0].get_xlim()[0] == 0.0
    assert fig.axes[0].get_xlim()[1] > 64.0


# A warning in a chapter's output fails the book build: the chart code runs with warnings as
# errors (its own, not a stray one from garbage an earlier test left, collected meanwhile).
@pytest.mark.parametrize("kind", sorted(CHARTS))
def test_legends_lie_outside_the_data_area(kind: str) -> None:
    with warnings.catch_warnings(action="error"):
        fig = CHARTS[kind]()
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        assert all(ax.get_legend() is None for ax in fig.axes)  # nothing drawn on the data
        for legend in fig.legends:
            box = legend.get_window_extent(renderer)
            assert not any(overlaps(box, ax.get_window_extent(renderer)) for ax in fig.axes)
        assert len(fig.legends) == (0 if kind == "status" else 1)


@pytest.mark.parametrize("kind", sorted(CHARTS))
def test_saved_chart_is_twice_its_display_width_with_text_of_11_px_or_more(kind: str) -> None:
    with warnings.catch_warnings(action="error"):  # as above
        fig = CHARTS[kind]()
        width = chart_style.display_width(fig)
        fig.canvas.draw()
        outside = chart_style.texts_outside(fig)
        png = chart_style.png_bytes(fig)
    assert width in chart_style.DISPLAY_WIDTH.values()
    assert outside == []  # no label runs off the image
    with Image.open(io.BytesIO(png)) as image:
        assert image.width == 2 * width
        assert int(image.text[chart_style.WIDTH_KEY]) == width
        assert float(image.text[chart_style.TEXT_KEY]) >= 11
        assert image.text[chart_style.OUTSIDE_KEY] == "0"


LONG_TITLE = "People with diabetes meeting all three treatment targets (%) by PCN, 2025-26"
LONG_LABELS = ["Harrow Collaborative PCN", "Health Alliance PCN", "Sphere PCN"]


def long_titled_chart() -> plt.Figure:
    """A dot chart whose title, left-aligned on an axes pushed right by long labels, runs
    past the image's right edge (as the PCN charts' did before their titles were fitted)."""
    frame = dots([32.8, 32.2, 32.5]).assign(area=LONG_LABELS)
    return ci_dot_chart(frame, label="area", benchmark=32.6, title=LONG_TITLE)


def test_a_title_too_long_for_its_axes_runs_off_the_image_until_fitted() -> None:
    fig = long_titled_chart()
    fig.axes[0].set_title(LONG_TITLE)  # as any chart may set it, unbroken
    fig.set_dpi(chart_style.CSS_PX_PER_INCH * chart_style.PIXEL_DENSITY)
    fig.canvas.draw()
    assert chart_style.texts_outside(fig) == [LONG_TITLE]
    assert chart_style.fit_texts(fig)
    fig.canvas.draw()
    title = fig.axes[0].get_title(loc="left")
    assert title == LONG_TITLE.replace(" by PCN", "\nPCN").replace("(%)", "(%) by")
    assert chart_style.texts_outside(fig) == []
    assert not chart_style.fit_texts(fig)  # nothing left to fit


def test_a_dot_charts_long_title_is_broken_beside_its_labels_before_any_draw() -> None:
    fig = long_titled_chart()
    title = fig.axes[0].get_title(loc="left")
    assert title.replace("\n", " ") == LONG_TITLE and title.count("\n") == 1
    fig.set_dpi(chart_style.CSS_PX_PER_INCH * chart_style.PIXEL_DENSITY)
    fig.canvas.draw()
    assert chart_style.texts_outside(fig) == []
    assert not chart_style.fit_texts(fig)  # no second draw needed
    # short labels leave the whole title room on one line
    short = ci_dot_chart(dots([32.8, 32.2]), label="area", benchmark=32.6, title=LONG_TITLE)
    assert short.axes[0].get_title(loc="left") == LONG_TITLE


def test_saved_chart_fits_a_long_title_on_two_lines_within_the_image() -> None:
    fig = long_titled_chart()
    with Image.open(io.BytesIO(chart_style.png_bytes(fig))) as image:
        assert image.text[chart_style.OUTSIDE_KEY] == "0"
        assert image.size == (2 * chart_style.DISPLAY_WIDTH["full"], 2 * 230)
        pixels = np.asarray(image.convert("L"))
    above_axes = image.height - round(fig.axes[0].get_window_extent().y1)  # the title's rows
    title = pixels[:above_axes]
    dark = np.flatnonzero((title < 128).any(axis=0))
    assert image.width - 2 * chart_style.EDGE_PX > dark.max()  # ink stops short of the edge
    assert (title < 128).any(axis=1).sum() > 2 * 2 * chart_style.TEXT_PX["title"]  # 2 lines


def test_smallest_text_is_measured_in_display_pixels() -> None:
    fig, ax = chart_style.new_figure(300)
    ax.set_title("Title")
    ax.annotate("tiny", (0.5, 0.5), fontsize=6)  # 6 pt = 8 CSS px
    assert chart_style.smallest_text_px(fig) == 8.0
    with Image.open(io.BytesIO(chart_style.png_bytes(fig))) as image:
        assert image.text[chart_style.TEXT_KEY] == "8"
        assert image.size == (2 * 672, 600)


def test_same_data_give_the_same_png() -> None:
    assert chart_style.png_bytes(CHARTS["dot"]()) == chart_style.png_bytes(CHARTS["dot"]())


def test_trend_axis_shows_the_target_and_the_reference_line() -> None:
    zoomed = trend_chart(trend(), period="period", series="area", target=80.0)
    bottom, top = zoomed.axes[0].get_ylim()
    assert 60 < bottom < 68.0 and top > 80.0  # every interval and the target; zoomed
    gap = trend().assign(value=lambda t: t["value"] - 60, lower=None, upper=None)
    fig = trend_chart(
        gap, period="period", series="area", lower=None, upper=None, floor=None, reference=0.0
    )
    assert fig.axes[0].get_ylim()[0] < 0.0 < fig.axes[0].get_ylim()[1]


def savefig_png(fig, smallest: str) -> bytes:
    """The PNG as ``savefig`` writes it from a figure never drawn before, with the smallest
    text size ``smallest`` and no text off the image in its metadata."""
    metadata = {
        "Software": None,
        chart_style.WIDTH_KEY: str(chart_style.display_width(fig)),
        chart_style.TEXT_KEY: smallest,
        chart_style.OUTSIDE_KEY: "0",
    }
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=192, metadata=metadata)
    plt.close(fig)
    return buffer.getvalue()


@pytest.mark.parametrize("kind", sorted(CHARTS))
def test_one_draw_gives_the_pixels_savefig_gives_without_the_opaque_alpha(kind: str) -> None:
    measured = CHARTS[kind]()
    smallest = f"{chart_style.smallest_text_px(measured):g}"
    plt.close(measured)
    with (
        Image.open(io.BytesIO(chart_style.png_bytes(CHARTS[kind]()))) as ours,
        Image.open(io.BytesIO(savefig_png(CHARTS[kind](), smallest))) as saved,
    ):
        assert (ours.mode, saved.mode) == ("RGB", "RGBA")
        assert np.asarray(saved)[..., 3].min() == 255  # every pixel opaque: nothing lost
        assert np.array_equal(np.asarray(ours), np.asarray(saved)[..., :3])
        assert ours.text == saved.text
        assert ours.info["dpi"] == saved.info["dpi"]


def test_a_chart_with_transparent_pixels_keeps_its_alpha() -> None:
    fig, ax = chart_style.new_figure(300)
    ax.set_title("Title")
    fig.patch.set_alpha(0.0)
    with Image.open(io.BytesIO(chart_style.png_bytes(fig))) as image:
        assert image.mode == "RGBA"
        assert np.asarray(image)[..., 3].min() == 0
