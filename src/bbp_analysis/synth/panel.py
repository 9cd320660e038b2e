"""An aggregate simulator of PCN x month counts for testing the objective 3 estimators.

It reuses the person-level generator's settings (each programme's start dates and built-in
rate ratio from :mod:`.interventions`, the yearly activity multipliers of :mod:`.events`) and
a calibration (each PCN's person-months and rate), and draws Poisson counts per PCN and month
in milliseconds, so the estimators can be run over hundreds of seeds. Unlike the generator,
whose effect is exactly the step the models fit, a :class:`Scenario` can add:

* ``seasonality``: a winter peak (relative amplitude, highest in January);
* ``half_life``: an effect that fades (months for the log rate ratio to halve);
* ``shock_sd``/``shock_rho``: PCN-level shocks, a first-order autoregressive process on the
  log rate of each PCN (standard deviation, monthly correlation);
* ``overlap``: a concurrent programme on the same outcome in every PCN from
  ``overlap_start`` (its rate ratio; not part of the effect being estimated);
* ``cohort_decline``: a closed cohort whose person-months fall by this share a year.

Events arrive per day at risk, so a short month has fewer (as in the generator).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import periods
from .calibration import held
from .events import YEAR_FACTORS
from .interventions import interventions_table


@dataclass(frozen=True)
class Scenario:
    """Departures from the generator's plain multiplicative step (defaults: none)."""

    seasonality: float = 0.0
    half_life: float | None = None
    shock_sd: float = 0.0
    shock_rho: float = 0.6
    overlap: float = 1.0
    overlap_start: str = "2023-04-01"
    cohort_decline: float = 0.0


SCENARIOS: dict[str, Scenario] = {
    "as generated": Scenario(),
    "seasonality": Scenario(seasonality=0.15),
    "fading effect": Scenario(half_life=12.0),
    "PCN shocks": Scenario(shock_sd=0.06),
    "overlapping programme": Scenario(overlap=0.9),
    "closed cohort": Scenario(cohort_decline=0.085),
    "all together": Scenario(
        seasonality=0.15, half_life=12.0, shock_sd=0.06, overlap=0.9, cohort_decline=0.085
    ),
}
"""The scenarios the robustness check runs (assumed sizes: a 15% winter peak, a 12-month
half-life, 6% PCN-month shocks, a concurrent 10% fall from April 2023, a cohort shrinking
8.5% a year, the middle of the 7-10% the frailty cohort loses)."""


@dataclass(frozen=True)
class Calibration:
    """Each PCN's person-months in the first month and its yearly rate per person."""

    person_months: dict[str, float]
    rate: dict[str, float]


def starts(outcome: str) -> tuple[dict[str, pd.Timestamp], float]:
    """Each PCN's start date for ``outcome``'s programme and the built-in rate ratio."""
    table = interventions_table()
    rows = table[table["outcome"] == outcome]
    return dict(zip(rows["pcn_name"], rows["start_date"], strict=True)), float(
        rows["effect_size"].iloc[0]
    )


def _shocks(rng: np.random.Generator, shape: tuple[int, int], sd: float, rho: float):
    """Stationary AR(1) log shocks with standard deviation ``sd`` along the last axis."""
    out = np.zeros(shape)
    if sd == 0:
        return out
    out[:, 0] = rng.normal(0, sd, shape[0])
    innovation = sd * np.sqrt(1 - rho**2)
    for t in range(1, shape[1]):
        out[:, t] = rho * out[:, t - 1] + rng.normal(0, innovation, shape[0])
    return out


def simulate(
    outcome: str,
    scenario: Scenario,
    calibration: Calibration,
    months: pd.DatetimeIndex,
    seed: int,
) -> pd.DataFrame:
    """One simulated panel: ``pcn, date, count, person_months, october_months`` (the person-
    months of the financial year's October, the old fixed denominator), ``mean`` (expected
    count) and ``effect`` (the programme's true rate ratio in the cell, 1 before its start)."""
    rng = np.random.default_rng(seed)
    start, size = starts(outcome)
    pcns = sorted(calibration.person_months)
    dates = pd.DatetimeIndex(months)
    elapsed = np.arange(len(dates)) / 12
    people = np.array([calibration.person_months[p] for p in pcns])[:, None]
    people = people * (1 - scenario.cohort_decline) ** elapsed[None, :]
    year = [periods.label(d.year - (d.month < 4)) for d in dates]
    factor = np.array([held(YEAR_FACTORS, label) for label in year])
    season = 1 + scenario.seasonality * np.cos(2 * np.pi * (dates.month.to_numpy() - 1) / 12)
    days = dates.days_in_month.to_numpy()
    since = np.array(
        [(dates.year - start[p].year) * 12 + dates.month - start[p].month for p in pcns]
    )
    decay = (
        1.0 if scenario.half_life is None else 0.5 ** (np.maximum(since, 0) / scenario.half_life)
    )
    effect = np.where(since >= 0, size**decay, 1.0)
    overlap = np.where(dates >= pd.Timestamp(scenario.overlap_start), scenario.overlap, 1.0)
    rate = np.array([calibration.rate[p] for p in pcns])[:, None] / 365.25
    shocks = np.exp(_shocks(rng, people.shape, scenario.shock_sd, scenario.shock_rho))
    mean = people * days * rate * factor * season * effect * overlap * shocks
    frame = pd.DataFrame(
        {
            "pcn": np.repeat(pcns, len(dates)),
            "date": np.tile(dates, len(pcns)),
            "count": rng.poisson(mean).ravel().astype(float),
            "person_months": people.ravel(),
            "mean": mean.ravel(),
            "effect": np.broadcast_to(effect, mean.shape).ravel(),
        }
    )
    october_of = pd.Series(year).map(lambda label: pd.Timestamp(f"{label[:4]}-10-01"))
    frame["year_october"] = np.tile(october_of.to_numpy(), len(pcns))
    lookup = frame.set_index(["pcn", "date"])["person_months"]
    keys = pd.MultiIndex.from_arrays([frame["pcn"], frame["year_october"]])
    frame["october_months"] = lookup.reindex(keys).to_numpy()
    return frame.drop(columns="year_october")
