"""The catalogue and the SQL measures agree: every entry's measure is in the SQL output over
the small test extract, and every measure the SQL emits is used by an entry."""

from __future__ import annotations

import pandas as pd

from bbp_analysis import catalogue


def _emitted(results: dict[str, pd.DataFrame]) -> set[tuple[str, str]]:
    return {(query, name) for query, frame in results.items() for name in frame["measure"].unique()}


def test_every_entry_measure_is_in_the_sql_output(results: dict[str, pd.DataFrame]) -> None:
    emitted = _emitted(results)
    named = {
        (item.id, query, name)
        for item in catalogue.indicators()
        for query, names in item.measure.parts
        for name in names
    }
    missing = sorted(row for row in named if row[1:] not in emitted)
    assert missing == []
    assert len(named) > 60


def test_every_sql_measure_is_used_by_an_entry(results: dict[str, pd.DataFrame]) -> None:
    used = {
        (query, name)
        for item in catalogue.indicators()
        for query, names in item.measure.parts
        for name in names
    }
    assert sorted(_emitted(results) - used) == []


def test_headline_measure_has_rows_for_the_borough(results: dict[str, pd.DataFrame]) -> None:
    """Each entry's headline measure gives numbers for the borough in some year."""
    for item in catalogue.indicators():
        if not item.measure.parts:
            continue
        frame = results[item.query]
        rows = frame[(frame["measure"] == item.measure_name) & (frame["area_type"] == "borough")]
        assert rows["denominator"].sum() > 0, item.id
