"""Writing an edition's generated pages into its staged book, after its notebooks ran.

:func:`stage_pages` writes the edition's snapshot (``_extra/edition.json``), copies the
executed notebooks, describes the downloads as a data package (``datapackage.json``) and zips
the whole edition for download, and writes the generated pages:
what changed, editions, logic model, claims ledger, downloads, the extract contract and one
definition page per indicator; last, each chapter's detail moves to its indicators' pages
(:mod:`.detail_pages`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from . import (
    book_config,
    claims,
    contract_page,
    datapackage,
    detail_pages,
    downloads,
    editions,
    logic_model,
    methods_pages,
    snapshot,
)


def earlier_snapshots(
    period: str, editions_stage: Path, earlier: dict[str, Path]
) -> list[tuple[dict[str, Any], str]]:
    """Snapshots of every period before ``period`` (oldest first), each with its basis: the
    one staged by this build when there is one, else read from that period's results file in
    ``earlier`` (period -> path), written by its chapter runs from the same data."""
    out = []
    for other in sorted({*earlier, *(p.name for p in editions_stage.iterdir() if p.is_dir())}):
        if other >= period:
            continue
        staged = editions_stage / other / "_extra" / snapshot.EDITION_FILE
        if staged.is_file():
            out.append((snapshot.read(staged), "as built in this run"))
        elif other in earlier:
            out.append(
                (snapshot.from_results(other, earlier[other]), "recomputed now from the same data")
            )
    return out


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def stage_pages(book_stage: Path, run_params: dict[str, Any], earlier: dict[str, Path]) -> None:
    """Write the edition's snapshot, notebook copies, bundle and generated pages (the
    editions list names the editions staged so far; :func:`editions.relink` completes it);
    ``earlier`` gives the results file of each earlier period this build does not stage."""
    period = run_params["period"]
    # editions staged in this run up to this one (later ones may be staged already when
    # editions are built side by side)
    periods = sorted(p.name for p in book_stage.parent.iterdir() if p.is_dir() and p.name <= period)
    extra, book = book_stage / "_extra", book_stage / "book"
    current = snapshot.from_extra(period, extra)
    snapshot.write(current, extra)
    history = earlier_snapshots(period, book_stage.parent, earlier)
    old, basis = history[-1] if history else (None, "")
    _write(book / "what-changed.md", editions.what_changed_page(current, old, basis))
    _write(book / "editions.md", editions.editions_page(period, periods))
    _write(book / "claims.md", claims.page([snap for snap, _ in history] + [current]))
    model = logic_model.load()
    _write(
        book / "logic-model.md",
        "# Logic model\n\n"
        "How the partnership expects its work to lead to better health: implementation "
        "activities, their outputs, short- and medium-term outcomes (the partnership "
        "measures), long-term outcomes and impact. Where an indicator in this review measures "
        "an entry, the entry links to its chart and shows its current status.\n\n"
        f"Source: {model.source}. The text copy of the diagram kept its words but not its "
        "arrows, so entries are grouped here by theme rather than joined one to one.\n\n"
        + logic_model.page_html(model, current["headlines"])
        + "\n",
    )
    methods_pages.write_pages(book)
    contract_page.write(book, extra)
    notebooks = downloads.copy_notebooks(book, extra, book_config.substitutions(run_params))
    files = [
        *sorted((extra / "downloads").glob("*.csv")),
        *notebooks,
        extra / snapshot.EDITION_FILE,
        datapackage.write(extra, notebooks, run_params),
    ]
    downloads.write_bundle(extra, period, run_params["area_name"], files)
    _write(book / "downloads.md", downloads.page(extra, period, run_params["area_name"]))
    # after the whole executed notebooks went to the downloads: the chapters keep their
    # narrative, and their detail moves to the indicators' pages
    detail_pages.split(book)
