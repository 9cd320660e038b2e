"""What a chapter run is about, read from its parameters: the synthetic seed, the confidence
level in words, the synthetic-data label and the area (the named PCN, else the borough).
Shared by the chapter modules; not a chapter itself."""

from __future__ import annotations

from .. import extract


def seed(params: dict) -> int:
    """The synthetic extract's seed (the default extract's when not given)."""
    return int(params.get("synthetic_seed", 20220401))


def level(params: dict) -> str:
    """The confidence level in words, e.g. "95%"."""
    return f"{params['confidence'] * 100:g}%"


def synthetic_label(params: dict) -> str:
    """The label for figures drawn from the run's extract."""
    return extract.synthetic_label(params["area_code"], seed(params))


def where(params: dict) -> str:
    """The area a view shows: the named PCN, else the borough."""
    return params.get("pcn") or params["area_name"]
