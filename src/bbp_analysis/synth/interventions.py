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


def _rows() -> list[dict]:
    rows: list[dict] = []
    for pcn, start in zip(HARROW_PCNS_BY_START, DIABETES_TEAM_STARTS, strict=True):
        rows.append(
            dict(
                intervention="integrated_diabetes_team",
                pcn_name=pcn,
                start_date=start,
                outcome="diabetes_nine_care_processes",
                effect_type="odds_ratio",
                effect_size=2.0,
                population="persons with diabetes",
            )
        )
        rows.append(
            dict(
                intervention="integrated_diabetes_team",
                pcn_name=pcn,
                start_date=start,
                outcome="acsc_admissions_diabetes",
                effect_type="rate_ratio",
                effect_size=0.80,
                population="persons with diabetes",
            )
        )
    for pcn in HARROW_PCNS_BY_START:
        start = "2023-01-01" if pcn in FRAILTY_FIRST_WAVE else "2024-04-01"
        rows.append(
            dict(
                intervention="integrated_frailty_model",
                pcn_name=pcn,
                start_date=start,
                outcome="emergency_admissions_frail",
                effect_type="rate_ratio",
                effect_size=0.85,
                population="persons with moderate or severe eFI",
            )
        )
        rows.append(
            dict(
                intervention="falls_pathway",
                pcn_name=pcn,
                start_date="2023-04-01",
                outcome="falls_admissions_65plus",
                effect_type="rate_ratio",
                effect_size=0.80,
                population="persons aged 65+",
            )
        )
        for outcome in ("utc_attendances", "cancer_screening", "mmr2_by_5"):
            rows.append(
                dict(
                    intervention="negative_control",
                    pcn_name=pcn,
                    start_date="2022-04-01",
                    outcome=outcome,
                    effect_type="none",
                    effect_size=1.0,
                    population="no programme acts on this outcome",
                )
            )
    return rows


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
