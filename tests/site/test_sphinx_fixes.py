"""The book's Sphinx extension: tables in named scroll regions, code-cell toggles named by
their visible prompt, and the package's templates looked up before the theme's."""

from __future__ import annotations

from types import SimpleNamespace

from bbp_analysis.site import sphinx_fixes

SCORECARD = (
    '<table class="bbp-table" id="scorecard"><caption>Scorecard of the five measures</caption>'
    '<thead><tr><th scope="col">Measure</th></tr></thead><tbody><tr><td>1</td></tr></tbody>'
    "</table>"
)


def test_each_table_scrolls_in_a_region_named_by_its_caption() -> None:
    body = f"<p>Intro</p>{SCORECARD}<p>Between</p>{SCORECARD.replace('scorecard', 'other')}"
    out = sphinx_fixes.accessible_body(body)
    assert out == (
        "<p>Intro</p>"
        '<div class="bbp-table-scroll" role="region" tabindex="0" '
        'aria-labelledby="bbp-caption-1">'
        + SCORECARD.replace("<caption>", '<caption id="bbp-caption-1">')
        + "</div><p>Between</p>"
        '<div class="bbp-table-scroll" role="region" tabindex="0" '
        'aria-labelledby="bbp-caption-2">'
        + SCORECARD.replace("scorecard", "other").replace(
            "<caption>", '<caption id="bbp-caption-2">'
        )
        + "</div>"
    )


def test_a_caption_keeps_its_own_id_and_a_table_without_caption_is_left_alone() -> None:
    named = (
        '<table class="table">\n<caption id="glossary-terms"><span>Terms</span></caption></table>'
    )
    bare = "<table><tr><td>1</td></tr></table>"
    out = sphinx_fixes.accessible_body(named + bare)
    assert out == (
        '<div class="bbp-table-scroll" role="region" tabindex="0" '
        f'aria-labelledby="glossary-terms">{named}</div>{bare}'
    )


def test_hidden_code_cell_toggle_is_named_by_its_visible_prompt() -> None:
    body = (
        '<details class="admonition hide above-input">\n'
        '<summary aria-label="Toggle hidden content">\n'
        '<p class="collapsed admonition-title">Show code cell source</p>\n'
    )
    out = sphinx_fixes.accessible_body(body)
    assert "aria-label" not in out
    assert "<summary>\n<p" in out


def test_page_context_body_is_rewritten_and_templates_come_first() -> None:
    context = {"body": SCORECARD}
    sphinx_fixes.fix_body(None, "book/index", "page.html", context, None)
    assert context["body"].startswith('<div class="bbp-table-scroll" role="region"')
    config = SimpleNamespace(templates_path=["_templates", "/theme/components"])
    sphinx_fixes.use_templates(None, config)
    assert config.templates_path[0] == str(sphinx_fixes.TEMPLATES)
    assert {p.name for p in sphinx_fixes.TEMPLATES.rglob("*.html")} == {
        "search-button-field.html",
        "theme-switcher.html",
        "sidebar-primary.html",
    }


def test_a_table_without_caption_is_named_by_its_column_headings() -> None:
    table = "<table><thead><tr><th>Status</th><th><p>Rule &amp; level</p></th></tr></thead></table>"
    assert sphinx_fixes.accessible_body(table) == (
        '<div class="bbp-table-scroll" role="region" tabindex="0" '
        f'aria-label="Table: Status, Rule &amp; level">{table}</div>'
    )
