"""Other boroughs: a borough's extract cut from the eight-borough extract."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from bs4 import BeautifulSoup
from markdown_it import MarkdownIt
from pypdf import PdfReader

from bbp_analysis import extract, plus_groups, reference
from bbp_analysis.errors import InputError
from bbp_analysis.synth.generate import generate

from support import copy_project, run_bbp

BRENT = "E09000005"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def eight_boroughs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("nwl")
    generate(area="NWL", scale=0.005, seed=5, out_dir=folder, validate=False)
    return folder


@pytest.fixture(scope="module")
def brent(eight_boroughs: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("brent")
    extract.write_borough_view(eight_boroughs, extract.read_manifest(eight_boroughs), BRENT, out)
    return out


def test_view_holds_the_boroughs_persons_and_their_events_only(eight_boroughs, brent):
    persons = pd.read_parquet(eight_boroughs / "persons.parquet")
    mine = persons[persons["borough_code"] == BRENT]
    cut = pd.read_parquet(brent / "persons.parquet")
    assert len(cut) == len(mine) > 0
    assert set(cut["borough_code"]) == {BRENT}
    spells = pd.read_parquet(eight_boroughs / "apc_spells.parquet")
    expected = spells[spells["person_id"].isin(mine["person_id"])].reset_index(drop=True)
    pd.testing.assert_frame_equal(pd.read_parquet(brent / "apc_spells.parquet"), expected)
    workforce = pd.read_parquet(brent / "workforce.parquet")
    assert set(workforce["borough_code"]) == {BRENT}
    assert set(pd.read_parquet(brent / "interventions.parquet")["pcn_name"]) <= set(
        mine["pcn_name"]
    )


def test_comparators_are_kept_whole_and_the_manifest_checks_out(eight_boroughs, brent):
    pd.testing.assert_frame_equal(
        pd.read_parquet(brent / "comparators.parquet"),
        pd.read_parquet(eight_boroughs / "comparators.parquet"),
    )
    manifest = extract.verify_extract(brent)
    assert manifest["area"] == BRENT and manifest["cut_from"] == "NWL"
    assert manifest["source_hash"] == extract.extract_hash(extract.read_manifest(eight_boroughs))
    assert manifest["synthetic"] is True


def test_area_names_the_borough_and_rejects_others():
    assert extract.borough_parameters(BRENT) == {"area_code": BRENT, "area_name": "Brent"}
    with pytest.raises(InputError, match=r"column 'area'.*'E09000001' is not a NW London"):
        extract.borough_parameters("E09000001")


def test_eight_borough_source_redirects_only_inside_the_block(tmp_path):
    assert extract.extract_folder(BRENT, tmp_path) == tmp_path / "data" / "synthetic" / BRENT
    with extract.eight_borough_source():
        assert os.environ[extract.SOURCE_ENV] == "NWL"
        assert extract.extract_folder(BRENT, tmp_path) == (
            tmp_path / "data" / "synthetic" / "NWL" / "boroughs" / BRENT
        )
        assert extract.extract_folder("NWL", tmp_path) == tmp_path / "data" / "synthetic" / "NWL"
    assert extract.SOURCE_ENV not in os.environ


# A whole Brent edition names Brent ------------------------------------------------------------

PLAN_SOURCES = (
    reference.PLAN_TITLE,
    reference.PLAN_SHORT,
    plus_groups.SEED_TITLES["001"].split(" (")[0],
)
QUOTED = re.compile(r'"[^"\n]*"|“[^”]*”|‘[^’]*’')
SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+")
BREAK = "\u241e"  # marks the end of a block, cell or heading
PLAN_WORD = re.compile(r"\bplan('s)?\b", re.IGNORECASE)
PLAN_HEADER = re.compile(r"\bplan|baseline|target", re.IGNORECASE)
BLOCKS = ["p", "li", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "title", "caption", "div"]
SEEDS = " ".join(
    " ".join(p.read_text(encoding="utf-8").split()).lower()
    for p in sorted((ROOT / "data" / "reference" / "seeds").glob("*.txt"))
)

MILESTONES = set(pd.read_csv(ROOT / "data" / "delivery" / "milestones.csv")["milestone"])


def _in_plan_table(cell: Any) -> bool:
    """Whether a table cell holds the plan's figures: its table's caption names the plan, or
    its row or column header names the plan, a baseline or a target (the review's baselines
    and targets are all the plan's)."""
    table = cell.find_parent("table")
    caption = table.find("caption") if table else None
    if caption is not None and PLAN_WORD.search(caption.get_text()):
        return True
    row = cell.find_parent("tr")
    headers = [th.get_text() for th in row.find_all("th")] if row else []
    if table is not None and row is not None and cell.name == "td":
        index = row.find_all(["td", "th"]).index(cell)
        head = table.find("thead")
        if head is not None:
            names = [th.get_text() for th in head.find_all("th")]
            headers += names[index : index + 1]
    return any(PLAN_HEADER.search(h) for h in headers)


def _verbatim(sentence: str) -> bool:
    """Whether ``sentence`` (four words or more) is the partnership's papers' own words."""
    words = sentence.strip(" .;,").split()
    return len(words) >= 4 and " ".join(words).lower() in SEEDS


def unquoted_harrow(page: Path) -> list[str]:
    """Sentences of ``page`` (title, headings, body text, table cells, figure alt text) that
    name Harrow other than as a quotation of Harrow's plan.

    How quotes are recognised: text inside quotation marks (straight or curly) or a
    ``<blockquote>``, and the titles of the plan and of the partnership's other paper, are
    quotations; a table cell is the plan's figure when its table's caption names the plan or
    its row or column header names the plan, a baseline or a target (every baseline and
    target in the review is the plan's); a sentence of four words or more found verbatim in
    the partnership's papers (``data/reference/seeds/``: the plan's logic model and targets)
    is a quotation, and so is a milestone of the plan's delivery tracker (each cites its
    seed, ``data/delivery/milestones.csv``). What is left is split into sentences (each
    block, cell and heading on its own), and a sentence naming Harrow is allowed only when it
    names the plan as its source ("plan", "plan's"), e.g. "The plan compares Harrow with a
    North West London average", or when it is the synthetic-data label saying the generator
    is calibrated to Harrow's published figures. The area-code table (E09000015 Harrow) is
    reference data.
    """
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    for element in soup(["script", "style", "blockquote"]):
        element.decompose()
    cells = soup.find_all(["td", "th"])
    for cell in [c for c in cells if "Harrow" in c.get_text() and _in_plan_table(c)]:
        cell.clear()
    alts = [img.get("alt", "") for img in soup.find_all("img")]
    for element in soup.find_all([*BLOCKS, "td", "th", "br"]):
        element.append(BREAK)
    for element in soup.find_all(["ul", "ol"]):  # a nested list starts its own block
        element.insert_before(BREAK)
    found = []
    for text in [soup.get_text(""), *alts]:
        for source in PLAN_SOURCES:
            text = text.replace(source, "")
        text = QUOTED.sub("", re.sub(r"E09000015\W+Harrow", "", text))
        for line in " ".join(text.split()).split(BREAK):
            for sentence in SENTENCE_END.split(line):
                if "Harrow" not in sentence or PLAN_WORD.search(sentence):
                    continue
                if "calibrated to" in sentence or _verbatim(sentence):
                    continue
                if sentence.strip(" .;,") in MILESTONES:
                    continue
                found.append(sentence.strip())
    return found


def test_quote_rule_flags_harrow_outside_the_plans_words(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        "<html><head><title>Harrow review</title></head><body><h2>Harrow at a glance</h2>"
        "<p>Harrow is doing\nwell. The plan says Harrow 42%. “Harrow’s target” is quoted.</p>"
        "<blockquote>Harrow has a rate of 11.47</blockquote>"
        "<table><thead><tr><th>Area</th><th>Plan baseline (Harrow)</th></tr></thead>"
        "<tbody><tr><td>Harrow</td><td>Harrow 42%</td></tr></tbody></table>"
        "<p>Implement population health management approach in Harrow (Borough and "
        "Neighbourhood level)</p><img alt='Dot chart: Harrow = 100'></body></html>",
        encoding="utf-8",
    )
    assert unquoted_harrow(page) == [
        "Harrow review",
        "Harrow at a glance",
        "Harrow is doing well.",
        "Harrow",
        "Harrow = 100",
    ]


BRENT_SCALE = 0.03  # about 10,000 Brent residents: every chapter's counts clear suppression


@pytest.fixture(scope="module")
def brent_extract(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Brent's part of an eight-borough extract at 3% of full scale (the full extract takes
    half an hour and 9 GB to generate), cut as ``bbp build --area`` cuts it."""
    source = tmp_path_factory.mktemp("nwl-small")
    generate(area="NWL", scale=BRENT_SCALE, out_dir=source, validate=False, through="2025-26")
    out = tmp_path_factory.mktemp("brent-small")
    extract.write_borough_view(source, extract.read_manifest(source), BRENT, out)
    return out


@pytest.mark.slow
def test_brent_build_names_brent_and_quotes_harrow_only_from_the_plan(
    tmp_path: Path, brent_extract: Path
) -> None:
    """``bbp build --area E09000005`` on Brent's cut of a small eight-borough extract, named
    by the ``extract`` parameter (so the build reads it as it is, instead of generating the
    full-scale eight-borough extract)."""
    project = copy_project(tmp_path / "project")
    defaults = project / "parameters" / "defaults.yaml"
    with defaults.open("a", encoding="utf-8") as file:
        file.write(f'extract: "{brent_extract}"\n')
    site = tmp_path / "site"
    result = run_bbp(
        "build",
        "--area",
        BRENT,
        "--period",
        "2025-26",
        "--jobs",
        "1",
        "--out",
        str(site),
        root=project,
        timeout=5400,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    index = BeautifulSoup((site / "book" / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert "Brent Borough Based Partnership Annual Review" in index.title.get_text()
    assert (
        index.find("h1")
        .get_text(strip=True)
        .startswith("Brent Borough Based Partnership Annual Review")
    )
    pages = sorted(
        p
        for p in (site / "2025-26").rglob("*.html")
        if p.name not in {"genindex.html", "search.html"}
    )
    assert len(pages) > 20
    found = {p.relative_to(site).as_posix(): unquoted_harrow(p) for p in pages}
    assert {page: lines for page, lines in found.items() if lines} == {}
    ratio = (site / "2025-26" / "book" / "objective-2-neighbourhood-teams.html").read_text()
    assert "Brent = 100" in ratio
    notebooks = sorted((site / "2025-26" / "notebooks").glob("*.ipynb"))
    assert len(notebooks) >= 5
    for notebook in notebooks:  # the downloads read as the pages do
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        text = "\n\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
        assert "{{" not in text, notebook.name
        rendered = tmp_path / f"{notebook.stem}.html"
        rendered.write_text(MarkdownIt().render(text), encoding="utf-8")
        assert unquoted_harrow(rendered) == [], notebook.name
    paper = " ".join(
        " ".join(page.extract_text().split())
        for page in PdfReader(site / "2025-26" / "board-paper.pdf").pages
    )
    assert "Meeting Brent Borough Based Partnership Joint Management Board" in paper
    assert "Managing Director, Brent Borough Based Partnership" in paper
    assert "Harrow Borough Based" not in paper
