"""The methods page matches the code, method by method: each interval method the page names is
the function the catalogue entry's statistic calls and the function the review runs for it,
the recent-trend paragraph describes the test :func:`bbp_analysis.stats.recent_trend` makes,
and no partnership measure is given a status ("on track") that no rule assigns."""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bbp_analysis import catalogue, headline, indicators, stats
from bbp_analysis.chapters import objective_1_casefinding, objective_1_life, objective_2

trend_test = importlib.import_module("bbp_analysis.stats.compare")
ROOT = Path(__file__).resolve().parents[1]
PAGE = (ROOT / "book" / "methods.md").read_text(encoding="utf-8")

EPONYM = {
    "wilson": "Wilson",
    "byar": "Byar",
    "dobson": "Dobson",
    "isr": "Indirectly standardised",
    "chiang": "Chiang II",
}
"""The name that identifies each method, on the page and in its function's docstring."""
RUN_BY = {
    "wilson": [indicators.interval],
    "byar": [indicators.interval],
    "dobson": [indicators.standardised_series],
    "isr": [objective_2._ratios, objective_1_casefinding],
    "chiang": [objective_1_life.at_birth],
}
"""Where the review computes the indicators of each method (checked to call its function)."""


def _table(marker: str) -> list[list[str]]:
    body = PAGE.split(f"% {marker}:", 1)[1].split(f"% end {marker}", 1)[0]
    lines = [line for line in body.splitlines() if line.startswith("|")][2:]
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in lines]


def _used_methods() -> list[str]:
    used = {item.method for item in catalogue.indicators()}
    return [method for method in catalogue.STATISTICS if method in used]


def test_the_page_lists_every_method_the_catalogue_uses_in_the_catalogues_words() -> None:
    named = [row[0] for row in _table("catalogue-methods")]
    assert named == [catalogue.STATISTICS[method][1] for method in _used_methods()]


@pytest.mark.parametrize("method", [m for m in catalogue.STATISTICS if m != "none"])
def test_each_named_method_is_the_function_its_entries_call(method: str) -> None:
    """The page's words, the catalogue entry's ``statistic`` and the code that computes the
    entry name the same method."""
    words = catalogue.STATISTICS[method][1]
    function = getattr(stats, catalogue.STATISTICS[method][0])
    assert EPONYM[method] in words
    assert EPONYM[method].lower() in (function.__doc__ or "").lower()
    entries = [item for item in catalogue.indicators() if item.method == method]
    for item in entries:
        assert item.statistic is function, item.id
    for where in RUN_BY[method]:
        source = inspect.getsource(where)
        assert re.search(rf"\b{function.__name__}\(|\.statistic\(", source), (method, where)


@pytest.mark.parametrize("method", list(indicators.KINDS))
def test_the_indicator_layer_runs_the_catalogues_statistic(method: str) -> None:
    """:func:`bbp_analysis.indicators.interval`, which every chapter's value of a Wilson or
    Byar entry passes through, gives exactly what the entry's statistic gives."""
    item = next(entry for entry in catalogue.indicators() if entry.method == method)
    counts, sizes = pd.Series([3.0, 40.0, 250.0]), pd.Series([50.0, 400.0, 1000.0])
    got = indicators.interval(indicators.kind_of(item.id), counts, sizes, item.multiplier, 0.95)
    expected = item.statistic(counts, sizes, confidence=0.95, multiplier=item.multiplier)
    pd.testing.assert_frame_equal(got.reset_index(drop=True), expected.reset_index(drop=True))


def test_the_trend_paragraph_describes_the_test_the_code_runs() -> None:
    """Armitage's chi-square test for linear trend on the five latest counts at 99.8%
    (chi-square with 1 df above 9.549), as :func:`bbp_analysis.stats.recent_trend` does and
    the indicator layer calls; no inverse-variance weighting."""
    trends = PAGE.split("## Trends", 1)[1].split("Monthly series", 1)[0]
    assert "chi-square test for linear trend in proportions" in " ".join(trends.split())
    assert "Armitage" in trends and "99.8%" in trends and "9.549" in trends
    assert "inverse" not in trends.lower() and "weighted" not in trends.lower()
    doc = " ".join((stats.recent_trend.__doc__ or "").split())
    assert "chi-square test for linear trend in proportions (Armitage)" in doc
    assert (trend_test.TREND_POINTS, trend_test.TREND_CONFIDENCE, trend_test.TREND_MIN_COUNT) == (
        5,
        0.998,
        10,
    )
    assert "recent_trend(" in inspect.getsource(indicators.trend_label)
    assert "chi-square, 99.8%" in catalogue.READING_TEXT["trend"]


def test_the_trend_test_gives_the_pages_threshold() -> None:
    """A flat series is no change; 20, 30, 40, 50, 60 events in 1,000 each year (scores 1 to
    5, mean score 3, p̄ = 0.04) give Σ r(x − 3) = 100 and Σ n(x − 3)² = 10,000, so
    χ² = 100² / (0.04 × 0.96 × 10,000) = 26.04 > 9.549: a rise, worse when low is good."""
    flat = stats.recent_trend([40] * 5, [1000] * 5, "low_is_good")
    assert flat == "No significant change"
    r, n = np.array([20.0, 30, 40, 50, 60]), np.array([1000.0] * 5)
    x = np.arange(1, 6, dtype=float)
    p = r.sum() / n.sum()
    xbar = (n * x).sum() / n.sum()
    chi = ((r * (x - xbar)).sum()) ** 2 / (p * (1 - p) * (n * (x - xbar) ** 2).sum())
    assert chi == pytest.approx(26.0417, abs=1e-4)
    assert trend_test.trend_chi_square(r, n)[0] == pytest.approx(chi)
    assert stats.recent_trend(r, n, "low_is_good") == "Increasing and getting worse"


def test_no_measure_is_called_on_track() -> None:
    """No rule assigns "on track" to a partnership measure; the page says so, and keeps the
    words for the delivery tracker's milestones."""
    assert "on track" not in headline.VERDICTS
    paragraphs = [" ".join(p.split()) for p in PAGE.split("\n\n")]
    mentions = [p for p in paragraphs if "on track" in p.lower()]
    assert len(mentions) == 1 and mentions[0].startswith("No measure is called *on track*.")
    assert "only for the delivery plan's milestones" in mentions[0]
