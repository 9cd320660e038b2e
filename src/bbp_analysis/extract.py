"""The build's person-level data and the aggregate measure tables drawn from it.

The default data are the synthetic WSIC-shaped extract (:mod:`bbp_analysis.synth`), written to
``data/synthetic/<area>/`` with a ``manifest.json`` (seed, generator version, rows and SHA-256
of every Parquet table). :func:`ensure_extract` generates it when absent or stale, and checks
the files against their manifest otherwise. :func:`measures` gives the notebooks the
aggregate tables (numerator and denominator by measure, period, area and breakdown) computed
once per extract and SQL version on DuckDB and cached under ``_build/cache/measures/``: no
person-level row reaches a notebook. Nothing here applies disclosure control; every caller
that displays or writes an aggregate must (:mod:`bbp_analysis.disclosure`).

Other boroughs: with ``$BBP_EXTRACT_SOURCE=NWL`` (set by ``bbp build --area CODE``) a
borough's extract is its part of the eight-borough extract (``data/synthetic/NWL/``): every
table cut to the borough's persons, PCNs and organisations (:func:`write_borough_view`,
in ``data/synthetic/NWL/boroughs/<code>/``); comparator tables are kept whole.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .errors import InputError
from .paths import build_dir, project_root, synthetic_dir
from .validation import Schema

MANIFEST = "manifest.json"
SOURCE_ENV = "BBP_EXTRACT_SOURCE"
EIGHT_BOROUGHS = "NWL"
_CACHES: dict[tuple[str, int, str], Path] = {}  # per process: the extract is checked once
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


def extract_folder(area_code: str, root: Path | None = None) -> Path:
    """Where the synthetic extract for ``area_code`` lives: ``data/synthetic/<area_code>``, or
    ``data/synthetic/NWL/boroughs/<area_code>`` when cut from the eight-borough extract."""
    if from_eight_boroughs() and area_code != EIGHT_BOROUGHS:
        return synthetic_dir(root) / EIGHT_BOROUGHS / "boroughs" / area_code
    return synthetic_dir(root) / area_code


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
    if metadata.num_rows != entry["rows"]:
        raise InputError(
            f"{metadata.num_rows:,} rows; the manifest says {entry['rows']:,}",
            file=path,
            column="rows",
            rule="extract row count",
        )
    if name in SCHEMAS:
        _check_columns(metadata.schema.to_arrow_schema(), SCHEMAS[name], path)
    if sha256_file(path) != entry["sha256"]:
        raise InputError(
            f"table {name!r} differs from its manifest hash (changed after generation; "
            "regenerate with `bbp data synth`)",
            file=path,
            column="sha256",
            rule="extract integrity",
        )
    _VERIFIED.add(key)


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


def check_extract(area_code: str, seed: int, root: Path | None = None) -> str:
    """Check the extract the build would use for ``area_code`` without generating anything,
    taking the decisions :func:`ensure_extract` takes: an existing, current extract (and a
    borough's cut) is verified against its manifest; one that is absent or stale would be
    generated. Returns what was found, for the report; InputError on a damaged extract."""
    folder = extract_folder(area_code, root)
    if from_eight_boroughs() and area_code != EIGHT_BOROUGHS:
        source = check_extract(EIGHT_BOROUGHS, seed, root)
        if not (folder / MANIFEST).is_file():
            return f"{source}; {area_code} will be cut from it"
        manifest = read_manifest(folder)
        source_folder = extract_folder(EIGHT_BOROUGHS, root)
        if not _is_current(source_folder, seed) or manifest.get("source_hash") != extract_hash(
            read_manifest(source_folder)
        ):
            return f"{source}; {area_code} will be cut again"
        verify_extract(folder)
        return f"{source}; {area_code} cut verified ({len(manifest['tables'])} tables)"
    if not (folder / MANIFEST).is_file():
        return f"extract {area_code} absent (the build generates it)"
    if not _is_current(folder, seed):
        return f"extract {area_code} stale (the build regenerates it)"
    manifest = verify_extract(folder)
    return f"extract {area_code} verified ({len(manifest['tables'])} tables)"


def _is_current(folder: Path, seed: int) -> bool:
    from .synth import GENERATOR_VERSION

    if not (folder / MANIFEST).is_file():
        return False
    manifest = read_manifest(folder)
    return (
        manifest.get("seed") == seed
        and manifest.get("scale") == 1.0
        and manifest.get("generator_version") == GENERATOR_VERSION
    )


def ensure_extract(
    area_code: str,
    seed: int,
    root: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """The extract's manifest, generating (and validating) the extract first when it is
    absent or was made with another seed or generator version; an existing one is checked
    against its manifest hashes."""
    folder = extract_folder(area_code, root)
    say = progress or (lambda _message: None)
    if from_eight_boroughs() and area_code != EIGHT_BOROUGHS:
        return _ensure_borough_view(area_code, seed, root, say)
    if _is_current(folder, seed):
        say(f"checking the synthetic extract {folder.relative_to(folder.parents[2])}")
        return verify_extract(folder)
    from .synth.generate import generate

    say(f"generating the synthetic extract for {area_code} (seed {seed})")
    generate(area=area_code, scale=1.0, seed=seed, out_dir=folder, validate=True)
    return verify_extract(folder)


def _ensure_borough_view(
    area_code: str, seed: int, root: Path | None, say: Callable[[str], None]
) -> dict[str, Any]:
    source = ensure_extract(EIGHT_BOROUGHS, seed, root, say)
    folder = extract_folder(area_code, root)
    if (folder / MANIFEST).is_file() and read_manifest(folder).get("source_hash") == (
        extract_hash(source)
    ):
        return verify_extract(folder)
    say(f"cutting {area_code} from the eight-borough extract")
    write_borough_view(extract_folder(EIGHT_BOROUGHS, root), source, area_code, folder)
    return verify_extract(folder)


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
    (out / MANIFEST).write_text(
        json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
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
    cache.parent.mkdir(parents=True, exist_ok=True)
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
) -> tuple[dict[str, Any], Path]:
    """Make sure the extract exists and is intact and its measures are cached (aggregated on
    ``engine`` when not); return the manifest and the cache path (the build's data step)."""
    manifest = ensure_extract(area_code, seed, root, progress)
    cache = measures_cache(manifest, root)
    if not cache.is_file() and progress is not None:
        progress(f"aggregating the measures on {'Spark' if engine == 'spark' else 'DuckDB'}")
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
    columns = pq.read_schema(cache).names
    unknown = sorted(set(where) - set(columns))
    if unknown:
        raise InputError(
            f"cannot filter measures on {unknown[0]!r}",
            column=unknown[0],
            rule=f"one of {', '.join(columns)}",
        )
    filters = [("query", "==", query)] if query else []
    filters += [(column, "==", value) for column, value in where.items()]
    frame = pd.read_parquet(cache, filters=filters or None)
    if query and frame.empty and not where:
        raise InputError(
            f"no measure rows for query {query!r}",
            file=str(cache),
            column="query",
            rule="measure exists",
        )
    return frame.reset_index(drop=True)


def synthetic_label(area_code: str = "E09000015", seed: int = 20220401) -> str:
    """One sentence labelling figures drawn from the synthetic extract."""
    from .synth import GENERATOR_VERSION

    calibration = (
        "calibrated to published Harrow (E09000015) figures"
        if area_code == HARROW
        else f"with {area_code}'s registered list sizes and rates from the model calibrated to "
        "Harrow's published figures (not to this borough's)"
    )
    return (
        f"Synthetic data: generated by bbp_analysis.synth {GENERATOR_VERSION} (seed {seed}) "
        f"in the shape of the NW London WSIC extract, {calibration}; no real person's record."
    )


def data_inputs(area_code: str, seed: int, root: Path | None = None) -> list[Path]:
    """Every data file a notebook may read for ``area_code``: the extract's manifest (which
    hashes its tables), the cached measures and the project's data folders other than the
    synthetic extracts (reference tables, delivery tracker). Run :func:`prepare` first."""
    root = root or project_root()
    manifest = read_manifest(extract_folder(area_code, root))
    others = [p for p in (root / "data").iterdir() if p.name != "synthetic"]
    return [extract_folder(area_code, root) / MANIFEST, measures_cache(manifest, root), *others]


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
    before = os.environ.get(SOURCE_ENV)
    os.environ[SOURCE_ENV] = EIGHT_BOROUGHS
    _CACHES.clear()
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(SOURCE_ENV, None)
        else:
            os.environ[SOURCE_ENV] = before
        _CACHES.clear()
