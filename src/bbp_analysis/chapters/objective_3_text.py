"""Objective 3's words, tables and figure loops, generated from its statistics."""

from __future__ import annotations

import pandas as pd
from IPython.display import HTML, Markdown

from .. import catalogue, report
from ..extract import data_kind
from ..figures import its_chart
from ..params import RunParameters
from ..publish import show_figure
from . import objective_3_its as its
from .objective_3 import GAP_NOT_COMPUTED

BREAKDOWNS = {
    "age_band": "age band",
    "sex": "sex",
    "ethnic_group": "ethnic group",
    "imd_quintile": "deprivation quintile",
}


def spec(indicator_id: str) -> dict:
    """What a chart of one catalogue indicator needs: its SQL ``query`` and ``measure``, chart
    ``title``, the words for it in a sentence (``what``), its ``method`` in words, its
    ``polarity`` and its ``target`` value (None when the catalogue sets none)."""
    item = catalogue.indicator(indicator_id)
    return dict(
        query=item.query,
        measure=item.measure_name,
        title=item.chart_label,
        what=item.words,
        method=item.method_text,
        polarity=item.polarity,
        target=item.target.get("value"),
    )


ITS_DECIMALS = {"Months before": 0, "Months after": 0, "Built into the data": 2}
COVERAGE_DECIMALS = {"Intervals holding the truth (%)": 0, "Bias (%)": 1, "Simulations": 0}
STAGGERED_DECIMALS = {
    "Built into the data": 2,
    "Periods compared": 0,
    "Estimate": 3,
    "Lower": 3,
    "Upper": 3,
}


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def nhsof_message(table: pd.DataFrame, params: RunParameters) -> str:
    """The NHS OF 2.3.i list indicator beside measure 5, in plain words."""
    last = table[table["area"] == params["area_name"]].sort_values("period").iloc[-1]
    return (
        f"**The wider NHS Outcomes Framework list.** The national indicator 2.3.i counts "
        "eleven groups of chronic conditions, the plan's six and also angina, atrial "
        "fibrillation, COPD, chronic hepatitis B, iron-deficiency anaemia, convulsions and "
        f"eclampsia. On that list {params['area_name']} had {last['value']:.2f} emergency "
        f"admissions per 1,000 registered people in {last['period']} ({last['lower']:.2f} "
        f"to {last['upper']:.2f}). It is shown for context, not as the partnership measure; "
        "unlike measure 5 it is a crude rate, not standardised for age and sex."
    )


def _lower_first(name: str) -> str:
    """A reading's name inside a sentence: first letter lower case, unless it starts an
    abbreviation ("PCNs against the borough" stays)."""
    return name if name[1:2].isupper() else name[:1].lower() + name[1:]


def key_messages(
    pm5: pd.DataFrame,
    status: dict,
    its_table: pd.DataFrame,
    staggered: pd.DataFrame,
    params: RunParameters,
) -> str:
    """The chapter's key messages, each stated only as far as its test supports it."""
    borough = pm5.iloc[0]
    value = f"{borough['value']:.2f}"
    measure = (
        "Partnership measure 5, emergency admissions for the plan's six long-term conditions "
        f"({params['period']})"
        if report.states(status["text"], value)
        else f"Partnership measure 5: {value} emergency admissions for the plan's six long-term "
        f"conditions per 1,000 registered people in {params['period']}, standardised for age "
        "and sex"
    )
    lines = [
        f"**Key messages** ({data_kind()})",
        "",
        f"- {measure}; target **{status['status']}**: {status['text']}",
        # each reading once: the PCN reading is in the status text, and the caveat says why
        # the plan's own figures are not compared
        *(
            f"- Measure 5, {_lower_first(r.name)} ({r.verdict}): {r.text}"
            for r in status["readings"]
            if r.text.rstrip(".") not in status["text"] and r.verdict != "not comparable"
        ),
        f"- {status['caveat']}",
    ]
    if params.get("pcn"):
        one = pm5.iloc[1]
        lines.append(
            f"- {one['area']}: too few admissions to show (suppressed)."
            if one["suppressed"]
            else f"- {one['area']}: {one['value']:.2f} per 1,000 (age-sex standardised), "
            f"{one['comparison']} compared with NWL's rate for people of the same age and sex."
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


def gap_message(gap: pd.DataFrame, change: str, params: RunParameters) -> str:
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
        f"local deprivation quintiles' age-sex standardised rates, each weighted by its "
        f"share of the registered population, the most deprived fifth has {last['sii']:.1f} "
        f"more admissions per 1,000 than the least deprived ({last['sii_lower']:.1f} to "
        f"{last['sii_upper']:.1f}; slope index of inequality), {last['rii']:.2f} times the "
        f"rate (relative index of inequality). The gap {change}."
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
    """The comparison's results in plain words: the estimate and interval, for monthly
    outcomes how surprising it would be by chance alone (the share of reassignments of the
    start dates giving an estimate as far from no change) and the check before the starts."""
    lines = []
    for row in table.itertuples():
        if pd.isna(row.ratio):
            lines.append(f"- {row.programme}, {_lower_first(row.outcome)}: {row.verdict}.")
            continue
        line = (
            f"- {row.programme}, {_lower_first(row.outcome)}: {row.measure} "
            f"{row.ratio:.3f} ({row.lower:.3f} to {row.upper:.3f}); **{row.verdict}**."
        )
        if not pd.isna(row.permutation_p):
            line += (
                f" Swapping the start dates between PCNs ({row.assignments:.0f} ways) gives "
                f"an estimate at least this far from no change in {row.permutation_p:.0%} of "
                f"them (the smallest possible share is {1 / row.assignments:.0%}). Months "
                f"before the starts: {row.anticipation}."
            )
        lines.append(line)
    return "\n".join(lines)


COVERAGE_NAMES = {
    "acsc_admissions_diabetes": "Diabetes admissions",
    "emergency_admissions_frail": "Admissions of frail people",
    "falls_admissions_65plus": "Falls admissions 65+",
}


def coverage_display(summary: pd.DataFrame) -> pd.DataFrame:
    """The robustness check as shown on the page: one row per outcome, scenario and
    estimator (:func:`bbp_analysis.its_coverage.summary`)."""
    return pd.DataFrame(
        {
            "Outcome": summary["outcome"].map(COVERAGE_NAMES),
            "Simulated with": summary["scenario"],
            "Method": summary["estimator"],
            "Intervals holding the truth (%)": summary["coverage"],
            "Bias (%)": summary["bias"],
            "Simulations": summary["seeds"],
        }
    )


def coverage_message(summary: pd.DataFrame, confidence: float) -> str:
    """How often each method's interval held the known effect, in plain words."""
    lines = []
    for (outcome, estimator), rows in summary.groupby(["outcome", "estimator"], sort=False):
        plain = rows[rows["scenario"] == "as generated"]["coverage"]
        low, high = (round(float(rows["bias"].agg(f))) + 0 for f in ("min", "max"))
        lines.append(
            f"- {COVERAGE_NAMES[outcome]}, {estimator[0].lower()}{estimator[1:]}: the "
            f"{confidence:.0%} interval held the true effect in {rows['coverage'].min():.0f}% "
            f"to {rows['coverage'].max():.0f}% of simulations across the scenarios"
            + (f" ({plain.iloc[0]:.0f}% as generated)" if len(plain) else "")
            + f"; bias {low:+d}% to {high:+d}%."
        )
    return "\n".join(lines)


def coverage_summary(summary: pd.DataFrame, confidence: float, seeds: int) -> str:
    """One sentence for the chapter: across every method and scenario of
    :func:`coverage_message`, the range of the share of ``seeds`` simulations whose interval
    held the known effect, against the nominal ``confidence``, and the range of the bias."""
    low, high = summary["coverage"].min(), summary["coverage"].max()
    bias_low, bias_high = (round(float(summary["bias"].agg(f))) + 0 for f in ("min", "max"))
    worst = summary.loc[summary["coverage"].idxmin(), "scenario"]
    level = (
        "less often than their stated level in every scenario"
        if high < 100 * confidence
        else "less often than their stated level in some scenarios"
        if low < 100 * confidence
        else "at least as often as their stated level"
    )
    return (
        f"**Checked on simulations with a known effect** ({seeds} per scenario): the methods' "
        f"{confidence:.0%} intervals held the true effect in {low:.0f}% to {high:.0f}% of "
        f'simulations ({level}; lowest in the scenario "{worst}"), and the estimates were '
        f"off by {bias_low:+d}% to {bias_high:+d}% on average. The programme-effects page "
        "gives each method and scenario."
    )


def its_figures(table: pd.DataFrame, params: RunParameters, label: str) -> list[HTML | Markdown]:
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
        fig = its_chart(
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


def indicator_list() -> pd.DataFrame:
    """The catalogue's objective 3 indicators and their methods, as the catalogue states them."""
    return pd.DataFrame(
        [
            (item.title, item.reading_text, item.frequency or "Not stated")
            for item in catalogue.for_objective(3)
        ],
        columns=["Indicator", "Method", "Frequency"],
    )


GAPS = (
    "the rate of ACSC admissions by *weighted* population, as the plan reports it (the plan "
    "states no unit or year; measure 5 is read against NWL's age-sex standardised rate on the "
    "review's own definition instead, an indicative comparison)",
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
