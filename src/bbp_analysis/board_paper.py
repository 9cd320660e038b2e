"""The board paper: each edition's review as a tagged PDF of a few A4 pages for the Joint
Management Board meeting pack.

Page 1 is the cover sheet (meeting, date, sponsor and author roles from the parameters, the
purpose, recommendation and decision asked) and an executive summary generated from the
headlines, which calls a value better or worse than its baseline only when the interval says
so. Then the five partnership measures' scorecard (the edition's headlines from its results
file, as on the front page, :func:`edition_headlines`), the exceptions (measures not met,
milestones late or at risk, risks rising), the chapters' key messages and headline figures
(read from the edition's executed notebooks, so the words, images and alternative text are
the site's own), delivery and the top risks (:mod:`bbp_analysis.delivery`, with the
chapter's risk matrix) and links to the site. Synthetic and illustrative values are labelled
as such.

Rendered from HTML and CSS by WeasyPrint as PDF/UA-1: headings, tables, lists and figures are
tagged in reading order, each chart carries the site's alternative text, the language is
``en-GB``, every font is matplotlib's DejaVu Sans, embedded, and every chart is printed at one
scale so that chart text is one size. Dates come from the meeting date (or the period end),
so identical inputs give a byte-identical file.
"""

from __future__ import annotations

import base64
import html
import io
import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import matplotlib
import pandas as pd
from IPython.display import HTML
from PIL import Image

from . import catalogue, extract, results
from .delivery import status, text
from .delivery.tracker import Tracker, load_tracker
from .headline import Headline
from .main_points import format_value, main_points
from .params import names_filled
from .site.whatchanged import comparisons

FILE_NAME = "board-paper.pdf"
"""Written at the root of each edition's site, beside ``book/``."""
LANGUAGE = "en-GB"
KEY_MESSAGES = "**Key messages**"
FIGURE = re.compile(
    r'<figure class="bbp-figure" id="([a-z0-9-]+)">\s*<img ([^>]*?)/?>\s*'
    r"<figcaption>(.*?)(?: <a |</figcaption>)",
    re.DOTALL,
)
ATTRIBUTE = re.compile(r'([a-z-]+)="([^"]*)"')
DELIVERY_FIGURES = ("delivery-risks",)
"""The delivery chapter's figures the paper shows (``delivery.views``)."""
TOP_RISKS = 3
SEE_BELOW = re.compile(r"\(see (?:below|above)\)")
SITE_CHAPTER = "(see the chapter on the site, section 3)"
FOOTER = (
    "Values marked [synthetic] come from a generated extract, not real people's records; "
    "delivery statuses from 2022-23 and risk scores are illustrative."
)
CONTENT_WIDTH_MM = 174.0
"""A4 (210 mm) less 18 mm margins each side."""
CHART_FONT_PT = 10.0
"""The house style's text size at a chart's design size (``figures.STYLE['font.size']``)."""
MM_PER_INCH = 25.4
STYLESHEET = """
@font-face { font-family: "BBP Sans"; src: url("{regular}"); }
@font-face { font-family: "BBP Sans"; src: url("{bold}"); font-weight: bold; }
@font-face { font-family: "BBP Sans"; src: url("{italic}"); font-style: italic; }
@font-face {
  font-family: "BBP Sans"; src: url("{bold_italic}"); font-weight: bold; font-style: italic;
}
@page {
  size: A4;
  margin: 16mm 18mm 18mm 18mm;
  @top-right {
    content: "Board paper {period} \\00B7  page " counter(page) " of " counter(pages);
    font: 7pt "BBP Sans"; color: #444;
  }
  @bottom-left { content: "{footer}"; font: 7pt "BBP Sans"; color: #444; }
}
html { font-family: "BBP Sans"; font-size: 9pt; line-height: 1.35; color: #111; }
h1 { font-size: 16pt; line-height: 1.25; margin: 0 0 3mm; }
h2 { font-size: 12pt; margin: 5mm 0 2mm; break-after: avoid; }
h3 { font-size: 10pt; margin: 3mm 0 1.5mm; break-after: avoid; }
p, ul { margin: 0 0 2mm; }
ul { padding-left: 5mm; }
.label { font-weight: bold; color: #8A3B00; font-size: 8.5pt; }
.note { font-size: 7.5pt; color: #444; }
table { border-collapse: collapse; width: 100%; font-size: 7.5pt; line-height: 1.3;
  margin: 1mm 0 3mm; }
caption { text-align: left; font-weight: bold; font-size: 8pt; padding-bottom: 1mm; }
th, td { text-align: left; vertical-align: top; padding: 1mm 1mm;
  border-bottom: 0.4pt solid #BBB; }
thead th { background: #E6EEF5; }
tr { break-inside: avoid; }
figure { margin: 2mm 0 4mm; break-inside: avoid; }
figure img { display: block; }
figcaption { font-size: 7.5pt; color: #444; margin-top: 1mm; }
a { color: #004A8F; }
.cover-sheet { break-after: page; }
table.cover { width: auto; font-size: 9pt; margin-bottom: 1mm; }
table.cover th { width: 32mm; background: #E6EEF5; }
ul.summary li { margin-bottom: 1mm; }
"""


@dataclass(frozen=True)
class SiteFigure:
    """One figure as the site publishes it: PNG bytes, caption and alternative text."""

    png: bytes
    caption: str
    alt: str


def _font_urls() -> dict[str, str]:
    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    names = {
        "regular": "DejaVuSans",
        "bold": "DejaVuSans-Bold",
        "italic": "DejaVuSans-Oblique",
        "bold_italic": "DejaVuSans-BoldOblique",
    }
    return {key: (folder / f"{name}.ttf").as_uri() for key, name in names.items()}


def stylesheet(period: str) -> str:
    """The paper's CSS: A4 pages, running header and footer, the embedded DejaVu Sans."""
    values = {**_font_urls(), "period": period, "footer": FOOTER}
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m[1], m[0]), STYLESHEET)


def _inline(markdown: str) -> str:
    """Markdown emphasis as HTML, everything else escaped."""
    escaped = html.escape(markdown, quote=False)
    escaped = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", escaped)
    return re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"<em>\1</em>", escaped)


# Reading the executed notebooks ------------------------------------------------------------


def _outputs(notebook: Path) -> tuple[str, list[dict[str, Any]]]:
    """The notebook's first heading and every display output's data."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    title = next(
        (
            line.removeprefix("# ")
            for cell in cells
            if cell["cell_type"] == "markdown"
            for line in "".join(cell["source"]).splitlines()
            if line.startswith("# ")
        ),
        notebook.stem,
    )
    data = [
        output.get("data", {})
        for cell in cells
        if cell["cell_type"] == "code"
        for output in cell.get("outputs", [])
    ]
    return title, data


def _text(value: str | list[str]) -> str:
    return "".join(value) if isinstance(value, list) else value


def chapter_key_messages(executed: Path) -> list[tuple[str, list[str]]]:
    """Each executed chapter's key messages as the site shows them: (chapter title, bullet
    lines in Markdown), in book order; chapters without a key-messages block are left out."""
    out = []
    for notebook in sorted(executed.glob("objective-*.ipynb")):
        title, outputs = _outputs(notebook)
        for data in outputs:
            block = _text(data.get("text/markdown", ""))
            if block.startswith(KEY_MESSAGES):
                bullets = [
                    line.removeprefix("- ").strip()
                    for line in block.splitlines()
                    if line.startswith("- ")
                ]
                out.append((title, bullets))
                break
    return out


def site_figures(executed: Path) -> dict[str, SiteFigure]:
    """Every published figure in the executed notebooks (``publish.show_figure``'s blocks):
    id -> its PNG, caption and alt text, exactly as the site shows them."""
    found: dict[str, SiteFigure] = {}
    for notebook in sorted(executed.glob("*.ipynb")):
        for data in _outputs(notebook)[1]:
            for figure_id, img, caption in FIGURE.findall(_text(data.get("text/html", ""))):
                attributes = dict(ATTRIBUTE.findall(img))
                encoded = attributes["src"].partition("base64,")[2]
                found[figure_id] = SiteFigure(
                    png=base64.b64decode(encoded),
                    caption=html.unescape(caption).strip(),
                    alt=html.unescape(attributes.get("alt", "")),
                )
    return found


# Building blocks ---------------------------------------------------------------------------


def _design_width_mm(png: bytes) -> float:
    """A chart's width at its design size (pixels over the PNG's recorded resolution)."""
    with Image.open(io.BytesIO(png)) as image:
        dpi = image.info.get("dpi", (matplotlib.rcParamsDefault["savefig.dpi"],))[0]
        return image.width / float(dpi) * MM_PER_INCH


def chart_scale(figures: list[SiteFigure]) -> float:
    """One scale for every chart in the paper (at most 1), so that all chart text prints at
    the same size: the largest that fits the widest chart in the text column."""
    widest = max((_design_width_mm(f.png) for f in figures), default=CONTENT_WIDTH_MM)
    return min(1.0, CONTENT_WIDTH_MM / widest)


def figure_html(figure: SiteFigure, scale: float) -> str:
    """A site figure with its alt text and caption, at ``scale`` of its design size."""
    encoded = base64.b64encode(figure.png).decode("ascii")
    width = _design_width_mm(figure.png) * scale
    return (
        f'<figure><img src="data:image/png;base64,{encoded}" alt="{html.escape(figure.alt)}"'
        f' style="width: {width:.1f}mm" /><figcaption>{html.escape(figure.caption)}'
        "</figcaption></figure>"
    )


def table_html(header: list[str], rows: list[list[str]], widths: list[int]) -> str:
    """A table with a header row of ``th`` (column scope); cells are already mark-up;
    ``widths`` are column widths in per cent."""
    columns = "".join(f'<col style="width: {w}%" />' for w in widths)
    head = "".join(f'<th scope="col">{html.escape(h)}</th>' for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return (
        f"<table><colgroup>{columns}</colgroup><thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table>"
    )


def scorecard_html(items: list[Headline], confidence: float) -> str:
    """The scorecard: one row per headline indicator, a row for each measure not reported."""
    rows = []
    for item in items:
        interval = (
            ""
            if item.lower is None or item.upper is None
            else f"<br />({format_value(item.lower, item.unit)} to "
            f"{format_value(item.upper, item.unit)})"
        )
        tag = " <em>[synthetic]</em>" if item.synthetic else ""
        caveat = getattr(item, "caveat", "")
        note = f'<br /><span class="note">{html.escape(caveat)}</span>' if caveat else ""
        rows.append(
            [
                f"{item.measure}. {html.escape(item.title)}{tag}{note}",
                f"<strong>{format_value(item.value, item.unit)}</strong>{interval}<br />"
                f"{html.escape(item.period)}",
                html.escape(item.target_text),
                f"<strong>{html.escape(item.status.capitalize())}</strong>",
                html.escape(_sentence_case(_baseline_phrase(item)) or "No baseline"),
            ]
        )
    reported = {item.measure for item in items}
    rows += [
        [
            f"{m.partnership_measure}. {html.escape(m.title)}",
            "Not reported in this edition",
            "",
            "",
            "",
        ]
        for m in catalogue.partnership_measures()
        if m.partnership_measure not in reported
    ]
    header = ["Measure", f"Value ({confidence:.0%} CI)", "Target", "Status", "Against baseline"]
    return table_html(header, rows, [30, 17, 24, 10, 19])


def _baseline_phrase(item: Headline) -> str:
    """How the latest value stands against the baseline, stating only what its test supports
    (:func:`bbp_analysis.site.whatchanged.comparisons`, as :mod:`bbp_analysis.judgement`
    specifies); empty without a baseline."""
    if item.baseline is None:
        return ""
    word = comparisons(item.as_dict())["baseline"]
    period = item.baseline_period
    name = f"the {period}" if "baseline" in period else f"the {period} baseline"
    value = format_value(item.baseline, item.unit)
    if word == "similar":
        return f"not clearly different from {name} of {value}"
    return f"{word} than {name} of {value}" if word != "not compared" else ""


def _sentence_case(phrase: str) -> str:
    return phrase[:1].upper() + phrase[1:]


def summary_points(items: list[Headline], tracker: Tracker, period: str) -> list[str]:
    """The executive summary as plain sentences (mark-up escaped): the edition's main points
    (:func:`bbp_analysis.main_points.main_points`, as on the front page), then the delivery
    and risk positions."""
    lines = [
        *main_points(items),
        text.status_sentence(tracker, period),
        text.risk_sentence(tracker, period),
    ]
    return [html.escape(line) for line in lines]


def late_milestones(tracker: Tracker, period: str, period_end: str) -> pd.DataFrame:
    """Milestones at risk or off track, and those due by ``period_end`` and not complete,
    worst first (:func:`bbp_analysis.delivery.text.off_track` order, then the late ones)."""
    table = status.current(tracker, period)
    late = table[(table["due"] <= pd.Timestamp(period_end)) & (table["status"] != "complete")]
    flagged = text.off_track(tracker, period)
    extra = late[~late["milestone_id"].isin(flagged["milestone_id"])]
    out = pd.concat([flagged, extra], ignore_index=True)
    out["late"] = out["due"] <= pd.Timestamp(period_end)
    return out


def exceptions_html(items: list[Headline], tracker: Tracker, period: str, period_end: str) -> str:
    """Measures not met, milestones late or at risk, risks rising: each a table, or a
    sentence saying there is none."""
    missed = [item for item in items if item.status == "not met"]
    parts = ["<h3>Measures not met</h3>"]
    if missed:
        rows = [
            [
                f"{item.measure}. {html.escape(item.title)}",
                f"<strong>{format_value(item.value, item.unit)}</strong>",
                html.escape(item.target_text),
                html.escape(item.status_text),
            ]
            for item in missed
        ]
        parts.append(table_html(["Measure", "Latest", "Target", "Why"], rows, [28, 12, 24, 36]))
    else:
        parts.append("<p>No reported measure is clearly short of its target.</p>")
    milestones = late_milestones(tracker, period, period_end)
    parts.append("<h3>Milestones late, at risk or off track</h3>")
    if len(milestones):
        rows = [
            [
                html.escape(r["workstream"]),
                html.escape(r["milestone"]),
                r["due"].strftime("%d %b %Y") + (" (past due)" if r["late"] else ""),
                f"<strong>{html.escape(r['status'])}</strong>",
                html.escape(r["evidence"]),
            ]
            for _, r in milestones.iterrows()
        ]
        parts.append(
            table_html(
                ["Workstream", "Milestone", "Due", "Status", "Evidence"], rows, [19, 29, 13, 10, 29]
            )
        )
    else:
        parts.append(f"<p>No milestone is late, at risk or off track in {period}.</p>")
    register = status.risk_register(tracker, period)
    rising = register[register["trend"].isin(["rising", "new"])]
    parts.append("<h3>Risks rising or new</h3>")
    if len(rising):
        parts.append(_risk_table(rising))
    else:
        parts.append("<p>No risk score rose, and no new risk was added, at the latest review.</p>")
    return "".join(parts)


def _risk_table(register: pd.DataFrame) -> str:
    rows = [
        [
            html.escape(r["risk"]),
            html.escape(r["owner_role"]),
            f"{r['likelihood']} x {r['impact']} = <strong>{r['score']}</strong> ({r['band']})",
            html.escape(r["trend"]),
            html.escape(r["mitigations"]),
        ]
        for _, r in register.iterrows()
    ]
    return table_html(
        ["Risk", "Owner role", "L x I = score", "Trend", "Mitigations"], rows, [33, 18, 14, 8, 27]
    )


def delivery_html(tracker: Tracker, period: str, figures: dict[str, str]) -> str:
    """Delivery in two sentences, the top risks as a table, then the risk matrix."""
    parts = [
        f"<p>{html.escape(text.status_sentence(tracker, period))} "
        f"{html.escape(text.moved_sentence(tracker, period))}</p>",
        f'<p class="note">{html.escape(text.ILLUSTRATIVE_NOTE)}</p>',
        "<h3>Top risks</h3>",
    ]
    register = status.risk_register(tracker, period)
    if register.empty:
        return "".join(parts) + f"<p>No risk review is recorded for {html.escape(period)}.</p>"
    return (
        "".join(parts)
        + f"<p>{html.escape(text.risk_sentence(tracker, period))}</p>"
        + _risk_table(register.head(TOP_RISKS))
        + figures.get("delivery-risks", "")
    )


def edition_headlines(executed: Path) -> list[Headline]:
    """The edition's headlines, from its results file (``../_extra/results.json`` beside the
    executed notebooks in ``executed``), as the front page shows them."""
    return results.headlines(executed.parent / "_extra")


def _figure_ids(items: list[Headline]) -> list[str]:
    """The site figure behind each headline (its anchor's fragment), once each, in order."""
    return list(dict.fromkeys(item.anchor.partition("#")[2] for item in items))


def cover_html(params: dict[str, Any], items: list[Headline]) -> str:
    """The cover sheet: meeting, date, sponsor and author, purpose, recommendation and the
    decisions asked, one a line, each led by its verb in bold (all from the parameters, with
    ``{partnership}``, ``{area_name}``, ``{period}`` and ``{not_met}`` written out; flagged
    when they are illustrative)."""
    meeting_date = params.get("board_meeting_date")
    rows = [
        ("Meeting", html.escape(names_filled(params["board_meeting"], params))),
        (
            "Meeting date",
            date.fromisoformat(meeting_date).strftime("%-d %B %Y") if meeting_date else "To be set",
        ),
        ("Sponsor", html.escape(names_filled(params["board_sponsor_role"], params))),
        ("Author", html.escape(names_filled(params["board_author_role"], params))),
        ("Paper for", "Decision"),
    ]
    details = "".join(f'<tr><th scope="row">{k}</th><td>{v}</td></tr>' for k, v in rows)
    note = (
        '<p class="note">The meeting, its date and the sponsor and author roles are '
        "illustrative until the partnership sets them.</p>"
        if params["board_cover_illustrative"]
        else ""
    )
    words = {"{period}": params["period"], "{not_met}": str(_not_met(items))}

    def filled(name: str) -> str:
        text = names_filled(params[name], params)
        for key, value in words.items():
            text = text.replace(key, value)
        return html.escape(text)

    decisions = "".join(
        f"<li><strong>{first}</strong>{rest}</li>"
        for line in filled("board_decision").splitlines()
        if line.strip()
        for first, rest in [re.match(r"(\S+)(.*)", line.strip()).groups()]
    )
    return (
        f'<table class="cover">{details}</table>{note}'
        f"<h2>Purpose</h2><p>{filled('board_purpose')}</p>"
        f"<h2>Recommendation</h2><p>{filled('board_recommendation')}</p>"
        f"<h2>Decision asked</h2><ul>{decisions}</ul>"
    )


def _not_met(items: list[Headline]) -> int:
    return sum(item.status == "not met" for item in items)


def links_html(items: list[Headline]) -> str:
    """Where each part of the paper is on the site (links relative to this file, which sits
    beside the edition's ``book/``)."""
    entries = [("The review's front page and scorecard", "book/index.html")]
    entries += [
        (f"Measure {item.measure}: {item.title}", f"book/{page}.html#{figure}")
        for item in items
        for page, _, figure in [item.anchor.partition("#")]
    ]
    entries += [
        ("Delivering the plan: milestones and the risk register", "book/delivering-the-plan.html"),
        ("Methods, data sources and the indicator definitions", "book/methods.html"),
    ]
    return (
        "<ul>"
        + "".join(
            f'<li>{html.escape(label)}: <a href="{html.escape(href)}">{html.escape(href)}</a></li>'
            for label, href in dict.fromkeys(entries)
        )
        + "</ul>"
    )


def key_messages_html(executed: Path) -> str:
    """The chapters' key messages, with references to the chapter page's own layout
    ("see below") pointed at the chapter on the site instead."""
    return "".join(
        f"<h3>{html.escape(title)}</h3><ul>"
        + "".join(f"<li>{_inline(SEE_BELOW.sub(SITE_CHAPTER, b))}</li>" for b in bullets)
        + "</ul>"
        for title, bullets in chapter_key_messages(executed)
    )


def paper_html(
    params: dict[str, Any], items: list[Headline], tracker: Tracker, executed: Path
) -> str:
    """The whole paper as one HTML document (language, title, dates and author in its head)."""
    period = params["period"]
    area = html.escape(params["area_name"])
    found = site_figures(executed)
    headline_ids = [i for i in _figure_ids(items) if i in found]
    shown = [*headline_ids, *(i for i in DELIVERY_FIGURES if i in found)]
    scale = chart_scale([found[i] for i in shown])
    figures = {i: figure_html(found[i], scale) for i in shown}
    synthetic = extract.synthetic_label(params["area_code"], int(params["synthetic_seed"]))
    title = f"{area} Borough Based Partnership annual review {html.escape(period)}"
    dated = html.escape(params.get("board_meeting_date") or params["period_end"])
    summary = "".join(f"<li>{line}</li>" for line in summary_points(items, tracker, period))
    return (
        f'<!DOCTYPE html><html lang="{LANGUAGE}"><head><meta charset="utf-8" />'
        f"<title>Board paper: {title}</title>"
        f'<meta name="author" content="{area} Borough Based Partnership" />'
        f'<meta name="dcterms.created" content="{dated}" />'
        f'<meta name="dcterms.modified" content="{dated}" />'
        f'</head><body><section class="cover-sheet"><h1>Board paper: {title}</h1>'
        f"{cover_html(params, items)}"
        f'<h2>Executive summary</h2><ul class="summary">{summary}</ul>'
        f'<p class="label">{html.escape(synthetic)}</p></section>'
        "<h2>1. Scorecard: the five partnership measures</h2>"
        f"{scorecard_html(items, float(params['confidence']))}"
        "<h2>2. Exceptions</h2>"
        f"{exceptions_html(items, tracker, period, params['period_end'])}"
        "<h2>3. On the site</h2><p>Every chart with its data, the methods and the "
        "indicator definitions are on the review's site, beside this paper:</p>"
        f"{links_html(items)}"
        f"<h2>4. Key messages from the chapters</h2>{key_messages_html(executed)}"
        f"<h2>5. Delivering the plan and the top risks</h2>"
        f"{delivery_html(tracker, period, figures)}"
        "<h2>6. Headline figures from the review</h2>"
        + "".join(figures[i] for i in headline_ids)
        + "</body></html>"
    )


def write_board_paper(
    params: dict[str, Any], executed: Path, out: Path, root: Path | None = None
) -> Path:
    """Write the edition's board paper to ``out`` (PDF/UA-1) and return it.

    ``executed`` is the folder of the edition's executed notebooks (key messages, figures and
    their alt text are read from there, the headlines from the results file in its ``_extra``);
    ``params`` are the edition's run parameters.
    """
    # imported here, not with the module: the notebooks that link to the paper never render it
    from weasyprint import CSS
    from weasyprint import HTML as WeasyHTML

    tracker = load_tracker(root)
    items = edition_headlines(executed)
    document = WeasyHTML(string=paper_html(params, items, tracker, executed))
    out.parent.mkdir(parents=True, exist_ok=True)
    document.write_pdf(
        out,
        stylesheets=[CSS(string=stylesheet(params["period"]))],
        pdf_variant="pdf/ua-1",
        pdf_identifier=True,
    )
    return out


def front_page_link(period: str) -> HTML:
    """The front page's link to the edition's board paper (``book/index`` -> ``../``)."""
    return HTML(
        f'<p class="bbp-board-paper"><a href="../{FILE_NAME}">Board paper for '
        f"{html.escape(period)} (PDF): summary, scorecard, exceptions, delivery and top risks"
        "</a></p>"
    )
