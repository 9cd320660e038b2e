"""What a chapter puts on the page: accessible figures and tables, each with its data.

Every figure is written as an HTML block holding the PNG (with alt text generated from its
data), a caption, a link to the CSV of the data drawn, and the same data as a table behind
a disclosure toggle. Every figure and table carries its stable identifier and a "How this was
made" passport: the SHA-256 of its data (and of its image), the edition's parameters, the
method, the code version and the command that reproduces it; the run manifest collects these
hashes (:mod:`bbp_analysis.audit.manifest`). Downloads are written to ``_extra/downloads/``
under the book root, which Sphinx copies to the site root (``html_extra_path``), so pages
link to ``../downloads/<id>.csv``.
"""

from __future__ import annotations

import base64
import html
import re
import struct
from pathlib import Path
from typing import Any

import pandas as pd
from IPython import get_ipython
from IPython.display import HTML

from .audit.manifest import run_context as edition_context
from .audit.manifest import sha256_bytes
from .chart_style import PIXEL_DENSITY, png_bytes

ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]*")
EXTRA = Path("..") / "_extra"  # relative to the executing notebook (book/)
DOWNLOADS = "downloads"
RATIO_COUNTS = ("denominator",)


def _check_id(item_id: str) -> str:
    if not ID_PATTERN.fullmatch(item_id):
        raise ValueError(f"id {item_id!r} must be lower-case letters, digits and hyphens")
    return item_id


def format_number(value: object, decimals: int = 1) -> str:
    """Reader-facing number: thousands separators, fixed decimals, '[x]' when missing."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return "[x]"
    if isinstance(value, int | float):
        return f"{value:,.{decimals}f}" if decimals else f"{value:,.0f}"
    return str(value)


def mark_suppressed(
    frame: pd.DataFrame, columns: list[str], hidden: list[str], symbol: str = "[c]"
) -> pd.DataFrame:
    """``frame[columns]`` with the ``hidden`` cells of suppressed rows shown as ``symbol``.

    A shown ``denominator`` is always hidden with them: the denominator of a suppressed rate
    or proportion is suppressed too (:func:`bbp_analysis.disclosure.suppress_ratio`)."""
    hidden = [*hidden, *(c for c in RATIO_COUNTS if c in columns and c not in hidden)]
    out = frame[columns].astype({name: object for name in hidden})
    if "suppressed" in frame:
        out.loc[frame["suppressed"].to_numpy(), hidden] = symbol
    return out.reset_index(drop=True)


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """The download's bytes: UTF-8 CSV, no index, ``\\n`` line ends."""
    return frame.to_csv(index=False, lineterminator="\n").encode("utf-8")


def write_download(frame: pd.DataFrame, item_id: str, extra: Path = EXTRA) -> str:
    """Write ``frame`` as ``downloads/<item_id>.csv`` under ``extra``; return the page's link."""
    folder = extra / DOWNLOADS
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{_check_id(item_id)}.csv"
    (folder / name).write_bytes(csv_bytes(frame))
    return f"../{DOWNLOADS}/{name}"


def run_context() -> dict[str, Any]:
    """The edition's context (:func:`bbp_analysis.audit.manifest.run_context`) from the
    parameters papermill injected into the running notebook; empty outside a notebook run."""
    from .params import SPEC

    shell = get_ipython()
    namespace = shell.user_ns if shell is not None else {}
    params = {name: namespace[name] for name in SPEC if SPEC[name].notebook and name in namespace}
    return edition_context(params) if "period" in params else {}


def code_text(code: dict[str, Any]) -> str:
    """The code version in words: package version and source hash."""
    return (
        f"bbp_analysis {code.get('package')}, source SHA-256 "
        f"{str(code.get('source_sha256'))[:16]} (git commit: in the run manifest)"
    )


def _parameter_text(value: Any) -> str:
    """A parameter as the passport shows it: a list of entries with ids (e.g. the PLUS
    groups) by their ids; their full definitions are in the run manifest. Run parameters
    hold lists as tuples; they are shown as lists."""
    if isinstance(value, tuple):
        value = list(value)
    if isinstance(value, list) and value and all(isinstance(v, dict) and "id" in v for v in value):
        return "[" + ", ".join(str(v["id"]) for v in value) + "] (defined in the run manifest)"
    return str(value)


def passport_html(
    item_id: str,
    kind: str,
    data: pd.DataFrame,
    *,
    method: str | None = None,
    image: bytes | None = None,
    context: dict[str, Any] | None = None,
) -> str:
    """The "How this was made" block: identifier, data hash, inputs, parameters, method, code
    version and the command that recomputes the data. Its ``data-bbp-*`` attributes are what
    the run manifest records."""
    context = run_context() if context is None else context
    data_hash = sha256_bytes(csv_bytes(data))
    attributes = {"id": item_id, "kind": kind, "data-sha256": data_hash, "rows": str(len(data))}
    if image is not None:
        attributes["image-sha256"] = sha256_bytes(image)
    tag = " ".join(f'data-bbp-{k}="{html.escape(v)}"' for k, v in attributes.items())
    edition = context.get("edition")
    params = context.get("parameters", {})
    code = context.get("code", {})
    shown = ", ".join(f"{k}={_parameter_text(v)}" for k, v in params.items()) or "not recorded"
    version = code_text(code) if code else "not recorded"
    command = f"bbp reproduce {item_id}" + (f" --edition {edition}" if edition else "")
    rows = [
        ("Identifier", f"<code>{html.escape(item_id)}</code> ({kind})"),
        ("Data", f"{len(data)} rows, SHA-256 <code>{data_hash}</code>"),
        (
            "Inputs",
            'every file with its SHA-256 in the <a href="../manifest.json">run manifest</a>',
        ),
        ("Parameters", html.escape(shown)),
        ("Method", html.escape(method or "as stated in the caption and the chapter's methods")),
        ("Code version", html.escape(version)),
        ("Reproduce", f"<code>{html.escape(command)}</code>"),
    ]
    items = "".join(f"<li><strong>{name}:</strong> {value}</li>" for name, value in rows)
    return (
        f'<details class="bbp-passport" {tag}><summary>How this was made</summary>'
        f"<ul>{items}</ul></details>"
    )


def table_html(
    frame: pd.DataFrame,
    caption: str,
    *,
    table_id: str | None = None,
    decimals: dict[str, int] | None = None,
) -> str:
    """An accessible HTML table: caption, column header cells with scope, formatted numbers."""
    decimals = decimals or {}
    head = "".join(f'<th scope="col">{html.escape(str(c))}</th>' for c in frame.columns)
    body = []
    for _, row in frame.iterrows():
        cells = []
        for col in frame.columns:
            text = (
                format_number(row[col], decimals.get(col, 1))
                if col in decimals and not isinstance(row[col], str)
                else ("[x]" if pd.isna(row[col]) else str(row[col]))
            )
            cells.append(f"<td>{html.escape(text)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    ident = f' id="{_check_id(table_id)}"' if table_id else ""
    return (
        f'<table class="bbp-table"{ident}><caption>{html.escape(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


def show_table(
    frame: pd.DataFrame,
    caption: str,
    table_id: str,
    decimals: dict[str, int] | None = None,
    *,
    method: str | None = None,
) -> HTML:
    """Display a table with a CSV download of exactly what it shows, and its passport."""
    href = write_download(frame, table_id)
    table = table_html(frame, caption, table_id=table_id, decimals=decimals)
    return HTML(
        f'<div class="bbp-table-block">{table}'
        f'<p class="bbp-download"><a href="{html.escape(href)}" download>'
        f"Download this table (CSV)</a></p>"
        f"{passport_html(table_id, 'table', frame, method=method)}</div>"
    )


def image_tag(image: bytes, alt: str) -> str:
    """An ``img`` of a chart's PNG (:func:`bbp_analysis.chart_style.png_bytes`) with its
    display size as width and height, so the browser shows it at exactly that size (the PNG
    holds twice as many pixels)."""
    width, height = struct.unpack(">II", image[16:24])
    encoded = base64.b64encode(image).decode("ascii")
    return (
        f'<img src="data:image/png;base64,{encoded}" alt="{html.escape(alt)}" '
        f'width="{width // PIXEL_DENSITY}" height="{height // PIXEL_DENSITY}" />'
    )


def show_figure(
    fig,
    *,
    figure_id: str,
    caption: str,
    alt: str,
    data: pd.DataFrame,
    decimals: dict[str, int] | None = None,
    method: str | None = None,
) -> HTML:
    """Display a figure with its alt text, caption, data download, table alternative and
    passport."""
    image = png_bytes(fig)
    href = write_download(data, figure_id)
    table = table_html(data, f"Data for: {caption}", decimals=decimals)
    return HTML(
        f'<figure class="bbp-figure" id="{_check_id(figure_id)}">'
        f"{image_tag(image, alt)}"
        f"<figcaption>{html.escape(caption)} "
        f'<a href="{html.escape(href)}" download>Download the data (CSV)</a></figcaption>'
        f"</figure><details><summary>Show the data as a table</summary>{table}</details>"
        f"{passport_html(figure_id, 'figure', data, method=method, image=image)}"
    )
