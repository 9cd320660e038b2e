"""Objective 1 content the plan asks for (issue 18): life expectancy and its deprivation gap,
checked against a life table written out here from the raw synthetic extract."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bbp_analysis.chapters import objective_1_casefinding as casefinding
from bbp_analysis.chapters import objective_1_life as life
from bbp_analysis.chapters import objective_1_performance as performance

from support import RUN_PARAMS

ROOT = Path(__file__).resolve().parents[2]
Z95 = 1.959963984540054
PARAMS = RUN_PARAMS
WINDOW = ("2023-24", "2024-25", "2025-26")
STARTS = [0, 1, *range(5, 95, 5)]


@pytest.fixture(scope="module")
def persons(repository_extract: Path) -> pd.DataFrame:
    return pd.read_parquet(repository_extract / "persons.parquet")


def _band(age: pd.Series) -> pd.Series:
    """Index of the life-table band (0, 1-4, 5-9, ..., 90+) of each age."""
    return pd.Series(np.searchsorted(STARTS, age.to_numpy(), side="right") - 1, index=age.index)


def raw_counts(persons: pd.DataFrame, sex: str, quintile: int | None = None) -> pd.DataFrame:
    """Deaths and 1 October registered population by band, pooled over WINDOW, from Parquet."""
    people = persons[persons["sex"] == sex]
    if quintile is not None:
        people = people[people["imd_quintile_local"] == quintile]
    deaths = np.zeros(len(STARTS))
    population = np.zeros(len(STARTS))
    start = pd.to_datetime(people["registered_from"])
    stop = pd.to_datetime(people["registered_to"])
    died = pd.to_datetime(people["date_of_death"])
    for year in WINDOW:
        first = int(year[:4])
        mid = pd.Timestamp(first, 10, 1)
        on_list = (start.isna() | (start <= mid)) & (stop.isna() | (stop > mid))
        age = first - people["birth_year"] - (people["birth_month"] >= 10).astype(int)
        keep = on_list & (age >= 0) & (age <= 130)
        population += np.bincount(_band(age[keep]), minlength=len(STARTS))
        dead = (died >= pd.Timestamp(first, 4, 1)) & (died < pd.Timestamp(first + 1, 4, 1))
        at_death = (
            died[dead].dt.year
            - people.loc[dead, "birth_year"]
            - (died[dead].dt.month <= people.loc[dead, "birth_month"]).astype(int)
        ).clip(lower=0)
        deaths += np.bincount(_band(at_death), minlength=len(STARTS))
    return pd.DataFrame({"start": STARTS, "deaths": deaths, "population": population})


def chiang_e0(deaths: np.ndarray, population: np.ndarray) -> tuple[float, float]:
    """Life expectancy at birth and its standard error, Chiang II with Silcocks' variance,
    written out band by band."""
    k = len(STARTS)
    widths = [STARTS[i + 1] - STARTS[i] for i in range(k - 1)]
    rate = deaths / population
    alive = [100_000.0]
    q = []
    for i in range(k - 1):
        a = 0.1 if i == 0 else 0.5
        q.append(widths[i] * rate[i] / (1 + widths[i] * (1 - a) * rate[i]))
        alive.append(alive[i] * (1 - q[i]))
    years = []
    for i in range(k - 1):
        a = 0.1 if i == 0 else 0.5
        years.append(widths[i] * (alive[i + 1] + a * alive[i] * q[i]))
    years.append(alive[-1] / rate[-1])
    remaining = [sum(years[i:]) / alive[i] for i in range(k)]
    variance = alive[-1] ** 2 / (deaths[-1] * rate[-1] ** 2)
    for i in range(k - 1):
        a = 0.1 if i == 0 else 0.5
        var_q = 0.0 if deaths[i] == 0 else q[i] ** 2 * (1 - q[i]) / deaths[i]
        variance += alive[i] ** 2 * ((1 - a) * widths[i] + remaining[i + 1]) ** 2 * var_q
    return remaining[0], math.sqrt(variance) / alive[0]


def test_pooled_window_is_three_financial_years():
    assert life.pooled_years("2025-26") == list(WINDOW)
    assert life.pooled_years("2019-20") == ["2019-20"]
    assert life.window_text("2025-26") == "2023-24 to 2025-26"


def test_male_life_expectancy_matches_a_life_table_from_the_raw_extract(persons):
    counts = raw_counts(persons, "M")
    value, se = chiang_e0(counts["deaths"].to_numpy(), counts["population"].to_numpy())
    got = life.at_birth(PARAMS, "2025-26").set_index(["group", "sex"]).loc[("all", "M")]
    assert got["deaths"] == counts["deaths"].sum()
    assert got["population"] == counts["population"].sum()
    assert got["value"] == pytest.approx(value, abs=1e-9)
    assert got["lower"] == pytest.approx(value - Z95 * se, abs=1e-9)
    assert got["upper"] == pytest.approx(value + Z95 * se, abs=1e-9)
    assert 80 < value < 100 and 0.1 < se < 1.0


def test_measure_counts_by_band_equal_the_raw_extract(persons):
    counts = raw_counts(persons, "F", quintile=1)
    got = life.life_table_counts(PARAMS, "2025-26")
    got = got[(got["group"] == "imd1") & (got["sex"] == "F")]
    order = {
        label: i
        for i, label in enumerate(["0", "1-4", *[f"{s}-{s + 4}" for s in range(5, 90, 5)], "90+"])
    }
    got = got.assign(index=got["age_band"].map(order)).sort_values("index")
    assert got["index"].tolist() == list(range(len(STARTS)))
    np.testing.assert_array_equal(got["deaths"].to_numpy(), counts["deaths"].to_numpy())
    np.testing.assert_array_equal(got["population"].to_numpy(), counts["population"].to_numpy())


def test_deprivation_gap_interval_from_the_two_variances(persons):
    most = raw_counts(persons, "M", quintile=1)
    least = raw_counts(persons, "M", quintile=5)
    e_most, se_most = chiang_e0(most["deaths"].to_numpy(), most["population"].to_numpy())
    e_least, se_least = chiang_e0(least["deaths"].to_numpy(), least["population"].to_numpy())
    half = Z95 * math.sqrt(se_most**2 + se_least**2)
    gap = life.deprivation_gap(PARAMS, "2025-26").set_index("sex").loc["M"]
    assert gap["gap"] == pytest.approx(e_least - e_most, abs=1e-9)
    assert gap["lower"] == pytest.approx(e_least - e_most - half, abs=1e-9)
    assert gap["upper"] == pytest.approx(e_least - e_most + half, abs=1e-9)


def test_headings_claim_only_what_the_intervals_support():
    diff = life.sex_difference(PARAMS, "2025-26")
    gaps = life.deprivation_gap(PARAMS, "2025-26").set_index("sex")
    words = life.headings(PARAMS)
    # 2025-26: women's interval lies above men's; the men's gap excludes 0, the women's not
    assert diff["lower"] > 0
    assert words["sex"] == f"Women in Harrow live about {diff['value']:.0f} years longer than men"
    assert gaps.loc["M", "lower"] > 0 and gaps.loc["F", "lower"] < 0 < gaps.loc["F", "upper"]
    assert words["gap"] == (
        f"Men in Harrow's least deprived fifth live about {gaps.loc['M', 'gap']:.0f} years "
        "longer than men in the most deprived; women show no clear gap"
    )


def test_gap_trend_windows_end_in_each_year_to_the_period():
    trend = life.gap_trend(PARAMS)
    assert trend["window"].drop_duplicates().tolist() == [
        "2019-20 to 2021-22",
        "2020-21 to 2022-23",
        "2021-22 to 2023-24",
        "2022-23 to 2024-25",
        "2023-24 to 2025-26",
    ]
    last = trend[trend["window"] == "2023-24 to 2025-26"].set_index("sex")
    gaps = life.deprivation_gap(PARAMS, "2025-26").set_index("sex")
    assert last.loc["M", "gap"] == gaps.loc["M", "gap"]
    assert life.gap_trend(PARAMS.with_period("2022-23"))["window"].nunique() == 2


def test_jsna_figures_are_the_plans():
    plan = life.jsna_figures()
    assert (plan["M"]["value"], plan["F"]["value"]) == ("82.2", "85.7")
    assert "Both male (82.2) and female (85.7) life expectancy" in plan["M"]["quote"]


# The plan's performance section ---------------------------------------------------------

SEED = ROOT / "data" / "reference" / "seeds" / "004_bb9be7d3c4970d21.txt"


def test_performance_table_has_the_plans_figures_exactly():
    table = performance.performance_values(PARAMS).set_index("indicator")
    expected = {
        "Cervical screening coverage (%)": "Harrow 49%, NWL 51%",
        "Breast screening coverage (%)": "Harrow 54%, NWL 43%",
        "Bowel screening coverage (%)": "Harrow 97%, NWL 96%",
        "Flu vaccination, people aged 65 and over (%)": "Harrow 25% higher than NWL",
    }
    for label, text in expected.items():
        assert table.loc[label, "plan"] == text
    seed = " ".join(SEED.read_text(encoding="utf-8").split())
    for figures in (
        "Harrow (49%) than across NWL (51%)",
        "Harrow (54%) than NWL (43%)",
        "97% in Harrow compared to 96% across NWL",
        "Harrow were 25% higher than in NWL",
    ):
        assert figures in seed
    for label in (
        "A&E (type 1) attendances per 1,000 registered people",
        "Non-elective (emergency) admissions per 1,000 registered people",
    ):
        quote = table.loc[label, "plan"]
        assert quote.endswith("(no figure)")
        assert quote[1 : -len("\u201d (no figure)")] in seed


def test_performance_values_and_nwl_labels(persons, repository_extract):
    folder = repository_extract
    programmes = pd.read_parquet(folder / "programmes.parquet")
    cervical = programmes[
        (programmes["programme"] == "cervical_screening")
        & (programmes["fin_year"] == "2025-26")
        & programmes["eligible"]
    ]
    mid = pd.Timestamp(2025, 10, 1)
    start = pd.to_datetime(persons["registered_from"])
    stop = pd.to_datetime(persons["registered_to"])
    registered = persons[(start.isna() | (start <= mid)) & (stop.isna() | (stop > mid))]
    cervical = cervical[cervical["person_id"].isin(registered["person_id"])]
    n, x = len(cervical), int(cervical["completed"].sum())
    p = x / n
    centre = p + Z95**2 / (2 * n)
    half = Z95 * math.sqrt(p * (1 - p) / n + Z95**2 / (4 * n**2))
    table = performance.performance_values(PARAMS).set_index("indicator")
    row = table.loc["Cervical screening coverage (%)"]
    assert (row["numerator"], row["denominator"]) == (x, n)
    assert row["lower"] == pytest.approx((centre - half) / (1 + Z95**2 / n) * 100, abs=1e-9)
    assert row["upper"] == pytest.approx((centre + half) / (1 + Z95**2 / n) * 100, abs=1e-9)
    comparators = pd.read_parquet(folder / "comparators.parquet")
    nwl = comparators[
        (comparators["Indicator ID"] == "screening_cervical")
        & (comparators["Area Type"] == "ICB")
        & (comparators["Time period"] == "2025/26")
    ]
    assert row["nwl"] == float(nwl["Value"].iloc[0]) and row["nwl_origin"] == "simulated"
    expected = (
        "worse"
        if row["upper"] < row["nwl"]
        else "better"
        if row["lower"] > row["nwl"]
        else "similar"
    )
    assert row["comparison"] == expected
    assert table.loc["Bowel screening coverage (%)", "comparison"] == "not compared"
    # every indicator of the plan's section is shown against NWL (simulated, labelled so)
    assert table["nwl"].notna().all() and set(table["nwl_origin"]) == {"simulated"}
    html = performance.performance_table(PARAMS).data
    assert "NWL 2025-26 (SYNTHETIC: simulated)" in html
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    assert "published" not in body.lower()


# Hypertension case-finding and COPD -------------------------------------------------------

HSE = ROOT / "data" / "reference" / "public" / "hse2022-hypertension" / "hse_estimate.csv"
HSE_BANDS = [
    (16, 35, "16-34"),
    (35, 45, "35-44"),
    (45, 55, "45-54"),
    (55, 65, "55-64"),
    (65, 75, "65-74"),
    (75, 200, "75+"),
]


def _registered(persons: pd.DataFrame, first_year: int) -> pd.DataFrame:
    mid = pd.Timestamp(first_year, 10, 1)
    start = pd.to_datetime(persons["registered_from"])
    stop = pd.to_datetime(persons["registered_to"])
    out = persons[((start.isna() | (start <= mid)) & (stop.isna() | (stop > mid))).to_numpy()]
    age = first_year - out["birth_year"] - (out["birth_month"] >= 10).astype(int)
    return out.assign(age=age)


def test_hypertension_expected_count_by_hand(persons):
    lines = [line.split(",") for line in HSE.read_text(encoding="utf-8").splitlines()]
    header = lines[0]
    shares = {
        ({"Men": "M", "Women": "F"}[row[0]], band): float(row[header.index(band)]) / 100
        for row in lines[1:]
        if row[1] == "All with hypertension" and row[0] in ("Men", "Women")
        for band in header[2:]
    }
    assert shares[("M", "16-34")] == 0.05 and shares[("F", "75+")] == 0.71
    adults = _registered(persons, 2025)
    adults = adults[(adults["age"] >= 16) & (adults["age"] <= 130)]
    expected = 0.0
    for low, high, band in HSE_BANDS:
        for sex in ("M", "F"):
            people = (
                (adults["sex"] == sex) & (adults["age"] >= low) & (adults["age"] < high)
            ).sum()
            expected += people * shares[(sex, band)]
    recorded = int(adults["hypertension"].sum())
    row = casefinding.hypertension_gap(PARAMS).set_index("area").loc["Harrow"]
    assert row["recorded"] == recorded and row["population"] == len(adults)
    assert row["expected"] == pytest.approx(expected, rel=1e-12)
    assert row["ratio"] == pytest.approx(recorded / expected, rel=1e-12)
    lower = recorded * (1 - 1 / (9 * recorded) - Z95 / (3 * math.sqrt(recorded))) ** 3 / expected
    assert row["lower"] == pytest.approx(lower, rel=1e-9)
    assert row["undiagnosed"] == math.floor((expected - recorded) / 10 + 0.5) * 10
    heading = casefinding.hypertension_heading(PARAMS)
    assert heading == (
        f"About {math.floor((expected - recorded) / 10 / 100 + 0.5) * 1000:,} adults in Harrow "
        "may have high blood pressure that is not on a GP register"
    )


def test_hypertension_model_on_the_definition_page_matches_the_reference_file():
    from bbp_analysis.catalogue import indicator

    text = " ".join(indicator("o1-hypertension-case-finding").definition.split())
    ref = casefinding.reference_prevalence()
    for sex, word in (("M", "men"), ("F", "women")):
        values = ", ".join(f"{v:g}" for v in ref[ref["sex"] == sex]["prevalence"])
        assert f"{word}: {values}" in text


def test_copd_admissions_by_hand(persons, repository_extract):
    folder = repository_extract
    spells = pd.read_parquet(folder / "apc_spells.parquet")
    copd = set(persons.loc[persons["copd"], "person_id"])
    date = pd.to_datetime(spells["admission_date"])
    chosen = spells[
        spells["admimeth"].str.startswith("2")
        & (spells["admimeth"] != "2B")
        & spells["primary_diagnosis"].str.startswith("J44")
        & spells["person_id"].isin(copd)
        & (date >= pd.Timestamp(2025, 4, 1))
        & (date < pd.Timestamp(2026, 4, 1))
    ]
    register = int(_registered(persons, 2025)["copd"].sum())
    row = casefinding.copd_values(PARAMS).set_index("group").loc["Harrow"]
    assert (row["admissions"], row["register"]) == (len(chosen), register)
    assert row["rate"] == pytest.approx(len(chosen) / register * 1000, rel=1e-12)
    sentence = casefinding.core20_obesity_decay(PARAMS).data
    assert "no height or weight measurements" in sentence and "Core20" in sentence


def test_copd_table_suppresses_small_counts_in_a_pcn_view():
    params = PARAMS.replace(pcn="Harrow East PCN", suppression_threshold=25)
    values = casefinding.copd_values(params)
    assert ((values["admissions"] > 0) & (values["admissions"] < 25)).any()
    html = casefinding.copd_table(params).data
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    cells = [row.split("<td>")[1:] for row in body.split("<tr>")[1:]]
    for row in cells:
        counts = [row[1].split("<")[0], row[3].split("<")[0]]
        for text in counts:
            assert text == "[c]" or not 0 < float(text.replace(",", "")) < 25
    assert "[c]" in body
