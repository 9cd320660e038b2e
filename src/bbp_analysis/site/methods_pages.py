"""One definition page per catalogue indicator, Fingertips-style, and the index of them.

Everything on these pages comes from the catalogue (``catalogue/indicators/*.yaml``), the one
place each definition is held.
"""

from __future__ import annotations

import html
from pathlib import Path

from .. import catalogue, extract
from ..catalogue import Indicator

METHOD_TEXT = {
    "wilson": "Percentage with a Wilson score confidence interval.",
    "byar": "Crude rate or count with Byar's confidence interval (exact Poisson below ten events).",
    "dobson": "Directly standardised rate (European Standard Population 2013) with Dobson's "
    "confidence interval.",
    "isr": "Indirectly standardised ratio with an exact (Poisson) or Byar's confidence interval.",
    "chiang": "Life expectancy from a Chiang II abridged life table with Silcocks' confidence "
    "interval; a difference of two life expectancies has the square root of the sum of their "
    "variances as its standard error.",
    "none": "Descriptive figure without a confidence interval.",
}
POLARITY_TEXT = {
    "high_is_good": "A higher value is better.",
    "low_is_good": "A lower value is better.",
    "no_judgement": "Neither higher nor lower is judged better.",
}
FOLDER = "indicators"
READING_WORDS = {
    "value": "its value for the period, with its confidence interval",
    "benchmark": "against its benchmark: better or worse only when the interval excludes it",
    "trend": "its recent trend across the years (chi-square test for trend)",
    "target": "against the plan's target, under each of the target's readings",
    "funnel": "each practice on a funnel plot (95% and 99.8% limits)",
    "spc": "month by month on a statistical process control chart",
    "inequality": "across deprivation fifths and ethnic groups (the size of the gap)",
    "effect": "as the effect of a programme (interrupted time series)",
}
BENCHMARK_WORDS = {
    "borough": "the borough as a whole (each PCN, practice or group against it)",
    "partnership": "the partnership as a whole (each organisation against it)",
    "nwl": "the North West London average",
    "national": "the national ambition",
    "plan": "the figure printed in the plan",
    "none": "nothing (no comparison is judged)",
}


def _chapter(item: Indicator) -> tuple[str, str]:
    objective = next(o for o in catalogue.partnership().objectives if o.id == item.objective)
    return objective.chapter.removeprefix("book/"), objective.short_title


def _mapping_text(values: dict) -> str:
    """A catalogue mapping (baseline, target) as plain text: ``key: value; ...``."""
    parts = []
    for key, value in values.items():
        text = _mapping_text(value) if isinstance(value, dict) else " ".join(str(value).split())
        parts.append(f"{key.replace('_', ' ')}: {text}")
    return "; ".join(parts)


def measure_text(item: Indicator) -> str:
    """Where the entry's numbers come from, in words (its ``measure``)."""
    if item.measure.of:
        titles = ", ".join(catalogue.indicator(i).title for i in item.measure.of)
        return f"Computed from other indicators of this review: {titles}."
    queries = " and ".join(q.replace("_", " ") for q, _ in item.measure.parts)
    return f"Counted from the extract by the review's {queries} query."


def readings_text(item: Indicator) -> str:
    """How the entry is read, in words (its ``readings``), one reading a sentence."""
    return " ".join(f"{READING_WORDS[r][:1].upper()}{READING_WORDS[r][1:]}." for r in item.readings)


def definition_rows(item: Indicator) -> list[tuple[str, str]]:
    """(field, HTML-escaped value) pairs of the definition table, in reading order."""
    chapter, short = _chapter(item)
    rows = [
        ("Indicator id", html.escape(item.id)),
        (
            "Objective",
            f'<a href="../{chapter}.html">Objective {item.objective}: {html.escape(short)}</a>',
        ),
        (
            "Partnership measure",
            str(item.partnership_measure) if item.partnership_measure else "Not one of the five",
        ),
        ("Definition", html.escape(" ".join(item.definition.split()))),
        ("Numerator", html.escape(item.numerator)),
        ("Denominator", html.escape(item.denominator)),
        ("Unit", html.escape(item.unit)),
        ("Measure", html.escape(measure_text(item))),
        ("Statistic", METHOD_TEXT[item.method]),
        ("Compared with", html.escape(BENCHMARK_WORDS[item.benchmark])),
        ("Read", html.escape(readings_text(item))),
        ("Polarity", POLARITY_TEXT[item.polarity]),
        ("Frequency", html.escape(item.frequency or "Not stated")),
        ("Breakdowns", html.escape(", ".join(b.replace("_", " ") for b in item.breakdowns))),
        ("Source", html.escape(" ".join(item.source.split()))),
        ("Data in this edition", html.escape(extract.origin())),
        ("Baseline", html.escape(_mapping_text(item.baseline)) or "None set"),
        ("Target", html.escape(_mapping_text(item.target)) or "None set"),
    ]
    if item.codes:
        rows.append(("ICD-10 codes (primary diagnosis)", codes_html(item)))
    return rows


def codes_html(item: Indicator) -> str:
    """The entry's code list, one condition a line, then the notes on its source and choices."""
    lines = "".join(
        f"<li>{html.escape(condition)}: {html.escape(', '.join(codes))}</li>"
        for condition, codes in item.codes.items()
    )
    notes = html.escape(" ".join(item.code_notes.split()))
    return (
        f"<ul>{lines}</ul><p>Codes in the four-character form of Hospital Episode Statistics, "
        "matched on the start of the primary diagnosis: three characters cover every code "
        f"beneath them; X fills a code with no fourth character. {notes}</p>"
    )


def indicator_page(item: Indicator) -> str:
    """The MyST page for one indicator."""
    cells = "".join(
        f'<tr><th scope="row">{name}</th><td>{value}</td></tr>'
        for name, value in definition_rows(item)
    )
    return (
        f"# {item.title}\n\n"
        f'<table class="bbp-table bbp-definition"><caption>Definition of {html.escape(item.title)}'
        f"</caption><tbody>{cells}</tbody></table>\n\n"
        "Statistical methods, comparisons and the trend rule are set out in "
        "{doc}`../methods`.\n"
    )


def index_page(items: tuple[Indicator, ...]) -> str:
    """The MyST index of indicator definitions, by objective."""
    lines = [
        "# Indicator definitions",
        "",
        "One page per indicator, generated from the review's indicator catalogue: definition, "
        "numerator, denominator, source, method, polarity, baseline and target.",
        "",
    ]
    for objective in catalogue.partnership().objectives:
        lines += [f"## Objective {objective.id}: {objective.short_title}", ""]
        lines += [
            # a document link: the page is Markdown, or a notebook once it holds the detail
            f"- {{doc}}`{item.title} <{item.id}>`"
            for item in items
            if item.objective == objective.id
        ]
        lines.append("")
    return "\n".join(lines)


def write_pages(book: Path) -> list[Path]:
    """Write the index and every indicator's page under ``book/indicators/``."""
    folder = book / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    items = catalogue.indicators()
    written = [folder / "index.md"]
    written[0].write_text(index_page(items), encoding="utf-8")
    for item in items:
        path = folder / f"{item.id}.md"
        path.write_text(indicator_page(item), encoding="utf-8")
        written.append(path)
    return written
