"""The board paper: each edition's review as a PDF of a few pages for the Joint Management
Board and the Health and Wellbeing Board meeting packs.

Contents: the five partnership measures' scorecard (from the chapters' headlines,
:func:`bbp_analysis.scorecard.headlines`), the chapters' key messages and headline figures
(read from the edition's executed notebooks, so the words and images are the site's own), the
delivery summary and the top risks (from :mod:`bbp_analysis.delivery`, drawn with the same
charts as the delivery chapter). Synthetic and illustrative values are labelled as such.
Written with reportlab (no download, no TeX); fonts are matplotlib's DejaVu Sans, embedded;
the file is byte-identical for identical inputs (reportlab's invariant mode).
"""

from __future__ import annotations

import base64
import html
import io
import json
import re
from pathlib import Path
from typing import Any

import matplotlib
from IPython.display import HTML
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    Image,
    KeepTogether,
    ListFlowable,
    ListItem,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from . import catalogue, extract
from .delivery import charts, status, text
from .delivery.tracker import Tracker, load_tracker
from .figures import png_bytes
from .headline import Headline
from .scorecard import SNAPSHOT, headlines

FILE_NAME = "board-paper.pdf"
"""Written at the root of each edition's site, beside ``book/``."""
FONT, BOLD = "DejaVuSans", "DejaVuSans-Bold"
WIDTH = A4[0] - 36 * mm
KEY_MESSAGES = "**Key messages**"
FIGURE = re.compile(
    r'<figure class="bbp-figure" id="([a-z0-9-]+)"><img src="data:image/png;'
    r'base64,([A-Za-z0-9+/=]+)"[^>]*/><figcaption>(.*?) <a ',
    re.DOTALL,
)
TOP_RISKS = 3
FOOTER = (
    "Values marked [synthetic] come from a generated extract, not real people's records; "
    "delivery statuses from 2022-23 and risk scores are illustrative."
)


def _fonts() -> None:
    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    for name in (FONT, BOLD):
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, str(folder / f"{name}.ttf")))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=BOLD, italic=FONT, boldItalic=BOLD)


def _styles() -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=12, spaceAfter=4)
    return {
        "title": ParagraphStyle("title", parent=body, fontName=BOLD, fontSize=16, leading=20),
        "h1": ParagraphStyle(
            "h1",
            parent=body,
            fontName=BOLD,
            fontSize=12,
            leading=15,
            spaceBefore=8,
            spaceAfter=4,
        ),
        "h2": ParagraphStyle(
            "h2", parent=body, fontName=BOLD, fontSize=10, leading=13, spaceBefore=4
        ),
        "body": body,
        "cell": ParagraphStyle("cell", parent=body, fontSize=7.5, leading=9.5, spaceAfter=0),
        "note": ParagraphStyle(
            "note", parent=body, fontSize=7.5, leading=9.5, textColor=colors.HexColor("#444444")
        ),
        "label": ParagraphStyle(
            "label", parent=body, fontName=BOLD, fontSize=8.5, textColor=colors.HexColor("#8A3B00")
        ),
    }


def _inline(markdown: str) -> str:
    """Markdown emphasis as reportlab mark-up, everything else escaped."""
    escaped = html.escape(markdown, quote=False)
    escaped = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", escaped)
    return re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"<i>\1</i>", escaped)


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


def site_figures(executed: Path) -> dict[str, tuple[bytes, str]]:
    """Every published figure in the executed notebooks: id -> (PNG bytes, caption text)."""
    found: dict[str, tuple[bytes, str]] = {}
    for notebook in sorted(executed.glob("*.ipynb")):
        for data in _outputs(notebook)[1]:
            for figure_id, encoded, caption in FIGURE.findall(_text(data.get("text/html", ""))):
                found[figure_id] = (base64.b64decode(encoded), html.unescape(caption))
    return found


# Building blocks ---------------------------------------------------------------------------


def _image(png: bytes, max_width: float = WIDTH, max_height: float = 120 * mm) -> Image:
    width, height = ImageReader(io.BytesIO(png)).getSize()
    scale = min(max_width / width, max_height / height)
    return Image(io.BytesIO(png), width=width * scale, height=height * scale)


def _table(rows: list[list[Any]], widths: list[float]) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("FONTSIZE", (0, 0), (-1, -1), 7.5),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E6EEF5")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, colors.HexColor("#BBBBBB")),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def _cells(values: list[str], style: ParagraphStyle) -> list[Paragraph]:
    return [Paragraph(value, style) for value in values]


def scorecard_flowables(
    items: list[Headline], confidence: float, styles: dict[str, ParagraphStyle]
) -> list:
    """The scorecard: one row per headline indicator, a row for each measure not reported."""
    cell = styles["cell"]
    rows = [
        _cells(
            [
                "<b>Measure</b>",
                f"<b>Value ({confidence:.0%} CI)</b>",
                "<b>Target</b>",
                "<b>Status</b>",
                "<b>Why</b>",
            ],
            cell,
        )
    ]
    reported = {item.measure for item in items}
    for item in items:
        interval = (
            ""
            if item.lower is None or item.upper is None
            else f"<br/>({format_value(item.lower, item.unit)} to "
            f"{format_value(item.upper, item.unit)})"
        )
        tag = " <i>[synthetic]</i>" if item.synthetic else ""
        rows.append(
            _cells(
                [
                    f"{item.measure}. {html.escape(item.title)}{tag}",
                    f"<b>{format_value(item.value, item.unit)}</b>{interval}<br/>{item.period}",
                    html.escape(item.target_text),
                    f"<b>{item.status.capitalize()}</b>",
                    html.escape(item.status_text),
                ],
                cell,
            )
        )
    for measure in catalogue.partnership_measures():
        if measure.partnership_measure not in reported:
            rows.append(
                _cells(
                    [
                        f"{measure.partnership_measure}. {html.escape(measure.title)}",
                        "Not reported in this edition",
                        "",
                        "",
                        "",
                    ],
                    cell,
                )
            )
    return [_table(rows, [48 * mm, 30 * mm, 32 * mm, 20 * mm, WIDTH - 130 * mm])]


def delivery_flowables(tracker: Tracker, period: str, styles: dict[str, ParagraphStyle]) -> list:
    """The delivery summary: sentences, milestones at risk or off track, the status chart."""
    cell = styles["cell"]
    out: list = [
        Paragraph(html.escape(line), styles["body"])
        for line in text.key_messages(tracker, period)[:2]
    ]
    flagged = text.off_track(tracker, period)
    if len(flagged):
        rows = [
            _cells(
                [
                    "<b>Workstream</b>",
                    "<b>Milestone</b>",
                    "<b>Due</b>",
                    "<b>Status</b>",
                    "<b>Evidence</b>",
                ],
                cell,
            )
        ]
        rows += [
            _cells(
                [
                    html.escape(r["workstream"]),
                    html.escape(r["milestone"]),
                    r["due"].strftime("%d %b %Y"),
                    f"<b>{r['status']}</b>",
                    html.escape(r["evidence"]),
                ],
                cell,
            )
            for _, r in flagged.iterrows()
        ]
        out += [
            Paragraph("Milestones at risk or off track", styles["h2"]),
            _table(rows, [34 * mm, 50 * mm, 20 * mm, 18 * mm, WIDTH - 122 * mm]),
        ]
    summary = status.workstream_summary(tracker, period)
    if len(summary):
        out += [
            Spacer(1, 4 * mm),
            _image(png_bytes(charts.status_chart(summary, period)), max_height=80 * mm),
        ]
    return out


def risk_flowables(tracker: Tracker, period: str, styles: dict[str, ParagraphStyle]) -> list:
    """The top risks as a table, then the risk matrix."""
    cell = styles["cell"]
    register = status.risk_register(tracker, period)
    if register.empty:
        return [Paragraph(f"No risk review is recorded for {period}.", styles["body"])]
    rows = [
        _cells(
            [
                "<b>Risk</b>",
                "<b>Owner role</b>",
                "<b>L x I = score</b>",
                "<b>Trend</b>",
                "<b>Mitigations</b>",
            ],
            cell,
        )
    ]
    rows += [
        _cells(
            [
                html.escape(r["risk"]),
                html.escape(r["owner_role"]),
                f"{r['likelihood']} x {r['impact']} = <b>{r['score']}</b> ({r['band']})",
                r["trend"],
                html.escape(r["mitigations"]),
            ],
            cell,
        )
        for _, r in register.head(TOP_RISKS).iterrows()
    ]
    return [
        Paragraph(html.escape(text.risk_sentence(tracker, period)), styles["body"]),
        _table(rows, [58 * mm, 32 * mm, 24 * mm, 14 * mm, WIDTH - 128 * mm]),
        Spacer(1, 4 * mm),
        _image(png_bytes(charts.risk_matrix_chart(register, period)), max_height=95 * mm),
    ]


def figure_flowables(
    items: list[Headline], executed: Path, styles: dict[str, ParagraphStyle]
) -> list:
    """Section 5: the site's figure behind each headline (its anchor), with its caption; the
    heading is kept on the page of the first figure."""
    figures = site_figures(executed)
    blocks = [
        [
            _image(figures[i][0], max_height=90 * mm),
            Paragraph(html.escape(figures[i][1]), styles["note"]),
        ]
        for i in dict.fromkeys(item.anchor.partition("#")[2] for item in items)
        if i in figures
    ]
    heading = Paragraph("5. Headline figures from the review", styles["h1"])
    note = Paragraph(
        "The site holds every chart with its data, the methods and the indicator definitions.",
        styles["note"],
    )
    if not blocks:
        return [heading, note]
    return [KeepTogether([heading, *blocks[0]])] + [KeepTogether(b) for b in blocks[1:]] + [note]


def _page_decoration(label: str, period: str):
    def decorate(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 7)
        canvas.setFillColor(colors.HexColor("#444444"))
        canvas.drawString(18 * mm, 10 * mm, label)
        canvas.drawRightString(
            A4[0] - 18 * mm, A4[1] - 10 * mm, f"Board paper {period} · page {doc.page}"
        )
        canvas.restoreState()

    return decorate


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


def write_board_paper(
    params: dict[str, Any], executed: Path, out: Path, root: Path | None = None
) -> Path:
    """Write the edition's board paper to ``out`` and return it.

    ``executed`` is the folder of the edition's executed notebooks (key messages, figures and
    the front page's headlines are read from there and its ``_extra``); ``params`` are the
    edition's run parameters.
    """
    _fonts()
    styles = _styles()
    period = params["period"]
    tracker = load_tracker(root)
    items = edition_headlines(params, executed)
    synthetic = extract.synthetic_label(params["area_code"], int(params["synthetic_seed"]))
    story: list = [
        Paragraph(
            f"{html.escape(params['area_name'])} Borough Based Partnership: annual review {period}",
            styles["title"],
        ),
        Paragraph(
            "Board paper for the Joint Management Board and the Health and Wellbeing "
            "Board: the five partnership outcome measures, key messages, delivery of the "
            "plan and the top risks.",
            styles["body"],
        ),
        Paragraph(html.escape(synthetic), styles["label"]),
        Paragraph("1. Scorecard: the five partnership measures", styles["h1"]),
        *scorecard_flowables(items, float(params["confidence"]), styles),
        Paragraph("2. Key messages", styles["h1"]),
    ]
    for title, bullets in chapter_key_messages(executed):
        story.append(Paragraph(html.escape(title), styles["h2"]))
        story.append(
            ListFlowable(
                [ListItem(Paragraph(_inline(b), styles["body"]), leftIndent=10) for b in bullets],
                bulletType="bullet",
                start="•",
                leftIndent=10,
                bulletFontName=FONT,
            )
        )
    story += [
        Paragraph("3. Delivering the plan", styles["h1"]),
        *delivery_flowables(tracker, period, styles),
        Paragraph(html.escape(text.ILLUSTRATIVE_NOTE), styles["note"]),
        Paragraph("4. Top risks", styles["h1"]),
        *risk_flowables(tracker, period, styles),
    ]
    story += figure_flowables(items, executed, styles)
    out.parent.mkdir(parents=True, exist_ok=True)
    document = SimpleDocTemplate(
        str(out),
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=18 * mm,
        title=f"Annual review {period}: board paper",
        author=f"{params['area_name']} Borough Based Partnership",
        invariant=True,
    )
    decorate = _page_decoration(FOOTER, period)
    document.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return out


def front_page_link(period: str) -> HTML:
    """The front page's link to the edition's board paper (``book/index`` -> ``../``)."""
    return HTML(
        f'<p class="bbp-board-paper"><a href="../{FILE_NAME}">Board paper for '
        f"{html.escape(period)} (PDF): scorecard, key messages, delivery and top risks"
        "</a></p>"
    )
