"""The edition's downloads described as a Frictionless Data Package (``datapackage.json``).

Data Package v1 with one Tabular Data Resource per CSV download: its id, title, SHA-256 and
size, where its data come from, its licence and a Table Schema. Each column's type is inferred
from the written CSV (suppressed ``[c]`` and not-available ``[x]`` cells and blanks are missing
values, so an integer column with suppressed cells stays integer). Titles, descriptions and
units come from the indicator catalogue, for the indicator a download shows, and from the
house column dictionary (``download-columns.yaml``); a column in neither gets a generic
description. The file is written sorted, with the edition's end date as its creation date, so
a rebuild gives the same bytes.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import nbformat

from .. import catalogue, yaml_text
from ..audit.manifest import run_outputs, sha256_bytes
from ..catalogue import Indicator
from ..params import partnership_name, review_title
from ..table_format import words

FILE_NAME = "datapackage.json"
COLUMNS_FILE = "download-columns.yaml"
MISSING_VALUES = ["", "[c]", "[x]"]  # blank, suppressed and not available (house style)
TYPES = ("string", "integer", "number", "boolean", "date", "yearmonth", "year")
INDICATOR_UNIT = "indicator"  # in the column dictionary: the unit of the download's indicator
LICENCE = {
    "name": "OGL-UK-3.0",
    "title": "Open Government Licence v3.0",
    "path": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
}
_INTEGER = re.compile(r"[-+]?(0|[1-9]\d*)")
_NUMBER = re.compile(r"[-+]?((0|[1-9]\d*)(\.\d*)?|\.\d+)([eE][-+]?\d+)?|NaN|INF|-INF")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_YEARMONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
_YEAR = re.compile(r"\d{4}")
_BOOLEAN = {"True", "False", "true", "false"}
_FIGURE = re.compile(r'<figure class="bbp-figure" id="([a-z0-9-]+)">.*?<figcaption>(.*?) <a ', re.S)
_TABLE = re.compile(r'<table class="bbp-table" id="([a-z0-9-]+)"><caption>(.*?)</caption>', re.S)
_SCORECARD_CAPTION = re.compile(r"<caption>(.*?)</caption>", re.S)
_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Download:
    """What the column dictionary says about one download: the catalogue indicator it shows
    (if any), where its data come from (keys of ``sources`` in the dictionary) and any column
    units particular to it."""

    indicator: str | None
    sources: tuple[str, ...]
    units: dict[str, str]
    other_units: str | None = None
    title: str | None = None


@cache
def dictionary() -> dict[str, Any]:
    """The house column dictionary and download map (``download-columns.yaml``), checked:
    every indicator named is in the catalogue (KeyError naming it otherwise)."""
    text = resources.files(__package__).joinpath(COLUMNS_FILE).read_text(encoding="utf-8")
    data = yaml_text.load(text)
    for entry in data["downloads"]:
        if entry.get("indicator"):
            catalogue.indicator(entry["indicator"])
        unknown = set(entry["sources"]) - set(data["sources"])
        if unknown:
            raise KeyError(f"download {entry['pattern']!r} names unknown source {unknown}")
    return data


def download_info(item_id: str) -> Download:
    """The first download-map entry whose pattern matches ``item_id`` in full."""
    for entry in dictionary()["downloads"]:
        if re.fullmatch(entry["pattern"], item_id):
            return Download(
                indicator=entry.get("indicator"),
                sources=tuple(entry["sources"]),
                units=dict(entry.get("units") or {}),
                other_units=entry.get("other_units"),
                title=entry.get("title"),
            )
    raise KeyError(f"download {item_id!r} is not in {COLUMNS_FILE}; add it to 'downloads'")


def _text(fragment: str) -> str:
    return " ".join(html.unescape(_TAG.sub("", fragment)).split())


def captions(notebooks: list[Path]) -> dict[str, str]:
    """The caption of every figure and table the executed notebooks show, by identifier."""
    found: dict[str, str] = {}
    for notebook in sorted(notebooks):
        for cell in nbformat.read(notebook, as_version=4).cells:
            for output in cell.get("outputs", []):
                page = output.get("data", {}).get("text/html", "")
                page = "".join(page) if isinstance(page, list) else page
                for pattern in (_FIGURE, _TABLE):
                    for item_id, caption in pattern.findall(page):
                        found.setdefault(item_id, _text(caption))
                if "Download the scorecard (CSV)" in page and "scorecard" not in found:
                    match = _SCORECARD_CAPTION.search(page)
                    if match:
                        found["scorecard"] = _text(match.group(1))
    return found


def _fits(kind: str, value: str) -> bool:
    if kind == "string":
        return True
    if kind == "boolean":
        return value in _BOOLEAN
    if kind == "integer":
        return bool(_INTEGER.fullmatch(value))
    if kind == "number":
        return bool(_NUMBER.fullmatch(value))
    if kind == "year":
        return bool(_YEAR.fullmatch(value))
    if kind == "yearmonth":
        return bool(_YEARMONTH.fullmatch(value))
    if kind == "date":
        if not _DATE.fullmatch(value):
            return False
        try:
            date.fromisoformat(value)
        except ValueError:
            return False
        return True
    raise ValueError(f"unknown Table Schema type {kind!r}")


def infer_type(values: list[str], declared: str | None = None) -> str:
    """The Table Schema type of a column from its written cells (missing values ignored): the
    ``declared`` type when every cell fits it, else the narrowest of boolean, integer, number,
    date and yearmonth that every cell fits, else string (also for an all-missing column)."""
    present = [v for v in values if v not in MISSING_VALUES]
    if not present:
        return declared or "string"
    if declared and all(_fits(declared, v) for v in present):
        return declared
    for kind in ("boolean", "integer", "number", "date", "yearmonth"):
        if all(_fits(kind, v) for v in present):
            return kind
    return "string"


def read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    """(header, rows) of a download, every cell as written."""
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    return rows[0], rows[1:]


def primary_key(names: list[str], types: list[str], rows: list[list[str]]) -> list[str]:
    """The shortest run of leading non-number columns (up to three) that is filled and unique
    in every row; empty when there is none."""
    for width in range(1, min(3, len(names)) + 1):
        if types[width - 1] == "number":
            return []
        keys = [tuple(row[:width]) for row in rows]
        filled = all(cell not in MISSING_VALUES for key in keys for cell in key)
        if filled and len(set(keys)) == len(keys):
            return names[:width]
    return []


def field(name: str, kind: str, spec: Indicator | None, info: Download) -> dict:
    """One Table Schema field: name, type, title, description and unit (when known)."""
    house = dictionary()["columns"].get(name)
    out: dict[str, Any] = {"name": name, "type": kind}
    if house is None:
        out["title"] = name
        out["description"] = (
            f"The column headed '{name}', as shown in this figure or table on the page; "
            "the caption there says what it holds."
        )
        percent = name.endswith(("%", "(%)"))
        unit = "%" if percent else (info.other_units if kind == "number" else None)
    else:
        out["title"] = house["title"]
        described = house.get("from_indicator")
        out["description"] = (
            f"{house['description']} {getattr(spec, described)}".strip()
            if spec is not None and described
            else house["description"]
        )
        unit = house.get("unit")
        if unit == INDICATOR_UNIT:
            unit = spec.unit if spec is not None else None
    unit = info.units.get(name, unit)
    if unit:
        out["unit"] = unit
    return out


def column_descriptions(item_id: str, names: list[str]) -> dict[str, tuple[str, str | None]]:
    """Each column's (title, unit) for the table a reader sees, from the same dictionary and
    catalogue unit as the download's schema (:func:`field`); a column the dictionary does not
    name is titled by its own words. A table not in the download map gets its columns' own
    words and no units."""
    try:
        info = download_info(item_id)
    except KeyError:
        info = Download(indicator=None, sources=(), units={})
    spec = catalogue.indicator(info.indicator) if info.indicator else None
    house = dictionary()["columns"]
    out = {}
    for name in names:
        described = field(name, "number", spec, info)
        title = described["title"] if name in house else words(name)
        out[name] = (title, described.get("unit"))
    return out


def sources(info: Download, spec: Indicator | None, run_params: dict[str, Any]) -> list[dict]:
    """Where a download's data come from; the edition's area and period for the sources that
    change with the edition (``edition: true`` in the dictionary)."""
    known = dictionary()["sources"]
    where = f" ({run_params['area_name']}, {run_params['period']})"
    out = []
    for key in info.sources:
        title = known[key]["title"] + (where if known[key].get("edition") else "")
        if key == "extract" and spec is not None:
            title += f"; the measure it imitates: {' '.join(spec.source.split())}"
        path = known[key].get("path")
        out.append({"title": title, **({"path": path} if path else {})})
    return out


def resource(
    path: Path, manifest_item: dict[str, str] | None, caption: str | None, run_params: dict
) -> tuple[dict[str, Any], int]:
    """The Tabular Data Resource of one download, and how many of its columns got only a
    generic description."""
    item_id = path.stem
    info = download_info(item_id)
    spec = catalogue.indicator(info.indicator) if info.indicator else None
    title = caption or info.title or (spec.title if spec else item_id)
    names, rows = read_csv(path)
    declared = dictionary()["columns"]
    types = [
        infer_type([row[i] for row in rows], (declared.get(name) or {}).get("type"))
        for i, name in enumerate(names)
    ]
    fields = [field(n, t, spec, info) for n, t in zip(names, types, strict=True)]
    schema: dict[str, Any] = {"fields": fields, "missingValues": MISSING_VALUES}
    key = primary_key(names, types, rows)
    if key:
        schema["primaryKey"] = key
    data = path.read_bytes()
    kind = manifest_item["kind"] if manifest_item else "table"
    description = f"The data behind the {kind} '{title}', exactly as shown, {len(rows)} rows."
    if spec is not None:
        description += f" Indicator: {spec.title} ({spec.id}; definition on its indicator page)."
    out = {
        "profile": "tabular-data-resource",
        "name": item_id,
        "path": path.name,
        "title": title,
        "description": description,
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "dialect": {"delimiter": ",", "lineTerminator": "\n", "quoteChar": '"', "header": True},
        "hash": f"sha256:{sha256_bytes(data)}",
        "bytes": len(data),
        "sources": sources(info, spec, run_params),
        "licenses": [LICENCE],
        "schema": schema,
    }
    generic = sum(name not in declared for name in names)
    return out, generic


def package_name(run_params: dict[str, Any]) -> str:
    """``bbp-review-<area code>-<period>``, lower-case (a valid Data Package name)."""
    return f"bbp-review-{run_params['area_code']}-{run_params['period']}".lower()


def descriptor(
    downloads: Path, notebooks: list[Path], run_params: dict[str, Any]
) -> tuple[dict[str, Any], int]:
    """The edition's Data Package: every CSV in ``downloads`` (name order), titled from the
    executed ``notebooks``; and the count of columns with only a generic description."""
    items = run_outputs(notebooks)["items"]
    titles = captions(notebooks)
    resources_, generic = [], 0
    for path in sorted(downloads.glob("*.csv")):
        entry, count = resource(path, items.get(path.stem), titles.get(path.stem), run_params)
        resources_.append(entry)
        generic += count
    period, area = run_params["period"], run_params["area_name"]
    package = {
        "profile": "tabular-data-package",
        "name": package_name(run_params),
        "title": f"{review_title(run_params)} {period}: the data behind every figure and table",
        "description": (
            f"Every CSV download of edition {period} of the review for {area}: exactly the "
            "data each figure or table shows, with suppressed cells marked [c] and values not "
            "available marked [x]. Figures from the synthetic extract are synthetic: generated, "
            "not real patients."
        ),
        "version": period,
        "created": f"{run_params['period_end']}T00:00:00Z",
        "homepage": "../index.html",
        "contributors": [
            {"title": partnership_name(run_params), "role": "publisher"},
            {"title": "bbp-review (the review built as code, bbp_analysis)", "role": "author"},
        ],
        "keywords": [
            area,
            "borough based partnership",
            "public health",
            "health inequalities",
            "annual review",
            period,
        ],
        "licenses": [LICENCE],
        "resources": resources_,
    }
    return package, generic


def write(extra: Path, notebooks: list[Path], run_params: dict[str, Any]) -> Path:
    """Write ``extra/downloads/datapackage.json`` (sorted keys, two-space indent); return it."""
    package, _ = descriptor(extra / "downloads", notebooks, run_params)
    target = extra / "downloads" / FILE_NAME
    target.write_text(json.dumps(package, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return target
