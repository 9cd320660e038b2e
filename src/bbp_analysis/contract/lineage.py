"""Which extract tables and columns each measure's SQL reads, found by parsing it.

Each measure file (``measures/sql/*.sql``) is parsed with sqlglot (DuckDB dialect), the
shared views it uses (``person_years``, ``emergency_spells``) are put in as subqueries, its
columns are qualified against the contract's tables and the calendar tables, projections
no outer query uses are pruned (so ``p.*`` in a view counts only the columns read through
it), and every column whose source is an extract table is collected.
"""

from __future__ import annotations

from functools import cache

import sqlglot
from sqlglot import exp
from sqlglot.optimizer.pushdown_projections import pushdown_projections
from sqlglot.optimizer.qualify import qualify
from sqlglot.optimizer.scope import traverse_scope

from ..measures import engine
from .spec import load

DIALECT = "duckdb"


@cache
def _schema() -> dict[str, dict[str, str]]:
    """Column types of the contract's tables and the engine's calendar tables (once per
    process; :func:`columns_read` passes qualify a copy)."""
    tables = {
        name: {f["name"]: "VARCHAR" for f in table["fields"]}
        for name, table in load().tables.items()
    }
    for name, frame in engine.calendar_frames(["2025-26"]).items():  # its columns only
        tables[name] = {column: "VARCHAR" for column in frame.columns}
    return tables


@cache
def _views() -> dict[str, exp.Expression]:
    """The shared views, each with the views before it expanded (in dependency order); parsed
    once per process (``exp.expand`` puts in a copy of each, never the view itself)."""
    views: dict[str, exp.Expression] = {}
    for name, sql in engine.shared_views().items():
        views[name] = exp.expand(sqlglot.parse_one(sql, read=DIALECT), dict(views), copy=True)
    return views


@cache
def columns_read(measure: str) -> frozenset[tuple[str, str]]:
    """(table, column) pairs of the extract that measure file ``measure`` reads."""
    sql = (engine.SQL_DIR / f"{measure}.sql").read_text(encoding="utf-8")
    tree = exp.expand(sqlglot.parse_one(sql, read=DIALECT), _views(), copy=True)
    schema = {table: dict(columns) for table, columns in _schema().items()}
    tree = pushdown_projections(qualify(tree, schema=schema, dialect=DIALECT))
    extract_tables = set(load().tables)
    found = set()
    for scope in traverse_scope(tree):
        for column in scope.columns:
            source = scope.sources.get(column.table)
            if isinstance(source, exp.Table) and source.name in extract_tables:
                found.add((source.name, column.name))
    return frozenset(found)


def measures_reading() -> dict[tuple[str, str], list[str]]:
    """(table, column) -> the measure files that read it, for every column any reads."""
    out: dict[tuple[str, str], list[str]] = {}
    for measure in engine.list_measures():
        for pair in columns_read(measure):
            out.setdefault(pair, []).append(measure)
    return out
