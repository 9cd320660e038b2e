"""Objective 3 chapter: measure 5, falls DSR, disclosure, and whether the programme
evaluations recover the effects built into the synthetic extract."""

from __future__ import annotations

import math
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest

from bbp_analysis import extract, indicators
from bbp_analysis.chapters import objective_3 as o3
from bbp_analysis.chapters import objective_3_its as its
from bbp_analysis.chapters import objective_3_text as text
from bbp_analysis.synth.interventions import interventions_table

from support import RUN_PARAMS

ROOT = Path(__file__).resolve().parents[2]
Z95 = 1.959963984540054
PARAMS = dict(RUN_PARAMS)
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


@pytest.fixture(scope="module")
def raw_rate() -> dict[str, float]:
    """Measure 5 in 2025-26 recomputed from the extract's Parquet tables: emergency spells
    (admission method 2x except 2B) of six-condition primary diagnoses admitted in the year,
    per 1,000 people registered on 1 October 2025, for the borough and each PCN."""
    extract.measures(
        "emergency_admissions", measure="acsc_plan_admissions", period="2025-26", breakdown="total"
    )
    folder = extract.extract_folder("E09000015")
    persons = pd.read_parquet(folder / "persons.parquet")
    spells = pd.read_parquet(folder / "apc_spells.parquet")
    mid = pd.Timestamp("2025-10-01")
    start, stop = (
        pd.to_datetime(persons["registered_from"]),
        pd.to_datetime(persons["registered_to"]),
    )
    age = 2025 - persons["birth_year"] - (persons["birth_month"] >= 10)
    people = persons[(start.isna() | (start <= mid)) & (stop.isna() | (stop > mid)) & (age >= 0)]
    admitted = pd.to_datetime(spells["admission_date"])
    emergency = spells["admimeth"].str.startswith("2") & (spells["admimeth"] != "2B")
    in_year = (admitted >= "2025-04-01") & (admitted < "2026-04-01")
    six = spells["primary_diagnosis"].map(in_six)
    chosen = spells[emergency & in_year & six].merge(
        persons[["person_id", "pcn_name"]], on="person_id"
    )
    out = {
        "Harrow": len(chosen) / len(people) * 1000,
        "count": float(len(chosen)),
        "population": float(len(people)),
    }
    for pcn, group in people.groupby("pcn_name"):
        out[pcn] = (chosen["pcn_name"] == pcn).sum() / len(group) * 1000
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


def test_measure_5_rate_recomputed_from_the_extract(raw_rate: dict[str, float]) -> None:
    table = o3.acsc_values(PARAMS)
    assert table.iloc[0]["area"] == "Harrow"
    assert table.iloc[0]["value"] == pytest.approx(raw_rate["Harrow"], rel=1e-12)
    lower, upper = byar(raw_rate["count"], raw_rate["population"], 1000)
    assert table.iloc[0]["lower"] == pytest.approx(lower, rel=1e-9)
    assert table.iloc[0]["upper"] == pytest.approx(upper, rel=1e-9)
    assert set(table["area"].iloc[1:]) == set(PCNS)
    for _, row in table.iloc[1:].iterrows():
        assert row["value"] == pytest.approx(raw_rate[row["area"]], rel=1e-12)
    # a subset of the NHS OF 2.3.i list, so lower than it
    wider = o3.nhsof_series(PARAMS)
    assert wider.iloc[-1]["value"] > table.iloc[0]["value"] + 3


def test_measure_5_pcns_compared_with_the_borough() -> None:
    table = o3.acsc_values(PARAMS)
    rows = totals("emergency_admissions", "acsc_plan_admissions", "2025-26")
    benchmark = table.iloc[0]["value"]
    for _, row in table.iloc[1:].iterrows():
        lo, hi = byar(
            rows.loc[row["area"], "numerator"], rows.loc[row["area"], "denominator"], 1000
        )
        expected = "worse" if lo > benchmark else "better" if hi < benchmark else "similar"
        assert row["comparison"] == expected


def test_measure_5_is_not_comparable_with_the_plans_weighted_rate() -> None:
    status = o3.pm5_status(PARAMS)
    assert status["status"] == "not comparable" and status["target"] is None
    assert "11.47, rate of admission by weighted population, year not stated" in status["text"]
    assert (
        "NWL average 9.89, rate of admission by weighted population, year not stated"
        in (status["text"])
    )
    ethnic = extract.measures(
        "emergency_admissions",
        measure="acsc_plan_admissions",
        period="2025-26",
        area_type="borough",
        breakdown="ethnic_group",
    )
    ethnic = ethnic[ethnic["breakdown_value"].isin(["Asian", "Black", "Mixed", "Other", "White"])]
    ratio = ethnic["numerator"] / ethnic["denominator"]
    assert status["ethnic_ratio"] == pytest.approx(ratio.max() / ratio.min())
    pcns, ethnic_reading = status["readings"]
    assert {pcns.verdict, ethnic_reading.verdict} == {"indicative"}
    # the ratio has no standard error: not tested, and no claim either way
    assert "Not tested" in ethnic_reading.text and "narrower on" not in ethnic_reading.text
    # PCNs named out of five at 99.8%
    worse = o3.acsc_values({**PARAMS, "confidence": 0.998}).iloc[1:]
    assert status["pcns_worse"] == int((worse["comparison"] == "worse").sum())
    assert status["pcns_above"] == worse.loc[worse["comparison"] == "worse", "area"].tolist()


def test_headline_measure_5(raw_rate: dict[str, float]) -> None:
    (headline,) = o3.headline_measures({**PARAMS, "pcn": "Sphere PCN"})
    assert headline.measure == 5 and headline.status == "not comparable"
    assert headline.value == pytest.approx(raw_rate["Harrow"], rel=1e-12)
    assert headline.baseline is None and headline.target is None and not headline.comparators
    assert headline.baseline_text == (
        "Plan: 11.47, rate of admission by weighted population, year not stated"
    )
    assert headline.comparator_text == (
        "Plan: NWL average 9.89, rate of admission by weighted population, year not stated"
    )
    assert "per 1,000" not in headline.baseline_text and "2021-22" not in headline.baseline_text
    assert "indicative" in headline.target_text
    assert [p for p, _ in headline.trend] == [
        "2019-20",
        "2020-21",
        "2021-22",
        "2022-23",
        "2023-24",
        "2024-25",
        "2025-26",
    ]
    assert headline.synthetic and headline.anchor.endswith("#pm5-acsc-spc")
    earlier = o3.headline_measures({**PARAMS, "period": "2022-23"})[0]
    assert [p for p, _ in earlier.trend][-1] == "2022-23"


def test_nhsof_list_indicator_stays_beside_measure_5() -> None:
    table = o3.nhsof_series(PARAMS)
    rows = totals("emergency_admissions", "acsc_chronic_admissions", "2025-26")
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
        measure="falls_admissions_65plus",
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
        "deaths_usual_place_of_residence",
        {**PARAMS, "suppression_threshold": 150},
        kind="proportion",
        multiplier=100,
        polarity="high_is_good",
    )
    rows = totals("end_of_life", "deaths_usual_place_of_residence", "2025-26")
    small = [pcn for pcn in PCNS if 0 < rows.loc[pcn, "numerator"] < 150]
    assert small, "the fixture needs at least one PCN below the threshold"
    hidden = table[table["area"].isin(small)]
    assert hidden["suppressed"].all() and hidden["value"].isna().all()
    assert hidden["numerator"].isna().all()


def test_monthly_falls_series_matches_the_spells() -> None:
    """The ITS input, recounted from the extract's spells and persons tables."""
    folder = extract.extract_folder("E09000015")
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
        measure="diabetes_all_nine_care_processes",
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
    early = its.its_results({**PARAMS, "period": "2022-23", "period_end": "2023-03-31"})
    falls = early[early["programme"] == "Integrated falls pathway"].iloc[0]
    assert np.isnan(falls["level_ratio"])
    assert falls["verdict"].startswith("not started by the end of this period")
    assert its.verdict(0.7, 1.2, enough=True).startswith("evidence too weak to conclude")
    assert its.verdict(0.7, 0.9, enough=True) == "evidence of a fall"


def test_pcn_view_keeps_only_that_pcn(its_table: pd.DataFrame) -> None:
    sphere = its.its_results({**PARAMS, "pcn": "Sphere PCN"})
    assert set(sphere["pcns"]) == {"Sphere PCN"}
    assert len(sphere) < len(its_table)
    table = o3.acsc_values({**PARAMS, "pcn": "Sphere PCN"})
    assert list(table["area"]) == ["Harrow", "Sphere PCN"]


def test_closing_note_lists_indicators_and_gaps() -> None:
    listed = text.indicator_list()
    assert len(listed) >= 10 and listed["Method"].str.len().gt(0).all()
    assert "weighted" in text.gaps_text()


@pytest.mark.slow
@pytest.mark.parametrize(("period", "pcn"), [("2022-23", "Sphere PCN"), ("2024-25", None)])
def test_notebook_executes(tmp_path: Path, period: str, pcn: str | None) -> None:
    import papermill

    book = tmp_path / "book"
    book.mkdir()
    start = f"{period[:4]}-04-01"
    end = f"{int(period[:4]) + 1}-03-31"
    out = book / "out.ipynb"
    papermill.execute_notebook(
        str(ROOT / "book" / "objective-3-care-pathways.ipynb"),
        str(out),
        parameters={
            **PARAMS,
            "period": period,
            "period_start": start,
            "period_end": end,
            "pcn": pcn,
        },
        cwd=str(book),
        progress_bar=False,
        kernel_name="python3",
    )
    notebook = nbformat.read(out, as_version=4)
    html = "".join(
        str(o.get("data", {}).get("text/html", ""))
        for c in notebook.cells
        for o in c.get("outputs", [])
    )
    assert 'id="o3-its-results"' in html and 'id="pm5-acsc-spc"' in html
    assert (tmp_path / "_extra" / "downloads" / "pm5-acsc-pcn.csv").is_file()


def test_deprivation_gap_is_the_weighted_slope_across_quintiles() -> None:
    gap = o3.acsc_inequality(PARAMS)
    rows = extract.measures(
        "emergency_admissions",
        measure="acsc_plan_admissions",
        period="2025-26",
        area_type="borough",
        breakdown="imd_quintile",
    )
    rows = rows.assign(q=rows["breakdown_value"].astype(int)).sort_values("q")
    share = rows["denominator"] / rows["denominator"].sum()
    x = (share.cumsum() - share / 2).to_numpy()
    y = (rows["numerator"] / rows["denominator"] * 1000).to_numpy()
    slope = np.polyfit(x, y, 1, w=np.sqrt(share.to_numpy()))[0]
    latest = gap[gap["period"] == "2025-26"].iloc[0]
    assert latest["sii"] == pytest.approx(-slope, rel=1e-6)
    assert latest["sii_lower"] < latest["sii"] < latest["sii_upper"]
    assert list(gap["period"])[-1] == "2025-26"
