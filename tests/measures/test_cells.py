"""The practice-level cells (:func:`engine.unit_sql`): unit rows summed to the finest cell of
each breakdown set and then to each breakdown equal one GROUP BY per breakdown over the unit
rows."""

from __future__ import annotations

import pandas as pd
import pytest

from bbp_analysis.measures import engine

AREAS = "measure, period, borough_code, pcn_name, practice_code"
KEYS = [*AREAS.split(", "), "breakdown", "breakdown_value"]


def _one_group_by_per_breakdown(base: str, breakdowns: list[str]) -> str:
    unit = f"({base.rstrip().rstrip(';')}) AS unit_rows"
    return "\nUNION ALL\n".join(
        f"SELECT {AREAS}, '{b}' AS breakdown, {engine.BREAKDOWNS[b]} AS breakdown_value, "
        f"SUM(numerator) AS numerator, SUM(denominator) AS denominator FROM {unit} "
        f"GROUP BY {', '.join([AREAS, *engine.BREAKDOWN_COLUMNS[b]])}"
        for b in breakdowns
    )


def _frame(con, sql: str) -> pd.DataFrame:
    frame = con.sql(sql).df()
    frame[["numerator", "denominator"]] = frame[["numerator", "denominator"]].astype(float)
    return frame.sort_values(KEYS, na_position="first").reset_index(drop=True)


@pytest.mark.parametrize(
    "name", ["carers", "programmes", "ltc_prevalence", "registered_population"]
)
def test_cells_equal_one_group_by_per_breakdown(name, extract_dir) -> None:
    base, _, _, breakdowns, _ = engine._spec(name)
    con = engine.connect(extract_dir)
    try:
        cells = _frame(con, engine.unit_sql(base, breakdowns))
        direct = _frame(con, _one_group_by_per_breakdown(base, breakdowns))
    finally:
        con.close()
    assert len(breakdowns) > 1 and set(cells["breakdown"]) == set(breakdowns)
    assert cells["denominator"].sum() > 1000 * len(breakdowns)
    pd.testing.assert_frame_equal(cells, direct, check_exact=False, rtol=1e-12)
