"""Published statistics: the folder of publishers' files, what each one cites, and the one
function that says where a value or comparator comes from.

The folder (parameter ``published_folder``, default ``data/published/``) holds files in
their publishers' own formats, read by :mod:`bbp_analysis.readers`, and an index,
``sources.yaml``, giving each file's layout, publisher, title, address, licence and file
date (the date it was published or downloaded). The index may also name real files kept
elsewhere in the repository (the plan's figures, the Fingertips IMD export). A file dropped
into the folder without an index entry is read when its header is a Fingertips ``all_data``
export; its citation then says that its date is not recorded.

:func:`resolve` answers, for one catalogue indicator, one area (the borough, or a benchmark
named in the indicator's ``published:`` block: NWL, London, England) and one period: the
published value when a file holds it, cited (publisher, indicator id, period, file, file
date); otherwise the value computed from the extract (a benchmark: the extract's comparator
table; labelled synthetic when the extract is synthetic); otherwise "not available".
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from . import catalogue, extract, yaml_text
from .errors import InputError
from .paths import project_root
from .readers import read_fingertips, read_gpps, read_imd, read_nda, read_qof, read_registrations
from .readers._io import read_csv_verbatim, read_records
from .readers.fingertips import REQUIRED as FINGERTIPS_HEADER
from .reference import TABLES
from .validation import validate_frame

INDEX = "sources.yaml"
DEFAULT_FOLDER = "data/published"
PLAN = "plan"
"""The period asked for to get the plan's own figure, which the plan prints without a period."""
PUBLISHED, COMPUTED, NOT_AVAILABLE = "published", "computed", "not available"
PLAN_PLACED = "the plan's own figure"
"""How the citation of a synthetic comparator begins when its value is the plan's figure."""


def _read_plan(path: Path) -> pd.DataFrame:
    """The plan's figures (``partnership_measures.csv``), checked against their schema."""
    return validate_frame(read_csv_verbatim(path), TABLES["partnership_measures"], file=path)


READERS: dict[str, Callable[[Path], pd.DataFrame]] = {
    "fingertips": read_fingertips,
    "plan": _read_plan,
    "gpps": read_gpps,
    "qof": read_qof,
    "nda": read_nda,
    "registrations": read_registrations,
    "imd": read_imd,
}
"""Layout named in ``sources.yaml`` -> the reader that checks and reads it."""
FIELDS = {"path", "layout", "publisher", "title", "url", "licence", "file_date"}


@dataclass(frozen=True)
class Source:
    """One published file: where it is, its layout (a key of :data:`READERS`) and what it
    cites. ``file_date`` is the date it was published or downloaded (YYYY-MM-DD), or empty
    when nobody recorded it."""

    path: Path
    layout: str
    publisher: str
    title: str = ""
    url: str = ""
    licence: str = ""
    file_date: str = ""

    def citation(self, root: Path) -> str:
        """The file and its date, e.g. ``file data/published/x.csv, dated 2024-05-01``."""
        shown = self.path.relative_to(root) if self.path.is_relative_to(root) else self.path
        dated = f"dated {self.file_date}" if self.file_date else "file date not recorded"
        return f"file {shown.as_posix()}, {dated}"


@dataclass(frozen=True)
class Resolved:
    """Where one value comes from: ``origin`` is "published", "computed" or "not available";
    ``citation`` one plain line (publisher, indicator id, period, file, file date; or the
    extract); ``synthetic`` whether the value was simulated."""

    value: float | None
    origin: str
    citation: str
    synthetic: bool = False
    lower: float | None = None
    upper: float | None = None

    @property
    def label(self) -> str:
        """A short label for a table cell: "synthetic", the citation, or "not available"."""
        if self.origin == NOT_AVAILABLE:
            return NOT_AVAILABLE
        return "synthetic" if self.synthetic else self.citation


def folder(params: dict[str, Any] | None = None, root: Path | None = None) -> Path:
    """The published-statistics folder: ``published_folder`` from ``params`` (else from
    ``parameters/defaults.yaml``, else :data:`DEFAULT_FOLDER`), relative to the project root."""
    root = root or project_root()
    name = (params or {}).get("published_folder")
    if name is None:
        defaults = root / "parameters" / "defaults.yaml"
        name = _default_folder(_stat([defaults])) or DEFAULT_FOLDER
    return absolute(root / name)


@cache
def _default_folder(stamp: tuple[tuple[str, int, int], ...]) -> str | None:
    """``published_folder`` of the defaults file stamped ``stamp`` (:func:`_stat`; empty when
    there is none), parsed once per process and version of the file."""
    if not stamp:
        return None
    stored = yaml_text.load(Path(stamp[0][0]).read_text(encoding="utf-8"))
    return (stored or {}).get("published_folder")


def absolute(path: Path) -> Path:
    """``path`` made absolute with ``..`` removed, symbolic links kept (a linked file is
    cited where the project holds it)."""
    return Path(os.path.abspath(path))


def _stat(paths: Any) -> tuple[tuple[str, int, int], ...]:
    """Name, modification time and size of each file of ``paths`` (a cache key)."""
    out = []
    for path in paths:
        if path.is_file():
            info = path.stat()
            out.append((str(path), info.st_mtime_ns, info.st_size))
    return tuple(out)


def _entry(item: Any, row: int, index: Path) -> Source:
    def fail(column: str, detail: str) -> InputError:
        return InputError(detail, file=index, row=row, column=column, rule="published source")

    if not isinstance(item, dict):
        raise fail("path", "each entry must be a mapping of field: value")
    unknown = sorted(set(item) - FIELDS)
    if unknown:
        raise fail(unknown[0], f"unknown field (known: {', '.join(sorted(FIELDS))})")
    for name in ("path", "layout", "publisher"):
        if not isinstance(item.get(name), str) or not item[name].strip():
            raise fail(name, "field is missing")
    if item["layout"] not in READERS:
        raise fail("layout", f"{item['layout']!r} is not one of {', '.join(READERS)}")
    file_date = str(item.get("file_date") or "")
    if file_date:
        try:
            date.fromisoformat(file_date)
        except ValueError:
            raise fail("file_date", f"{file_date!r} is not a date YYYY-MM-DD") from None
    path = absolute(index.parent / item["path"])
    if not path.is_file():
        raise fail("path", f"{item['path']} is not a file")
    return Source(
        path=path,
        layout=item["layout"],
        publisher=item["publisher"].strip(),
        title=str(item.get("title") or ""),
        url=str(item.get("url") or ""),
        licence=str(item.get("licence") or ""),
        file_date=file_date,
    )


def _is_fingertips(path: Path) -> bool:
    header = read_records(path)[0]
    return set(FINGERTIPS_HEADER) <= set(header)


def sources(where: Path) -> tuple[Source, ...]:
    """Every published file: the entries of ``where/sources.yaml`` in order, then each CSV
    file in ``where`` the index does not name (a Fingertips export; InputError otherwise)."""
    return _sources(where, _stat([where / INDEX, *sorted(where.glob("*"))]))


@cache
def _sources(where: Path, stamp: tuple) -> tuple[Source, ...]:
    index = where / INDEX
    listed: list[Source] = []
    if index.is_file():
        try:
            data = yaml_text.load(index.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise InputError(str(exc).splitlines()[0], file=index, rule="valid YAML") from exc
        entries = data.get("files") if isinstance(data, dict) else None
        if not isinstance(entries, list):
            raise InputError(
                "top level must be 'files:' with a list of entries", file=index, rule="index"
            )
        listed = [_entry(item, row, index) for row, item in enumerate(entries, start=1)]
    named = {source.path for source in listed}
    dropped = [
        absolute(p)
        for p in sorted(where.glob("*"))
        if p.is_file() and p.name.endswith((".csv", ".csv.gz")) and absolute(p) not in named
    ]
    for path in dropped:
        if not _is_fingertips(path):
            raise InputError(
                f"not a Fingertips all_data export; name its layout, publisher and date in {INDEX}",
                file=path,
                rule="published layout",
            )
    extra = [Source(path, "fingertips", "OHID Fingertips") for path in dropped]
    return (*listed, *extra)


def check(where: Path) -> list[str]:
    """Read every published file through its reader (InputError on the first problem);
    return the files' names."""
    found = sources(where)
    for source in found:
        READERS[source.layout](source.path)
    return [source.path.name for source in found]


def _digest(found: tuple[Source, ...]) -> tuple:
    """A cache key of the files ``found`` and what the index says of them."""
    return (found, _stat(source.path for source in found))


@cache
def _fingertips(where: Path, digest: tuple) -> pd.DataFrame:
    frames = []
    for position, source in enumerate(sources(where)):
        if source.layout == "fingertips":
            rows = read_fingertips(source.path)
            frames.append(rows.assign(source=position, fy=rows["period"].map(financial_year)))
    if not frames:
        return pd.DataFrame(columns=["indicator_id", "area_code", "period", "value", "source"])
    return pd.concat(frames, ignore_index=True)


@cache
def _indicator_rows(where: Path, digest: tuple, ident: int) -> pd.DataFrame:
    rows = _fingertips(where, digest)
    return rows[rows["indicator_id"] == ident]


@cache
def _plan(where: Path, digest: tuple) -> pd.DataFrame:
    frames = [
        _read_plan(source.path).assign(source=position)
        for position, source in enumerate(sources(where))
        if source.layout == "plan"
    ]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def financial_year(period: str) -> str:
    """A Fingertips period in the review's form: ``2021/22`` -> ``2021-22``; others unchanged."""
    return period.replace("/", "-") if len(period) == 7 and period[4] == "/" else period


def _number(value: object) -> float | None:
    return None if pd.isna(value) else float(value)


def _cited(
    hits: pd.DataFrame,
    position: int,
    found: tuple[Source, ...],
    describe: Callable[[pd.Series, Source], str],
) -> Resolved | None:
    """The published value in row ``position`` of ``hits`` (None when there is no row), cited
    as ``describe(row, source)`` then the source file; its 95% interval when the row has one."""
    if hits.empty:
        return None
    row = hits.iloc[position]
    source = found[int(row["source"])]
    return Resolved(
        value=float(row["value"]),
        origin=PUBLISHED,
        citation=f"{describe(row, source)}; {source.citation(project_root())}",
        lower=_number(row.get("lower_95")),
        upper=_number(row.get("upper_95")),
    )


def _published(
    spec: dict[str, Any], code: str, period: str, where: Path, found: tuple[Source, ...]
) -> Resolved | None:
    ident = spec.get("fingertips")
    if ident is None:
        return None
    rows = _indicator_rows(where, _digest(found), int(ident))
    if rows.empty:
        return None
    keep = rows["area_code"] == code
    keep &= rows["fy"] == period
    for name in ("sex", "age", "area_type"):
        if spec.get(name):
            keep &= rows[name] == spec[name]
    keep &= rows["category_type"].isna() & rows["value"].notna()  # whole area, no breakdown
    return _cited(  # a later file in the index replaces an earlier one
        rows[keep],
        -1,
        found,
        lambda row, source: (
            f"{source.publisher}, indicator {int(ident)} ({row['indicator_name']}), "
            f"{row['area_name']}, {row['period']}"
        ),
    )


def _plan_figure(
    item: catalogue.Indicator, area: str, where: Path, found: tuple[Source, ...]
) -> Resolved | None:
    spec = item.published.get("plan") or {}
    table = _plan(where, _digest(found))
    if not spec or table.empty:
        return None
    figure = "baseline" if area == "area" else "comparator"
    keep = (table["measure_id"].astype(int) == int(spec["measure"])) & (
        table["unit"] == spec["unit"]
    )
    keep &= (table["figure"] == figure) & table["value"].notna()
    if figure == "comparator":
        keep &= table["area"] == area
    return _cited(
        table[keep],
        0,
        found,
        lambda _row, source: f"{source.publisher}, {source.title} (period not stated)",
    )


def _extract_comparator(
    spec: dict[str, Any], area: str, period: str, params: dict[str, Any]
) -> Resolved | None:
    name = spec.get("extract")
    code = (spec.get("benchmarks") or {}).get(area)
    if not name or not code:
        return None
    from .contract.conform import table_file

    folder_ = extract.extract_folder(params["area_code"])
    path = table_file(folder_, "comparators")
    if path is None:
        return None
    table = _comparator_table(path, _stat([path]), name, params["area_code"])
    hits = table[(table["Area Code"] == code) & (table["fy"] == period) & table["Value"].notna()]
    if hits.empty:
        return None
    row = hits.iloc[0]
    if not extract.is_synthetic():
        shown = path.relative_to(root) if path.is_relative_to(root := project_root()) else path
        return Resolved(
            float(row["Value"]),
            COMPUTED,
            f"the extract's comparator table; file {shown.as_posix()}, as extracted",
        )
    origin = (
        f"{PLAN_PLACED}, which the plan prints without a period, placed in "
        f"{period} by the synthetic comparator table"
        if row["source"] == "plan"
        else "simulated in the synthetic comparator table; not a published figure"
    )
    return Resolved(float(row["Value"]), COMPUTED, origin, synthetic=True)


@cache
def _comparator_table(path: Path, stamp: tuple, name: str, area_code: str) -> pd.DataFrame:
    """The rows of measure ``name`` in the extract's comparator table (``path``, Parquet or
    CSV, read typed by the contract: :func:`bbp_analysis.extract.read_table`), with ``fy``."""
    table = extract.read_table("comparators", area_code)
    table = table[table["Indicator ID"] == name]
    return table.assign(fy=table["Time period"].map(financial_year))


def resolve(
    indicator_id: str,
    area: str,
    period: str,
    params: dict[str, Any],
    computed: Resolved | None = None,
) -> Resolved:
    """The value of catalogue indicator ``indicator_id`` for ``area`` in ``period``, and
    where it comes from.

    ``area`` is ``"area"`` (the run's borough, ``params["area_code"]``) or a benchmark named
    in the indicator's ``published.benchmarks`` (e.g. ``"NWL"``); ``period`` a financial year
    (``2025-26``) or :data:`PLAN` for the plan's own figure. In order: a value in a published
    file (Fingertips: indicator id, sex, age and area type from the catalogue; a later file
    in the index wins); else ``computed`` (the borough's value from the extract, given by the
    caller) or, for a benchmark, the extract's comparator table; else "not available".
    """
    item = catalogue.indicator(indicator_id)
    spec = item.published
    where = folder(params)
    found = sources(where) if where.is_dir() else ()
    if period == PLAN:
        return _plan_figure(item, area, where, found) or Resolved(None, NOT_AVAILABLE, "")
    code = params["area_code"] if area == "area" else (spec.get("benchmarks") or {}).get(area)
    if code is not None:
        hit = _published(spec, code, period, where, found)
        if hit is not None:
            return hit
    if area == "area":
        return computed or Resolved(None, NOT_AVAILABLE, "")
    return _extract_comparator(spec, area, period, params) or Resolved(None, NOT_AVAILABLE, "")


def fingertips_ids() -> list[int]:
    """The Fingertips indicator ids the catalogue's ``published:`` blocks name, sorted."""
    return sorted(
        {
            int(i.published["fingertips"])
            for i in catalogue.indicators()
            if i.published.get("fingertips")
        }
    )


def record(where: Path, source: Source, today: date) -> Path:
    """Add (or refresh) ``source`` in ``where/sources.yaml``, dated ``today``; the index's
    opening comments are kept. Returns the index path."""
    index = where / INDEX
    text = index.read_text(encoding="utf-8") if index.is_file() else ""
    comments = "".join(line for line in text.splitlines(keepends=True) if line.startswith("#"))
    data = (yaml_text.load(text) or {}) if text else {}
    entries = [e for e in data.get("files") or [] if absolute(where / e["path"]) != source.path]
    entries.append(
        {
            "path": source.path.relative_to(where).as_posix(),
            "layout": source.layout,
            "publisher": source.publisher,
            "title": source.title,
            "url": source.url,
            "licence": source.licence,
            "file_date": today.isoformat(),
        }
    )
    body = yaml.safe_dump({"files": entries}, sort_keys=False, allow_unicode=True, width=100)
    index.write_text(comments + body, encoding="utf-8")
    return index


def fetch(where: Path, area_type_id: int, parent_area_type_id: int, today: date) -> Path:
    """Download every Fingertips indicator the catalogue names for ``area_type_id`` areas
    (with their ``parent_area_type_id`` parents and England) through ``fingertips_py`` into
    ``where`` as an ``all_data`` CSV, read it back through the Fingertips reader and record it
    in the index. Raises :class:`InputError` (one line saying how to add files by hand) when
    ``fingertips_py`` is missing or the download fails."""
    ids = fingertips_ids()
    joined = ",".join(map(str, ids))
    by_hand = (
        "add the files by hand: download the all-data CSV from "
        f"https://fingertips.phe.org.uk/api/all_data/csv/by_indicator_id?indicator_ids={joined}"
        f"&child_area_type_id={area_type_id} and drop it into {where} (see its README.md)"
    )
    try:
        import fingertips_py  # noqa: F401  (optional, not in the lock)
    except ImportError:
        raise InputError(
            f"fingertips_py is not installed; {by_hand}", file=where, rule="optional package"
        ) from None
    name = f"fingertips_{'-'.join(map(str, ids))}_area-type-{area_type_id}.csv"
    path = where / name
    where.mkdir(parents=True, exist_ok=True)
    try:
        from .readers import fetch_fingertips

        fetch_fingertips(ids, area_type_id, path, parent_area_type_id=parent_area_type_id)
    except InputError:
        raise
    except Exception as exc:  # offline, or the API refused: the user can still drop files in
        raise InputError(
            f"download failed ({type(exc).__name__}); {by_hand}", file=where, rule="online"
        ) from None
    source = Source(
        path=absolute(path),
        layout="fingertips",
        publisher="Office for Health Improvement and Disparities (OHID), Fingertips",
        title=f"Indicators {', '.join(map(str, ids))}, area type {area_type_id}",
        url="https://fingertips.phe.org.uk/api/all_data/csv/by_indicator_id?indicator_ids="
        f"{joined}&child_area_type_id={area_type_id}",
        licence="Open Government Licence v3.0",
    )
    return record(absolute(where), source, today)
