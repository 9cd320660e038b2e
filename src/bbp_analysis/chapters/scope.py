"""What a chapter run is about, read from its parameters: the synthetic seed, the confidence
level in words, the data label and "About the data" box, and the area (the named PCN, else
the borough).
Shared by the chapter modules; not a chapter itself."""

from __future__ import annotations

from html import escape

from IPython.display import HTML

from .. import extract
from ..params import RunParameters


def seed(params: RunParameters) -> int:
    """The synthetic extract's seed (the default extract's when not given)."""
    return int(params.get("synthetic_seed", 20220401))


def level(params: RunParameters) -> str:
    """The confidence level in words, e.g. "95%"."""
    return f"{params['confidence'] * 100:g}%"


def synthetic_label(params: RunParameters) -> str:
    """The label for figures drawn from the run's extract."""
    return extract.synthetic_label(params["area_code"], seed(params))


def where(params: RunParameters) -> str:
    """The area a view shows: the named PCN, else the borough."""
    return params.get("pcn") or params["area_name"]


DATA_PAGE = "data-sources.html#synthetic-data"
"""The page (and section) that says what the synthetic extract is and how it is made."""


def about_the_data(params: RunParameters) -> HTML:
    """The page's one "About the data" banner: for a synthetic extract, that the figures are
    generated (by which generator, seed and calibration), what that means for the reader, and
    a link to the data page; for a partnership extract, its provider and extraction date
    (:func:`bbp_analysis.extract.synthetic_label`). Captions do not repeat it."""
    label = escape(synthetic_label(params))
    if extract.is_synthetic():
        text = (
            "<strong>The figures on this page are synthetic.</strong> Everything except the "
            "plan's own figures and cited published files comes from a generated extract "
            "shaped like the North West London WSIC record, so the page shows how the review "
            f"works, not how {escape(params['area_name'])} is doing. "
            f"{label} "
            f'<a href="{DATA_PAGE}">How the synthetic data are made</a>.'
        )
    else:
        text = (
            "Everything on this page except the plan's own figures and cited published files "
            f"comes from the partnership's own extract. {label}"
        )
    return HTML(
        '<div class="admonition warning bbp-about-data"><p class="admonition-title">'
        f"About the data</p><p>{text}</p></div>"
    )
