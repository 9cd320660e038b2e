"""Issue 15: the front page, the delivery chapter, the board paper and the chapter pages of
one built edition show identical headline values for the five partnership measures.

Each display is read from the built site as a reader sees it (HTML and the PDF's text) and
compared with the edition's results file, which the chapters' runs wrote: every display
equal to the file means every display equal to every other. The chapter pages state the
values their own runs computed, so they check the file as well as being checked by it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

from bbp_analysis.board_paper import FOOTER
from bbp_analysis.headline import Headline
from bbp_analysis.main_points import main_points, short_label
from bbp_analysis.scorecard import STATUS_MARKS

pytestmark = pytest.mark.slow
PERIOD = "2025-26"
CHAPTER_TABLES = {  # on each chapter's detail page: the chapter states them in its key messages
    "objective-1-population-health-detail": "measures-1-2-status",
    "objective-2-neighbourhood-teams-detail": "measures-3-4-status",
}
STATUS_WORDS = re.compile(
    r"Not met|(?<!Not )Met|Baseline set|Uncertain|No baseline yet|Not comparable"
)
PM5 = re.compile(
    r"In (?P<period>\S+) the extract gives (?P<value>[\d.,]+) emergency admissions"
    r"[^(]*\( ?(?P<lower>[\d.,]+) to (?P<upper>[\d.,]+) ?\)\. [^.]*\. "
    r"Target status: (?P<status>[a-z]+(?: [a-z]+)*) ?\."
)


def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def _text(node) -> str:
    return " ".join(node.get_text(" ").split())


def _unit(item: dict) -> str:
    return "%" if item["unit"] == "%" else f" {item['unit']}"


def headlines(edition: Path) -> list[dict]:
    """The edition's headlines as its results file holds them."""
    return json.loads((edition / "results.json").read_text(encoding="utf-8"))["headlines"]


def front_page(edition: Path) -> dict[str, tuple[str, str, str]]:
    """Scorecard row's indicator id -> (value, "95% CI lower to upper", status mark)."""
    table = _soup(edition / "book" / "index.html").find("table", id="scorecard")
    out = {}
    for row in table.tbody.find_all("tr"):
        if not row.get("data-indicator"):  # a measure no chapter reports
            continue
        value = row.find("td", class_="bbp-sc-value")
        status = row.find("td", class_="bbp-sc-status").find(class_="bbp-status")
        out[row["data-indicator"]] = (
            _text(value.contents[0]),
            _text(value.find(class_="bbp-ci")),
            _text(status),
        )
    return out


def chapter_pages(edition: Path) -> dict[str, tuple[str, ...]]:
    """Headline title -> what its chapter pages state: the status tables of objectives 1 and
    2 (value with interval, status; on the chapters' detail pages) and objective 3's sentence
    on measure 5 (value, lower, upper, status, to two decimals)."""
    out: dict[str, tuple[str, ...]] = {}
    for page, table_id in CHAPTER_TABLES.items():
        table = _soup(edition / "book" / f"{page}.html").find("table", id=table_id)
        names = [_text(th) for th in table.thead.find_all("th")]
        for row in table.tbody.find_all("tr"):
            cells = dict(zip(names, (_text(td) for td in row.find_all("td")), strict=True))
            title = cells["Measure"].split(". ", 1)[1]
            out[title] = (cells["Value (%)"], cells["Status"])
    page = _text(_soup(edition / "book" / "objective-3-care-pathways.html").find("main"))
    found = PM5.search(page)
    assert found, "objective 3 no longer states measure 5 in its sentence"
    out["pm5"] = tuple(found[name] for name in ("period", "value", "lower", "upper", "status"))
    return out


def board_paper(edition: Path) -> str:
    """The text of the board paper's scorecard section, whitespace collapsed."""
    pages = [
        page.extract_text().replace(FOOTER, "")
        for page in PdfReader(edition / "board-paper.pdf").pages
    ]
    text = "\n".join(pages)
    flat = " ".join(text.split("1. Scorecard", 1)[1].split("2. Exceptions", 1)[0].split())
    return re.sub(r"(?<=\w)- (?=\w)", "-", flat)  # a word the PDF broke at its hyphen


def delivery_chapter(edition: Path) -> dict[str, tuple[str, str]]:
    """Linked headline (page#figure) -> (status mark, period) in the workstreams' lists."""
    block = _soup(edition / "book" / "delivering-the-plan.html").find(class_="bbp-workstreams")
    out = {}
    for entry in block.find_all("li"):
        status = entry.find("strong")
        if status is None:  # an indicator reported in its chapter, not a headline
            continue
        period = re.search(r"\((\d{4}-\d{2})\)", _text(entry))[1]
        out[entry.find("a")["href"]] = (_text(status), period)
    return out


@pytest.fixture(scope="module")
def edition(built_edition: tuple[Path, Path]) -> Path:
    return built_edition[1] / PERIOD


def test_every_partnership_measure_has_a_headline(edition):
    items = headlines(edition)
    assert {item["measure"] for item in items} == {1, 2, 3, 4, 5}
    assert all(item["period"] == PERIOD for item in items)


def test_front_page_shows_the_results_file(edition):
    shown = front_page(edition)
    items = headlines(edition)
    assert set(shown) == {item["indicator_id"] for item in items}
    for item in items:
        u = _unit(item)
        c = "%" if item["unit"] == "%" else ""  # a worded unit is given once, after the value
        assert shown[item["indicator_id"]] == (
            f"{item['value']:,.1f}{u}",
            f"95% CI {item['lower']:,.1f}{c} to {item['upper']:,.1f}{c}",
            STATUS_MARKS[item["status"]],
        ), item["indicator_id"]


def test_chapter_pages_state_the_same_values(edition):
    stated = chapter_pages(edition)
    items = headlines(edition)
    for item in items:
        if item["measure"] == 5:
            assert stated["pm5"] == (
                item["period"],
                f"{item['value']:.2f}",
                f"{item['lower']:.2f}",
                f"{item['upper']:.2f}",
                item["status"],
            )
        else:
            assert stated[item["title"]] == (
                f"{item['value']:.1f} ({item['lower']:.1f} to {item['upper']:.1f})",
                item["status"],
            ), item["indicator_id"]
    assert len(stated) == len(items)


def test_board_paper_shows_the_same_values(edition):
    """Row by row: the paper's scorecard rows follow the results file's order."""
    scorecard = board_paper(edition)
    items = headlines(edition)
    starts = [scorecard.index(f"{item['measure']}. {item['title']}") for item in items]
    assert starts == sorted(starts)
    for item, begin, end in zip(items, starts, [*starts[1:], len(scorecard)], strict=True):
        row, u = scorecard[begin:end], _unit(item)
        value = f"{item['value']:,.1f}{u} ({item['lower']:,.1f}{u} to {item['upper']:,.1f}{u})"
        assert value in row, item["indicator_id"]
        assert set(STATUS_WORDS.findall(row)) == {item["status"].capitalize()}, row


def test_delivery_chapter_gives_the_same_status(edition):
    linked = delivery_chapter(edition)
    by_anchor = {i["anchor"].replace("#", ".html#"): i for i in headlines(edition)}
    assert {by_anchor[href]["measure"] for href in linked} == {1, 2, 3, 4, 5}
    for href, (status, period) in linked.items():
        item = by_anchor[href]
        assert (status, period) == (STATUS_MARKS[item["status"]], item["period"]), href


def test_front_page_main_points_are_written_from_the_results_file(edition):
    """The main points on the page are the generator's sentences for the results file's
    headlines (nothing recomputed), and each names only indicators whose status says so."""
    items = [Headline(**item) for item in headlines(edition)]
    section = _soup(edition / "book" / "index.html").find("section", class_="bbp-main-points")
    shown = [_text(li) for li in section.find_all("li")]
    assert shown == main_points(items)
    for point, status in (("Short of target:", "not met"), ("On target:", "met")):
        named = next((p for p in shown if p.startswith(point)), "")
        for item in items:
            assert (short_label(item) in named) == (item.status == status), (point, item.title)
