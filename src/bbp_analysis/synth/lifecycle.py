"""Deaths, moves away and later joiners, so the registered list stays level over the window.

Death hazard per year: ``exp(a + 0.095 * age)`` (Gompertz) times 1.35 for men and a multiplier
per condition (heart failure 2.2, cancer 1.9, dementia 2.3, COPD 1.7, CKD 1.3, severe frailty
2.0, moderate 1.5, care home 1.8), with ``a`` set so the cohort's crude death rate is
5.5 per 1,000 a year (assumption, London-like). Moves away: 8% a year. Place of death
(assumption, England-like): hospital 44%, home 27%, care home 21%, hospice 6%, other 2%;
care-home residents die in their care home 70% of the time, people with cancer more often in
a hospice or at home.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .population import COHORT_DATE, MOVE_RATE, joiners, years_to_days

CRUDE_DEATH_RATE = 0.0055
CONDITION_MORTALITY = {
    "heart_failure": 2.2,
    "cancer": 1.9,
    "dementia": 2.3,
    "copd": 1.7,
    "ckd": 1.3,
    "care_home_resident": 1.8,
}
FRAILTY_MORTALITY = {"severe": 2.0, "moderate": 1.5}
BIRTH_RATE = 0.013  # newborn registrations per person-year (assumption)
PLACES = ("hospital", "home", "care_home", "hospice", "other")


def relative_hazard(people: pd.DataFrame) -> np.ndarray:
    """Annual death hazard per person up to the constant ``exp(a)``."""
    age = people["age_c"].to_numpy().astype(float)
    rel = np.exp(0.095 * age) * np.where(people["sex"].to_numpy() == "M", 1.35, 1.0)
    for name, mult in CONDITION_MORTALITY.items():
        rel = rel * np.where(people[name].to_numpy(), mult, 1.0)
    frail = people["frailty"].to_numpy()
    for band, mult in FRAILTY_MORTALITY.items():
        rel = rel * np.where(frail == band, mult, 1.0)
    return rel


def _place_of_death(people: pd.DataFrame, died: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Place of death for the rows in ``died`` (None elsewhere)."""
    rows = np.flatnonzero(died)
    base = np.tile([0.44, 0.27, 0.21, 0.06, 0.02], (len(rows), 1))
    cancer = people["cancer"].to_numpy()[rows]
    base[cancer] = [0.35, 0.33, 0.10, 0.20, 0.02]
    care_home = people["care_home_resident"].to_numpy()[rows]
    base[care_home] = [0.25, 0.0, 0.70, 0.03, 0.02]
    young = people["age_c"].to_numpy()[rows] < 65
    base[~care_home & ~cancer & young] = [0.5, 0.36, 0.0, 0.06, 0.08]
    base = base / base.sum(axis=1, keepdims=True)
    pick = (rng.random(len(rows))[:, None] > np.cumsum(base, axis=1)).sum(axis=1)
    out = np.full(len(people), None, dtype=object)
    out[rows] = np.array(PLACES, dtype=object)[np.minimum(pick, len(PLACES) - 1)]
    return out


def _exits_after(
    people: pd.DataFrame,
    start: np.ndarray,
    hazard: np.ndarray,
    end: np.datetime64,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Exit date (NaT if none by the window's last day ``end``) and whether the exit is a
    death."""
    to_death = rng.exponential(1.0, len(people)) / hazard
    to_move = rng.exponential(1 / MOVE_RATE, len(people))
    died = to_death < to_move
    exit_date = start + years_to_days(np.minimum(to_death, to_move))
    exit_date = np.maximum(exit_date, start + np.timedelta64(1, "D"))
    within = exit_date <= end
    return np.where(within, exit_date, np.datetime64("NaT")), died & within


def add_exits(
    people: pd.DataFrame,
    practices: pd.DataFrame,
    lsoas: pd.DataFrame,
    end: np.datetime64,
    rng: np.random.Generator,
    add_joiners,
) -> pd.DataFrame:
    """Give the cohort and leavers their exits up to the window's last day ``end``, create
    later joiners (via ``add_joiners``, which adds their conditions), and set
    ``registered_to``, ``date_of_death`` and ``place_of_death``."""
    rel = relative_hazard(people)
    scale = CRUDE_DEATH_RATE / rel[(people["group"] == "cohort").to_numpy()].mean()
    hazard = rel * scale
    leaver = (people["group"] == "leaver").to_numpy()
    exit_date, died = _exits_after(people, np.full(len(people), COHORT_DATE), hazard, end, rng)
    leaver_died = rng.random(len(people)) < hazard / (hazard + MOVE_RATE)
    exit_date = np.where(leaver, people["exit_date"].to_numpy(), exit_date)
    died = np.where(leaver, leaver_died, died)

    practice_row = pd.Series(np.arange(len(practices)), index=practices["practice_code"])
    cohort_exits = ~leaver & ~np.isnat(exit_date)
    counts = np.bincount(
        practice_row[people["practice_code"].to_numpy()[cohort_exits]], minlength=len(practices)
    )
    cohort_size = np.bincount(
        practice_row[people["practice_code"].to_numpy()[~leaver]], minlength=len(practices)
    )
    years = (end - COHORT_DATE).astype(np.int64) / 365.25
    # joiners registering uniformly over the period themselves leave at ~MOVE_RATE; top up
    # so the list stays level: expected share of joiners still registered at the end
    staying = (1 - np.exp(-MOVE_RATE * years)) / (MOVE_RATE * years)
    counts = np.round(counts / staying).astype(np.int64)
    births = BIRTH_RATE * cohort_size.sum() * years
    new = add_joiners(joiners(practices, lsoas, counts, births / max(counts.sum(), 1), end, rng))
    new_exit, new_died = _exits_after(
        new,
        new["registered_from"].to_numpy().astype("datetime64[D]"),
        relative_hazard(new) * scale,
        end,
        rng,
    )

    people = people.assign(exit_date=exit_date, died=died)
    new = new.assign(exit_date=new_exit, died=new_died)
    out = pd.concat([people, new], ignore_index=True)
    died_all = out["died"].to_numpy().astype(bool)
    exits = out["exit_date"].to_numpy().astype("datetime64[D]")
    return out.drop(columns=["exit_date", "died"]).assign(
        registered_to=exits,
        date_of_death=np.where(died_all, exits, np.datetime64("NaT")),
        place_of_death=_place_of_death(out, died_all, rng),
    )
