"""A chapter's marked detail cells move, with their outputs, to the indicators' pages and the
chapter's detail page, leaving a link; narrative and text findings stay in the chapter."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bbp_analysis.site import detail_pages, methods_pages


def _figure(item_id: str) -> dict:
    html = (
        f'<figure class="bbp-figure" id="{item_id}"><img src="data:image/png;base64,AA" alt="x"/>'
        f'<figcaption>Chart <a href="../downloads/{item_id}.csv" download>Download</a>'
        '</figcaption></figure><details class="bbp-passport"><a href="../manifest.json">m</a>'
        "</details>"
    )
    return {"output_type": "display_data", "data": {"text/html": html}, "metadata": {}}


def _table(item_id: str) -> dict:
    html = f'<table class="bbp-table" id="{item_id}"><caption>T</caption></table>'
    return {"output_type": "display_data", "data": {"text/html": html}, "metadata": {}}


def _text(words: str) -> dict:
    return {"output_type": "display_data", "data": {"text/markdown": words}, "metadata": {}}


def _code(outputs: list[dict], detail: str | None = None) -> dict:
    metadata: dict = {"tags": ["hide-input"]}
    if detail:
        metadata["bbp"] = {"detail": detail}
    return {"cell_type": "code", "metadata": metadata, "source": "x", "outputs": outputs}


def _markdown(text: str, detail: str | None = None) -> dict:
    metadata = {"bbp": {"detail": detail}} if detail else {}
    return {"cell_type": "markdown", "metadata": metadata, "source": text}


def _chapter(book: Path) -> None:
    cells = [
        _markdown("# 1. Population health"),
        _markdown("## Prevention\n\nScreening by PCN."),
        _code([_figure("o1-cervical-screening-pcn")]),  # the headline figure stays
        _code(
            [
                _figure("o1-breast-screening-pcn"),
                _figure("o1-bowel-screening-pcn"),
                _text("Bowel screening is lowest in Sphere PCN."),
            ],
            detail=detail_pages.EACH,
        ),
        _markdown("See [the methods](methods.md) and {doc}`glossary`.", "o1-bowel-screening"),
        _code([_table("objective-1-methods")], detail=detail_pages.CHAPTER),
        _markdown("## Closing note"),
    ]
    notebook = {"cells": cells, "metadata": {"kernelspec": {"name": "python3"}}, "nbformat": 4}
    (book / "objective-1-population-health.ipynb").write_text(json.dumps(notebook))
    (book / "index.ipynb").write_text(json.dumps({**notebook, "cells": cells[:1]}))


@pytest.fixture
def book(tmp_path: Path) -> Path:
    methods_pages.write_pages(tmp_path)
    _chapter(tmp_path)
    return tmp_path


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _all_text(cells: list[dict]) -> str:
    return json.dumps(cells)


def test_detail_moves_and_the_chapter_links_to_it(book: Path) -> None:
    moved = detail_pages.split(book)
    assert moved == {
        "objective-1-population-health": [
            "indicators/o1-breast-screening",
            "indicators/o1-bowel-screening",
            "objective-1-population-health-detail",
        ]
    }
    chapter = _cells(book / "objective-1-population-health.ipynb")
    sources = ["".join(c["source"]) for c in chapter]
    # narrative, the headline figure and the text finding stay, in order; one link replaces
    # the moved run of cells, after the text finding
    assert sources[:2] == ["# 1. Population health", "## Prevention\n\nScreening by PCN."]
    assert detail_pages.cell_ids(chapter[2]) == ["o1-cervical-screening-pcn"]
    assert chapter[3]["outputs"] == [_text("Bowel screening is lowest in Sphere PCN.")]
    assert sources[4] == (
        "**More detail:** "
        "{doc}`Breast screening coverage, women aged 50-70 <indicators/o1-breast-screening>`; "
        "{doc}`Bowel screening coverage, aged 60-74 <indicators/o1-bowel-screening>`; "
        "{doc}`more tables for this chapter <objective-1-population-health-detail>`.\n"
    )
    assert sources[5:] == ["## Closing note"]
    assert "o1-breast-screening-pcn" not in _all_text(chapter)
    assert "objective-1-methods" not in _all_text(chapter)


def test_indicator_page_holds_definition_then_the_moved_outputs(book: Path) -> None:
    detail_pages.split(book)
    folder = book / methods_pages.FOLDER
    assert not (folder / "o1-bowel-screening.md").exists()
    assert (folder / "o1-cervical-screening.md").is_file()  # nothing moved: stays a page
    cells = _cells(folder / "o1-bowel-screening.ipynb")
    first = "".join(cells[0]["source"])
    assert first.startswith("# Bowel screening coverage, aged 60-74\n")
    assert '<table class="bbp-table bbp-definition">' in first
    assert "".join(cells[1]["source"]) == (
        "## From the chapter {doc}`1. Population health <../objective-1-population-health>`\n"
    )
    figure = cells[2]
    assert detail_pages.cell_ids(figure) == ["o1-bowel-screening-pcn"]
    assert figure["metadata"]["tags"] == ["remove-input"]
    assert "bbp" not in figure["metadata"]
    html = figure["outputs"][0]["data"]["text/html"]
    # links one folder further down; data URIs untouched
    assert 'href="../../downloads/o1-bowel-screening-pcn.csv"' in html
    assert 'href="../../manifest.json"' in html
    assert 'src="data:image/png;base64,AA"' in html
    assert "".join(cells[3]["source"]) == (
        "See [the methods](../methods.md) and {doc}`../glossary`."
    )
    assert json.loads((folder / "o1-bowel-screening.ipynb").read_text())["metadata"] == {
        "kernelspec": {"name": "python3"}
    }


def test_chapter_detail_page_lists_the_indicator_pages_and_holds_shared_tables(book: Path) -> None:
    detail_pages.split(book)
    cells = _cells(book / "objective-1-population-health-detail.ipynb")
    head = "".join(cells[0]["source"])
    assert head.startswith("# 1. Population health: more detail\n")
    link = "{doc}`Breast screening coverage, women aged 50-70 <indicators/o1-breast-screening>`"
    assert f"- {link}" in head
    assert detail_pages.cell_ids(cells[1]) == ["objective-1-methods"]
    assert 'href="../' not in json.dumps(cells[1])  # same folder as the chapter


def test_moved_markdown_with_glued_values_is_refused(book: Path) -> None:
    path = book / "objective-1-population-health.ipynb"
    notebook = json.loads(path.read_text())
    notebook["cells"].append(_markdown("{glue:text}`x`", "o1-bowel-screening"))
    path.write_text(json.dumps(notebook))
    with pytest.raises(ValueError, match=r"health\.ipynb: cell 7 uses glued"):
        detail_pages.split(book)


def test_unknown_target_is_refused(book: Path) -> None:
    path = book / "objective-1-population-health.ipynb"
    notebook = json.loads(path.read_text())
    notebook["cells"].append(_code([], detail="no-such-indicator"))
    path.write_text(json.dumps(notebook))
    with pytest.raises(KeyError, match="no-such-indicator"):
        detail_pages.split(book)


def test_links_in_moved_text_outputs_work_one_folder_down(book: Path) -> None:
    path = book / "objective-1-population-health.ipynb"
    notebook = json.loads(path.read_text())
    text = _text("Read [the glossary](glossary.md).")
    notebook["cells"].append(_code([text], detail="o1-flu-65plus"))
    path.write_text(json.dumps(notebook))
    detail_pages.split(book)
    cells = _cells(book / "indicators" / "o1-flu-65plus.ipynb")
    assert (
        cells[-1]["outputs"][0]["data"]["text/markdown"] == "Read [the glossary](../glossary.md)."
    )


def test_a_kept_headline_figure_stays_in_the_chapter(book: Path) -> None:
    path = book / "objective-1-population-health.ipynb"
    notebook = json.loads(path.read_text())
    notebook["cells"][3]["metadata"]["bbp"]["keep"] = ["o1-bowel-screening-pcn"]
    path.write_text(json.dumps(notebook))
    detail_pages.split(book)
    chapter = _cells(path)
    assert detail_pages.cell_ids(chapter[3]) == ["o1-bowel-screening-pcn"]
    assert "o1-breast-screening-pcn" not in json.dumps(chapter[3])
    assert (book / "indicators" / "o1-breast-screening.ipynb").is_file()
