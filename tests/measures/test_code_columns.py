"""The engine reads the extract's area and breakdown columns held as text (practice, PCN and
borough codes, sex, ethnic group, ...) as DuckDB ENUM codes of the values found in the
extract: the same text, compared and sorted as text, but joined and grouped as small
integers."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from bbp_analysis.measures import engine


def _column_type(con: duckdb.DuckDBPyConnection, table: str, column: str) -> str:
    return next(
        kind for name, kind, *_ in con.execute(f"DESCRIBE {table}").fetchall() if name == column
    )


def test_area_and_breakdown_text_is_read_as_codes_of_every_value_in_the_extract(
    extract_dir: Path,
) -> None:
    persons, gpps = extract_dir / "persons.parquet", extract_dir / "gpps_responses.parquet"
    raw = duckdb.connect()
    expected = [
        v
        for (v,) in raw.execute(
            f"SELECT practice_code FROM '{persons}' UNION SELECT practice_code FROM '{gpps}' "
            "ORDER BY 1"
        ).fetchall()
    ]
    con = engine.connect(extract_dir)
    try:
        assert _column_type(con, "persons", "practice_code").startswith("ENUM(")
        assert _column_type(con, "gpps_responses", "practice_code") == _column_type(
            con, "persons", "practice_code"
        )
        assert _column_type(con, "persons", "sex").startswith("ENUM(")
        assert _column_type(con, "persons", "person_id") == "VARCHAR"  # not grouped on
        (values,) = con.execute("SELECT enum_range(NULL::practice_code_values)").fetchone()
        assert values == expected
        (changed,) = con.execute(
            f"SELECT COUNT(*) FROM persons AS v JOIN '{persons}' AS f USING (person_id) "
            "WHERE CAST(v.practice_code AS VARCHAR) IS DISTINCT FROM f.practice_code "
            "OR CAST(v.ethnic_group AS VARCHAR) IS DISTINCT FROM f.ethnic_group"
        ).fetchone()
        assert changed == 0
    finally:
        con.close()


def test_a_code_compares_with_text_not_in_the_extract_and_sorts_as_its_text(
    extract_dir: Path,
) -> None:
    con = engine.connect(extract_dir)
    try:
        (women,) = con.execute("SELECT COUNT(*) FROM persons WHERE sex = 'F'").fetchone()
        (either,) = con.execute(
            "SELECT COUNT(*) FROM persons WHERE sex IN ('F', 'not a value in the extract')"
        ).fetchone()
        ordered = [
            v for (v,) in con.execute("SELECT pcn_name FROM practice_areas ORDER BY 1").fetchall()
        ]
    finally:
        con.close()
    assert women > 0 and either == women
    assert [str(v) for v in ordered] == sorted(str(v) for v in ordered)


def test_a_name_with_a_quote_is_reported_as_written(extract_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "extract"
    shutil.copytree(extract_dir, folder)
    raw = duckdb.connect()
    (first,) = raw.execute(
        f"SELECT MIN(pcn_name) FROM '{extract_dir / 'persons.parquet'}'"
    ).fetchone()
    for table in ("persons", "gpps_responses"):
        source = extract_dir / f"{table}.parquet"
        raw.execute(
            f"COPY (SELECT * REPLACE (CASE WHEN pcn_name = '{first}' THEN 'St John''s PCN' "
            f"ELSE pcn_name END AS pcn_name) FROM '{source}') TO '{folder / source.name}'"
        )
    before = engine.run_measure(
        "registered_population", extract_dir, area_type="pcn", breakdown="total"
    )
    after = engine.run_measure("registered_population", folder, area_type="pcn", breakdown="total")
    assert "St John's PCN" in set(after["area_code"])
    renamed = before.assign(area_code=before["area_code"].replace(first, "St John's PCN"))
    key = ["measure", "period", "area_code"]
    assert (
        after.sort_values(key)
        .reset_index(drop=True)
        .equals(renamed.sort_values(key).reset_index(drop=True))
    )
