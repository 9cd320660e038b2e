"""Care processes, blood-pressure control and programme uptake, per person and financial year.

The population of a financial year is everyone registered and alive on its 1 October.

* ``care_processes``: per person with diabetes, the nine care processes (the NDA's eight:
  HbA1c, blood pressure, cholesterol, serum creatinine, urine albumin/creatinine ratio, foot
  surveillance, BMI, smoking; plus retinal screening, data-sources 2.4) and the three
  treatment targets (HbA1c <= 58 mmol/mol, BP <= 140/80 mmHg, statin). All nine are achieved
  with the practice's published rate in 2021-22 (plan, table after image11.emf; other
  boroughs 37.4% so NWL is 36%), year effects around it, and the integrated diabetes team's
  odds ratio once active on the year's 1 October.
* ``hypertension_control``: per person with hypertension, BP controlled to target; 81% in
  2021-22 (plan: 19% poorly controlled).
* ``programmes``: long form ``fin_year, programme, eligible, completed``; rates are
  assumptions except cervical (49%) and breast (54%) screening (plan 2.3). Bowel screening is
  generated at 67% (assumption): the plan's "97%" cannot be a coverage rate.

Yearly rates run from 2019-20; years after the last one given hold it (assumption).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import periods
from .calibration import CARE_PROCESSES, HARROW, TARGETS, held
from .conditions import solve_intercept
from .events import registered_span
from .interventions import effect_multiplier
from .population import ages_on

PROCESS_RATES = dict(
    zip(CARE_PROCESSES, (0.88, 0.90, 0.80, 0.85, 0.45, 0.60, 0.80, 0.85, 0.78), strict=True)
)
NINE_CP_YEAR_LOGIT = (0.35, -0.6, 0.0, 0.05, 0.1, 0.15, 0.2)
NINE_CP_OTHER_BOROUGHS = 0.374
TREATMENT_TARGETS = {"hba1c_target": 0.62, "bp_target": 0.70, "statin": 0.74}
BP_CONTROL = (
    0.80,
    0.73,
    1 - TARGETS["hypertension_poorly_controlled"].value,
    0.82,
    0.83,
    0.83,
    0.84,
)  # 2021-22 (the calibration year): the plan's 19% poorly controlled

#: programme -> yearly completion probability (one value or one per financial year).
UPTAKE: dict[str, tuple[float, ...]] = {
    "smi_health_check": (0.50, 0.30, 0.42, 0.48, 0.52, 0.55, 0.56),
    "ld_health_check": (0.68, 0.60, 0.72, 0.74, 0.75, 0.76, 0.77),
    "cervical_screening": (0.52, 0.48, TARGETS["cervical_screening"].value, 0.49, 0.49, 0.49, 0.49),
    "breast_screening": (0.60, 0.40, TARGETS["breast_screening"].value, 0.56, 0.57, 0.57, 0.57),
    "bowel_screening": (0.64, 0.62, 0.67, 0.68, 0.69, 0.70, 0.70),
    "flu_65plus": (0.72, 0.80, 0.78, 0.76, 0.74, 0.73, 0.73),
    "mmr2_by_5": (0.78, 0.76, 0.76, 0.76, 0.76, 0.76, 0.76),
    "nhs_health_check": (0.08, 0.02, 0.05, 0.07, 0.08, 0.08, 0.08),
    "smoking_status_recorded": (0.85, 0.80, 0.82, 0.83, 0.84, 0.85, 0.85),
    "maternity_continuity": (0.10, 0.12, 0.15, 0.20, 0.25, 0.30, 0.35),
    "cancer_early_stage": (0.56, 0.50, 0.55, 0.56, 0.57, 0.58, 0.58),
    "copd_flu_vaccination": (0.78, 0.82, 0.80, 0.79, 0.78, 0.78, 0.78),
}
CVD_RISK_REGISTERS = ("chd", "af", "heart_failure", "hypertension", "diabetes", "ckd")


def on_list_at(people: pd.DataFrame, date: np.datetime64) -> np.ndarray:
    """Registered (and alive) on ``date``."""
    start, stop = registered_span(people, date)
    return (start <= date) & (stop > date)


def mid_year(label: str) -> np.datetime64:
    """1 October of financial year ``label``."""
    return np.datetime64(periods.mid_day(label), "D")


def _expit(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _logit(p: np.ndarray | float) -> np.ndarray:
    p = np.clip(p, 1e-4, 1 - 1e-4)
    return np.log(p / (1 - p))


def practice_nine_cp_rates(
    people: pd.DataFrame, published: dict[str, tuple[int, int]]
) -> np.ndarray:
    """Per person, the practice's published all-nine rate (Harrow rate where unlisted)."""
    harrow_rate = sum(a for _, a in published.values()) / sum(d for d, _ in published.values())
    rates = {code: a / d for code, (d, a) in published.items()}
    codes = people["practice_code"].to_numpy()
    borough = people["borough_code"].to_numpy()
    out = pd.Series(codes).map(rates).to_numpy(dtype=float)
    default = np.where(borough == HARROW, harrow_rate, NINE_CP_OTHER_BOROUGHS)
    return np.where(np.isnan(out), default, out)


def care_processes(
    people: pd.DataFrame,
    interventions: pd.DataFrame,
    published: dict[str, tuple[int, int]],
    years: tuple[str, ...],
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Per diabetic person-year of ``years``: nine care-process booleans and three treatment
    targets."""
    base_logit = _logit(practice_nine_cp_rates(people, published))
    pcn = people["pcn_name"].to_numpy()
    parts = []
    for label in years:
        mid = mid_year(label)
        idx = np.flatnonzero(on_list_at(people, mid) & people["diabetes"].to_numpy())
        odds = effect_multiplier(
            interventions, "diabetes_nine_care_processes", pcn[idx], np.full(len(idx), mid)
        )
        p_all = _expit(base_logit[idx] + held(NINE_CP_YEAR_LOGIT, label) + np.log(odds))
        all_nine = rng.random(len(idx)) < p_all
        frame = {"pidx": idx, "fin_year": label}
        draws = {cp: rng.random(len(idx)) < rate for cp, rate in PROCESS_RATES.items()}
        complete = np.logical_and.reduce(list(draws.values()))
        draws["urine_albumin"] = draws["urine_albumin"] & ~(complete & ~all_nine)
        for cp in CARE_PROCESSES:
            frame[cp] = draws[cp] | all_nine
        for target, rate in TREATMENT_TARGETS.items():
            frame[target] = rng.random(len(idx)) < rate
        parts.append(pd.DataFrame(frame))
    return pd.concat(parts, ignore_index=True)


def hypertension_control(
    people: pd.DataFrame, years: tuple[str, ...], rng: np.random.Generator
) -> pd.DataFrame:
    """Per hypertensive person-year of ``years``: BP controlled to target (age and deprivation
    gradient, intercept solved per year to that year's rate)."""
    parts = []
    for label in years:
        idx = np.flatnonzero(
            on_list_at(people, mid_year(label)) & people["hypertension"].to_numpy()
        )
        age = people["age_c"].to_numpy()[idx]
        decile = people["imd_decile"].to_numpy()[idx]
        linear = -0.01 * (age - 65) + 0.08 * (decile - 5.5)
        b = solve_intercept(linear, held(BP_CONTROL, label))
        parts.append(
            pd.DataFrame(
                {
                    "pidx": idx,
                    "fin_year": label,
                    "bp_controlled": rng.random(len(idx)) < _expit(b + linear),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def _eligible(
    people: pd.DataFrame, programme: str, age: np.ndarray, label: str, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """(in the programme's population, eligible) masks for one financial year."""
    female = people["sex"].to_numpy() == "F"
    flag = {c: people[c].to_numpy() for c in ("smi", "learning_disability", "copd", "cancer")}
    everyone = np.ones(len(people), dtype=bool)
    if programme == "smi_health_check":
        return flag["smi"] & (age >= 18), everyone
    if programme == "ld_health_check":
        return flag["learning_disability"] & (age >= 14), everyone
    if programme == "cervical_screening":
        return female & (age >= 25) & (age <= 64), rng.random(len(people)) > 0.03
    if programme == "breast_screening":
        return female & (age >= 50) & (age <= 70), everyone
    if programme == "bowel_screening":
        return (age >= 60) & (age <= 74), everyone
    if programme == "flu_65plus":
        return age >= 65, everyone
    if programme == "mmr2_by_5":
        return age == 5, everyone
    if programme == "nhs_health_check":
        cvd = np.logical_or.reduce([people[c].to_numpy() for c in CVD_RISK_REGISTERS])
        return (age >= 40) & (age <= 74), ~cvd
    if programme == "smoking_status_recorded":
        return age >= 15, everyone
    if programme == "maternity_continuity":
        fertility = np.select(
            [age < 20, age < 25, age < 30, age < 35, age < 40],
            [0.01, 0.045, 0.085, 0.11, 0.06],
            0.012,
        )
        pregnant = female & (age >= 16) & (age <= 45) & (rng.random(len(people)) < fertility)
        return pregnant, everyone
    if programme == "cancer_early_stage":
        return flag["cancer"] & (people["cancer_diagnosis_year"].to_numpy() == label), everyone
    if programme == "copd_flu_vaccination":
        return flag["copd"], everyone
    raise KeyError(programme)


def programmes(
    people: pd.DataFrame, years: tuple[str, ...], rng: np.random.Generator
) -> pd.DataFrame:
    """Long table: one row per person x financial year of ``years`` x programme they are in
    scope of."""
    parts = []
    for k, label in enumerate(years):
        mid = mid_year(label)
        listed = on_list_at(people, mid)
        age = ages_on(people, mid)
        for code, programme in enumerate(sorted(UPTAKE)):
            rates = UPTAKE[programme]
            scope, eligible = _eligible(people, programme, age, label, rng)
            idx = np.flatnonzero(scope & listed)
            done = eligible[idx] & (rng.random(len(idx)) < held(rates, label))
            parts.append(
                pd.DataFrame(
                    {
                        "pidx": idx,
                        "year": k,
                        "programme_code": code,
                        "eligible": eligible[idx],
                        "completed": done,
                    }
                )
            )
    out = pd.concat(parts, ignore_index=True)
    names = sorted(UPTAKE)
    return out.assign(
        fin_year=pd.Categorical.from_codes(out.pop("year"), categories=list(years)),
        programme=pd.Categorical.from_codes(out.pop("programme_code"), categories=names),
    )


def cancer_diagnosis_years(
    people: pd.DataFrame, years: tuple[str, ...], rng: np.random.Generator
) -> np.ndarray:
    """Financial year of diagnosis for persons on the cancer register (uniform over the 15
    years to the later of 2025-26 and the last of ``years``: a prevalent register holds about
    15 years of survivors); None otherwise or when outside ``years``."""
    last = max(periods.start_year(years[-1]), 2025)
    start = rng.integers(last - 14, last + 1, len(people))
    labels = np.array([periods.label(y) for y in range(last - 14, last + 1)])
    out = labels[start - (last - 14)].astype(object)
    in_window = np.isin(out, years) & people["cancer"].to_numpy()
    return np.where(in_window, out, None)
