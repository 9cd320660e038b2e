"""The published figure kinds of figures.py: captions, alt text and data of the dot, trend and
funnel figures every chapter uses."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bbp_analysis import figures
from bbp_analysis.stats import funnel_plot_points, recent_trend

AREAS = pd.DataFrame(
    {
        "level": ["borough", "pcn", "pcn", "pcn"],
        "area": ["Harrow", "East PCN", "West PCN", "Small PCN"],
        "numerator": [500.0, 300.0, 150.0, np.nan],
        "denominator": [1000.0, 500.0, 400.0, 20.0],
        "value": [50.0, 60.0, 37.5, np.nan],
        "lower": [46.9, 55.6, 32.9, np.nan],
        "upper": [53.1, 64.2, 42.3, np.nan],
        "comparison": ["benchmark", "worse", "better", "suppressed"],
        "suppressed": [False, False, False, True],
    }
)


@pytest.fixture
def book(tmp_path, monkeypatch):
    """A book folder to run in: downloads land in ``../_extra/downloads``."""
    (tmp_path / "book").mkdir()
    monkeypatch.chdir(tmp_path / "book")
    return tmp_path / "_extra" / "downloads"


def test_a_dot_figure_reads_its_benchmark_from_the_first_row(book) -> None:
    shown = figures.dot_figure(
        AREAS,
        figure_id="dots",
        title="Readmissions by PCN",
        what="readmissions",
        label="PCNs",
        unit="%",
        confidence=0.95,
    ).data
    assert "<figcaption>Readmissions by PCN <a" in shown  # no note: the title alone
    assert (
        "Dot chart of readmissions for 2 PCNs, each with a 95% confidence interval, against the "
        "Harrow value of 50.0%. Highest: East PCN (60.0%); lowest: West PCN (37.5%)."
    ) in shown
    assert "1 not shown because their counts are suppressed." in shown
    assert (book / "dots.csv").read_text().splitlines() == [
        "area,numerator,denominator,value,lower,upper,comparison",
        "East PCN,300.0,500.0,60.0,55.6,64.2,worse",
        "West PCN,150.0,400.0,37.5,32.9,42.3,better",
        "Small PCN,[c],[c],[c],[c],[c],suppressed",  # its denominator too
    ]
    again = figures.dot_figure(
        AREAS.iloc[1:],
        figure_id="dots-again",
        title="Readmissions by PCN",
        what="readmissions",
        label="PCNs",
        unit="%",
        confidence=0.95,
        note="Synthetic data.",
        benchmark=50.0,
        benchmark_name="Harrow",
    ).data
    assert "<figcaption>Readmissions by PCN. Synthetic data. <a" in again
    assert (book / "dots-again.csv").read_text() == (book / "dots.csv").read_text()


def test_a_trend_figure_names_each_area_and_its_recent_trend(book) -> None:
    table = pd.DataFrame(
        {
            "period": ["2021-22", "2022-23", "2023-24", "2024-25", "2025-26"],
            "area": ["Harrow"] * 5,
            "numerator": [100.0, 120.0, 140.0, 160.0, 180.0],
            "denominator": [1000.0] * 5,
            "value": [10.0, 12.0, 14.0, 16.0, 18.0],
            "lower": [8.2, 10.0, 11.9, 13.8, 15.7],
            "upper": [12.0, 14.2, 16.4, 18.5, 20.6],
            "suppressed": [False] * 5,
        }
    )
    trend = recent_trend(table["numerator"], table["denominator"], "high_is_good")
    assert trend == "Increasing and getting better"
    shown = figures.trend_figure(
        table,
        figure_id="trend",
        title="Checks by year",
        what="checks",
        unit="%",
        polarity="high_is_good",
        note="Synthetic data.",
    ).data
    assert "<figcaption>Checks by year. Synthetic data. <a" in shown
    assert (
        "Line chart of checks (%) by year with confidence intervals: Harrow from 10.0 in "
        "2021-22 to 18.0 in 2025-26 (recent trend: increasing and getting better)."
    ) in shown


def test_a_funnel_figure_publishes_every_practice_and_marks_the_suppressed(book) -> None:
    table = pd.DataFrame(
        {
            "practice": ["A", "B", "C"],
            "pcn": ["East PCN", "East PCN", "West PCN"],
            "numerator": [60.0, 40.0, np.nan],
            "denominator": [100.0, 100.0, 8.0],
            "value": [60.0, 40.0, np.nan],
            "significance": ["High (95%)", "Low (95%)", "Not significant"],
            "significance_od": ["Not significant"] * 3,
            "suppressed": [False, False, True],
        }
    )
    limits = funnel_plot_points(pd.Series([60.0, 40.0]), pd.Series([100.0, 100.0]), "proportion")
    axis = limits["denominator"].to_numpy(dtype=float)
    figures.funnel_figure(
        table,
        limits,
        figure_id="funnel",
        label="practice",
        title="Screening: practices",
        xlabel="eligible",
        ylabel="%",
        caption="Screening funnel.",
        alt="Funnel plot.",
        decimals={"numerator": 0, "denominator": 0, "value": 1},
        adjusted=(np.full_like(axis, 30.0), np.full_like(axis, 70.0)),
    )
    assert (book / "funnel.csv").read_text().splitlines() == [
        "practice,pcn,numerator,denominator,value,significance,"
        "significance (overdispersion-adjusted)",
        "A,East PCN,60.0,100.0,60.0,High (95%),Not significant",
        "B,East PCN,40.0,100.0,40.0,Low (95%),Not significant",
        "C,West PCN,[c],[c],[c],Not significant,Not significant",
    ]


def test_a_funnel_figure_with_every_practice_suppressed_draws_the_limits(book) -> None:
    table = pd.DataFrame(
        {
            "practice": ["A", "B"],
            "pcn": ["East PCN", "West PCN"],
            "numerator": [3.0, 4.0],
            "denominator": [6.0, 5.0],
            "value": [50.0, 80.0],
            "significance": ["Not significant"] * 2,
            "significance_od": ["Not significant"] * 2,
            "suppressed": [True, True],
        }
    )
    limits = funnel_plot_points(table["numerator"], table["denominator"], "proportion")
    axis = limits["denominator"].to_numpy(dtype=float)
    shown = figures.funnel_figure(
        table,
        limits,
        figure_id="funnel-none",
        label="practice",
        title="Experience: practices",
        xlabel="respondents",
        ylabel="%",
        caption="Experience funnel.",
        alt="Funnel plot: the limits only.",
        decimals={"numerator": 0, "denominator": 0, "value": 1},
        adjusted=(np.full_like(axis, 20.0), np.full_like(axis, 90.0)),
    ).data
    assert 'alt="Funnel plot: the limits only."' in shown
    assert (book / "funnel-none.csv").read_text().splitlines()[1:] == [
        "A,East PCN,[c],[c],[c],Not significant,Not significant",
        "B,West PCN,[c],[c],[c],Not significant,Not significant",
    ]
