"""The build's person-level data and the aggregate measure tables drawn from it.

The default data are the synthetic WSIC-shaped extract (:mod:`bbp_analysis.synth`), written to
``data/synthetic/<area>/`` with a ``manifest.json`` (seed, generator version, the periods it
covers, rows and SHA-256 of every Parquet table). The synthetic extract covers 2019-20 through
the latest period with a parameters file: :func:`ensure_extract` generates it when absent or
stale (another seed or generator version, or other periods, e.g. after adding
``parameters/2026-27.yaml``), and checks the files against their manifest otherwise. An
extract not made by the generator (its manifest is not ``synthetic``) is never regenerated:
it covers the periods its manifest records, and a period beyond them is refused.
:func:`measures` gives the notebooks the aggregate tables (numerator and denominator by
measure, period, area and breakdown) computed once per extract and SQL version on DuckDB and
cached under ``_build/cache/measures/``: no person-level row reaches a notebook. Nothing here
applies disclosure control; every caller that displays or writes an aggregate must
(:mod:`bbp_analysis.disclosure`).

The partnership's own extract: the ``extract`` parameter names a folder of Parquet or CSV
tables in the shape of the extract contract (:mod:`bbp_analysis.contract`), with the provider
and extraction date declared in the parameters or in the folder's ``manifest.json``
(:func:`source_from_params`). Such an extract is never regenerated or written to. The build
names it to every kernel through ``$BBP_EXTRACT`` (:func:`use_source`), and
:func:`extract_folder` then gives it for any area. Without a ``manifest.json`` its manifest
(rows, SHA-256 and the financial years of its ``fin_year`` values) is derived once and kept
under ``_build/cache/extracts/`` (:func:`describe_folder`): hashes and counts, no row.

Other boroughs: with ``$BBP_EXTRACT_SOURCE=NWL`` (set by ``bbp build --area CODE``) a
borough's extract is its part of the eight-borough extract (``data/synthetic/NWL/``): every
table cut to the borough's persons, PCNs and organisations (:func:`write_borough_view`,
in ``data/synthetic/NWL/boroughs/<code>/``); comparator tables are kept whole.
"""

from __future__ import annotations

import functools
import hashlib
import json
import operator
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from filelock import FileLock

from . import periods, yaml_text
from .errors import InputError
from .paths import build_dir, parameters_dir, project_root, synthetic_dir
from .validation import Schema

MANIFEST = "manifest.json"
EXTRACT_ENV = "BBP_EXTRACT"  # the named extract (JSON of a Source), set by use_source
SOURCE_ENV = "BBP_EXTRACT_SOURCE"
EIGHT_BOROUGHS = "NWL"
_CACHES: dict[tuple[str, int, str], Path] = {}  # per process: the extract is checked once
RowGroups = dict[tuple[str, str], list[int]]  # (query, measure) -> row groups of the cache
#: Per process: each measure cache file opened once, with its row groups (:func:`_row_groups`).
_ROW_GROUPS: dict[tuple[Path, int, int], tuple[pq.ParquetFile, RowGroups]] = {}
# files verified in this process: (device, inode, size, mtime, table, rows, sha256)
_VERIFIED: set[tuple[int, int, int, int, str, int, str]] = set()


HARROW = "E09000015"


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def from_eight_boroughs() -> bool:
    """Whether boroughs' extracts are cut from the eight-borough extract (``$BBP_EXTRACT_SOURCE``
    is ``NWL``)."""
    return os.environ.get(SOURCE_ENV) == EIGHT_BOROUGHS


@dataclass(frozen=True)
class Source:
    """An extract named by the ``extract`` parameter: its folder (absolute) and, for a real
    extract, its provider and extraction date (ISO); both None for one the synthetic
    generator made (its manifest says so)."""

    folder: str
    provider: str | None = None
    extracted: str | None = None

    @property
    def path(self) -> Path:
        return Path(self.folder)


SOURCE_KEYS = ("folder", "provider", "extracted")


def parameter_file(period: str, root: Path | None = None) -> Path:
    """The parameters file that sets ``extract`` for ``period``: the period file when it
    names it, else ``defaults.yaml`` (read after both files passed their checks)."""
    period_file = parameters_dir(root) / f"{period}.yaml"
    given = yaml_text.load(period_file.read_text(encoding="utf-8"))
    return period_file if "extract" in given else parameters_dir(root) / "defaults.yaml"


def source_from_params(run_params: dict[str, Any], root: Path | None = None) -> Source | None:
    """The extract the ``extract`` parameter names, or None (the synthetic default).

    ``extract`` is a folder (absolute or relative to the project) or a mapping ``folder``,
    ``provider``, ``extracted`` (YYYY-MM-DD). A provider or date not given there is read from
    the folder's ``manifest.json`` (keys ``provider`` and ``extracted``). InputError naming
    the parameters file when the folder is absent, a key is unknown, the date is not a date,
    or an extract not made by the generator lacks its provider or date.
    """
    given = run_params.get("extract")
    if given is None:
        return None
    root = root or project_root()
    file = parameter_file(run_params["period"], root)

    def fail(detail: str, column: str, rule: str) -> InputError:
        return InputError(detail, file=file, column=column, rule=rule)

    declared = {"folder": given} if isinstance(given, str) else dict(given)
    unknown = sorted(set(map(str, declared)) - set(SOURCE_KEYS))
    if unknown:
        raise fail(
            f"unknown key {unknown[0]!r} (known: {', '.join(SOURCE_KEYS)})",
            f"extract.{unknown[0]}",
            "extract parameter",
        )
    for key, value in declared.items():
        if isinstance(value, date):
            declared[key] = value.isoformat()
        elif not isinstance(value, str) or not value.strip():
            raise fail(f"{value!r} is not a non-empty text", f"extract.{key}", "extract parameter")
    if "folder" not in declared:
        raise fail("no folder given", "extract.folder", "extract parameter")
    folder = Path(declared["folder"]).expanduser()
    folder = (folder if folder.is_absolute() else root / folder).resolve()
    if not folder.is_dir():
        raise fail(f"{folder} is not a folder", "extract", "extract folder exists")
    manifest = read_manifest(folder) if (folder / MANIFEST).is_file() else {}
    if is_generated(manifest):
        if "provider" in declared or "extracted" in declared:
            raise fail(
                "the folder's manifest says the synthetic generator made it; a provider or "
                "extraction date would label synthetic data as real",
                "extract.provider",
                "extract provenance",
            )
        return Source(str(folder))
    found = {key: declared.get(key) or manifest.get(key) for key in ("provider", "extracted")}
    for key, what in (("provider", "provider"), ("extracted", "extraction date (YYYY-MM-DD)")):
        if not isinstance(found[key], str) or not found[key].strip():
            raise fail(
                f"a real extract must declare its {what}: extract: {{folder: ..., "
                f"provider: ..., extracted: ...}}, or {key!r} in its {MANIFEST}",
                f"extract.{key}",
                "extract provenance",
            )
    try:
        date.fromisoformat(found["extracted"])
    except ValueError:
        raise fail(
            f"{found['extracted']!r} is not a date YYYY-MM-DD", "extract.extracted", "date"
        ) from None
    return Source(str(folder), found["provider"].strip(), found["extracted"])


def current_source() -> Source | None:
    """The extract the ``extract`` parameter named for this run (``$BBP_EXTRACT``), if any."""
    given = os.environ.get(EXTRACT_ENV)
    return Source(**json.loads(given)) if given else None


@contextmanager
def use_source(source: Source | None) -> Iterator[None]:
    """Within the block (and in kernels started in it) the extract is ``source`` (None: the
    synthetic default)."""
    value = None if source is None else json.dumps(asdict(source), sort_keys=True)
    with _environment(EXTRACT_ENV, value):
        yield


def _set_environment(name: str, value: str | None) -> None:
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value


@contextmanager
def _environment(name: str, value: str | None) -> Iterator[None]:
    """Within the block ``$name`` is ``value`` (unset when None), with the extract caches
    cleared on entry and on exit; its previous value is put back after."""
    before = os.environ.get(name)
    _set_environment(name, value)
    _CACHES.clear()
    try:
        yield
    finally:
        _set_environment(name, before)
        _CACHES.clear()


def is_synthetic() -> bool:
    """Whether the run's extract is synthetic (the default, or a named generated one)."""
    source = current_source()
    return source is None or source.provider is None


def extract_folder(area_code: str, root: Path | None = None) -> Path:
    """Where the extract for ``area_code`` lives: the folder the ``extract`` parameter named
    (:func:`current_source`), else the synthetic ``data/synthetic/<area_code>``, or
    ``data/synthetic/NWL/boroughs/<area_code>`` when cut from the eight-borough extract."""
    source = current_source()
    if source is not None:
        return source.path
    if from_eight_boroughs() and area_code != EIGHT_BOROUGHS:
        return synthetic_dir(root) / EIGHT_BOROUGHS / "boroughs" / area_code
    return synthetic_dir(root) / area_code


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Write ``data`` to ``path`` as indented JSON with sorted keys, under a temporary name
    renamed when complete: a process reading ``path`` meanwhile finds the old file or the
    new one, never part of one."""
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    partial.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    partial.replace(path)


def exclusive(target: Path) -> FileLock:
    """A lock held while one process makes ``target`` (an extract folder or a measure cache),
    so that processes of the same project (two ``bbp`` commands, a build's notebooks, test
    workers) never write the same files at once: the others wait, then find it made. The
    lock is the hidden file ``.<name>.lock`` beside ``target``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    return FileLock(target.parent / f".{target.name}.lock")


def read_manifest(folder: Path) -> dict[str, Any]:
    """The extract's manifest; InputError when it is missing, not valid JSON, or a table entry
    lacks its file name, row count or SHA-256."""
    path = folder / MANIFEST
    if not path.is_file():
        raise InputError("extract has no manifest", file=path, rule="extract manifest")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(
            f"manifest is not valid JSON: {exc}", file=path, rule="extract manifest"
        ) from exc
    if not isinstance(manifest, dict) or not isinstance(manifest.get("tables"), dict):
        raise InputError(
            "manifest has no 'tables' mapping", file=path, column="tables", rule="extract manifest"
        )
    for name, entry in sorted(manifest["tables"].items()):
        for key, kind in (("file", str), ("rows", int), ("sha256", str)):
            if not isinstance(entry, dict) or not isinstance(entry.get(key), kind):
                raise InputError(
                    f"table {name!r} has no {key} ({kind.__name__})",
                    file=path,
                    column=f"tables.{name}.{key}",
                    rule="extract manifest",
                )
    return manifest


def covered_periods(manifest: dict[str, Any], file: Path | str = MANIFEST) -> list[str]:
    """The financial years the extract covers (its manifest's ``periods``, oldest first);
    InputError naming ``file`` when they are missing or not consecutive financial years."""
    found = manifest.get("periods")
    if (
        not isinstance(found, list)
        or not found
        or not all(isinstance(p, str) and periods.is_period(p) for p in found)
        or list(periods.between(found[0], found[-1])) != found
    ):
        raise InputError(
            "the manifest does not list the consecutive financial years the extract covers",
            file=file,
            column="periods",
            rule="extract manifest",
        )
    return found


def is_generated(manifest: dict[str, Any]) -> bool:
    """Whether the extract was made by this package's synthetic-data generator (and so may be
    regenerated); any other extract is used as it is."""
    return manifest.get("synthetic") is True and manifest.get("generator") == "bbp_analysis.synth"


def synthetic_through(root: Path | None = None) -> str:
    """The last period the synthetic extract covers: the latest with a parameters file."""
    from .params import latest_period

    return latest_period(root)


def extract_hash(manifest: dict[str, Any]) -> str:
    """One SHA-256 over the extract's table hashes (its identity in caches and manifests)."""
    lines = [f"{name}:{entry['sha256']}" for name, entry in sorted(manifest["tables"].items())]
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def check_table(folder: Path, name: str, entry: dict[str, Any]) -> None:
    """Check one extract table against its manifest entry: present, a readable Parquet file
    (footer only), the manifest's row count, the columns and types of its schema
    (:data:`bbp_analysis.synth.schema.SCHEMAS`), then the SHA-256 of its bytes. A file whose
    inode, size and modification time were already verified in this process is not hashed
    again."""
    from .synth.schema import SCHEMAS

    path = folder / entry["file"]
    if not path.is_file():
        raise InputError(
            f"table {name!r} listed in the manifest is missing", file=path, rule="extract complete"
        )
    stat = path.stat()
    key = (
        stat.st_dev,
        stat.st_ino,
        stat.st_size,
        stat.st_mtime_ns,
        name,
        entry["rows"],
        entry["sha256"],
    )
    if key in _VERIFIED:
        return
    if path.suffix == ".csv":  # columns and types: the contract check
        _check_rows(table_rows(path), entry["rows"], path)
        _check_hash(path, name, entry)
        _VERIFIED.add(key)
        return
    if stat.st_size == 0:
        raise InputError("file is empty", file=path, rule="readable Parquet")
    try:
        metadata = pq.read_metadata(path)
    except (OSError, pa.ArrowException) as exc:
        raise InputError(
            f"not a readable Parquet file (truncated or damaged: {exc})".replace("\n", " "),
            file=path,
            rule="readable Parquet",
        ) from exc
    _check_rows(metadata.num_rows, entry["rows"], path)
    if name in SCHEMAS:
        _check_columns(metadata.schema.to_arrow_schema(), SCHEMAS[name], path)
    _check_hash(path, name, entry)
    _VERIFIED.add(key)


def _check_rows(found: int, declared: int, path: Path) -> None:
    if found != declared:
        raise InputError(
            f"{found:,} rows; the manifest says {declared:,}",
            file=path,
            column="rows",
            rule="extract row count",
        )


def _check_hash(path: Path, name: str, entry: dict[str, Any]) -> None:
    if sha256_file(path) != entry["sha256"]:
        raise InputError(
            f"table {name!r} differs from its manifest hash (changed after the manifest was "
            "written; regenerate or re-export it)",
            file=path,
            column="sha256",
            rule="extract integrity",
        )


def table_rows(path: Path) -> int:
    """Data rows of a table file (Parquet: from its footer; CSV: counted by DuckDB)."""
    import duckdb

    from .contract.conform import relation

    with duckdb.connect(":memory:") as con:
        return int(con.execute(f"SELECT count(*) FROM {relation(path)}").fetchone()[0])


def read_table(name: str, area_code: str, root: Path | None = None) -> pd.DataFrame:
    """A small extract table (``comparators``, ``interventions``) as a frame, from its
    Parquet or CSV file, typed by the contract. Never for person-level tables: those are
    read by the measure SQL only."""
    import duckdb

    from .contract.conform import relation, table_file

    folder = extract_folder(area_code, root)
    path = table_file(folder, name)
    if path is None:
        raise InputError(f"table {name!r} missing", file=folder, rule="contract: table present")
    if path.suffix == ".parquet":
        return pd.read_parquet(path)
    with duckdb.connect(":memory:") as con:  # as Arrow: dates as dates, like Parquet
        table = con.sql(f"SELECT * FROM {relation(path, typed=True)}").to_arrow_table()
    return table.to_pandas()


def describe_folder(folder: Path, root: Path | None = None) -> dict[str, Any]:
    """The manifest of an extract folder that has none (a warehouse export): each contract
    table's file, rows and SHA-256, the financial years from the first to the last
    ``fin_year`` value of its tables, ``synthetic: false`` and its location. Derived once per
    set of file sizes and times and kept in ``_build/cache/extracts/`` (hashes and counts
    only). Run after the contract check, which reads every file."""
    import duckdb

    from .contract import load
    from .contract.conform import relation, table_file

    contract = load()
    files = {name: table_file(folder, name) for name in contract.tables}
    missing = sorted(name for name, path in files.items() if path is None)
    if missing:
        raise InputError(
            f"table {missing[0]!r} missing ({missing[0]}.parquet or {missing[0]}.csv)",
            file=folder,
            rule="contract: table present",
        )
    stats = [(p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in files.values() if p]
    key = hashlib.sha256(json.dumps([str(folder), stats]).encode()).hexdigest()[:24]
    cache = build_dir(root) / "cache" / "extracts" / f"{key}.json"
    if cache.is_file():
        return json.loads(cache.read_text(encoding="utf-8"))
    years: set[str] = set()
    with duckdb.connect(":memory:") as con:
        for name, path in files.items():
            if any(field["name"] == "fin_year" for field in contract.fields(name)):
                query = f"SELECT DISTINCT CAST(fin_year AS VARCHAR) FROM {relation(path)}"
                years |= {y for (y,) in con.execute(query).fetchall() if y}
    if not years:
        raise InputError(
            "no fin_year values: the periods the extract covers are unknown",
            file=folder,
            column="fin_year",
            rule="extract coverage",
        )
    manifest = {
        "location": str(folder),
        "periods": list(periods.between(min(years), max(years))),
        "synthetic": False,
        "tables": {
            name: {"file": path.name, "rows": table_rows(path), "sha256": sha256_file(path)}
            for name, path in files.items()
            if path is not None
        },
    }
    cache.parent.mkdir(parents=True, exist_ok=True)
    write_json(cache, manifest)
    return manifest


def manifest_of(folder: Path, root: Path | None = None) -> dict[str, Any]:
    """The manifest of an extract folder as it stands: its ``manifest.json``, or the
    derived one (:func:`describe_folder`)."""
    if (folder / MANIFEST).is_file():
        return read_manifest(folder)
    return describe_folder(folder, root)


def persons_in(manifest: dict[str, Any]) -> int:
    """The number of persons an extract holds: its manifest's row count of ``persons``
    (present in every manifest :func:`read_manifest` accepts)."""
    return int(manifest["tables"]["persons"]["rows"])


def folder_manifest(folder: Path, root: Path | None = None) -> dict[str, Any]:
    """The manifest of an extract folder, verified: its ``manifest.json`` with every table
    checked against it (:func:`verify_extract`), or, when it has none, derived
    (:func:`describe_folder`)."""
    if (folder / MANIFEST).is_file():
        return verify_extract(folder)
    return describe_folder(folder, root)


_ARROW_TYPES: dict[str, Callable[[pa.DataType], bool]] = {
    "str": lambda t: pa.types.is_string(t) or pa.types.is_large_string(t),
    "int": pa.types.is_integer,
    "float": pa.types.is_floating,
    "bool": pa.types.is_boolean,
    "date": lambda t: pa.types.is_date(t) or pa.types.is_timestamp(t),
}


def _check_columns(schema: pa.Schema, declared: Schema, path: Path) -> None:
    """Each required column of the table's declared schema is present with its type."""
    for column in declared.columns:
        if column.name not in schema.names:
            if column.required:
                raise InputError(
                    "required column missing", file=path, column=column.name, rule="extract schema"
                )
            continue
        found = schema.field(column.name).type
        if not _ARROW_TYPES[column.dtype](found):
            raise InputError(
                f"column is {found}; the schema declares {column.dtype}",
                file=path,
                column=column.name,
                rule="extract schema",
            )


def verify_extract(folder: Path) -> dict[str, Any]:
    """Check every table file against the manifest (:func:`check_table`); return it."""
    manifest = read_manifest(folder)
    for name, entry in sorted(manifest["tables"].items()):
        check_table(folder, name, entry)
    return manifest


def check_extract(area_code: str, seed: int, root: Path | None = None) -> tuple[str, list[str]]:
    """Check the extract the build would use for ``area_code`` without generating anything,
    taking the decisions :func:`ensure_extract` takes: an existing, current extract (and a
    borough's cut) is verified against its manifest; one that is absent or stale would be
    generated. Returns what was found (for the report) and the periods the data will cover;
    InputError on a damaged extract."""
    folder = extract_folder(area_code, root)
    named = current_source()
    if named is not None:
        manifest = folder_manifest(folder, root)
        covered = covered_periods(manifest, folder / MANIFEST)
        found = f"extract {folder} ({describe_source(named)}) verified"
        return f"{found} ({len(manifest['tables'])} tables, {_span(covered)})", covered
    if from_eight_boroughs() and area_code != EIGHT_BOROUGHS:
        source, covered = check_extract(EIGHT_BOROUGHS, seed, root)
        if not (folder / MANIFEST).is_file():
            return f"{source}; {area_code} will be cut from it", covered
        manifest = read_manifest(folder)
        source_folder = extract_folder(EIGHT_BOROUGHS, root)
        if not _is_current(source_folder, seed, root) or manifest.get(
            "source_hash"
        ) != extract_hash(read_manifest(source_folder)):
            return f"{source}; {area_code} will be cut again", covered
        verify_extract(folder)
        found = f"{source}; {area_code} cut verified ({len(manifest['tables'])} tables)"
        return found, covered
    generated = list(synthetic_window(root))
    if not (folder / MANIFEST).is_file():
        found = f"extract {area_code} absent (the build generates it, {_span(generated)})"
        return found, generated
    if not _is_current(folder, seed, root):
        found = f"extract {area_code} stale (the build regenerates it, {_span(generated)})"
        return found, generated
    manifest = verify_extract(folder)
    covered = covered_periods(manifest, folder / MANIFEST)
    found = f"extract {area_code} verified ({len(manifest['tables'])} tables, {_span(covered)})"
    return found, covered


def _span(covered: list[str]) -> str:
    return f"{covered[0]} to {covered[-1]}"


def synthetic_window(root: Path | None = None) -> tuple[str, ...]:
    """The periods a synthetic extract generated now covers (2019-20 through
    :func:`synthetic_through`)."""
    from .synth.calibration import window

    return window(synthetic_through(root))


def _is_current(folder: Path, seed: int, root: Path | None) -> bool:
    """Whether the extract in ``folder`` is used as it is: not made by the generator, or made
    by this generator version with ``seed`` at scale 1 through :func:`synthetic_through`."""
    from .synth import GENERATOR_VERSION

    if not (folder / MANIFEST).is_file():
        return False
    manifest = read_manifest(folder)
    if not is_generated(manifest):
        return True
    return (
        manifest.get("seed") == seed
        and manifest.get("scale") == 1.0
        and manifest.get("generator_version") == GENERATOR_VERSION
        and manifest.get("periods") == list(synthetic_window(root))
    )


def ensure_extract(
    area_code: str,
    seed: int,
    root: Path | None = None,
    progress: Callable[[str], None] | None = None,
    starting: Callable[[], None] | None = None,
) -> dict[str, Any]:
    """The extract's manifest, generating (and validating) the extract first when it is
    absent or was made with another seed or generator version or for other periods than
    :func:`synthetic_window` (``starting``, if given, is called just before); an existing one
    is checked against its manifest hashes."""
    folder = extract_folder(area_code, root)
    say = progress or (lambda _message: None)
    named = current_source()
    if named is not None:
        say(f"checking the extract {folder} ({describe_source(named)})")
        return folder_manifest(folder, root)
    if from_eight_boroughs() and area_code != EIGHT_BOROUGHS:
        return _ensure_borough_view(area_code, seed, root, say)
    if not _is_current(folder, seed, root):
        with exclusive(folder):  # another process may be making it: wait, then look again
            if not _is_current(folder, seed, root):
                from .synth.generate import generate

                through = synthetic_through(root)
                say(
                    f"generating the synthetic extract for {area_code} "
                    f"(seed {seed}, 2019-20 to {through})"
                )
                if starting is not None:
                    starting()
                generate(
                    area=area_code,
                    scale=1.0,
                    seed=seed,
                    out_dir=folder,
                    validate=True,
                    through=through,
                )
                return verify_extract(folder)
    kind = "synthetic extract" if is_generated(read_manifest(folder)) else "extract"
    say(f"checking the {kind} {folder.relative_to(folder.parents[2])}")
    return verify_extract(folder)


def _ensure_borough_view(
    area_code: str, seed: int, root: Path | None, say: Callable[[str], None]
) -> dict[str, Any]:
    source = ensure_extract(EIGHT_BOROUGHS, seed, root, say)
    folder = extract_folder(area_code, root)
    if not _cut_from(folder, source):
        with exclusive(folder):  # another process may be cutting it: wait, then look again
            if not _cut_from(folder, source):
                say(f"cutting {area_code} from the eight-borough extract")
                write_borough_view(extract_folder(EIGHT_BOROUGHS, root), source, area_code, folder)
    return verify_extract(folder)


def _cut_from(folder: Path, source: dict[str, Any]) -> bool:
    """Whether ``folder`` holds a borough's cut of the eight-borough extract whose manifest
    is ``source``."""
    return (folder / MANIFEST).is_file() and read_manifest(folder).get("source_hash") == (
        extract_hash(source)
    )


def write_borough_view(
    source: Path, source_manifest: dict[str, Any], borough: str, out: Path
) -> dict[str, Any]:
    """Write ``borough``'s part of the eight-borough extract at ``source`` into ``out``: rows
    whose ``borough_code`` is the borough, else whose ``person_id`` is one of its persons,
    else whose ``pcn_name`` is one of its PCNs; tables with none of these (comparators)
    whole. Row order is kept; the manifest records the source's hash. Returns it."""
    persons = pq.read_table(source / "persons.parquet", columns=["person_id", "borough_code"])
    persons = persons.filter(pc.equal(persons["borough_code"], borough))
    if persons.num_rows == 0:
        raise InputError(
            f"no persons in borough {borough!r}",
            file=source / "persons.parquet",
            column="borough_code",
            rule="NWL borough",
        )
    pcns = pq.read_table(source / "persons.parquet", columns=["pcn_name", "borough_code"])
    pcns = pc.unique(pcns.filter(pc.equal(pcns["borough_code"], borough))["pcn_name"])
    keys = {
        "borough_code": pa.array([borough]),
        "person_id": persons["person_id"],
        "pcn_name": pcns,
    }
    out.mkdir(parents=True, exist_ok=True)
    tables = {}
    for name, entry in sorted(source_manifest["tables"].items()):
        table = pq.read_table(source / entry["file"])
        column = next((c for c in keys if c in table.column_names), None)
        if column is not None:
            table = table.filter(pc.is_in(table[column], value_set=keys[column]))
        partial = out / f"{entry['file']}.partial"
        pq.write_table(
            table,
            partial,
            compression="zstd",
            compression_level=3,
            write_statistics=True,
            store_schema=False,
        )
        path = partial.replace(out / entry["file"])
        tables[name] = {"file": entry["file"], "rows": table.num_rows, "sha256": sha256_file(path)}
    manifest = {
        **source_manifest,
        "area": borough,
        "tables": tables,
        "cut_from": EIGHT_BOROUGHS,
        "source_hash": extract_hash(source_manifest),
    }
    write_json(out / MANIFEST, manifest)
    return manifest


def sql_version() -> str:
    """SHA-256 over the measure SQL files and the engine (a change invalidates caches)."""
    from .measures import engine

    digest = hashlib.sha256()
    for path in sorted([*engine.SQL_DIR.glob("*.sql"), Path(engine.__file__)]):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def measures_cache(manifest: dict[str, Any], root: Path | None = None) -> Path:
    """The cache file of all measures for this extract and SQL version."""
    key = f"{extract_hash(manifest)[:16]}-{sql_version()[:12]}"
    return build_dir(root) / "cache" / "measures" / f"{key}.parquet"


def compute_measures(
    folder: Path, manifest: dict[str, Any], root: Path | None = None, engine: str = "duckdb"
) -> Path:
    """Run every measure on ``engine`` (``duckdb`` or ``spark``; same tables) over the extract
    once and cache the aggregates as one table (columns of
    :data:`measures.engine.OUTPUT_COLUMNS` plus ``query``, the SQL file); return the cache
    path. Written under a temporary name and renamed when complete."""
    from .measures.engine import write_all

    cache = measures_cache(manifest, root)
    if cache.is_file():
        return cache
    with exclusive(cache):  # another process may be aggregating it: wait, then look again
        if cache.is_file():
            return cache
        partial = cache.with_name(f"{cache.name}.{os.getpid()}.partial")
        try:
            write_all(folder, partial, engine)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        partial.replace(cache)
    return cache


def prepare(
    area_code: str,
    seed: int,
    root: Path | None = None,
    progress: Callable[[str], None] | None = None,
    engine: str = "duckdb",
    starting: Callable[[], None] | None = None,
) -> tuple[dict[str, Any], Path]:
    """Make sure the extract exists and is intact and its measures are cached (aggregated on
    ``engine`` when not); return the manifest and the cache path (the build's data step).
    ``starting``, if given, is called before the slow steps (generating the synthetic extract,
    aggregating the measures), each time one of them is about to run."""
    manifest = ensure_extract(area_code, seed, root, progress, starting)
    cache = measures_cache(manifest, root)
    if not cache.is_file():
        if progress is not None:
            progress(f"aggregating the measures on {'Spark' if engine == 'spark' else 'DuckDB'}")
        if starting is not None:
            starting()
    return manifest, compute_measures(extract_folder(area_code, root), manifest, root, engine)


def measures(
    query: str | None = None,
    *,
    area_code: str = "E09000015",
    seed: int = 20220401,
    root: Path | None = None,
    **where: object,
) -> pd.DataFrame:
    """Aggregate rows from the cached measures (computed if absent), for one SQL file
    (``query``, e.g. ``"acsc_admissions"``) or all, filtered on equal column values
    (``measure=``, ``period=``, ``area_type=``, ``breakdown=``...).

    Columns: measure, period, period_type, area_type, area_code, breakdown, breakdown_value,
    numerator, denominator, query. Unsuppressed: apply disclosure control before display.
    """
    root = root or project_root()
    key = (area_code, seed, str(root))
    if key not in _CACHES:
        _CACHES[key] = prepare(area_code, seed, root)[1]
    cache = _CACHES[key]
    file, groups = _row_groups(cache)
    columns = file.schema_arrow.names
    unknown = sorted(set(where) - set(columns))
    if unknown:
        raise InputError(
            f"cannot filter measures on {unknown[0]!r}",
            column=unknown[0],
            rule=f"one of {', '.join(columns)}",
        )
    if query:
        measure = where.get("measure")
        chosen = [
            index
            for (name, each), indices in groups.items()
            if name == query and (measure is None or each == measure)
            for index in indices
        ]
        table = file.read_row_groups(sorted(chosen))
        rest = [pc.field(column) == value for column, value in where.items() if column != "measure"]
        frame = (table.filter(functools.reduce(operator.and_, rest)) if rest else table).to_pandas()
    else:
        filters = [(column, "==", value) for column, value in where.items()]
        frame = pd.read_parquet(cache, filters=filters or None)
    if query and frame.empty and not where:
        raise InputError(
            f"no measure rows for query {query!r}",
            file=str(cache),
            column="query",
            rule="measure exists",
        )
    return frame.reset_index(drop=True)


def _row_groups(cache: Path) -> tuple[pq.ParquetFile, RowGroups]:
    """The measure cache opened once per process, with its row groups by (query, measure),
    from their statistics (``measures.engine`` writes one row group per measure, and its
    source is in the cache's name, so every cache has that layout): a read of
    one measure then decodes its row group only, with none of the filtering machinery of
    ``pd.read_parquet(filters=...)`` (about 5 ms a read, not 23 ms, at Harrow)."""
    stat = cache.stat()
    key = (cache, stat.st_mtime_ns, stat.st_size)
    if key not in _ROW_GROUPS:
        file = pq.ParquetFile(cache)
        names = file.schema_arrow.names
        query, measure = names.index("query"), names.index("measure")
        groups: RowGroups = {}
        for index in range(file.metadata.num_row_groups):
            group = file.metadata.row_group(index)
            if group.num_rows:
                bounds = (group.column(query).statistics, group.column(measure).statistics)
                groups.setdefault((bounds[0].min, bounds[1].min), []).append(index)
        _ROW_GROUPS[key] = (file, groups)
    return _ROW_GROUPS[key]


def describe_source(source: Source) -> str:
    """The named extract in a few words: provider and extraction date, or synthetic."""
    if source.provider is None:
        return "synthetic, made by the generator"
    return f"{source.provider}, extracted {source.extracted}"


def origin() -> str:
    """Where the run's person-level figures come from, for a source line: "Synthetic
    WSIC-shaped extract", or a real extract's provider and extraction date."""
    source = current_source()
    if source is None or source.provider is None:
        return "Synthetic WSIC-shaped extract"
    return f"Extract from {source.provider}, extracted {source.extracted}"


def data_kind() -> str:
    """The run's person-level data in two or three words, e.g. beside "Key messages":
    "synthetic data", or a real extract's provider and extraction date."""
    source = current_source()
    if source is None or source.provider is None:
        return "synthetic data"
    return f"{source.provider} data, extracted {source.extracted}"


def synthetic_label(area_code: str, seed: int) -> str:
    """One sentence labelling figures drawn from the run's extract: the synthetic
    generator's seed and calibration (for the run's ``area_code`` and ``synthetic_seed``, or
    those of a named synthetic extract's manifest), or, for a real extract the ``extract``
    parameter names, its provider and extraction date (the only place either label is made)."""
    from .synth import GENERATOR_VERSION
    from .synth.calibration import NWL_BOROUGHS

    source = current_source()
    if source is not None and source.provider is not None:
        taken = date.fromisoformat(source.extracted or "").strftime("%-d %B %Y")
        return (
            f"Data: the person-level extract provided by {source.provider}, extracted on "
            f"{taken}, aggregated before publication; no person's record is shown."
        )
    if source is not None:
        manifest = read_manifest(source.path)
        area_code, seed = str(manifest.get("area", area_code)), int(manifest.get("seed", seed))

    calibration = (
        "calibrated to published Harrow (E09000015) figures"
        if area_code == HARROW
        else f"with {NWL_BOROUGHS.get(area_code, (area_code,))[0]}'s registered list sizes "
        "and rates from the model calibrated to Harrow's published figures (not to this "
        "borough's)"
    )
    return (
        f"Synthetic data: generated by bbp_analysis.synth {GENERATOR_VERSION} (seed {seed}) "
        f"in the shape of the NW London WSIC extract, {calibration}; no real person's record."
    )


DATA_LABEL = re.compile(
    r"\s*(?:Synthetic data: generated by bbp_analysis\.synth .*?no real person's record\."
    r"|Data: the person-level extract provided by .*?no person's record is shown\.)"
)
"""Either sentence :func:`synthetic_label` makes, with the space before it."""


def without_data_label(text: str) -> str:
    """``text`` without the data label (:func:`synthetic_label`): a page states it once, in
    its "About the data" banner, so captions and notes do not repeat it."""
    return DATA_LABEL.sub("", text).strip()


def source_phrase(area_code: str, seed: int) -> str:
    """The run's extract as a passport names it: "the synthetic extract (generator 1.1.0,
    seed 20220401)", or a real extract's provider and extraction date."""
    from .synth import GENERATOR_VERSION

    source = current_source()
    if source is not None and source.provider is not None:
        taken = date.fromisoformat(source.extracted or "").strftime("%-d %B %Y")
        return f"the extract provided by {source.provider} on {taken}"
    if source is not None:
        seed = int(read_manifest(source.path).get("seed", seed))
    return f"the synthetic extract (bbp_analysis.synth {GENERATOR_VERSION}, seed {seed})"


def data_inputs(area_code: str, seed: int, root: Path | None = None) -> list[Path]:
    """Every data file a notebook may read for ``area_code``: the extract's manifest (which
    hashes its tables; for a named extract, with its provider and date, in the build cache),
    the cached measures and the project's data folders other than the
    synthetic extracts (reference tables, delivery tracker). Run :func:`prepare` first."""
    root = root or project_root()
    folder = extract_folder(area_code, root)
    manifest = folder_manifest(folder, root)
    others = [p for p in (root / "data").iterdir() if p.name != "synthetic"]
    described = folder / MANIFEST
    named = current_source()
    if named is not None:  # the named extract: its manifest and provenance (labels change)
        text = json.dumps({"source": asdict(named), "manifest": manifest}, sort_keys=True)
        key = hashlib.sha256(text.encode()).hexdigest()[:24]
        described = build_dir(root) / "cache" / "extracts" / f"source-{key}.json"
        described.parent.mkdir(parents=True, exist_ok=True)
        described.write_text(text, encoding="utf-8")
    return [described, measures_cache(manifest, root), *others]


def borough_parameters(area: str) -> dict[str, str]:
    """``area_code`` and ``area_name`` of a NW London borough given by LA code (for
    ``bbp build --area``); InputError naming the eight codes otherwise."""
    from .synth.calibration import NWL_BOROUGHS

    if area not in NWL_BOROUGHS:
        known = ", ".join(f"{code} ({name})" for code, (name, _) in sorted(NWL_BOROUGHS.items()))
        raise InputError(
            f"{area!r} is not a NW London borough (known: {known})",
            file="command line --area",
            column="area",
            rule="NWL borough",
        )
    return {"area_code": area, "area_name": NWL_BOROUGHS[area][0]}


@contextmanager
def eight_borough_source() -> Iterator[None]:
    """Within the block (and in kernels started in it) boroughs' extracts are cut from the
    eight-borough extract (``$BBP_EXTRACT_SOURCE=NWL``)."""
    with _environment(SOURCE_ENV, EIGHT_BOROUGHS):
        yield
