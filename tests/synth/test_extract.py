"""Structure, determinism, placement and built-in effects of the synthetic extract."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pandas as pd
import pytest
from scipy.stats import spearmanr

from bbp_analysis.errors import InputError
from bbp_analysis.paths import reference_dir
from bbp_analysis.synth.generate import generate
from bbp_analysis.synth.geography import area_codes, lsoas, practices
from bbp_analysis.synth.schema import SCHEMAS

from .conftest import MID_2021, registered_on


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """Two validated runs at scale 0.05 with the same seed, one with another seed."""
    runs = {}
    for label, seed in (("a", 7), ("b", 7), ("c", 8)):
        runs[label] = generate(scale=0.05, seed=seed, out_dir=tmp_path_factory.mktemp(label))
    return runs


def test_same_seed_gives_byte_identical_parquet(small):
    for name, path in small["a"].items():
        assert path.read_bytes() == small["b"][name].read_bytes(), name
    differs = [
        n
        for n, p in small["a"].items()
        if n != "manifest" and p.read_bytes() != small["c"][n].read_bytes()
    ]
    assert "persons" in differs and "apc_spells" in differs


def test_manifest_records_rows_and_hashes(small):
    manifest = json.loads(small["a"]["manifest"].read_text())
    assert (manifest["seed"], manifest["area"], manifest["scale"]) == (7, "E09000015", 0.05)
    assert set(manifest["tables"]) == set(SCHEMAS)
    for name, entry in manifest["tables"].items():
        path = small["a"][name]
        assert entry["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
        assert entry["rows"] == len(pd.read_parquet(path))


def test_persons_columns_and_identifiers(tables):
    persons = tables("persons")
    assert list(persons.columns) == [c.name for c in SCHEMAS["persons"].columns]
    assert persons["person_id"].str.fullmatch(r"P\d{8}").all()
    assert persons["person_id"].is_unique and persons["person_id"].is_monotonic_increasing
    assert set(persons["segment_b2h"]) <= set(range(1, 9))
    died = persons["date_of_death"].notna()
    assert (persons.loc[died, "registered_to"] == persons.loc[died, "date_of_death"]).all()
    assert persons.loc[died, "place_of_death"].notna().all()


def test_lsoa_placement_keeps_practice_deprivation_order(tables):
    """Practices' mean national IMD rank of their patients' LSOAs runs opposite to their real
    Fingertips IMD score (higher score = more deprived = lower rank)."""
    cohort = registered_on(tables("persons"), MID_2021)
    ranks = lsoas("E09000015").set_index("lsoa11_code")["imd_rank"]
    mean_rank = cohort["lsoa11_code"].map(ranks).groupby(cohort["practice_code"]).mean()
    score = practices("E09000015").set_index("practice_code")["imd_score"]
    rho = spearmanr(mean_rank, score.reindex(mean_rank.index)).statistic
    assert rho < -0.8
    assert cohort["lsoa11_code"].nunique() == 137
    # IoD2019: no Harrow LSOA in national decile 1, two in decile 2
    assert cohort["imd_decile"].min() == 2


def test_local_quintiles_are_fifths_of_harrow_lsoas():
    frame = lsoas("E09000015")
    counts = frame["imd_quintile_local"].value_counts().sort_index()
    assert counts.tolist() == [28, 27, 28, 27, 27]
    worst = frame.loc[frame["imd_quintile_local"] == 1, "imd_rank"].max()
    assert worst < frame.loc[frame["imd_quintile_local"] == 2, "imd_rank"].min()


def test_ethnic_groups(tables):
    cohort = registered_on(tables("persons"), MID_2021)
    share = cohort["ethnic_group"].value_counts(normalize=True)
    assert abs(share["Asian"] - 0.45) < 0.02
    assert abs(share["White"] - 0.40) < 0.02
    assert abs(share["Black"] - 0.08) < 0.01
    groups = {
        "A": "White",
        "H": "Asian",
        "N": "Black",
        "D": "Mixed",
        "S": "Other",
        "Z": "Not stated",
    }
    pairs = cohort[["ethnic_category", "ethnic_group"]].drop_duplicates()
    mapping = dict(zip(pairs["ethnic_category"], pairs["ethnic_group"], strict=True))
    assert all(mapping[c] == g for c, g in groups.items())


def test_falls_have_external_cause_and_injury_diagnosis(tables):
    spells = tables("apc_spells")
    falls = spells[spells["cause_code"].notna()]
    assert falls["cause_code"].str.fullmatch(r"W(0\d|1\d)X").all()
    assert falls["primary_diagnosis"].str[0].isin(["S", "T"]).all()
    assert falls["admimeth"].str.startswith("2").all()


def test_spells_lie_within_registration(tables):
    spells = tables("apc_spells").merge(tables("persons"), on="person_id")
    adm = pd.to_datetime(spells["admission_date"])
    start = pd.to_datetime(spells["registered_from"])
    stop = pd.to_datetime(spells["registered_to"])
    assert ((start.isna() | (adm >= start)) & (stop.isna() | (adm <= stop))).all()
    assert (pd.to_datetime(spells["discharge_date"]) >= adm).all()


def _yearly_rate(events: pd.Series, persons: pd.DataFrame, mask: pd.Series, year: str) -> float:
    mid = pd.Timestamp(f"{year[:4]}-10-01")
    pop = registered_on(persons[mask.to_numpy()], mid)
    start = pd.Timestamp(f"{year[:4]}-04-01")
    dates = pd.to_datetime(events)
    count = ((dates >= start) & (dates < start + pd.DateOffset(years=1))).sum()
    return count / len(pop)


def test_falls_pathway_effect_is_recoverable_and_utc_is_a_negative_control(tables):
    """Falls admissions 65+ fall by about the built-in 20% after April 2023; UTC attendances
    (no programme acts on them) do not."""
    persons = tables("persons")
    interventions = tables("interventions")
    falls_rr = interventions.loc[
        interventions["outcome"] == "falls_admissions_65plus", "effect_size"
    ].unique()
    assert falls_rr.tolist() == [0.8]
    assert interventions.loc[interventions["negative_control"], "effect_size"].eq(1.0).all()
    spells = tables("apc_spells").merge(persons[["person_id", "birth_year"]], on="person_id")
    old = spells[spells["cause_code"].notna() & (spells["birth_year"] <= 1952)]
    cohort_old = persons["birth_year"] <= 1952
    before = _yearly_rate(old["admission_date"], persons, cohort_old, "2022-23")
    after = _yearly_rate(old["admission_date"], persons, cohort_old, "2023-24")
    assert 0.65 < after / before < 0.92
    att = tables("ae_attendances")
    utc = att[att["department_type"].isin(["03", "04"])]
    everyone = pd.Series(True, index=persons.index)
    ratio = _yearly_rate(utc["arrival_date"], persons, everyone, "2023-24") / _yearly_rate(
        utc["arrival_date"], persons, everyone, "2022-23"
    )
    assert abs(ratio - 1) < 0.05


def test_diabetes_team_raises_all_nine_after_its_start(tables):
    cp = tables("care_processes")
    processes = [
        "hba1c",
        "blood_pressure",
        "cholesterol",
        "serum_creatinine",
        "urine_albumin",
        "foot_surveillance",
        "bmi",
        "smoking",
        "retinal_screening",
    ]
    cp = cp.assign(all_nine=cp[processes].all(axis=1))
    pcn = tables("persons").set_index("person_id")["pcn_name"]
    first = cp[cp["person_id"].map(pcn) == "Harrow Collaborative PCN"]  # starts 2022-07-01
    rates = first.groupby("fin_year")["all_nine"].mean()
    odds = rates / (1 - rates)
    # built-in odds ratio 2.0 on top of a small year effect (+0.05 on the log-odds)
    assert 1.6 < odds["2022-23"] / odds["2021-22"] < 2.8


def test_area_codes_cover_the_eight_boroughs():
    assert len(area_codes("NWL")) == 8
    nwl = practices("NWL")
    assert nwl["list_size"].sum() == 2_636_960
    assert nwl.loc[nwl["borough_code"] == "E09000005", "pcn_name"].str.endswith("(synthetic)").all()


@pytest.mark.parametrize(
    ("kwargs", "column"),
    [({"area": "E09000001"}, "area"), ({"scale": 0.0}, "scale"), ({"scale": 11}, "scale")],
)
def test_bad_arguments_are_named(kwargs, column, tmp_path):
    with pytest.raises(InputError) as err:
        generate(out_dir=tmp_path, **kwargs)
    assert f"column {column}" in str(err.value) or column in str(err.value)


def test_comparators_use_the_fingertips_layout(tables):
    comp = tables("comparators")
    header = pd.read_csv(
        reference_dir() / "public/fingertips-gp-imd2019/indicator-data_93553_gp.csv", nrows=0
    )
    assert list(comp.columns[:-1]) == list(header.columns)
    plan = comp[comp["source"] == "plan"]
    good = plan[(plan["Indicator ID"] == "gpps_appointment_good")]
    assert dict(zip(good["Area Code"], good["Value"], strict=True)) == {
        "E54000027": 71,
        "E12000007": 76,
    }
    assert np.isin(comp["source"], ["plan", "simulated"]).all()
