"""The front-page scorecard: rows, statuses in words, sparklines and the CSV."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup

from bbp_analysis.headline import Headline
from bbp_analysis.scorecard import scorecard_html, scorecard_rows, sparkline_svg


def acsc(**overrides) -> Headline:
    values = dict(
        measure=5,
        indicator_id="pm5-acsc-admissions",
        title="Emergency admissions for chronic ACSCs",
        period="2025-26",
        value=10.79,
        lower=10.40,
        upper=11.18,
        unit="per 1,000 population",
        polarity="low_is_good",
        baseline=11.47,
        baseline_period="2021-22",
        target=9.89,
        target_text="To the NWL average.",
        status="not met",
        status_text="1 of 5 PCNs at or below the NWL average.",
        anchor="objective-3-care-pathways#pm5-acsc-spc",
        synthetic=True,
        source="Synthetic extract",
        comparators={"NWL": 9.89},
        trend=[("2023-24", 10.0), ("2024-25", 12.0), ("2025-26", 11.0)],
    )
    return Headline(**{**values, **overrides})


def test_sparkline_points_span_the_box() -> None:
    svg = sparkline_svg([("a", 10.0), ("b", 12.0), ("c", 11.0)], "%", width=120)
    points = re.search(r'points="([^"]+)"', svg).group(1).split()
    # x from 4 to 116 in equal steps; y: the highest value at the top pad (4), the lowest at
    # the bottom (32 - 4 = 28), the middle value halfway (16).
    assert points == ["4.0,28.0", "60.0,4.0", "116.0,16.0"]
    assert 'aria-label="Trend from a (10.0%) to c (11.0%), 3 periods"' in svg
    assert sparkline_svg([("a", 1.0)], "%") == "Fewer than two periods"


def test_row_gives_value_interval_status_in_words_and_link() -> None:
    soup = BeautifulSoup(scorecard_html([acsc()], "2025-26", 0.95), "html.parser")
    table = soup.find("table", id="scorecard")
    assert table.caption.get_text().startswith("Scorecard of the five partnership")
    rows = table.tbody.find_all("tr")
    row = next(r for r in rows if r.th.get_text().startswith("5."))
    cells = [td.get_text(" ", strip=True) for td in row.find_all("td")]
    assert (
        cells[0]
        == "10.8 per 1,000 population 95% CI 10.4 per 1,000 population to 11.2 per 1,000 population"
    )
    assert cells[1] == "11.5 per 1,000 population (2021-22)"
    assert cells[3].startswith("✖ Not met")
    assert cells[4] == "NWL 9.9 per 1,000 population"
    assert row.th.a["href"] == "objective-3-care-pathways.html#pm5-acsc-spc"
    assert "synthetic" in row.th.get_text()
    # Measures no chapter reports are listed, not left out.
    numbers = sorted({r.th.get_text().split(".")[0] for r in rows})
    assert numbers == ["1", "2", "3", "4", "5"]


def test_csv_rows_carry_every_figure() -> None:
    frame = scorecard_rows([acsc()])
    row = frame.iloc[0]
    assert (row["value"], row["lower"], row["upper"], row["NWL"]) == (10.79, 10.40, 11.18, 9.89)
    assert row["London"] is None and row["status"] == "not met"
