"""The board paper: its scorecard shows the chapters' headline values, its key messages and
figures are the executed chapters' own, and synthetic values are labelled."""

from __future__ import annotations

import base64
import importlib
import importlib.util
import io
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pytest
from pypdf import PdfReader

from bbp_analysis.board_paper import (
    FOOTER,
    chapter_key_messages,
    edition_headlines,
    front_page_link,
    site_figures,
    write_board_paper,
)
from bbp_analysis.params import load_parameters

from support import ROOT

PERIOD = "2025-26"
MESSAGE = "**Measure 9** (2025-26): 12.3% (10.0 to 14.6). A sentence the chapter wrote."


def _headlines_from_chapters(params: dict) -> list:
    """Every chapter module's headlines, called directly (not through the scorecard)."""
    items = []
    for number in (1, 2, 3):
        name = f"bbp_analysis.chapters.objective_{number}"
        if importlib.util.find_spec(name) is not None:
            items.extend(importlib.import_module(name).headline_measures(params))
    return items


def _png() -> bytes:
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([1, 2, 3], [3, 1, 2])
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return buffer.getvalue()


def _executed(folder: Path, figure_id: str) -> Path:
    """An executed chapter notebook holding a key-messages block and one published figure."""
    folder.mkdir(parents=True)
    encoded = base64.b64encode(_png()).decode("ascii")
    figure = (
        f'<figure class="bbp-figure" id="{figure_id}"><img src="data:image/png;base64,'
        f'{encoded}" alt="a line" /><figcaption>A test figure. Synthetic data. '
        '<a href="../downloads/x.csv" download>Download</a></figcaption></figure>'
    )
    notebook = {
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": ["# 9. A test chapter"]},
            {
                "cell_type": "code",
                "metadata": {},
                "source": [],
                "execution_count": 1,
                "outputs": [
                    {
                        "output_type": "display_data",
                        "metadata": {},
                        "data": {
                            "text/markdown": f"**Key messages** (synthetic data)\n\n- {MESSAGE}"
                        },
                    },
                    {"output_type": "display_data", "metadata": {}, "data": {"text/html": figure}},
                ],
            },
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    (folder / "objective-9-test.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def paper(tmp_path_factory) -> tuple[str, list, dict]:
    params = load_parameters(PERIOD, ROOT)
    expected = _headlines_from_chapters(params)
    figure_id = expected[-1].anchor.partition("#")[2]
    executed = _executed(tmp_path_factory.mktemp("edition") / "book", figure_id)
    out = write_board_paper(params, executed, executed.parent / "board-paper.pdf", ROOT)
    reader = PdfReader(out)
    text = "\n".join(page.extract_text().replace(FOOTER, "") for page in reader.pages)
    return (
        text,
        expected,
        {
            "pages": len(reader.pages),
            "figure_id": figure_id,
            "images": sum(len(page.images) for page in reader.pages),
        },
    )


@pytest.mark.slow
def test_scorecard_values_equal_the_headlines(paper):
    text, expected, _ = paper
    scorecard = " ".join(text.split("1. Scorecard", 1)[1].split("2. Key messages", 1)[0].split())
    assert expected, "no chapter module reports a headline"
    for item in expected:
        unit = "%" if item.unit == "%" else f" {item.unit}"
        assert f"{item.value:,.1f}{unit}" in scorecard, item.indicator_id
        assert f"({item.lower:,.1f}{unit} to {item.upper:,.1f}{unit})" in scorecard, (
            item.indicator_id
        )
        assert item.status.capitalize() in scorecard
    assert scorecard.count("[synthetic]") == sum(item.synthetic for item in expected)


@pytest.mark.slow
def test_paper_holds_messages_delivery_risks_and_labels(paper):
    text, _, facts = paper
    flat = " ".join(text.split())
    assert "Measure 9 (2025-26): 12.3% (10.0 to 14.6). A sentence the chapter wrote." in flat
    assert "3. Delivering the plan" in flat and "4. Top risks" in flat
    assert "milestones reported in 2025-26" in flat
    assert "Highest risk: finances (likelihood 4 x impact 5 = 20, falling)" in flat
    assert "Synthetic data" in flat and "illustrative" in flat
    assert 2 <= facts["pages"] <= 6
    # the site's headline figure, the status chart and the risk matrix
    assert facts["images"] == 3


def test_key_messages_and_figures_are_read_from_executed_notebooks(tmp_path):
    executed = _executed(tmp_path / "book", "pm5-test")
    assert chapter_key_messages(executed) == [("9. A test chapter", [MESSAGE])]
    figures = site_figures(executed)
    assert list(figures) == ["pm5-test"]
    png, caption = figures["pm5-test"]
    assert png == _png()
    assert caption == "A test figure. Synthetic data."


@pytest.mark.slow
def test_snapshot_headlines_round_trip(tmp_path, paper):
    _, expected, _ = paper
    extra = tmp_path / "_extra"
    extra.mkdir()
    (extra / "headlines.json").write_text(json.dumps([h.as_dict() for h in expected]))
    assert edition_headlines({}, tmp_path / "book") == expected


def test_front_page_link_points_beside_the_book():
    markup = front_page_link(PERIOD).data
    assert 'href="../board-paper.pdf"' in markup
    assert "2025-26" in markup
