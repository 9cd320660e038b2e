"""Objective 1's words: key messages generated from the statistics, the measure 1 and 2 status
table, the JSNA headline table with the latest value and direction since the plan, the methods
table and plain statements of what the chapter does not show."""

from __future__ import annotations

import pandas as pd
from IPython.display import HTML, Markdown

from .. import report
from ..catalogue import for_objective, indicator
from ..extract import data_kind
from ..indicators import standardised_series
from ..params import RunParameters
from ..publish import mark_suppressed, show_table
from ..reference import PLAN_AREA, load_reference
from ..report import status_columns, status_table
from ..stats import compare, proportion, rate
from . import objective_1 as o1
from . import objective_1_groups as groups
from .objective_1_views import BREAST_LOW, pcn_values, practice_points
from .scope import synthetic_label as _label

JSNA = {
    # finding: (query, measure, kind, polarity, how the value is read)
    "Children aged 5 with tooth decay": (
        "oral_health",
        "pm1-tooth-decay-5",
        "percent",
        "low_is_good",
        "latest survey year",
    ),
    "People diagnosed with hypertension": (
        "ltc_prevalence",
        "o3-hypertension-prevalence",
        "count",
        "no_judgement",
        "register count",
    ),
    "People with hypertension who are poorly controlled": (
        "hypertension_control",
        "hypertension-controlled",
        "count_not",
        "low_is_good",
        "register minus controlled",
    ),
    "Share of people with hypertension who are poorly controlled": (
        "hypertension_control",
        "hypertension-controlled",
        "percent_not",
        "low_is_good",
        "100 minus % controlled",
    ),
    "Patients over 17 on GP registers with diabetes": (
        "ltc_prevalence",
        "o3-diabetes-prevalence",
        "percent",
        "no_judgement",
        "recorded prevalence, aged 17+",
    ),
    "Population aged 65 and over": (
        "registered_population",
        "o1-registered-population-aged-65-plus",
        "percent",
        "no_judgement",
        "registered population",
    ),
    "Recorded prevalence of dementia, people aged 65 and over": (
        "ltc_prevalence",
        "o1-jsna-headlines-dementia",
        "percent",
        "no_judgement",
        "recorded prevalence, aged 65+",
    ),
    "Emergency hospital admissions due to falls, people aged 65 and over": (
        "falls_65plus",
        "falls-65plus-dsr",
        "dsr",
        "low_is_good",
        "per 100,000, directly standardised (ESP 2013)",
    ),
}
"""JSNA findings the extract can measure and how."""

VERDICTS = {
    "narrower": "has narrowed",
    "wider": "has widened",
    "no clear change": "shows no clear change",
    "not tested": "is not tested (the baseline year is not in the data)",
}

LATER = ("Male life expectancy", "Female life expectancy")
"""JSNA lines shown in their own section (life expectancy, three-year pooled)."""

NOT_SHOWN = {
    "Smoking prevalence (adults, most deprived decile, people with mental illness)": "the "
    "extract records whether smoking status is recorded, not current smoking; the chapter "
    "shows recording only",
    "JSNA lines on births, infant mortality, school readiness, special educational needs, "
    "obesity, physical activity, STIs, employment, NEET, cancer mortality, carer quality of "
    "life": "no births, education, survey, sexual health, employment or "
    "mortality-by-cause data are in the extract; the lines are listed with the plan's figure "
    "and 'not held'",
    "Patients over 17 with hypertension (13.4%)": "the extract's hypertension register "
    "prevalence is for all ages; compared with the plan's 17+ figure it would mislead, so it "
    "is shown but not compared",
    "Measure 2 for NWL and London by group": "the comparator table holds NWL, London and "
    "England totals only, so each group is read against NWL totals (the plan's 71% / 12% and "
    "the same year's NWL average), not against the same group in NWL",
    "Tooth decay by PCN and group": "the five-year-old survey sample is about 350 children "
    "every two years; by PCN or group most cells are under the suppression threshold",
    "Logic-model outputs for objective 1 (WSIC users and training, community champions, "
    "families reached by oral health promoters, smoking cessation quit dates, community "
    "conversations and insight reports)": "programme activity records are not in any dataset "
    "the review reads; the delivery tracker chapter reports milestones",
    "Core20 view of obesity and dental health": "no child measurement data are held, and the "
    "Core20 group holds under 1% of registered people, too few for the dental survey sample",
    "Immunisation beyond flu 65+ and MMR2": "the extract holds these two programmes only "
    "(and COPD flu vaccination); COVID-19 and pneumococcal vaccination for COPD are not held",
}
"""What the seed documents ask for that the chapter does not show, and why."""


def key_messages(params: RunParameters) -> Markdown:
    """Key messages, each worded from the test behind it."""
    lines = []
    scope = f"{params['area_name']}, " if params.get("pcn") else ""
    for item in o1.headline_measures(params):
        lines.append(
            report.key_message(
                f"Measure {item.measure}: {item.title}",
                f"{scope}{item.period}",
                f"{item.value:.1f}%",
                f"{item.lower:.1f} to {item.upper:.1f}",
                item.status,
                item.status_text,
            )
        )
    where = params.get("pcn") or params["area_name"]
    if params.get("pcn"):
        for rating in ("good", "poor"):
            row = o1.gpps_values(params, rating, level="pcn", period=params["period"]).iloc[0]
            if row["suppressed"]:
                lines.append(f"- **{where}, access rated {rating}**: too few respondents to show.")
                continue
            lines.append(
                f"- **{where}, access rated {rating}**: {row['value']:.1f}% "
                f"({row['lower']:.1f} to {row['upper']:.1f}) against the target of "
                f"{o1.gpps_target(rating):g}%."
            )
    share = groups.core20_share(params)
    lines.append(
        f"- **Core20**: {share:.1f}% of people registered in {where} live in the "
        "national most deprived 20% of neighbourhoods, so the chapter also compares "
        "the most deprived local fifth with everyone else."
    )
    trend = groups.inequality_trend("hypertension-controlled", params)
    change = groups.gap_change(trend, params["confidence"])
    last = trend.iloc[-1]
    if pd.isna(last["sii"]) or change["verdict"] not in VERDICTS:
        lines.append(
            f"- **Deprivation gap in blood pressure control**: the slope index is "
            f"{groups.NOT_COMPUTED} in {last['period']} or {change['first']}, so whether the "
            "gap is closing cannot be said here."
        )
    else:
        lines.append(
            f"- **Deprivation gap in blood pressure control**: the slope index is "
            f"{last['sii']:.1f} percentage points ({last['sii_lower']:.1f} to "
            f"{last['sii_upper']:.1f}) between the least and most deprived ends in "
            f"{last['period']}; since {change['first']} the gap "
            f"{VERDICTS[str(change['verdict'])]}."
        )
    return Markdown(f"**Key messages** ({data_kind()}; {where})\n\n" + "\n".join(lines))


def headline_table(params: RunParameters) -> HTML:
    """Partnership measures 1 and 2: value, baseline, target and status."""
    caption = (
        f"Partnership measures 1 and 2, {params['period']} "
        f"({params.get('pcn') or params['area_name']}): value with 95% "
        "interval, the plan's baseline, comparators and status. Each comparator is cited to "
        "the published file it comes from, or labelled synthetic when simulated. "
        f"{_label(params)}"
    )
    return status_table(
        o1.headline_measures(params),
        lambda h: {
            "Comparators (%)": ", ".join(
                f"{a} {v:.1f} ({h.comparator_sources.get(a, 'source not recorded')})"
                for a, v in h.comparators.items()
            ),
            **status_columns(h),
            "Readings": " ".join(f"{r.name}: {r.verdict}." for r in h.readings),
        },
        caption,
        "measures-1-2-status",
    )


def _latest(query: str, measure: str, kind: str, params: RunParameters) -> dict[str, object]:
    if kind == "dsr":
        table = standardised_series(query, measure, params)
        table = table[table["area"] == (params.get("pcn") or params["area_name"])]
        row = table.iloc[-1]
        return {
            "period": row["period"],
            "value": row["value"],
            "lower": row["lower"],
            "upper": row["upper"],
            "suppressed": bool(row["suppressed"]),
        }
    data = groups.scoped(query, measure, params, breakdown="total")
    data = data[(data["period"] <= params["period"]) & (data["denominator"] > 0)]
    row = data.sort_values("period").iloc[-1]
    num, den = float(row["numerator"]), float(row["denominator"])
    if kind.endswith("_not"):
        num = den - num
    if kind.startswith("count"):
        stats = rate([num], [1.0], confidence=params["confidence"], multiplier=1).iloc[0]
    else:
        stats = proportion([num], [den], confidence=params["confidence"]).iloc[0]
    small = num < params["suppression_threshold"]
    return {
        "period": row["period"],
        "value": stats["value"],
        "lower": stats["lower"],
        "upper": stats["upper"],
        "suppressed": small,
    }


def jsna_values(params: RunParameters) -> pd.DataFrame:
    """Every line of the plan's JSNA table for its own borough with, where the extract can
    measure it, the latest value (95% interval) and its direction against the plan's figure
    (Fingertips rule: the interval above, below or across it; better/worse where the finding
    has a polarity)."""
    plan = load_reference("jsna_headlines")
    plan = plan[plan["area"] == PLAN_AREA].drop_duplicates("finding", keep="last")
    records = []
    for theme, finding, value, unit in zip(
        plan["theme"], plan["finding"], plan["value"], plan["unit"], strict=True
    ):
        base = pd.to_numeric(value, errors="coerce")
        record = {
            "theme": theme,
            "finding": finding,
            "plan value": base,
            "unit": unit,
            "latest period": "",
            "latest value": float("nan"),
            "lower": float("nan"),
            "upper": float("nan"),
            "direction since plan": "not held in the extract",
            "how read": "",
        }
        if finding in JSNA:
            query, measure, kind, polarity, how = JSNA[finding]
            latest = _latest(query, measure, kind, params)
            record.update({"latest period": latest["period"], "how read": how})
            if latest["suppressed"]:
                record["direction since plan"] = "suppressed"
            else:
                record.update({k: float(latest[k]) for k in ("lower", "upper")})
                record["latest value"] = float(latest["value"])
                record["direction since plan"] = (
                    "not compared"
                    if pd.isna(base) or params.get("pcn")
                    else compare([latest["lower"]], [latest["upper"]], base, polarity).iloc[0]
                )
        elif finding in LATER:
            record["direction since plan"] = "see the life expectancy section below"
        elif finding == "Patients over 17 on GP registers with hypertension":
            record["direction since plan"] = "not compared (extract prevalence is all ages)"
        records.append(record)
    return pd.DataFrame(records)


def jsna_table(params: RunParameters) -> HTML:
    """The JSNA headline table (see :func:`jsna_values`)."""
    table = jsna_values(params)
    shown = table.astype(object).where(table.notna(), "")
    where = params.get("pcn") or params["area_name"]
    caption = (
        f"The plan's JSNA headline findings (section 2.1) with the latest value the data "
        f"hold for {where} to {params['period']} (95% interval) and its direction "
        "against the plan's figure; PCN values are not compared with the borough "
        f"figures. {_label(params)}"
    )
    return show_table(
        shown,
        caption,
        "o1-jsna-headlines-table",
        decimals={"plan value": 1, "latest value": 1, "lower": 1, "upper": 1},
    )


def screening_low(params: RunParameters) -> Markdown:
    """How many practices (of the named PCN, when set) are below 15% for breast screening (the
    plan's observation)."""
    table = practice_points("o1-breast-screening", params)
    if params.get("pcn"):
        table = table[table["pcn"] == params["pcn"]]
    low = table[
        (table["value"] < BREAST_LOW) & (table["numerator"] >= params["suppression_threshold"])
    ]
    where = f" in {params['pcn']}" if params.get("pcn") else ""
    return Markdown(
        f"In {params['period']}, {len(low)} of {len(table)} practices{where} screened "
        f"fewer than {BREAST_LOW:g}% of eligible women for breast cancer (the plan "
        "noted some practices below 15%); small practices' values are suppressed."
    )


def methods_table() -> HTML:
    """Each indicator shown in the chapter, with its unit, method and definition."""
    return report.methods_table(for_objective(1), "objective-1-methods")


def not_shown_table() -> HTML:
    """What the seed documents ask for that the chapter does not show, and why."""
    table = pd.DataFrame({"Asked for": list(NOT_SHOWN), "Why not shown": list(NOT_SHOWN.values())})
    return show_table(
        table, "What the plan asks for that this chapter does not show yet", "objective-1-not-shown"
    )


def pcn_table(params: RunParameters) -> HTML:
    """Key indicators for the borough and each PCN (or the named PCN), with the comparison
    with the borough value."""
    frames = []
    for key in (
        "o1-cervical-screening",
        "o1-breast-screening",
        "o1-bowel-screening",
        "o1-flu-65plus",
        "hypertension-controlled",
        "o1-nhs-health-check",
    ):
        table = pcn_values(key, params)
        frames.append(table.assign(indicator=indicator(key).chart_label))
    good = o1.gpps_values(params, "good", level="pcn", period=params["period"])
    borough = o1.gpps_values(params.replace(pcn=None), "good", period=params["period"])
    good = pd.concat([borough, good], ignore_index=True)
    good["comparison"] = compare(
        good["lower"], good["upper"], float(good["value"].iloc[0]), "high_is_good"
    )
    good.loc[0, "comparison"] = "benchmark"
    frames.append(
        good.rename(columns={"respondents": "numerator", "effective_n": "denominator"}).assign(
            indicator=indicator(groups.GPPS_GOOD).chart_label
        )
    )
    table = pd.concat(frames, ignore_index=True)
    columns = [
        "indicator",
        "area",
        "numerator",
        "denominator",
        "value",
        "lower",
        "upper",
        "comparison",
    ]
    shown = mark_suppressed(table, columns, ["numerator", "value", "lower", "upper"])
    return show_table(
        shown,
        f"Key indicators by PCN, {params['period']} (%, 95% interval; "
        f"compared with {params['area_name']}; for the GP survey numerator is "
        f"respondents and denominator the effective sample size). "
        f"{_label(params)}",
        "pcn-key-indicators",
        decimals={"numerator": 0, "denominator": 0, "value": 1, "lower": 1, "upper": 1},
    )
