"""Long-term condition flags, frailty, care-home residence and carers.

Each condition is a logistic model in age, sex, ethnic group, deprivation and earlier
conditions (diabetes raises hypertension, CKD and CHD risk; CHD and AF raise heart failure).
The coefficients are assumptions of the right direction and rough size (South Asian and Black
excess for diabetes and hypertension, steep age gradients for dementia and AF). The intercept
of each is solved (Newton steps on the cohort) so the cohort's recorded prevalence equals the
target in :data:`.calibration.CONDITION_PREVALENCE` over that target's age range; the same
intercept then applies to leavers and joiners. Flags are "on the register at the cohort date"
(2021-10-01) and held for the whole window.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .calibration import CONDITION_PREVALENCE, FRAILTY_BANDS_65PLUS


@dataclass(frozen=True)
class Risk:
    """Log-odds terms: ``slope`` and ``curve`` per decade from age 50 (``curve`` squared),
    ``male``, per ``ethnic`` group, ``deprivation`` per unit of (5.5 - decile) / 4.5, and
    ``after`` for each earlier condition held."""

    slope: float
    curve: float = 0.0
    male: float = 0.0
    ethnic: dict[str, float] = field(default_factory=dict)
    deprivation: float = 0.2
    after: dict[str, float] = field(default_factory=dict)
    min_age: int = 0


RISKS: dict[str, Risk] = {
    "diabetes": Risk(
        0.55, -0.08, 0.25, {"Asian": 1.0, "Black": 0.6, "Other": 0.3}, 0.35, min_age=5
    ),
    "hypertension": Risk(
        0.75, -0.10, 0.15, {"Black": 0.6, "Asian": 0.25}, 0.25, {"diabetes": 1.0}, min_age=18
    ),
    "chd": Risk(
        0.85, -0.08, 0.7, {"Asian": 0.45}, 0.3, {"diabetes": 0.5, "hypertension": 0.6}, min_age=25
    ),
    "ckd": Risk(
        0.95,
        -0.05,
        -0.1,
        {"Black": 0.3, "Asian": 0.2},
        0.2,
        {"diabetes": 0.8, "hypertension": 0.8},
        min_age=18,
    ),
    "af": Risk(
        1.05, -0.05, 0.45, {"Asian": -0.3, "Black": -0.4}, 0.05, {"hypertension": 0.5}, min_age=30
    ),
    "heart_failure": Risk(
        0.95, -0.03, 0.4, {}, 0.3, {"chd": 1.2, "af": 0.9, "diabetes": 0.4}, min_age=30
    ),
    "asthma": Risk(-0.05, 0.02, -0.1, {"Black": 0.2, "Mixed": 0.2}, 0.2),
    "copd": Risk(0.80, -0.10, 0.2, {"White": 0.6, "Asian": -0.3}, 0.6, min_age=35),
    "dementia": Risk(
        1.30, -0.10, -0.1, {}, 0.15, {"diabetes": 0.3, "hypertension": 0.2}, min_age=40
    ),
    "smi": Risk(0.05, -0.12, 0.1, {"Black": 0.8, "Mixed": 0.4}, 0.5, min_age=16),
    "learning_disability": Risk(-0.15, -0.03, 0.4, {}, 0.3),
    "depression": Risk(
        0.05, -0.10, -0.6, {"White": 0.6, "Mixed": 0.4, "Asian": -0.3}, 0.4, min_age=12
    ),
    "cancer": Risk(0.75, -0.08, 0.0, {"White": 0.4, "Asian": -0.3}, -0.1, min_age=10),
    "epilepsy": Risk(0.0, 0.0, 0.1, {}, 0.3),
}
CONDITIONS: tuple[str, ...] = tuple(RISKS)
FRAILTY_LEVELS = ("none", "mild", "moderate", "severe")


def _linear(risk: Risk, people: pd.DataFrame, flags: dict[str, np.ndarray]) -> np.ndarray:
    age = people["age_c"].to_numpy().astype(float)
    dec = (age - 50.0) / 10.0
    out = risk.slope * dec + risk.curve * dec**2
    out = out + risk.male * (people["sex"].to_numpy() == "M")
    group = people["ethnic_group"].to_numpy()
    for name, effect in risk.ethnic.items():
        out = out + effect * (group == name)
    out = out + risk.deprivation * (5.5 - people["imd_decile"].to_numpy()) / 4.5
    for name, effect in risk.after.items():
        out = out + effect * flags[name]
    return np.where(age < risk.min_age, -np.inf, out)


def solve_intercept(
    linear: np.ndarray, target: float, weights: np.ndarray | None = None, iterations: int = 40
) -> float:
    """Intercept b with (weighted) mean(expit(b + linear)) = target (Newton on the log-odds).

    Entries of ``linear`` equal to -inf (out of scope) count with probability zero.
    """
    w = np.ones(len(linear)) if weights is None else np.asarray(weights, dtype=float)
    finite = np.isfinite(linear)
    x, w_in = linear[finite], w[finite] / w.sum()
    b = float(np.log(target / (1 - target)) - np.median(x))
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-(b + x)))
        step = (np.dot(w_in, p) - target) / max(float(np.dot(w_in, p * (1 - p))), 1e-12)
        b -= float(np.clip(step, -2.0, 2.0))
        if abs(step) < 1e-8:
            break
    return b


def add_conditions(
    people: pd.DataFrame, rng: np.random.Generator, intercepts: dict[str, float] | None = None
) -> tuple[pd.DataFrame, dict[str, float]]:
    """Add a boolean column per condition. Without ``intercepts`` each is solved on the
    frame's cohort rows over the target's age range; returns the frame and the intercepts
    (pass them back to give later joiners the same risks)."""
    cohort = (people["group"] == "cohort").to_numpy()
    age = people["age_c"].to_numpy()
    flags: dict[str, np.ndarray] = {}
    solved: dict[str, float] = {}
    for name, risk in RISKS.items():
        target, floor, ceiling = CONDITION_PREVALENCE[name]
        linear = _linear(risk, people, flags)
        if intercepts is None:
            top = ceiling if ceiling is not None else 200
            solved[name] = solve_intercept(linear[cohort & (age >= floor) & (age <= top)], target)
        else:
            solved[name] = intercepts[name]
        prob = 1.0 / (1.0 + np.exp(-(solved[name] + linear)))
        flags[name] = rng.random(len(people)) < prob
    return people.assign(**flags), solved


def add_frailty(
    people: pd.DataFrame, rng: np.random.Generator, cuts: np.ndarray | None = None
) -> tuple[pd.DataFrame, np.ndarray]:
    """Electronic frailty index band for persons aged 65+ ("none" below 65): a noisy score in
    age and condition count, cut at the quantiles giving the cohort's 65+ band shares (or at
    the given ``cuts``). Returns the frame and the cuts (severe, moderate, mild)."""
    age = people["age_c"].to_numpy()
    ltc = people[list(CONDITIONS)].to_numpy().sum(axis=1)
    score = (
        0.09 * age
        + 0.45 * ltc
        + 1.5 * people["dementia"].to_numpy()
        + rng.normal(0, 1.0, len(people))
    )
    older = age >= 65
    if cuts is None:
        cohort_older = older & (people["group"] == "cohort").to_numpy()
        shares = [FRAILTY_BANDS_65PLUS[b] for b in ("severe", "moderate", "mild")]
        cuts = np.quantile(score[cohort_older], 1 - np.cumsum(shares))
    band = np.select(
        [score >= cuts[0], score >= cuts[1], score >= cuts[2]],
        ["severe", "moderate", "mild"],
        "none",
    )
    return people.assign(frailty=np.where(older, band, "none")), cuts


def add_care_home_and_carers(people: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Care-home residence (65+, rising with age, dementia and frailty) and identified carers
    (adults, ~3.5% of 18+, more often women aged 40-74). Rates are assumptions."""
    age = people["age_c"].to_numpy()
    frail = people["frailty"].to_numpy()
    logit = -9.6 + 0.09 * age + 1.8 * people["dementia"].to_numpy() + 1.0 * (frail == "severe")
    care_home = (age >= 65) & (rng.random(len(people)) < 1 / (1 + np.exp(-logit)))
    female = people["sex"].to_numpy() == "F"
    carer_p = np.where(age < 18, 0.0, np.where((age >= 40) & (age < 75), 0.05, 0.02))
    carer = rng.random(len(people)) < carer_p * np.where(female, 1.25, 0.75) * ~care_home
    return people.assign(care_home_resident=care_home, carer=carer)
