"""Generate the synthetic WSIC-shaped extract and write it as Parquet with a manifest.

The extract covers the financial years from 2019-20 through the period asked for (by default
the latest period with a file in ``parameters/``); the manifest records them (``periods``).
Everything is drawn from one ``numpy.random.Generator(PCG64(seed))`` in a fixed order, rows
are sorted on fixed keys and files are written with fixed settings (zstd level 3, no
timestamps, no pandas metadata), so the same arguments give byte-identical files.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..errors import InputError
from ..extract import sha256_file
from ..params import latest_period
from ..paths import synthetic_dir
from ..validation import Schema, reject_first, validate_frame
from . import GENERATOR_VERSION
from .calibration import HARROW, diabetes_nine_cp_practices, window
from .comparators import comparators
from .conditions import CONDITIONS, add_care_home_and_carers, add_conditions, add_frailty
from .events import ae_attendances, apc_spells, window_end
from .geography import lsoas, practices
from .interventions import interventions_table
from .lifecycle import add_exits
from .population import COHORT_DATE, cohort_and_leavers, pseudonymous_ids
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


def _tables(
    frame: pd.DataFrame,
    name: str,
    keys: list[str],
    ids: pa.Array,
    id_numbers: np.ndarray,
    numbered: tuple[str, str] | None = None,
) -> Iterator[pa.Table]:
    """Arrow tables of ``frame``'s rows sorted on ``keys``, :data:`CHUNK_ROWS` at a time, in
    schema column order; ``pidx`` becomes ``person_id``; ``numbered`` = (column, prefix) adds
    sequential identifiers. A table is cut into chunks only where its unique key leads its
    sort order (rows sharing a key are then next to each other), so a check of each chunk and
    of each boundary between chunks is a check of the whole table."""
    order = _order(frame, keys, id_numbers) if keys else np.arange(len(frame))
    unique = list(SCHEMAS[name].unique_key)
    adjacent = unique == keys[: len(unique)] or (numbered is not None and unique == [numbered[0]])
    step = CHUNK_ROWS if adjacent else max(len(frame), 1)
    for start in range(0, max(len(frame), 1), step):
        yield _arrow(frame.iloc[order[start : start + step]], name, ids, numbered, start)


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


def iter_tables(
    area: str, scale: float, seed: int, years: tuple[str, ...]
) -> Iterator[tuple[str, Iterator[pa.Table]]]:
    """The extract's tables for the financial years ``years`` (:func:`.calibration.window`)
    one at a time (name, its rows as Arrow tables of at most :data:`CHUNK_ROWS` rows),
    deterministically ordered; each is built only when asked for, so a writer holds one
    table's source frame and one chunk at a time."""
    if not (0 < scale <= 10):
        raise InputError(
            f"scale must be in (0, 10], got {scale}",
            file="generate() arguments",
            column="scale",
            rule="range",
        )
    rng = np.random.Generator(np.random.PCG64(seed))
    people = _people(area, scale, years, rng)
    people["cancer_diagnosis_year"] = cancer_diagnosis_years(people, years, rng)
    ids = pseudonymous_ids(len(people), rng)
    people["person_id"] = ids
    ids_arr = pa.array(ids, type=pa.string())
    id_numbers = np.char.lstrip(ids, "P").astype(np.int64)
    people["pidx"] = np.arange(len(people))
    table_interventions = interventions_table()
    spells = apc_spells(people, table_interventions, _esp(), years, rng)
    attendances = ae_attendances(people, spells, years, rng)
    people["segment_b2h"] = _segment(people, spells, rng)

    def table(
        frame: pd.DataFrame, name: str, keys: list[str], numbered: tuple[str, str] | None = None
    ) -> Iterator[pa.Table]:
        return _tables(frame, name, keys, ids_arr, id_numbers, numbered)

    yield "persons", table(people, "persons", ["person_id"])
    yield (
        "apc_spells",
        table(
            spells,
            "apc_spells",
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
    )
    del spells
    yield (
        "ae_attendances",
        table(
            attendances,
            "ae_attendances",
            ["person_id", "arrival_date", "department_type", "disposal"],
            ("attendance_id", "A"),
        ),
    )
    del attendances
    yield (
        "care_processes",
        table(
            care_processes(people, table_interventions, diabetes_nine_cp_practices(), years, rng),
            "care_processes",
            ["person_id", "fin_year"],
        ),
    )
    yield (
        "hypertension_control",
        table(
            hypertension_control(people, years, rng),
            "hypertension_control",
            ["person_id", "fin_year"],
        ),
    )
    yield (
        "programmes",
        table(programmes(people, years, rng), "programmes", ["person_id", "fin_year", "programme"]),
    )
    yield (
        "gpps_responses",
        table(
            gpps_responses(people, scale, years, rng),
            "gpps_responses",
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
    )
    yield (
        "citizen_survey",
        table(
            citizen_survey(people, scale, years, rng),
            "citizen_survey",
            ["fin_year", "person_id"],
            ("response_id", "C"),
        ),
    )
    yield (
        "oral_health_survey",
        table(
            oral_health_survey(people, scale, years, rng),
            "oral_health_survey",
            ["fin_year", "person_id"],
        ),
    )
    staff, workforce = staff_and_workforce(sorted(people["borough_code"].unique()), years, rng)
    yield "staff_survey", table(staff, "staff_survey", [], ("response_id", "T"))
    yield "workforce", table(workforce, "workforce", [])
    yield "interventions", table(table_interventions, "interventions", [])
    yield "comparators", table(comparators(years, rng), "comparators", [])


def build_tables(area: str, scale: float, seed: int, years: tuple[str, ...]) -> dict[str, pa.Table]:
    """All extract tables in memory (see :func:`iter_tables`)."""
    return {
        name: pa.concat_tables(chunks) for name, chunks in iter_tables(area, scale, seed, years)
    }


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


def _write(
    path: Path, name: str, chunks: Iterator[pa.Table], years: tuple[str, ...], validate: bool
) -> int:
    """Write table ``name`` chunk by chunk (each checked first when ``validate``) to one
    Parquet file; returns its rows. The file is the one :func:`pyarrow.parquet.write_table`
    writes for the whole table (same settings, same row groups)."""
    rows, writer, last_key = 0, None, None
    unique = list(SCHEMAS[name].unique_key)
    try:
        for chunk in chunks:
            if validate:
                _validate_slice(name, SCHEMAS[name], chunk, years, rows)
                if unique and chunk.num_rows:
                    if last_key is not None and chunk.select(unique).slice(0, 1).to_pylist() == [
                        last_key
                    ]:
                        raise InputError(
                            f"duplicate of an earlier row on ({', '.join(unique)})",
                            file=f"{name}.parquet",
                            row=rows + 1,
                            column=unique[0],
                            rule="unique key",
                        )
                    last_key = chunk.select(unique).slice(chunk.num_rows - 1).to_pylist()[0]
            if writer is None:
                writer = pq.ParquetWriter(
                    path,
                    chunk.schema,
                    compression="zstd",
                    compression_level=3,
                    write_statistics=True,
                    store_schema=False,
                )
            writer.write_table(chunk)
            rows += chunk.num_rows
    finally:
        if writer is not None:
            writer.close()
    return rows


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
    partial: dict[str, Path] = {}
    rows: dict[str, int] = {}
    try:
        for name, chunks in iter_tables(area, scale, seed, years):
            partial[name] = folder / f"{name}.parquet.partial"
            rows[name] = _write(partial[name], name, chunks, years, validate)
    except BaseException:
        for path in partial.values():
            path.unlink(missing_ok=True)
        raise
    paths = {name: path.replace(folder / f"{name}.parquet") for name, path in partial.items()}
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
    manifest_path.write_text(
        json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    paths["manifest"] = manifest_path
    return paths


__all__ = ["build_tables", "generate", "iter_tables", "validate_table", "validate_tables"]
