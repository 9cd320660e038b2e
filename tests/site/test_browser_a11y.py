"""The built site's accessibility in a real browser (Debian's headless Chromium driven by
Playwright). On every page of the latest edition, axe-core (the version pinned in
``tests/site/axe/package-lock.json``) finds no violation of any WCAG 2.0, 2.1 or 2.2 A or AA
rule, nor of ``region``, and nothing scrolls sideways at 320 CSS pixels except a data table in
its own named scroll region; on the front page and a chapter every link and control can be
reached with Tab and shows its focus. The front page is photographed at desktop and mobile
widths (``_build/test-artefacts/``). The site is the session's shared build of every edition
(``default_build``), and one browser per worker serves every check.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from browser_audits import (
    EXTRA_RULES,
    WCAG_TAGS,
    overflow,
    pinned_axe_version,
    rules_run,
    run_axe,
    tab_walk,
)
from browsing import ARTEFACTS, VIEWPORTS, Tab, latest_pages
from playwright.sync_api import Browser

pytestmark = pytest.mark.slow

# The pages walked with the keyboard: the front page and one chapter.
KEYBOARD_PAGES = ("book/index.html", "book/objective-1-population-health.html")


def test_no_accessibility_violations(
    site: Path, server: str, browser: Browser, axe_url: str
) -> None:
    """axe-core, every WCAG A/AA rule and ``region``, on every page of the latest edition at
    desktop width, and on the front page, chapters and methods at 320 CSS pixels and in the
    dark colour mode too. Each page at desktop width also loads with no console error, failed
    request or broken image (``test_browser.py`` checks every other page so)."""
    checked = latest_pages(site)
    narrow = [p for p in checked if p.parent.name == "book" and p.stem in NARROW_AXE_PAGES]
    counts: Counter[str] = Counter()
    violations = []
    rules: set[str] = set()
    failed_loads = {}
    for viewport, paths in (("desktop", checked), ("reflow", narrow), ("dark", narrow)):
        tab = Tab(browser, VIEWPORTS["desktop" if viewport == "dark" else viewport])
        if viewport == "dark":  # as chosen with the theme's colour-mode button
            tab.context.add_init_script("localStorage.setItem('mode', 'dark')")
        for path in paths:
            url = f"{server}/{path.relative_to(site).as_posix()}"
            if viewport != "desktop":
                tab.visit(url)
            elif found := tab.load_problems(url):
                failed_loads[str(path.relative_to(site))] = found
            results = run_axe(tab.page, axe_url)
            theme = tab.page.evaluate("document.documentElement.dataset.theme")
            assert theme == ("dark" if viewport == "dark" else "light"), path
            assert results["testEngine"]["version"] == pinned_axe_version()
            rules |= rules_run(results)
            for violation in results["violations"]:
                counts[f"{violation['impact']}: {violation['id']}"] += len(violation["nodes"])
                targets = [node["target"] for node in violation["nodes"][:3]]
                where = f"{viewport} {path.relative_to(site)}"
                violations.append(f"{where}: {violation['id']} {targets}")
        tab.close()
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    summary = {
        "axe-core": pinned_axe_version(),
        "tags": list(WCAG_TAGS),
        "extra rules": list(EXTRA_RULES),
        "rules run": len(rules),
        "pages": {"desktop": len(checked), "320 px": len(narrow), "dark mode": len(narrow)},
        "violations": dict(sorted(counts.items())),
    }
    (ARTEFACTS / "axe-summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    assert len(narrow) == len(NARROW_AXE_PAGES)
    assert failed_loads == {}
    # The rules this review once failed ran (so a renamed rule cannot pass unnoticed).
    assert {"region", "label-content-name-mismatch", "color-contrast", "target-size"} <= rules
    assert violations == []


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


def test_pages_reflow_at_320_css_pixels(site: Path, server: str, browser: Browser) -> None:
    """At 320 CSS pixels wide nothing on any page of the latest edition scrolls sideways,
    except a data table inside its own scroll region (reachable with Tab, named) (WCAG
    1.4.10)."""
    tab = Tab(browser, VIEWPORTS["reflow"])
    problems = {}
    for path in latest_pages(site):
        tab.visit(f"{server}/{path.relative_to(site).as_posix()}")
        found = overflow(tab.page)
        assert found["width"] == VIEWPORTS["reflow"][0]
        if found["scrollWidth"] > found["width"] or found["offenders"]:
            problems[str(path.relative_to(site))] = found
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
