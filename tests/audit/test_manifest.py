"""Passports, redaction and reading glued values and figure hashes back from notebooks."""

from __future__ import annotations

import hashlib
from pathlib import Path

import matplotlib.pyplot as plt
import nbformat
import pandas as pd

from bbp_analysis.audit.manifest import glued_values, published_items, redact, run_outputs
from bbp_analysis.publish import png_bytes, show_figure


def test_credentials_and_connection_strings_are_redacted() -> None:
    params = {
        "period": "2025-26",
        "extract_password": "hunter2",
        "extract": "postgresql://analyst:hunter2@db.example/wsic",
        "confidence": 0.95,
    }
    assert redact(params) == {
        "period": "2025-26",
        "extract_password": "[redacted]",
        "extract": "[redacted]",
        "confidence": 0.95,
    }


def figure_notebook(path: Path, data: pd.DataFrame) -> None:
    fig, ax = plt.subplots()
    ax.bar(data["area"], data["value"])
    shown = show_figure(fig, figure_id="demo-bars", caption="Demo", alt="Bars", data=data)
    plt.close(fig)
    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("show")
    glued = nbformat.v4.new_output(
        "display_data", data={"text/plain": "23.9"}, metadata={"scrapbook": {"name": "rate"}}
    )
    cell.outputs = [
        nbformat.v4.new_output("display_data", data={"text/html": shown.data}),
        glued,
    ]
    notebook.cells = [cell]
    nbformat.write(notebook, path)


def test_figure_passport_hashes_are_read_back(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "book").mkdir()
    monkeypatch.chdir(tmp_path / "book")
    data = pd.DataFrame({"area": ["A", "B"], "value": [1.5, 2.25]})
    figure_notebook(tmp_path / "book" / "ch.ipynb", data)
    download = tmp_path / "_extra" / "downloads" / "demo-bars.csv"
    expected_csv = "area,value\nA,1.5\nB,2.25\n"
    assert download.read_text() == expected_csv
    items = published_items(tmp_path / "book" / "ch.ipynb")
    assert items["demo-bars"]["kind"] == "figure"
    assert items["demo-bars"]["rows"] == "2"
    assert items["demo-bars"]["data-sha256"] == hashlib.sha256(expected_csv.encode()).hexdigest()
    assert glued_values(tmp_path / "book" / "ch.ipynb") == {"rate": "23.9"}
    outputs = run_outputs([tmp_path / "book" / "ch.ipynb"])
    assert outputs["items"]["demo-bars"]["notebook"] == "ch.ipynb"


def test_png_bytes_are_deterministic() -> None:
    def draw() -> bytes:
        fig, ax = plt.subplots()
        ax.plot([1, 2, 3], [3, 1, 2], label="x")
        ax.legend()
        data = png_bytes(fig)
        plt.close(fig)
        return data

    assert draw() == draw()
