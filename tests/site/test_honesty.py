"""The honesty scan: every comparator on a built site is cited to a real file or labelled
synthetic; a Fingertips export in the published folder replaces the comparator on the
scorecard and in the chapter of a built edition, cited to its file and indicator."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from bbp_analysis.site.honesty import comparator_findings, entry_findings

from support import ROOT

CITED = (
    "England 21.5% (OHID Fingertips, indicator 93563 (Decay), England, 2025/26; "
    "file data/reference/partnership_measures.csv, file date not recorded)"
)


def test_synthetic_cited_plan_and_empty_cells_pass() -> None:
    assert entry_findings("NWL 30.3% (synthetic); London 26.7% (synthetic)", ROOT) == []
    assert entry_findings(CITED, ROOT) == []
    assert entry_findings("Plan: NWL average 9.89", ROOT) == []
    assert entry_findings("No comparator available", ROOT) == []


def test_an_unlabelled_or_falsely_cited_comparator_is_found() -> None:
    assert entry_findings("NWL 30.3%", ROOT) == [
        "'NWL 30.3%': neither labelled synthetic nor cited"
    ]
    assert entry_findings("NWL 30.3% (published)", ROOT) == [
        "'NWL 30.3% (published)': cites no file"
    ]
    missing = CITED.replace("partnership_measures.csv", "nowhere.csv")
    assert entry_findings(missing, ROOT) == [
        f"{missing!r}: cites data/reference/nowhere.csv, which is not a file in the project"
    ]


def test_a_site_without_a_scorecard_is_a_finding(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<p>No table here.</p>")
    assert comparator_findings(tmp_path, ROOT) == ["no scorecard found on any page"]


def test_the_scan_reads_the_scorecard_column_and_benchmark_sentences(tmp_path: Path) -> None:
    page = tmp_path / "index.html"
    page.write_text(
        '<table id="scorecard"><thead><tr><th>Measure</th><th>Status</th>'
        "</tr></thead><tbody><tr><th>1. Decay</th><td><p>Compared with: NWL 30.3%</p></td></tr>"
        f"<tr><th>2. Access</th><td><p>Compared with: {CITED}</p></td></tr>"
        "<tr><th>5. Admissions</th><td><p>Compared with: NWL 6.03 per 1,000 (synthetic); "
        "plan: NWL average 9.89</p></td></tr></tbody></table>"
        "<p>Benchmarks: published values from X; file data/x.csv, dated 2026-01-01, and "
        "simulated values.</p>"
    )
    assert comparator_findings(tmp_path, ROOT) == [
        "index.html: scorecard comparator 'NWL 30.3%': neither labelled synthetic nor cited",
        "index.html: benchmark cites data/x.csv, which is not a file in the project",
    ]


@pytest.mark.slow
def test_built_edition_with_a_fingertips_export_cites_it_and_is_honest(
    changed_build: tuple[str, Path, Path],
) -> None:
    """The session's changed build (2023-24, a Fingertips export in ``data/published``): the
    export's England value for the edition's own year, 2023/24, replaces the comparator, not
    its value for another year."""
    _, project, site = changed_build
    assert comparator_findings(site, project) == []
    front = BeautifulSoup((site / "book" / "index.html").read_text(encoding="utf-8"), "html.parser")
    row = front.find("table", id="scorecard").find("tbody").find_all("tr")[0]
    # the comparators with their sources sit behind the row's toggle ("Compared with")
    cell = next(
        " ".join(p.get_text().split()) for p in row.find_all("p") if "Compared with" in p.get_text()
    )
    assert "England 22.0% (OHID Fingertips, indicator 93563" in cell
    assert "England, 2023/24; file data/published/indicator-data.csv" in cell
    assert "21.5%" not in cell and "2025/26" not in cell  # the export's value for 2025/26
    assert "file data/published/indicator-data.csv, file date not recorded" in cell
    assert "NWL" in cell and "(synthetic)" in cell
    # the measure's chart sits in the chapter or, as detail, on the measure's own page
    pages = ("objective-1-population-health.html", "indicators/pm1-tooth-decay-5.html")
    chapter = " ".join((site / "book" / name).read_text(encoding="utf-8") for name in pages)
    text = " ".join(BeautifulSoup(chapter, "html.parser").get_text().split())
    assert "Benchmarks: published values from OHID Fingertips, indicator 93563" in text
    assert "data/published/indicator-data.csv" in text
