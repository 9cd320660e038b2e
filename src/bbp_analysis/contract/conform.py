"""Check an extract folder against the extract contract, in DuckDB.

Each table is ``<table>.parquet`` or ``<table>.csv`` (header row, comma-separated, dates
``YYYY-MM-DD``, booleans ``true``/``false``, empty = null) in the folder. The rules, in order:
every table present; every column present (extra columns are refused too, so that a renamed
column is named: one missing and one extra column in a file are one problem, a rename); each
column's type (Parquet: the file's declared type; CSV: every value casts); then, for each
column, ``required`` (no empty value), code list, pattern (full match), financial year
(``x-financialYear``: 2024-25, not 2024-26), minimum and maximum, each found by one scan of
the table that keeps the first offending row; then the primary key unique and every foreign
key resolving. Each problem is one :class:`InputError` naming file, 1-based data row (where
it applies), column and rule.

A CSV table whose columns are right is read once, as text with its row numbers, into a
Parquet copy in a temporary folder only its owner can open (removed when the check ends), and
every rule reads the copy. The default extract as CSV (346 MB), 2 cores: checked in 7.8 s and
9.7 CPU s parsing the files for each rule, 3.9 s and 6.6 s reading each once (as Parquet,
2.1 s and 3.0 s; ``benchmarks/bench_contract.py FOLDER``).

The result is cached per process by the folder's files' names, sizes and modification
times, so a build after a validate scans once.
"""

from __future__ import annotations

import csv
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from ..errors import InputError
from .spec import Contract, load

#: Table Schema type -> DuckDB type the values must cast to, and the Parquet types accepted.
SQL_TYPES = {
    "string": "VARCHAR",
    "integer": "BIGINT",
    "number": "DOUBLE",
    "boolean": "BOOLEAN",
    "date": "DATE",
}
PARQUET_TYPES = {
    "string": ("VARCHAR",),
    "integer": (
        "TINYINT",
        "SMALLINT",
        "INTEGER",
        "BIGINT",
        "UTINYINT",
        "USMALLINT",
        "UINTEGER",
        "UBIGINT",
        "HUGEINT",
    ),
    "number": ("FLOAT", "DOUBLE", "DECIMAL"),
    "boolean": ("BOOLEAN",),
    "date": (
        "DATE",
        "TIMESTAMP",
        "TIMESTAMP_NS",
        "TIMESTAMP_MS",
        "TIMESTAMP_S",
        "TIMESTAMP WITH TIME ZONE",
    ),
}
_CACHE: dict[tuple[Any, ...], Conformance] = {}


class ExtractRefused(InputError):
    """One or more contract problems; ``str()`` is one line per problem."""

    def __init__(self, problems: list[InputError]) -> None:
        self.problems = problems
        first = problems[0]
        super().__init__(
            first.detail, file=first.file, row=first.row, column=first.column, rule=first.rule
        )

    def _format(self) -> str:
        return "\n".join(InputError._format(p) for p in self.problems)


@dataclass(frozen=True)
class Conformance:
    """What a conforming extract holds: rows per table, the financial years its dated rows
    cover, and the boroughs of its persons."""

    version: str
    rows: dict[str, int]
    first_date: str | None
    last_date: str | None
    fin_years: tuple[str, ...]
    areas: tuple[str, ...]

    def summary(self) -> str:
        """One line: contract version, coverage, areas and rows per table."""
        rows = ", ".join(f"{name} {count:,}" for name, count in self.rows.items())
        span = f"{self.fin_years[0]} to {self.fin_years[-1]}" if self.fin_years else "no years"
        return (
            f"extract conforms to contract {self.version}: events {self.first_date} to "
            f"{self.last_date}, financial years {span}; areas {', '.join(self.areas)}; "
            f"rows {rows}"
        )


def table_file(folder: Path, table: str) -> Path | None:
    """The table's file in ``folder`` (Parquet preferred, else CSV), or None."""
    for suffix in (".parquet", ".csv"):
        path = folder / f"{table}{suffix}"
        if path.is_file():
            return path
    return None


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(value: object) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _csv_header(path: Path) -> list[str]:
    """The column names in a CSV file's first line (UTF-8, an optional BOM)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return next(csv.reader(handle), [])


def _source(path: Path) -> str:
    """A relation over a Parquet file with ``_row`` (1-based row in the file)."""
    file = _literal(path.as_posix())
    return (
        f"(SELECT *, file_row_number + 1 AS _row FROM read_parquet({file}, file_row_number = true))"
    )


def relation(path: Path, typed: bool = False) -> str:
    """A DuckDB relation over a table file, read where it lies (never loaded into pandas):
    Parquet as stored; CSV with its header's columns, as text or, ``typed``, each column
    of the contract cast to its type (dates YYYY-MM-DD), with no guessing, so that a row with
    too many or too few values is an error rather than a different reading of the file."""
    file = _literal(path.as_posix())
    if path.suffix == ".parquet":
        return f"read_parquet({file})"
    declared = {}
    if typed:
        declared = {f["name"]: SQL_TYPES[f["type"]] for f in load().tables[path.stem]["fields"]}
    columns = ", ".join(
        f"{_literal(name)}: {_literal(declared.get(name, 'VARCHAR'))}" for name in _csv_header(path)
    )
    return (
        f"read_csv({file}, header = true, auto_detect = false, columns = {{{columns}}}, "
        "delim = ',', quote = '\"', escape = '\"', dateformat = '%Y-%m-%d')"
    )


def _columns(con: duckdb.DuckDBPyConnection, path: Path) -> dict[str, str]:
    source = _source(path) if path.suffix == ".parquet" else relation(path)
    rows = con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()
    return {name: kind for name, kind, *_ in rows if name not in ("_row", "file_row_number")}


def _shape(
    con: duckdb.DuckDBPyConnection, path: Path, fields: list[dict[str, Any]]
) -> list[InputError]:
    """Columns present, none extra, and (Parquet) of the declared type."""
    found = _columns(con, path)
    declared = [f["name"] for f in fields]
    missing = [name for name in declared if name not in found]
    extra = [name for name in found if name not in declared]
    if len(missing) == len(extra) == 1:  # one problem: a column renamed
        problems = [
            InputError(
                f"column not in the contract, in place of {missing[0]!r} (renamed?)",
                file=path,
                column=extra[0],
                rule="contract: column names",
            )
        ]
    else:
        problems = [
            InputError(
                "column missing (named in the contract)",
                file=path,
                column=name,
                rule="contract: column present",
            )
            for name in missing
        ]
        problems += [
            InputError(
                "column not in the contract (renamed?)",
                file=path,
                column=name,
                rule="contract: no other columns",
            )
            for name in extra
        ]
    if path.suffix == ".parquet":
        for field in fields:
            kind = found.get(field["name"])
            if kind is not None and not kind.startswith(PARQUET_TYPES[field["type"]]):
                problems.append(
                    InputError(
                        f"column is {kind}; the contract says {field['type']}",
                        file=path,
                        column=field["name"],
                        rule="contract: type",
                    )
                )
    return problems


def _rules(field: dict[str, Any], csv: bool, pcns: frozenset[str] | None) -> list[tuple[str, str]]:
    """(rule, SQL condition true on a bad row) for one field."""
    col = _quote(field["name"])
    kind = SQL_TYPES[field["type"]]
    value = f"TRY_CAST({col} AS {kind})" if csv else col
    rules = []
    if csv and kind != "VARCHAR":
        rules.append((f"type {field['type']}", f"{col} IS NOT NULL AND {value} IS NULL"))
    limits = field.get("constraints", {})
    if limits.get("required"):
        rules.append(("required (no empty value)", f"{col} IS NULL"))
    enum = limits.get("enum")
    if field["name"] == "pcn_name" and pcns is not None:
        enum = sorted(pcns)
    if enum is not None:
        codes = ", ".join(_literal(c) for c in enum)
        rules.append(
            (
                f"code list {field.get('x-codeList', field['name'])}",
                f"CAST({value} AS VARCHAR) NOT IN ({codes})",
            )
        )
    if "pattern" in limits:
        rules.append(
            (
                f"pattern {limits['pattern']}",
                f"NOT regexp_full_match(CAST({value} AS VARCHAR), {_literal(limits['pattern'])})",
            )
        )
    if field.get("x-financialYear"):
        text = f"CAST({value} AS VARCHAR)"
        rules.append(
            (
                "financial year (the second year follows the first)",
                f"TRY_CAST(substr({text}, 6, 2) AS INTEGER) IS DISTINCT FROM "
                f"(TRY_CAST(substr({text}, 1, 4) AS INTEGER) + 1) % 100",
            )
        )
    for bound, test in (("minimum", "<"), ("maximum", ">")):
        if bound in limits:
            rules.append((f"{bound} {limits[bound]}", f"{value} {test} {limits[bound]}"))
    return rules


def _values(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    sources: dict[Path, str],
    fields: list[dict[str, Any]],
    pcns: frozenset[str] | None,
) -> list[InputError]:
    """Every value rule of every column in one scan: the first offending row of each."""
    checks = [
        (f["name"], rule, test)
        for f in fields
        for rule, test in _rules(f, path.suffix == ".csv", pcns)
    ]
    if not checks:
        return []
    firsts = ", ".join(f"min(CASE WHEN {test} THEN _row END)" for _, _, test in checks)
    rows = con.execute(f"SELECT {firsts} FROM {sources[path]}").fetchone()
    problems = []
    for (column, rule, _), row in zip(checks, rows, strict=True):
        if row is not None:
            found = con.execute(
                f"SELECT CAST({_quote(column)} AS VARCHAR) FROM {sources[path]} WHERE _row = {row}"
            ).fetchone()[0]
            problems.append(
                InputError(
                    f"{found!r} breaks it",
                    file=path,
                    row=int(row),
                    column=column,
                    rule=f"contract: {rule}",
                )
            )
    return problems


def _keys(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    sources: dict[Path, str],
    table: dict[str, Any],
    files: dict[str, Path],
) -> list[InputError]:
    """The primary key unique and the foreign keys resolving (first offending row)."""
    problems = []
    key = table.get("primaryKey") or []
    if key:
        cols = ", ".join(_quote(c) for c in key)
        row = con.execute(
            f"SELECT min(_row) FROM (SELECT _row, row_number() OVER (PARTITION BY {cols} "
            f"ORDER BY _row) AS n FROM {sources[path]}) WHERE n > 1"
        ).fetchone()[0]
        if row is not None:
            problems.append(
                InputError(
                    f"key ({', '.join(key)}) repeats an earlier row",
                    file=path,
                    row=int(row),
                    column=", ".join(key),
                    rule="contract: primary key unique",
                )
            )
    for foreign in table.get("foreignKeys", []):
        target = files.get(foreign["reference"]["resource"])
        if target is None:
            continue
        pairs = list(zip(foreign["fields"], foreign["reference"]["fields"], strict=True))
        on = " AND ".join(f"t.{_quote(a)} = r.{_quote(b)}" for a, b in pairs)
        row = con.execute(
            f"SELECT min(t._row) FROM {sources[path]} AS t WHERE NOT EXISTS "
            f"(SELECT 1 FROM {sources[target]} AS r WHERE {on})"
        ).fetchone()[0]
        if row is not None:
            resource = foreign["reference"]["resource"]
            problems.append(
                InputError(
                    f"no matching row in {resource}",
                    file=path,
                    row=int(row),
                    column=", ".join(foreign["fields"]),
                    rule=f"contract: foreign key to {resource}",
                )
            )
    return problems


def _determined(
    con: duckdb.DuckDBPyConnection,
    files: dict[str, Path],
    sources: dict[Path, str],
    contract: Contract,
) -> list[InputError]:
    """Each ``determines`` rule of the contract: every row holding a key value has the
    determined columns' values most of its rows have (in its tables together; on a tie, those
    found first, the tables in the rule's order, each in file order); the first row that
    differs, per rule, with how many rows have that key's usual values and where they start."""
    problems = []
    for rule in contract.determines:
        tables = [name for name in rule["tables"] if name in files]
        key, columns = rule["key"], list(rule["columns"])
        cols = ", ".join(_quote(c) for c in [key, *columns])
        picked = ", ".join(f"CAST({_quote(c)} AS VARCHAR) AS {_quote(c)}" for c in [key, *columns])
        rows = " UNION ALL ".join(
            f"SELECT {n} AS _table, _row, CAST({n} AS BIGINT) * 4294967296 + _row AS _at, "
            f"{picked} FROM {sources[files[name]]} WHERE {_quote(key)} IS NOT NULL"
            for n, name in enumerate(tables)
        )
        usual = (
            f"SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY {_quote(key)} "
            "ORDER BY _rows DESC, _first) AS _rank FROM ("
            f"SELECT {cols}, count(*) AS _rows, min(_at) AS _first FROM all_rows "
            f"GROUP BY {cols})) WHERE _rank = 1"
        )
        differs = " OR ".join(f"r.{_quote(c)} IS DISTINCT FROM u.{_quote(c)}" for c in columns)
        shown = ", ".join(f"r.{_quote(c)}, u.{_quote(c)}" for c in columns)
        found = con.execute(
            f"WITH all_rows AS ({rows}), usual AS ({usual}) "
            f"SELECT r._table, r._row, r.{_quote(key)}, u._rows, u._first, {shown} "
            f"FROM all_rows AS r JOIN usual AS u ON r.{_quote(key)} = u.{_quote(key)} "
            f"WHERE {differs} ORDER BY r._at LIMIT 1"
        ).fetchone()
        if found is None:
            continue
        table, row, value, count, first, *pairs = found
        here, usual_values = pairs[0::2], pairs[1::2]
        column, odd, expected = next(
            (c, h, u) for c, h, u in zip(columns, here, usual_values, strict=True) if h != u
        )
        where = f"{files[tables[first >> 32]].name} row {first & 0xFFFFFFFF}"
        problems.append(
            InputError(
                f"{key} {value!r} has {column} {expected!r} in {count:,} rows (from {where}), "
                f"here {odd!r}",
                file=files[tables[table]],
                row=int(row),
                column=column,
                rule=f"contract: {contract.determines_text(rule)}",
            )
        )
    return problems


def _coverage(
    con: duckdb.DuckDBPyConnection,
    files: dict[str, Path],
    sources: dict[Path, str],
    contract: Contract,
) -> Conformance:
    """Rows per table, the span of dated event rows and of fin_year values, and areas."""
    rows, dates, years = {}, [], set()
    for name, path in files.items():
        rows[name] = con.execute(f"SELECT count(*) FROM {sources[path]}").fetchone()[0]
        for field in contract.fields(name):
            if field["type"] == "date" and name != "persons":
                span = con.execute(
                    f"SELECT min(TRY_CAST({_quote(field['name'])} AS DATE)), "
                    f"max(TRY_CAST({_quote(field['name'])} AS DATE)) "
                    f"FROM {sources[path]}"
                ).fetchone()
                dates += [d for d in span if d is not None]
            if field["name"] == "fin_year":
                years |= {
                    y
                    for (y,) in con.execute(
                        f"SELECT DISTINCT fin_year FROM {sources[path]}"
                    ).fetchall()
                }
    areas = tuple(
        sorted(
            a
            for (a,) in con.execute(
                f"SELECT DISTINCT borough_code FROM {sources[files['persons']]}"
            ).fetchall()
        )
    )
    return Conformance(
        contract.version,
        rows,
        str(min(dates)) if dates else None,
        str(max(dates)) if dates else None,
        tuple(sorted(years)),
        areas,
    )


def problems(
    folder: Path, pcns: Iterable[str] | None = None
) -> tuple[list[InputError], Conformance | None]:
    """Every contract problem of the extract in ``folder`` (one per table, column and rule),
    and its coverage when there are none. ``pcns``: the area's PCN names, to check
    ``pcn_name`` against (left unchecked when None)."""
    contract = load()
    allowed = frozenset(pcns) if pcns is not None else None
    files = {name: table_file(folder, name) for name in contract.tables}
    found: list[InputError] = [
        InputError(
            f"table {name!r} missing ({name}.parquet or {name}.csv)",
            file=folder,
            rule="contract: table present",
        )
        for name, path in files.items()
        if path is None
    ]
    present = {name: path for name, path in files.items() if path is not None}
    con = duckdb.connect(":memory:")
    current: Path = folder  # the file being read, named if DuckDB cannot read it
    try:
        shaped = {}
        for name, current in present.items():
            shape = _shape(con, current, contract.fields(name))
            found += shape
            if not shape:
                shaped[name] = current
        with tempfile.TemporaryDirectory(prefix="bbp-csv-check-") as scratch:
            sources = {}
            for current in shaped.values():
                sources[current] = _read_once(con, current, Path(scratch))
            for name, current in shaped.items():
                found += _values(con, current, sources, contract.fields(name), allowed)
                found += _keys(con, current, sources, contract.tables[name], shaped)
            current = folder
            found += _determined(con, shaped, sources, contract)
            if found:
                return found, None
            return [], _coverage(con, shaped, sources, contract)
    except duckdb.Error as error:
        message = re.sub(r"\s+", " ", str(error))[:300]
        return [
            InputError(f"not readable: {message}", file=current, rule="contract: readable table")
        ], None
    finally:
        con.close()


def _read_once(con: duckdb.DuckDBPyConnection, path: Path, scratch: Path) -> str:
    """The relation the rules read for the table file ``path``, with ``_row`` (its 1-based
    data row): a Parquet file as it is; a CSV file, parsed once here as text, as its Parquet
    copy in ``scratch`` (:func:`parquet_copy`)."""
    if path.suffix == ".parquet":
        return _source(path)
    return _source(parquet_copy(con, path, scratch))


def parquet_copy(
    con: duckdb.DuckDBPyConnection, path: Path, folder: Path, typed: bool = False
) -> Path:
    """The table file ``path`` read once as :func:`relation` reads it (``typed`` likewise)
    and written, rows in the file's order, to ``folder/<table>.parquet``; returns that path."""
    copy = folder / f"{path.stem}.parquet"
    source = relation(path, typed)
    con.execute(f"COPY (SELECT * FROM {source}) TO {_literal(copy.as_posix())} (FORMAT parquet)")
    return copy


def check_folder(folder: Path, pcns: Iterable[str] | None = None) -> Conformance:
    """The extract's coverage if it conforms to the contract; :class:`ExtractRefused` (one
    line per problem) otherwise. Cached per process on the files' names, sizes and times."""
    stats = tuple(
        sorted(
            (p.name, p.stat().st_size, p.stat().st_mtime_ns)
            for p in folder.iterdir()
            if p.suffix in (".parquet", ".csv")
        )
    )
    key = (str(folder.resolve()), stats, tuple(sorted(pcns)) if pcns is not None else None)
    if key not in _CACHE:
        found, result = problems(folder, pcns)
        if found:
            raise ExtractRefused(found)
        assert result is not None
        _CACHE[key] = result
    return _CACHE[key]
