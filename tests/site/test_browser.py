"""The built site, in a real browser (Debian's headless Chromium driven by Playwright) and
as files: pages load with no console errors or failed requests, no internal link or image is
broken, and the latest edition publishes its bundle, notebooks and indicator pages.

Chromium loads every page of the latest edition (``test_browser_a11y.py``, a file of its own
so that the two halves can run on two pytest-xdist workers) and, of every older edition, its
redirect stub and the pages a reader opens from its front page (``browsing.READER_PAGES``).
Each other page of an older edition runs exactly the scripts of the latest edition's page at
the same place (asserted here: the same script elements and theme files) on other data, and
what a browser would fetch for it is checked as files: every reference resolves and every
image is a whole PNG. The site is the session's shared build of every edition
(``default_build``), and one browser per worker serves every check.
"""

from __future__ import annotations

import base64
import binascii
import filecmp
import hashlib
import io
import json
import re
import struct
import zlib
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlparse

import PIL.Image
import pytest
from browsing import (
    ARTEFACTS,
    READER_PAGES,
    VIEWPORTS,
    Tab,
    edition_folders,
    is_reader_page,
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
            path = local_path(reference)
            if path:
                out.append((reference, path))
    return out


def local_path(reference: str) -> str:
    """The file path an internal reference names (no fragment or query, unquoted)."""
    return unquote(urldefrag(reference)[0].split("?")[0])


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


IMAGE = re.compile(r"<img\b[^>]*?\bsrc=\"([^\"]*)\"")
INLINE = re.compile(r"data:image/([a-z]+);base64,(.*)", re.S)


def image_problem(data: bytes, kind: str) -> str | None:
    """Why ``data`` is not a whole image of ``kind`` (e.g. ``png``) that a browser shows:
    not of that format, a chunk whose checksum fails, pixels that do not decode, or no
    pixels; None when it is whole."""
    try:
        with PIL.Image.open(io.BytesIO(data)) as image:
            found, size = (image.format or "").lower(), image.size
            image.verify()
        with PIL.Image.open(io.BytesIO(data)) as image:
            image.load()
    except (OSError, SyntaxError, ValueError) as error:
        return f"unreadable: {error}"
    if found != kind:
        return f"{found or 'unknown'} data, not {kind}"
    return None if min(size) > 0 else f"no pixels: {size}"


def test_every_image_is_a_whole_png(site: Path) -> None:
    """Every image of every page of every edition, inline (``data:image/png;base64,``) or a
    file, is a whole PNG with pixels: the images Chromium does not load (module doc) are
    checked as the files a browser would decode. Each distinct image is read once."""
    problems, seen = {}, set()
    for page in pages_of(site):
        for source in IMAGE.findall(page.read_text(encoding="utf-8")):
            key = hashlib.sha256(source.encode()).digest()
            if key in seen:
                continue
            seen.add(key)
            inline = INLINE.fullmatch(source)
            if inline:
                try:
                    data = base64.b64decode(inline[2], validate=True)
                except binascii.Error as error:
                    problems[f"{page.relative_to(site)}: {source[:40]}"] = f"base64: {error}"
                    continue
                kind = inline[1]
            else:
                data, kind = (page.parent / local_path(source)).read_bytes(), "png"
            if problem := image_problem(data, kind):
                problems[f"{page.relative_to(site)}: {source[:40]}"] = problem
    assert len(seen) > 100  # the editions' figures
    assert problems == {}


def png_chunk(kind: bytes, body: bytes) -> bytes:
    """A PNG chunk: length, type, body and the checksum of type and body."""
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def test_image_problems_are_named() -> None:
    """A whole PNG passes; a truncated or damaged one, one whose pixels do not decode (its
    checksums right), and another format, are named."""
    buffer = io.BytesIO()
    PIL.Image.new("RGB", (4, 3), "white").save(buffer, format="png")
    png = buffer.getvalue()
    assert image_problem(png, "png") is None
    assert image_problem(png[:-20], "png").startswith("unreadable")
    assert image_problem(png[:40] + bytes(8) + png[48:], "png").startswith("unreadable")
    header = png[:33]  # the signature and the IHDR chunk
    garbled = header + png_chunk(b"IDAT", b"not deflate data") + png_chunk(b"IEND", b"")
    assert image_problem(garbled, "png").startswith("unreadable")
    buffer = io.BytesIO()
    PIL.Image.new("RGB", (4, 3), "white").save(buffer, format="gif")
    assert image_problem(buffer.getvalue(), "png") == "gif data, not png"


SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.S)


def scripts_of(page: Path) -> list[tuple[str, str]]:
    """(attributes, inline code) of each of ``page``'s script elements, in order."""
    return SCRIPT.findall(page.read_text(encoding="utf-8"))


def test_older_editions_run_the_latest_editions_scripts(site: Path) -> None:
    """Every page of an older edition has the same script elements (sources and inline code,
    in order) as the latest edition's page at the same place, and its edition the same theme
    files (``_static``) byte for byte: a page that Chromium does not load (module doc) runs
    the code that the accessibility test runs on the latest edition's page."""
    latest = latest_edition(site)
    different = []
    for page in older_pages(site):
        inside = page.relative_to(site)
        twin = latest.joinpath(*inside.parts[1:])
        scripts = scripts_of(page)
        if not scripts or not twin.is_file() or scripts != scripts_of(twin):
            different.append(str(inside))
    assert different == []
    for folder in edition_folders(site):
        assert same_tree(filecmp.dircmp(folder / "_static", latest / "_static")), folder.name


def same_tree(comparison: filecmp.dircmp) -> bool:
    """Whether the two folders compared hold the same files with the same bytes."""
    _, mismatch, errors = filecmp.cmpfiles(
        comparison.left, comparison.right, comparison.common_files, shallow=False
    )
    extra = comparison.left_only or comparison.right_only or comparison.funny_files
    return not (extra or mismatch or errors) and all(
        same_tree(sub) for sub in comparison.subdirs.values()
    )


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


def older_pages(site: Path) -> list[Path]:
    """The pages of every edition but the latest (not their redirect stubs)."""
    latest = latest_edition(site)
    return [
        page
        for folder in edition_folders(site)
        if folder != latest
        for page in pages_of(folder)
        if not is_redirect(page)
    ]


def browser_pages(site: Path) -> list[Path]:
    """The pages :func:`test_pages_load_without_errors` loads in Chromium: every page except
    the latest edition's (the accessibility test loads each of those at the same width and
    checks it the same way, ``test_browser_a11y.py``), the site root's copies of them (the
    same pages: the root holds the same files as the edition, asserted there, so a page's
    references load the same bytes from either) and the older editions' pages that are not
    reader pages (module doc)."""
    skipped = root_copies(site) | set(latest_pages(site))
    skipped |= {page for page in older_pages(site) if not is_reader_page(page)}
    return [path for path in pages_of(site) if path not in skipped]


def test_pages_load_without_errors(site: Path, server: str, browser: Browser) -> None:
    """:func:`browser_pages` in Chromium: each edition's redirect stub, the site root's pages
    that are not the latest edition's, and every older edition's reader pages."""
    assert differing_resources(site) == []
    visited = browser_pages(site)
    assert {page.stem for page in visited if is_redirect(page)} == {"index"}
    assert len([page for page in visited if is_redirect(page)]) == len(edition_folders(site))
    older = set(older_pages(site))
    readers = [page for page in visited if page in older]
    assert len(readers) == len(READER_PAGES) * (len(edition_folders(site)) - 1)
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
