"""The five partnership outcome measures as the plan states them: baseline, comparators, target.

Built from ``data/reference/partnership_measures.csv`` (figures transcribed from the plan,
section 4, each with its quote) and the catalogue (which objective each measure serves);
and the front-page scorecard of each measure's latest position from the edition's headlines
(read from its results file, :func:`bbp_analysis.results.headlines`).
"""

from __future__ import annotations

import html

import pandas as pd

from . import catalogue
from .headline import STATUS_VOCABULARY, Headline
from .main_points import format_value, short_label
from .mdc import icons_html
from .reference import PLAN_AREA

COMPARATOR_AREAS = ("NWL", "London", "England")
BASELINE = f"Plan baseline ({PLAN_AREA})"
"""Column of the plan's baseline: the plan's borough's figure, whichever area is built."""


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
        BASELINE: "; ".join(_number(v) for v in baseline["value"]),
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
    ``Unit``, :data:`BASELINE`, ``NWL``, ``London``, ``England``, ``PCN range``,
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
                    BASELINE: "; ".join(baseline),
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
        BASELINE,
        *COMPARATOR_AREAS,
        "PCN range",
        "Target value",
        "Target",
    ]
    return pd.DataFrame(out).reindex(columns=columns).fillna("")


# The front-page scorecard: each chapter's headline measures ---------------------------------

STATUS_MARKS = {
    status: f"{symbol} {status.capitalize()}" for status, (symbol, _) in STATUS_VOCABULARY.items()
}


def sparkline_svg(trend: list[tuple[str, float | None]], unit: str, width: int = 120) -> str:
    """An inline SVG line of ``trend`` (oldest first; None where a period's value is withheld,
    drawn as a gap in time) whose text alternative states the first and last values; words
    instead when fewer than two periods have a value."""
    known = [(i, period, value) for i, (period, value) in enumerate(trend) if value is not None]
    if len(known) < 2:
        return "Fewer than two periods" + (" with a value" if len(trend) >= 2 else "")
    height, pad = 32, 4
    values = [value for _, _, value in known]
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    step = (width - 2 * pad) / (len(trend) - 1)
    points = [
        (pad + i * step, height - pad - (value - low) / span * (height - 2 * pad))
        for i, _, value in known
    ]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    (_, first_period, first), (_, last_period, last) = known[0], known[-1]
    withheld = len(trend) - len(known)
    label = (
        f"Trend from {first_period} ({format_value(first, unit)}) to {last_period} "
        f"({format_value(last, unit)}), {len(known)} periods"
        + (f" ({withheld} more withheld: small counts)" if withheld else "")
    )
    x, y = points[-1]
    return (
        f'<svg class="bbp-sparkline" role="img" aria-label="{html.escape(label)}" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
        f"<title>{html.escape(label)}</title>"
        f'<polyline fill="none" stroke="#0072B2" stroke-width="2" points="{path}"/>'
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#0072B2"/></svg>'
    )


def _comparators(item: Headline) -> str:
    if item.comparator_text:
        return item.comparator_text
    shown = [
        f"{area} {format_value(item.comparators[area], item.unit)}"
        f" ({item.comparator_sources.get(area, 'source not recorded')})"
        for area in COMPARATOR_AREAS
        if area in item.comparators
    ]
    return "; ".join(shown) or "No comparator available"


def readings_text(item: Headline) -> str:
    """The readings and comparisons beside the status, one sentence each, as plain text."""
    return " ".join(f"{r.name}: {r.verdict}. {r.text}" for r in item.readings)


def _readings_html(item: Headline) -> str:
    if not item.readings:
        return ""
    entries = "".join(
        f"<li><strong>{html.escape(r.name)}</strong>: {html.escape(r.verdict)}. "
        f"{html.escape(r.text)}</li>"
        for r in item.readings
    )
    return f'<ul class="bbp-readings">{entries}</ul>'


def _baseline_html(item: Headline) -> str:
    if item.baseline_text:
        return html.escape(item.baseline_text)
    if item.baseline is None:
        return "No baseline figure"
    return f"{format_value(item.baseline, item.unit)} ({html.escape(item.baseline_period)})"


def scorecard_rows(items: list[Headline]) -> pd.DataFrame:
    """The scorecard as plain text, one row per headline (the CSV beside the front page)."""
    return pd.DataFrame(
        [
            {
                "measure": item.measure,
                "indicator_id": item.indicator_id,
                "title": item.title,
                "period": item.period,
                "value": item.value,
                "lower": item.lower,
                "upper": item.upper,
                "unit": item.unit,
                "baseline": item.baseline,
                "baseline_period": item.baseline_period,
                "target": item.target,
                "target_text": item.target_text,
                "status": item.status,
                "status_text": item.status_text,
                "readings": readings_text(item),
                "baseline_text": item.baseline_text,
                "comparator_text": item.comparator_text,
                **{area: item.comparators.get(area) for area in COMPARATOR_AREAS},
                **{
                    f"{area} source": item.comparator_sources.get(area) for area in COMPARATOR_AREAS
                },
                "synthetic": item.synthetic,
                "source": item.source,
            }
            for item in items
        ]
    )


def _period_heading(items: list[Headline], edition: str) -> str:
    """The value column's header, naming the period of the data it holds (a survey's latest
    year may be earlier than the edition's)."""
    periods = sorted({item.period for item in items}) or [edition]
    if len(periods) == 1:
        return f"Latest ({html.escape(periods[0])} data)"
    return "Latest (year of data in each row)"


def _number_only(value: float | None, unit: str) -> str:
    """A value without a worded unit (the row's value gives it); "%" is kept."""
    return format_value(value, unit).removesuffix(f" {unit}")


def _comparators_short(item: Headline) -> str:
    """The comparators in the row: each area whose value comes from a published file, with
    its value (simulated ones, and the sources, are in the row's toggle)."""
    if item.comparator_text:
        return "Plan figure on another basis"
    shown = [
        f"<span>{area} {html.escape(_number_only(item.comparators[area], item.unit))}</span>"
        for area in COMPARATOR_AREAS
        if area in item.comparators
        and item.comparator_sources.get(area, "synthetic") != "synthetic"
    ]
    return "".join(shown) or "None published"


def _details_html(item: Headline) -> str:
    """What sits behind the row's toggle: the target in the plan's words, why the status,
    the readings, the baseline and the comparators with their sources."""
    return (
        "<details><summary><span class='bbp-sc-long'>Target and </span>why</summary>"
        f"<p><strong>Target:</strong> {html.escape(item.target_text)}</p>"
        f"<p><strong>Why:</strong> {html.escape(item.status_text)}</p>"
        + (f"<p><strong>Caveat:</strong> {html.escape(item.caveat)}</p>" if item.caveat else "")
        + f"{_readings_html(item)}"
        f"<p><strong>Baseline:</strong> {_baseline_html(item)}</p>"
        f"<p><strong>Compared with:</strong> {html.escape(_comparators(item))}</p></details>"
    )


def _row_html(item: Headline, confidence: float, show_period: bool, tag: bool) -> str:
    page, _, anchor = item.anchor.partition("#")
    href = f"{page}.html" + (f"#{anchor}" if anchor else "")
    interval = (
        f"<span class='bbp-ci'>{confidence:.0%} CI {_number_only(item.lower, item.unit)} to "
        f"{_number_only(item.upper, item.unit)}</span>"
        if item.lower is not None and item.upper is not None
        else ""
    )
    period = f"<span class='bbp-ci'>{html.escape(item.period)} data</span>" if show_period else ""
    synthetic = (
        " <span class='bbp-synthetic-tag'>synthetic</span>" if item.synthetic and tag else ""
    )
    # the caveat's first sentence in the row; the whole caveat behind the toggle
    lead = item.caveat.split(". ")[0].rstrip(".")
    note = f"<span class='bbp-caveat'>{html.escape(lead)}.</span>" if item.caveat else ""
    cells = [
        f'<th scope="row">{item.measure}. <a href="{html.escape(href)}" '
        f'title="{html.escape(item.title)}">{html.escape(short_label(item))}</a>{synthetic}'
        f"{note}</th>",
        f'<td class="bbp-sc-value">{format_value(item.value, item.unit)}{interval}{period}</td>',
        f'<td class="bbp-sc-status"><strong class="bbp-status bbp-status-'
        f'{item.status.replace(" ", "-")}">{STATUS_MARKS[item.status]}</strong>'
        f"{_details_html(item)}</td>",
        f'<td class="bbp-sc-mdc">{icons_html(item)}</td>',
        f'<td class="bbp-sc-trend">{sparkline_svg(item.trend, item.unit, width=80)}</td>',
        f'<td class="bbp-sc-comp">{_comparators_short(item)}</td>',
    ]
    return f'<tr data-indicator="{html.escape(item.indicator_id)}">' + "".join(cells) + "</tr>"


def scorecard_html(
    items: list[Headline], period: str, confidence: float, methods: str = "methods.html"
) -> str:
    """The scorecard table: one row per headline, and a row for each partnership measure no
    chapter reports yet; values from the synthetic extract are labelled, in the caption when
    every one is. Status is given in words and a symbol, never by colour alone; the
    variation and assurance icons (:mod:`bbp_analysis.mdc`) link their rule on ``methods``.
    On a narrow screen the stylesheet lays each row out as a card."""
    reported = {item.measure for item in items}
    missing = [
        (
            m.partnership_measure,
            f'<tr><th scope="row">{m.partnership_measure}. {html.escape(m.title)}</th>'
            '<td colspan="5">Not reported in this edition.</td></tr>',
        )
        for m in catalogue.partnership_measures()
        if m.partnership_measure not in reported
    ]
    show_period = len({item.period for item in items}) > 1
    all_synthetic = bool(items) and all(item.synthetic for item in items)
    rows = sorted(
        [
            (item.measure, _row_html(item, confidence, show_period, not all_synthetic))
            for item in items
        ]
        + missing,
        key=lambda pair: pair[0],
    )
    head = "".join(
        f'<th scope="col">{name}</th>'
        for name in (
            "Measure",
            _period_heading(items, period),
            "Status",
            f'<a href="{html.escape(methods)}#variation-and-assurance-icons">Variation, '
            "assurance</a>",
            "Trend",
            "Published comparators",
        )
    )
    return (
        f'<table class="bbp-table bbp-scorecard" id="scorecard"><caption>Scorecard of the five '
        f"partnership outcome measures, edition {html.escape(period)}"
        + (" <span class='bbp-synthetic-tag'>synthetic data</span>" if all_synthetic else "")
        + "</caption><thead><tr>"
        f"{head}</tr></thead><tbody>{''.join(row for _, row in rows)}</tbody></table>"
    )
