"""Logic model, indicator definition pages, claims ledger and the edition bundle."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from bbp_analysis import catalogue
from bbp_analysis.errors import InputError
from bbp_analysis.reference import collapse_whitespace
from bbp_analysis.site import claims, downloads, logic_model, methods_pages

from support import ROOT

SEED = ROOT / "data" / "reference" / "seeds" / "004_bb9be7d3c4970d21.txt"


def test_logic_model_nodes_cite_the_plan_and_known_indicators() -> None:
    model = logic_model.load()
    assert len(model.nodes) == 96
    assert [s["id"] for s in model.stages] == [
        "activity",
        "output",
        "short",
        "medium",
        "long",
        "impact",
    ]
    medium = {n.text.split(".")[0]: n.indicators for n in model.nodes if n.stage == "medium"}
    assert medium["5"] == ("pm5-acsc-admissions",)
    assert medium["1"] == ("pm1-tooth-decay-5",)


def _seed_span(lines: list[str], line: int) -> tuple[str, int]:
    """The seed's text from ``line`` on (a wrapped entry continues on the next lines),
    whitespace collapsed, and the length of ``line`` itself within it."""
    first = collapse_whitespace(lines[line - 1])
    return collapse_whitespace(" ".join(lines[line - 1 : line + 12])), len(first)


def test_every_logic_model_entry_is_copied_whole_from_its_seed_line() -> None:
    """Each entry's text occurs in the seed, starting on the line it cites, and is not cut:
    the seed does not go on with a comma, a letter or a lower-case word after it."""
    lines = SEED.read_text(encoding="utf-8").splitlines()
    model = logic_model.load()
    for node in model.nodes:
        text = collapse_whitespace(node.text)
        span, first = _seed_span(lines, node.line)
        at = span.find(text)
        assert 0 <= at <= first, (node.line, node.text)
        assert at == 0 or span[at - 1] == " ", (node.line, node.text)
        after = span[at + len(text) : at + len(text) + 2]
        assert (
            after in ("", ".") or after[0] == "." or (after[0] == " " and not after[1].islower())
        ), (
            node.line,
            node.text,
            after,
        )
    texts = {n.text for n in model.nodes}
    assert (
        "All Harrow practices offering national standard of appointments per 1,000 population"
        in texts
    )
    assert "Action plan for first 1,000 days of life" in texts


def test_a_cut_logic_model_entry_is_refused_and_caught() -> None:
    shipped = (Path(logic_model.__file__).with_name("logic-model.yaml")).read_text("utf-8")
    whole = 'text: "Action plan for first 1,000 days of life"'
    assert whole in shipped
    cut = shipped.replace(whole, "text: Action plan for first 1,000 days of life")
    with pytest.raises(InputError) as caught:
        logic_model.load(cut)
    assert "column '000 days of life': entry fields" in str(caught.value)
    span, _ = _seed_span(SEED.read_text(encoding="utf-8").splitlines(), 989)
    assert span.startswith("Action plan for first 1,000 days")
    assert span[len("Action plan for first 1")] == ","


def test_logic_model_page_links_measured_nodes_with_status() -> None:
    model = logic_model.load()
    headline = {
        "indicator_id": "pm5-acsc-admissions",
        "anchor": "objective-3-care-pathways#pm5-acsc-spc",
        "status": "not met",
        "period": "2025-26",
    }
    soup = BeautifulSoup(logic_model.page_html(model, [headline]), "html.parser")
    link = soup.find("a", href="objective-3-care-pathways.html#pm5-acsc-spc")
    assert link is not None
    assert "✖ Not met (2025-26)" in link.parent.get_text()
    assert len(soup.find_all("section")) == len(model.themes)
    falls = soup.find("a", href="objective-3-care-pathways.html")
    assert falls is not None
    notes = [span.get_text() for span in soup.select("span.bbp-logic-note")]
    assert len(notes) == 2
    assert any("physical health check in the 12 months" in note for note in notes)


def test_one_definition_page_per_indicator(tmp_path: Path) -> None:
    written = methods_pages.write_pages(tmp_path)
    assert len(written) == len(catalogue.indicators()) + 1
    page = (tmp_path / "indicators" / "pm5-acsc-admissions.md").read_text()
    soup = BeautifulSoup(page.split("\n", 2)[2], "html.parser")
    fields = {th.get_text(): th.find_next("td").get_text() for th in soup.find_all("th")}
    entry = yaml.safe_load(
        Path(catalogue.__file__).with_name("indicators").joinpath("objective-3.yaml").read_text()
    )["indicators"][0]
    assert fields["Numerator"] == entry["numerator"]
    assert fields["Polarity"] == "A lower value is better."
    assert fields["Partnership measure"] == "5"
    assert "value: 9.89" in fields["Target"]
    assert (
        "as given: rate of admission by weighted population, year not stated"
        in (fields["Baseline"])
    )
    codes = soup.find("th", string="ICD-10 codes (primary diagnosis)").find_next("td")
    assert [li.get_text() for li in codes.find_all("li")] == [
        "Asthma: J45, J46",
        "Diabetes: E10, E11, E12, E13, E14",
        "Epilepsy: G40, G41",
        "Hypertensive disease: I10X, I119",
        "Dementia: F00, F01, F02, F03, G30",
        "Heart failure: I110, I50, J81X",
    ]
    assert "NHS Outcomes Framework indicator 2.3.i" in codes.get_text()
    assert "R56" in codes.get_text()  # the left-out convulsion codes are named, with why
    wider = (tmp_path / "indicators" / "acsc-chronic-nhsof.md").read_text()
    assert "Atrial fibrillation and flutter: I48" in wider
    assert "Partnership measure</th><td>Not one of the five" in wider
    index = (tmp_path / "indicators" / "index.md").read_text()
    assert "{doc}`Staff vacancy rate <o2-vacancy-rate>`" in index


def test_claim_first_appears_at_the_start_of_its_run() -> None:
    def snap(period: str, status: str) -> dict:
        return {"period": period, "headlines": [{"indicator_id": "x", "status": status}]}

    history = [snap("2022-23", "met"), snap("2023-24", "not met"), snap("2024-25", "not met")]
    assert claims.first_edition("x", "not met", history) == "2023-24"
    assert claims.first_edition("x", "met", [*history, snap("2025-26", "met")]) == "2025-26"


def test_claims_ledger_names_the_test_behind_each_comparison() -> None:
    item = {
        "indicator_id": "pm3",
        "title": "Citizens",
        "period": "2024-25",
        "status": "baseline set",
        "status_text": "Baseline established.",
        "value": 66.0,
        "lower": 63.1,
        "upper": 68.8,
        "polarity": "high_is_good",
        "baseline": 63.0,
        "baseline_comparison": "similar",
        "comparators": {"NWL": 60.0},
        "readings": [],
    }
    (row,) = claims.ledger_rows([{"period": "2024-25", "headlines": [item]}])
    # the interval clears 63.0, but the two-sample test against the survey baseline decides
    assert (
        "against the baseline: similar (two-sample test against the survey baseline"
        in (row["Test"])
    )
    assert "against the NWL: better (interval against the value, Fingertips rule)" in row["Test"]
    labelled = {**item, "comparator_sources": {"NWL": "synthetic"}}
    (row,) = claims.ledger_rows([{"period": "2024-25", "headlines": [labelled]}])
    assert "against the NWL (synthetic): better (interval against the value" in row["Test"]


def test_bundle_is_deterministic_and_holds_the_files(tmp_path: Path) -> None:
    extra = tmp_path / "_extra"
    (extra / "downloads").mkdir(parents=True)
    (extra / "downloads" / "a.csv").write_text("x\n1\n")
    book = tmp_path / "book"
    book.mkdir()
    (book / "index.ipynb").write_text("{}")
    notebooks = downloads.copy_notebooks(book, extra, {})
    files = [extra / "downloads" / "a.csv", *notebooks]
    first = downloads.write_bundle(extra, "2025-26", "Harrow", files).read_bytes()
    second = downloads.write_bundle(extra, "2025-26", "Harrow", files).read_bytes()
    assert first == second
    with zipfile.ZipFile(extra / "downloads" / "harrow-bbp-review-2025-26.zip") as archive:
        assert archive.namelist() == ["downloads/a.csv", "notebooks/index.ipynb"]
    page = downloads.page(extra, "2025-26", "Harrow")
    assert 'href="../downloads/harrow-bbp-review-2025-26.zip"' in page
    assert 'href="../notebooks/index.ipynb"' in page


def test_downloaded_notebooks_read_as_the_page_does(tmp_path: Path) -> None:
    book = tmp_path / "book"
    book.mkdir()
    cells = [
        {
            "cell_type": "markdown",
            "metadata": {},
            "source": ["# {{ review_title }}\n", "In {{area_name}}."],
        },
        {"cell_type": "code", "metadata": {}, "source": ["x = '{{ area_name }}'"], "outputs": []},
        {"cell_type": "markdown", "metadata": {}, "source": "{{ unknown }} stays"},
    ]
    (book / "index.ipynb").write_text(json.dumps({"cells": cells}), encoding="utf-8")
    words = {"area_name": "Brent", "review_title": "Brent Borough Based Partnership Annual Review"}
    (copy,) = downloads.copy_notebooks(book, tmp_path / "_extra", words)
    sources = [cell["source"] for cell in json.loads(copy.read_text(encoding="utf-8"))["cells"]]
    assert sources == [
        ["# Brent Borough Based Partnership Annual Review\n", "In Brent."],
        ["x = '{{ area_name }}'"],
        ["{{ unknown }} stays"],
    ]
    assert downloads.bundle_name("2025-26", "Hammersmith and Fulham") == (
        "hammersmith-and-fulham-bbp-review-2025-26.zip"
    )
