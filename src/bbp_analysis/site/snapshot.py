"""An edition's snapshot: what the "what changed" page of the next edition compares against.

``edition.json`` (written beside the edition's pages) holds the period, every headline
(:class:`bbp_analysis.headline.Headline` as a mapping), a fingerprint of each catalogue
entry's method (so a change can be put down to data or to method) and the names of the
edition's downloads (so figures and tables added or dropped can be listed).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from .. import catalogue
from ..scorecard import SNAPSHOT, headlines

EDITION_FILE = "edition.json"
METHOD_FIELDS = (
    "definition",
    "numerator",
    "denominator",
    "unit",
    "multiplier",
    "method",
    "polarity",
    "target",
)


def method_fingerprints() -> dict[str, str]:
    """Indicator id -> first 12 hex digits of the SHA-256 of its method fields."""
    out = {}
    for item in catalogue.indicators():
        fields = {name: getattr(item, name) for name in METHOD_FIELDS}
        text = json.dumps(fields, sort_keys=True, default=str)
        out[item.id] = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
    return out


def from_extra(period: str, extra: Path) -> dict[str, Any]:
    """The snapshot of a staged edition from its ``_extra`` folder (headlines written by the
    front page, downloads written by every chapter)."""
    downloads = extra / "downloads"
    return {
        "period": period,
        "headlines": json.loads((extra / SNAPSHOT).read_text(encoding="utf-8")),
        "methods": method_fingerprints(),
        "downloads": sorted(p.name for p in downloads.glob("*.csv")),
    }


def computed(params: dict[str, Any]) -> dict[str, Any]:
    """The snapshot of ``params``' edition computed now (no downloads: none were written)."""
    return {
        "period": params["period"],
        "headlines": [item.as_dict() for item in headlines(params)],
        "methods": method_fingerprints(),
        "downloads": None,
    }


def write(snapshot: dict[str, Any], folder: Path) -> Path:
    """Write ``snapshot`` as ``folder/edition.json``; return the path."""
    path = folder / EDITION_FILE
    path.write_text(json.dumps(snapshot, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path


def read(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))
