"""The contract lists every table and column the SQL measures read, and nothing unexplained."""

from __future__ import annotations

import duckdb
import pytest

from bbp_analysis.contract import load
from bbp_analysis.contract.lineage import columns_read, measures_reading
from bbp_analysis.measures import engine


def test_every_column_the_measures_read_is_in_the_contract():
    read = set(measures_reading())
    assert read, "no columns found: the SQL parse is broken"
    assert read - load().columns() == set()


def test_contract_columns_not_read_by_the_sql_are_each_justified():
    contract = load()
    elsewhere = {(t, f["name"]) for t in contract.read_elsewhere for f in contract.fields(t)}
    unread = contract.columns() - set(measures_reading()) - elsewhere
    justified = {tuple(key.split(".", 1)) for key in contract.unread_columns}
    assert unread == justified
    assert all(text.strip() for text in contract.unread_columns.values())
    # tables read elsewhere are not read by the SQL at all
    assert {t for t, _ in measures_reading()} & set(contract.read_elsewhere) == set()


def test_a_view_star_counts_only_the_columns_read_through_it():
    """readmissions_30d reads emergency_spells (``e.*`` over apc_spells joined to persons):
    the ACSC and falls columns it never uses are pruned away."""
    assert columns_read("readmissions_30d") == {
        ("apc_spells", c)
        for c in ("admimeth", "admission_date", "discharge_date", "person_id", "spell_id")
    } | {
        ("persons", c)
        for c in (
            "birth_month",
            "birth_year",
            "borough_code",
            "date_of_death",
            "ethnic_group",
            "imd_decile",
            "imd_quintile_local",
            "pcn_name",
            "person_id",
            "practice_code",
            "sex",
        )
    }
    assert ("persons", "carer") in columns_read("carers")
    assert ("persons", "carer") not in columns_read("readmissions_30d")


def _bind(measure: str, drop: tuple[str, str] | None = None) -> None:
    """Plan ``measure`` on empty tables holding only the columns the measures are found to
    read (the shared views bind every column they name, so the union over all measures)."""
    read = set(measures_reading()) - ({drop} if drop else set())
    con = duckdb.connect(":memory:")
    try:
        for table in load().tables:
            fields = {f["name"]: f["type"] for f in load().fields(table)}
            types = {
                "string": "VARCHAR",
                "integer": "BIGINT",
                "number": "DOUBLE",
                "boolean": "BOOLEAN",
                "date": "DATE",
            }
            cols = [f'"{c}" {types[fields[c]]}' for t, c in sorted(read) if t == table]
            con.execute(f'CREATE TABLE "{table}" ({", ".join(cols) or "_none INTEGER"})')
        for name, frame in engine.calendar_frames(["2025-26"]).items():
            con.register(name, frame)
        for name, query in engine.shared_views().items():
            con.execute(f"CREATE VIEW {name} AS {query}")
        con.execute(f"EXPLAIN {engine.measure_sql(measure)[0]}")
    finally:
        con.close()


@pytest.mark.parametrize("measure", engine.list_measures())
def test_each_measure_binds_on_only_the_columns_found(measure):
    _bind(measure)


def test_binding_fails_when_a_read_column_is_missing():
    with pytest.raises(duckdb.BinderException, match="carer"):
        _bind("carers", drop=("persons", "carer"))
