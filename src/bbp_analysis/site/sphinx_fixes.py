"""A Sphinx extension for the review's book: each page loads each script once, and the
sidebar's expand buttons have names.

- Inline scripts are registered twice (once with file name None, once with ""), so pages
  declared ``const THEBE_JS_URL`` twice and the browser reported "Identifier 'THEBE_JS_URL'
  has already been declared" on every page.
- The theme's sidebar draws each expandable entry's toggle as a ``<summary>`` holding only an
  icon, which has no accessible name (axe-core ``summary-name``, serious).
"""

from __future__ import annotations

from typing import Any


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


def setup(app: Any) -> dict[str, bool]:
    # Early: Sphinx stops calling handlers of this event once one returns a template name.
    app.connect("html-page-context", drop_duplicate_scripts, priority=100)
    # Late: after the theme has put its sidebar generator in the context.
    app.connect("html-page-context", name_sidebar_toggles, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
