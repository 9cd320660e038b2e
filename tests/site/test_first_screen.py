"""The front page's first screen in a real browser (Debian's headless Chromium driven by
Playwright), at a laptop's 1280x800 and a phone's 390x844 CSS pixels, without scrolling: the
main points and the status word of every partnership measure are in view, and no element is
wider than the viewport. Both screens are photographed to ``_build/test-artefacts/``. The site
is the session's shared build (``default_build``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_audits import overflow
from browsing import served
from playwright.sync_api import Browser

from bbp_analysis.scorecard import STATUS_MARKS

from support import ROOT

pytestmark = pytest.mark.slow

ARTEFACTS = ROOT / "_build" / "test-artefacts"
SCREENS = {"desktop": (1280, 800), "phone": (390, 844)}

# Each main point and each scorecard row's status word: its text and whether its box lies
# wholly inside the first screen (the viewport, scrolled to the top).
IN_VIEW = """() => {
  const seen = (el) => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.height > 0 && box.top >= 0 && box.bottom <= window.innerHeight
      && box.left >= 0 && box.right <= window.innerWidth;
  };
  const points = [...document.querySelectorAll('.bbp-main-points li')];
  const rows = [...document.querySelectorAll('table#scorecard tbody tr[data-indicator]')];
  return {
    heading: seen(document.querySelector('#main-points-heading')),
    points: points.map((li) => ({text: li.textContent.trim(), seen: seen(li)})),
    statuses: rows.map((tr) => {
      const word = tr.querySelector('.bbp-status');
      return {id: tr.dataset.indicator, text: word.textContent.trim(), seen: seen(word)};
    }),
  };
}"""


@pytest.fixture(scope="module")
def server(default_build: tuple[Path, Path]) -> Iterator[str]:
    """The session's built site served on a local port."""
    with served(default_build[1]) as url:
        yield url


@pytest.fixture(scope="module")
def headlines(default_build: tuple[Path, Path]) -> list[dict]:
    """The latest edition's headlines, as its results file holds them."""
    site = default_build[1]
    latest = json.loads((site / "editions.json").read_text(encoding="utf-8"))["latest"]
    return json.loads((site / latest / "results.json").read_text(encoding="utf-8"))["headlines"]


@pytest.mark.parametrize("screen", sorted(SCREENS))
def test_first_screen_shows_main_points_and_every_status(
    screen: str, server: str, browser: Browser, headlines: list[dict]
) -> None:
    width, height = SCREENS[screen]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(f"{server}/book/index.html", wait_until="load")
    page.evaluate("window.scrollTo(0, 0)")
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTEFACTS / f"first-screen-{screen}.png"
    page.screenshot(path=str(shot))  # the viewport only: what a reader sees before scrolling
    found = page.evaluate(IN_VIEW)
    wide = overflow(page)
    # the scorecard fits its column: its scroll region (sphinx_fixes) has nothing to scroll
    region = page.evaluate(
        "() => { const box = document.querySelector('table#scorecard').parentElement;"
        " return [box.scrollWidth, box.clientWidth]; }"
    )
    context.close()
    assert found["heading"], "the Main points heading is below the first screen"
    assert 3 <= len(found["points"]) <= 5
    assert [p["text"] for p in found["points"] if not p["seen"]] == []
    expected = {h["indicator_id"]: STATUS_MARKS[h["status"]] for h in headlines}
    assert {row["id"]: row["text"] for row in found["statuses"]} == expected
    assert {h["measure"] for h in headlines} == {1, 2, 3, 4, 5}
    assert [row["id"] for row in found["statuses"] if not row["seen"]] == []
    assert wide["width"] == width
    assert wide["scrollWidth"] <= width and wide["offenders"] == []
    assert region[0] <= region[1], f"the scorecard scrolls sideways: {region}"
    assert shot.stat().st_size > 10_000


def test_only_earlier_editions_carry_the_older_edition_notice(
    default_build: tuple[Path, Path],
) -> None:
    site = default_build[1]
    listing = json.loads((site / "editions.json").read_text(encoding="utf-8"))
    for period in listing["editions"]:
        for page in (site / period / "book").rglob("*.html"):
            text = page.read_text(encoding="utf-8")
            older = period != listing["latest"]
            assert ('class="bbp-older-edition"' in text) == older, page
    assert 'class="bbp-older-edition"' not in (site / "book" / "index.html").read_text()
