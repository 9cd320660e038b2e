"""Every chart of the built site at 1280 px: the PNG holds twice as many pixels as the browser
shows (sharp on high-density screens), no chart text renders under 11 CSS pixels and none runs
off the image (each PNG records how many do: ``chart_style.OUTSIDE_KEY``). Reads the
session's shared build (``default_build``) in the shared browser (``tests/site/conftest.py``)."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from PIL import Image
from playwright.sync_api import Browser

from bbp_analysis import chart_style

pytestmark = pytest.mark.slow

MIN_TEXT_PX = 11
CHAPTERS = (
    "objective-1-population-health",
    "objective-2-neighbourhood-teams",
    "objective-3-care-pathways",
    "delivering-the-plan",
)


def chart_pages(site: Path) -> list[Path]:
    """Every page of the latest edition that shows a chart."""
    return sorted(
        page
        for page in (site / "book").rglob("*.html")
        if 'class="bbp-figure"' in page.read_text(encoding="utf-8")
    )


def recorded(page: Path) -> dict[str, tuple[int, float, int]]:
    """Figure id -> (display width, smallest text in CSS px, texts off the image) recorded in
    its PNG."""
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    out = {}
    for figure in soup.select("figure.bbp-figure"):
        png = base64.b64decode(figure.img["src"].partition("base64,")[2])
        with Image.open(io.BytesIO(png)) as image:
            out[figure["id"]] = (
                int(image.text[chart_style.WIDTH_KEY]),
                float(image.text[chart_style.TEXT_KEY]),
                int(image.text[chart_style.OUTSIDE_KEY]),
            )
    return out


def test_every_chart_page_is_checked(site: Path) -> None:
    pages = {p.stem for p in chart_pages(site)}
    assert set(CHAPTERS) <= pages


def test_charts_are_twice_their_displayed_width_with_text_of_11_px_or_more_inside_the_image(
    site: Path,
    server: str,
    browser: Browser,
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems, charts = [], 0
    for path in chart_pages(site):
        page.goto(f"{server}/{path.relative_to(site).as_posix()}")
        shown = page.evaluate(
            "Array.from(document.querySelectorAll('figure.bbp-figure img')).map(i => "
            "[i.closest('figure').id, i.naturalWidth, i.getBoundingClientRect().width])"
        )
        sizes = recorded(path)
        for figure_id, natural, width in shown:
            charts += 1
            design, smallest, outside = sizes[figure_id]
            rendered = smallest * width / design
            if natural != 2 * round(width) or abs(width - design) > 0.5:
                problems.append(f"{path.stem}#{figure_id}: {natural} px shown at {width:.1f}")
            if rendered < MIN_TEXT_PX:
                problems.append(f"{path.stem}#{figure_id}: text {rendered:.1f} px")
            if outside:
                problems.append(f"{path.stem}#{figure_id}: {outside} text(s) off the image")
    context.close()
    assert charts > 40
    assert problems == []
