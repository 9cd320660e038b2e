"""Every measure's numerators and denominators are summed as integers or decimals, whose sums
are exact: the same extract then gives the same values to the last bit, whatever order
DuckDB's threads add the rows in. Sums of doubles are not associative, so two runs could
differ in the last bits (they did, for the survey weights and the person-months at risk)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bbp_analysis.measures import engine

EXACT_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "DECIMAL")


@pytest.mark.parametrize("name", engine.list_measures())
def test_numerators_and_denominators_are_summed_exactly(extract_dir: Path, name: str) -> None:
    cells, _ = engine.measure_sql(name)
    con = engine.connect(extract_dir)
    try:
        types = {row[0]: row[1] for row in con.execute(f"DESCRIBE {cells}").fetchall()}
    finally:
        con.close()
    for column in ("numerator", "denominator"):
        assert types[column].startswith(EXACT_TYPES), f"{name}: {column} summed as {types[column]}"
