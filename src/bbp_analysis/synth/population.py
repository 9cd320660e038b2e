"""The registered population: who is registered where, when, and their demography.

Three groups of people make up everyone registered at some time in the window (2019-04-01
to ``end``, the last day of the last period generated):

* the **cohort**: registered on the cohort date 2021-10-01 (mid-point of the calibration
  year 2021-22), one per list place: practice list size (Jan 2021) x ``scale``;
* **earlier leavers**: registered at the window start and gone (moved away or died) before
  the cohort date, as many as the cohort members who joined after the window start, so list
  sizes stay level;
* **later joiners**: in-movers and newborns registering after the cohort date, as many as the
  cohort members who leave before the window ends (set in :mod:`.lifecycle`).

Age is held as ``birth_year`` and ``birth_month`` (a person is taken to be born on the 15th);
age at a date is ``year - birth_year``, less 1 before the birthday (an earlier month, or the
birth month before the 15th), so age on 1 October of a financial year's start year Y is
``Y - birth_year - (birth_month >= 10)``.
Age structure (assumption, shaped to the published shares): 0-15 20.6%, 65+ 16.1% of the
cohort. Ethnicity: NHS ethnic category codes with a practice-level mix drawn around the
borough mix (Asian ~45%, White ~40%, Black ~8%). Other boroughs reuse Harrow's age and
ethnicity structure (assumption; the eight-borough extract is for scale work).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .calibration import TARGETS, WINDOW_START

COHORT_DATE = np.datetime64("2021-10-01", "D")
START = np.datetime64(WINDOW_START, "D")
MOVE_RATE = 0.08  # registrations ending by moving away, per person-year (assumption)
MAX_AGE = 104
#: Shares of the 65+ population in 65-69, 70-74, 75-79, 80-84, 85-89 and 90+ (assumption,
#: England-like); 90+ spread over 90-104 with a 25%/year decline.
OLDER_BAND_WEIGHTS = (0.30, 0.26, 0.19, 0.13, 0.08, 0.04)

ETHNIC_CATEGORIES: dict[str, tuple[str, float]] = {
    "A": ("White", 0.250),
    "B": ("White", 0.025),
    "C": ("White", 0.125),
    "D": ("Mixed", 0.008),
    "E": ("Mixed", 0.006),
    "F": ("Mixed", 0.010),
    "G": ("Mixed", 0.010),
    "H": ("Asian", 0.270),
    "J": ("Asian", 0.040),
    "K": ("Asian", 0.010),
    "L": ("Asian", 0.130),
    "M": ("Black", 0.015),
    "N": ("Black", 0.055),
    "P": ("Black", 0.010),
    "R": ("Other", 0.009),
    "S": ("Other", 0.022),
    "Z": ("Not stated", 0.005),
}
PRACTICE_MIX_CONCENTRATION = 150.0
LSOA_SPREAD = 0.18  # sd of a practice's patients around its deprivation position (0-1 scale)


def age_probabilities() -> np.ndarray:
    """Single-year age probabilities 0..104 with 0-15 and 65+ at their published shares."""
    ages = np.arange(MAX_AGE + 1)
    old_band = np.minimum((ages - 65) // 5, 5).clip(0)
    older = (
        np.array(OLDER_BAND_WEIGHTS)[old_band]
        / 5.0
        * np.where(ages >= 90, 5 * 0.25 * np.exp(-0.25 * (ages - 90)), 1.0)
    )
    shape = np.select(
        [ages <= 15, ages <= 19, ages <= 29, ages <= 44, ages <= 54, ages <= 64],
        [1.0, 0.9, 1.05, 1.15, 1.0, 0.85],
        older,
    )
    young, old = TARGETS["aged_0_15_share"].value, TARGETS["aged_65_plus_share"].value
    bands = [(ages <= 15, young), ((ages > 15) & (ages < 65), 1 - young - old), (ages >= 65, old)]
    probs = np.zeros(len(ages))
    for mask, share in bands:
        probs[mask] = shape[mask] / shape[mask].sum() * share
    return probs


def _female_probability(age: np.ndarray) -> np.ndarray:
    return np.select([age < 65, age < 85], [0.495, 0.55], 0.62)


def _ethnicity(
    practice_idx: np.ndarray, n_practices: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    codes = np.array(list(ETHNIC_CATEGORIES), dtype=object)
    groups = np.array([g for g, _ in ETHNIC_CATEGORIES.values()], dtype=object)
    base = np.array([p for _, p in ETHNIC_CATEGORIES.values()])
    mixes = rng.dirichlet(base / base.sum() * PRACTICE_MIX_CONCENTRATION, size=n_practices)
    pick = np.empty(len(practice_idx), dtype=np.int64)
    for p in range(n_practices):
        rows = np.flatnonzero(practice_idx == p)
        pick[rows] = rng.choice(len(codes), size=len(rows), p=mixes[p])
    return codes[pick], groups[pick]


def _place_in_lsoas(
    practices: pd.DataFrame, lsoas: pd.DataFrame, practice_idx: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """LSOA row index per person: each practice's patients are drawn around the practice's
    deprivation position (its rank by Fingertips IMD score within its borough), so practices
    keep their real IMD ordering."""
    out = np.empty(len(practice_idx), dtype=np.int64)
    order = np.argsort(practice_idx, kind="stable")
    counts = np.bincount(practice_idx, minlength=len(practices))
    bounds = np.concatenate([[0], np.cumsum(counts)])
    score_rank = practices.groupby("borough_code")["imd_score"].rank(ascending=False)
    size = practices.groupby("borough_code")["imd_score"].transform("size")
    centre = ((score_rank - 0.5) / size).to_numpy()
    for p in range(len(practices)):
        rows = np.flatnonzero(lsoas["borough_code"].to_numpy() == practices["borough_code"].iat[p])
        pct = lsoas["deprivation_pct"].to_numpy()[rows]
        w = lsoas["weight"].to_numpy()[rows] * np.exp(-0.5 * ((pct - centre[p]) / LSOA_SPREAD) ** 2)
        out[order[bounds[p] : bounds[p + 1]]] = rows[
            rng.choice(len(rows), counts[p], p=w / w.sum())
        ]
    return out


def draw_people(
    practices: pd.DataFrame, lsoas: pd.DataFrame, practice_idx: np.ndarray, rng: np.random.Generator
) -> pd.DataFrame:
    """Demography for one person per entry of ``practice_idx`` (row of ``practices``).

    Returns practice, PCN, borough, LSOA with IMD decile and local quintile, ``age_c`` (age on
    the cohort date), ``birth_year``, ``birth_month``, ``sex`` and ethnicity.
    """
    n = len(practice_idx)
    age = rng.choice(MAX_AGE + 1, size=n, p=age_probabilities())
    birth_month = rng.integers(1, 13, size=n)
    birth_year = 2021 - age - (birth_month >= 10)
    sex = np.where(rng.random(n) < _female_probability(age), "F", "M")
    eth_cat, eth_group = _ethnicity(practice_idx, len(practices), rng)
    lsoa_idx = _place_in_lsoas(practices, lsoas, practice_idx, rng)
    return pd.DataFrame(
        {
            "practice_code": practices["practice_code"].to_numpy()[practice_idx],
            "pcn_name": practices["pcn_name"].to_numpy()[practice_idx],
            "borough_code": practices["borough_code"].to_numpy()[practice_idx],
            "lsoa11_code": lsoas["lsoa11_code"].to_numpy()[lsoa_idx],
            "imd_decile": lsoas["imd_decile"].to_numpy()[lsoa_idx].astype(np.int64),
            "imd_quintile_local": lsoas["imd_quintile_local"].to_numpy()[lsoa_idx].astype(np.int64),
            "age_c": age.astype(np.int64),
            "birth_year": birth_year.astype(np.int64),
            "birth_month": birth_month.astype(np.int64),
            "sex": sex,
            "ethnic_category": eth_cat,
            "ethnic_group": eth_group,
        }
    )


def first_registration_date(birth_year: np.ndarray, birth_month: np.ndarray) -> np.ndarray:
    """Newborns register on the first day of the month after their birth month."""
    months = (birth_year - 1970) * 12 + birth_month  # month after birth, months since 1970-01
    return months.astype("datetime64[M]").astype("datetime64[D]")


def years_to_days(years: np.ndarray) -> np.ndarray:
    return np.round(years * 365.25).astype("timedelta64[D]")


def cohort_and_leavers(
    practices: pd.DataFrame, lsoas: pd.DataFrame, scale: float, rng: np.random.Generator
) -> pd.DataFrame:
    """The cohort at its list sizes x ``scale`` and the earlier leavers, with
    ``registered_from`` (NaT = before the window) and, for leavers, ``exit_date``."""
    sizes = np.maximum(np.round(practices["list_size"].to_numpy() * scale), 1).astype(np.int64)
    cohort = draw_people(practices, lsoas, np.repeat(np.arange(len(practices)), sizes), rng)
    earliest = first_registration_date(
        cohort["birth_year"].to_numpy(), cohort["birth_month"].to_numpy()
    )
    since = COHORT_DATE - years_to_days(rng.exponential(1 / MOVE_RATE, len(cohort)))
    reg_from = np.maximum(since, earliest)
    cohort["registered_from"] = np.where(reg_from <= START, np.datetime64("NaT"), reg_from)
    cohort["group"] = "cohort"
    cohort["exit_date"] = np.datetime64("NaT", "D")

    joined = cohort["registered_from"].notna().to_numpy()
    leaver_idx = np.repeat(
        np.arange(len(practices)),
        np.bincount(np.repeat(np.arange(len(practices)), sizes)[joined], minlength=len(practices)),
    )
    leavers = draw_people(practices, lsoas, leaver_idx, rng)
    earliest = first_registration_date(
        leavers["birth_year"].to_numpy(), leavers["birth_month"].to_numpy()
    )
    reg_from = np.maximum(earliest, START)
    span = (COHORT_DATE - reg_from).astype(np.int64)
    born_late = span <= 1
    exit_date = (
        reg_from
        + (rng.random(len(leavers)) * np.maximum(span - 1, 0)).astype("timedelta64[D]")
        + np.timedelta64(1, "D")
    )
    leavers = leavers[~born_late].copy()
    leavers["registered_from"] = np.where(
        reg_from[~born_late] <= START, np.datetime64("NaT"), reg_from[~born_late]
    )
    leavers["group"] = "leaver"
    leavers["exit_date"] = exit_date[~born_late]
    return pd.concat([cohort, leavers], ignore_index=True)


def joiners(
    practices: pd.DataFrame,
    lsoas: pd.DataFrame,
    counts: np.ndarray,
    birth_share: float,
    end: np.datetime64,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Later joiners per practice (``counts``), a ``birth_share`` of them newborns, each
    registering between the cohort date and the window's last day ``end``."""
    idx = np.repeat(np.arange(len(practices)), counts)
    people = draw_people(practices, lsoas, idx, rng)
    days = (end - COHORT_DATE).astype(np.int64)
    reg_from = COHORT_DATE + (1 + rng.random(len(idx)) * (days - 1)).astype("timedelta64[D]")
    newborn = rng.random(len(idx)) < birth_share
    month = reg_from.astype("datetime64[M]").astype(np.int64)  # newborns: born that month
    people["birth_year"] = np.where(
        newborn,
        month // 12 + 1970,
        people["birth_year"] + ((reg_from - COHORT_DATE).astype(np.int64) // 365),
    )
    people["birth_month"] = np.where(newborn, month % 12 + 1, people["birth_month"])
    people["age_c"] = np.where(newborn, 0, people["age_c"])
    people["registered_from"] = np.where(
        newborn,
        first_registration_date(people["birth_year"].to_numpy(), people["birth_month"].to_numpy()),
        reg_from,
    )
    people["group"] = "joiner"
    people["exit_date"] = np.datetime64("NaT", "D")
    return people[(people["registered_from"] <= end).to_numpy()].reset_index(drop=True)


def age_at(birth_year: np.ndarray, birth_month: np.ndarray, dates: np.ndarray) -> np.ndarray:
    """Completed years of age on ``dates`` (datetime64[D]) for persons born on the 15th of
    their birth month."""
    months = dates.astype("datetime64[M]")
    day = (dates - months.astype("datetime64[D]")).astype(np.int64) + 1
    year = months.astype(np.int64) // 12 + 1970
    month = months.astype(np.int64) % 12 + 1
    before = (month < birth_month) | ((month == birth_month) & (day < 15))
    return (year - birth_year - before).astype(np.int64)


def ages_on(people: pd.DataFrame, day: np.datetime64) -> np.ndarray:
    """Every person's completed years of age on one day (negative for those not yet born)."""
    dates = np.full(len(people), day)
    return age_at(people["birth_year"].to_numpy(), people["birth_month"].to_numpy(), dates)


def pseudonymous_ids(
    n: int, rng: np.random.Generator, first: int = 0, span: int = 10**8
) -> np.ndarray:
    """``P`` + 8 digits: ``first`` + an affine bijection of 0..n-1 modulo ``span`` (a power of
    ten) with a seeded multiplier, so identifiers are unique, scrambled and reproducible."""
    if n >= span or first + span > 10**8:
        raise ValueError(f"at most {span - 1:,} persons can be numbered from {first:,}")
    mult = int(rng.integers(10**6, 10**7)) * 10 + 3  # odd, not a multiple of 5: coprime
    offset = int(rng.integers(0, span))
    return person_ids(first + (np.arange(n, dtype=np.int64) * mult + offset) % span)


def person_ids(numbers: np.ndarray) -> np.ndarray:
    """Identifiers ``P`` + 8 digits of person numbers (0 to 10^8 - 1)."""
    return np.char.add("P", np.char.zfill(numbers.astype(str), 8))
