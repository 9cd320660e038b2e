"""The editions index page and the "what changed since the last edition" page."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .whatchanged import KINDS, METHOD, TOLERANCE, Change, changes

HEADINGS = {
    "new data": "New periods of data",
    "revised": "Revised back-series",
    "status": "Target status changed",
    "reading": "Reading of a target changed",
    "comparison": "Comparison changed",
    "trend": "Direction of the latest change",
    "added": "Indicators added",
    "dropped": "Indicators dropped",
    "download added": "Figures and tables added",
    "download dropped": "Figures and tables dropped",
}
EDITION_LINK_PREFIX = "../../"  # from <period>/book/ to the site root; "../" in the root copy


def editions_list(period: str, periods: list[str], prefix: str = EDITION_LINK_PREFIX) -> str:
    """The HTML list of editions, newest first, linked from ``prefix`` (the site root)."""
    items = []
    for other in sorted(periods, reverse=True):
        here = " (this edition)" if other == period else ""
        items.append(
            f'<li><a href="{prefix}{other}/book/index.html">Edition {other}</a>{here}</li>'
        )
    return f'<ul class="bbp-editions">{"".join(items)}</ul>'


def relink(page: Path, period: str, periods: list[str], prefix: str) -> None:
    """Replace the built editions page's list with every edition of the site, linked from
    ``prefix`` (``../../`` in an edition's folder, ``../`` in the root copy)."""
    text = page.read_text(encoding="utf-8")
    pattern = re.compile(r'<ul class="bbp-editions">.*?</ul>', re.DOTALL)
    page.write_text(
        pattern.sub(lambda _: editions_list(period, periods, prefix), text, count=1),
        encoding="utf-8",
    )


ARTICLE = re.compile(r'(<article class="bd-article"[^>]*>)')
OLDER_NOTICE = "bbp-older-edition"


def older_notice(period: str, latest: str, root: str) -> str:
    """The banner of an earlier edition's page, linking to the latest edition's front page
    (``root``: the relative path from the page to the site's root)."""
    return (
        f'<div class="{OLDER_NOTICE}" role="note"><strong>This is an older edition</strong> '
        f"({period}). The latest edition is {latest}: "
        f'<a href="{root}book/index.html">go to the latest edition</a>.</div>'
    )


def mark_older(edition: Path, period: str, latest: str) -> None:
    """Put :func:`older_notice` at the top of the article of every page of the edition's
    ``book/`` folder (``edition`` is ``<site>/<period>``)."""
    for page in sorted((edition / "book").rglob("*.html")):
        depth = len(page.relative_to(edition).parts) - 1
        notice = older_notice(period, latest, "../" * (depth + 1))
        text = page.read_text(encoding="utf-8")
        if OLDER_NOTICE not in text:
            text = ARTICLE.sub(lambda m, extra=notice: m[1] + extra, text, count=1)
            page.write_text(text, encoding="utf-8")


def editions_page(period: str, periods: list[str]) -> str:
    """The MyST editions index: every edition staged so far, newest first."""
    return (
        "# Editions\n\n"
        "One edition of the review per reporting period, each at its own stable address "
        "(`/<period>/`); the latest is also at the site's root. Each edition has its own "
        "{doc}`what-changed` page.\n\n"
        f"{editions_list(period, periods)}\n"
    )


def _change_line(change: Change) -> str:
    cause = " *(Cause: a change of method.)*" if change.cause == METHOD else ""
    return f"- **{change.subject}.** {change.text}{cause}"


def what_changed_page(new: dict[str, Any], old: dict[str, Any] | None, basis: str) -> str:
    """The MyST page listing :func:`~bbp_analysis.site.whatchanged.changes` by kind.

    ``basis`` says where the last edition's figures came from (published or recomputed)."""
    this = f"This edition: **{new['period']}**. "
    if old is None:
        return (
            f"# What changed since the last edition\n\n{this}"
            "This is the first edition of the review, so there is nothing to compare.\n"
        )
    head = f"# What changed since {old['period']}\n\n{this}"
    found = changes(old, new)
    lines = [
        head + f"Compared with: **{old['period']}** ({basis}).",
        "",
        "Changes are found by comparing the two editions' headline figures and downloads. "
        f"A back-series value counts as revised when it moved by more than {TOLERANCE} in the "
        "indicator's unit (a change visible at the one decimal place published). A change "
        "of status, reading, comparison or trend is marked *a change of method* when the "
        "indicator's catalogue definition or target changed between the editions; a change "
        "with no cause given follows from the data. "
        "Comparisons and the latest year-on-year change are judged by the tests of the "
        "{doc}`methods` page's specification: a change is called up or down only when the "
        "confidence interval of the difference between the two years excludes zero, and is "
        "otherwise *no clear change*.",
        "",
    ]
    if not found:
        lines.append("No differences were found.")
    for kind in KINDS:
        listed = [c for c in found if c.kind == kind]
        lines += [f"## {HEADINGS[kind]}", ""]
        lines += [_change_line(c) for c in listed] or ["None."]
        lines.append("")
    return "\n".join(lines)
