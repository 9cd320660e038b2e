"""The five partnership outcome measures as the plan states them: baseline, comparators, target.

Built from ``data/reference/partnership_measures.csv`` (figures transcribed from the plan,
section 4, each with its quote) and the catalogue (which objective each measure serves).
"""

from __future__ import annotations

import pandas as pd

from . import catalogue

COMPARATOR_AREAS = ("NWL", "London", "England")


def _number(value: object) -> str:
    if pd.isna(value):
        return ""
    return f"{float(value):,g}"


def measure_objectives() -> dict[int, int]:
    """Partnership measure number -> objective number, from the catalogue."""
    return {item.partnership_measure: item.objective for item in catalogue.partnership_measures()}


def _quantity_rows(rows: pd.DataFrame) -> dict[str, str]:
    baseline = rows[(rows["figure"] == "baseline") & rows["value"].notna()]
    comparators = rows[rows["figure"] == "comparator"]
    targets = rows[rows["figure"] == "target"]
    pcns = rows[rows["figure"] == "pcn_value"]
    cells = {
        "Harrow baseline": "; ".join(_number(v) for v in baseline["value"]),
        **{
            area: "; ".join(
                _number(v) for v in comparators.loc[comparators["area"] == area, "value"]
            )
            for area in COMPARATOR_AREAS
        },
        "Target value": " to ".join(_number(v) for v in targets["value"].dropna()),
        "PCN range": " to ".join(_number(v) for v in pcns["value"]),
    }
    return cells


def plan_measures(reference: pd.DataFrame, objective: int | None = None) -> pd.DataFrame:
    """One row per measure and unit: the plan's baseline, comparators and target.

    ``reference`` is the loaded ``partnership_measures`` table. Columns: ``Measure``,
    ``Unit``, ``Harrow baseline``, ``NWL``, ``London``, ``England``, ``PCN range``,
    ``Target value``, ``Target`` (the plan's words). Empty cells mean the plan gives no figure.
    """
    objectives = measure_objectives()
    out = []
    for measure_id, rows in reference.groupby(reference["measure_id"].astype(int), sort=True):
        if objective is not None and objectives.get(measure_id) != objective:
            continue
        title = rows.loc[rows["figure"] == "other", "text"].iloc[0]
        target_text = "; ".join(
            dict.fromkeys(rows.loc[rows["figure"] == "target", "text"].str.removeprefix("Target: "))
        )
        numeric = rows[rows["unit"] != "text"]
        units = [
            u
            for u in dict.fromkeys(numeric["unit"])
            if (numeric.loc[numeric["unit"] == u, "figure"] != "other").any()
        ]
        if not units:
            baseline = rows.loc[rows["figure"] == "baseline", "text"]
            out.append(
                {
                    "Measure": f"{measure_id}. {title}",
                    "Unit": "",
                    "Harrow baseline": "; ".join(baseline),
                    "Target": target_text,
                }
            )
            continue
        for unit in units:
            cells = _quantity_rows(rows[rows["unit"] == unit])
            out.append(
                {"Measure": f"{measure_id}. {title}", "Unit": unit, **cells, "Target": target_text}
            )
    columns = [
        "Measure",
        "Unit",
        "Harrow baseline",
        *COMPARATOR_AREAS,
        "PCN range",
        "Target value",
        "Target",
    ]
    return pd.DataFrame(out).reindex(columns=columns).fillna("")
