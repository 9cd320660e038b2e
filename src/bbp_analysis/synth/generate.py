"""Generate the synthetic WSIC-shaped extract and write it as Parquet with a manifest.

The extract covers the financial years from 2019-20 through the period asked for (by default
the latest period with a file in ``parameters/``); the manifest records them (``periods``).
A one-borough extract is drawn from one ``numpy.random.Generator(PCG64(seed))`` in a fixed
order; an extract of several boroughs is drawn, sorted and written one borough at a time,
each from its own child of ``SeedSequence(seed)`` (:func:`iter_tables`), so its memory is
that of its largest borough. Rows are sorted on fixed keys and files are written with fixed
settings (zstd level 3, no timestamps, no pandas metadata), so the same arguments give
byte-identical files.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..errors import InputError
from ..extract import sha256_file, write_json
from ..params import latest_period
from ..paths import synthetic_dir
from ..validation import Schema, reject_first, validate_frame
from . import GENERATOR_VERSION
from .calibration import HARROW, diabetes_nine_cp_practices, window
from .comparators import comparators
from .conditions import CONDITIONS, add_care_home_and_carers, add_conditions, add_frailty
from .events import ae_attendances, apc_spells, window_end
from .geography import area_codes, lsoas, practices
from .interventions import interventions_table
from .lifecycle import add_exits
from .population import COHORT_DATE, cohort_and_leavers, person_ids, pseudonymous_ids
from .programmes import (
    cancer_diagnosis_years,
    care_processes,
    hypertension_control,
    programmes,
)
from .schema import SCHEMAS
from .surveys import citizen_survey, gpps_responses, oral_health_survey, staff_and_workforce

ESP_FILE = Path(__file__).resolve().parent.parent / "stats" / "esp2013.csv"


def _esp() -> pd.Series:
    frame = pd.read_csv(ESP_FILE)
    return frame.set_index("age_band")["population"].astype(float)


def _people(
    area: str, scale: float, years: tuple[str, ...], rng: np.random.Generator
) -> pd.DataFrame:
    """Everyone registered in the window of ``years``, with conditions, frailty, exits and
    deaths."""
    prac, lsoa = practices(area), lsoas(area)
    people = cohort_and_leavers(prac, lsoa, scale, rng)
    people, intercepts = add_conditions(people, rng)
    people, cuts = add_frailty(people, rng)
    people = add_care_home_and_carers(people, rng)

    def joiner_conditions(frame: pd.DataFrame) -> pd.DataFrame:
        frame, _ = add_conditions(frame, rng, intercepts)
        frame, _ = add_frailty(frame, rng, cuts)
        return add_care_home_and_carers(frame, rng)

    people = add_exits(people, prac, lsoa, window_end(years), rng, joiner_conditions)
    for col in people.columns:  # object columns sharing one str per value: cheap to_numpy
        if pd.api.types.is_string_dtype(people[col]) or people[col].dtype == object:
            codes, uniques = pd.factorize(people[col])
            values = np.append(np.asarray(uniques, dtype=object), None)
            people[col] = pd.Series(values[codes], index=people.index, dtype=object)
    return people


def _segment(people: pd.DataFrame, spells: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
    """Bridges to Health segment at the cohort date, highest need wins: 8 frailty & dementia,
    7 organ failure, 6 incurable cancer, 5 disability, 4 long-term conditions, 3 acutely ill
    (emergency admission in the prior 12 months), 2 maternal & infant (under 1), 1 healthy."""
    n = len(people)
    frail = np.isin(people["frailty"].to_numpy(), ["moderate", "severe"])
    recent = np.zeros(n, dtype=bool)
    emergency = spells[spells["admimeth"].str.startswith("2").to_numpy()]
    window = (emergency["admission_date"] < COHORT_DATE) & (
        emergency["admission_date"] >= COHORT_DATE - np.timedelta64(365, "D")
    )
    recent[emergency.loc[window.to_numpy(), "pidx"].to_numpy()] = True
    flags = {c: people[c].to_numpy() for c in CONDITIONS}
    advanced_cancer = flags["cancer"] & (rng.random(n) < 0.1)
    any_ltc = np.logical_or.reduce([flags[c] for c in CONDITIONS])
    return np.select(
        [
            flags["dementia"] | frail,
            flags["heart_failure"] | flags["copd"],
            advanced_cancer,
            flags["learning_disability"],
            any_ltc,
            recent,
            people["age_c"].to_numpy() == 0,
        ],
        [8, 7, 6, 5, 4, 3, 2],
        1,
    )


def _order(frame: pd.DataFrame, keys: list[str], id_numbers: np.ndarray) -> np.ndarray:
    """Row order sorting on ``keys`` (``person_id`` sorts by its number, strings by value)."""
    columns = []
    for key in keys:
        if key == "person_id":
            columns.append(id_numbers[frame["pidx"].to_numpy()])
            continue
        values = frame[key]
        if pd.api.types.is_datetime64_any_dtype(values) or values.dtype.kind in "biuf":
            columns.append(
                values.to_numpy().astype(np.int64)
                if values.dtype.kind == "M"
                else values.to_numpy()
            )
        else:
            columns.append(pd.factorize(values, sort=True)[0])
    return np.lexsort(columns[::-1])


CHUNK_ROWS = 2 * 1024 * 1024  # rows built, checked and written at a time: two Parquet row groups


@dataclasses.dataclass(frozen=True)
class _Ids:
    """Persons' identifiers: ``strings`` (``P`` + 8 digits) and their ``numbers``, indexed by
    ``pidx``."""

    strings: pa.Array
    numbers: np.ndarray

    @classmethod
    def of(cls, ids: np.ndarray) -> _Ids:
        return cls(pa.array(ids, type=pa.string()), np.char.lstrip(ids, "P").astype(np.int64))

    @classmethod
    def none(cls) -> _Ids:
        """For a table with no person column."""
        return cls(pa.array([], type=pa.string()), np.empty(0, dtype=np.int64))


#: Each table's row order (sort keys; none: as drawn) and the sequential identifier it is
#: given after sorting, as (column, prefix), if any.
ORDER: dict[str, tuple[list[str], tuple[str, str] | None]] = {
    "persons": (["person_id"], None),
    "apc_spells": (
        [
            "person_id",
            "admission_date",
            "discharge_date",
            "admimeth",
            "primary_diagnosis",
            "provider_code",
        ],
        ("spell_id", "S"),
    ),
    "ae_attendances": (
        ["person_id", "arrival_date", "department_type", "disposal"],
        ("attendance_id", "A"),
    ),
    "care_processes": (["person_id", "fin_year"], None),
    "hypertension_control": (["person_id", "fin_year"], None),
    "programmes": (["person_id", "fin_year", "programme"], None),
    "gpps_responses": (
        [
            "fin_year",
            "practice_code",
            "age_band",
            "sex",
            "ethnic_group",
            "imd_decile",
            "appointment_experience",
            "weight",
        ],
        ("response_id", "G"),
    ),
    "citizen_survey": (["fin_year", "person_id"], ("response_id", "C")),
    "oral_health_survey": (["fin_year", "person_id"], None),
    "staff_survey": ([], ("response_id", "T")),
    "workforce": ([], None),
    "interventions": ([], None),
    "comparators": ([], None),
}


def _tables(frame: pd.DataFrame, name: str, ids: _Ids, first: int = 0) -> Iterator[pa.Table]:
    """Arrow tables of ``frame``'s rows in table ``name``'s :data:`ORDER`, :data:`CHUNK_ROWS`
    at a time, in schema column order; ``pidx`` becomes ``person_id``; sequential identifiers
    count from ``first + 1``. A table is cut into chunks only when rows sharing its unique key
    are next to each other (:func:`_adjacent`), so a check of each chunk and of each boundary
    between chunks is a check of the whole table."""
    keys, numbered = ORDER[name]
    order = _order(frame, keys, ids.numbers) if keys else np.arange(len(frame))
    step = CHUNK_ROWS if _adjacent(name) else max(len(frame), 1)
    for start in range(0, max(len(frame), 1), step):
        rows = frame.iloc[order[start : start + step]]
        yield _arrow(rows, name, ids.strings, numbered, first + start)


def _adjacent(name: str) -> bool:
    """Whether rows sharing table ``name``'s unique key are next to each other in its
    :data:`ORDER` (the key leads the sort, or is the sequential identifier)."""
    keys, numbered = ORDER[name]
    unique = list(SCHEMAS[name].unique_key)
    return unique == keys[: len(unique)] or (numbered is not None and unique == [numbered[0]])


def _arrow(
    frame: pd.DataFrame,
    name: str,
    ids: pa.Array,
    numbered: tuple[str, str] | None,
    start: int,
) -> pa.Table:
    """Arrow table of ``frame`` in schema column order (see :func:`_tables`); sequential
    identifiers count from ``start + 1``."""
    columns: dict[str, pa.Array] = {}
    for col in SCHEMAS[name].columns:
        if numbered is not None and col.name == numbered[0]:
            numbers = np.arange(start + 1, start + len(frame) + 1).astype(str)
            columns[col.name] = pa.array(np.char.add(numbered[1], np.char.zfill(numbers, 9)))
        elif col.name == "person_id" and "pidx" in frame.columns:
            columns[col.name] = ids.take(pa.array(frame["pidx"].to_numpy()))
        elif col.dtype == "date":
            columns[col.name] = pa.array(
                frame[col.name].to_numpy().astype("datetime64[D]"), type=pa.date32()
            )
        elif col.dtype == "int":
            values = frame[col.name]
            columns[col.name] = pa.array(
                values.to_numpy(dtype=np.int64, na_value=0),
                type=pa.int64(),
                mask=values.isna().to_numpy(),
            )
        elif col.dtype == "float":
            columns[col.name] = pa.array(frame[col.name].to_numpy(dtype=float))
        elif col.dtype == "bool":
            columns[col.name] = pa.array(frame[col.name].to_numpy(dtype=bool))
        else:
            values = frame[col.name]
            if isinstance(values.dtype, pd.CategoricalDtype):
                codes = pa.array(values.cat.codes.to_numpy(dtype=np.int32))
                labels = pa.array(list(values.cat.categories), type=pa.string())
                columns[col.name] = pa.DictionaryArray.from_arrays(codes, labels).cast(pa.string())
            else:
                columns[col.name] = pa.array(values, type=pa.string(), from_pandas=True)
    return pa.table(columns)


@dataclasses.dataclass(frozen=True)
class _Rows:
    """One table's rows drawn for one borough, before sorting: ``pidx`` indexes ``ids``."""

    name: str
    frame: pd.DataFrame
    ids: _Ids


#: Tables sorted on ``fin_year`` first: small, so every borough's rows are kept and the
#: table is sorted and written once all are drawn.
SURVEYS = ("gpps_responses", "citizen_survey", "oral_health_survey")
PERSON_BLOCK = 10**7  # identifiers per borough in an extract of several boroughs


def _borough_rows(
    borough: str,
    scale: float,
    years: tuple[str, ...],
    rng: np.random.Generator,
    block: int | None,
) -> Iterator[_Rows]:
    """The person-level tables of one borough (persons to surveys), one at a time, each
    drawn only when asked for. Its persons are numbered within block ``block`` of
    :data:`PERSON_BLOCK` numbers, or anywhere below 10^8 when ``block`` is None (an extract
    of one borough)."""
    people = _people(borough, scale, years, rng)
    people["cancer_diagnosis_year"] = cancer_diagnosis_years(people, years, rng)
    first, span = (0, 10**8) if block is None else (block * PERSON_BLOCK, PERSON_BLOCK)
    raw_ids = pseudonymous_ids(len(people), rng, first, span)
    people["person_id"] = raw_ids
    ids = _Ids.of(raw_ids)
    del raw_ids
    people["pidx"] = np.arange(len(people))
    table_interventions = interventions_table()
    spells = apc_spells(people, table_interventions, _esp(), years, rng)
    attendances = ae_attendances(people, spells, years, rng)
    people["segment_b2h"] = _segment(people, spells, rng)
    yield _Rows("persons", people, ids)
    yield _Rows("apc_spells", spells, ids)
    del spells
    yield _Rows("ae_attendances", attendances, ids)
    del attendances
    nine_cp = diabetes_nine_cp_practices()
    yield _Rows(
        "care_processes", care_processes(people, table_interventions, nine_cp, years, rng), ids
    )
    yield _Rows("hypertension_control", hypertension_control(people, years, rng), ids)
    yield _Rows("programmes", programmes(people, years, rng), ids)
    yield _Rows("gpps_responses", gpps_responses(people, scale, years, rng), ids)
    yield _Rows("citizen_survey", citizen_survey(people, scale, years, rng), ids)
    yield _Rows("oral_health_survey", oral_health_survey(people, scale, years, rng), ids)


def _with_person_numbers(rows: _Rows) -> pd.DataFrame:
    """``rows.frame`` with ``pidx`` replaced by the person's number (kept across boroughs)."""
    if "pidx" not in rows.frame.columns:
        return rows.frame
    return rows.frame.assign(pidx=rows.ids.numbers[rows.frame["pidx"].to_numpy()])


def _renumbered(frames: list[pd.DataFrame]) -> tuple[pd.DataFrame, _Ids]:
    """Boroughs' rows of one table (``pidx`` = person number, see
    :func:`_with_person_numbers`) as one frame whose ``pidx`` indexes the returned ids."""
    frame = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
    if "pidx" not in frame.columns:
        return frame, _Ids.none()
    numbers = frame["pidx"].to_numpy()
    frame = frame.assign(pidx=np.arange(len(frame)))
    return frame, _Ids(pa.array(person_ids(numbers), type=pa.string()), numbers)


def iter_tables(
    area: str, scale: float, seed: int, years: tuple[str, ...]
) -> Iterator[tuple[str, pa.Table]]:
    """The extract's tables for the financial years ``years`` (:func:`.calibration.window`)
    as (name, Arrow table of at most :data:`CHUNK_ROWS` of its rows), in each table's order.

    Streamed by borough: one borough's people and person-level tables are drawn, sorted and
    handed on before the next borough is drawn, so memory does not grow with the number of
    boroughs. A one-borough extract draws everything from ``PCG64(seed)``; in one of several
    boroughs each borough draws from its own child of ``SeedSequence(seed)`` and its persons
    are numbered in a block of :data:`PERSON_BLOCK` (boroughs in code order), so tables
    sorted on ``person_id`` are sorted across boroughs too. Survey tables (:data:`SURVEYS`)
    and the area's staff, workforce, interventions and comparator tables come last."""
    if not (0 < scale <= 10):
        raise InputError(
            f"scale must be in (0, 10], got {scale}",
            file="generate() arguments",
            column="scale",
            rule="range",
        )
    boroughs = area_codes(area)
    area_rng = np.random.Generator(np.random.PCG64(seed))
    if len(boroughs) == 1:
        draws: list[tuple[np.random.Generator, int | None]] = [(area_rng, None)]
    else:
        children = np.random.SeedSequence(seed).spawn(len(boroughs))
        draws = [(np.random.Generator(np.random.PCG64(c)), k) for k, c in enumerate(children)]
    written: dict[str, int] = {}  # rows handed on per table: numbering continues across boroughs
    surveys: dict[str, list[pd.DataFrame]] = {}
    for borough, (rng, block) in zip(boroughs, draws, strict=True):
        for rows in _borough_rows(borough, scale, years, rng, block):
            if rows.name in SURVEYS:
                surveys.setdefault(rows.name, []).append(_with_person_numbers(rows))
                continue
            for chunk in _tables(rows.frame, rows.name, rows.ids, written.get(rows.name, 0)):
                written[rows.name] = written.get(rows.name, 0) + chunk.num_rows
                yield rows.name, chunk
    for name, frames in surveys.items():
        frame, ids = _renumbered(frames)
        frames.clear()
        for chunk in _tables(frame, name, ids):
            yield name, chunk
    staff, workforce = staff_and_workforce(boroughs, years, area_rng)
    for name, frame in (
        ("staff_survey", staff),
        ("workforce", workforce),
        ("interventions", interventions_table()),
        ("comparators", comparators(years, area_rng)),
    ):
        for chunk in _tables(frame, name, _Ids.none()):
            yield name, chunk


def build_tables(area: str, scale: float, seed: int, years: tuple[str, ...]) -> dict[str, pa.Table]:
    """All extract tables in memory (see :func:`iter_tables`)."""
    chunks: dict[str, list[pa.Table]] = {}
    for name, chunk in iter_tables(area, scale, seed, years):
        chunks.setdefault(name, []).append(chunk)
    return {name: pa.concat_tables(parts) for name, parts in chunks.items()}


VALIDATE_ROWS = 2_000_000  # rows checked at a time: bounds the pandas copy of a large table


def validate_table(name: str, table: pa.Table, years: tuple[str, ...]) -> None:
    """Check one table against its declared schema and its ``fin_year`` values against the
    years generated (raises InputError naming the rule). A table longer than
    :data:`VALIDATE_ROWS` is checked a slice at a time (rows numbered in the whole table),
    and its unique key on dictionary codes, so memory does not grow with its length."""
    schema = SCHEMAS[name]
    if table.num_rows <= VALIDATE_ROWS or schema.checks:
        _validate_slice(name, schema, table, years, 0)
        return
    per_slice = dataclasses.replace(schema, unique_key=())
    for offset in range(0, table.num_rows, VALIDATE_ROWS):
        _validate_slice(name, per_slice, table.slice(offset, VALIDATE_ROWS), years, offset)
    if schema.unique_key:
        codes = pd.DataFrame(
            {
                col: pc.fill_null(pc.dictionary_encode(table[col]).combine_chunks().indices, -1)
                for col in schema.unique_key
            }
        )
        key = ", ".join(schema.unique_key)
        reject_first(
            codes.duplicated(keep="first"),
            lambda _: f"duplicate of an earlier row on ({key})",
            file=f"{name}.parquet",
            column=schema.unique_key[0],
            rule="unique key",
        )


def _validate_slice(
    name: str, schema: Schema, table: pa.Table, years: tuple[str, ...], offset: int
) -> None:
    """:func:`validate_table` on rows ``offset`` onwards; row numbers count from the table's
    first row."""
    try:
        frame = validate_frame(table.to_pandas(), schema, file=f"{name}.parquet")
        if "fin_year" in frame.columns:
            reject_first(
                ~frame["fin_year"].isin(years),
                lambda i: f"{frame['fin_year'].iloc[i]!r} is outside {years[0]} to {years[-1]}",
                file=f"{name}.parquet",
                column="fin_year",
                rule="period within the extract",
            )
    except InputError as error:
        if offset == 0 or error.row is None:
            raise
        raise InputError(
            error.detail,
            file=error.file,
            row=error.row + offset,
            column=error.column,
            rule=error.rule,
        ) from None


def validate_tables(tables: dict[str, pa.Table], years: tuple[str, ...]) -> None:
    """Check every table against its declared schema and the years generated."""
    for name, table in tables.items():
        validate_table(name, table, years)


def _first_repeat(keys: pa.Table) -> int | None:
    """Index of the first row equal to the row before it on every column of ``keys`` (two
    missing values count as equal), or None."""
    same = pa.chunked_array([np.ones(max(keys.num_rows - 1, 0), dtype=bool)])
    for column in keys.columns:
        later, earlier = column.slice(1), column.slice(0, max(keys.num_rows - 1, 0))
        equal = pc.fill_null(pc.equal(later, earlier), False)
        both_missing = pc.and_(pc.is_null(later), pc.is_null(earlier))
        same = pc.and_(same, pc.or_(equal, both_missing))
    hits = np.flatnonzero(same.to_numpy())
    return int(hits[0]) + 1 if len(hits) else None


class _Writer:
    """One table's Parquet file, written a chunk at a time (each checked first when
    ``validate``, its unique key also across the boundary with the previous chunk). Chunks
    of one table written in one go give the file :func:`pyarrow.parquet.write_table` writes
    for the whole table (same settings, same row groups)."""

    def __init__(self, path: Path, name: str, years: tuple[str, ...], validate: bool) -> None:
        self.path, self.name, self.years, self.validate = path, name, years, validate
        self.rows = 0
        self._writer: pq.ParquetWriter | None = None
        self._last_key: dict[str, object] | None = None

    def write(self, chunk: pa.Table) -> None:
        """Check and append ``chunk`` (an empty chunk after the first adds nothing)."""
        if self._writer is not None and chunk.num_rows == 0:
            return
        if self.validate:
            self._check(chunk)
        if self._writer is None:
            self._writer = pq.ParquetWriter(
                self.path,
                chunk.schema,
                compression="zstd",
                compression_level=3,
                write_statistics=True,
                store_schema=False,
            )
        self._writer.write_table(chunk)
        self.rows += chunk.num_rows

    def _check(self, chunk: pa.Table) -> None:
        """The chunk's schema and years; its unique key by comparing each row with the one
        before it when rows sharing a key are next to each other (:func:`_adjacent`; the
        same first duplicate as a check of the whole key, without hashing it)."""
        schema, adjacent = SCHEMAS[self.name], _adjacent(self.name)
        unique = list(schema.unique_key)
        if adjacent:
            schema = dataclasses.replace(schema, unique_key=())
        _validate_slice(self.name, schema, chunk, self.years, self.rows)
        if not unique or chunk.num_rows == 0:
            return
        keys = chunk.select(unique)
        repeat = _first_repeat(keys) if adjacent else None
        if self._last_key is not None and keys.slice(0, 1).to_pylist() == [self._last_key]:
            repeat = 0
        if repeat is not None:
            raise InputError(
                f"duplicate of an earlier row on ({', '.join(unique)})",
                file=f"{self.name}.parquet",
                row=self.rows + repeat + 1,
                column=unique[0],
                rule="unique key",
            )
        self._last_key = keys.slice(chunk.num_rows - 1).to_pylist()[0]

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None


def generate(
    area: str = HARROW,
    scale: float = 1.0,
    seed: int = 20220401,
    out_dir: Path | str | None = None,
    validate: bool = True,
    through: str | None = None,
) -> dict[str, Path]:
    """Write the extract for ``area`` (a NW London borough LA code, or ``"NWL"`` for all
    eight) with list sizes x ``scale``, covering 2019-20 through period ``through`` (default:
    the latest period with a parameters file); returns table name -> Parquet path, plus
    ``"manifest"``. Default folder: ``synthetic_dir() / area``. Tables are written under a
    temporary name and renamed only when every table has been built (and validated)."""
    years = window(through or latest_period())
    folder = Path(out_dir) if out_dir is not None else synthetic_dir() / area
    folder.mkdir(parents=True, exist_ok=True)
    writers: dict[str, _Writer] = {}
    try:
        # each chunk is checked and written in a second thread while the next is drawn (the
        # Parquet encoder and much of the checking release the interpreter lock); one chunk
        # at a time, so the files and any refusal are those of writing in turn
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="bbp-synth-writer") as pool:
            writing: Future[None] | None = None
            for name, chunk in iter_tables(area, scale, seed, years):
                if name not in writers:
                    path = folder / f"{name}.parquet.partial"
                    writers[name] = _Writer(path, name, years, validate)
                if writing is not None:
                    writing.result()
                writing = pool.submit(writers[name].write, chunk)
            if writing is not None:
                writing.result()
        for writer in writers.values():
            writer.close()
    except BaseException:
        for writer in writers.values():
            writer.close()
            writer.path.unlink(missing_ok=True)
        raise
    paths = {name: w.path.replace(folder / f"{name}.parquet") for name, w in writers.items()}
    rows = {name: writer.rows for name, writer in writers.items()}
    manifest = {
        "generator": "bbp_analysis.synth",
        "generator_version": GENERATOR_VERSION,
        "synthetic": True,
        "seed": seed,
        "area": area,
        "scale": scale,
        "periods": list(years),
        "tables": {
            name: {"file": path.name, "rows": rows[name], "sha256": sha256_file(path)}
            for name, path in sorted(paths.items())
        },
    }
    manifest_path = folder / "manifest.json"
    write_json(manifest_path, manifest)
    paths["manifest"] = manifest_path
    return paths


__all__ = ["build_tables", "generate", "iter_tables", "validate_table", "validate_tables"]
