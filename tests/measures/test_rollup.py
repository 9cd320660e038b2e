"""The roll-up of cells to every area level in one GROUPING SETS pass: each level's sums,
its rows sorted, a practice's PCN and borough taken from ``practice_areas``, and a practice
with no PCN counted in the borough but in no PCN."""

from __future__ import annotations

import duckdb
import pandas as pd

from bbp_analysis.measures import engine

CELLS = pd.DataFrame(
    {
        "measure": ["m"] * 4,
        "period": ["2024-25"] * 4,
        "practice_code": ["A1", "A2", "B1", "A1"],
        "breakdown": ["total", "total", "total", "sex"],
        "breakdown_value": ["total", "total", "total", "F"],
        "numerator": [1, 2, 4, 1],
        "denominator": [10, 20, 40, 6],
    }
)
PRACTICE_AREAS = pd.DataFrame(
    {
        "practice_code": ["A1", "A2", "B1", "C1"],
        "pcn_name": ["North", "North", None, "South"],
        "borough_code": ["E09000015"] * 4,
    }
)


def _rolled(areas: list[str], cells: pd.DataFrame = CELLS) -> list[tuple]:
    con = duckdb.connect()
    try:
        con.register("cells", cells)
        con.register("practice_areas", PRACTICE_AREAS)
        return con.sql(engine.rollup_sql("cells", "fin_year", areas)).fetchall()
    finally:
        con.close()


def test_cells_sum_to_each_area_level_and_a_practice_without_a_pcn_is_in_no_pcn() -> None:
    head = ("m", "2024-25", "fin_year")
    assert _rolled(["borough", "pcn", "practice"]) == [
        (*head, "borough", "E09000015", "sex", "F", 1, 6),
        (*head, "borough", "E09000015", "total", "total", 7, 70),
        (*head, "pcn", "North", "sex", "F", 1, 6),
        (*head, "pcn", "North", "total", "total", 3, 30),
        (*head, "practice", "A1", "sex", "F", 1, 6),
        (*head, "practice", "A1", "total", "total", 1, 10),
        (*head, "practice", "A2", "total", "total", 2, 20),
        (*head, "practice", "B1", "total", "total", 4, 40),
    ]


def test_only_the_declared_levels_are_rolled_up_from_cells_keyed_by_them() -> None:
    by_pcn = CELLS.drop(columns="practice_code").assign(pcn_name=["North", "North", None, "North"])
    assert [row[3:] for row in _rolled(["pcn"], by_pcn)] == [
        ("pcn", "North", "sex", "F", 1, 6),
        ("pcn", "North", "total", "total", 3, 30),
    ]
