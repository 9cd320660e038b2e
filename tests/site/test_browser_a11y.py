"""The built site's accessibility in a real browser (Debian's headless Chromium driven by
Playwright). On the front page, the chapters and methods, axe-core (the version pinned in
``tests/site/axe/package-lock.json``) finds no violation of any WCAG 2.0, 2.1 or 2.2 A or AA
rule, nor of ``region``, at 320 CSS pixels and in the dark colour mode (every page of the latest
edition at desktop width is checked by ``test_browser.py`` as it loads it); nothing on any
page of the latest edition scrolls sideways at 320 CSS pixels except a data table in its own
named scroll region; on the front page and a chapter every link and control can be reached
with Tab and shows its focus. Each page is loaded once per width (and once more in the dark
mode). The front page is photographed at desktop and mobile widths (``_build/test-artefacts/``).
The site is the session's shared build of every edition (``default_build``), and one browser
per worker serves every check.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from browser_audits import (
    RULES_ONCE_FAILED,
    AxeTally,
    axe_source,
    overflow,
    pinned_axe_version,
    tab_walk,
)
from browsing import ARTEFACTS, VIEWPORTS, Tab, latest_pages
from playwright.sync_api import Browser

pytestmark = pytest.mark.slow

# The pages walked with the keyboard: the front page and one chapter.
KEYBOARD_PAGES = ("book/index.html", "book/objective-1-population-health.html")


@pytest.fixture(scope="module")
def reflow_visits(site: Path, server: str, browser: Browser) -> tuple[dict[str, Any], AxeTally]:
    """Every page of the latest edition loaded once at 320 CSS pixels: what overflows on each
    (page -> :func:`overflow`'s finding), and axe-core's results on the pages of
    :data:`NARROW_AXE_PAGES`."""
    source = axe_source()
    axe = AxeTally()
    found = {}
    tab = Tab(browser, VIEWPORTS["reflow"])
    for path in latest_pages(site):
        tab.visit(f"{server}/{path.relative_to(site).as_posix()}")
        found[str(path.relative_to(site))] = overflow(tab.page)
        if path.parent.name == "book" and path.stem in NARROW_AXE_PAGES:
            axe.add(tab.page, source, "reflow", str(path.relative_to(site)))
    tab.close()
    return found, axe


def test_no_accessibility_violations_at_320_pixels_and_in_dark_mode(
    site: Path, server: str, browser: Browser, reflow_visits: tuple[dict[str, Any], AxeTally]
) -> None:
    """axe-core, every WCAG A/AA rule and ``region``, on the front page, chapters and methods
    at 320 CSS pixels and in the dark colour mode (at desktop width)."""
    _, axe = reflow_visits
    source = axe_source()
    tab = Tab(browser, VIEWPORTS["desktop"])
    tab.context.add_init_script("localStorage.setItem('mode', 'dark')")  # the theme's button
    for path in latest_pages(site):
        if path.parent.name == "book" and path.stem in NARROW_AXE_PAGES:
            tab.visit(f"{server}/{path.relative_to(site).as_posix()}")
            axe.add(tab.page, source, "dark", str(path.relative_to(site)))
    tab.close()
    axe.write_summary(ARTEFACTS / "axe-summary.json")
    assert axe.pages == {"reflow": len(NARROW_AXE_PAGES), "dark": len(NARROW_AXE_PAGES)}
    assert axe.themes == {"reflow": {"light"}, "dark": {"dark"}}
    assert axe.versions == {pinned_axe_version()}
    assert axe.rules >= RULES_ONCE_FAILED
    assert axe.violations == []


NARROW_AXE_PAGES = (
    "index",
    "objective-1-population-health",
    "objective-2-neighbourhood-teams",
    "objective-3-care-pathways",
    "delivering-the-plan",
    "methods",
)


def test_every_control_reachable_by_keyboard_with_visible_focus(
    server: str, browser: Browser
) -> None:
    """Tab from the top of the page reaches every visible link and control, each once; every
    element it stops on (including contents entries the theme reveals as the page scrolls)
    shows a focus ring of at least 3:1 and is not hidden under another element (WCAG 2.1.1,
    2.4.3, 2.4.7, 2.4.11)."""
    tab = Tab(browser, VIEWPORTS["desktop"])
    problems = {}
    for page in KEYBOARD_PAGES:
        tab.visit(f"{server}/{page}")
        expected, stops = tab_walk(tab.page)
        reached = [stop["mark"] for stop in stops]
        assert len(expected) > 40, page  # the walk covers a whole page of links
        unreached = [what for i, what in enumerate(expected) if str(i) not in reached]
        repeated = [mark for mark, n in Counter(reached).items() if mark is not None and n > 1]
        unseen = [
            f"{stop['what']}: {stop['indicator']} (contrast {stop['contrast']})"
            for stop in stops
            if stop["contrast"] < 3 or not stop["uncovered"]
        ]
        if unreached or repeated or unseen:
            problems[page] = {"unreached": unreached, "repeated": repeated, "unseen": unseen}
    tab.close()
    assert problems == {}


def test_pages_reflow_at_320_css_pixels(
    server: str, browser: Browser, reflow_visits: tuple[dict[str, Any], AxeTally]
) -> None:
    """At 320 CSS pixels wide nothing on any page of the latest edition scrolls sideways,
    except a data table inside its own scroll region (reachable with Tab, named) (WCAG
    1.4.10)."""
    found, _ = reflow_visits
    assert found and {page["width"] for page in found.values()} == {VIEWPORTS["reflow"][0]}
    problems = {
        page: what
        for page, what in found.items()
        if what["scrollWidth"] > what["width"] or what["offenders"]
    }
    tab = Tab(browser, VIEWPORTS["reflow"])
    # The front page's scorecard is laid out as one card per measure: even at 320 px its
    # scroll region has nothing to scroll.
    tab.visit(f"{server}/book/index.html")
    region = tab.page.evaluate(
        """() => {
            const box = document.querySelector('table#scorecard').parentElement;
            return {role: box.getAttribute('role'), scrolls: box.scrollWidth > box.clientWidth};
        }"""
    )
    tab.close()
    assert problems == {}
    assert region == {"role": "region", "scrolls": False}


@pytest.mark.parametrize("width", sorted(VIEWPORTS))
def test_front_page_screenshots(width: str, server: str, browser: Browser) -> None:
    tab = Tab(browser, VIEWPORTS[width])
    errors = tab.visit(f"{server}/book/index.html")
    scorecard = tab.page.locator("table#scorecard")
    assert scorecard.count() == 1
    assert scorecard.locator("tbody tr").count() >= 5
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    target = ARTEFACTS / f"front-page-{width}.png"
    tab.page.screenshot(path=str(target), full_page=True)
    tab.close()
    assert target.stat().st_size > 10_000 and errors == []
