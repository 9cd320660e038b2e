"""The catalogue and the SQL measures agree: every entry's measure is in the SQL output over
the small test extract, every measure the SQL emits is used by an entry, and each measure is
named by the id of an entry that uses it (the entry's own id, or that id and a suffix for a
component such as a group's share or a survey design count)."""

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


def _users() -> dict[tuple[str, str], list[str]]:
    """(SQL file, measure name) -> ids of the entries that use it."""
    users: dict[tuple[str, str], list[str]] = {}
    for item in catalogue.indicators():
        for query, names in item.measure.parts:
            for name in names:
                users.setdefault((query, name), []).append(item.id)
    return users


def test_every_measure_is_named_for_an_entry_that_uses_it() -> None:
    wrong = sorted(
        (query, name, ids)
        for (query, name), ids in _users().items()
        if not any(name == i or name.startswith(f"{i}-") for i in ids)
    )
    assert wrong == []


def test_an_entry_with_a_measure_of_its_own_is_measured_under_its_id() -> None:
    users = _users()
    own = [
        item
        for item in catalogue.indicators()
        if sum(len(names) for _, names in item.measure.parts) == 1
        and users[(item.query, item.measure_name)] == [item.id]
    ]
    several = [item for item in catalogue.indicators() if len(item.measure.names) > 1]
    # an entry's several measures of its own are named <id>-<part>
    assert [
        (item.id, name)
        for item in several
        for query, names in item.measure.parts
        for name in names
        if users[(query, name)] == [item.id] and not name.startswith(item.id)
    ] == []
    assert {"programme-effects", "pm5-acsc-admissions"} <= {item.id for item in several}
    assert [(item.id, item.measure_name) for item in own if item.measure_name != item.id] == []
    assert len(own) >= 20
    shared = {
        item.id: item.measure_name
        for item in catalogue.indicators()
        if item.measure.parts and item not in own
    }
    # a measure several entries read is named by the entry whose headline it is
    assert shared["o3-under5-ae"] == "o2-ae-isr"
    assert shared["o1-life-expectancy-gap"] == "o1-life-expectancy-imd5"
    assert shared["o1-jsna-headlines"] == "pm1-tooth-decay-5"
