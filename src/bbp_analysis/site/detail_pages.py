"""Chapters that read in minutes: a chapter's detail moves to the pages of its indicators.

A chapter notebook marks a detail cell with the cell metadata ``{"bbp": {"detail": TARGET}}``.
TARGET is a catalogue id (the cell moves, with its outputs, to that indicator's page),
:data:`EACH` (each figure or table the cell shows moves to the page of the indicator its id
belongs to in the download map, except those listed in ``bbp.keep``; text outputs, which state
findings, stay), or
:data:`CHAPTER` (the cell moves to the chapter's own detail page, for tables that span
several indicators). After the notebooks ran and their whole copies went to the downloads,
:func:`split` takes the marked cells out of each executed chapter, leaves one paragraph
linking to the receiving pages in their place, and writes each receiving page as a notebook of
stored outputs, which Jupyter Book renders without executing: an indicator's page keeps its
definition first. Every chapter gets a detail page (``<chapter>-detail``) listing where its
detail went.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import catalogue
from . import datapackage, methods_pages

EACH = "each"
CHAPTER = "chapter"
DETAIL_SUFFIX = "-detail"
FIGURE_OR_TABLE = re.compile(
    r'<figure class="bbp-figure" id="([a-z0-9-]+)"|<table class="bbp-table[^"]*" id="([a-z0-9-]+)"'
)
_RELATIVE = re.compile(r'\b(href|src)="(?![a-z][a-z0-9+.-]*:|#|/)([^"]+)"')
_MD_LINK = re.compile(r"\]\((?![a-z][a-z0-9+.-]*:|#|/)([^)]+)\)")
_DOC_ROLE = re.compile(r"\{doc\}`([^`<]*<)?(?!/)([^`>]+)(>?)`")


@dataclass
class Page:
    """One page receiving detail: its first markdown and the cells moved to it."""

    head: str
    cells: list[dict[str, Any]] = field(default_factory=list)


def _text(value: str | list[str]) -> str:
    return "".join(value) if isinstance(value, list) else value


def item_ids(output: dict[str, Any]) -> list[str]:
    """The figure and table ids an output shows (``publish.show_figure``/``show_table``)."""
    page = _text(output.get("data", {}).get("text/html", ""))
    return [a or b for a, b in FIGURE_OR_TABLE.findall(page)]


def cell_ids(cell: dict[str, Any]) -> list[str]:
    """Every figure and table id a cell's outputs show, in order."""
    return [i for output in cell.get("outputs", []) for i in item_ids(output)]


def owner(item_id: str) -> str:
    """The catalogue entry a figure or table shows (download map), else :data:`CHAPTER`."""
    return datapackage.download_info(item_id).indicator or CHAPTER


def target(cell: dict[str, Any]) -> str | None:
    """A cell's detail target (cell metadata ``bbp.detail``), or None for a narrative cell."""
    return cell.get("metadata", {}).get("bbp", {}).get("detail")


def _output_targets(cell: dict[str, Any]) -> list[str | None]:
    """For an :data:`EACH` cell, the target of each output: the owner of the figure or table
    it shows, or None for text, which stays in the chapter (it states the finding), and for
    a figure or table the cell keeps (metadata ``bbp.keep``: ids, the measure's headline)."""
    keep = set(cell["metadata"]["bbp"].get("keep", ()))
    return [
        next((owner(i) for i in item_ids(o) if i not in keep), None)
        for o in cell.get("outputs", [])
    ]


def _moved(cell: dict[str, Any], outputs: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A copy of ``cell`` for a detail page: its code hidden, its ``bbp`` metadata dropped."""
    moved = copy.deepcopy(cell)
    metadata = moved.setdefault("metadata", {})
    metadata.pop("bbp", None)
    if moved["cell_type"] == "code":
        tags = [t for t in metadata.get("tags", []) if t not in ("hide-input", "remove-input")]
        metadata["tags"] = [*tags, "remove-input"]
        if outputs is not None:
            moved["outputs"] = copy.deepcopy(outputs)
    return moved


def pieces(cell: dict[str, Any], notebook: str, index: int) -> Iterator[tuple[str | None, dict]]:
    """(target, cell) for each part of a marked cell, target None for the part that stays in
    the chapter (ValueError for moved markdown that needs the chapter's glued values;
    KeyError for a target that is no catalogue id)."""
    where = target(cell)
    if cell["cell_type"] == "markdown" and "{glue" in _text(cell["source"]):
        raise ValueError(f"{notebook}: cell {index} uses glued values and cannot move")
    if where == EACH and cell["cell_type"] == "code":
        targets = _output_targets(cell)
        for name in dict.fromkeys(targets):
            chosen = [o for o, t in zip(cell.get("outputs", []), targets, strict=True) if t == name]
            if name is None:
                kept = copy.deepcopy(cell)
                kept["outputs"] = copy.deepcopy(chosen)
                yield None, kept
            else:
                yield name, _moved(cell, chosen)
        return
    if where not in (CHAPTER, EACH):
        catalogue.indicator(str(where))  # KeyError naming an unknown id
    yield (CHAPTER if where == EACH else str(where)), _moved(cell)


def page_doc(name: str, chapter: str) -> str:
    """The document (relative to ``book/``, no suffix) of a receiving page."""
    if name == CHAPTER:
        return chapter + DETAIL_SUFFIX
    return f"{methods_pages.FOLDER}/{name}"


def _link(name: str, chapter: str) -> str:
    title = "more tables for this chapter" if name == CHAPTER else catalogue.indicator(name).title
    return f"{{doc}}`{title} <{page_doc(name, chapter)}>`"


def link_cell(names: list[str], chapter: str) -> dict[str, Any]:
    """The paragraph left in the chapter where detail was taken out."""
    links = "; ".join(_link(n, chapter) for n in names)
    return {
        "cell_type": "markdown",
        "metadata": {"bbp": {"detail_links": names}},
        "source": f"**More detail:** {links}.\n",
    }


def _deeper_markdown(text: str) -> str:
    text = _MD_LINK.sub(lambda m: f"](../{m[1]})", text)
    return _DOC_ROLE.sub(lambda m: f"{{doc}}`{m[1] or ''}../{m[2]}{m[3]}`", text)


def _deeper(cell: dict[str, Any]) -> dict[str, Any]:
    """A moved cell's relative links, made to work one folder further down (``indicators/``)."""
    if cell["cell_type"] == "markdown":
        cell["source"] = _deeper_markdown(_text(cell["source"]))
        return cell
    for output in cell.get("outputs", []):
        data = output.get("data", {})
        if "text/html" in data:
            data["text/html"] = _RELATIVE.sub(
                lambda m: f'{m[1]}="../{m[2]}"', _text(data["text/html"])
            )
        if "text/markdown" in data:
            data["text/markdown"] = _deeper_markdown(_text(data["text/markdown"]))
    return cell


def split_chapter(notebook: dict[str, Any], chapter: str, pages: dict[str, Page]) -> dict[str, Any]:
    """The chapter without its detail (each run of moved cells replaced by one link
    paragraph, after any text they leave behind); the moved cells are appended to ``pages``
    (target -> page), in order."""
    cells: list[dict[str, Any]] = []
    run: list[str] = []
    kept: list[dict[str, Any]] = []

    def close() -> None:
        cells.extend(kept)
        if run:
            cells.append(link_cell(run, chapter))
        kept.clear()
        run.clear()

    for index, cell in enumerate(notebook["cells"]):
        if target(cell) is None:
            close()
            cells.append(cell)
            continue
        for name, part in pieces(cell, f"{chapter}.ipynb", index):
            if name is None:
                kept.append(part)
                continue
            if name not in pages:
                pages[name] = indicator_page(name)
            pages[name].cells.append(part if name == CHAPTER else _deeper(part))
            if name not in run:
                run.append(name)
    close()
    return {**notebook, "cells": cells}


def indicator_page(item_id: str) -> Page:
    """An indicator's page before any detail: its definition page's text."""
    if item_id == CHAPTER:
        return Page(head="")
    item = catalogue.indicator(item_id)
    return Page(head=methods_pages.indicator_page(item))


def _notebook(cells: list[dict[str, Any]], metadata: dict[str, Any]) -> dict[str, Any]:
    kept = {k: metadata[k] for k in ("kernelspec", "language_info") if k in metadata}
    return {"cells": cells, "metadata": kept, "nbformat": 4, "nbformat_minor": 5}


def _markdown(text: str) -> dict[str, Any]:
    return {"cell_type": "markdown", "metadata": {}, "source": text}


def _title(notebook: dict[str, Any]) -> str:
    for cell in notebook["cells"]:
        if cell["cell_type"] == "markdown":
            for line in _text(cell["source"]).splitlines():
                if line.startswith("# "):
                    return line.removeprefix("# ").strip()
    return ""


def _write(path: Path, notebook: dict[str, Any]) -> None:
    for index, cell in enumerate(notebook["cells"]):
        cell["id"] = f"c{index}"  # stable ids (nbformat 4.5), so equal inputs give equal files
    path.write_text(
        json.dumps(notebook, indent=1, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8"
    )


def chapters(book: Path) -> list[Path]:
    """The chapter notebooks of the staged book (every notebook but the front page)."""
    return [p for p in sorted(book.glob("*.ipynb")) if p.stem != "index"]


def split(book: Path) -> dict[str, list[str]]:
    """Split every executed chapter of ``book`` (in place) and write the receiving pages:
    ``indicators/<id>.ipynb`` replacing that indicator's definition page, and each chapter's
    ``<chapter>-detail.ipynb``. Returns chapter -> the documents its detail went to."""
    moved_to: dict[str, list[str]] = {}
    pages: dict[str, Page] = {}
    metadata: dict[str, Any] = {}
    for path in chapters(book):
        notebook = json.loads(path.read_text(encoding="utf-8"))
        metadata = metadata or notebook.get("metadata", {})
        title = _title(notebook)
        received: dict[str, Page] = {}
        _write(path, split_chapter(notebook, path.stem, received))
        for name, page in received.items():
            if name == CHAPTER:
                continue
            whole = pages.setdefault(name, Page(page.head, [_markdown(page.head)]))
            whole.cells += [
                _markdown(f"## From the chapter {{doc}}`{title} <../{path.stem}>`\n"),
                *page.cells,
            ]
        moved_to[path.stem] = [page_doc(n, path.stem) for n in received]
        own = received[CHAPTER].cells if CHAPTER in received else []
        head = _markdown(detail_head(title, path.stem, list(received)))
        _write(book / f"{path.stem}{DETAIL_SUFFIX}.ipynb", _notebook([head, *own], metadata))
    for name, page in pages.items():
        (book / methods_pages.FOLDER / f"{name}.md").unlink(missing_ok=True)
        _write(book / methods_pages.FOLDER / f"{name}.ipynb", _notebook(page.cells, metadata))
    return moved_to


def detail_head(title: str, chapter: str, names: list[str]) -> str:
    """The first text of a chapter's detail page: what it is, and the indicators' pages that
    hold the rest of the chapter's detail."""
    indicators = [n for n in names if n != CHAPTER]
    lines = [
        f"# {title}: more detail",
        "",
        f"The chapter {{doc}}`{title} <{chapter}>` keeps each measure's finding, headline "
        "figure and a link. Its breakdowns, funnel plots, tables and the record of how each "
        "was made are on the pages of the indicators they show:",
        "",
        *[f"- {_link(n, chapter)}" for n in indicators],
        "",
    ]
    if not indicators:
        lines[-3:] = ["", "This chapter has no detail on indicators' pages.", ""]
    if CHAPTER in names:
        lines += ["Tables that span several indicators follow.", ""]
    return "\n".join(lines)
