"""Browsing the built site in the tests: one Chromium tab reused for many visits, and the
site's pages (shared by the browser test files)."""

from __future__ import annotations

import functools
import http.server
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser

from support import ROOT

ARTEFACTS = ROOT / "_build" / "test-artefacts"
VIEWPORTS = {"desktop": (1280, 800), "mobile": (390, 844), "reflow": (320, 800)}
LOCAL_ONLY = "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"
"""Chromium's flag that resolves every host name but the local server's to nothing, so a
request leaving the site fails (a failed request, reported) and nothing is downloaded. It
replaces routing every request through Playwright, which turns the browser's cache off: each
page then fetched the theme's scripts, styles and fonts again (80 pages: 30.2 s routed,
14.1 s not)."""


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output clean."""


@contextmanager
def served(folder: Path) -> Iterator[str]:
    """``folder`` served on a local port (as a reader's browser would fetch it): its URL."""
    handler = functools.partial(QuietHandler, directory=str(folder))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        thread.join()


def pages_of(site: Path) -> list[Path]:
    """Every HTML page of ``site`` (every edition, and the latest again at the root), sorted;
    not the theme's static files."""
    return sorted(p for p in site.rglob("*.html") if "_static" not in p.parts)


def is_redirect(page: Path) -> bool:
    """A stub that only forwards the reader (an edition's ``index.html``)."""
    return 'http-equiv="Refresh"' in page.read_text(encoding="utf-8")[:2000]


def latest_edition(site: Path) -> Path:
    """The latest edition's folder (named in the site's ``editions.json``)."""
    return site / json.loads((site / "editions.json").read_text())["latest"]


def latest_pages(site: Path) -> list[Path]:
    """The latest edition's pages (the other editions share its templates)."""
    return [p for p in pages_of(latest_edition(site)) if not is_redirect(p)]


def edition_folders(site: Path) -> list[Path]:
    """Every edition's folder, in period order (named in the site's ``editions.json``)."""
    return [
        site / period for period in json.loads((site / "editions.json").read_text())["editions"]
    ]


def is_reader_page(page: Path) -> bool:
    """One of :data:`READER_PAGES` (in an edition's ``book`` folder)."""
    return page.parent.name == "book" and page.stem in READER_PAGES


READER_PAGES = (
    "index",
    "objective-1-population-health",
    "objective-2-neighbourhood-teams",
    "objective-3-care-pathways",
    "delivering-the-plan",
    "what-changed",
)
"""The pages a reader of an edition opens from its front page: the front page, the three
chapters, delivering the plan and what changed, the pages most of whose text, tables and
figures are the edition's data."""


class Tab:
    """One browser page reused for many visits; collects each visit's console errors and
    failed requests (a request leaving the local server fails: :data:`LOCAL_ONLY`)."""

    def __init__(self, browser: Browser, viewport: tuple[int, int]) -> None:
        self.context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self._error(str(exc)))
        self.page.on("requestfailed", lambda request: self._error(f"failed: {request.url}"))

    def _console(self, message) -> None:
        if message.type == "error":
            self._error(message.text)

    def _error(self, text: str) -> None:
        self.errors.append(text)

    def visit(self, url: str, redirect: bool = False) -> list[str]:
        """Open ``url`` (following a redirect stub to its target); return its errors."""
        self.errors = []
        response = self.page.goto(url, wait_until="load")
        assert response is not None and response.ok, url
        if redirect:
            self.page.wait_for_url("**/book/index.html")
            self.page.wait_for_load_state("load")
        return self.errors

    def load_problems(self, url: str, redirect: bool = False) -> list[str]:
        """Open ``url`` (:meth:`visit`): its console errors, failed requests and images that
        did not load (each by the first 60 characters of its source)."""
        errors = self.visit(url, redirect)
        broken = self.page.evaluate(
            "Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0))"
            ".map(i => i.getAttribute('src').slice(0, 60))"
        )
        return errors + broken

    def close(self) -> None:
        self.context.close()
