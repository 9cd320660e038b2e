"""The theme's icons drawn into the pages as they are built (``bbp_analysis.site.icons``): the
markup Font Awesome's script writes in the browser, from the theme's own copy of the script,
and no page of the built site loads that script."""

from __future__ import annotations

import re
from pathlib import Path

import pydata_sphinx_theme
import pytest

from bbp_analysis.site import icons

THEME_SCRIPT = (
    Path(pydata_sphinx_theme.__file__).parent
    / "theme"
    / "pydata_sphinx_theme"
    / "static"
    / "scripts"
    / "fontawesome.js"
)
# The icons the theme's pages hold (the header, sidebars, search and colour-mode buttons).
USED = (
    "magnifying-glass",
    "bars",
    "list",
    "sun",
    "moon",
    "circle-half-stroke",
    "file-pdf",
    "file",
    "expand",
    "download",
    "arrow-up",
    "angle-right",
    "angle-left",
    "outdent",
    "chevron-down",
)
# What the script put in place of the colour-mode button's moon (headless Chromium's DOM of a
# built page, path shortened here to its first command).
MOON = (
    '<svg class="svg-inline--fa fa-moon theme-switch fa-lg" data-mode="dark" aria-hidden="true"'
    ' focusable="false" data-prefix="fas" data-icon="moon" role="img"'
    ' xmlns="http://www.w3.org/2000/svg" viewBox="0 0 384 512"><path fill="currentColor" d="M223.5'
)


@pytest.fixture(scope="module")
def solid() -> dict[str, tuple[int, int, str]]:
    return icons.solid_icons(THEME_SCRIPT.read_text(encoding="utf-8"))


def test_the_solid_set_is_read_from_the_themes_script(solid) -> None:
    assert len(solid) > 1000  # the solid set, not the regular one (about 160 icons)
    assert set(USED) <= set(solid)
    assert solid["magnifying-glass"][:2] == (512, 512)
    assert solid["moon"][2].startswith("M223.5 32C100 32 0 132.3 0 256S100 480 223.5 480")


def test_an_icon_is_drawn_as_the_script_draws_it_and_the_script_is_dropped(solid) -> None:
    page = (
        '<head><script defer src="../_static/scripts/fontawesome.js?digest=55c2"></script>'
        '</head><body><button><i class="theme-switch fa-solid fa-moon fa-lg" data-mode="dark"'
        ' aria-hidden="true"></i></button><span class="fas fa-download"></span></body>'
    )
    drawn = icons.inline_page_icons(page, solid)
    assert MOON in drawn
    assert '<svg class="svg-inline--fa fa-download" aria-hidden="true" focusable="false"' in drawn
    assert "<i " not in drawn and "<span " not in drawn
    assert "fontawesome.js" not in drawn


def test_a_page_with_an_icon_the_set_does_not_draw_keeps_the_script(solid) -> None:
    page = (
        '<script defer src="_static/scripts/fontawesome.js"></script>'
        '<i class="fa-solid fa-no-such-icon"></i><i class="fa-solid fa-bars"></i>'
        '<i class="fa-brands fa-github"></i><i class="fa-solid fa-list" hidden></i>'
    )
    drawn = icons.inline_page_icons(page, solid)
    assert drawn.startswith('<script defer src="_static/scripts/fontawesome.js"></script>')
    assert '<i class="fa-solid fa-no-such-icon"></i>' in drawn
    assert '<i class="fa-brands fa-github"></i>' in drawn  # not a solid icon: left as it is
    assert '<i class="fa-solid fa-list" hidden></i>' in drawn  # an attribute it cannot copy
    assert 'data-icon="bars"' in drawn


@pytest.mark.slow
def test_no_built_page_loads_the_script_and_every_icon_is_drawn(
    default_build: tuple[Path, Path],
) -> None:
    site = default_build[1]
    pages = [p for p in site.rglob("*.html") if "_static" not in p.parts]
    drawn = 0
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "fontawesome.js" not in text, page
        assert not re.search(r'class="[^"]*\b(fa-solid|fas)\b', text), page
        drawn += text.count('class="svg-inline--fa ')
    assert drawn > 10 * len(pages) / 2  # most pages hold a dozen or more icons
    assert not list(site.rglob("fontawesome.js"))
