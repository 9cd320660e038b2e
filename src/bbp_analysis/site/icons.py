"""The theme's icons drawn into each page when the book is built, not by a script in the
reader's browser.

The theme (pydata-sphinx-theme) loads Font Awesome's ``fontawesome.js`` on every page: 1.5 MB
of JavaScript that finds each element classed ``fa-solid`` (or ``fas``) and an icon
(``fa-magnifying-glass``) and replaces it with an inline ``<svg>`` drawing of that icon. After
the book is written, :func:`inline_page_icons` makes the same replacement in each page, with
the markup the script writes (the icon's drawing is read from the build's own copy of the
script, :func:`solid_icons`), and drops the page's ``<script>`` for it; Font Awesome's rules
for those drawings are in ``book/_static/bbp.css``. A page holding an icon the script's solid
set does not draw keeps its script. The pages look the same (screenshots at 1280 and 390 px
are identical but for a few antialiased pixels of one border), and a phone no longer fetches,
parses and runs the script on each page. Measured in headless Chromium (one tab over the
2025-26 edition's 79 pages, an idle 2-core machine): 14.2 and 14.5 CPU s with the script, 11.9
and 12.6 s without; a page's HTML grows by the drawings (the front page 51,854 -> 61,716 bytes).

Icons: Font Awesome Free by Fonticons, Inc. (CC BY 4.0), shipped with the theme.
"""

from __future__ import annotations

import re
from pathlib import Path

SCRIPT = "_static/scripts/fontawesome.js"
"""The theme's copy of Font Awesome in a built book."""
PREFIXES = ("fa-solid", "fas")
"""The classes that mark an element as a solid-style icon."""
_SOLID_CALL = '("fas",p)'
"""How the script adds its solid set (the object ``p`` defined last before this call)."""
_ICON = re.compile(r'[{,]"?([a-z0-9-]+)"?:\[(\d+),(\d+),\[[^\]]*\],"[0-9a-f]*","([^"]+)"\]')
_SCRIPT_TAG = re.compile(
    r'\s*<script defer src="[^"]*_static/scripts/fontawesome\.js[^"]*"></script>'
)
_ELEMENT = re.compile(r"<(i|span)\b([^>]*)></\1>")
_ATTRIBUTE = re.compile(r'([\w:-]+)="([^"]*)"')


def solid_icons(script: str) -> dict[str, tuple[int, int, str]]:
    """Each icon of Font Awesome's solid set in ``script`` (the text of ``fontawesome.js``):
    name -> (width, height, SVG path), as the script defines them."""
    call = script.find(_SOLID_CALL)
    start = script.rfind("var p={", 0, call)
    if call < 0 or start < 0:
        return {}
    return {
        name: (int(width), int(height), path)
        for name, width, height, path in _ICON.findall(script, start + len("var p="), call)
    }


def _classes(attributes: str) -> list[str]:
    """The classes in an element's ``attributes`` (its start tag's text after the name)."""
    return dict(_ATTRIBUTE.findall(attributes)).get("class", "").split()


def _svg(attributes: str, icons: dict[str, tuple[int, int, str]]) -> str | None:
    """The ``<svg>`` Font Awesome draws for an element with ``attributes``, or None when the
    element is not a solid icon, or one the set does not hold, or has an attribute written
    other than ``name="value"``."""
    pairs = _ATTRIBUTE.findall(attributes)
    classes = dict(pairs).get("class", "").split()
    names = [c[3:] for c in classes if c.startswith("fa-") and c[3:] in icons]
    if (
        not set(classes) & set(PREFIXES)
        or len(names) != 1
        or _ATTRIBUTE.sub("", attributes).strip()
    ):
        return None
    name = names[0]
    width, height, path = icons[name]
    rest = [c for c in classes if c not in (*PREFIXES, f"fa-{name}")]
    kept = [(key, value) for key, value in pairs if key != "class"]
    fixed = [("focusable", "false"), ("data-prefix", "fas"), ("data-icon", name), ("role", "img")]
    if "aria-hidden" not in dict(kept):
        fixed.insert(0, ("aria-hidden", "true"))
    shown = " ".join(f'{key}="{value}"' for key, value in [*kept, *fixed])  # as written
    return (
        f'<svg class="{" ".join(["svg-inline--fa", f"fa-{name}", *rest])}" {shown} '
        f'xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}">'
        f'<path fill="currentColor" d="{path}"></path></svg>'
    )


def inline_page_icons(page: str, icons: dict[str, tuple[int, int, str]]) -> str:
    """``page`` (HTML) with each solid icon drawn inline (:func:`_svg`) and, when none is
    left for the script, without the script."""
    left = []

    def drawn(match: re.Match[str]) -> str:
        svg = _svg(match.group(2), icons)
        if svg is not None:
            return svg
        if set(_classes(match.group(2))) & set(PREFIXES):
            left.append(match.group(0))  # an icon the set does not draw: the script stays
        return match.group(0)

    page = _ELEMENT.sub(drawn, page)
    return page if left else _SCRIPT_TAG.sub("", page, count=1)


def inline_book_icons(outdir: Path) -> None:
    """Draw the icons into every page of the book built in ``outdir`` (the theme's
    ``fontawesome.js`` there gives the drawings); the script is removed from the book when no
    page loads it any longer."""
    script = outdir / SCRIPT
    if not script.is_file():
        return
    icons = solid_icons(script.read_text(encoding="utf-8"))
    still_loaded = False
    for page in outdir.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        drawn = inline_page_icons(text, icons)
        if drawn != text:
            page.write_text(drawn, encoding="utf-8")
        still_loaded = still_loaded or SCRIPT in drawn
    if not still_loaded:
        for leftover in (script, script.with_name(script.name + ".map")):
            leftover.unlink(missing_ok=True)
