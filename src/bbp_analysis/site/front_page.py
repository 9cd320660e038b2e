"""The front page's first screen: the main points and the scorecard, read from the edition's
results file.

:func:`main_points` writes the edition's main points (:mod:`bbp_analysis.main_points`);
:func:`scorecard` reads every partnership measure's headline
(:func:`bbp_analysis.results.headlines`), writes the CSV beside the table, glues the summary
counts for the page's text and returns the table. Neither computes a figure again.
"""

from __future__ import annotations

import html

from IPython.display import HTML
from myst_nb import glue

from .. import results
from ..headline import STATUSES
from ..main_points import main_points as points_of
from ..params import RunParameters
from ..publish import write_download
from ..scorecard import scorecard_html, scorecard_rows


def main_points() -> HTML:
    """The edition's main points as a short list under its own heading."""
    items = "".join(f"<li>{html.escape(point)}</li>" for point in points_of(results.headlines()))
    return HTML(
        '<section class="bbp-main-points" aria-labelledby="main-points-heading">'
        f'<h2 id="main-points-heading">Main points</h2><ul>{items}</ul></section>'
    )


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
