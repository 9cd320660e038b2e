"""Person-month denominators of the objective 3 time series (o3_its_monthly) on a hand-made
cohort: time at risk counted by the day, age on the 15th, events only while registered."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from bbp_analysis.measures.engine import SQL_DIR, calendar_frames

PERSON = {
    "borough_code": "E09000015",
    "pcn_name": "A PCN",
    "practice_code": "X1",
    "birth_year": 1950,
    "birth_month": 1,
    "diabetes": False,
    "frailty": "none",
    "registered_from": None,
    "registered_to": None,
    "date_of_death": None,
}


def _person(person_id: str, **changes) -> dict:
    return {"person_id": person_id, **PERSON, **changes}


def _run(people: list[dict], spells: list[dict] | None = None) -> pd.DataFrame:
    con = duckdb.connect(":memory:")
    persons = pd.DataFrame(people)
    for column in ("registered_from", "registered_to", "date_of_death"):
        persons[column] = pd.to_datetime(persons[column]).dt.date
    con.register("persons", persons)
    spell_columns = ["person_id", "admission_date", "primary_diagnosis", "is_acsc_chronic"]
    spell_columns += ["is_fall", "age"]
    emergency = pd.DataFrame(spells or [], columns=spell_columns)
    emergency["admission_date"] = pd.to_datetime(emergency["admission_date"]).dt.date
    con.register("emergency_spells", emergency)
    con.register(
        "ae_attendances",
        pd.DataFrame({"person_id": ["none"], "arrival_date": [None], "department_type": ["01"]}),
    )
    con.register("months", calendar_frames(["2023-24"])["months"])
    sql = (SQL_DIR / "o3_its_monthly.sql").read_text(encoding="utf-8")
    rows = con.sql(sql).df()
    return rows.groupby(["measure", "period"])[["numerator", "denominator"]].sum()


def test_person_months_count_days_at_risk_in_each_month():
    rows = _run(
        [
            _person("P1"),  # registered all year: one person-month every month
            _person("P2", registered_from="2023-04-16"),  # 15 of April's 30 days
            _person("P3", registered_to="2023-06-11"),  # first day no longer registered
            _person("P4", date_of_death="2024-02-09"),  # alive on 9 of February's 29 days
        ]
    )
    persons = rows.loc["programme-effects-utc", "denominator"]
    assert persons["2023-04"] == pytest.approx(1 + 15 / 30 + 1 + 1)
    assert persons["2023-06"] == pytest.approx(1 + 1 + 10 / 30 + 1)
    assert persons["2023-07"] == pytest.approx(3)
    assert persons["2024-02"] == pytest.approx(2 + 9 / 29)
    assert persons["2024-03"] == pytest.approx(2)


def test_a_closed_cohort_shrinks_month_by_month_not_in_april():
    frail = [
        _person(f"F{i}", frailty="severe", date_of_death=f"2023-{4 + i:02d}-01") for i in range(6)
    ]
    frail.append(_person("F9", frailty="moderate"))
    months = _run(frail).loc["programme-effects-frail-emergency", "denominator"]
    # the first death falls on 1 April: that person is at risk on 1 April only
    assert months["2023-04"] == pytest.approx(1 / 30 + 6)
    assert months["2023-05"] == pytest.approx(1 / 31 + 5)
    assert months["2023-10"] == pytest.approx(1)


def test_age_is_taken_on_the_15th_and_events_only_while_registered():
    people = [
        _person("P1", birth_year=1958, birth_month=9),  # 65 from September 2023
        _person("P2", birth_year=1940, registered_to="2023-05-01", diabetes=True),
    ]
    spells = [
        {"person_id": "P2", "admission_date": "2023-04-20", "primary_diagnosis": "E119",
         "is_acsc_chronic": 1, "is_fall": 0, "age": 83},
        {"person_id": "P2", "admission_date": "2023-07-20", "primary_diagnosis": "E119",
         "is_acsc_chronic": 1, "is_fall": 0, "age": 83},
    ]  # fmt: skip
    rows = _run(people, spells)
    older = rows.loc["programme-effects-falls-65plus", "denominator"]
    assert older["2023-04"] == pytest.approx(1)  # P2 only
    assert older["2023-08"] == pytest.approx(0)
    assert older["2023-09"] == pytest.approx(1)  # P1 turns 65
    diabetes = rows.loc["programme-effects-diabetes-acsc"]
    assert diabetes.loc["2023-04", "numerator"] == 1
    assert diabetes["numerator"].sum() == 1  # the July admission falls after deregistration
    assert diabetes.loc["2023-04", "denominator"] == pytest.approx(1)
