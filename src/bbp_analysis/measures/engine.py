"""Run the measure SQL files on DuckDB over an extract's Parquet files.

Each ``sql/<name>.sql`` file starts with a one-line ``-- description`` and may declare, in
further leading comment lines, ``-- period_type: fin_year|month``, ``-- areas: ...`` and
``-- breakdowns: ...``. Its query returns unit-level rows (``measure, period,
borough_code, pcn_name, practice_code``, the breakdown columns ``age_band, sex,
ethnic_group, imd_quintile, imd_decile`` (``organisation`` where declared) and
``numerator``/``denominator`` contributions). The engine sums them in one pass with GROUPING
SETS to practice-level cells per breakdown, then to each declared area level; only these
aggregates reach pandas. Rates and proportions are numerator / denominator (persons,
admissions, or survey weights, as each file's description says).

Shared relations available to every query: one view per Parquet table (``persons``,
``apc_spells``, ...); ``fin_years`` (fin_year, start_year, start_date, next_start, mid_date);
``months`` (period 'YYYY-MM', month_start, next_month, fin_year); ``age_bands`` (age 0-130 ->
ESP2013 band "0-4" .. "85-89", "90+"); ``person_years`` (``sql/_person_years.sql``: everyone
registered and alive on 1 October of a financial year, with ``age`` on that date, its
``age_band`` and ``imd_quintile`` = the local quintile); and ``emergency_spells``
(``sql/_emergency_spells.sql``: emergency admissions with ACSC and falls flags). Files whose
name starts with ``_`` define these shared tables, not measures.

The SQL is kept portable (ANSI joins, CASE, EXTRACT, CAST, GROUPING SETS,
``INTERVAL 'n' DAY``) and transpiles to Spark with sqlglot (tested); ``read_parquet`` in the
table views is the only DuckDB-specific call.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from ..errors import InputError

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
    "organisation": "organisation",
}
STANDARD_BREAKDOWNS = ("total", "age_band", "sex", "ethnic_group", "imd_quintile", "imd_decile")
OUTPUT_COLUMNS = ["measure", "period", "period_type", "area_type", "area_code", "breakdown",
                  "breakdown_value", "numerator", "denominator"]
FIN_YEARS = ("2019-20", "2020-21", "2021-22", "2022-23", "2023-24", "2024-25", "2025-26")


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


def _calendar(con: duckdb.DuckDBPyConnection) -> None:
    years = pd.DataFrame({"fin_year": list(FIN_YEARS)})
    years["start_year"] = years["fin_year"].str[:4].astype(int)
    years["start_date"] = pd.to_datetime(years["start_year"].astype(str) + "-04-01").dt.date
    years["next_start"] = pd.to_datetime((years["start_year"] + 1).astype(str) + "-04-01").dt.date
    years["mid_date"] = pd.to_datetime(years["start_year"].astype(str) + "-10-01").dt.date
    starts = pd.date_range("2019-04-01", "2026-03-01", freq="MS")
    months = pd.DataFrame({
        "period": starts.strftime("%Y-%m"),
        "month_start": starts.date,
        "next_month": (starts + pd.offsets.MonthBegin(1)).date,
        "fin_year": [f"{y}-{(y + 1) % 100:02d}" for y in
                     (starts.year - (starts.month < 4).astype(int))],
    })
    ages = pd.DataFrame({"age": range(131)})
    ages["age_band"] = [("90+" if a >= 90 else f"{a // 5 * 5}-{a // 5 * 5 + 4}")
                        for a in ages["age"]]
    for name, frame in (("fin_years", years), ("months", months), ("age_bands", ages)):
        con.register(f"{name}_df", frame)
        con.execute(f"CREATE TEMP TABLE {name} AS SELECT * FROM {name}_df")
        con.unregister(f"{name}_df")


def connect(extract_dir: Path | str) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with the extract's tables and the shared views."""
    folder = Path(extract_dir)
    files = sorted(folder.glob("*.parquet"))
    if not files:
        raise InputError("no Parquet tables found", file=str(folder), rule="synthetic extract")
    con = duckdb.connect(":memory:")
    con.execute("SET enable_progress_bar = false")
    for path in files:
        quoted = str(path).replace("'", "''")
        con.execute(f'CREATE VIEW "{path.stem}" AS SELECT * FROM read_parquet(\'{quoted}\')')
    _calendar(con)
    for view in sorted(SQL_DIR.glob("_*.sql")):  # materialised once, shared by all measures
        con.execute(f"CREATE TEMP TABLE {view.stem.lstrip('_')} AS {view.read_text()}")
    return con


BREAKDOWN_COLUMNS = {"total": (), "age_band": ("age_band",), "sex": ("sex",),
                     "ethnic_group": ("ethnic_group",), "imd_quintile": ("imd_quintile",),
                     "imd_decile": ("imd_decile",), "sex_age_band": ("sex", "age_band"),
                     "organisation": ("organisation",)}


def _spec(name: str) -> tuple[str, str, list[str], list[str]]:
    path = SQL_DIR / f"{name}.sql"
    if name.startswith("_") or not path.is_file():
        raise InputError(f"unknown measure {name!r} (known: {', '.join(list_measures())})",
                         column="name", rule="measure catalogue")
    header = _header(path)
    areas = [a.strip() for a in header.get("areas", ",".join(AREAS)).split(",")]
    breakdowns = [b.strip() for b in header.get("breakdowns", ",".join(STANDARD_BREAKDOWNS))
                  .split(",")]
    return (path.read_text(encoding="utf-8"), header.get("period_type", "fin_year"), areas,
            breakdowns)


def unit_sql(base_sql: str, breakdowns: list[str]) -> str:
    """One pass over a measure's unit-level rows: sums per practice (with its PCN and
    borough) for each breakdown, by GROUPING SETS; columns ``measure, period, borough_code,
    pcn_name, practice_code, breakdown, breakdown_value, numerator, denominator``."""
    areas = "measure, period, borough_code, pcn_name, practice_code"
    used = [c for b in breakdowns for c in BREAKDOWN_COLUMNS[b]]
    used = list(dict.fromkeys(used))
    sets = ", ".join(f"({', '.join([areas, *BREAKDOWN_COLUMNS[b]])})" for b in breakdowns)
    flags = {c: f"GROUPING({c})" for c in used}
    labels, values = [], []
    for b in breakdowns:
        cols = BREAKDOWN_COLUMNS[b]
        test = " AND ".join(f"{flags[c]} = {0 if c in cols else 1}" for c in used) or "1 = 1"
        labels.append(f"WHEN {test} THEN '{b}'")
        values.append(f"WHEN {test} THEN {BREAKDOWNS[b]}")
    return (f"SELECT {areas},\n"
            f"       CASE {' '.join(labels)} END AS breakdown,\n"
            f"       CASE {' '.join(values)} END AS breakdown_value,\n"
            "       SUM(numerator) AS numerator, SUM(denominator) AS denominator\n"
            f"FROM (\n{base_sql.rstrip().rstrip(';')}\n) AS unit_rows\n"
            f"GROUP BY GROUPING SETS ({sets})")


def rollup_sql(cells: str, period_type: str, areas: list[str]) -> str:
    """Sum the practice-level ``cells`` (from :func:`unit_sql`) to each area level."""
    selects = []
    for area in areas:
        col = AREAS[area]
        selects.append(
            f"SELECT measure, period, '{period_type}' AS period_type, '{area}' AS area_type, "
            f"{col} AS area_code, breakdown, breakdown_value, SUM(numerator) AS numerator, "
            f"SUM(denominator) AS denominator FROM {cells} WHERE {col} IS NOT NULL "
            f"GROUP BY measure, period, {col}, breakdown, breakdown_value")
    body = "\nUNION ALL\n".join(selects)
    return (f"SELECT * FROM (\n{body}\n) AS agg\n"
            "ORDER BY measure, period, area_type, area_code, breakdown, breakdown_value")


def measure_sql(name: str) -> tuple[str, str]:
    """The two statements of measure ``name``: the finest-cell sums (to be held as the table
    ``cells``) and the roll-up over ``cells`` to every area level and breakdown."""
    base, period_type, areas, breakdowns = _spec(name)
    return unit_sql(base, breakdowns), rollup_sql("cells", period_type, areas)


def _run(con: duckdb.DuckDBPyConnection, name: str) -> pd.DataFrame:
    cells, rollup = measure_sql(name)
    con.execute(f"CREATE OR REPLACE TEMP TABLE cells AS {cells}")
    frame = con.execute(rollup).df()[OUTPUT_COLUMNS]
    con.execute("DROP TABLE cells")
    frame["numerator"] = frame["numerator"].astype(float)
    frame["denominator"] = frame["denominator"].astype(float)
    return frame.reset_index(drop=True)


def run_measure(name: str, extract_dir: Path | str, **params: object) -> pd.DataFrame:
    """Aggregate one measure. ``params`` filter the result on its columns (e.g.
    ``area_type="pcn"``, ``breakdown="total"``, ``measure="ltc_prevalence_diabetes"``)."""
    con = connect(extract_dir)
    try:
        frame = _run(con, name)
    finally:
        con.close()
    for column, value in params.items():
        if column not in OUTPUT_COLUMNS:
            raise InputError(f"cannot filter on {column!r}", column=column,
                             rule=f"one of {', '.join(OUTPUT_COLUMNS)}")
        frame = frame[frame[column] == value]
    return frame.reset_index(drop=True)


def run_all(extract_dir: Path | str) -> dict[str, pd.DataFrame]:
    """Every measure on one connection: measure file name -> aggregate table."""
    con = connect(extract_dir)
    try:
        return {name: _run(con, name) for name in list_measures()}
    finally:
        con.close()
