"""Objective 3 chapter: measure 5, falls DSR, disclosure, and whether the programme
evaluations recover the effects built into the synthetic extract."""

from __future__ import annotations

import math
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest

from bbp_analysis import extract, indicators, standardisation
from bbp_analysis.chapters import objective_3 as o3
from bbp_analysis.chapters import objective_3_its as its
from bbp_analysis.chapters import objective_3_text as text
from bbp_analysis.errors import InputError
from bbp_analysis.synth.interventions import interventions_table

from support import RUN_PARAMS, executed_notebook, run_chapter

ROOT = Path(__file__).resolve().parents[2]
Z95 = 1.959963984540054
PARAMS = RUN_PARAMS
PCNS = (
    "Harrow Collaborative PCN",
    "Harrow East PCN",
    "Health Alliance PCN",
    "Healthsense PCN",
    "Sphere PCN",
)


def byar(count: float, n: float, per: float) -> tuple[float, float]:
    """Byar's approximation written out here, independent of the package."""
    lower = count * (1 - 1 / (9 * count) - Z95 / (3 * math.sqrt(count))) ** 3
    upper = (count + 1) * (1 - 1 / (9 * (count + 1)) + Z95 / (3 * math.sqrt(count + 1))) ** 3
    return lower / n * per, upper / n * per


def totals(query: str, measure: str, period: str) -> pd.DataFrame:
    rows = extract.measures(query, measure=measure, period=period, breakdown="total")
    return rows.set_index("area_code")


@pytest.fixture(scope="module")
def its_table() -> pd.DataFrame:
    return its.its_results(PARAMS)


@pytest.fixture(scope="module")
def staggered() -> pd.DataFrame:
    return its.staggered_results(PARAMS)


# The plan's six conditions, written here from the NHS OF 2.3.i groups (dotted ICD-10), not
# read from the package: asthma J45-J46; diabetes E10-E14; epilepsy G40-G41; hypertensive
# disease I10, I11.9; dementia F00-F03, G30; heart failure I50, I11.0, J81.
WHOLE = {
    "J45",
    "J46",
    "E10",
    "E11",
    "E12",
    "E13",
    "E14",
    "G40",
    "G41",
    "I10",
    "F00",
    "F01",
    "F02",
    "F03",
    "G30",
    "I50",
    "J81",
}
DOTTED = {"I11.9", "I11.0"}


def in_six(code: str) -> bool:
    return code[:3] in WHOLE or f"{code[:3]}.{code[3:4]}" in DOTTED


def band(age: pd.Series) -> pd.Series:
    """ESP 2013 five-year band of each age ("0-4" ... "85-89", "90+")."""
    low = (age.clip(upper=90) // 5 * 5).astype(int)
    return low.astype(str) + "-" + (low + 4).astype(str)


def esp_band(age: pd.Series) -> pd.Series:
    return band(age).where(age < 90, "90+")


def nwl_reference(folder: Path, period: str = "2025/26") -> pd.DataFrame:
    """NWL's measure-5 counts and populations by sex and age band, read here straight from
    the comparator table of the extract in ``folder``."""
    table = pd.read_parquet(folder / "comparators.parquet")
    table = table[
        (table["Indicator ID"] == "pm5-acsc-admissions")
        & (table["Area Code"] == "E54000027")
        & (table["Time period"] == period)
        & table["Sex"].isin(["Male", "Female"])
    ]
    return pd.DataFrame(
        {
            "sex": table["Sex"].str[0].to_numpy(),
            "age_band": table["Age"].str.removesuffix(" yrs").to_numpy(),
            "rate": (table["Count"].astype(float) / table["Denominator"].astype(float)).to_numpy(),
            "count": table["Count"].astype(float).to_numpy(),
            "population": table["Denominator"].astype(float).to_numpy(),
        }
    )


@pytest.fixture(scope="module")
def raw_rate(repository_extract: Path) -> dict[str, dict[str, float]]:
    """Measure 5 in 2025-26 recomputed from the extract's Parquet tables: emergency spells
    (admission method 2x except 2B) of six-condition primary diagnoses admitted in the year
    while the person was registered, by sex and age band at admission; people registered on
    1 October 2025 by sex and age band; expected admissions at NWL's rates (the comparator
    table); for the borough and each PCN: observed, expected and the standardised rate per
    1,000 (O/E times NWL's crude rate)."""
    folder = repository_extract
    persons = pd.read_parquet(folder / "persons.parquet")
    spells = pd.read_parquet(folder / "apc_spells.parquet")
    mid = pd.Timestamp("2025-10-01")
    start = pd.to_datetime(persons["registered_from"])
    stop = pd.to_datetime(persons["registered_to"])
    age = 2025 - persons["birth_year"] - (persons["birth_month"] >= 10)
    people = persons[(start.isna() | (start <= mid)) & (stop.isna() | (stop > mid)) & (age >= 0)]
    people = people.assign(age_band=esp_band(age[people.index]))
    admitted = pd.to_datetime(spells["admission_date"])
    emergency = spells["admimeth"].str.startswith("2") & (spells["admimeth"] != "2B")
    in_year = (admitted >= "2025-04-01") & (admitted < "2026-04-01")
    six = spells["primary_diagnosis"].map(in_six)
    chosen = spells[emergency & in_year & six].merge(persons, on="person_id")
    when = pd.to_datetime(chosen["admission_date"])
    registered = (
        pd.to_datetime(chosen["registered_from"]).isna()
        | (pd.to_datetime(chosen["registered_from"]) <= when)
    ) & (
        pd.to_datetime(chosen["registered_to"]).isna()
        | (pd.to_datetime(chosen["registered_to"]) > when)
    )
    chosen = chosen[registered]
    before_birthday = (when.dt.month < chosen["birth_month"]) | (
        (when.dt.month == chosen["birth_month"]) & (when.dt.day < 15)
    )
    chosen = chosen.assign(
        age_band=esp_band(when.dt.year - chosen["birth_year"] - before_birthday.astype(int))
    )
    ref = nwl_reference(folder).set_index(["sex", "age_band"])
    crude = ref["count"].sum() / ref["population"].sum()
    out = {}
    for area, pop, adm in [("Harrow", people, chosen)] + [
        (pcn, people[people["pcn_name"] == pcn], chosen[chosen["pcn_name"] == pcn]) for pcn in PCNS
    ]:
        cells = pop.groupby(["sex", "age_band"]).size()
        expected = float((cells * ref["rate"].reindex(cells.index)).sum())
        observed = float(len(adm))
        out[area] = {
            "observed": observed,
            "expected": expected,
            "value": observed / expected * crude * 1000,
            "crude": crude * 1000,
        }
    return out


def test_six_condition_codes_pick_the_plans_conditions_only() -> None:
    assert all(
        in_six(c)
        for c in (
            "J459",
            "J46X",
            "E119",
            "G409",
            "G419",
            "I10X",
            "I119",
            "F03X",
            "G309",
            "F000",
            "I500",
            "I110",
            "J81X",
        )
    )
    assert not any(
        in_six(c)
        for c in ("R568", "O159", "J449", "I489", "I209", "I130", "I120", "D509", "B181", "J189")
    )


def test_measure_5_rate_recomputed_from_the_extract(raw_rate: dict) -> None:
    table = o3.acsc_values(PARAMS)
    harrow = raw_rate["Harrow"]
    assert table.iloc[0]["area"] == "Harrow"
    assert table.iloc[0]["numerator"] == harrow["observed"]
    assert table.iloc[0]["expected"] == pytest.approx(harrow["expected"], rel=1e-9)
    assert table.iloc[0]["value"] == pytest.approx(harrow["value"], rel=1e-9)
    # Byar's limits on the observed count, over the expected, times NWL's rate
    lower, upper = byar(harrow["observed"], harrow["expected"], harrow["crude"])
    assert table.iloc[0]["lower"] == pytest.approx(lower, rel=1e-9)
    assert table.iloc[0]["upper"] == pytest.approx(upper, rel=1e-9)
    assert set(table["area"].iloc[1:]) == set(PCNS)
    for _, row in table.iloc[1:].iterrows():
        assert row["value"] == pytest.approx(raw_rate[row["area"]]["value"], rel=1e-9)
    assert o3.nwl_rate(PARAMS) == pytest.approx(harrow["crude"], rel=1e-12)


def test_measure_5_pcns_compared_with_nwl_for_the_same_age_and_sex(raw_rate: dict) -> None:
    table = o3.acsc_values(PARAMS)
    for _, row in table.iterrows():
        raw = raw_rate[row["area"]]
        lo, hi = byar(raw["observed"], raw["expected"], 1)
        expected = "worse" if lo > 1 else "better" if hi < 1 else "similar"
        assert row["comparison"] == expected
        assert row["ratio"] == pytest.approx(raw["observed"] / raw["expected"], rel=1e-9)


def test_measure_5_status_rests_on_pcn_intervals_and_an_ethnic_test(raw_rate: dict) -> None:
    status = o3.pm5_status(PARAMS)
    readings = o3.pcn_readings(PARAMS)
    above = readings.loc[readings["reading"] == "not met", "area"].tolist()
    assert status["pcns_above"] == above
    assert status["status"] == ("not met" if above else "uncertain")  # never "met": see doc
    for row in readings.itertuples():
        raw = raw_rate[row.area]
        lo998 = (
            raw["observed"]
            * (1 - 1 / (9 * raw["observed"]) - 3.090232306167813 / (3 * math.sqrt(raw["observed"])))
            ** 3
            / raw["expected"]
        )
        assert row.ratio_lower == pytest.approx(lo998, rel=1e-9)
        assert row.reading == ("not met" if lo998 > 1 else row.reading)
    assert status["target"] == pytest.approx(raw_rate["Harrow"]["crude"])
    pcns, ethnic, plan = status["readings"]
    assert pcns.verdict == status["status"]
    assert "heterogeneity chi-square" in ethnic.text and "not tested" in ethnic.text
    assert "11.47, rate of admission by weighted population, year not stated" in plan.text
    assert plan.verdict == "not comparable" and ethnic.verdict == "indicative"
    assert "indicative" in status["caveat"] and "synthetic" in status["caveat"]


def test_ethnic_variation_is_the_heterogeneity_test_of_standardised_ratios() -> None:
    variation = o3.ethnic_variation(PARAMS, "2025-26")
    table = o3.acsc_values(PARAMS, "ethnic_group", "2025-26")
    groups = table[table["area"].isin(o3.ETHNIC_GROUPS)]
    assert "Not stated" not in set(table["area"])
    o, e = groups["numerator"].to_numpy(), groups["expected"].to_numpy()
    pooled = o.sum() / e.sum()
    statistic = ((o - pooled * e) ** 2 / (pooled * e)).sum()
    assert variation.test.statistic == pytest.approx(statistic, rel=1e-12)
    assert variation.test.df == len(groups) - 1 == 4
    assert variation.left_out == ()
    assert o3.p_text(variation.test.p_value) in variation.finding()
    assert o3.p_text(0.0004) == "p < 0.001" and o3.p_text(0.0123) == "p = 0.012"


def test_suppressed_ethnic_groups_and_pcns_are_left_out_and_named() -> None:
    table = o3.acsc_values(PARAMS, "ethnic_group", "2025-26")
    counts = table[table["area"].isin(o3.ETHNIC_GROUPS)].set_index("area")["numerator"]
    # a threshold just above the smallest group's count suppresses that group, and a second
    # one (secondary suppression, so the first cannot be recovered from the total)
    threshold = int(counts.min()) + 1
    params = PARAMS.replace(suppression_threshold=threshold)
    variation = o3.ethnic_variation(params, "2025-26")
    shown = o3.acsc_values(params, "ethnic_group", "2025-26")
    hidden = tuple(shown.loc[shown["suppressed"], "area"])
    smallest = counts.idxmin()
    assert smallest in hidden and len(hidden) == 2
    assert variation.left_out == hidden
    assert not set(hidden) & set(variation.ratios) and variation.test.df == 5 - 2 - 1
    assert f"{', '.join(hidden)} left out, too few admissions to publish" in variation.finding()
    # every PCN suppressed: none is counted as above NWL, and the status is not "not met"
    huge = PARAMS.replace(suppression_threshold=10**7)
    readings = o3.pcn_readings(huge)
    assert set(readings["reading"]) == {"not assessed"}
    assert readings["ratio"].isna().all()
    status = o3.pm5_status(huge)
    assert status["status"] == "uncertain" and status["pcns_above"] == []
    assert len(status["pcns_unassessed"]) == 5 and "not assessed" in status["text"]


def test_headline_measure_5(raw_rate: dict) -> None:
    (headline,) = o3.headline_measures(PARAMS.replace(pcn="Sphere PCN"))
    assert headline.measure == 5 and headline.status in ("not met", "uncertain")
    assert headline.value == pytest.approx(raw_rate["Harrow"]["value"], rel=1e-9)
    assert headline.baseline is None and headline.target is None
    assert headline.comparators == {"NWL": pytest.approx(raw_rate["Harrow"]["crude"])}
    assert headline.comparator_sources == {"NWL": "synthetic"}
    assert headline.caveat.startswith("The comparison with the NWL average is indicative")
    assert headline.as_dict()["caveat"] == headline.caveat
    assert headline.baseline_text == (
        "Plan: 11.47, rate of admission by weighted population, year not stated"
    )
    nwl = raw_rate["Harrow"]["crude"]
    assert headline.comparator_text == (
        f"NWL {nwl:.2f} per 1,000 on the review's definition (synthetic); plan: NWL average "
        "9.89, rate of admission by weighted population, year not stated"
    )
    assert [p for p, _ in headline.trend] == [
        "2019-20",
        "2020-21",
        "2021-22",
        "2022-23",
        "2023-24",
        "2024-25",
        "2025-26",
    ]
    assert headline.trend[-1][1] == pytest.approx(headline.value)
    assert headline.synthetic and headline.anchor.endswith("#pm5-acsc-spc")
    earlier = o3.headline_measures(PARAMS.with_period("2022-23"))[0]
    assert [p for p, _ in earlier.trend][-1] == "2022-23"


def test_nhsof_list_indicator_stays_beside_measure_5() -> None:
    table = o3.nhsof_series(PARAMS)
    rows = totals("emergency_admissions", "acsc-chronic-nhsof", "2025-26")
    harrow = table[table["area"] == "Harrow"].iloc[-1]
    assert harrow["value"] == pytest.approx(
        rows.loc["E09000015", "numerator"] / rows.loc["E09000015", "denominator"] * 1000
    )
    assert "NHS Outcomes Framework" in text.nhsof_message(table, PARAMS)


def test_falls_dsr_against_esp2013_weights_typed_here() -> None:
    weights = {
        "65-69": 5500,
        "70-74": 5000,
        "75-79": 4000,
        "80-84": 2500,
        "85-89": 1500,
        "90+": 1000,
    }
    table = o3.falls_dsr(PARAMS)
    rows = extract.measures(
        "falls_65plus",
        measure="falls-65plus-dsr",
        period="2025-26",
        area_type="borough",
        breakdown="age_band",
    )
    rows = rows[rows["breakdown_value"].isin(weights)].set_index("breakdown_value")
    w = pd.Series(weights)
    expected = (rows["numerator"] / rows["denominator"] * w).sum() / w.sum() * 100_000
    latest = table[(table["area"] == "Harrow") & (table["period"] == "2025-26")].iloc[0]
    assert latest["value"] == pytest.approx(expected)
    assert latest["lower"] < expected < latest["upper"]


def test_small_counts_are_suppressed_with_their_values() -> None:
    table = indicators.area_values(
        "end_of_life",
        "eol-usual-place-of-residence",
        PARAMS.replace(suppression_threshold=150),
        kind="proportion",
        multiplier=100,
        polarity="high_is_good",
    )
    rows = totals("end_of_life", "eol-usual-place-of-residence", "2025-26")
    small = [pcn for pcn in PCNS if 0 < rows.loc[pcn, "numerator"] < 150]
    assert small, "the fixture needs at least one PCN below the threshold"
    hidden = table[table["area"].isin(small)]
    assert hidden["suppressed"].all() and hidden["value"].isna().all()
    assert hidden["numerator"].isna().all()


def test_monthly_falls_series_matches_the_spells(repository_extract: Path) -> None:
    """The ITS input, recounted from the extract's spells and persons tables."""
    folder = repository_extract
    spells = pd.read_parquet(folder / "apc_spells.parquet")
    persons = pd.read_parquet(
        folder / "persons.parquet", columns=["person_id", "birth_year", "birth_month"]
    )
    spells = spells.merge(persons, on="person_id")
    date = pd.to_datetime(spells["admission_date"])
    age = (
        date.dt.year
        - spells["birth_year"]
        - (
            (date.dt.month < spells["birth_month"])
            | ((date.dt.month == spells["birth_month"]) & (date.dt.day < 15))
        ).astype(int)
    )
    falls = (
        spells["admimeth"].str[0].eq("2")
        & spells["admimeth"].ne("2B")
        & spells["cause_code"].fillna("").str[:3].between("W00", "W19")
        & spells["primary_diagnosis"].str[0].isin(["S", "T"])
        & (age >= 65)
    )
    by_month = date[falls].dt.strftime("%Y-%m").value_counts()
    series = its.monthly_series("falls_admissions_65plus", PARAMS)
    for _, row in series.iterrows():
        assert row["count"] == by_month.get(row["date"].strftime("%Y-%m"), 0)


def test_its_recovers_the_built_in_falls_effect(its_table: pd.DataFrame) -> None:
    truth = interventions_table()
    built_in = truth.loc[truth["intervention"] == "falls_pathway", "effect_size"].unique()
    assert list(built_in) == [0.8]
    falls = its_table[its_table["programme"] == "Integrated falls pathway"].iloc[0]
    assert falls["level_lower"] <= 0.8 <= falls["level_upper"]
    assert falls["level_upper"] < 1 and falls["verdict"] == "evidence of a fall"


def test_its_finds_no_effect_in_the_negative_control(its_table: pd.DataFrame) -> None:
    control = its_table[its_table["programme"] == its.PROGRAMME_NAMES["negative_control"]].iloc[0]
    assert control["built_in_effect"] == 1.0
    assert control["level_lower"] < 1 < control["level_upper"]
    assert control["slope_lower"] < 0 < control["slope_upper"]
    assert control["verdict"].startswith("no change detected")


def test_its_fit_is_fitted_once_per_inputs(its_table: pd.DataFrame) -> None:
    """The results table and the charts share one fit of a wave; other parameters refit."""
    falls = its_table[its_table["programme"] == "Integrated falls pathway"].iloc[0]
    start, pcns = pd.Timestamp(falls["start"] + "-01"), list(falls["pcn_list"])
    outcome = next(k for k, spec in its.OUTCOMES.items() if spec.title == falls["outcome"])
    series, result, _, _ = its.its_fit(outcome, start, pcns, PARAMS)
    again, same, _, _ = its.its_fit(outcome, start, pcns, PARAMS)
    assert same is result and again is not series
    pd.testing.assert_frame_equal(again, series)
    ratio = result.estimates.set_index("term").loc["level_change", "ratio"]
    assert ratio == pytest.approx(falls["level_ratio"], rel=1e-12)
    wider = its.its_fit(outcome, start, pcns, PARAMS.replace(confidence=0.99))[1]
    assert wider is not result
    low, high = (
        wider.estimates.set_index("term").loc["level_change", c]
        for c in ("ratio_lower", "ratio_upper")
    )
    assert low < falls["level_lower"] and high > falls["level_upper"]


def test_staggered_comparison_recovers_built_in_effects(staggered: pd.DataFrame) -> None:
    nine = staggered[staggered["measure"] == "odds ratio"].iloc[0]
    assert nine["lower"] <= 2.0 <= nine["upper"] and nine["lower"] > 1
    diabetes = staggered[
        (staggered["programme"] == "Integrated diabetes team")
        & (staggered["measure"] == "rate ratio")
    ].iloc[0]
    assert diabetes["lower"] <= 0.8 <= diabetes["upper"]


def test_care_process_odds_ratio_by_hand() -> None:
    """The 2022-23 contrast alone: odds in the two started PCNs against the three not yet,
    relative to 2021-22 (a 2x2 difference in log odds), close to the fixed-effects estimate."""
    rows = extract.measures(
        "diabetes_care_processes",
        measure="diabetes-9cp",
        breakdown="total",
        area_type="pcn",
    )
    started = ["Harrow Collaborative PCN", "Harrow East PCN"]

    def log_odds(period: str, group: list[str]) -> float:
        one = rows[(rows["period"] == period) & rows["area_code"].isin(group)]
        p = one["numerator"].sum() / one["denominator"].sum()
        return math.log(p / (1 - p))

    later = [p for p in PCNS if p not in started]
    by_hand = math.exp(
        log_odds("2022-23", started)
        - log_odds("2021-22", started)
        - log_odds("2022-23", later)
        + log_odds("2021-22", later)
    )
    assert 1.5 < by_hand < 2.7


def test_too_early_and_not_started_are_said_plainly() -> None:
    early = its.its_results(PARAMS.with_period("2022-23"))
    falls = early[early["programme"] == "Integrated falls pathway"].iloc[0]
    assert np.isnan(falls["level_ratio"])
    assert falls["verdict"].startswith("not started by the end of this period")
    assert its.verdict(0.7, 1.2, enough=True).startswith("evidence too weak to conclude")
    assert its.verdict(0.7, 0.9, enough=True) == "evidence of a fall"


def test_pcn_view_keeps_only_that_pcn(its_table: pd.DataFrame) -> None:
    sphere = its.its_results(PARAMS.replace(pcn="Sphere PCN"))
    assert set(sphere["pcns"]) == {"Sphere PCN"}
    assert len(sphere) < len(its_table)
    table = o3.acsc_values(PARAMS.replace(pcn="Sphere PCN"))
    assert list(table["area"]) == ["Harrow", "Sphere PCN"]


def test_closing_note_lists_indicators_and_gaps() -> None:
    listed = text.indicator_list()
    assert len(listed) >= 10 and listed["Method"].str.len().gt(0).all()
    assert "weighted" in text.gaps_text()


def assert_notebook_ran(notebook: Path, extra: Path) -> None:
    """The executed chapter shows measure 5's chart and the ITS table, and wrote the PCN
    download."""
    executed = nbformat.read(notebook, as_version=4)
    html = "".join(
        str(o.get("data", {}).get("text/html", ""))
        for c in executed.cells
        for o in c.get("outputs", [])
    )
    assert 'id="o3-its-results"' in html and 'id="pm5-acsc-spc"' in html
    assert (extra / "downloads" / "pm5-acsc-pcn.csv").is_file()


@pytest.mark.slow
def test_notebook_executes_for_one_pcn(tmp_path: Path) -> None:
    out = run_chapter(
        "objective-3-care-pathways.ipynb",
        tmp_path,
        {
            **PARAMS.as_dict(),
            "period": "2022-23",
            "period_start": "2022-04-01",
            "period_end": "2023-03-31",
            "pcn": "Sphere PCN",
        },
    )
    assert_notebook_ran(out, tmp_path / "_extra")


@pytest.mark.slow
def test_notebook_executed_for_the_borough(default_build: tuple[Path, Path]) -> None:
    """The borough's 2024-25 chapter as the session's default build executed it."""
    entry = executed_notebook(default_build[0], "objective-3-care-pathways.ipynb", "2024-25")
    assert_notebook_ran(entry / "book" / "objective-3-care-pathways.ipynb", entry / "_extra")


def test_deprivation_gap_is_the_weighted_slope_of_standardised_rates() -> None:
    gap = o3.acsc_inequality(PARAMS)
    fifths = o3.acsc_values(PARAMS, "imd_quintile", "2025-26").iloc[1:]
    fifths = fifths.assign(q=fifths["area"].astype(int)).sort_values("q")
    assert len(fifths) == 5 and not fifths["suppressed"].any()
    share = fifths["denominator"] / fifths["denominator"].sum()  # population shares
    x = (share.cumsum() - share / 2).to_numpy()
    y = fifths["value"].to_numpy()  # age-sex standardised rates per 1,000
    slope = np.polyfit(x, y, 1, w=np.sqrt(share.to_numpy()))[0]
    latest = gap[gap["period"] == "2025-26"].iloc[0]
    assert latest["sii"] == pytest.approx(-slope, rel=1e-6)
    assert latest["sii_lower"] < latest["sii"] < latest["sii_upper"]
    assert list(gap["period"])[-1] == "2025-26"


def test_missing_benchmark_rows_are_refused_in_one_line(repository_extract: Path) -> None:
    with pytest.raises(InputError) as caught:
        standardisation.reference(o3.PM5, PARAMS, "2031-32")
    message = str(caught.value)
    assert "no NWL counts and populations by sex and age band" in message
    assert "comparators" in message and "2031-32" in message
    # the generator carries the latest year's rates forward, and says so
    rows = extract.read_table("comparators", "E09000015")
    rows = rows[rows["Indicator ID"] == o3.PM5]
    assert set(rows["Sex"]) == {"Persons", "Male", "Female"}
    assert len(rows) == 7 * (1 + 2 * 19)
    assert rows["Value note"].str.startswith("Simulated: eight-borough synthetic extract").all()
