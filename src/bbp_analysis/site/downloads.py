"""An edition's downloads beyond the per-figure CSVs: the executed notebooks, one by one, and
the whole edition as one zip file (every CSV and its data package description, the notebooks,
the snapshot and parameters).

Written under the staged book's ``_extra`` folder, which the site build copies to the
edition's root: ``downloads/`` (CSVs and the bundle) and ``notebooks/``.
"""

from __future__ import annotations

import html
import json
import re
import zipfile
from collections.abc import Mapping
from pathlib import Path

NOTEBOOKS = "notebooks"
FIXED_TIME = (2020, 1, 1, 0, 0, 0)  # zip entry timestamps, so equal inputs give equal bytes
SUBSTITUTION = re.compile(r"\{\{\s*(\w+)\s*\}\}")  # MyST's {{ name }}


def bundle_name(period: str, area_name: str) -> str:
    """The edition's zip file, e.g. ``harrow-bbp-review-2025-26.zip``."""
    area = re.sub(r"[^a-z0-9]+", "-", area_name.lower()).strip("-")
    return f"{area}-bbp-review-{period}.zip"


def copy_notebooks(book: Path, extra: Path, words: Mapping[str, str]) -> list[Path]:
    """Copy the executed notebooks of ``book`` into ``extra/notebooks/``, with the edition's
    MyST substitutions (``{{ area_name }}`` and the like, ``words``) written out in their
    markdown cells, so that a downloaded notebook reads as the page does."""
    folder = extra / NOTEBOOKS
    folder.mkdir(parents=True, exist_ok=True)
    return [_write_filled(nb, folder / nb.name, words) for nb in sorted(book.glob("*.ipynb"))]


def _write_filled(source: Path, target: Path, words: Mapping[str, str]) -> Path:
    notebook = json.loads(source.read_text(encoding="utf-8"))
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") == "markdown":
            text = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            filled = SUBSTITUTION.sub(lambda m: words.get(m[1], m[0]), text)
            cell["source"] = filled.splitlines(keepends=True)
    target.write_text(
        json.dumps(notebook, indent=1, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8"
    )
    return target


def write_bundle(extra: Path, period: str, area_name: str, files: list[Path]) -> Path:
    """Zip ``files`` (paths under ``extra``) into ``extra/downloads/<bundle>``; deterministic."""
    target = extra / "downloads" / bundle_name(period, area_name)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(files):
            info = zipfile.ZipInfo(str(path.relative_to(extra)), date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())
    return target


def page(extra: Path, period: str, area_name: str) -> str:
    """The MyST downloads page: the bundle, each notebook and each CSV, with sizes."""

    def link(path: Path) -> str:
        href = html.escape(str(path.relative_to(extra)))
        size = max(1, round(path.stat().st_size / 1024))
        return f'<li><a href="../{href}" download>{html.escape(path.name)}</a> ({size} KB)</li>'

    csvs = sorted((extra / "downloads").glob("*.csv"))
    notebooks = sorted((extra / NOTEBOOKS).glob("*.ipynb"))
    bundle = extra / "downloads" / bundle_name(period, area_name)
    return (
        "# Downloads\n\n"
        f"Everything behind edition {period}. The CSV files hold exactly the data each figure "
        "or table shows, with suppressed cells marked `[c]`. Figures from the synthetic "
        "extract are synthetic.\n\n"
        "## The whole edition\n\n"
        f"<ul>{link(bundle)}</ul>\n\n"
        "The zip file holds every CSV below with their description (`datapackage.json`), the "
        "executed notebooks, the edition's snapshot (`edition.json`) and its run parameters.\n\n"
        "## Executed notebooks\n\n"
        f"<ul>{''.join(link(p) for p in notebooks)}</ul>\n\n"
        "## Data behind each figure and table\n\n"
        'The file <a href="../downloads/datapackage.json" download>datapackage.json</a> '
        "describes every CSV below in the standard Data Package format: what each column "
        "holds, its type and unit, and where the data come from, so that data tools can load "
        "them.\n\n"
        f"<ul>{''.join(link(p) for p in csvs)}</ul>\n"
    )
