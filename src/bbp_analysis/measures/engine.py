"""Run the measure SQL files on DuckDB over an extract's Parquet or CSV files.

Each ``sql/<name>.sql`` file starts with a one-line ``-- description`` and may declare, in
further leading comment lines, ``-- period_type: fin_year|month``, ``-- areas: ...``,
``-- breakdowns: ...`` and ``-- expand: <marker> -> <measure>, <measure>, ...``. Its query
returns unit-level rows (``measure, period, borough_code, pcn_name, practice_code``, the
breakdown columns ``age_band, sex, ethnic_group, imd_quintile, imd_decile``
(``organisation`` where declared) and ``numerator``/``denominator`` contributions: integers,
or DECIMAL where fractional, whose sums are exact, so results do not depend on the order
DuckDB's threads add rows in, as sums of doubles do). The engine
sums them in one pass with GROUPING SETS to cells of a few breakdown sets (:func:`host_sets`),
keyed by practice alone for a measure reported by practice, else by its declared area levels
(:func:`cell_keys`); sums each breakdown from those cells (:func:`unit_sql`); then rolls the
cells up to each declared area level in one more GROUPING SETS pass, a practice's PCN and
borough taken from ``practice_areas`` (:func:`rollup_sql`); only these aggregates reach
pandas. A measure declares only the area levels and breakdowns its readers use. Rates and
proportions are numerator / denominator (persons, admissions, or survey weights, as each
file's description says).

``expand`` is for a denominator shared by several measures (and, monthly, by every month of a
financial year): the query gives its rows once, with the marker as ``measure`` and the
financial year as ``period``; they are summed once, to cells and then to every area level,
and only those area-level sums are copied to each listed measure and, for ``period_type:
month``, to each month of that year. The sums equal those of repeating the rows before
aggregation, without multiplying the rows or cells aggregated.

Shared relations available to every query: one view per Parquet table (``persons``,
``apc_spells``, ...); ``fin_years`` (fin_year, start_year, start_date, next_start, mid_date)
and ``months`` (period 'YYYY-MM', month_start, next_month, fin_year) over the periods the
extract covers (its manifest's ``periods``); ``age_bands`` (age 0-130 ->
ESP2013 band "0-4" .. "85-89", "90+"); ``person_years`` (``sql/_person_years.sql``: everyone
registered and alive on 1 October of a financial year, with ``age`` on that date, its
``age_band`` and ``imd_quintile`` = the local quintile); ``population_cells``
(``sql/_population_cells.sql``: person_years counted once per finest cell, with the
condition, age-range and segment counts the population denominators read; declared
``-- materialize: table``, so DuckDB computes it once per connection); ``emergency_spells``
(``sql/_emergency_spells.sql``: emergency admissions with ACSC and falls flags; materialized,
read by eleven measures); and ``practice_areas`` (``sql/_practice_areas.sql``: each
practice's PCN and borough, one row per practice by the contract; materialized). Files whose
name starts with ``_`` define these shared tables, not measures.

The SQL is kept portable (ANSI joins, CASE, EXTRACT, CAST, GROUPING SETS,
``INTERVAL 'n' DAY``) and transpiles to Spark with sqlglot (tested); the table views are the
only DuckDB-specific calls: each contract table's Parquet file, or its CSV file read in place
with the contract's column types (:func:`bbp_analysis.contract.conform.relation`; for
:func:`write_all`, once, into a temporary Parquet copy: :func:`parquet_tables`), its area and
breakdown columns held as text read as ENUM codes of their values (:func:`_code_types`).
:func:`run_all` and :func:`write_all` take ``engine="duckdb"`` (here) or ``"spark"``
(:mod:`.spark`, the same SQL on PySpark).

Memory: the shared relations are views, not tables (except the materialized ones: one row per
cell, per emergency admission or per practice, not per person), so each measure streams the
Parquet files it needs instead of holding the widest relation (``person_years``: every person
column for every year) in memory; the
connection runs with ``memory_limit`` and spills to a temporary folder beyond it;
:func:`write_all` appends each measure's aggregates to one Parquet file as Arrow, never
holding all of them in pandas, from one or two connections (:func:`streams`) that share the
memory limit.
"""

from __future__ import annotations

import contextlib
import itertools
import re
import tempfile
import threading
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .. import periods
from ..contract.conform import parquet_copy, relation, table_file
from ..errors import InputError
from ..extract import covered_periods, manifest_of, persons_in

SQL_DIR = Path(__file__).resolve().parent / "sql"
AREAS = {"borough": "borough_code", "pcn": "pcn_name", "practice": "practice_code"}
BREAKDOWNS = {
    "total": "'total'",
    "age_band": "age_band",
    "sex": "sex",
    "ethnic_group": "ethnic_group",
    "imd_quintile": "CAST(imd_quintile AS VARCHAR)",
    "imd_decile": "CAST(imd_decile AS VARCHAR)",
    "sex_age_band": "sex || ':' || age_band",
    "ethnic_group_sex_age_band": "ethnic_group || ':' || sex || ':' || age_band",
    "imd_quintile_sex_age_band": "CAST(imd_quintile AS VARCHAR) || ':' || sex || ':' || age_band",
    "organisation": "organisation",
    "profile": "profile",
}
STANDARD_BREAKDOWNS = ("total", "age_band", "sex", "ethnic_group", "imd_quintile", "imd_decile")
OUTPUT_COLUMNS = [
    "measure",
    "period",
    "period_type",
    "area_type",
    "area_code",
    "breakdown",
    "breakdown_value",
    "numerator",
    "denominator",
]
ENGINES = ("duckdb", "spark")
MEMORY_LIMIT_MB = 2048  # DuckDB's working memory; beyond it, operators spill to disk
MEMORY_LIMIT = f"{MEMORY_LIMIT_MB}MB"
#: Extracts of up to this many persons are aggregated on two connections side by side, each
#: with half of :data:`MEMORY_LIMIT_MB` (:func:`streams`). Over the default Harrow extract
#: (442,611 persons, 2 cores) one connection kept 1.27 cores busy, many measures being short
#: statements with serial steps between them; two kept 1.76 busy (20.0 s -> 15.5 s, the same
#: file byte for byte). Over eight boroughs (4.2 million) one connection's long statements
#: keep both cores busy already (101 CPU s in 52.9 s), and with half the memory limit each of
#: two connections spills (programmes' sets): 76.6 s, the same file.
SIDE_BY_SIDE_PERSONS = 1_000_000


def _header(path: Path) -> dict[str, str]:
    """Leading ``-- key: value`` comment lines; the first line is the description."""
    lines = path.read_text(encoding="utf-8").splitlines()
    out = {"description": lines[0].removeprefix("--").strip() if lines else ""}
    for line in lines[1:]:
        if not line.startswith("--"):
            break
        key, _, value = line.removeprefix("--").partition(":")
        if value:
            out[key.strip()] = value.strip()
    return out


def list_measures() -> list[str]:
    """Names of the measure files, sorted."""
    return sorted(p.stem for p in SQL_DIR.glob("*.sql") if not p.stem.startswith("_"))


def describe_measures() -> dict[str, str]:
    """Measure file name -> its description (first comment line)."""
    return {name: _header(SQL_DIR / f"{name}.sql")["description"] for name in list_measures()}


def calendar_frames(covered: list[str]) -> dict[str, pd.DataFrame]:
    """The calendar tables over the financial years ``covered``: ``fin_years``, ``months``
    and ``age_bands`` (see module doc)."""
    years = pd.DataFrame({"fin_year": covered})
    years["start_year"] = [periods.start_year(label) for label in covered]
    years["start_date"] = [periods.first_day(label) for label in covered]
    years["next_start"] = [periods.first_day(periods.label(y + 1)) for y in years["start_year"]]
    years["mid_date"] = [periods.mid_day(label) for label in covered]
    starts = pd.date_range(
        years["start_date"].iloc[0], years["next_start"].iloc[-1], freq="MS", inclusive="left"
    )
    months = pd.DataFrame(
        {
            "period": starts.strftime("%Y-%m"),
            "month_start": starts.date,
            "next_month": (starts + pd.offsets.MonthBegin(1)).date,
            "fin_year": [periods.label(y) for y in (starts.year - (starts.month < 4).astype(int))],
        }
    )
    ages = pd.DataFrame({"age": range(131)})
    ages["age_band"] = [
        ("90+" if a >= 90 else f"{a // 5 * 5}-{a // 5 * 5 + 4}") for a in ages["age"]
    ]
    return {"fin_years": years, "months": months, "age_bands": ages}


def _calendar(con: duckdb.DuckDBPyConnection, folder: Path) -> None:
    for name, frame in calendar_frames(covered_periods(manifest_of(folder))).items():
        con.register(f"{name}_df", frame)
        con.execute(f"CREATE TEMP TABLE {name} AS SELECT * FROM {name}_df")
        con.unregister(f"{name}_df")


def shared_views() -> dict[str, str]:
    """The shared relations defined by ``sql/_*.sql``: name -> query (in dependency order)."""
    return {
        p.stem.lstrip("_"): p.read_text(encoding="utf-8") for p in sorted(SQL_DIR.glob("_*.sql"))
    }


def materialized() -> list[str]:
    """The shared relations whose file declares ``-- materialize: table``: a view at first,
    which :func:`_arrow` replaces by a temporary table (computed once per connection) before
    the first measure reading it."""
    return [
        p.stem.lstrip("_")
        for p in sorted(SQL_DIR.glob("_*.sql"))
        if _header(p).get("materialize") == "table"
    ]


def _materialize(con: duckdb.DuckDBPyConnection, sql: str) -> None:
    """Replace the view of each materialized shared relation that ``sql`` names by a table."""
    names = set(re.findall(r"\w+", sql.lower()))
    for name in materialized():
        if (
            name in names
            and con.execute(
                "SELECT 1 FROM duckdb_views() WHERE temporary AND view_name = ?", [name]
            ).fetchall()
        ):
            con.execute(f"DROP VIEW {name}")
            con.execute(f"CREATE TEMP TABLE {name} AS {shared_views()[name]}")


def table_files(folder: Path) -> dict[str, Path]:
    """Each table of the extract contract present in ``folder`` (``<table>.parquet``, else
    ``<table>.csv``); InputError when there is none."""
    from ..contract import load

    files = {name: table_file(folder, name) for name in load().tables}
    found = {name: path for name, path in files.items() if path is not None}
    if not found:
        raise InputError(
            "no extract tables found (<table>.parquet or <table>.csv)",
            file=str(folder),
            rule="contract: table present",
        )
    return found


def _connection(memory_limit: str) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection, no progress bar, working memory capped at
    ``memory_limit`` (spilling to a temporary folder)."""
    con = duckdb.connect(":memory:")
    # Inside a Jupyter kernel DuckDB refuses this setting (no ipywidgets); bars are off there.
    with contextlib.suppress(duckdb.InvalidInputException):
        con.execute("SET enable_progress_bar = false")
    con.execute(f"SET memory_limit = '{memory_limit}'")
    spill = Path(tempfile.gettempdir(), "bbp-duckdb-spill").as_posix().replace("'", "''")
    con.execute(f"SET temp_directory = '{spill}'")
    return con


def _text_columns(con: duckdb.DuckDBPyConnection, source: str) -> list[str]:
    """The VARCHAR columns of the relation ``source``."""
    rows = con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()
    return [name for name, kind, *_ in rows if kind == "VARCHAR"]


def _code_types(con: duckdb.DuckDBPyConnection, text: dict[str, list[str]]) -> dict[str, str]:
    """An ENUM type for each of :data:`GROUPED_COLUMNS` that a relation of ``text`` (relation
    -> its VARCHAR columns) holds as text, its values those found in every such relation,
    sorted: column -> type name. The views read these columns as the type, so that joins
    carry, and GROUP BY hashes, a small integer instead of a string; an ENUM compares with
    text and sorts as its text does, so every result is the same. Every measure over eight
    boroughs (``bench_build.py --only aggregation``, 2 cores, runs alternated): 61.0 and
    61.2 s, peak 2.9 GB, as text; 50.2 and 54.7 s, 2.6 GB, as ENUM; the same file."""
    types = {}
    for column in GROUPED_COLUMNS:
        union = " UNION ALL ".join(
            f'SELECT "{column}" AS v FROM {source}'
            for source, columns in text.items()
            if column in columns
        )
        if not union:
            continue
        found = con.execute(
            f"SELECT DISTINCT v FROM ({union}) WHERE v IS NOT NULL ORDER BY v"
        ).fetchall()
        if found:
            literals = ", ".join("'" + v.replace("'", "''") + "'" for (v,) in found)
            con.execute(f"CREATE TYPE {column}_values AS ENUM ({literals})")
            types[column] = f"{column}_values"
    return types


def connect(
    extract_dir: Path | str,
    memory_limit: str = MEMORY_LIMIT,
    tables: dict[str, Path] | None = None,
) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with the extract's tables (``tables``, else
    :func:`table_files` of the folder) and the shared views; working memory capped at
    ``memory_limit`` (spilling to a temporary folder)."""
    folder = Path(extract_dir)
    files = table_files(folder) if tables is None else tables
    con = _connection(memory_limit)
    # Every result is sorted by its roll-up's ORDER BY, so intermediate tables (``cells``)
    # need not keep their rows' order, which lets DuckDB insert them in parallel chunks.
    con.execute("SET preserve_insertion_order = false")
    sources = {name: relation(path, typed=True) for name, path in files.items()}
    text = {source: _text_columns(con, source) for source in sources.values()}
    coded = _code_types(con, text)
    for name, source in sources.items():
        casts = ", ".join(
            f'CAST("{column}" AS {kind}) AS "{column}"'
            for column, kind in coded.items()
            if column in text[source]
        )
        replace = f" REPLACE ({casts})" if casts else ""
        con.execute(f'CREATE VIEW "{name}" AS SELECT *{replace} FROM {source}')
    _calendar(con, folder)
    for name, query in shared_views().items():
        con.execute(f"CREATE TEMP VIEW {name} AS {query}")
    return con


BREAKDOWN_COLUMNS = {
    "total": (),
    "age_band": ("age_band",),
    "sex": ("sex",),
    "ethnic_group": ("ethnic_group",),
    "imd_quintile": ("imd_quintile",),
    "imd_decile": ("imd_decile",),
    "sex_age_band": ("sex", "age_band"),
    "ethnic_group_sex_age_band": ("ethnic_group", "sex", "age_band"),
    "imd_quintile_sex_age_band": ("imd_quintile", "sex", "age_band"),
    "organisation": ("organisation",),
    "profile": ("profile",),
}
#: The columns a measure's cells are keyed on besides ``measure`` and ``period``: its area
#: levels and breakdowns. :func:`connect` reads the extract's text columns of these names as
#: ENUM (:func:`_code_types`).
GROUPED_COLUMNS = tuple(
    dict.fromkeys([*AREAS.values(), *(c for cs in BREAKDOWN_COLUMNS.values() for c in cs)])
)


def _expansion(header: dict[str, str]) -> tuple[str, list[str]] | None:
    """The ``-- expand: <marker> -> <measure>, ...`` header as (marker, measures)."""
    if "expand" not in header:
        return None
    marker, arrow, targets = header["expand"].partition("->")
    measures = [m.strip() for m in targets.split(",") if m.strip()]
    if not arrow or not marker.strip() or not measures:
        raise InputError(
            f"malformed expand header {header['expand']!r}",
            column="expand",
            rule="-- expand: <marker> -> <measure>, <measure>, ...",
        )
    return marker.strip(), measures


def _spec(
    name: str,
) -> tuple[str, str, list[str], list[str], tuple[str, list[str]] | None]:
    path = SQL_DIR / f"{name}.sql"
    if name.startswith("_") or not path.is_file():
        raise InputError(
            f"unknown measure {name!r} (known: {', '.join(list_measures())})",
            column="name",
            rule="measure catalogue",
        )
    header = _header(path)
    areas = [a.strip() for a in header.get("areas", ",".join(AREAS)).split(",")]
    breakdowns = [
        b.strip() for b in header.get("breakdowns", ",".join(STANDARD_BREAKDOWNS)).split(",")
    ]
    return (
        path.read_text(encoding="utf-8"),
        header.get("period_type", "fin_year"),
        areas,
        breakdowns,
        _expansion(header),
    )


def cell_keys(areas: list[str]) -> list[str]:
    """The columns a measure's cells are keyed on: ``measure, period`` and ``practice_code``
    alone when the measure is reported by practice (the roll-up takes each practice's PCN and
    borough from ``practice_areas``), else the columns of its declared area levels. Hashing
    one short code, not three strings, halved the cells' time (eight boroughs, DuckDB:
    programmes 16.9 s -> 8.8 s, every measure's cells 85.7 s -> 59.1 s with the PCN-level
    measures keyed on their PCN and borough, not on the practice as well)."""
    areas_cols = ["practice_code"] if "practice" in areas else [AREAS[a] for a in areas]
    return ["measure", "period", *areas_cols]


#: Breakdown columns summed together, in one grouping set, when a measure's breakdowns need
#: several of them: a set of a few dozen values per practice costs little more than a set of
#: one column, and each set is a pass over the unit rows (eight boroughs, DuckDB: programmes'
#: five one-column sets 9.1 s, these two 6.8 s; three sets 7.9-8.0 s).
PACKS = (("sex", "age_band"), ("ethnic_group", "imd_quintile", "imd_decile"))


def host_sets(breakdowns: list[str]) -> list[tuple[str, ...]]:
    """The grouping sets (breakdown columns) the unit rows are summed in: the columns of each
    breakdown no other breakdown refines, those within one of :data:`PACKS` merged into one
    set; every breakdown is then summed from the cells of a set holding its columns."""
    columns = {b: set(BREAKDOWN_COLUMNS[b]) for b in breakdowns}
    used = list(dict.fromkeys(c for b in breakdowns for c in BREAKDOWN_COLUMNS[b]))
    hosts = [columns[b] for b in breakdowns if not any(columns[b] < columns[o] for o in breakdowns)]
    for pack in PACKS:
        inside = [h for h in hosts if h and h <= set(pack)]
        if len(inside) > 1:
            hosts = [h for h in hosts if h not in inside] + [set().union(*inside)]
    return [tuple(c for c in used if c in h) for h in hosts]


def unit_sql(base_sql: str, breakdowns: list[str], areas: list[str]) -> str:
    """A measure's unit-level rows summed per cell for each breakdown: columns
    :func:`cell_keys` of ``areas``, ``breakdown, breakdown_value, numerator, denominator``.

    The unit rows pass through GROUPING SETS only for the :func:`host_sets` (``sex_age_band``,
    not ``sex``, ``age_band`` or ``total``); each breakdown that is not one of them is summed
    from the small cells of a set holding its columns. The unit rows are not first summed to
    cells of every breakdown column together: at eight boroughs those cells number a sixth of
    the rows (programmes: 33.0 million rows, 5.6 million cells), and the one large hash table
    cost more than the small one per set (DuckDB, eight boroughs: programmes' cells 46 s ->
    37 s, diabetes care processes' 7.9 s -> 4.8 s; Spark, Harrow: programmes 29.4 s -> 27.2 s;
    tables identical). Nor are programmes first summed once per person-year (one row per
    person and year, a numerator and a denominator column per programme, joined to
    ``person_years`` and summed per set): at eight boroughs that took 55.7 s, and 36.3 s
    without the per-person-year step, against 25.7 s for these cells (DuckDB; the wide sums
    cost more than the rows they save)."""
    source = f"(\n{base_sql.rstrip().rstrip(';')}\n) AS unit_rows"
    keys = ", ".join(cell_keys(areas))
    hosts = host_sets(breakdowns)
    used = list(dict.fromkeys(c for h in hosts for c in h))
    tests = [
        " AND ".join(f"GROUPING({c}) = {0 if c in h else 1}" for c in used) or "1 = 1"
        for h in hosts
    ]
    sets = ", ".join(f"({', '.join([keys, *h])})" for h in hosts)
    sums = "SUM(numerator) AS numerator, SUM(denominator) AS denominator"
    named = {BREAKDOWN_COLUMNS[b]: b for b in breakdowns}
    if len(hosts) == len(breakdowns) and all(h in named for h in hosts):
        labels = " ".join(f"WHEN {t} THEN '{named[h]}'" for h, t in zip(hosts, tests, strict=True))
        values = " ".join(
            f"WHEN {t} THEN {BREAKDOWNS[named[h]]}" for h, t in zip(hosts, tests, strict=True)
        )
        return (
            f"SELECT {keys},\n       CASE {labels} END AS breakdown,\n"
            f"       CASE {values} END AS breakdown_value,\n       {sums}\n"
            f"FROM {source}\nGROUP BY GROUPING SETS ({sets})"
        )
    labels = " ".join(f"WHEN {t} THEN {n}" for n, t in enumerate(tests))
    fine = (
        f"SELECT {', '.join([keys, *used])}, CASE {labels} END AS cell_set, {sums}\n"
        f"FROM {source}\nGROUP BY GROUPING SETS ({sets})"
    )
    parts = []
    for b in breakdowns:
        host = next(n for n, h in enumerate(hosts) if set(BREAKDOWN_COLUMNS[b]) <= set(h))
        group = ", ".join([keys, *BREAKDOWN_COLUMNS[b]])
        parts.append(
            f"SELECT {keys}, '{b}' AS breakdown, {BREAKDOWNS[b]} AS breakdown_value, "
            f"{sums} FROM fine_cells WHERE cell_set = {host} GROUP BY {group}"
        )
    return f"WITH fine_cells AS (\n{fine}\n)\n" + "\nUNION ALL\n".join(parts)


def expand_sql(
    rows_sql: str, marker: str, measures: list[str], period_type: str = "fin_year"
) -> str:
    """The area-level aggregates ``rows_sql`` (columns :data:`OUTPUT_COLUMNS`, from the
    roll-up) with each row of measure ``marker`` (its ``period`` a financial year) copied to
    every measure in ``measures`` and, when ``period_type`` is ``month``, to every month of
    that year, then summed per key with the other rows (a key may have a numerator row and a
    copied denominator row). Sums are linear, so this equals aggregating the marker's rows
    repeated per measure and month, without repeating the rows or cells aggregated.

    The copies and the other rows are summed by one GROUP BY, not matched by a full outer
    join on the key (each side has one row per key): the join took
    ``emergency_admissions_monthly``'s roll-up over eight boroughs from 14.8-14.9 s to
    9.6-10.7 s on DuckDB (the same table), but on Spark at Harrow ``ae_attendances`` took
    32.3 s, not 14.6 s, ``emergency_admissions_monthly`` 30.1 s, not 18.6 s, and
    ``emergency_admissions`` 13.7 s, not 6.2 s (the join's statement alone ran 11 to 19 s
    over 43,023 rows out; the cause was not found)."""
    targets = " UNION ALL ".join(f"SELECT '{m}' AS measure" for m in measures)
    calendar, period = (
        ("months", "c.period") if period_type == "month" else ("fin_years", "c.fin_year")
    )
    copies = (
        f"SELECT t.measure, c.fin_year AS fin_year, {period} AS period "
        f"FROM ({targets}) AS t CROSS JOIN {calendar} AS c"
    )
    keys = ", ".join(OUTPUT_COLUMNS[:-2])
    return (
        f"SELECT {keys}, SUM(numerator) AS numerator, SUM(denominator) AS denominator\n"
        "FROM (\nSELECT COALESCE(x.measure, a.measure) AS measure, "
        "COALESCE(x.period, a.period) AS period,\n"
        "       a.period_type, a.area_type, a.area_code, a.breakdown, a.breakdown_value,\n"
        "       a.numerator, a.denominator\n"
        f"FROM (\n{rows_sql}\n) AS a\n"
        f"LEFT JOIN ({copies}) AS x ON a.measure = '{marker}' AND x.fin_year = a.period\n"
        f"WHERE a.measure <> '{marker}' OR x.measure IS NOT NULL\n) AS copied\n"
        f"GROUP BY {keys}"
    )


def rollup_sql(
    cells: str,
    period_type: str,
    areas: list[str],
    expansion: tuple[str, list[str]] | None = None,
) -> str:
    """Sum ``cells`` (from :func:`unit_sql` with the same ``areas``) to each area level in one
    aggregation (a grouping set per level; a level's rows with no area code are dropped); with
    ``expansion`` (marker, measures), copy the marker's sums to its measures
    (:func:`expand_sql`). Cells keyed by practice take the PCN and borough of their practice
    from ``practice_areas`` (one row per practice). One aggregation, not a UNION ALL of one
    per level: on Spark, with ``cells`` held as one partition, it needs no shuffle before the
    ORDER BY (at Harrow, ``registered_population``'s roll-up 11.8 s -> 2.5 s)."""
    cols = [AREAS[area] for area in areas]
    mapped = [col for col in cols if col not in cell_keys(areas)]
    if mapped:
        looked_up = ", ".join(f"a.{col}" for col in mapped)
        cells = (
            f"(SELECT c.*, {looked_up} FROM {cells} AS c\n"
            "LEFT JOIN practice_areas AS a ON a.practice_code = c.practice_code) AS cells"
        )
    sets = ", ".join(f"(measure, period, {col}, breakdown, breakdown_value)" for col in cols)
    area_type = " ".join(
        f"WHEN GROUPING({col}) = 0 THEN '{area}'" for area, col in zip(areas, cols, strict=True)
    )
    area_code = " ".join(f"WHEN GROUPING({col}) = 0 THEN {col}" for col in cols)
    body = (
        f"SELECT measure, period, '{period_type}' AS period_type, CASE {area_type} END AS "
        f"area_type, CASE {area_code} END AS area_code, breakdown, breakdown_value, "
        "SUM(numerator) AS numerator, SUM(denominator) AS denominator\n"
        f"FROM {cells}\nGROUP BY GROUPING SETS ({sets})"
    )
    body = f"SELECT * FROM (\n{body}\n) AS levels WHERE area_code IS NOT NULL"
    if expansion is not None:
        body = expand_sql(body, *expansion, period_type)
    return (
        f"SELECT * FROM (\n{body}\n) AS agg\n"
        "ORDER BY measure, period, area_type, area_code, breakdown, breakdown_value"
    )


def measure_sql(name: str) -> tuple[str, str]:
    """The two statements of measure ``name``: the finest-cell sums (to be held as the table
    ``cells``; with ``expand``, the marker's cells are not yet copied) and the roll-up over
    ``cells`` to every area level and breakdown, which sums them (and copies the marker's
    area-level sums to its measures)."""
    base, period_type, areas, breakdowns, expansion = _spec(name)
    return unit_sql(base, breakdowns, areas), rollup_sql("cells", period_type, areas, expansion)


OUTPUT_SCHEMA = pa.schema(
    [
        *((c, pa.string()) for c in OUTPUT_COLUMNS[:-2]),
        ("numerator", pa.float64()),
        ("denominator", pa.float64()),
    ]
)


def _arrow(con: duckdb.DuckDBPyConnection, name: str) -> pa.Table:
    cells, rollup = measure_sql(name)
    _materialize(con, f"{cells}\n{rollup}")
    con.execute(f"CREATE OR REPLACE TEMP TABLE cells AS {cells}")
    table = con.sql(rollup).to_arrow_table().select(OUTPUT_COLUMNS)
    con.execute("DROP TABLE cells")
    return table.cast(OUTPUT_SCHEMA)


def _run(con: duckdb.DuckDBPyConnection, name: str) -> pd.DataFrame:
    return _arrow(con, name).to_pandas()


def run_measure(name: str, extract_dir: Path | str, **params: object) -> pd.DataFrame:
    """Aggregate one measure. ``params`` filter the result on its columns (e.g.
    ``area_type="pcn"``, ``breakdown="total"``, ``measure="o3-diabetes-prevalence"``)."""
    con = connect(extract_dir)
    try:
        frame = _run(con, name)
    finally:
        con.close()
    for column, value in params.items():
        if column not in OUTPUT_COLUMNS:
            raise InputError(
                f"cannot filter on {column!r}",
                column=column,
                rule=f"one of {', '.join(OUTPUT_COLUMNS)}",
            )
        frame = frame[frame[column] == value]
    return frame.reset_index(drop=True)


def check_engine(engine: str) -> str:
    """``engine`` if it is one of :data:`ENGINES`; InputError otherwise."""
    if engine not in ENGINES:
        raise InputError(
            f"unknown engine {engine!r}", column="engine", rule=f"one of {', '.join(ENGINES)}"
        )
    return engine


def run_all(extract_dir: Path | str, engine: str = "duckdb") -> dict[str, pd.DataFrame]:
    """Every measure on one connection: measure file name -> aggregate table."""
    if check_engine(engine) == "spark":
        from . import spark

        return spark.run_all(extract_dir)
    con = connect(extract_dir)
    try:
        return {name: _run(con, name) for name in list_measures()}
    finally:
        con.close()


def streams(manifest: dict[str, Any]) -> int:
    """Connections :func:`write_all` aggregates an extract on side by side: two up to
    :data:`SIDE_BY_SIDE_PERSONS` persons (the manifest's row count), one beyond."""
    return 2 if persons_in(manifest) <= SIDE_BY_SIDE_PERSONS else 1


def write_all(extract_dir: Path | str, out: Path, engine: str = "duckdb") -> int:
    """Every measure's aggregates appended to one Parquet file ``out`` (columns
    :data:`OUTPUT_COLUMNS` plus ``query``, the SQL file name), in :func:`list_measures`
    order, one row group per measure (:func:`_write`); returns the rows written. On DuckDB,
    :func:`streams` connections aggregate measures side by side, each with its share of
    :data:`MEMORY_LIMIT_MB`."""
    if check_engine(engine) == "spark":
        from . import spark

        try:
            return _write(spark.iter_arrow(extract_dir), out)
        finally:
            spark.stop()  # caches and shuffle files released before the notebooks run
    opened: list[duckdb.DuckDBPyConnection] = []
    local = threading.local()
    count = streams(manifest_of(Path(extract_dir)))
    limit = f"{MEMORY_LIMIT_MB // count}MB"

    with parquet_tables(Path(extract_dir)) as tables:

        def aggregate(name: str) -> tuple[str, pa.Table]:
            if not hasattr(local, "con"):
                local.con = connect(extract_dir, limit, tables)
                opened.append(local.con)
            return name, _arrow(local.con, name)

        try:
            with ThreadPoolExecutor(max_workers=count) as pool:
                return _write(pool.map(aggregate, list_measures()), out)
        finally:
            for con in opened:
                con.close()


@contextlib.contextmanager
def parquet_tables(folder: Path) -> Iterator[dict[str, Path]]:
    """The extract's table files (:func:`table_files`), each CSV table written once as
    Parquet, read as its view reads it (typed by the contract, rows in the file's order), into
    a temporary folder removed on leaving; Parquet tables as they are. Each measure's query
    then scans Parquet instead of parsing the CSV files it reads again. Every measure over
    the default Harrow extract as CSV (346 MB), 2 cores: 11.7 s and 21.7 CPU s read in place,
    7.8 s and 14.7 s converted once (the conversion included), 5.8 s and 11.2 s from the
    Parquet files (``benchmarks/bench_csv_extract.py``)."""
    files = table_files(folder)
    given = {name: path for name, path in files.items() if path.suffix == ".csv"}
    if not given:
        yield files
        return
    with tempfile.TemporaryDirectory(prefix="bbp-csv-tables-") as scratch:
        con = _connection(MEMORY_LIMIT)
        try:
            copies = {
                name: parquet_copy(con, path, Path(scratch), typed=True)
                for name, path in given.items()
            }
        finally:
            con.close()
        yield {**files, **copies}


def _write(tables: Iterable[tuple[str, pa.Table]], out: Path) -> int:
    """Each SQL file's table, in order, written as one row group per run of equal ``measure``
    values (each measure's rows are together): a notebook reads one measure at a time
    (``extract.measures`` filters on ``query`` and ``measure``), and the row groups'
    statistics let the reader decode only that measure's rows, not every row of its SQL file
    (at Harrow, 11,137 of ``b2h_segments``' 89,096 rows for one segment)."""
    schema = OUTPUT_SCHEMA.append(pa.field("query", pa.string()))
    rows = 0
    with pq.ParquetWriter(out, schema) as writer:
        for name, table in tables:
            query = pa.repeat(pa.scalar(name, pa.string()), table.num_rows)
            table = table.append_column("query", query)
            for start, length in _runs(table.column("measure")):
                writer.write_table(table.slice(start, length))
            rows += table.num_rows
    return rows


def _runs(column: pa.ChunkedArray) -> list[tuple[int, int]]:
    """(start, length) of each run of equal values in ``column``, in order (one empty run
    for an empty column, so an empty table is still written)."""
    values = column.combine_chunks()
    changes = pc.indices_nonzero(pc.not_equal(values[1:], values[:-1])).to_numpy() + 1
    starts = [0, *changes.tolist(), len(values)]
    return [(start, end - start) for start, end in itertools.pairwise(starts)]
