"""Accessible figures and tables: alt text, captions, header cells, downloads, determinism."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from bs4 import BeautifulSoup

from bbp_analysis.figures import ci_dot_chart
from bbp_analysis.publish import format_number, mark_suppressed, png_bytes, show_figure, table_html


def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "area": ["A", "B", "C"],
            "numerator": [50, 20, 3],
            "denominator": [100, 100, 90],
            "value": [50.0, 20.0, 3.3],
            "lower": [40.4, 13.3, None],
            "upper": [59.6, 28.9, None],
            "comparison": ["better", "worse", "suppressed"],
            "suppressed": [False, False, True],
        }
    )


def test_format_number() -> None:
    assert format_number(20831, 0) == "20,831"
    assert format_number(23.945, 1) == "23.9"
    assert format_number(float("nan")) == "[x]"


def test_table_has_caption_and_column_headers() -> None:
    soup = BeautifulSoup(table_html(frame(), "Caption & more", table_id="t-1"), "html.parser")
    table = soup.find("table", id="t-1")
    assert table.find("caption").get_text() == "Caption & more"
    assert [th["scope"] for th in table.find_all("th")] == ["col"] * 8


def test_suppressed_cells_marked() -> None:
    marked = mark_suppressed(frame(), ["area", "numerator", "value"], ["numerator", "value"])
    assert marked.loc[2, "numerator"] == "[c]" and marked.loc[2, "value"] == "[c]"
    assert marked.loc[0, "numerator"] == 50


def test_mark_suppressed_hides_a_shown_denominator() -> None:
    marked = mark_suppressed(frame(), ["area", "numerator", "denominator"], ["numerator"])
    assert marked["denominator"].tolist() == [100, 100, "[c]"]


def test_png_is_deterministic() -> None:
    data = frame().iloc[:2]
    first = png_bytes(ci_dot_chart(data, label="area", benchmark=30))
    second = png_bytes(ci_dot_chart(data, label="area", benchmark=30))
    assert first == second
    assert b"Software" not in first and b"Creation" not in first


def test_figure_block(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "book").mkdir()
    monkeypatch.chdir(tmp_path / "book")
    data = frame().iloc[:2]
    block = show_figure(
        ci_dot_chart(data, label="area"),
        figure_id="fig-a",
        caption="A chart",
        alt="Two areas compared",
        data=data,
    )
    soup = BeautifulSoup(block.data, "html.parser")
    assert soup.find("img")["alt"] == "Two areas compared"
    assert soup.find("a")["href"] == "../downloads/fig-a.csv"
    saved = pd.read_csv(tmp_path / "_extra" / "downloads" / "fig-a.csv")
    assert list(saved["area"]) == ["A", "B"]
    assert soup.find("details").find("table") is not None
