"""Measure 5 on a small hand-made extract: admissions counted only while registered, then
indirectly age-sex standardised, against an independent computation by hand."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from scipy.stats import chi2

from bbp_analysis.contract import load
from bbp_analysis.measures import run_measure
from bbp_analysis.standardisation import indirect

CONTRACT = Path(__file__).resolve().parents[2] / "src" / "bbp_analysis" / "contract"
DEFAULTS = {"string": "", "boolean": False, "integer": 0, "number": 0.0, "date": None}
YEAR = "2025-26"  # 1 April 2025 to 31 March 2026; population on 1 October 2025

# person: (pcn, sex, birth year, registered from, registered to)
PEOPLE = {
    "P1": ("North PCN", "F", 1950, None, None),  # 75 on 1 Oct 2025: 75-79
    "P2": ("North PCN", "M", 1950, None, date(2025, 8, 1)),  # left before 1 October
    "P3": ("South PCN", "M", 1990, date(2025, 11, 1), None),  # joined after 1 October
    "P4": ("South PCN", "F", 1990, None, None),  # 35: 35-39
    "P5": ("South PCN", "M", 1950, None, None),  # 75: 75-79
}
# spell: (person, admission date, primary diagnosis, admission method)
SPELLS = [
    ("P1", date(2025, 5, 1), "J450", "21"),  # counted
    ("P1", date(2026, 2, 1), "I500", "22"),  # counted
    ("P1", date(2025, 6, 1), "I500", "2B"),  # transfer: never counted
    ("P1", date(2025, 7, 1), "K802", "21"),  # not one of the six conditions
    ("P2", date(2025, 6, 1), "E119", "21"),  # while registered: counted (age at admission 75)
    ("P2", date(2025, 12, 1), "E119", "21"),  # after leaving: not counted
    ("P3", date(2025, 9, 1), "G409", "21"),  # before joining: not counted
    ("P3", date(2026, 1, 10), "G409", "21"),  # after joining: counted (age 35: 35-39)
    ("P5", date(2025, 10, 5), "F019", "21"),  # counted
    ("P5", date(2025, 3, 1), "F019", "21"),  # previous financial year
]


def _blank(table: str, rows: int) -> pd.DataFrame:
    """``rows`` rows of the contract's columns of ``table``, each at a neutral value."""
    schema = json.loads((CONTRACT / f"{table}.schema.json").read_text(encoding="utf-8"))
    return pd.DataFrame({f["name"]: [DEFAULTS[f["type"]]] * rows for f in schema["fields"]})


def _write(folder: Path) -> None:
    persons = _blank("persons", len(PEOPLE))
    persons["person_id"] = list(PEOPLE)
    persons["pcn_name"] = [p[0] for p in PEOPLE.values()]
    persons["practice_code"] = ["A1" if p[0] == "North PCN" else "B1" for p in PEOPLE.values()]
    persons["borough_code"] = "E09000015"
    persons["sex"] = [p[1] for p in PEOPLE.values()]
    persons["birth_year"] = [p[2] for p in PEOPLE.values()]
    persons["birth_month"] = 1
    persons["registered_from"] = [p[3] for p in PEOPLE.values()]
    persons["registered_to"] = [p[4] for p in PEOPLE.values()]
    persons["date_of_death"] = None
    persons["ethnic_group"] = "Asian"
    persons["imd_quintile_local"] = 2
    persons.to_parquet(folder / "persons.parquet", index=False)
    spells = _blank("apc_spells", len(SPELLS))
    spells["spell_id"] = [f"S{i}" for i in range(len(SPELLS))]
    spells["person_id"] = [s[0] for s in SPELLS]
    spells["admission_date"] = [s[1] for s in SPELLS]
    spells["discharge_date"] = [s[1] for s in SPELLS]
    spells["primary_diagnosis"] = [s[2] for s in SPELLS]
    spells["admimeth"] = [s[3] for s in SPELLS]
    spells["cause_code"] = None
    spells.to_parquet(folder / "apc_spells.parquet", index=False)
    for table in load().tables:  # the contract's other tables, present and empty
        if not (folder / f"{table}.parquet").exists():
            _blank(table, 0).to_parquet(folder / f"{table}.parquet", index=False)
    manifest = {"synthetic": False, "periods": ["2024-25", YEAR], "tables": {}}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


@pytest.fixture(scope="module")
def measure(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    folder = tmp_path_factory.mktemp("pm5-extract")
    _write(folder)
    return run_measure("pm5_acsc_admissions", folder, period=YEAR)


def _cells(measure: pd.DataFrame, area: str) -> dict[str, tuple[int, int]]:
    rows = measure[(measure["area_code"] == area) & (measure["breakdown"] == "sex_age_band")]
    return {r.breakdown_value: (int(r.numerator), int(r.denominator)) for r in rows.itertuples()}


def test_admissions_are_counted_only_while_registered(measure):
    # North: P1's two admissions (F 75-79) and P2's first (M 75-79); P2 is not in the
    # 1 October population. South: P3's second admission (M 35-39, not in the population),
    # P5's October admission (M 75-79); P4 and P5 in the population.
    assert _cells(measure, "North PCN") == {"F:75-79": (2, 1), "M:75-79": (1, 0)}
    assert _cells(measure, "South PCN") == {
        "F:35-39": (0, 1),
        "M:35-39": (1, 0),
        "M:75-79": (1, 1),
    }
    borough = measure[(measure["area_type"] == "borough") & (measure["breakdown"] == "total")]
    assert borough[["numerator", "denominator"]].iloc[0].tolist() == [5, 3]
    within = measure[measure["breakdown"] == "ethnic_group_sex_age_band"]
    assert set(within["breakdown_value"]) >= {"Asian:F:75-79", "Asian:M:75-79"}


def test_standardised_rate_equals_a_hand_computation(measure):
    cells = measure[(measure["area_type"] == "pcn") & (measure["breakdown"] == "sex_age_band")]
    split = cells["breakdown_value"].str.split(":")
    cells = cells.assign(
        area=cells["area_code"], group="total", sex=split.str[0], age_band=split.str[1]
    )
    # benchmark: 20 per 1,000 at F 75-79, 30 at M 75-79, 2 at F and M 35-39
    ref = pd.DataFrame(
        {
            "sex": ["F", "M", "F", "M"],
            "age_band": ["75-79", "75-79", "35-39", "35-39"],
            "ref_count": [20.0, 30.0, 2.0, 2.0],
            "ref_population": [1000.0, 1000.0, 1000.0, 1000.0],
        }
    )
    result = indirect(cells, ref, ["area", "group"]).set_index("area")
    crude = 54 / 4000  # the benchmark's rate over all its cells
    # South: O = 1 + 1 = 2; E = 0.002 x 1 (F 35-39) + 0.030 x 1 (M 75-79) = 0.032
    south = result.loc["South PCN"]
    assert south["numerator"] == 2
    assert south["denominator"] == 2
    assert south["expected"] == pytest.approx(0.032)
    assert south["ratio"] == pytest.approx(2 / 0.032)
    assert south["value"] == pytest.approx(2 / 0.032 * crude * 1000)
    # exact Poisson limits for O = 2: chi2(0.025, 4)/2 and chi2(0.975, 6)/2, over E
    low, high = chi2.ppf(0.025, 4) / 2, chi2.ppf(0.975, 6) / 2
    assert south["ratio_lower"] == pytest.approx(low / 0.032)
    assert south["upper"] == pytest.approx(high / 0.032 * crude * 1000)
    # North: O = 3; E = 0.020 x 1 (F 75-79) + 0.030 x 0 (M 75-79, nobody on 1 October)
    north = result.loc["North PCN"]
    assert north["numerator"] == 3
    assert north["expected"] == pytest.approx(0.020)
    assert north["value"] == pytest.approx(3 / 0.020 * crude * 1000)


def test_groups_are_standardised_to_their_own_benchmark_rate(measure):
    cells = measure[(measure["area_type"] == "borough") & (measure["breakdown"] == "sex_age_band")]
    split = cells["breakdown_value"].str.split(":")
    cells = cells.assign(area="Harrow", group=split.str[0], sex=split.str[0], age_band=split.str[1])
    ref = pd.DataFrame(
        {
            "sex": ["F", "M", "F", "M"],
            "age_band": ["75-79", "75-79", "35-39", "35-39"],
            "ref_count": [20.0, 30.0, 2.0, 2.0],
            "ref_population": [1000.0, 1000.0, 1000.0, 1000.0],
        }
    )
    result = indirect(cells, ref, ["area", "group"], breakdown="sex").set_index("group")
    # women: O = 2, E = 0.020 + 0.002; NWL women's rate 22 / 2,000
    assert result.loc["F", "value"] == pytest.approx(2 / 0.022 * 22 / 2000 * 1000)
    # men: O = 3, E = 0.030 x 1 (P5); NWL men's rate 32 / 2,000
    assert result.loc["M", "value"] == pytest.approx(3 / 0.030 * 32 / 2000 * 1000)
