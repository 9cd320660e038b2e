"""An edition's snapshot: what the "what changed" page of the next edition compares against.

``edition.json`` (written beside the edition's pages) holds the period, every headline
(:class:`bbp_analysis.headline.Headline` as a mapping, read from the edition's results file,
:mod:`bbp_analysis.results`), a fingerprint of each catalogue
entry's method (so a change can be put down to data or to method) and the names of the
edition's downloads (so figures and tables added or dropped can be listed).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from .. import catalogue, results

EDITION_FILE = "edition.json"
METHOD_FIELDS = (*catalogue.METHOD_FIELDS, "target")  # a change to one is a change of method


def method_fingerprints() -> dict[str, str]:
    """Indicator id -> first 12 hex digits of the SHA-256 of its method fields."""
    out = {}
    for item in catalogue.indicators():
        fields = {name: getattr(item, name) for name in METHOD_FIELDS}
        text = json.dumps(fields, sort_keys=True, default=str)
        out[item.id] = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
    return out


def from_results(period: str, path: Path, downloads: list[str] | None = None) -> dict[str, Any]:
    """The snapshot of ``period``'s edition from its results file at ``path`` (``downloads``:
    the names of its CSV downloads, or None when none were written)."""
    return {
        "period": period,
        "headlines": results.load(path)["headlines"],
        "methods": method_fingerprints(),
        "downloads": downloads,
    }


def from_extra(period: str, extra: Path) -> dict[str, Any]:
    """The snapshot of a staged edition from its ``_extra`` folder (the results file the
    chapter runs wrote, and the downloads every chapter wrote)."""
    downloads = sorted(p.name for p in (extra / "downloads").glob("*.csv"))
    return from_results(period, extra / results.RESULTS_FILE, downloads)


def write(snapshot: dict[str, Any], folder: Path) -> Path:
    """Write ``snapshot`` as ``folder/edition.json``; return the path."""
    path = folder / EDITION_FILE
    path.write_text(json.dumps(snapshot, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path


def read(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))
