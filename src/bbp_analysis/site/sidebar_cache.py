"""The sidebar's contents drawn once for each group of sibling pages of a book build.

For every page, the theme draws the contents in the sidebar afresh (pydata-sphinx-theme's
``generate_toctree_html``: Sphinx resolves the book's whole table of contents for the page and
renders it to HTML, which the theme then parses with BeautifulSoup to add its toggles). That
took 0.96 of the 2.6 CPU s of one edition's book build (a sampling profile of ``bbp build
--period 2025-26`` with a PCN set, on an idle 2-core machine).

With the contents collapsed to the current page's branch (the book's ``collapse_navbar``),
two pages in the same folder, listed by the same table of contents of the same parent page
and with no pages of their own below them, have the same sidebar except for which entry is
marked as the current page. The first such page's sidebar is drawn by the theme and kept
with its mark taken off (:func:`unmarked`); each of its siblings, itself included, gets that
sidebar with its own entry marked (:func:`marked`). Any other page, or a sidebar in which an
entry is not found exactly once as the theme writes it, is drawn by the theme.

Run Sphinx with ``-v`` to see how many sidebars each way; ``bbp_sidebar_cache = False`` in the
Sphinx configuration draws every sidebar with the theme (the test compares the two).
"""

from __future__ import annotations

import functools
import html
import posixpath
import re
from collections.abc import Callable
from typing import Any

from sphinx import addnodes
from sphinx.util import logging

logger = logging.getLogger(__name__)

CURRENT = re.compile(
    r'<li class="(toctree-l\d+) current active">'
    r'<a class="current reference internal" href="#">(.*?)</a></li>'
)
"""The current page's entry, as Sphinx and the theme write it (a page with no pages below)."""
CONFIG = "bbp_sidebar_cache"


def _entry(href: str) -> re.Pattern[str]:
    """Another page's entry, linking to ``href`` (as written in the HTML)."""
    return re.compile(
        r'<li class="(toctree-l\d+)"><a class="reference internal" href="'
        + re.escape(html.escape(href, quote=True))
        + r'">(.*?)</a></li>'
    )


def _item(level: str, title: str, href: str | None) -> str:
    """An entry as the theme writes it: a link to ``href``, or with None the current page's."""
    if href is None:
        return (
            f'<li class="{level} current active">'
            f'<a class="current reference internal" href="#">{title}</a></li>'
        )
    link = html.escape(href, quote=True)
    return f'<li class="{level}"><a class="reference internal" href="{link}">{title}</a></li>'


def _replace_one(sidebar: str, pattern: re.Pattern[str], href: str | None) -> str | None:
    """``sidebar`` with the one entry ``pattern`` finds written as :func:`_item` ``(href)``;
    None unless it finds exactly one."""
    found = pattern.findall(sidebar)
    if len(found) != 1:
        return None
    level, title = found[0]
    return pattern.sub(lambda _: _item(level, title, href), sidebar, count=1)


def unmarked(sidebar: str, href: str) -> str | None:
    """``sidebar`` with the current page's entry made a link to ``href`` (that page, from its
    folder), as on any other page; None unless exactly one entry is marked current."""
    return _replace_one(sidebar, CURRENT, href)


def marked(sidebar: str, href: str) -> str | None:
    """``sidebar`` (:func:`unmarked`) with the entry linking to ``href`` marked as the current
    page; None unless exactly one entry links there."""
    return _replace_one(sidebar, _entry(href), None)


def _places(env: Any) -> dict[str, tuple[str, int]]:
    """Each page listed by a table of contents: (its parent page, that contents' place among
    the parent's)."""
    places: dict[str, tuple[str, int]] = {}
    for parent in sorted(env.tocs):
        for index, toctree in enumerate(env.tocs[parent].findall(addnodes.toctree)):
            for _title, child in toctree["entries"]:
                places.setdefault(child, (parent, index))
    return places


def _href(app: Any, pagename: str) -> str:
    """The link to ``pagename`` from a page in its folder."""
    return posixpath.basename(app.builder.get_target_uri(pagename))


class Sidebars:
    """One book build's kept sidebars (module doc), and how many sidebars were served each way
    (a page asks for its sidebar twice: the theme's check that it is not empty, then the page)."""

    def __init__(self) -> None:
        self.kept: dict[tuple[Any, ...], str] = {}
        self.places: dict[str, tuple[str, int]] | None = None
        self.drawn = 0
        self.reused = 0

    def key(self, app: Any, pagename: str, args: tuple, kwargs: dict) -> tuple | None:
        """The group of sibling pages ``pagename`` belongs to, for this sidebar; None when its
        sidebar must be drawn by the theme."""
        if args[:1] != ("sidebar",) and kwargs.get("kind") != "sidebar":
            return None
        if self.places is None:
            self.places = _places(app.env)
        place = self.places.get(pagename)
        if place is None or app.env.toctree_includes.get(pagename):
            return None
        return (*place, posixpath.dirname(pagename), repr(args), repr(sorted(kwargs.items())))

    def wrap(self, app: Any, pagename: str, generate: Callable[..., Any]) -> Callable[..., Any]:
        """``generate`` (the theme's, for ``pagename``), serving sibling pages' sidebars from
        the first one's."""

        def sidebar(*args: Any, **kwargs: Any) -> Any:
            key = self.key(app, pagename, args, kwargs)
            if key is not None and key in self.kept:
                ours = marked(self.kept[key], _href(app, pagename))
                if ours is not None:
                    self.reused += 1
                    return ours
            drawn = generate(*args, **kwargs)
            self.drawn += 1
            if key is not None and key not in self.kept:
                plain = unmarked(str(drawn), _href(app, pagename))
                if plain is not None:
                    self.kept[key] = plain
            return drawn

        return sidebar


def _add_wrapped(
    sidebars: Sidebars, add: Callable[..., None], app: Any, pagename: str, *args: Any
) -> None:
    """The theme's handler ``add``, then its sidebar generator in the page's context wrapped
    (:meth:`Sidebars.wrap`)."""
    add(app, pagename, *args)
    context = args[1]
    if "generate_toctree_html" in context:
        generate = context["generate_toctree_html"]
        context["generate_toctree_html"] = sidebars.wrap(app, pagename, generate)


def _serve_from(sidebars: Sidebars, app: Any) -> None:
    """At ``builder-inited``: the theme's handler that puts its sidebar generator in each
    page's context (pydata-sphinx-theme's ``add_toctree_functions``, registered with the theme
    as the builder starts) is replaced by :func:`_add_wrapped`, run just before it, so that the
    theme's next handler of the same priority, which draws the sidebar to see whether it is
    empty, already uses the wrapped generator. Without that handler (another theme) nothing
    changes."""
    try:
        from pydata_sphinx_theme.toctree import add_toctree_functions
    except ImportError:
        return
    if not app.config[CONFIG]:
        return
    for listener in list(app.events.listeners["html-page-context"]):
        if listener.handler is add_toctree_functions:
            app.disconnect(listener.id)
            wrapped = functools.partial(_add_wrapped, sidebars, listener.handler)
            app.connect("html-page-context", wrapped, priority=listener.priority - 1)


def setup(app: Any) -> None:
    """Connect the cache to ``app`` (from :mod:`.sphinx_fixes`)."""
    sidebars = Sidebars()
    app.add_config_value(CONFIG, True, "html", bool)

    def report(app: Any, exception: Exception | None) -> None:
        logger.verbose(
            "sidebars: %d drawn by the theme, %d from a sibling page's",
            sidebars.drawn,
            sidebars.reused,
        )

    app.connect("builder-inited", functools.partial(_serve_from, sidebars))
    app.connect("build-finished", report)
