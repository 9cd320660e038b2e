"""What a chapter puts on the page: accessible figures and tables, each with its data.

Every figure is written as an HTML block holding the PNG (with alt text generated from its
data), a caption, a link to the CSV of the data drawn, and the same data as a table behind a
disclosure toggle. Tables are formatted for readers by :mod:`bbp_analysis.table_format`. Every
figure and table carries its stable identifier and a "How this was made" passport: in words,
what it was made from, its method and the command that reproduces it; behind a second toggle,
the SHA-256 of its data (and of its image), the edition's parameters and the code version.
The run manifest collects these hashes (:mod:`bbp_analysis.audit.manifest`). Downloads are
written to ``_extra/downloads/`` under the book root, which Sphinx copies to the site root
(``html_extra_path``), so pages link to ``../downloads/<id>.csv``.
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

from . import extract, table_format
from .audit.manifest import run_context as edition_context
from .audit.manifest import sha256_bytes
from .chart_style import PIXEL_DENSITY, png_bytes
from .paths import EXTRA
from .site.datapackage import column_descriptions, dictionary, download_info

ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]*")
DOWNLOADS = "downloads"
RATIO_COUNTS = ("denominator",)


def _check_id(item_id: str) -> str:
    if not ID_PATTERN.fullmatch(item_id):
        raise ValueError(f"id {item_id!r} must be lower-case letters, digits and hyphens")
    return item_id


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


def parameter_text(value: Any) -> str:
    """A parameter's value in words: a list by its entries (entries with ids, e.g. the PLUS
    groups, by their ids; their definitions are in the run manifest), an unset value as "not
    set", a yes/no as yes or no."""
    if value is None:
        return "not set"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, tuple | list):
        entries = [str(v["id"]) if isinstance(v, dict) and "id" in v else str(v) for v in value]
        return ", ".join(entries) or "none"
    if isinstance(value, dict):
        return "set (in the run manifest)"
    return f"{value:g}" if isinstance(value, float) else str(value)


def made_from(item_id: str, context: dict[str, Any]) -> str:
    """The passport's sentence on what an item was made from: its sources in the download map
    (:func:`bbp_analysis.site.datapackage.download_info`; the run's extract by name), and the
    edition's parameters in words (period, area, view, interval level, suppression)."""
    params = context.get("parameters", {})
    if "period" not in params:
        return "Made outside an edition's run (no parameters recorded)."
    try:
        keys = download_info(item_id).sources
    except KeyError:
        keys = ("extract",)
    seed = int(params.get("synthetic_seed", 0))
    named = [
        extract.source_phrase(str(params.get("area_code")), seed)
        if key == "extract"
        else dictionary()["sources"][key]["short"]
        for key in keys
    ]
    details = [str(params.get("area_name", params.get("area_code", "")))]
    if params.get("pcn"):
        details.append(f"the view of {params['pcn']}")
    if "confidence" in params:
        details.append(f"{float(params['confidence']) * 100:g}% intervals")
    if "suppression_threshold" in params:
        details.append(f"counts under {params['suppression_threshold']} suppressed")
    return (
        f"Made from {' and '.join(named)} with the parameters for {params['period']} "
        f"({', '.join(details)})."
    )


def passport_html(
    item_id: str,
    kind: str,
    data: pd.DataFrame,
    *,
    method: str | None = None,
    image: bytes | None = None,
    context: dict[str, Any] | None = None,
) -> str:
    """The "How this was made" block, in words: what the item was made from, its method and
    the command that reproduces it; hashes, every parameter and the code version sit behind a
    second toggle. Its ``data-bbp-*`` attributes are what the run manifest records."""
    context = run_context() if context is None else context
    data_hash = sha256_bytes(csv_bytes(data))
    attributes = {"id": item_id, "kind": kind, "data-sha256": data_hash, "rows": str(len(data))}
    if image is not None:
        attributes["image-sha256"] = sha256_bytes(image)
    tag = " ".join(f'data-bbp-{k}="{html.escape(v)}"' for k, v in attributes.items())
    edition = context.get("edition")
    code = context.get("code", {})
    command = f"bbp reproduce {item_id}" + (f" --edition {edition}" if edition else "")
    how = method or "as stated in the caption and the chapter's methods"
    words = (
        f"<p>{html.escape(made_from(item_id, context))} Method: {html.escape(how.rstrip('.'))}. "
        f"Reproduce it with <code>{html.escape(command)}</code>; the "
        '<a href="../manifest.json">run manifest</a> lists every input file.</p>'
    )
    details = [
        ("Identifier", f"<code>{html.escape(item_id)}</code> ({kind})"),
        ("Data", f"{len(data)} rows, SHA-256 <code>{data_hash}</code>"),
        *(
            [("Image", f"SHA-256 <code>{attributes['image-sha256']}</code>")]
            if image is not None
            else []
        ),
        ("Code version", html.escape(code_text(code) if code else "not recorded")),
        *(
            (f"Parameter <code>{html.escape(name)}</code>", html.escape(parameter_text(value)))
            for name, value in context.get("parameters", {}).items()
        ),
    ]
    items = "".join(f"<li><strong>{name}:</strong> {value}</li>" for name, value in details)
    return (
        f'<details class="bbp-passport" {tag}><summary>How this was made</summary>{words}'
        f'<details class="bbp-hashes"><summary>Hashes, parameters and code version</summary>'
        f"<ul>{items}</ul></details></details>"
    )


def table_html(
    frame: pd.DataFrame,
    caption: str,
    *,
    table_id: str | None = None,
    decimals: dict[str, int] | None = None,
    download_id: str | None = None,
) -> str:
    """An accessible table for readers (:mod:`bbp_analysis.table_format`): caption, column
    header cells with scope labelled in words with units, numbers formatted by unit, at most
    seven columns (a note names the rest, which the download ``download_id``, by default
    ``table_id``, holds). ``decimals`` fixes a number column whose unit does not."""
    item_id = download_id or table_id
    names = [str(c) for c in frame.columns]
    described = column_descriptions(item_id, names) if item_id else None
    every = table_format.columns(frame, described, decimals)
    shown = table_format.page_columns(every)
    text = table_format.reader_frame(frame, shown)
    head = "".join(f'<th scope="col">{html.escape(c)}</th>' for c in text.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(v)}</td>" for v in row) + "</tr>"
        for row in text.itertuples(index=False)
    )
    ident = f' id="{_check_id(table_id)}"' if table_id else ""
    note = table_format.left_out_note(every, shown)
    after = f'<p class="bbp-table-note">{html.escape(note)}</p>' if note else ""
    return (
        f'<table class="bbp-table"{ident}><caption>{html.escape(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{after}"
    )


def show_table(
    frame: pd.DataFrame,
    caption: str,
    table_id: str,
    decimals: dict[str, int] | None = None,
    *,
    method: str | None = None,
) -> HTML:
    """Display a table with a CSV download of exactly what it shows, and its passport. The
    caption drops the data label: the page's "About the data" banner states it once."""
    caption = extract.without_data_label(caption)
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
    passport. The caption drops the data label, as :func:`show_table`'s does."""
    caption = extract.without_data_label(caption)
    image = png_bytes(fig)
    href = write_download(data, figure_id)
    table = table_html(data, f"Data for: {caption}", decimals=decimals, download_id=figure_id)
    return HTML(
        f'<figure class="bbp-figure" id="{_check_id(figure_id)}">'
        f"{image_tag(image, alt)}"
        f"<figcaption>{html.escape(caption)} "
        f'<a href="{html.escape(href)}" download>Download the data (CSV)</a></figcaption>'
        f"</figure><details><summary>Show the data as a table</summary>{table}</details>"
        f"{passport_html(figure_id, 'figure', data, method=method, image=image)}"
    )
