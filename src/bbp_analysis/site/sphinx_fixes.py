"""A Sphinx extension for the review's book: each page loads each script once, the theme's
markup meets WCAG 2.2 AA, and the sidebar is drawn once for each group of sibling pages.

- Inline scripts are registered twice (once with file name None, once with ""), so pages
  declared ``const THEBE_JS_URL`` twice and the browser reported "Identifier 'THEBE_JS_URL'
  has already been declared" on every page.
- The theme's sidebar draws each expandable entry's toggle as a ``<summary>`` holding only an
  icon, which has no accessible name (axe-core ``summary-name``, serious).
- Accessible names contain the visible text (WCAG 2.5.3 Label in Name): the search field
  and colour-mode button come from this package's ``templates/``, and each hidden code
  cell's toggle is named by the prompt it shows ("Show code cell source"), not "Toggle
  hidden content".
- All content sits in landmarks: ``templates/`` puts the primary sidebar (site title, search,
  contents) in a navigation landmark.
- The theme's icons are drawn into each page as it is built, not by Font Awesome's script in
  the reader's browser (:mod:`.icons`).
- The sidebar's contents are drawn once for each group of sibling pages (:mod:`.sidebar_cache`).
- Every table sits in its own scroll container, so that a wide table scrolls by itself and
  the page never scrolls sideways at 320 CSS pixels (WCAG 1.4.10 Reflow): a region, named by
  the table's caption and reachable with Tab so that keyboard users can scroll it.
"""

from __future__ import annotations

import html
import itertools
import re
from pathlib import Path
from typing import Any

from . import sidebar_cache
from .icons import inline_book_icons

TEMPLATES = Path(__file__).with_name("templates")


def drop_duplicate_scripts(
    app: Any, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Keep the first of any scripts with the same file name and attributes (an inline
    script has no file name, given as None or "")."""
    seen: set[tuple[str, str]] = set()
    kept = []
    for script in context.get("script_files", []):
        attributes = sorted(getattr(script, "attributes", {}).items())
        key = (str(getattr(script, "filename", None) or ""), repr(attributes))
        if key not in seen:
            seen.add(key)
            kept.append(script)
    context["script_files"] = kept


TOGGLE = '<summary><span class="toctree-toggle"'
NAMED_TOGGLE = (
    '<summary aria-label="Show or hide the pages in this section"><span class="toctree-toggle"'
)


def name_sidebar_toggles(
    app: Any, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Wrap the theme's sidebar generator so each toggle carries an ``aria-label``."""
    generate = context.get("generate_toctree_html")
    if generate is None:
        return

    def named(*args: Any, **kwargs: Any) -> str:
        return str(generate(*args, **kwargs)).replace(TOGGLE, NAMED_TOGGLE)

    context["generate_toctree_html"] = named


HIDDEN_CELL_TOGGLE = '<summary aria-label="Toggle hidden content">'
TABLE = re.compile(r"<table\b.*?</table>", re.DOTALL)
CAPTION = re.compile(r"<caption\b([^>]*)>")
CAPTION_ID = re.compile(r"""\bid=["']([^"']+)["']""")


HEADER_CELL = re.compile(r"<th\b[^>]*>(.*?)</th>", re.DOTALL)
TAG = re.compile(r"<[^>]+>")


def scrollable_table(table: str, number: int) -> str:
    """``table`` inside a focusable scroll region named by its caption (which gets the id
    ``bbp-caption-<number>`` unless it has one), or, without a caption, by its column headings
    ("Table: Status, Symbol, Rule"); a table with neither is left as is."""
    caption = CAPTION.search(table)
    if caption is None:
        headings = [" ".join(TAG.sub("", cell).split()) for cell in HEADER_CELL.findall(table)]
        headings = [h for h in headings if h]
        if not headings:
            return table
        label = html.escape("Table: " + ", ".join(map(html.unescape, headings)), quote=True)
        return (
            f'<div class="bbp-table-scroll" role="region" tabindex="0" aria-label="{label}">'
            f"{table}</div>"
        )
    existing = CAPTION_ID.search(caption.group(1))
    ident = existing.group(1) if existing else f"bbp-caption-{number}"
    if not existing:
        table = CAPTION.sub(lambda tag: f'<caption id="{ident}"{tag.group(1)}>', table, count=1)
    return (
        f'<div class="bbp-table-scroll" role="region" tabindex="0" aria-labelledby="{ident}">'
        f"{table}</div>"
    )


def accessible_body(body: str) -> str:
    """The page body with each table in its scroll region and each hidden code cell's toggle
    named by its visible prompt."""
    numbers = itertools.count(1)
    body = TABLE.sub(lambda match: scrollable_table(match.group(0), next(numbers)), body)
    return body.replace(HIDDEN_CELL_TOGGLE, "<summary>")


def fix_body(
    app: Any, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Apply :func:`accessible_body` to the page being written."""
    if "body" in context:
        context["body"] = accessible_body(context["body"])


def use_templates(app: Any, config: Any) -> None:
    """Look up templates in this package's ``templates/`` before the theme's."""
    config.templates_path.insert(0, str(TEMPLATES))


def draw_icons(app: Any, exception: Exception | None) -> None:
    """Once an HTML book is written, draw its icons into its pages (:mod:`.icons`)."""
    if exception is None and app.builder.format == "html":
        inline_book_icons(Path(app.outdir))


def setup(app: Any) -> dict[str, bool]:
    app.connect("config-inited", use_templates)
    # Early: Sphinx stops calling handlers of this event once one returns a template name.
    app.connect("html-page-context", drop_duplicate_scripts, priority=100)
    app.connect("html-page-context", fix_body, priority=100)
    # Late: after the theme has put its sidebar generator in the context.
    app.connect("html-page-context", name_sidebar_toggles, priority=900)
    app.connect("build-finished", draw_icons)
    sidebar_cache.setup(app)  # each sibling page's sidebar from the first one's
    return {"parallel_read_safe": True, "parallel_write_safe": True}
