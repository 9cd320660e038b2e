"""The cells (:func:`engine.unit_sql`): unit rows summed to the cells of each grouping set
and then to each breakdown equal one GROUP BY per breakdown over the unit rows, keyed by
practice alone for a measure reported by practice, else by its declared area levels."""

from __future__ import annotations

import pandas as pd
import pytest

from bbp_analysis.measures import engine


def _one_group_by_per_breakdown(base: str, breakdowns: list[str], keys: str) -> str:
    unit = f"({base.rstrip().rstrip(';')}) AS unit_rows"
    return "\nUNION ALL\n".join(
        f"SELECT {keys}, '{b}' AS breakdown, {engine.BREAKDOWNS[b]} AS breakdown_value, "
        f"SUM(numerator) AS numerator, SUM(denominator) AS denominator FROM {unit} "
        f"GROUP BY {', '.join([keys, *engine.BREAKDOWN_COLUMNS[b]])}"
        for b in breakdowns
    )


def _frame(con, sql: str, keys: list[str]) -> pd.DataFrame:
    frame = con.sql(sql).df()
    frame[["numerator", "denominator"]] = frame[["numerator", "denominator"]].astype(float)
    order = [*keys, "breakdown", "breakdown_value"]
    return frame.sort_values(order, na_position="first").reset_index(drop=True)


def test_cells_are_keyed_by_practice_alone_or_by_the_declared_levels() -> None:
    assert engine.cell_keys(["borough", "pcn", "practice"]) == [
        "measure",
        "period",
        "practice_code",
    ]
    assert engine.cell_keys(["borough", "pcn"]) == ["measure", "period", "borough_code", "pcn_name"]
    assert engine.cell_keys(["borough"]) == ["measure", "period", "borough_code"]


def test_breakdown_columns_are_summed_in_as_few_sets_as_their_packs_allow() -> None:
    standard = list(engine.STANDARD_BREAKDOWNS)
    assert engine.host_sets(standard) == [
        ("age_band", "sex"),
        ("ethnic_group", "imd_quintile", "imd_decile"),
    ]
    assert engine.host_sets(["total", "sex", "ethnic_group", "imd_quintile"]) == [
        ("sex",),
        ("ethnic_group", "imd_quintile"),
    ]
    # a breakdown refining two packs' columns is its own set, and covers the coarser ones
    assert engine.host_sets(["sex", "age_band", "ethnic_group_sex_age_band"]) == [
        ("sex", "age_band", "ethnic_group")
    ]
    assert engine.host_sets(["total"]) == [()]


@pytest.mark.parametrize(
    "name",
    [
        "carers",
        "programmes",
        "ltc_prevalence",
        "registered_population",
        "o3_smi_emergency",
        "pm5_acsc_admissions",
    ],
)
def test_cells_equal_one_group_by_per_breakdown(name, extract_dir) -> None:
    base, _, areas, breakdowns, _ = engine._spec(name)
    keys = engine.cell_keys(areas)
    con = engine.connect(extract_dir)
    try:
        cells = _frame(con, engine.unit_sql(base, breakdowns, areas), keys)
        direct = _frame(con, _one_group_by_per_breakdown(base, breakdowns, ", ".join(keys)), keys)
    finally:
        con.close()
    assert len(breakdowns) > 1 and set(cells["breakdown"]) == set(breakdowns)
    assert cells["denominator"].sum() > 1000 * len(breakdowns)
    pd.testing.assert_frame_equal(cells, direct, check_exact=False, rtol=1e-12)
