"""The board paper: each edition's review as a tagged PDF of a few A4 pages for the Joint
Management Board and the Health and Wellbeing Board meeting packs.

Contents: the five partnership measures' scorecard (the front page's headlines,
:func:`edition_headlines`), the chapters' key messages and headline figures (read from the
edition's executed notebooks, so the words, images and alternative text are the site's own),
the delivery summary and the top risks (from :mod:`bbp_analysis.delivery`, with the delivery
chapter's own figures). Synthetic and illustrative values are labelled as such.

Rendered from HTML and CSS by WeasyPrint as PDF/UA-1: headings, tables, lists and figures are
tagged in reading order, each chart carries the site's alternative text, the language is
``en-GB``, and every font is matplotlib's DejaVu Sans, embedded. Dates come from the edition's
period end, so identical inputs give a byte-identical file.
"""

from __future__ import annotations

import base64
import html
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib
from IPython.display import HTML
from PIL import Image
from weasyprint import CSS
from weasyprint import HTML as WeasyHTML

from . import catalogue, extract
from .delivery import status, text
from .delivery.tracker import Tracker, load_tracker
from .headline import Headline
from .scorecard import SNAPSHOT, headlines

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
DELIVERY_FIGURES = ("delivery-status", "delivery-risks")
"""The delivery chapter's figures the paper shows (``delivery.views``)."""
TOP_RISKS = 3
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


def format_value(value: float | None, unit: str) -> str:
    """A headline value as the scorecard prints it: one decimal place and its unit."""
    if value is None:
        return "[x]"
    return f"{value:,.1f}%" if unit == "%" else f"{value:,.1f} {unit}"


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
        rows.append(
            [
                f"{item.measure}. {html.escape(item.title)}{tag}",
                f"<strong>{format_value(item.value, item.unit)}</strong>{interval}<br />"
                f"{html.escape(item.period)}",
                html.escape(item.target_text),
                f"<strong>{html.escape(item.status.capitalize())}</strong>",
                html.escape(item.status_text),
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
    header = ["Measure", f"Value ({confidence:.0%} CI)", "Target", "Status", "Why"]
    return table_html(header, rows, [27, 17, 19, 11, 26])


def delivery_html(tracker: Tracker, period: str, figures: dict[str, str]) -> str:
    """The delivery summary: sentences, milestones at risk or off track, the status chart."""
    parts = [f"<p>{html.escape(line)}</p>" for line in text.key_messages(tracker, period)[:2]]
    flagged = text.off_track(tracker, period)
    if len(flagged):
        rows = [
            [
                html.escape(r["workstream"]),
                html.escape(r["milestone"]),
                r["due"].strftime("%d %b %Y"),
                f"<strong>{html.escape(r['status'])}</strong>",
                html.escape(r["evidence"]),
            ]
            for _, r in flagged.iterrows()
        ]
        parts += [
            "<h3>Milestones at risk or off track</h3>",
            table_html(
                ["Workstream", "Milestone", "Due", "Status", "Evidence"], rows, [19, 29, 11, 10, 31]
            ),
        ]
    parts.append(figures.get("delivery-status", ""))
    return "".join(parts)


def risk_html(tracker: Tracker, period: str, figures: dict[str, str]) -> str:
    """The top risks as a table, then the risk matrix."""
    register = status.risk_register(tracker, period)
    if register.empty:
        return f"<p>No risk review is recorded for {html.escape(period)}.</p>"
    rows = [
        [
            html.escape(r["risk"]),
            html.escape(r["owner_role"]),
            f"{r['likelihood']} x {r['impact']} = <strong>{r['score']}</strong> ({r['band']})",
            html.escape(r["trend"]),
            html.escape(r["mitigations"]),
        ]
        for _, r in register.head(TOP_RISKS).iterrows()
    ]
    return (
        f"<p>{html.escape(text.risk_sentence(tracker, period))}</p>"
        + table_html(
            ["Risk", "Owner role", "L x I = score", "Trend", "Mitigations"],
            rows,
            [33, 18, 14, 8, 27],
        )
        + figures.get("delivery-risks", "")
    )


def edition_headlines(params: dict[str, Any], executed: Path) -> list[Headline]:
    """The headlines the edition's front page published (``../_extra/headlines.json`` beside
    the executed notebooks), or computed from the chapters when there is no such snapshot."""
    snapshot = executed.parent / "_extra" / SNAPSHOT
    if not snapshot.is_file():
        return headlines(params)
    items = json.loads(snapshot.read_text(encoding="utf-8"))
    return [
        Headline(**{**item, "trend": [tuple(point) for point in item["trend"]]}) for item in items
    ]


def _figure_ids(items: list[Headline]) -> list[str]:
    """The site figure behind each headline (its anchor's fragment), once each, in order."""
    return list(dict.fromkeys(item.anchor.partition("#")[2] for item in items))


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
    key_messages = "".join(
        f"<h3>{html.escape(title)}</h3><ul>"
        + "".join(f"<li>{_inline(b)}</li>" for b in bullets)
        + "</ul>"
        for title, bullets in chapter_key_messages(executed)
    )
    title = f"{area} Borough Based Partnership: annual review {html.escape(period)}"
    date = html.escape(params["period_end"])
    return (
        f'<!DOCTYPE html><html lang="{LANGUAGE}"><head><meta charset="utf-8" />'
        f"<title>Board paper: {title}</title>"
        f'<meta name="author" content="{area} Borough Based Partnership" />'
        f'<meta name="dcterms.created" content="{date}" />'
        f'<meta name="dcterms.modified" content="{date}" />'
        f"</head><body><h1>{title}</h1>"
        "<p>Board paper for the Joint Management Board and the Health and Wellbeing Board: "
        "the five partnership outcome measures, key messages, delivery of the plan and the "
        "top risks.</p>"
        f'<p class="label">{html.escape(synthetic)}</p>'
        "<h2>1. Scorecard: the five partnership measures</h2>"
        f"{scorecard_html(items, float(params['confidence']))}"
        f"<h2>2. Key messages</h2>{key_messages}"
        "<h2>3. Delivering the plan</h2>"
        f"{delivery_html(tracker, period, figures)}"
        f'<p class="note">{html.escape(text.ILLUSTRATIVE_NOTE)}</p>'
        f"<h2>4. Top risks</h2>{risk_html(tracker, period, figures)}"
        "<h2>5. Headline figures from the review</h2>"
        + "".join(figures[i] for i in headline_ids)
        + '<p class="note">The site holds every chart with its data, the methods and the '
        "indicator definitions.</p></body></html>"
    )


def write_board_paper(
    params: dict[str, Any], executed: Path, out: Path, root: Path | None = None
) -> Path:
    """Write the edition's board paper to ``out`` (PDF/UA-1) and return it.

    ``executed`` is the folder of the edition's executed notebooks (key messages, figures and
    their alt text, and the front page's headlines are read from there and its ``_extra``);
    ``params`` are the edition's run parameters.
    """
    tracker = load_tracker(root)
    items = edition_headlines(params, executed)
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
        f"{html.escape(period)} (PDF): scorecard, key messages, delivery and top risks"
        "</a></p>"
    )
