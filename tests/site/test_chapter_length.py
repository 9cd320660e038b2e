"""Chapters that read in minutes, and nothing lost.

Each chapter page of the latest edition is at most twelve screens tall at 1280 x 900 in
Debian's headless Chromium (heights written to ``_build/test-artefacts/chapter-heights.json``).
Every figure and table the executed chapter notebooks (the downloads, which stay whole) show
is on the chapter page, or on the page of the indicator it belongs to or the chapter's detail
page, and the chapter links to that page. The site is the session's shared build.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from browsing import served
from bs4 import BeautifulSoup
from playwright.sync_api import Browser

from bbp_analysis.site import datapackage

from support import ROOT

pytestmark = pytest.mark.slow

ARTEFACTS = ROOT / "_build" / "test-artefacts"
SCREEN = (1280, 900)
MAX_SCREENS = 12
CHAPTERS = (
    "objective-1-population-health",
    "objective-2-neighbourhood-teams",
    "objective-3-care-pathways",
    "delivering-the-plan",
)
ITEM = re.compile(
    r'<figure class="bbp-figure" id="([a-z0-9-]+)"|<table class="bbp-table[^"]*" id="([a-z0-9-]+)"'
)


@pytest.fixture(scope="module")
def edition(default_build: tuple[Path, Path]) -> Path:
    """The latest edition of the session's build."""
    site = default_build[1]
    return site / json.loads((site / "editions.json").read_text())["latest"]


@pytest.fixture(scope="module")
def server(edition: Path) -> Iterator[str]:
    with served(edition) as url:
        yield url


def heights(server: str, browser: Browser) -> dict[str, int]:
    """Each chapter page's full height in CSS pixels at 1280 x 900."""
    out = {}
    page = browser.new_page(viewport={"width": SCREEN[0], "height": SCREEN[1]})
    page.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith(("http://127.0.0.1", "data:"))
            else route.abort()
        ),
    )
    for chapter in CHAPTERS:
        page.goto(f"{server}/book/{chapter}.html", wait_until="load")
        out[chapter] = page.evaluate("document.documentElement.scrollHeight")
    page.close()
    return out


def test_each_chapter_is_at_most_twelve_screens(server: str, browser: Browser) -> None:
    measured = heights(server, browser)
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    (ARTEFACTS / "chapter-heights.json").write_text(
        json.dumps({c: {"px": h, "screens": round(h / SCREEN[1], 1)} for c, h in measured.items()})
        + "\n"
    )
    too_long = {c: f"{h} px" for c, h in measured.items() if h > MAX_SCREENS * SCREEN[1]}
    assert too_long == {}
    # the chapters are real pages, not stubs: each is more than three screens of findings
    assert all(h > 3 * SCREEN[1] for h in measured.values()), measured


def executed_items(notebook: Path) -> list[str]:
    """Every figure and table id the executed notebook shows, in order."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    found = []
    for cell in cells:
        for output in cell.get("outputs", []):
            page = output.get("data", {}).get("text/html", "")
            page = "".join(page) if isinstance(page, list) else page
            found += [a or b for a, b in ITEM.findall(page)]
    return found


def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def _linked_pages(chapter: BeautifulSoup, book: Path) -> set[Path]:
    """The pages the chapter's main text links to."""
    main = chapter.find("main") or chapter
    out = set()
    for link in main.find_all("a", href=True):
        href = link["href"].partition("#")[0]
        if href and not href.startswith(("http:", "https:", "../")):
            out.add((book / href).resolve())
    return out


def test_every_chapter_item_is_on_the_chapter_or_a_page_it_links_to(edition: Path) -> None:
    book = edition / "book"
    missing, unlinked, moved = [], [], 0
    for name in CHAPTERS:
        items = executed_items(edition / "notebooks" / f"{name}.ipynb")
        assert items, name
        chapter = _soup(book / f"{name}.html")
        linked = _linked_pages(chapter, book)
        for item_id in items:
            if chapter.find(id=item_id) is not None:
                continue
            owner = datapackage.download_info(item_id).indicator
            places = [book / f"{name}-detail.html"]
            if owner:
                places.insert(0, book / "indicators" / f"{owner}.html")
            holder = next((p for p in places if p.is_file() and _soup(p).find(id=item_id)), None)
            if holder is None:
                missing.append(f"{name}: {item_id}")
                continue
            moved += 1
            if holder.resolve() not in linked:
                unlinked.append(f"{name}: {item_id} on {holder.relative_to(book)}")
    assert missing == []
    assert unlinked == []
    assert moved > 60  # the breakdowns, funnels and tables did move


def test_indicator_page_keeps_definition_and_moved_data(edition: Path) -> None:
    page = _soup(edition / "book" / "indicators" / "o1-breast-screening.html")
    main = page.find("main")
    definition = main.find("table", class_="bbp-definition")
    rows = {
        th.get_text(strip=True): td.get_text(" ", strip=True)
        for th, td in ((tr.find("th"), tr.find("td")) for tr in definition.find_all("tr"))
    }
    assert (
        rows["Compared with"] == "the borough as a whole (each PCN, practice or group against it)"
    )
    assert rows["Statistic"].startswith("Percentage with a Wilson score confidence interval")
    figure = main.find("figure", id="o1-breast-screening-funnel")
    assert figure is not None
    # the data link works one folder down, and the passport came with the figure
    link = figure.find("a", href=True)["href"]
    assert link == "../../downloads/o1-breast-screening-funnel.csv"
    assert (edition / "downloads" / "o1-breast-screening-funnel.csv").is_file()
    assert main.find("details", attrs={"data-bbp-id": "o1-breast-screening-funnel"}) is not None
    # and the definition comes before the detail
    detail = next(h for h in main.find_all("h2") if "From the chapter" in h.get_text())
    assert (definition.sourceline, definition.sourcepos) < (detail.sourceline, detail.sourcepos)
