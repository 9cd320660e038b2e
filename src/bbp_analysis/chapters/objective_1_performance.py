"""Objective 1: the plan's performance section (section 2.3) for the period: A&E attendances,
non-elective admissions, cervical, breast and bowel screening and flu vaccination, each for
the borough (or the named PCN) against NWL, beside the figures the plan quotes.

The borough's values come from the extract's aggregates: proportions with Wilson score intervals,
rates per 1,000 registered people with Byar's interval. NWL values come from the extract's
comparator table, whose rows for review periods are simulated (synthetic), never published;
the only published figures are the plan's own (``data/reference/performance.csv``). The
borough is compared with the NWL value by the Fingertips rule (its interval above, below or
across it).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from IPython.display import HTML

from .. import extract
from ..params import RunParameters
from ..publish import show_table
from ..reference import PLAN_SHORT, load_reference
from ..stats import compare, proportion, rate
from .scope import level as _level
from .scope import seed as _seed
from .scope import where as _where

PLAN_SECTION = f"{PLAN_SHORT}, section 2.3"
NWL_AREA = "NHS North West London Integrated Care Board"


@dataclass(frozen=True)
class Row:
    """One indicator of the performance section and how the review measures it."""

    label: str
    short: str  # the indicator in a sentence
    query: str
    measure: str
    kind: str  # "proportion" (%) or "rate" (per 1,000)
    polarity: str
    statement: str  # the plan's statement in performance.csv
    comparator: str | None = None  # Indicator ID in the comparator table
    note: str = ""
    benchmark: bool = True  # whether the borough is judged against the NWL value


ROWS = (
    Row(
        "A&E (type 1) attendances per 1,000 registered people",
        "A&E attendances",
        "ae_attendances",
        "o2-ae-isr",
        "rate",
        "low_is_good",
        "Fewer Harrow patients attend A&E than the NWL average",
        "ae_type1_attendances",
        note="The plan gives no figure, only the direction.",
    ),
    Row(
        "Non-elective (emergency) admissions per 1,000 registered people",
        "non-elective admissions",
        "emergency_admissions",
        "o1-emergency-admissions",
        "rate",
        "low_is_good",
        "Unplanned / non-elective admission rates by weighted population are significantly "
        "higher in Harrow than the NWL average",
        "emergency_admissions",
        note="The plan gives no figure and uses a weighted population; the extract has none, "
        "so this rate is per registered person (crude), and so is the NWL comparator.",
    ),
    Row(
        "Cervical screening coverage (%)",
        "cervical screening",
        "programmes",
        "o1-cervical-screening",
        "proportion",
        "high_is_good",
        "Cervical cancer screening rate",
        "screening_cervical",
    ),
    Row(
        "Breast screening coverage (%)",
        "breast screening",
        "programmes",
        "o1-breast-screening",
        "proportion",
        "high_is_good",
        "Breast cancer screening rate",
        "screening_breast",
    ),
    Row(
        "Bowel screening coverage (%)",
        "bowel screening",
        "programmes",
        "o1-bowel-screening",
        "proportion",
        "high_is_good",
        "Bowel cancer screening rate",
        "screening_bowel",
        note="The plan's 97% (NWL 96%) is implausible beside its cervical (49%) and breast "
        "(54%) figures and the extract's value; it may be a different measure or a misprint. "
        "It is shown as quoted. The simulated NWL series is built around the plan's 96%, so "
        "the borough is not compared with it.",
        benchmark=False,
    ),
    Row(
        "Flu vaccination, people aged 65 and over (%)",
        "flu vaccination",
        "programmes",
        "o1-flu-65plus",
        "proportion",
        "high_is_good",
        "Influenza vaccination rates in Harrow higher than in NWL as a whole",
        "flu_vaccination_65plus",
        note="The plan gives only the relative difference, without cohort or season; the "
        "review shows people aged 65 and over, for the borough and NWL alike.",
    ),
)
"""The plan's performance section, in the plan's order of topics."""


def plan_figures(statement: str) -> str:
    """The plan's words for one statement of section 2.3: its figures by area (value and unit
    as printed), or the quoted sentence when it gives none."""
    plan = load_reference("performance")
    rows = plan[plan["statement"] == statement]
    if rows["value"].isna().all():
        return f"\u201c{rows['source_quote'].iloc[0]}\u201d (no figure)"
    parts = []
    for area, value, unit in zip(rows["area"], rows["value"], rows["unit"], strict=True):
        figure = f"{value:g}{unit}" if unit.startswith("%") else f"{value:g} {unit}"
        parts.append(f"{area} {figure}")
    return ", ".join(parts)


def harrow_value(row: Row, params: RunParameters) -> dict[str, float]:
    """The period's value for the borough (or the named PCN) with its interval and counts."""
    level = "pcn" if params.get("pcn") else "borough"
    data = extract.measures(
        row.query,
        area_code=params["area_code"],
        seed=_seed(params),
        measure=row.measure,
        period=params["period"],
        area_type=level,
        breakdown="total",
    )
    if params.get("pcn"):
        data = data[data["area_code"] == params["pcn"]]
    numerator, denominator = float(data["numerator"].sum()), float(data["denominator"].sum())
    if row.kind == "proportion":
        stats = proportion([numerator], [denominator], confidence=params["confidence"])
    else:
        stats = rate([numerator], [denominator], confidence=params["confidence"], multiplier=1000)
    out = stats.iloc[0]
    return {
        "numerator": numerator,
        "denominator": denominator,
        "value": float(out["value"]),
        "lower": float(out["lower"]),
        "upper": float(out["upper"]),
    }


def nwl_value(row: Row, params: RunParameters) -> tuple[float, str]:
    """NWL's value for the period from the comparator table and its origin ("simulated" or
    "plan"); (nan, "") when the table holds none."""
    if row.comparator is None:
        return float("nan"), ""
    table = extract.read_table("comparators", params["area_code"])
    period = params["period"].replace("-", "/")
    table = table[
        (table["Indicator ID"] == row.comparator)
        & (table["Area Name"] == NWL_AREA)
        & (table["Time period"] == period)
    ]
    if table.empty:
        return float("nan"), ""
    return float(table["Value"].iloc[0]), str(table["source"].iloc[0])


def performance_values(params: RunParameters) -> pd.DataFrame:
    """One row per indicator: ``indicator, plan, numerator, denominator, value, lower, upper,
    nwl, nwl_origin, comparison, note``."""
    records = []
    for row in ROWS:
        harrow = harrow_value(row, params)
        nwl, origin = nwl_value(row, params)
        comparison = (
            "not compared"
            if pd.isna(nwl) or not row.benchmark
            else compare([harrow["lower"]], [harrow["upper"]], nwl, row.polarity).iloc[0]
        )
        records.append(
            {
                "indicator": row.label,
                "plan": plan_figures(row.statement),
                **harrow,
                "nwl": nwl,
                "nwl_origin": origin,
                "comparison": comparison,
                "note": row.note,
            }
        )
    return pd.DataFrame(records)


def _interval(value: float, lower: float, upper: float, decimals: int) -> str:
    return f"{value:,.{decimals}f} ({lower:,.{decimals}f} to {upper:,.{decimals}f})"


def performance_table(params: RunParameters) -> HTML:
    """The plan's performance section: the plan's figures, the period's value with its
    interval, the synthetic NWL value and the comparison, with notes."""
    table = performance_values(params)
    period, where = params["period"], _where(params)
    shown = pd.DataFrame(
        {
            "Indicator": table["indicator"],
            f"The plan's figures ({PLAN_SECTION})": table["plan"],
            f"{where} {period} ({_level(params)} interval)": [
                _interval(v, lo, up, 1)
                for v, lo, up in zip(table["value"], table["lower"], table["upper"], strict=True)
            ],
            f"NWL {period} (SYNTHETIC: simulated)": [
                "not held" if pd.isna(v) else f"{v:.1f}" + (" (plan)" if o == "plan" else "")
                for v, o in zip(table["nwl"], table["nwl_origin"], strict=True)
            ],
            f"{where} against NWL": table["comparison"],
            "Note": table["note"],
        }
    )
    caption = (
        f"The plan's performance section ({PLAN_SECTION}): the figures it quotes, {where}'s "
        f"value in {period} with its {_level(params)} interval (Wilson for percentages, Byar "
        "for rates), "
        "and NWL from the extract's comparator table, which is simulated (synthetic) for "
        "review years; only the plan's figures are published. "
        f"{extract.synthetic_label(params['area_code'], _seed(params))}"
    )
    return show_table(shown, caption, "plan-performance-section")


def performance_heading(params: RunParameters) -> str:
    """A heading stating how the area compares with NWL where it can be compared (interval
    wholly above or below the synthetic NWL value), naming what cannot."""
    table = performance_values(params)
    where = _where(params)
    shorts = dict(zip(table["indicator"], [row.short for row in ROWS], strict=True))
    better = [
        shorts[i]
        for i, c in zip(table["indicator"], table["comparison"], strict=True)
        if c == "better"
    ]
    worse = [
        shorts[i]
        for i, c in zip(table["indicator"], table["comparison"], strict=True)
        if c == "worse"
    ]
    parts = []
    if better:
        parts.append(f"better on {' and '.join(better)}")
    if worse:
        parts.append(f"worse on {' and '.join(worse)}")
    if not parts:
        return f"{where} shows no clear difference from NWL where the two can be compared"
    return f"Against simulated NWL values, {where} does " + " and ".join(parts)
