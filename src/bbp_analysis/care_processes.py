"""Diabetes: all nine key care processes, by practice, PCN and borough.

Each level's percentage carries a Wilson score interval, and each practice and PCN is
compared with the borough value by the Fingertips confidence-interval rule.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .catalogue import indicator
from .disclosure import suppress_ratio
from .reference import PLAN_AREA, load_reference
from .stats import compare, proportion

INDICATOR_ID = "diabetes-9cp"
WHAT = "the percentage of people with diabetes receiving all nine care processes"
CAPTION = "All nine diabetes care processes by {level} (plan baseline, last 15 months)"


def plan_practice_counts(root: Path | None = None) -> pd.DataFrame:
    """The plan's practice table (Appendix C) with canonical PCN names.

    Columns: ``pcn_name, practice_code, practice_name, patients_with_diabetes,
    patients_all_9``; PCN labels as printed in the plan are mapped through ``pcn_names``.
    """
    practices = load_reference("diabetes_9cp_practices", root)
    names = load_reference("pcn_names", root)[["pcn_label_in_plan", "pcn_name"]]
    merged = practices.rename(columns={"pcn_name": "pcn_label_in_plan"}).merge(
        names, on="pcn_label_in_plan", how="left", validate="many_to_one"
    )
    return merged[
        ["pcn_name", "practice_code", "practice_name", "patients_with_diabetes", "patients_all_9"]
    ]


def nine_care_processes(
    practices: pd.DataFrame,
    *,
    area_name: str,
    threshold: int,
    confidence: float = 0.95,
    pcn: str | None = None,
) -> pd.DataFrame:
    """Percentage of people with diabetes receiving all nine care processes.

    ``practices`` has one row per practice with ``pcn_name, practice_code, practice_name,
    patients_with_diabetes, patients_all_9``. Returns one row per area with ``level``
    ("borough", "pcn", "practice"), ``area``, ``pcn_name``, ``numerator``, ``denominator``,
    ``value``, ``lower``, ``upper`` (percent), ``comparison`` with the borough value and
    ``suppressed``: practice counts from 1 to ``threshold - 1`` are suppressed, with secondary
    suppression within each PCN (whose total is published), and their numerator, value and
    interval left missing. With ``pcn`` given, only that PCN and its practices are kept
    (the borough row stays as the benchmark).
    """
    spec = indicator(INDICATOR_ID)
    counts = practices.rename(
        columns={"patients_all_9": "numerator", "patients_with_diabetes": "denominator"}
    )
    borough = pd.DataFrame(
        {
            "level": ["borough"],
            "area": [area_name],
            "pcn_name": [""],
            "numerator": [counts["numerator"].sum()],
            "denominator": [counts["denominator"].sum()],
        }
    )
    by_pcn = (
        counts.groupby("pcn_name", as_index=False)[["numerator", "denominator"]]
        .sum()
        .assign(level="pcn", area=lambda f: f["pcn_name"])
    )
    by_practice = counts.assign(
        level="practice",
        area=counts["practice_name"] + " (" + counts["practice_code"] + ")",
    )[["level", "area", "pcn_name", "numerator", "denominator"]]
    table = pd.concat([borough, by_pcn, by_practice], ignore_index=True)
    if pcn is not None:
        table = table[(table["level"] == "borough") | (table["pcn_name"] == pcn)]
        if len(table) == 1:
            raise ValueError(f"pcn: no practices in PCN {pcn!r}")
    table = table.reset_index(drop=True)
    stats = proportion(
        table["numerator"], table["denominator"], confidence=confidence, multiplier=spec.multiplier
    )
    table = pd.concat([table, stats], axis=1)
    benchmark = table.loc[table["level"] == "borough", "value"].iloc[0]
    table["comparison"] = compare(table["lower"], table["upper"], benchmark, spec.polarity)
    table.loc[table["level"] == "borough", "comparison"] = "benchmark"
    practices_only = table["level"] == "practice"
    protected = suppress_ratio(
        table[practices_only],
        threshold,
        proportion=True,
        groups=["pcn_name"],
        value_columns=["value", "lower", "upper"],
        symbol=None,
        source="diabetes_9cp_practices",
    )
    counts = ["numerator", "denominator"]
    table[counts] = table[counts].astype("float64")
    table["suppressed"] = False
    for column in (*counts, "value", "lower", "upper", "suppressed"):
        table.loc[practices_only, column] = protected[column].to_numpy()
    table[counts] = table[counts].round().astype("Int64")
    table.loc[table["suppressed"], "comparison"] = "suppressed"
    order = {"borough": 0, "pcn": 1, "practice": 2}
    return (
        table.assign(_order=table["level"].map(order))
        .sort_values(["_order", "value"], ascending=[True, False], kind="stable")
        .drop(columns="_order")
        .reset_index(drop=True)
    )


def summary(table: pd.DataFrame) -> dict[str, float | str]:
    """Headline numbers of :func:`nine_care_processes` for the narrative (percent values)."""
    borough = table[table["level"] == "borough"].iloc[0]
    pcns = table[table["level"] == "pcn"]
    top = pcns.loc[pcns["value"].idxmax()]
    bottom = pcns.loc[pcns["value"].idxmin()]
    return {
        "area_label": str(borough["area"]),
        "achieved_total": float(borough["numerator"]),
        "diabetes_total": float(borough["denominator"]),
        "borough_value": float(borough["value"]),
        "borough_lower": float(borough["lower"]),
        "borough_upper": float(borough["upper"]),
        "pcn_max": float(top["value"]),
        "pcn_max_name": str(top["area"]),
        "pcn_min": float(bottom["value"]),
        "pcn_min_name": str(bottom["area"]),
        "pcn_count": float(len(pcns)),
    }


def plan_statements(root: Path | None = None) -> dict[str, float]:
    """The plan's own text on the nine care processes (section 2.3): the plan's borough, NWL and
    its PCN range."""
    performance = load_reference("performance", root)
    rows = performance[
        performance["topic"].str.startswith("Diabetes: 9 Key Care Processes")
        & performance["value"].notna()
    ]
    by_area = dict(zip(rows["area"], rows["value"].astype(float), strict=False))
    return {
        "harrow": by_area[PLAN_AREA],
        "nwl": by_area["NWL"],
        "pcn_highest": by_area[f"{PLAN_AREA} PCNs (highest)"],
        "pcn_lowest": by_area[f"{PLAN_AREA} PCNs (lowest)"],
    }


def plan_comparison_text(numbers: dict[str, float | str], plan: dict[str, float]) -> str:
    """How the figures computed from the plan's table compare with the plan's own text."""
    rows = [
        (str(numbers["area_label"]), numbers["borough_value"], plan["harrow"]),
        (f"highest PCN ({numbers['pcn_max_name']})", numbers["pcn_max"], plan["pcn_highest"]),
        (f"lowest PCN ({numbers['pcn_min_name']})", numbers["pcn_min"], plan["pcn_lowest"]),
    ]
    parts = [f"{name} {computed:.1f}% (plan text: {stated:g}%)" for name, computed, stated in rows]
    largest = max(abs(computed - stated) for _, computed, stated in rows)
    within = (
        "agrees with the plan's rounded text to within one percentage point"
        if largest < 1
        else f"differs from the plan's text by up to {largest:.1f} percentage points"
    )
    return (
        f"Computed from the practice table: {'; '.join(parts)}. The table therefore {within}. "
        f"The plan compares {PLAN_AREA} with a North West London average of {plan['nwl']:g}%."
    )
