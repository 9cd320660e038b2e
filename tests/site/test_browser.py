"""The built site in a real browser (Debian's headless Chromium driven by Playwright): every
page of every edition loads with no console errors or failed requests, no internal link or
image is broken, and the latest edition publishes its bundle, notebooks and indicator pages.
The accessibility checks are in ``test_browser_a11y.py`` (a file of its own, so that the two
halves can run on two pytest-xdist workers). The site is the session's shared build of every
edition (``default_build``), and one browser per worker serves every check.
"""

from __future__ import annotations

import filecmp
import hashlib
import json
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlparse

import pytest
from browsing import (
    ARTEFACTS,
    VIEWPORTS,
    Tab,
    is_redirect,
    latest_edition,
    latest_pages,
    pages_of,
)
from bs4 import BeautifulSoup, SoupStrainer
from playwright.sync_api import Browser

from support import ROOT

pytestmark = pytest.mark.slow


REFERENCES = (("a", "href"), ("img", "src"), ("link", "href"), ("script", "src"))


def internal_references(html: str) -> list[tuple[str, str]]:
    """(reference, path it names) for every internal link and image of a page's HTML. Only
    the tags read here are kept while parsing (the pages carry their figures inline)."""
    soup = BeautifulSoup(html, "html.parser", parse_only=SoupStrainer([t for t, _ in REFERENCES]))
    out = []
    for tag, attribute in REFERENCES:
        for element in soup.find_all(tag):
            reference = element.get(attribute)
            if not reference or reference.startswith(("#", "data:", "mailto:")):
                continue
            if urlparse(reference).scheme in ("http", "https"):
                continue
            path = unquote(urldefrag(reference)[0].split("?")[0])
            if path:
                out.append((reference, path))
    return out


def internal_targets(page: Path, site: Path, parsed: dict[str, list] | None = None) -> list:
    """(reference, file it points at) for every internal link and image of ``page``.
    ``parsed`` (page text's SHA-256 -> its references) parses each distinct text once: an
    edition's pages recur at the site root, and many recur unchanged in every edition; each
    copy's references are still resolved from its own folder."""
    html = page.read_text(encoding="utf-8")
    key = hashlib.sha256(html.encode()).hexdigest()
    parsed = {} if parsed is None else parsed
    if key not in parsed:
        parsed[key] = internal_references(html)
    return [(ref, (page.parent / path).resolve()) for ref, path in parsed[key]]


def test_no_broken_internal_links_or_images(site: Path) -> None:
    parsed: dict[str, list] = {}
    broken = [
        f"{page.relative_to(site)} -> {reference}"
        for page in pages_of(site)
        for reference, target in internal_targets(page, site, parsed)
        if not (target.is_file() or (target / "index.html").is_file())
    ]
    assert broken == []


def head_of(page: Path) -> str:
    """The HTML of ``page`` up to the end of its head."""
    return page.read_text(encoding="utf-8").partition("</head>")[0]


def test_every_page_names_the_review_icon(site: Path) -> None:
    """Each page's head names the review's icon (a file the page resolves, checked above), and
    the site root holds it as ``/favicon.ico``, where a browser asks for it by itself (e.g. on
    a redirect stub, which names none); so no visit below meets a 404 for it."""
    icon = (ROOT / "book" / "_static" / "favicon.ico").read_bytes()
    assert (site / "favicon.ico").read_bytes() == icon
    unnamed = [
        str(page.relative_to(site))
        for page in pages_of(site)
        if not is_redirect(page)
        and not BeautifulSoup(head_of(page), "html.parser").select(
            'link[rel="icon"][href$="_static/favicon.ico"]'
        )
    ]
    assert unnamed == []


def root_copies(site: Path) -> set[Path]:
    """The pages at the site root that are, byte for byte, the latest edition's page at the
    same place in its folder (the root holds the latest edition again)."""
    latest = latest_edition(site)
    return {
        site / page.relative_to(latest)
        for page in pages_of(latest)
        if _same_file(page, site / page.relative_to(latest))
    }


def differing_resources(site: Path) -> list[str]:
    """Every file of the latest edition other than a page that the site root lacks or holds
    with other bytes."""
    latest = latest_edition(site)
    return sorted(
        str(path.relative_to(latest))
        for path in latest.rglob("*")
        if path.is_file()
        and path.suffix != ".html"
        and not _same_file(path, site / path.relative_to(latest))
    )


def _same_file(path: Path, other: Path) -> bool:
    return other.is_file() and filecmp.cmp(path, other, shallow=False)


def test_root_copies_and_differing_resources(tmp_path: Path) -> None:
    """A root page is a copy when its bytes equal the latest edition's page; a resource of
    the edition that the root lacks or holds changed is listed, a page is not."""
    (tmp_path / "editions.json").write_text('{"latest": "2025-26", "editions": ["2025-26"]}')
    for folder in (tmp_path / "2025-26", tmp_path):
        (folder / "book" / "_static").mkdir(parents=True)
        (folder / "book" / "same.html").write_text("<p>same</p>")
        (folder / "book" / "_static" / "same.css").write_text("p {}")
    (tmp_path / "2025-26" / "book" / "editions.html").write_text("<p>2025-26</p>")
    (tmp_path / "book" / "editions.html").write_text("<p>every edition</p>")
    (tmp_path / "2025-26" / "book" / "_static" / "changed.js").write_text("a()")
    (tmp_path / "book" / "_static" / "changed.js").write_text("b()")
    (tmp_path / "2025-26" / "book" / "_static" / "missing.png").write_bytes(b"png")
    assert root_copies(tmp_path) == {tmp_path / "book" / "same.html"}
    assert differing_resources(tmp_path) == ["book/_static/changed.js", "book/_static/missing.png"]


def test_every_page_loads_without_errors(site: Path, server: str, browser: Browser) -> None:
    """Every page of every edition in Chromium, but the latest edition's: the accessibility
    test loads each of those at the same width and checks it the same way
    (``test_browser_a11y.py``), and a root copy of one of them is the same page: the root
    holds the same files as the edition (asserted first), so the same page's references load
    the same bytes from either. The latest edition's redirect stub is visited here."""
    assert differing_resources(site) == []
    skipped = root_copies(site) | set(latest_pages(site))
    visited = [path for path in pages_of(site) if path not in skipped]
    problems = {}
    images = 0
    tab = Tab(browser, VIEWPORTS["desktop"])
    for path in visited:
        url = f"{server}/{path.relative_to(site).as_posix()}"
        found = tab.load_problems(url, is_redirect(path))
        images += tab.page.evaluate("document.images.length")
        if found:
            problems[str(path.relative_to(site))] = found
    tab.close()
    summary = {"pages": len(pages_of(site)), "visited": len(visited), "images": images}
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    (ARTEFACTS / "browser-pages.json").write_text(json.dumps(summary, indent=2) + "\n")
    assert problems == {}


def text_of(page: Path) -> str:
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    return " ".join(soup.get_text().split())


def test_published_pages_of_the_latest_edition(site: Path) -> None:
    """What changed names the known change between the last two editions; the editions index
    lists every edition; the bundle, notebooks and every indicator's page are published; the
    scorecard's and the logic model's chart links land on an element of the chapter."""
    editions = json.loads((site / "editions.json").read_text())
    latest, previous = editions["editions"][-1], editions["editions"][-2]
    changed = text_of(site / "book" / "what-changed.html")
    assert f"Compared with: {previous}" in changed
    assert (
        "Patients reporting a good experience of making an appointment at their GP practice. "
        f"Compared with NWL: worse in {previous}, similar in {latest}." in changed
    )
    # measure 3 no longer flips on a difference the two-sample test does not support
    assert "Citizens reporting a positive experience of care. Compared with the baseline" not in (
        changed
    )
    listed = BeautifulSoup((site / "book" / "editions.html").read_text(), "html.parser")
    links = [a["href"] for a in listed.select("ul.bbp-editions a")]
    assert links == [f"../{p}/book/index.html" for p in reversed(editions["editions"])]
    assert (site / "downloads" / f"harrow-bbp-review-{latest}.zip").is_file()
    assert (site / "notebooks" / "index.ipynb").is_file()
    assert (site / "book" / "indicators" / "pm5-acsc-admissions.html").is_file()
    front = BeautifulSoup((site / "book" / "index.html").read_text(), "html.parser")
    model = BeautifulSoup((site / "book" / "logic-model.html").read_text(), "html.parser")
    for anchor in [*front.select("table#scorecard th a"), *model.select("ul.bbp-logic-links a")]:
        page, _, fragment = anchor["href"].partition("#")
        target = BeautifulSoup((site / "book" / page).read_text(), "html.parser")
        assert not fragment or target.find(id=fragment) is not None, anchor["href"]
