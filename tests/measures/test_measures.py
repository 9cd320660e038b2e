"""Measures computed by SQL on DuckDB agree with the same numbers computed in pandas."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
import sqlglot

from bbp_analysis.errors import InputError
from bbp_analysis.measures import describe_measures, list_measures, run_measure
from bbp_analysis.measures.engine import (
    OUTPUT_COLUMNS,
    SIDE_BY_SIDE_PERSONS,
    SQL_DIR,
    measure_sql,
    streams,
)

from .conftest import person_years, select

ACSC_PREFIX3 = (
    "E10",
    "E11",
    "E12",
    "E13",
    "E14",
    "F00",
    "F01",
    "F02",
    "F03",
    "G30",
    "G40",
    "G41",
    "R56",
    "O15",
    "I20",
    "I50",
    "I48",
    "J41",
    "J42",
    "J43",
    "J44",
    "J47",
    "J45",
    "J46",
)
ACSC_CODE4 = (
    "B180",
    "B181",
    "D501",
    "D508",
    "D509",
    "I110",
    "I119",
    "I10X",
    "I240",
    "I248",
    "I249",
    "J81X",
)


def _emergency(extract_dir, persons):
    spells = pd.read_parquet(extract_dir / "apc_spells.parquet")
    spells = spells[spells["admimeth"].str.startswith("2") & (spells["admimeth"] != "2B")]
    spells = spells.merge(persons, on="person_id")
    for col in ("admission_date", "discharge_date", "date_of_death"):
        spells[col] = pd.to_datetime(spells[col])
    return spells


def _fin_year(dates: pd.Series) -> pd.Series:
    start = dates.dt.year - (dates.dt.month < 4)
    return start.astype(str) + "-" + ((start + 1) % 100).astype(str).str.zfill(2)


def test_every_measure_is_listed_with_a_description():
    names = list_measures()
    assert {
        "registered_population",
        "ltc_prevalence",
        "diabetes_care_processes",
        "hypertension_control",
        "emergency_admissions",
        "emergency_admissions_monthly",
        "ae_attendances",
        "readmissions_30d",
        "falls_65plus",
        "end_of_life",
        "programmes",
        "gpps_access",
        "citizen_experience",
        "staff_satisfaction",
        "workforce",
        "oral_health",
        "carers",
        "plus_profile",
    } <= set(names)
    descriptions = describe_measures()
    assert all(len(descriptions[n]) > 20 for n in names)


def test_outputs_share_one_long_layout(results):
    for name, frame in results.items():
        assert list(frame.columns) == OUTPUT_COLUMNS, name
        assert set(frame["area_type"]) <= {"borough", "pcn", "practice"}, name
        assert (frame["denominator"] >= 0).all() and len(frame) > 0, name


def test_measures_written_whole_in_list_order(results_file):
    """``write_all`` aggregates on several connections side by side, yet writes each measure's
    rows together, in :func:`list_measures` order (so equal inputs give equal files)."""
    queries = pq.read_table(results_file, columns=["query"])["query"].to_pylist()
    assert [query for query, _ in itertools.groupby(queries)] == list_measures()


def test_one_row_group_per_measure(results_file, results):
    """Each row group holds one measure of one SQL file, in the file's order (a read of one
    measure then decodes only its rows), and a read filtered on both gives that measure's
    rows exactly."""
    metadata = pq.ParquetFile(results_file).metadata
    column = {metadata.schema.column(i).name: i for i in range(metadata.num_columns)}
    groups = []
    for index in range(metadata.num_row_groups):
        stats = [
            metadata.row_group(index).column(column[c]).statistics for c in ("query", "measure")
        ]
        assert all(s.min == s.max for s in stats), index
        groups.append((stats[0].min, stats[1].min))
    expected = [
        (name, measure)
        for name in list_measures()
        for measure, _ in itertools.groupby(results[name]["measure"])
    ]
    assert groups == expected and len(set(groups)) == len(groups)
    name, measure = next((n, m) for n, m in groups if results[n]["measure"].nunique() > 1)
    read = pq.read_table(
        results_file, filters=[("query", "==", name), ("measure", "==", measure)]
    ).to_pandas()
    whole = results[name]
    pd.testing.assert_frame_equal(
        read.drop(columns="query"), whole[whole["measure"] == measure].reset_index(drop=True)
    )


def test_side_by_side_connections_follow_the_extract_size():
    """Two for one borough (442,611 persons), one for eight (4,169,315), with the limit."""
    assert streams({"tables": {"persons": {"rows": 442_611}}}) == 2
    assert streams({"tables": {"persons": {"rows": SIDE_BY_SIDE_PERSONS}}}) == 2
    assert streams({"tables": {"persons": {"rows": 4_169_315}}}) == 1


def test_practices_sum_to_pcns_and_borough(results):
    for frame in results.values():
        total = frame[frame["breakdown"] == "total"]
        sums = (
            total.groupby(["measure", "period", "area_type"])[["numerator", "denominator"]]
            .sum()
            .unstack("area_type")
        )
        if "practice" in total["area_type"].values:
            for part in ("numerator", "denominator"):
                np.testing.assert_allclose(sums[(part, "practice")], sums[(part, "borough")])
                np.testing.assert_allclose(sums[(part, "pcn")], sums[(part, "borough")])


def test_registered_population_by_practice(results, persons):
    got = select(
        results["registered_population"],
        measure="o1-registered-population",
        period="2023-24",
        area_type="practice",
        breakdown="total",
    )
    expected = person_years(persons, "2023-24").groupby("practice_code").size()
    assert got.set_index("area_code")["numerator"].astype(int).to_dict() == expected.to_dict()


def _counts_agree(got: pd.DataFrame, expected: pd.DataFrame) -> None:
    """The measure's numerators and denominators by area (``got``, indexed by area code) are
    the counts ``expected`` (``sum`` and ``size`` by area) computed in pandas."""
    assert got["numerator"].astype(int).to_dict() == expected["sum"].to_dict()
    assert got["denominator"].astype(int).to_dict() == expected["size"].to_dict()


def test_programme_uptake_by_practice_and_age_band(results, extract_dir, persons):
    # programmes.sql spells out person_years' rules (registered and alive on 1 October, age
    # on that date): the same people as person_years, in the same practices and age bands
    got = select(
        results["programmes"], measure="o1-flu-65plus", period="2023-24", breakdown="total"
    )
    programmes = pd.read_parquet(extract_dir / "programmes.parquet")
    flu = programmes[
        (programmes["programme"] == "flu_65plus")
        & (programmes["fin_year"] == "2023-24")
        & programmes["eligible"]
    ]
    py = person_years(persons, "2023-24")
    people = flu.merge(py, on="person_id")
    expected = people.groupby("practice_code")["completed"].agg(["sum", "size"])
    practices = select(got, area_type="practice").set_index("area_code")
    assert len(expected) > 10 and len(people) > 1000
    _counts_agree(practices, expected)
    bands = select(
        results["programmes"],
        measure="o1-flu-65plus",
        period="2023-24",
        area_type="borough",
        breakdown="age_band",
    ).set_index("breakdown_value")
    band = (people["age"] // 5 * 5).clip(upper=90)
    labels = band.map(lambda a: "90+" if a == 90 else f"{a}-{a + 4}")
    assert bands["denominator"].astype(int).to_dict() == labels.value_counts().to_dict()


def test_diabetes_prevalence_by_pcn(results, persons):
    got = select(
        results["ltc_prevalence"],
        measure="o3-diabetes-prevalence",
        period="2022-23",
        area_type="pcn",
        breakdown="total",
    ).set_index("area_code")
    py = person_years(persons, "2022-23")
    adults = py[py["age"] >= 17]
    expected = adults.groupby("pcn_name")["diabetes"].agg(["sum", "size"])
    _counts_agree(got, expected)


def test_acsc_admissions_by_pcn_and_sex_age_bands(results, extract_dir, persons):
    spells = _emergency(extract_dir, persons)
    codes = spells["primary_diagnosis"]
    acsc = spells[codes.str[:3].isin(ACSC_PREFIX3) | codes.isin(ACSC_CODE4)]
    acsc = acsc[_fin_year(acsc["admission_date"]) == "2021-22"]
    frame = select(
        results["emergency_admissions"],
        measure="acsc-chronic-nhsof",
        period="2021-22",
        area_type="pcn",
    )
    total = select(frame, breakdown="total").set_index("area_code")["numerator"]
    assert total.astype(int).to_dict() == acsc.groupby("pcn_name").size().to_dict()
    bands = select(frame, breakdown="sex_age_band")
    assert bands["breakdown_value"].str.fullmatch(r"[MF]:(\d+-\d+|90\+)").all()
    assert bands.groupby("area_code")["numerator"].sum().to_dict() == total.to_dict()


def test_monthly_acsc_sum_to_the_year(results):
    monthly = select(
        results["emergency_admissions_monthly"],
        measure="acsc-chronic-nhsof-monthly",
        area_type="borough",
        breakdown="total",
    )
    assert (monthly["period_type"] == "month").all() and len(monthly) == 84
    months = monthly[monthly["period"].between("2022-04", "2023-03")]
    annual = select(
        results["emergency_admissions"],
        measure="acsc-chronic-nhsof",
        area_type="borough",
        breakdown="total",
        period="2022-23",
    )
    assert months["numerator"].sum() == annual["numerator"].iloc[0]
    assert (months["denominator"] == annual["denominator"].iloc[0]).all()


def test_readmissions_within_30_days(results, extract_dir, persons):
    spells = _emergency(extract_dir, persons)
    index = spells[_fin_year(spells["discharge_date"]) == "2022-23"]
    index = index[
        index["date_of_death"].isna() | (index["date_of_death"] > index["discharge_date"])
    ]
    pairs = index[["spell_id", "person_id", "discharge_date"]].merge(
        spells[["person_id", "admission_date"]], on="person_id"
    )
    gap = (pairs["admission_date"] - pairs["discharge_date"]).dt.days
    readmitted = pairs.loc[(gap >= 1) & (gap <= 30), "spell_id"].nunique()
    got = select(
        results["readmissions_30d"], period="2022-23", area_type="borough", breakdown="total"
    )
    assert got["numerator"].iloc[0] == readmitted
    assert got["denominator"].iloc[0] == len(index)


def test_gpps_weighted_shares_by_imd_quintile(results, extract_dir):
    gpps = pd.read_parquet(extract_dir / "gpps_responses.parquet")
    year = gpps[gpps["fin_year"] == "2024-25"]
    good = (
        (year["weight"] * (year["appointment_experience"] == "good"))
        .groupby(year["imd_quintile"])
        .sum()
    )
    got = select(
        results["gpps_access"],
        measure="pm2-gp-access-good",
        period="2024-25",
        area_type="borough",
        breakdown="imd_quintile",
    )
    np.testing.assert_allclose(
        got.set_index("breakdown_value")["numerator"].to_numpy(), good.to_numpy()
    )


def test_deaths_in_usual_place_of_residence(results, persons):
    died = persons[persons["date_of_death"].notna()]
    year = died[_fin_year(pd.to_datetime(died["date_of_death"])) == "2023-24"]
    got = select(
        results["end_of_life"],
        measure="eol-usual-place-of-residence",
        period="2023-24",
        area_type="borough",
        breakdown="total",
    )
    assert got["denominator"].iloc[0] == len(year)
    assert got["numerator"].iloc[0] == year["place_of_death"].isin(["home", "care_home"]).sum()


def test_workforce_turnover_by_organisation(results, extract_dir):
    workforce = pd.read_parquet(extract_dir / "workforce.parquet")
    year = workforce[workforce["fin_year"] == "2022-23"].set_index("organisation")
    got = select(
        results["workforce"],
        measure="pm4-voluntary-turnover",
        period="2022-23",
        breakdown="organisation",
    ).set_index("breakdown_value")
    assert got["numerator"].to_dict() == year["leavers_voluntary"].astype(float).to_dict()
    rates = got["numerator"] / got["denominator"]
    assert rates.between(0.05, 0.25).all()


def test_run_measure_filters_and_rejects_unknown_names(extract_dir):
    frame = run_measure("carers", extract_dir, area_type="pcn", breakdown="sex")
    assert set(frame["area_type"]) == {"pcn"} and set(frame["breakdown_value"]) == {"M", "F"}
    with pytest.raises(InputError, match="unknown measure"):
        run_measure("no_such_measure", extract_dir)
    with pytest.raises(InputError, match="cannot filter"):
        run_measure("carers", extract_dir, colour="red")


@pytest.mark.parametrize("name", list_measures())
def test_sql_transpiles_to_spark(name):
    cells, rollup = measure_sql(name)
    for statement in (cells, rollup):
        assert sqlglot.transpile(statement, read="duckdb", write="spark")
    for view in SQL_DIR.glob("_*.sql"):
        assert sqlglot.transpile(view.read_text(), read="duckdb", write="spark")
