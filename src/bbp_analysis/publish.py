"""What a chapter puts on the page: accessible figures and tables, each with its data.

Every figure is written as an HTML block holding the PNG (with alt text generated from its
data), a caption, a link to the CSV of the data drawn, and the same data as a table behind
a disclosure toggle. Downloads are written to ``_extra/downloads/`` under the book root,
which Sphinx copies to the site root (``html_extra_path``), so pages link to
``../downloads/<id>.csv``.
"""

from __future__ import annotations

import base64
import html
import re
from pathlib import Path

import pandas as pd
from IPython.display import HTML

from .figures import png_bytes

ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]*")
EXTRA = Path("..") / "_extra"  # relative to the executing notebook (book/)
DOWNLOADS = "downloads"


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
    """``frame[columns]`` with the ``hidden`` cells of suppressed rows shown as ``symbol``."""
    out = frame[columns].astype({name: object for name in hidden})
    if "suppressed" in frame:
        out.loc[frame["suppressed"].to_numpy(), hidden] = symbol
    return out.reset_index(drop=True)


def write_download(frame: pd.DataFrame, item_id: str, extra: Path = EXTRA) -> str:
    """Write ``frame`` as ``downloads/<item_id>.csv`` under ``extra``; return the page's link."""
    folder = extra / DOWNLOADS
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{_check_id(item_id)}.csv"
    frame.to_csv(folder / name, index=False, lineterminator="\n")
    return f"../{DOWNLOADS}/{name}"


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
    frame: pd.DataFrame, caption: str, table_id: str, decimals: dict[str, int] | None = None
) -> HTML:
    """Display a table with a CSV download of exactly what it shows."""
    href = write_download(frame, table_id)
    table = table_html(frame, caption, table_id=table_id, decimals=decimals)
    return HTML(
        f'<div class="bbp-table-block">{table}'
        f'<p class="bbp-download"><a href="{html.escape(href)}" download>'
        f"Download this table (CSV)</a></p></div>"
    )


def show_figure(
    fig,
    *,
    figure_id: str,
    caption: str,
    alt: str,
    data: pd.DataFrame,
    decimals: dict[str, int] | None = None,
) -> HTML:
    """Display a figure with its alt text, caption, data download and table alternative."""
    encoded = base64.b64encode(png_bytes(fig)).decode("ascii")
    href = write_download(data, figure_id)
    table = table_html(data, f"Data for: {caption}", decimals=decimals)
    return HTML(
        f'<figure class="bbp-figure" id="{_check_id(figure_id)}">'
        f'<img src="data:image/png;base64,{encoded}" alt="{html.escape(alt)}" />'
        f"<figcaption>{html.escape(caption)} "
        f'<a href="{html.escape(href)}" download>Download the data (CSV)</a></figcaption>'
        f"</figure><details><summary>Show the data as a table</summary>{table}</details>"
    )
