"""The front page's scorecard cell: the headlines drawn, written down and glued.

One call computes every partnership measure's headline (:func:`bbp_analysis.scorecard.headlines`),
writes them as ``headlines.json`` (read by the edition's generated pages) and as the CSV beside
the table, glues the summary counts for the page's text and returns the table.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

from IPython.display import HTML
from myst_nb import glue

from ..headline import STATUSES
from ..publish import EXTRA, write_download
from ..scorecard import SNAPSHOT, headlines, scorecard_html, scorecard_rows


def write_snapshot(items: list, extra: Path = EXTRA) -> Path:
    """Write the headlines as JSON to ``extra/headlines.json``; return the path."""
    extra.mkdir(parents=True, exist_ok=True)
    path = extra / SNAPSHOT
    payload = [item.as_dict() for item in items]
    path.write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path


def scorecard(params: dict[str, Any]) -> HTML:
    """The scorecard table with its CSV link; glues ``measures-reported`` and one count of
    headline indicators per status (``measures-met``, ``measures-not-met``,
    ``measures-baseline-set``, ``measures-no-baseline-yet``, ``measures-not-comparable``)."""
    items = headlines(params)
    write_snapshot(items)
    href = write_download(scorecard_rows(items), "scorecard")
    glue("measures-reported", str(len(items)), display=False)
    for status in STATUSES:
        count = sum(item.status == status for item in items)
        glue(f"measures-{status.replace(' ', '-')}", str(count), display=False)
    table = scorecard_html(items, params["period"], params["confidence"])
    return HTML(
        f'<div class="bbp-table-block">{table}<p class="bbp-download">'
        f'<a href="{html.escape(href)}" download>Download the scorecard (CSV)</a></p></div>'
    )
