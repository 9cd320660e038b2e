"""Objective 2's words: key messages generated from the statistics, the headline table, the
outlier and methods tables, and plain statements of what the data do not hold."""

from __future__ import annotations

from IPython.display import HTML, Markdown

from .. import judgement, report
from ..catalogue import indicator
from ..extract import data_kind
from ..params import RunParameters
from ..publish import show_table
from ..report import status_columns, status_table
from . import objective_2 as o2
from .scope import synthetic_label as _label

GROUPS = {
    "age_band": "age band",
    "sex": "sex",
    "ethnic_group": "ethnic group",
    "imd_quintile": "local deprivation fifth (1 = most deprived)",
}
"""Breakdowns of measure 3 shown in the chapter."""

INDICATORS = (
    "pm3-citizen-experience",
    "pm4-staff-satisfaction",
    "pm4-voluntary-turnover",
    "o2-vacancy-rate",
    "o2-emergency-isr",
    "o2-ae-isr",
    "o2-utc-isr",
    "o2-emergency-monthly",
    "o2-readmissions-30d",
    "o2-carers-identified",
    "o2-ltc-prevalence-expected",
    "o2-neighbourhood-profile",
)

NOT_HELD = {
    "Care-home placements": "the extract flags current care-home residents but holds no "
    "admission dates to care homes, so new placements cannot be counted",
    "Intensive social care packages": "no adult social care records (packages, hours or "
    "costs) are in the extract",
    "Use of the shared care record": "no audit or access logs of the shared care record are "
    "in the extract",
    "PCN development programme outputs (Appendix D)": "clinical leadership posts, "
    "organisational development sessions and neighbourhood integration plans are not recorded "
    "in any dataset the review reads",
    "Estates and training programme outputs": "no estates or training records are in the extract",
}


def key_messages(params: RunParameters) -> Markdown:
    """Three to four key messages, each worded from the test behind it."""
    lines = []
    for item in o2.headline_measures(params):
        lines.append(
            report.key_message(
                item.title,
                item.period,
                f"{item.value:.1f}%",
                f"{item.lower:.1f} to {item.upper:.1f}",
                item.status,
                item.status_text,
            )
        )
    ratios = o2.standardised("o2-emergency-isr", judgement.screening(params.replace(pcn=None)))
    high = ratios[ratios["comparison"] == "worse"]["area"].tolist()
    low = ratios[ratios["comparison"] == "better"]["area"].tolist()
    lines.append(
        "- **Emergency admissions, standardised for age and sex**: "
        + (
            f"higher than expected in {', '.join(high)}"
            if high
            else "no network higher than expected"
        )
        + "; "
        + (f"lower than expected in {', '.join(low)}" if low else "no network lower than expected")
        + f" ({judgement.SCREENING_LEVEL:.1%} intervals against "
        f"{params['area_name']} = 100: with several networks compared, only a clear difference "
        "is named)."
    )
    return Markdown(f"**Key messages** ({data_kind()})\n\n" + "\n".join(lines))


def headline_table(params: RunParameters) -> HTML:
    """Partnership measures 3 and 4 for the period, with status against the plan's target."""
    caption = (
        f"Partnership measures 3 and 4, {params['period']}: value with 95% interval, "
        "baseline, status and the change since the baseline (better, similar or worse: the "
        "period's survey against the baseline survey, allowing for the uncertainty of both, "
        f"95%; {params['area_name']} partnership). {_label(params)}"
    )
    return status_table(
        o2.headline_measures(params),
        lambda h: {
            **status_columns(h),
            "Change since baseline": "; ".join(f"{r.verdict}: {r.text}" for r in h.readings),
        },
        caption,
        "measures-3-4-status",
    )


def spc_message(params: RunParameters) -> Markdown:
    """What the XmR chart says, from its rules."""
    points = o2.emergency_monthly(params)
    kinds = points["point_type"].value_counts()
    special = {k: int(n) for k, n in kinds.items() if k != "common_cause"}
    where = params.get("pcn") or params["area_name"]
    if not special:
        return Markdown(
            f"Monthly emergency admissions in {where} show only common-cause "
            "variation: no signal that they are rising or falling."
        )
    listed = ", ".join(f"{n} {k.replace('_', ' ')} point(s)" for k, n in special.items())
    first, last = points.attrs["baseline"]
    again = "".join(f", recalculated from {when:%B %Y}" for when in points.attrs["recalculated"])
    return Markdown(
        f"Monthly emergency admissions in {where}: {listed} by the Making Data Count "
        f"rules, against limits set on {first:%B %Y} to {last:%B %Y}{again} "
        "(improvement means fewer admissions)."
    )


def _bullets(items: dict[str, str]) -> str:
    return "\n".join(f"- **{name}**: {why}." for name, why in items.items())


def not_held_unplanned() -> Markdown:
    """Plain statement: care-home placements and intensive care packages are not held."""
    keys = ("Care-home placements", "Intensive social care packages")
    return Markdown(
        "The plan aims to reduce intensive social care packages. The data cannot "
        "show this yet:\n\n" + _bullets({k: NOT_HELD[k] for k in keys})
    )


def not_held_enablers() -> Markdown:
    """Plain statement: digital integration and PCN development outputs are not held."""
    keys = (
        "Use of the shared care record",
        "PCN development programme outputs (Appendix D)",
        "Estates and training programme outputs",
    )
    return Markdown(
        "The plan's enablers include a shared care record so that patients tell "
        "their story once, and a development programme for the networks. The "
        "review has no data for them yet:\n\n" + _bullets({k: NOT_HELD[k] for k in keys})
    )


def not_held_summary() -> Markdown:
    """Everything the plan asks for under objective 2 that the data cannot show."""
    return Markdown(
        "**What the plan asks for that the data cannot yet show.**\n\n" + _bullets(NOT_HELD)
    )


def outlier_table(params: RunParameters) -> HTML:
    """Practices outside the funnel limits, by measure, unadjusted and adjusted."""
    table = o2.outliers(params)
    scope = f" ({params['pcn']} practices)" if params.get("pcn") else ""
    caption = (
        f"Practices outside the 99.8% funnel limits{scope}, {params['period']}, with "
        f"and without the overdispersion adjustment. {_label(params)}"
    )
    return show_table(
        table, caption, "practice-outliers", decimals={"overdispersion factor (phi)": 2}
    )


def methods_table() -> HTML:
    """Each indicator shown on the page, with its definition and method (from the catalogue)."""
    return report.methods_table(map(indicator, INDICATORS), "objective-2-methods")
