"""Objective 3's words, tables and figure loops, generated from its statistics."""

from __future__ import annotations

import pandas as pd
from IPython.display import HTML, Markdown

from ..extract import data_kind
from ..publish import show_figure
from . import objective_3_its as its
from .objective_3 import GAP_NOT_COMPUTED

BREAKDOWNS = {
    "age_band": "age band",
    "sex": "sex",
    "ethnic_group": "ethnic group",
    "imd_quintile": "deprivation quintile",
}

LTC: dict[str, dict] = {
    "nine": dict(
        query="diabetes_care_processes",
        measure="diabetes_all_nine_care_processes",
        title="People with diabetes receiving all nine care processes (%)",
        what="the percentage of people with diabetes receiving all nine care processes",
        method="Wilson score interval",
    ),
    "three": dict(
        query="diabetes_care_processes",
        measure="diabetes_all_three_treatment_targets",
        title="People with diabetes meeting all three treatment targets (%)",
        what="the percentage of people with diabetes meeting all three treatment targets",
        method="Wilson score interval",
    ),
    "hypertension": dict(
        query="hypertension_control",
        measure="hypertension_controlled",
        title="People with hypertension controlled to target (%)",
        what="the percentage of people with hypertension whose blood pressure "
        "is controlled to target",
        method="Wilson score interval",
    ),
    "prevalence_diabetes": dict(
        query="ltc_prevalence",
        measure="ltc_prevalence_diabetes",
        title="Recorded diabetes prevalence, aged 17+ (%)",
        what="recorded diabetes prevalence",
        method="Wilson score interval",
    ),
    "prevalence_hypertension": dict(
        query="ltc_prevalence",
        measure="ltc_prevalence_hypertension",
        title="Recorded hypertension prevalence (%)",
        what="recorded hypertension prevalence",
        method="Wilson score interval",
    ),
    "frailty": dict(
        query="ltc_prevalence",
        measure="frailty_moderate_or_severe_65plus",
        title="Moderate or severe frailty (electronic frailty index), aged 65+ (%)",
        what="the percentage of people aged 65+ with moderate or severe frailty",
        method="Wilson score interval",
    ),
    "maternity": dict(
        query="programmes",
        measure="programme_maternity_continuity",
        title="Maternity continuity of carer (%)",
        what="the percentage of pregnant women on a continuity of carer pathway",
        method="Wilson score interval",
    ),
    "mmr2": dict(
        query="programmes",
        measure="programme_mmr2_by_5",
        title="Children with two MMR doses by age 5 (%)",
        what="the percentage of children with two MMR doses by age 5",
        method="Wilson score interval",
    ),
    "smi_check": dict(
        query="programmes",
        measure="programme_smi_health_check",
        title="Physical health checks for people with SMI (%)",
        target=60.0,
        what="the percentage of people with severe mental illness receiving a "
        "physical health check",
        method="Wilson score interval",
    ),
    "ld_check": dict(
        query="programmes",
        measure="programme_ld_health_check",
        title="Annual health checks for people with a learning disability (%)",
        target=75.0,
        what="the percentage of people with a learning disability receiving an annual health check",
        method="Wilson score interval",
    ),
    "smi_emergency": dict(
        query="o3_smi_emergency",
        measure="o3_smi_emergency_admissions",
        title="Emergency admissions of people with SMI per 1,000 people with SMI",
        what="emergency admissions of people with SMI",
        method="Byar interval (exact below 10)",
    ),
    "eol_home": dict(
        query="end_of_life",
        measure="deaths_usual_place_of_residence",
        title="Deaths in the usual place of residence (%)",
        what="the percentage of deaths in the usual place of residence",
        method="Wilson score interval",
    ),
    "eol_admission": dict(
        query="end_of_life",
        measure="deaths_with_emergency_admission_last_90_days",
        title="Deaths after an emergency admission in the last 90 days of life (%)",
        what="the percentage of deaths with an emergency admission in the last 90 days of life",
        method="Wilson score interval",
    ),
}

ITS_DECIMALS = {"Months before": 0, "Months after": 0, "Built into the data": 2}
STAGGERED_DECIMALS = {
    "Built into the data": 2,
    "Periods compared": 0,
    "Estimate": 3,
    "Lower": 3,
    "Upper": 3,
}


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def nhsof_message(table: pd.DataFrame, params: dict) -> str:
    """The NHS OF 2.3.i list indicator beside measure 5, in plain words."""
    last = table[table["area"] == params["area_name"]].sort_values("period").iloc[-1]
    return (
        f"**The wider NHS Outcomes Framework list.** The national indicator 2.3.i counts "
        "eleven groups of chronic conditions, the plan's six and also angina, atrial "
        "fibrillation, COPD, chronic hepatitis B, iron-deficiency anaemia, convulsions and "
        f"eclampsia. On that list {params['area_name']} had {last['value']:.2f} emergency "
        f"admissions per 1,000 registered people in {last['period']} ({last['lower']:.2f} "
        f"to {last['upper']:.2f}). It is shown for context, not as the partnership measure, "
        "and like measure 5 it is a crude rate, not the plan's rate by weighted population."
    )


def key_messages(
    pm5: pd.DataFrame, status: dict, its_table: pd.DataFrame, staggered: pd.DataFrame, params: dict
) -> str:
    """The chapter's key messages, each stated only as far as its test supports it."""
    borough = pm5.iloc[0]
    lines = [
        f"**Key messages** ({data_kind()})",
        "",
        f"- Partnership measure 5: {borough['value']:.2f} emergency admissions for the plan's "
        f"six long-term conditions per 1,000 registered people in {params['period']}; target "
        f"**{status['status']}**: {status['text']}",
        *(
            f"- Measure 5, {r.name[0].lower()}{r.name[1:]} (indicative): {r.text}"
            for r in status["readings"]
        ),
    ]
    if params.get("pcn"):
        one = pm5.iloc[1]
        lines.append(
            f"- {one['area']}: too few admissions to show (suppressed)."
            if one["suppressed"]
            else f"- {one['area']}: {one['value']:.2f} per 1,000, {one['comparison']} "
            f"compared with {borough['area']}."
        )
    else:
        worse = status["pcns_above"]
        lines.append(
            "- PCNs with a rate clearly above the borough (99.8% interval, as several "
            f"PCNs are compared): {', '.join(worse) if worse else 'none'}."
        )
    assessed = its_table[
        its_table["level_ratio"].notna()
        & (its_table["programme"] != its.PROGRAMME_NAMES["negative_control"])
    ]
    falls = assessed[assessed["verdict"] == "evidence of a fall"]
    if assessed.empty:
        lines.append(
            "- Did the change work? Too early to say: no programme has yet run for "
            f"{its.MIN_POST_MONTHS} months within the period (see below)."
        )
    else:
        lines.append(
            f"- Did the change work? Of {len(assessed)} programme time series with "
            f"enough data, {len(falls)} show evidence of fewer admissions after the "
            "start; for the others the evidence is too weak to conclude (see below)."
        )
    return "\n".join(lines)


def gap_message(gap: pd.DataFrame, change: str, params: dict) -> str:
    """The deprivation gap in the latest year and whether it is closing."""
    last = gap.iloc[-1]
    where = params.get("pcn") or params["area_name"]
    if pd.isna(last["sii"]):
        return (
            f"**Deprivation gap ({where}, {last['period']}).** Not computed: "
            f"{GAP_NOT_COMPUTED}, so whether the gap is closing cannot be assessed."
        )
    return (
        f"**Deprivation gap ({where}, {last['period']}).** Fitting a line across the five "
        f"local deprivation quintiles, the most deprived fifth has {last['sii']:.1f} more "
        f"admissions per 1,000 than the least deprived ({last['sii_lower']:.1f} to "
        f"{last['sii_upper']:.1f}; slope index of inequality), {last['rii']:.2f} times the "
        f"rate (relative index of inequality). The gap is {change}."
    )


def gap_display(gap: pd.DataFrame) -> pd.DataFrame:
    """The SII/RII table as shown on the page ("[c]" in a year not computed because a fifth's
    count is suppressed)."""
    shown = pd.DataFrame(
        {
            "Year": gap["period"],
            "SII": gap["sii"],
            "SII lower": gap["sii_lower"],
            "SII upper": gap["sii_upper"],
            "RII": gap["rii"],
            "RII lower": gap["rii_lower"],
            "RII upper": gap["rii_upper"],
        }
    )
    hidden = gap["sii"].isna().to_numpy()
    numbers = shown.columns[1:]
    shown[numbers] = shown[numbers].astype(object)
    shown.loc[hidden, numbers] = "[c]"
    return shown


def spc_message(points: pd.DataFrame) -> str:
    """What the SPC chart says, from its rules: the latest month, its variation type and the
    months the limits come from."""
    last = points.iloc[-1]
    kind = str(last["point_type"]).replace("_", " ")
    first, end = points.attrs["baseline"]
    before = (
        "before the first diabetes team"
        if points.attrs["pre_programme"]
        else "the first 12 months, as fewer came before the first diabetes team"
    )
    limits = f"limits from {first:%B %Y} to {end:%B %Y}, {before}"
    if points.attrs["recalculated"]:
        limits += (
            ", recalculated from "
            + ", ".join(f"{w:%B %Y}" for w in points.attrs["recalculated"])
            + " after a lasting shift"
        )
    return (
        f"Latest month ({last['date']:%B %Y}): {last['value']:.2f} {points.attrs['unit']}, "
        f"{kind} ({limits}). No target line is drawn: the plan's NWL average is a rate by "
        "weighted population, on another basis than this rate."
    )


def target_message(table: pd.DataFrame, spec: dict) -> str:
    """Borough value against a national target, and how many PCNs reach it."""
    borough = table.iloc[0]
    pcns = table.iloc[1:]
    reach = int((pcns["value"] >= spec["target"]).sum())
    met = "met" if borough["value"] >= spec["target"] else "not met"
    return (
        f"{spec['title'].removesuffix(' (%)')}: {borough['value']:.1f}% "
        f"({borough['lower']:.1f}% to {borough['upper']:.1f}%); the {spec['target']:g}% "
        f"ambition is **{met}**; {reach} of {len(pcns)} PCNs shown reach it (point estimate)."
    )


def _ci(value: float, lower: float, upper: float, decimals: int) -> str:
    if pd.isna(value):
        return "not estimated"
    return f"{value:.{decimals}f} ({lower:.{decimals}f} to {upper:.{decimals}f})"


def its_display(table: pd.DataFrame) -> pd.DataFrame:
    """The ITS results as shown on the page (ratios to three decimals, so an interval
    ending just below 1 does not read as 1.00)."""
    return pd.DataFrame(
        {
            "Programme": table["programme"],
            "Outcome": table["outcome"],
            "PCNs": table["pcns"],
            "Start": table["start"],
            "Months before": table["months_before"],
            "Months after": table["months_after"],
            "Built into the data": table["built_in_effect"],
            "Level change, rate ratio (interval)": [
                _ci(*v, 3)
                for v in zip(
                    table["level_ratio"], table["level_lower"], table["level_upper"], strict=True
                )
            ],
            "Slope change, % a year (interval)": [
                _ci(*v, 1)
                for v in zip(
                    table["slope_pct_year"], table["slope_lower"], table["slope_upper"], strict=True
                )
            ],
            "Reading": table["verdict"],
        }
    )


def its_message(table: pd.DataFrame) -> str:
    """One line per programme outcome, in plain words."""
    lines = []
    for row in table.itertuples():
        if pd.isna(row.level_ratio):
            lines.append(
                f"- {row.programme}, {_lower_first(row.outcome)} ({row.pcns}): {row.verdict}."
            )
            continue
        lines.append(
            f"- {row.programme}, {_lower_first(row.outcome)} ({row.pcns}, from {row.start}): level "
            f"change {row.level_ratio:.3f} ({row.level_lower:.3f} to {row.level_upper:.3f}); "
            f"**{row.verdict}**."
        )
    return "\n".join(lines)


def staggered_display(table: pd.DataFrame) -> pd.DataFrame:
    """The comparison with not-yet-started PCNs as shown on the page."""
    return pd.DataFrame(
        {
            "Programme": table["programme"],
            "Outcome": table["outcome"],
            "Measure": table["measure"],
            "Built into the data": table["built_in_effect"],
            "Periods compared": table["periods_with_contrast"],
            "Estimate": table["ratio"],
            "Lower": table["lower"],
            "Upper": table["upper"],
            "Reading": table["verdict"],
        }
    )


def staggered_message(table: pd.DataFrame) -> str:
    """The comparison's results in plain words."""
    lines = []
    for row in table.itertuples():
        if pd.isna(row.ratio):
            lines.append(f"- {row.programme}, {_lower_first(row.outcome)}: {row.verdict}.")
        else:
            lines.append(
                f"- {row.programme}, {_lower_first(row.outcome)}: {row.measure} "
                f"{row.ratio:.3f} ({row.lower:.3f} to {row.upper:.3f}); "
                f"**{row.verdict}**."
            )
    return "\n".join(lines)


def its_figures(table: pd.DataFrame, params: dict, label: str) -> list[HTML | Markdown]:
    """One chart per assessed ITS (observed, fitted, counterfactual) with alt text and data;
    a series with more than a quarter of its months suppressed is not charted (a note says
    so) because the chart would show too little."""
    figures: list[HTML | Markdown] = []
    hidden = []
    names = {spec.title: key for key, spec in its.OUTCOMES.items()}
    for index, row in enumerate(table.itertuples()):
        if pd.isna(row.level_ratio):
            continue
        outcome = names[row.outcome]
        spec = its.OUTCOMES[outcome]
        start = pd.Timestamp(row.start + "-01")
        pcns = list(row.pcn_list)
        series, result, _, _ = its.its_fit(outcome, start, pcns, params)
        data = its.chart_data(
            series, result, multiplier=spec.multiplier, threshold=params["suppression_threshold"]
        )
        if data["suppressed"].mean() > 0.25:
            hidden.append(f"{_lower_first(row.outcome)} in {row.pcns}")
            continue
        caption = (
            f"{row.programme}: {_lower_first(row.outcome)}, {row.pcns} (monthly, "
            f"{spec.unit}). {label}"
        )
        fig = its.its_chart(
            data, start=start, title=f"{row.programme}: {row.outcome}", ylabel=spec.unit
        )
        alt = (
            f"Interrupted time series chart of monthly {_lower_first(row.outcome)} for "
            f"{row.pcns} from {data['month'].iloc[0]} to {data['month'].iloc[-1]}, "
            f"start {row.start}. "
            f"Level change rate ratio {row.level_ratio:.3f} ({row.level_lower:.3f} to "
            f"{row.level_upper:.3f}): {row.verdict}."
        )
        shown = data.drop(columns="suppressed").astype({"count": object, "rate": object})
        shown.loc[data["suppressed"].to_numpy(), ["count", "rate"]] = "[c]"
        figures.append(
            show_figure(
                fig,
                figure_id=f"o3-its-{index + 1}",
                caption=caption,
                alt=alt,
                data=shown,
                decimals={"count": 0, "rate": 3, "fitted": 3, "counterfactual": 3},
            )
        )
    if hidden:
        figures.append(
            Markdown(
                "Not charted because most monthly counts are below the suppression threshold: "
                + "; ".join(hidden)
                + ". Their estimates are in the table above."
            )
        )
    return figures


INDICATORS = (
    (
        "Emergency admissions for the plan's six conditions per 1,000 (measure 5)",
        "Crude rate, "
        "Byar interval; PCNs and groups compared with the borough (Fingertips rule); recent "
        "trend chi-square 99.8%",
        "Annual; monthly XmR chart",
    ),
    (
        "Emergency admissions for chronic ACSCs, NHS OF 2.3.i list, per 1,000",
        "Crude rate, Byar interval (a second indicator, not the partnership measure)",
        "Annual",
    ),
    (
        "Deprivation gap in measure 5",
        "Slope and relative index of inequality "
        "across local IMD quintiles (population-weighted, simulated intervals)",
        "Annual",
    ),
    (
        "All nine diabetes care processes, plan baseline (%)",
        "Wilson score interval; practices and PCNs compared with the borough",
        "Plan table (15 months)",
    ),
    (
        "All nine care processes; three treatment targets; hypertension controlled (%)",
        "Wilson score interval; comparison with the borough; recent trend",
        "Annual",
    ),
    ("Recorded diabetes and hypertension prevalence (%)", "Wilson score interval", "Annual"),
    (
        "Falls admissions aged 65+ per 100,000",
        "Directly standardised (ESP 2013, 65+ bands), Dobson interval",
        "Annual",
    ),
    ("Moderate or severe frailty aged 65+ (%)", "Wilson score interval", "Annual"),
    ("Maternity continuity of carer; MMR2 by age 5 (%)", "Wilson score interval", "Annual"),
    ("A&E attendances under 5 per 1,000", "Crude rate, Byar interval", "Annual"),
    (
        "SMI and learning disability health checks (%)",
        "Wilson score interval against the national ambition",
        "Annual",
    ),
    ("Emergency admissions of people with SMI per 1,000", "Crude rate, Byar interval", "Annual"),
    (
        "Deaths in usual place of residence; emergency admission in last 90 days (%)",
        "Wilson score interval; PCNs and deprivation quintiles compared with the borough",
        "Annual",
    ),
    (
        "Programme effects",
        "Interrupted time series (Poisson, population offset, Fourier "
        "seasonality, Newey-West errors); comparison with not-yet-started PCNs (two-way fixed "
        "effects, Pearson-scaled errors)",
        "Monthly (annual for care processes)",
    ),
)


def indicator_list() -> pd.DataFrame:
    """The indicators shown and their methods."""
    return pd.DataFrame(INDICATORS, columns=["Indicator", "Method", "Frequency"])


GAPS = (
    "the rate of ACSC admissions by *weighted* population, as the plan reports it (the plan "
    "states no unit or year, and the extract gives crude rates per registered person, so "
    "measure 5's target is not judged)",
    "modelled expected prevalence of diabetes and hypertension, to set against recorded prevalence",
    "care-home placements and reablement outcomes (adult social care data)",
    "breastfeeding, perinatal mental health access, asthma reviews and care plans, special "
    'educational needs and safeguarding measures for the first 1,000 days and "think family"',
    "the number of people in secure care and long-term placements, and the quality of Care "
    "(Education) and Treatment Reviews",
    "palliative care outcome metrics, and whether people died where they chose",
    "the effect of programmes on screening and immunisation (annual data, no comparison group)",
)


def gaps_text() -> str:
    """What the plan asks for that the data cannot yet show."""
    return "**What the plan asks for that the data cannot yet show:**\n\n" + "\n".join(
        f"- {gap}" for gap in GAPS
    )
