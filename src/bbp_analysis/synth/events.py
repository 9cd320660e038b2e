"""Hospital spells (SUS/HES APC shaped) and A&E/UTC attendances (ECDS shaped).

Counts are Poisson per person and financial year with mean rate x registered exposure; dates
are uniform over the person's registered days in that year. Rates (assumptions unless noted):

* chronic ACSC emergency admissions: per condition held, ``r_c * exp(0.02 (age - 60))`` times
  deprivation, year and PCN multipliers; the PCN multipliers are solved so each PCN's expected
  2021-22 rate per 1,000 registered equals its target (plan: Harrow 11.47, PCNs 10.3-12.81;
  other boroughs 9.71 so NWL is 9.89). Primary diagnoses are 4-character ICD-10 codes from the
  NHS Outcomes Framework 2.3.i list (data-sources 2.9).
* falls (65+): ``k * exp(0.085 (age - 65))`` x sex, frailty and care-home multipliers; ``k``
  solved so the 2021-22 directly standardised rate (ESP2013, 65+) is 2,380 per 100,000 (plan).
  Injury primary diagnosis (S/T), external cause W00-W19 in ``cause_code``.
* other emergency admissions: an age curve x (1 + 0.2 per condition) x frailty x deprivation,
  scaled to 70 per 1,000 a year; 30-day emergency readmissions (5-20% by age and frailty);
  end of life: a terminal spell for hospital deaths, and an admission in the last 90 days for
  35% of other deaths.
* elective spells (admimeth 11-13) at ~50 per 1,000 rising with age.
* A&E type 01: every emergency spell admitted via A&E (admimeth 21) plus unplanned
  attendances; UTC types 03/04 on their own (negative control: no intervention touches them).

Year multipliers (COVID dip in 2020-21) apply to all emergency activity; years after 2025-26
hold the 2025-26 multiplier (assumption). Events fall in the financial years generated
(``years``, :func:`bbp_analysis.synth.calibration.window`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import periods
from .calibration import (
    ACSC_RATE_OTHER_BOROUGHS,
    CALIBRATION_YEAR,
    HARROW,
    TARGETS,
    held,
    pcn_acsc_targets,
)
from .conditions import CONDITIONS
from .interventions import effect_multiplier
from .population import START, age_at, ages_on

YEAR_FACTORS = (1.04, 0.85, 1.0, 1.01, 1.02, 1.03, 1.04)  # from 2019-20, last one held

ACSC_CODES: dict[str, tuple[float, tuple[str, ...]]] = {  # rate per 1,000 with condition
    "diabetes": (22.0, ("E119", "E116", "E111", "E101", "E149", "E110")),
    "asthma": (28.0, ("J459", "J450", "J46X")),
    "epilepsy": (70.0, ("G409", "G403", "G419", "R568")),
    "hypertension": (4.0, ("I10X", "I119")),
    "dementia": (55.0, ("F03X", "G309", "F019", "F000")),
    "heart_failure": (150.0, ("I500", "I509", "I110", "J81X")),
    "copd": (130.0, ("J440", "J441", "J449", "J439", "J42X")),
    "af": (28.0, ("I489", "I480")),
    "chd": (18.0, ("I209", "I200", "I248")),
}
ANAEMIA = (0.25, ("D509", "D508", "D501"))  # iron-deficiency anaemia, per 1,000 persons
GENERAL_CODES = (
    "R074",
    "R103",
    "J189",
    "N390",
    "R55X",
    "L031",
    "J22X",
    "A099",
    "I219",
    "I639",
    "K922",
    "R410",
    "K529",
    "E86X",
    "R069",
    "S610",
    "T784",
    "K358",
)
GENERAL_WEIGHTS = np.array([10, 9, 8, 7, 5, 5, 6, 5, 3, 3, 2, 3, 3, 3, 4, 2, 2, 3], float)
DEATH_CODES = ("J189", "C349", "I219", "I639", "A419", "J690", "C189", "N179")
FALL_INJURIES = ("S720", "S721", "S008", "S099", "S422", "S525", "S320", "T141", "S062")
FALL_WEIGHTS = np.array([18, 6, 14, 10, 9, 9, 8, 16, 4], float)
FALL_CAUSES = ("W19X", "W01X", "W10X", "W06X", "W18X", "W05X")
FALL_CAUSE_WEIGHTS = np.array([55, 20, 12, 6, 4, 3], float)
ELECTIVE_CODES = ("H259", "K802", "M171", "Z511", "N40X", "K409", "C509", "M161", "K573")
SECONDARY_CODES = {
    "hypertension": "I10X",
    "diabetes": "E119",
    "af": "I489",
    "ckd": "N183",
    "copd": "J449",
    "chd": "I251",
    "heart_failure": "I509",
    "dementia": "F03X",
    "asthma": "J459",
    "smi": "F209",
    "depression": "F329",
    "epilepsy": "G409",
    "learning_disability": "F79X",
    "cancer": "Z853",
}
PROVIDERS = ("R1K", "RYJ", "RAS", "RAL", "RQM")  # acute trusts (ODS codes, assumption)
PROVIDER_WEIGHTS = np.array([80, 7, 6, 4, 3], float)
GENERAL_RATE = 70.0  # per 1,000 per year, other emergency admissions (assumption)
FRAILTY_RATE = {"none": 1.0, "mild": 1.3, "moderate": 1.8, "severe": 2.4}


def fin_year_bounds(years: tuple[str, ...]) -> list[tuple[str, np.datetime64, np.datetime64]]:
    """(label, first day, first day of the next year) per financial year of ``years``."""
    return [
        (
            label,
            np.datetime64(periods.first_day(label), "D"),
            np.datetime64(periods.last_day(label), "D") + np.timedelta64(1, "D"),
        )
        for label in years
    ]


def window_end(years: tuple[str, ...]) -> np.datetime64:
    """The last day of the last financial year of ``years``."""
    return np.datetime64(periods.last_day(years[-1]), "D")


def registered_span(people: pd.DataFrame, end: np.datetime64) -> tuple[np.ndarray, np.ndarray]:
    """First registered day and first day no longer registered (exclusive; the day after
    ``end`` for those still registered at the end of the window)."""
    start = people["registered_from"].to_numpy().astype("datetime64[D]")
    start = np.where(np.isnat(start), np.datetime64("1900-01-01", "D"), start)
    stop = people["registered_to"].to_numpy().astype("datetime64[D]")
    stop = np.where(np.isnat(stop), end + np.timedelta64(1, "D"), stop)
    return start, stop


class Exposure:
    """Registered days per person in each financial year of ``years`` and uniform event
    dating."""

    def __init__(self, people: pd.DataFrame, years: tuple[str, ...]) -> None:
        self.end = window_end(years)
        self.calibration = years.index(CALIBRATION_YEAR)
        self.start, self.stop = registered_span(people, self.end)
        self.years = fin_year_bounds(years)
        self.lo = [np.maximum(self.start, a) for _, a, _ in self.years]
        self.hi = [np.minimum(self.stop, b) for _, _, b in self.years]
        self.fraction = [
            np.clip((hi - lo).astype(np.int64), 0, None) / (b - a).astype(np.int64)
            for lo, hi, (_, a, b) in zip(self.lo, self.hi, self.years, strict=True)
        ]

    def draw(
        self, k: int, rate: np.ndarray, rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray]:
        """Person index and date of Poisson events at ``rate`` per year in year ``k``."""
        counts = rng.poisson(rate * self.fraction[k])
        idx = np.repeat(np.arange(len(rate)), counts)
        days = (self.hi[k] - self.lo[k]).astype(np.int64)[idx]
        offset = np.floor(rng.random(len(idx)) * days).astype("timedelta64[D]")
        return idx, self.lo[k][idx] + offset


def _thinned(
    idx: np.ndarray,
    dates: np.ndarray,
    interventions: pd.DataFrame,
    outcome: str,
    pcn: np.ndarray,
    rng: np.random.Generator,
    affected: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Events (person index, date) kept with probability the programme effect on ``outcome``
    at each person's PCN and date; ``affected`` (per person) limits the effect to some people."""
    effect = effect_multiplier(interventions, outcome, pcn[idx], dates)
    if affected is not None:
        effect = np.where(affected[idx], effect, 1.0)
    keep = rng.random(len(idx)) < effect
    return idx[keep], dates[keep]


def age_in_year(people: pd.DataFrame, label: str) -> np.ndarray:
    """Age on 1 October of financial year ``label`` (0 for those not yet born): event rates
    follow people as they age; in the calibration year this equals ``age_c``."""
    return np.clip(ages_on(people, np.datetime64(f"{label[:4]}-10-01", "D")), 0, None)


def _pick(
    options: tuple[str, ...], weights: np.ndarray | None, n: int, rng: np.random.Generator
) -> np.ndarray:
    p = None if weights is None else weights / weights.sum()
    return np.array(options)[rng.choice(len(options), size=n, p=p)]


def _deprivation(people: pd.DataFrame, per_unit: float) -> np.ndarray:
    return 1.0 + per_unit * (5.5 - people["imd_decile"].to_numpy()) / 4.5


def _length_of_stay(
    age: np.ndarray, rng: np.random.Generator, base: float = 1.0, per_year: float = 0.08
) -> np.ndarray:
    mean = base + per_year * np.clip(age, 0, None)
    return rng.geometric(1.0 / (1.0 + mean)) - 1


def acsc_multipliers(
    people: pd.DataFrame, exposure: Exposure, base: dict[str, np.ndarray]
) -> dict[str, float]:
    """PCN multipliers giving each PCN its target ACSC rate in the calibration year."""
    k = exposure.calibration
    mid = np.datetime64(periods.mid_day(CALIBRATION_YEAR), "D")
    on_list = (exposure.start <= mid) & (exposure.stop > mid)
    expected = sum(base.values()) * exposure.fraction[k] * held(YEAR_FACTORS, CALIBRATION_YEAR)
    frame = pd.DataFrame(
        {
            "pcn": people["pcn_name"].to_numpy(),
            "borough": people["borough_code"].to_numpy(),
            "expected": expected,
            "on_list": on_list,
        }
    )
    by_pcn = frame.groupby("pcn").agg(
        expected=("expected", "sum"), pop=("on_list", "sum"), borough=("borough", "first")
    )
    harrow = by_pcn[by_pcn["borough"] == HARROW].copy()
    targets = {p: ACSC_RATE_OTHER_BOROUGHS for p in by_pcn.index}
    if len(harrow) > 1:
        harrow_people = frame[frame["borough"] == HARROW]
        dep = (
            people.loc[people["borough_code"] == HARROW, "imd_decile"]
            .groupby(harrow_people["pcn"].to_numpy())
            .mean()
        )
        order = list(dep.sort_values().index)  # most deprived first
        targets.update(pcn_acsc_targets(harrow["pop"].to_dict(), order))
    return {p: targets[p] * row["pop"] / 1000.0 / row["expected"] for p, row in by_pcn.iterrows()}


def _spells(
    idx: np.ndarray,
    dates: np.ndarray,
    codes: np.ndarray,
    admimeth: np.ndarray,
    los: np.ndarray,
    cause: np.ndarray | None = None,
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "pidx": idx,
            "admission_date": dates,
            "discharge_date": dates + los.astype("timedelta64[D]"),
            "admimeth": admimeth,
            "primary_diagnosis": codes,
            "cause_code": cause if cause is not None else np.full(len(idx), None, dtype=object),
        }
    )


def acsc_spells(
    people: pd.DataFrame, exposure: Exposure, interventions: pd.DataFrame, rng: np.random.Generator
) -> pd.DataFrame:
    """Chronic ACSC emergency spells, calibrated per PCN in the calibration year."""
    age = people["age_c"].to_numpy()
    dep = _deprivation(people, 0.25)

    def base_rates(years_age: np.ndarray) -> dict[str, np.ndarray]:
        common = np.exp(0.02 * (years_age - 60)) * dep
        out = {
            c: people[c].to_numpy() * rate / 1000 * common for c, (rate, _) in ACSC_CODES.items()
        }
        out["anaemia"] = np.full(len(people), ANAEMIA[0] / 1000)
        return out

    mult = acsc_multipliers(people, exposure, base_rates(age))
    pcn_mult = people["pcn_name"].map(mult).to_numpy()
    pcn = people["pcn_name"].to_numpy()
    codes_for = {**{c: codes for c, (_, codes) in ACSC_CODES.items()}, "anaemia": ANAEMIA[1]}
    parts = []
    for k, (label, _, _) in enumerate(exposure.years):
        for cond, rate in base_rates(age_in_year(people, label)).items():
            idx, dates = exposure.draw(k, rate * pcn_mult * held(YEAR_FACTORS, label), rng)
            if cond == "diabetes":
                idx, dates = _thinned(
                    idx, dates, interventions, "acsc_admissions_diabetes", pcn, rng
                )
            codes = _pick(codes_for[cond], None, len(idx), rng)
            los = _length_of_stay(age[idx], rng, 0.5, 0.07)
            meth = _pick(("21", "22", "2A", "2D"), np.array([85, 8, 4, 3.0]), len(idx), rng)
            parts.append(_spells(idx, dates, codes, meth, los))
    return pd.concat(parts, ignore_index=True)


def falls_scale(
    people: pd.DataFrame, exposure: Exposure, rate: np.ndarray, esp: pd.Series
) -> float:
    """Multiplier giving the target DSR (per 100,000, ESP2013 65+) in the calibration year."""
    k = exposure.calibration
    mid = np.datetime64(periods.mid_day(CALIBRATION_YEAR), "D")
    age = people["age_c"].to_numpy()
    on_list = (exposure.start <= mid) & (exposure.stop > mid)
    bands = esp_band(age)
    frame = pd.DataFrame(
        {
            "band": bands,
            "expected": rate * exposure.fraction[k] * held(YEAR_FACTORS, CALIBRATION_YEAR),
            "pop": on_list,
        }
    )[age >= 65]
    by_band = frame.groupby("band")[["expected", "pop"]].sum()
    weights = esp.reindex(by_band.index)
    dsr = float((by_band["expected"] / by_band["pop"] * weights).sum() / weights.sum() * 1e5)
    return TARGETS["falls_dsr_65plus"].value / dsr


def esp_band(age: np.ndarray) -> np.ndarray:
    """ESP2013 five-year band labels "0-4" .. "85-89", "90+"."""
    low = np.minimum(np.clip(age, 0, None) // 5 * 5, 90)
    labels = np.array([f"{a}-{a + 4}" for a in range(0, 90, 5)] + ["90+"])
    return labels[low // 5]


def falls_spells(
    people: pd.DataFrame,
    exposure: Exposure,
    interventions: pd.DataFrame,
    esp: pd.Series,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Emergency spells for falls injuries; 65+ calibrated to the published DSR."""
    age = people["age_c"].to_numpy()
    frail = people["frailty"].map({"none": 1.0, "mild": 1.4, "moderate": 1.9, "severe": 2.6})
    other = (
        np.where(people["sex"].to_numpy() == "F", 1.15, 0.9)
        * frail.to_numpy()
        * np.where(people["care_home_resident"].to_numpy(), 1.5, 1.0)
    )

    def rate_at(years_age: np.ndarray) -> np.ndarray:
        return np.where(years_age >= 65, np.exp(0.085 * (years_age - 65)) * other, 0.0)

    scale = falls_scale(people, exposure, rate_at(age), esp)
    pcn = people["pcn_name"].to_numpy()
    parts = []
    for k, (label, _, _) in enumerate(exposure.years):
        now = age_in_year(people, label)
        rate = rate_at(now) * scale + np.where(
            (now >= 18) & (now < 65), 0.0012 * np.exp(0.03 * (now - 40)), 0.0
        )
        idx, dates = exposure.draw(k, rate * held(YEAR_FACTORS, label), rng)
        idx, dates = _thinned(
            idx, dates, interventions, "falls_admissions_65plus", pcn, rng, affected=now >= 65
        )
        parts.append(
            _spells(
                idx,
                dates,
                _pick(FALL_INJURIES, FALL_WEIGHTS, len(idx), rng),
                _pick(("21", "2A", "2D"), np.array([90, 5, 5.0]), len(idx), rng),
                _length_of_stay(age[idx], rng, 1.0, 0.12),
                _pick(FALL_CAUSES, FALL_CAUSE_WEIGHTS, len(idx), rng),
            )
        )
    return pd.concat(parts, ignore_index=True)


def general_spells(
    people: pd.DataFrame, exposure: Exposure, interventions: pd.DataFrame, rng: np.random.Generator
) -> pd.DataFrame:
    """Other emergency spells (non-ACSC, non-falls), frailty-model effect by thinning."""
    age = people["age_c"].to_numpy()
    ltc = people[list(CONDITIONS)].to_numpy().sum(axis=1)
    other = (
        (1 + 0.2 * ltc) * people["frailty"].map(FRAILTY_RATE).to_numpy() * _deprivation(people, 0.2)
    )

    def relative(years_age: np.ndarray) -> np.ndarray:
        curve = np.select(
            [years_age < 1, years_age < 5, years_age < 15, years_age < 30],
            [3.0, 1.2, 0.45, 0.75],
            np.minimum(0.75 * np.exp(0.045 * (years_age - 30)), 10.0),
        )
        return curve * other

    k = exposure.calibration
    per_unit = (
        GENERAL_RATE
        / 1000
        * exposure.fraction[k].sum()
        / (relative(age) * exposure.fraction[k]).sum()
    )
    pcn = people["pcn_name"].to_numpy()
    frail_mod = np.isin(people["frailty"].to_numpy(), ["moderate", "severe"])
    parts = []
    for k, (label, _, _) in enumerate(exposure.years):
        rate = relative(age_in_year(people, label)) * per_unit
        idx, dates = exposure.draw(k, rate * held(YEAR_FACTORS, label), rng)
        idx, dates = _thinned(
            idx, dates, interventions, "emergency_admissions_frail", pcn, rng, affected=frail_mod
        )
        parts.append(
            _spells(
                idx,
                dates,
                _pick(GENERAL_CODES, GENERAL_WEIGHTS, len(idx), rng),
                _pick(("21", "22", "2A", "2B", "2D"), np.array([78, 12, 4, 2, 4.0]), len(idx), rng),
                _length_of_stay(age[idx], rng),
            )
        )
    return pd.concat(parts, ignore_index=True)


def end_of_life_spells(
    people: pd.DataFrame, exposure: Exposure, rng: np.random.Generator
) -> pd.DataFrame:
    """Terminal spells for hospital deaths and last-90-day admissions for 35% of others."""
    death = people["date_of_death"].to_numpy().astype("datetime64[D]")
    start = exposure.start
    died = ~np.isnat(death)
    hospital = died & (people["place_of_death"].to_numpy() == "hospital")
    other = died & ~hospital & (rng.random(len(people)) < 0.35)
    h_idx = np.flatnonzero(hospital)
    h_los = rng.geometric(1 / 9.0, len(h_idx)) - 1
    h_adm = np.maximum(death[h_idx] - h_los.astype("timedelta64[D]"), start[h_idx])
    o_idx = np.flatnonzero(other)
    o_before = rng.integers(5, 91, len(o_idx)).astype("timedelta64[D]")
    o_adm = np.maximum(death[o_idx] - o_before, start[o_idx])
    o_los = np.minimum(
        rng.geometric(1 / 6.0, len(o_idx)) - 1, (death[o_idx] - o_adm).astype(np.int64) - 1
    ).clip(0)
    terminal = _spells(
        h_idx,
        h_adm,
        _pick(DEATH_CODES, None, len(h_idx), rng),
        np.full(len(h_idx), "21"),
        (death[h_idx] - h_adm).astype(np.int64),
    )
    before = _spells(
        o_idx,
        o_adm,
        _pick(GENERAL_CODES, GENERAL_WEIGHTS, len(o_idx), rng),
        np.full(len(o_idx), "21"),
        o_los,
    )
    return pd.concat([terminal, before], ignore_index=True)


def readmissions(
    spells: pd.DataFrame, people: pd.DataFrame, exposure: Exposure, rng: np.random.Generator
) -> pd.DataFrame:
    """Emergency readmissions 1-30 days after discharge (one generation, general codes)."""
    age = people["age_c"].to_numpy()[spells["pidx"].to_numpy()]
    frail = np.isin(people["frailty"].to_numpy()[spells["pidx"].to_numpy()], ["moderate", "severe"])
    p = np.clip(0.05 + 0.0015 * (age - 40) + 0.03 * frail, 0.03, 0.20)
    pick = rng.random(len(spells)) < p
    chosen, age = spells[pick], age[pick]
    gap = rng.integers(1, 31, len(chosen)).astype("timedelta64[D]")
    dates = chosen["discharge_date"].to_numpy().astype("datetime64[D]") + gap
    keep = dates < exposure.stop[chosen["pidx"].to_numpy()]
    idx = chosen["pidx"].to_numpy()[keep]
    return _spells(
        idx,
        dates[keep],
        _pick(GENERAL_CODES, GENERAL_WEIGHTS, len(idx), rng),
        np.full(len(idx), "21"),
        _length_of_stay(age[keep], rng),
    )


def elective_spells(
    people: pd.DataFrame, exposure: Exposure, rng: np.random.Generator
) -> pd.DataFrame:
    age = people["age_c"].to_numpy()
    rate = 0.05 * (0.3 + np.clip(age, 0, None) / 50.0)
    parts = []
    for k in range(len(exposure.years)):
        idx, dates = exposure.draw(k, rate, rng)
        parts.append(
            _spells(
                idx,
                dates,
                _pick(ELECTIVE_CODES, None, len(idx), rng),
                _pick(("11", "12", "13"), np.array([40, 45, 15.0]), len(idx), rng),
                rng.geometric(1 / 1.5, len(idx)) - 1,
            )
        )
    return pd.concat(parts, ignore_index=True)


def _secondary_diagnoses(people: pd.DataFrame) -> np.ndarray:
    out = np.full(len(people), "", dtype=object)
    for cond, code in SECONDARY_CODES.items():
        has = people[cond].to_numpy()
        out[has] = out[has] + code + ";"
    return np.array([s[:-1] if s else None for s in out], dtype=object)


def apc_spells(
    people: pd.DataFrame,
    interventions: pd.DataFrame,
    esp: pd.Series,
    years: tuple[str, ...],
    rng: np.random.Generator,
) -> pd.DataFrame:
    """All hospital spells, clipped to the window of ``years``, with secondary diagnoses and
    provider."""
    exposure = Exposure(people, years)
    emergency = pd.concat(
        [
            acsc_spells(people, exposure, interventions, rng),
            falls_spells(people, exposure, interventions, esp, rng),
            general_spells(people, exposure, interventions, rng),
            end_of_life_spells(people, exposure, rng),
        ],
        ignore_index=True,
    )
    spells = pd.concat(
        [
            emergency,
            readmissions(emergency, people, exposure, rng),
            elective_spells(people, exposure, rng),
        ],
        ignore_index=True,
    )
    in_window = (spells["admission_date"] >= START) & (spells["admission_date"] <= exposure.end)
    spells = spells[in_window.to_numpy()].reset_index(drop=True)
    secondary = _secondary_diagnoses(people)
    spells["secondary_diagnoses"] = secondary[spells["pidx"].to_numpy()]
    spells["provider_code"] = _pick(PROVIDERS, PROVIDER_WEIGHTS, len(spells), rng)
    return spells


def ae_attendances(
    people: pd.DataFrame, spells: pd.DataFrame, years: tuple[str, ...], rng: np.random.Generator
) -> pd.DataFrame:
    """Type 01 attendances (admissions via A&E plus others) and UTC types 03/04 in the
    financial years ``years``."""
    exposure = Exposure(people, years)
    age = people["age_c"].to_numpy()
    curve = np.select([age < 5, age < 16, age < 65, age < 80], [1.6, 0.8, 1.0, 1.3], 2.0)
    via_ae = spells[spells["admimeth"] == "21"]
    parts = [
        pd.DataFrame(
            {
                "pidx": via_ae["pidx"].to_numpy(),
                "arrival_date": via_ae["admission_date"].to_numpy(),
                "department_type": "01",
                "disposal": "admitted",
            }
        )
    ]
    for k, (label, _, _) in enumerate(exposure.years):
        for dept, rate in (("01", 0.20), ("03", 0.12), ("04", 0.01)):
            factor = held(YEAR_FACTORS, label) if dept == "01" else 1.0
            idx, dates = exposure.draw(k, curve * rate * factor, rng)
            disposal = np.where(rng.random(len(idx)) < 0.1, "referred", "discharged")
            parts.append(
                pd.DataFrame(
                    {
                        "pidx": idx,
                        "arrival_date": dates,
                        "department_type": dept,
                        "disposal": disposal,
                    }
                )
            )
    out = pd.concat(parts, ignore_index=True)
    out["age"] = age_at(
        people["birth_year"].to_numpy()[out["pidx"].to_numpy()],
        people["birth_month"].to_numpy()[out["pidx"].to_numpy()],
        out["arrival_date"].to_numpy().astype("datetime64[D]"),
    ).clip(0)
    return out[
        (out["arrival_date"] >= START).to_numpy() & (out["arrival_date"] <= exposure.end).to_numpy()
    ].reset_index(drop=True)
