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


def about_the_data(params: RunParameters) -> HTML:
    """The chapter's "About the data" box: for a synthetic extract, that the page shows how
    the review works, not how the area is doing; for a partnership extract, its provider and
    extraction date (:func:`bbp_analysis.extract.synthetic_label`)."""
    if extract.is_synthetic():
        text = (
            "Everything on this page except the plan's own figures and cited published files "
            "comes from a <strong>synthetic</strong> extract shaped like the North West London "
            "WSIC record: it shows how the review works, not how "
            f"{escape(params['area_name'])} is doing."
        )
    else:
        text = (
            "Everything on this page except the plan's own figures and cited published files "
            f"comes from the partnership's own extract. {escape(synthetic_label(params))}"
        )
    return HTML(
        '<div class="admonition warning"><p class="admonition-title">About the data</p>'
        f"<p>{text}</p></div>"
    )
