"""An edition's results file: every headline and every value its pages state, in one place.

Each chapter run writes its fragment (:func:`write_fragment`: its headlines, one
:class:`~bbp_analysis.headline.Headline` per partnership measure it reports) into
``_extra/results/``; the build assembles the fragments, with the values each chapter's text
states (its glued values), into ``_extra/results.json`` (:func:`assemble`). The front page,
the delivery chapter, the board paper, what changed and the claims ledger read that file
(:func:`headlines`) and compute nothing again.

The file is deterministic: keys sorted, each float in its shortest form that reads back to
the same number (so the displays read exactly what the chapters computed), NaN as null,
headlines in measure then indicator order. Its schema (``"schema": "bbp-results/1"``):

- ``edition``: the period (``"2025-26"``); ``chapters``: the fragments' names, sorted;
- ``headlines``: each headline as :meth:`Headline.as_dict` gives it (value, interval, unit,
  status and its reason ``status_text``, readings, baseline, target, comparators, trend);
- ``values``: one row per headline indicator and period of its trend: ``indicator_id``,
  ``measure``, ``period``, ``value``, ``lower``, ``upper``, ``unit``, and for the headline's
  own period its ``status`` and ``reason`` (empty for earlier periods, which are not judged);
- ``stated``: notebook file name -> every value its text states (glued name -> plain text).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .errors import BuildError
from .headline import Headline
from .paths import EXTRA

SCHEMA = "bbp-results/1"
RESULTS_FILE = "results.json"
FRAGMENTS = "results"


def _normal(value: Any) -> Any:
    """``value`` with NaN as null, tuples as lists and keys as text."""
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if isinstance(value, dict):
        return {str(k): _normal(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_normal(v) for v in value]
    return value


def dumps(payload: dict[str, Any]) -> str:
    """``payload`` as deterministic JSON text (sorted keys, shortest round-trip floats,
    no NaN, newline)."""
    text = json.dumps(
        _normal(payload), indent=1, sort_keys=True, ensure_ascii=False, allow_nan=False
    )
    return text + "\n"


def _order(items: Iterable[Headline]) -> list[Headline]:
    return sorted(items, key=lambda item: (item.measure, item.indicator_id))


def write_fragment(chapter: str, items: Iterable[Headline], extra: Path = EXTRA) -> Path:
    """Write one chapter run's headlines to ``extra/results/<chapter>.json``; return the path."""
    folder = extra / FRAGMENTS
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{chapter}.json"
    payload = {"chapter": chapter, "headlines": [item.as_dict() for item in _order(items)]}
    path.write_text(dumps(payload), encoding="utf-8")
    return path


def value_rows(items: Iterable[Headline]) -> list[dict[str, Any]]:
    """The ``values`` rows of the headlines (see the module docstring)."""
    rows = []
    for item in _order(items):
        intervals = {period: (low, high) for period, low, high in item.trend_intervals}
        points = dict(item.trend)
        points.setdefault(item.period, item.value)
        for period in sorted(points):
            judged = period == item.period
            low, high = (item.lower, item.upper) if judged else intervals.get(period, (None, None))
            rows.append(
                {
                    "indicator_id": item.indicator_id,
                    "measure": item.measure,
                    "period": period,
                    "value": item.value if judged else points[period],
                    "lower": low,
                    "upper": high,
                    "unit": item.unit,
                    "status": item.status if judged else "",
                    "reason": item.status_text if judged else "",
                }
            )
    return rows


def assemble(extra: Path, period: str, stated: dict[str, dict[str, str]]) -> Path:
    """Merge the chapter fragments in ``extra/results/`` with the values the chapters' text
    ``stated`` into ``extra/results.json``; return its path. BuildError when there is no
    fragment or two fragments report the same indicator."""
    fragments = sorted((extra / FRAGMENTS).glob("*.json"))
    if not fragments:
        raise BuildError(f"{extra / FRAGMENTS}: no chapter wrote its results")
    items: dict[str, Headline] = {}
    chapters = []
    for path in fragments:
        fragment = json.loads(path.read_text(encoding="utf-8"))
        chapters.append(fragment["chapter"])
        for record in fragment["headlines"]:
            if record["indicator_id"] in items:
                raise BuildError(
                    f"{path.name}: headline {record['indicator_id']!r} is reported by two chapters"
                )
            items[record["indicator_id"]] = Headline(**record)
    ordered = _order(items.values())
    payload = {
        "schema": SCHEMA,
        "edition": period,
        "chapters": sorted(chapters),
        "headlines": [item.as_dict() for item in ordered],
        "values": value_rows(ordered),
        "stated": stated,
    }
    path = extra / RESULTS_FILE
    path.write_text(dumps(payload), encoding="utf-8")
    return path


def load(path: Path) -> dict[str, Any]:
    """The results file at ``path``; BuildError naming it when it is missing or not this
    schema."""
    if not path.is_file():
        raise BuildError(f"{path}: no results file (the chapters' runs write it)")
    payload = json.loads(path.read_text(encoding="utf-8"))
    if payload.get("schema") != SCHEMA:
        raise BuildError(f"{path}: schema {payload.get('schema')!r}, expected {SCHEMA!r}")
    return payload


def headlines(extra: Path = EXTRA) -> list[Headline]:
    """The edition's headlines from ``extra/results.json``, in measure order."""
    return [Headline(**record) for record in load(extra / RESULTS_FILE)["headlines"]]


def record(path: Path) -> dict[str, Any]:
    """The results file at ``path`` as the edition's manifest lists it and ``bbp verify``
    checks it: file name, SHA-256 of its bytes, and each headline's value, interval and
    status by indicator id."""
    payload = load(path)
    return {
        "file": path.name,
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "headlines": {
            item["indicator_id"]: {key: item[key] for key in ("value", "lower", "upper", "status")}
            for item in payload["headlines"]
        },
    }
