"""The ``-- expand:`` header: a shared denominator summed once and copied to each measure
(and month) after aggregation equals its rows repeated before aggregation."""

from __future__ import annotations

import pandas as pd
import pytest

from bbp_analysis.errors import InputError
from bbp_analysis.measures import engine, list_measures

EXPANDED = [n for n in list_measures() if "expand" in engine._header(engine.SQL_DIR / f"{n}.sql")]


def _repeated_before_aggregation(name: str) -> str:
    """The measure's roll-up over its unit rows with the marker's rows repeated per target
    measure and period before the GROUPING SETS (the cost the header avoids)."""
    base, period_type, areas, breakdowns, (marker, measures) = engine._spec(name)
    targets = " UNION ALL ".join(f"SELECT '{m}' AS target" for m in measures)
    calendar = (
        "SELECT fin_year, period AS target_period FROM months"
        if period_type == "month"
        else "SELECT fin_year, fin_year AS target_period FROM fin_years"
    )
    unit = f"({base.rstrip().rstrip(';')})"
    repeated = (
        f"SELECT * FROM {unit} AS b WHERE b.measure <> '{marker}'\n"
        "UNION ALL BY NAME\n"
        "SELECT b.* EXCLUDE (measure, period), t.target AS measure, c.target_period AS period\n"
        f"FROM {unit} AS b JOIN ({targets}) AS t ON b.measure = '{marker}'\n"
        f"JOIN ({calendar}) AS c ON c.fin_year = b.period"
    )
    return (
        engine.unit_sql(repeated, breakdowns, areas),
        engine.rollup_sql("cells", period_type, areas),
    )


def test_the_measures_sharing_a_population_declare_it_once() -> None:
    assert EXPANDED == [
        "ae_attendances",
        "b2h_segments",
        "emergency_admissions",
        "emergency_admissions_monthly",
    ]


@pytest.mark.parametrize("name", EXPANDED)
def test_expansion_after_aggregation_equals_rows_repeated_before(name, extract_dir) -> None:
    con = engine.connect(extract_dir)
    try:
        expanded = engine._run(con, name)
        cells, rollup = _repeated_before_aggregation(name)
        con.execute(f"CREATE TEMP TABLE cells AS {cells}")
        repeated = con.sql(rollup).df()[engine.OUTPUT_COLUMNS]
    finally:
        con.close()
    _, measures = engine._expansion(engine._header(engine.SQL_DIR / f"{name}.sql"))
    assert sorted(expanded["measure"].unique()) == sorted(measures)
    totals = expanded[(expanded["breakdown"] == "total") & (expanded["area_type"] == "borough")]
    assert (totals["denominator"] > 1000).all() and (totals["numerator"] > 0).any()
    assert expanded["period"].str.len().eq(7).all()  # 'YYYY-MM' or 'YYYY-YY', never absent
    pd.testing.assert_frame_equal(
        expanded, repeated.astype(expanded.dtypes.to_dict()), check_exact=True
    )


def test_a_malformed_expand_header_is_refused() -> None:
    with pytest.raises(InputError, match="malformed expand header"):
        engine._expansion({"expand": "population o1-emergency-admissions"})
    assert engine._expansion({"expand": " population -> a, b "}) == ("population", ["a", "b"])
