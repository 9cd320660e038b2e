"""Survey-shaped tables: GP Patient Survey, the partnership's citizen and staff surveys,
workforce returns and the five-year-old oral health survey.

* GPPS: per practice about 360 x ``scale`` invitations a year to registered persons aged 16+,
  response propensity rising with age; ``weight`` is the inverse inclusion probability.
  Answers to "experience of making an appointment" are good/neither/poor with age,
  ethnicity, deprivation and practice effects; intercepts solved so Harrow's weighted shares
  are 68% good / 14% poor in 2021-22 (plan measure 2) and NWL's other boroughs give about
  71% / 12%; other years follow an assumed national-like path.
* Citizen survey (from the 2022-23 baseline, plan measure 3), staff survey (from 2022-23,
  plan measure 4) and workforce (turnover within the plan's 10%-18.4% range): assumptions.
* Oral health: a wave every second year from 2019-20 (calibrated to the plan's 42.4% for
  Harrow; London-like 30% elsewhere), about 350 x ``scale`` five-year-olds per borough.

Each table covers the financial years generated (``years``); a yearly rate given up to
2025-26 holds its last value in later years (assumption).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .calibration import HARROW, NWL_BOROUGHS, TARGETS, held
from .conditions import solve_intercept
from .population import ages_on
from .programmes import mid_year, on_list_at

GPPS_BANDS = (16, 25, 35, 45, 55, 65, 75, 85)
GPPS_LABELS = ("16-24", "25-34", "35-44", "45-54", "55-64", "65-74", "75-84", "85+")
GPPS_PROPENSITY = (0.15, 0.18, 0.25, 0.32, 0.42, 0.52, 0.48, 0.40)
GPPS_GOOD = (0.70, 0.73, TARGETS["gpps_good"].value, 0.58, 0.60, 0.63, 0.65)  # from 2019-20
GPPS_POOR = (0.12, 0.10, TARGETS["gpps_poor"].value, 0.22, 0.20, 0.18, 0.16)
GPPS_OTHER_SHIFT = (0.033, -0.022)  # other boroughs' good/poor vs Harrow, so NWL ~ 71/12
INVITATIONS_PER_PRACTICE = 360
SURVEY_BASELINE = "2022-23"  # partnership surveys start at the 2022-23 baseline
CITIZEN_POSITIVE = (0.62, 0.63, 0.65, 0.66)  # from the baseline
ORAL_WAVE_RATES = (TARGETS["tooth_decay_age5"].value, 0.44, 0.43, 0.41)  # 2019-20, 2021-22, ...
ORAL_OTHER_BOROUGHS = 0.30
HARROW_ORGANISATIONS = {  # organisation -> (headcount 2022-23, voluntary turnover, satisfied)
    "London North West University Healthcare NHS Trust (Harrow services)": (2400, 0.150, 0.55),
    "Central and North West London NHS Foundation Trust (Harrow)": (650, 0.130, 0.60),
    "Central London Community Healthcare NHS Trust (Harrow)": (420, 0.184, 0.58),
    "Harrow Council adult social care": (560, 0.100, 0.62),
    "Harrow primary care (GP practices and PCNs)": (1100, 0.160, 0.57),
}


def survey_years(years: tuple[str, ...]) -> tuple[str, ...]:
    """The years of ``years`` from the partnership surveys' baseline on."""
    return tuple(label for label in years if label >= SURVEY_BASELINE)


def oral_waves(years: tuple[str, ...]) -> dict[str, float]:
    """Oral health survey waves within ``years`` (every second year from the first) -> the
    Harrow share with decay."""
    waves = years[::2]
    return {
        label: ORAL_WAVE_RATES[min(k, len(ORAL_WAVE_RATES) - 1)] for k, label in enumerate(waves)
    }


def band_labels(age: np.ndarray, lower: tuple[int, ...], labels: tuple[str, ...]) -> np.ndarray:
    return np.array(labels)[np.searchsorted(np.array(lower), age, side="right") - 1]


def _expit(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def gpps_responses(
    people: pd.DataFrame, scale: float, years: tuple[str, ...], rng: np.random.Generator
) -> pd.DataFrame:
    """GP Patient Survey respondents in each of ``years`` with weights; no person identifier
    (the survey is anonymous)."""
    practice_effect = pd.Series(
        rng.normal(0, 0.35, people["practice_code"].nunique()),
        index=np.sort(people["practice_code"].unique()),
    )
    parts = []
    for label in years:
        mid = mid_year(label)
        age = ages_on(people, mid)
        idx = np.flatnonzero(on_list_at(people, mid) & (age >= 16))
        practice = people["practice_code"].to_numpy()[idx]
        size = pd.Series(practice).map(pd.Series(practice).value_counts()).to_numpy()
        invite = np.minimum(INVITATIONS_PER_PRACTICE * scale / size, 1.0)
        band = np.searchsorted(np.array(GPPS_BANDS), age[idx], side="right") - 1
        respond = invite * np.array(GPPS_PROPENSITY)[band]
        chosen = rng.random(len(idx)) < respond
        idx, band, weight, practice = (
            idx[chosen],
            band[chosen],
            1 / respond[chosen],
            practice[chosen],
        )
        borough = people["borough_code"].to_numpy()[idx]
        dep = (5.5 - people["imd_decile"].to_numpy()[idx]) / 4.5
        asian = people["ethnic_group"].to_numpy()[idx] == "Asian"
        centred = (age[idx] - 50) / 10
        lin_good = 0.15 * centred - 0.15 * dep - 0.15 * asian + practice_effect[practice].to_numpy()
        lin_poor = -0.12 * centred + 0.15 * dep + 0.1 * asian - practice_effect[practice].to_numpy()
        answer = np.full(len(idx), "neither", dtype=object)
        u = rng.random(len(idx))
        for code in np.unique(borough):
            m = borough == code
            shift = (0.0, 0.0) if code == HARROW else GPPS_OTHER_SHIFT
            good, poor = held(GPPS_GOOD, label) + shift[0], held(GPPS_POOR, label) + shift[1]
            p_good = _expit(solve_intercept(lin_good[m], good, weight[m]) + lin_good[m])
            q = poor / (1 - good)
            p_poor = (1 - p_good) * _expit(
                solve_intercept(lin_poor[m], q, weight[m] * (1 - p_good)) + lin_poor[m]
            )
            answer[m] = np.where(
                u[m] < p_good, "good", np.where(u[m] < p_good + p_poor, "poor", "neither")
            )
        parts.append(
            pd.DataFrame(
                {
                    "fin_year": label,
                    "practice_code": practice,
                    "pcn_name": people["pcn_name"].to_numpy()[idx],
                    "borough_code": borough,
                    "age_band": np.array(GPPS_LABELS)[band],
                    "sex": people["sex"].to_numpy()[idx],
                    "ethnic_group": people["ethnic_group"].to_numpy()[idx],
                    "imd_quintile": people["imd_quintile_local"].to_numpy()[idx],
                    "imd_decile": people["imd_decile"].to_numpy()[idx],
                    "appointment_experience": answer,
                    "weight": weight,
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def citizen_survey(
    people: pd.DataFrame, scale: float, years: tuple[str, ...], rng: np.random.Generator
) -> pd.DataFrame:
    """The partnership's annual survey of adults (from the baseline, within ``years``):
    positive experience of care yes/no."""
    parts = []
    for k, label in enumerate(survey_years(years)):
        rate = CITIZEN_POSITIVE[min(k, len(CITIZEN_POSITIVE) - 1)]
        mid = mid_year(label)
        age = ages_on(people, mid)
        pool = np.flatnonzero(on_list_at(people, mid) & (age >= 18))
        per_borough = pd.Series(people["borough_code"].to_numpy()[pool]).value_counts()
        p = 1000 * scale / per_borough[people["borough_code"].to_numpy()[pool]].to_numpy()
        idx = pool[rng.random(len(pool)) < p]
        lin = 0.01 * (age[idx] - 50) + 0.1 * (people["imd_decile"].to_numpy()[idx] - 5.5) / 4.5
        positive = rng.random(len(idx)) < _expit(solve_intercept(lin, rate) + lin)
        parts.append(
            pd.DataFrame({"pidx": idx, "fin_year": label, "positive_experience": positive})
        )
    return pd.concat(parts, ignore_index=True)


def _organisations(boroughs: list[str]) -> dict[str, tuple[str, int, float, float]]:
    out = {}
    for code in boroughs:
        if code == HARROW:
            out.update({k: (code, *v) for k, v in HARROW_ORGANISATIONS.items()})
        else:
            name = NWL_BOROUGHS[code][0]
            out[f"{name} partnership staff (synthetic)"] = (code, 5000, 0.14, 0.58)
    return out


def staff_and_workforce(
    boroughs: list[str], years: tuple[str, ...], rng: np.random.Generator
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Staff survey respondents (from 2022-23) and workforce returns (every year of ``years``,
    headcount and satisfaction trends continued); staff numbers do not follow the population
    ``scale``."""
    survey, workforce = [], []
    for org, (borough, headcount, turnover, satisfied) in _organisations(boroughs).items():
        for k, label in enumerate(years):
            heads = round(headcount * (1 + 0.01 * (k - 3)))
            workforce.append(
                {
                    "organisation": org,
                    "borough_code": borough,
                    "fin_year": label,
                    "headcount": heads,
                    "leavers_voluntary": int(rng.binomial(heads, turnover * (1.1 if k < 3 else 1))),
                    "vacancies": int(rng.binomial(heads, 0.09)),
                }
            )
            if label >= SURVEY_BASELINE:
                n = int(rng.binomial(heads, 0.4))
                p = satisfied + 0.01 * (k - 3)
                survey.append(
                    pd.DataFrame(
                        {
                            "organisation": org,
                            "borough_code": borough,
                            "fin_year": label,
                            "satisfied": rng.random(n) < p,
                        }
                    )
                )
    return pd.concat(survey, ignore_index=True), pd.DataFrame(workforce)


def oral_health_survey(
    people: pd.DataFrame, scale: float, years: tuple[str, ...], rng: np.random.Generator
) -> pd.DataFrame:
    """Five-year-olds examined per wave within ``years``: ``dmft`` count and ``any_decay``
    (dmft > 0)."""
    parts = []
    for label, harrow_rate in oral_waves(years).items():
        mid = mid_year(label)
        age = ages_on(people, mid)
        pool = np.flatnonzero(on_list_at(people, mid) & (age == 5))
        borough = people["borough_code"].to_numpy()[pool]
        per_borough = pd.Series(borough).value_counts()
        idx = pool[
            rng.random(len(pool)) < np.minimum(350 * scale / per_borough[borough].to_numpy(), 1.0)
        ]
        borough = people["borough_code"].to_numpy()[idx]
        lin = 0.35 * (5.5 - people["imd_decile"].to_numpy()[idx]) / 4.5 + 0.3 * (
            people["ethnic_group"].to_numpy()[idx] == "Asian"
        )
        decay = np.zeros(len(idx), dtype=bool)
        u = rng.random(len(idx))
        for code in np.unique(borough):
            m = borough == code
            rate = harrow_rate if code == HARROW else ORAL_OTHER_BOROUGHS
            decay[m] = u[m] < _expit(solve_intercept(lin[m], rate) + lin[m])
        dmft = np.where(decay, 1 + rng.poisson(2.4, len(idx)), 0)
        parts.append(
            pd.DataFrame({"pidx": idx, "fin_year": label, "dmft": dmft, "any_decay": dmft > 0})
        )
    return pd.concat(parts, ignore_index=True)
