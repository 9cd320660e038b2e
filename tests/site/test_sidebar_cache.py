"""The sidebar drawn once for each group of sibling pages (``bbp_analysis.site.sidebar_cache``)
gives every page the same bytes as the theme draws for it: a small book with the review's
theme settings (two captions at the top level, pages in a folder, a page with pages below it)
is built with the cache and without it, and every page compared."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from sphinx.application import Sphinx

from bbp_analysis.site.sidebar_cache import CONFIG, marked, unmarked

CONF = """
extensions = ["bbp_analysis.site.sphinx_fixes"]
html_theme = "sphinx_book_theme"
html_theme_options = {"collapse_navbar": True}
"""
PAGES = {
    "index": (
        "Home\n====\n\n.. toctree::\n   :caption: The review\n\n   first\n   second\n"
        "   parent\n\n.. toctree::\n   :caption: About\n\n   about\n   folder/one\n"
        "   folder/two\n   folder/three\n"
    ),
    "parent": "Parent\n======\n\n.. toctree::\n\n   below/a\n   below/b\n   below/c\n",
}
LEAVES = (
    "first",
    "second",
    "about",
    "folder/one",
    "folder/two",
    "folder/three",
    "below/a",
    "below/b",
    "below/c",
)

GROUPS = 4  # first and second; about; folder/*; below/*


def build(source: Path, out: Path, cached: bool) -> tuple[dict[str, str], str]:
    """Every HTML page of the book in ``source`` built into ``out`` (by path), and the
    build's verbose log."""
    log = io.StringIO()
    app = Sphinx(
        str(source),
        str(source),
        str(out),
        str(out / ".doctrees"),
        "html",
        confoverrides={CONFIG: cached},
        status=log,
        warning=log,
        freshenv=True,
        verbosity=1,
    )
    app.build()
    pages = {str(p.relative_to(out)): p.read_text(encoding="utf-8") for p in out.rglob("*.html")}
    return pages, log.getvalue()


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = tmp_path_factory.mktemp("sidebar-book")
    (source / "conf.py").write_text(CONF, encoding="utf-8")
    for name in LEAVES:
        title = name.replace("/", " ").title()
        PAGES.setdefault(name, f"{title}\n{'=' * len(title)}\n\nText of {name}.\n")
    for name, text in PAGES.items():
        path = source / f"{name}.rst"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return source


def test_every_page_is_the_same_with_and_without_the_cache(book: Path, tmp_path: Path) -> None:
    cached, log = build(book, tmp_path / "cached", cached=True)
    drawn, _ = build(book, tmp_path / "drawn", cached=False)
    assert sorted(cached) == sorted(drawn)
    assert len(cached) >= len(LEAVES) + 2
    for page in drawn:
        assert cached[page] == drawn[page], page
    # Each page asks for its sidebar twice (the theme's check that it is not empty, then the
    # page). The theme draws the first sidebar of each of the GROUPS of siblings, and both of
    # each page with pages below it (index, parent) or outside the contents (genindex,
    # search); every other comes from its group's.
    counts = re.search(r"sidebars: (\d+) drawn by the theme, (\d+) from a sibling page's", log)
    assert counts is not None, log[-2000:]
    assert tuple(map(int, counts.groups())) == (GROUPS + 2 * 4, 2 * len(LEAVES) - GROUPS)


def test_the_mark_moves_from_one_entry_to_another() -> None:
    sidebar = (
        '<ul><li class="toctree-l2 current active"><a class="current reference internal" '
        'href="#">One</a></li>\n<li class="toctree-l2"><a class="reference internal" '
        'href="two.html">Two &amp; more</a></li></ul>'
    )
    plain = unmarked(sidebar, "one.html")
    assert plain == (
        '<ul><li class="toctree-l2"><a class="reference internal" href="one.html">One</a></li>\n'
        '<li class="toctree-l2"><a class="reference internal" href="two.html">Two &amp; more'
        "</a></li></ul>"
    )
    assert marked(plain, "one.html") == sidebar
    assert marked(plain, "two.html") == (
        '<ul><li class="toctree-l2"><a class="reference internal" href="one.html">One</a></li>\n'
        '<li class="toctree-l2 current active"><a class="current reference internal" href="#">'
        "Two &amp; more</a></li></ul>"
    )
    # an entry that is not there, or a sidebar with no current page: left to the theme
    assert marked(plain, "three.html") is None
    assert unmarked(plain, "one.html") is None
