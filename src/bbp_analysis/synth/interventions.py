"""Named partnership programmes with start dates, the PCNs they reached and their true effects.

The effects are built into the generator (rates are thinned, odds multiplied) from each start
date, so later analyses can be checked for recovering them. Effects reach Harrow PCNs only.
Outcomes with NO built-in effect (negative controls): UTC attendances (types 03/04),
cervical/breast/bowel screening and childhood MMR2; the table lists them with effect 1.0.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

HARROW_PCNS_BY_START = (  # diabetes teams roll out lowest-performing PCN first (assumption)
    "Harrow Collaborative PCN",
    "Harrow East PCN",
    "Sphere PCN",
    "Health Alliance PCN",
    "Healthsense PCN",
)
DIABETES_TEAM_STARTS = ("2022-07-01", "2022-10-01", "2023-01-01", "2023-04-01", "2023-07-01")
FRAILTY_FIRST_WAVE = ("Healthsense PCN", "Harrow Collaborative PCN", "Harrow East PCN")


#: Each programme's built-in effects: (intervention, outcome, effect type, effect size, the
#: population it acts on). Negative controls carry effect 1.0.
EFFECTS = (
    (
        "integrated_diabetes_team",
        "diabetes_nine_care_processes",
        "odds_ratio",
        2.0,
        "persons with diabetes",
    ),
    (
        "integrated_diabetes_team",
        "acsc_admissions_diabetes",
        "rate_ratio",
        0.80,
        "persons with diabetes",
    ),
    (
        "integrated_frailty_model",
        "emergency_admissions_frail",
        "rate_ratio",
        0.85,
        "persons with moderate or severe eFI",
    ),
    ("falls_pathway", "falls_admissions_65plus", "rate_ratio", 0.80, "persons aged 65+"),
    *(
        ("negative_control", outcome, "none", 1.0, "no programme acts on this outcome")
        for outcome in ("utc_attendances", "cancer_screening", "mmr2_by_5")
    ),
)


def _start_dates(intervention: str) -> dict[str, str]:
    """Each Harrow PCN's start date (ISO) for one programme."""
    if intervention == "integrated_diabetes_team":
        return dict(zip(HARROW_PCNS_BY_START, DIABETES_TEAM_STARTS, strict=True))
    if intervention == "integrated_frailty_model":
        return {
            pcn: "2023-01-01" if pcn in FRAILTY_FIRST_WAVE else "2024-04-01"
            for pcn in HARROW_PCNS_BY_START
        }
    start = {"falls_pathway": "2023-04-01", "negative_control": "2022-04-01"}[intervention]
    return dict.fromkeys(HARROW_PCNS_BY_START, start)


def _rows() -> list[dict]:
    return [
        {
            "intervention": intervention,
            "pcn_name": pcn,
            "start_date": start,
            "outcome": outcome,
            "effect_type": effect_type,
            "effect_size": size,
            "population": population,
        }
        for intervention, outcome, effect_type, size, population in EFFECTS
        for pcn, start in _start_dates(intervention).items()
    ]


def interventions_table() -> pd.DataFrame:
    """One row per intervention x PCN x outcome with the true effect size."""
    frame = pd.DataFrame(_rows())
    frame["start_date"] = pd.to_datetime(frame["start_date"])
    frame["negative_control"] = frame["intervention"] == "negative_control"
    return frame.sort_values(["intervention", "outcome", "pcn_name"], ignore_index=True)


def effect_multiplier(
    table: pd.DataFrame, outcome: str, pcn: np.ndarray, dates: np.ndarray
) -> np.ndarray:
    """The effect (rate or odds ratio) acting on each event: 1 before the PCN's start date or
    where no programme reached the PCN."""
    out = np.ones(len(pcn))
    rows = table[table["outcome"] == outcome]
    for row in rows.itertuples():
        active = (pcn == row.pcn_name) & (dates >= np.datetime64(row.start_date.date(), "D"))
        out[active] = row.effect_size
    return out
