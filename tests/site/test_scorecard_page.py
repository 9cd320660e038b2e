"""The front-page scorecard: rows, statuses in words, sparklines and the CSV."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from bs4 import BeautifulSoup

from bbp_analysis.headline import Headline, Reading
from bbp_analysis.scorecard import STATUS_MARKS, scorecard_html, scorecard_rows, sparkline_svg


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
        comparator_sources={"NWL": "synthetic"},
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
    assert sparkline_svg([("a", None), ("b", 1.0)], "%") == "Fewer than two periods with a value"
    gap = sparkline_svg([("a", 10.0), ("b", None), ("c", 12.0)], "%", width=120)
    assert 'points="4.0,28.0 116.0,4.0"' in gap
    assert (
        'aria-label="Trend from a (10.0%) to c (12.0%), 2 periods (1 more withheld: small counts)"'
        in gap
    )


def test_row_gives_value_interval_status_in_words_and_link() -> None:
    soup = BeautifulSoup(scorecard_html([acsc()], "2025-26", 0.95), "html.parser")
    table = soup.find("table", id="scorecard")
    assert table.caption.get_text().startswith("Scorecard of the five partnership")
    heads = [th.get_text(" ", strip=True) for th in table.thead.find_all("th")]
    assert heads[1] == "Latest (2025-26 data)"
    rows = table.tbody.find_all("tr")
    row = next(r for r in rows if r.th.get_text().startswith("5."))
    assert row["data-indicator"] == "pm5-acsc-admissions"
    value, status, icons, trend, comparators = row.find_all("td")
    # the worded unit once, after the value; the interval's ends without it
    assert value.get_text(" ", strip=True) == "10.8 per 1,000 population 95% CI 10.4 to 11.2"
    assert status.strong.get_text() == "✖ Not met"
    toggle = status.details
    assert toggle.summary.get_text() == "Target and why"  # "why" alone on a phone (CSS)
    assert "Target: To the NWL average." in toggle.get_text(" ", strip=True)
    assert "Why: 1 of 5 PCNs at or below the NWL average." in toggle.get_text(" ", strip=True)
    assert "Baseline: 11.5 per 1,000 population (2021-22)" in toggle.get_text(" ", strip=True)
    assert "NWL 9.9 per 1,000 population (synthetic)" in toggle.get_text(" ", strip=True)
    # trend 10.0 -> 12.0 -> 11.0 has no intervals: variation not assessed; no target readings
    labels = [svg["aria-label"] for svg in icons.find_all("svg")]
    assert labels == [
        "Variation: not assessed, fewer than two years with intervals",
        "Assurance: not assessed, no target on the measure's basis",
    ]
    assert trend.svg["aria-label"].startswith("Trend from 2023-24")
    assert comparators.get_text(" ", strip=True) == "None published"  # NWL is simulated
    published = acsc(
        comparators={"NWL": 9.89, "England": 10.2},
        comparator_sources={"NWL": "synthetic", "England": "OHID Fingertips, indicator 1"},
    )
    cell = BeautifulSoup(scorecard_html([published], "2025-26", 0.95), "html.parser")
    assert cell.find("td", class_="bbp-sc-comp").get_text(" ", strip=True) == "England 10.2"
    assert row.th.a["href"] == "objective-3-care-pathways.html#pm5-acsc-spc"
    assert row.th.a["title"] == "Emergency admissions for chronic ACSCs"
    # every row synthetic: labelled once, in the caption; a real value among them: per row
    assert "synthetic data" in table.caption.get_text() and "synthetic" not in row.th.get_text()
    mixed = BeautifulSoup(
        scorecard_html([acsc(), acsc(indicator_id="pm1-x", measure=1, synthetic=False)], "x", 0.95),
        "html.parser",
    )
    assert "synthetic" not in mixed.caption.get_text()
    tagged = [
        tr["data-indicator"]
        for tr in mixed.select("tr[data-indicator]")
        if "synthetic" in tr.th.get_text()
    ]
    assert tagged == ["pm5-acsc-admissions"]
    # Measures no chapter reports are listed, not left out.
    numbers = sorted({r.th.get_text().split(".")[0] for r in rows})
    assert numbers == ["1", "2", "3", "4", "5"]


def test_header_names_each_rows_data_period_when_they_differ() -> None:
    survey = acsc(indicator_id="pm1-x", measure=1, period="2021-22")
    soup = BeautifulSoup(scorecard_html([survey, acsc()], "2022-23", 0.95), "html.parser")
    assert soup.thead.find_all("th")[1].get_text() == "Latest (year of data in each row)"
    first = soup.find("tr", attrs={"data-indicator": "pm1-x"}).find("td")
    assert first.get_text(" ", strip=True).endswith("2021-22 data")


def test_csv_rows_carry_every_figure() -> None:
    frame = scorecard_rows([acsc()])
    row = frame.iloc[0]
    assert (row["value"], row["lower"], row["upper"], row["NWL"]) == (10.79, 10.40, 11.18, 9.89)
    assert row["NWL source"] == "synthetic"
    assert row["London"] is None and row["status"] == "not met"


def test_plan_figures_as_given_and_readings_under_the_status() -> None:
    item = acsc(
        status="not comparable",
        status_text="The plan's figures are on another basis, so the target is not judged.",
        baseline=None,
        target=None,
        comparators={},
        baseline_text="Plan: 11.47, rate of admission by weighted population, year not stated",
        comparator_text="Plan: NWL average 9.89, rate of admission by weighted population, "
        "year not stated",
        readings=(
            Reading("PCNs against the borough", "indicative", "1 of 5 PCNs above the borough."),
            Reading("Variation between ethnic groups", "indicative", "Not narrower."),
        ),
    )
    soup = BeautifulSoup(scorecard_html([item], "2025-26", 0.95), "html.parser")
    (row,) = [tr for tr in soup.find("tbody").find_all("tr") if tr.th.get_text().startswith("5.")]
    status, comparators = (
        row.find("td", class_="bbp-sc-status"),
        row.find("td", class_="bbp-sc-comp"),
    )
    toggle = status.details.get_text(" ", strip=True)
    assert "Baseline: Plan: 11.47, rate of admission by weighted population, year not stated" in (
        toggle
    )
    assert status.strong.get_text() == "≠ Not comparable"
    assert "bbp-status-not-comparable" in status.strong["class"]
    assert [li.get_text() for li in status.find_all("li")] == [
        "PCNs against the borough: indicative. 1 of 5 PCNs above the borough.",
        "Variation between ethnic groups: indicative. Not narrower.",
    ]
    assert "Compared with: Plan: NWL average 9.89" in toggle
    assert comparators.get_text() == "Plan figure on another basis"
    row = scorecard_rows([item]).iloc[0]
    assert row["readings"].startswith("PCNs against the borough: indicative.")
    assert row["baseline_text"].startswith("Plan: 11.47") and row["NWL"] is None
    payload = item.as_dict()
    assert payload["readings"][1] == {
        "name": "Variation between ethnic groups",
        "verdict": "indicative",
        "text": "Not narrower.",
    }


def test_every_status_has_its_mark_and_unknown_verdicts_are_refused() -> None:
    assert STATUS_MARKS == {
        "met": "✔ Met",
        "not met": "✖ Not met",
        "uncertain": "◐ Uncertain",
        "baseline set": "● Baseline set",
        "no baseline yet": "… No baseline yet",
        "not comparable": "≠ Not comparable",
    }
    with pytest.raises(ValueError, match="verdict 'on track'"):
        acsc(readings=(Reading("x", "on track", "y"),))
    with pytest.raises(ValueError, match="status 'on track'"):
        acsc(status="on track")


def test_headline_round_trips_through_its_json_form() -> None:
    """The displays rebuild headlines from the results file: readings come back whole."""
    item = acsc(readings=(Reading("Change since the 2022-23 baseline", "similar", "64.1%."),))
    payload = item.as_dict()
    again = Headline(**{**payload, "trend": [tuple(point) for point in payload["trend"]]})
    assert again == item


@dataclass(frozen=True)
class WithCaveat(Headline):
    """A headline carrying a ``caveat`` (the results file's optional field for a measure)."""

    caveat: str = ""


def test_a_measures_caveat_is_shown_in_its_row() -> None:
    fields = {
        **acsc().__dict__,
        "caveat": "The NWL comparison is indicative. The plan's figures are on another basis.",
    }
    soup = BeautifulSoup(scorecard_html([WithCaveat(**fields)], "2025-26", 0.95), "html.parser")
    row = soup.find("tr", attrs={"data-indicator": "pm5-acsc-admissions"})
    # the first sentence in the row, the whole caveat behind the row's toggle
    assert row.th.find(class_="bbp-caveat").get_text() == "The NWL comparison is indicative."
    assert f"Caveat: {fields['caveat']}" in row.find("details").get_text()
    plain = BeautifulSoup(scorecard_html([acsc()], "2025-26", 0.95), "html.parser")
    assert plain.find(class_="bbp-caveat") is None
