"""The front page's scorecard cell: the edition's headlines drawn, written down and glued.

One call reads every partnership measure's headline from the edition's results file
(:func:`bbp_analysis.results.headlines`), writes the CSV beside the table, glues the summary
counts for the page's text and returns the table.
"""

from __future__ import annotations

import html

from IPython.display import HTML
from myst_nb import glue

from .. import results
from ..headline import STATUSES
from ..params import RunParameters
from ..publish import write_download
from ..scorecard import scorecard_html, scorecard_rows


def scorecard(params: RunParameters) -> HTML:
    """The scorecard table with its CSV link; glues ``measures-reported`` and one count of
    headline indicators per status (``measures-met``, ``measures-not-met``,
    ``measures-baseline-set``, ``measures-no-baseline-yet``, ``measures-not-comparable``)."""
    items = results.headlines()
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
