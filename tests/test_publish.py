"""Accessible figures and tables: alt text, captions, header cells, downloads, determinism."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from bs4 import BeautifulSoup

from bbp_analysis.figures import ci_dot_chart
from bbp_analysis.publish import (
    mark_suppressed,
    parameter_text,
    passport_html,
    png_bytes,
    show_figure,
    table_html,
)
from bbp_analysis.synth import GENERATOR_VERSION


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


def test_table_has_caption_labelled_headers_and_formatted_cells() -> None:
    soup = BeautifulSoup(table_html(frame(), "Caption & more", table_id="t-1"), "html.parser")
    table = soup.find("table", id="t-1")
    assert table.find("caption").get_text() == "Caption & more"
    heads = [th.get_text() for th in table.find_all("th")]
    assert heads == [
        "Area or group",
        "Numerator",
        "Denominator",
        "Value",
        "Confidence interval",
        "Comparison",
        "Suppressed",
    ]
    assert [th["scope"] for th in table.find_all("th")] == ["col"] * 7
    rows = [[td.get_text() for td in tr.find_all("td")] for tr in table.find("tbody")("tr")]
    assert rows[0] == ["A", "50", "100", "50.0", "40.4 to 59.6", "better", "False"]
    assert rows[2][3:5] == ["3.3", "[x]"]


def test_table_of_a_known_download_takes_its_units_from_the_catalogue() -> None:
    block = table_html(frame(), "Cervical screening", table_id="o1-cervical-screening-pcn")
    heads = [th.get_text() for th in BeautifulSoup(block, "html.parser").find_all("th")]
    assert heads[3:5] == ["Value (%)", "Confidence interval (%)"]


def test_passport_reads_in_words_with_hashes_behind_a_toggle() -> None:
    context = {
        "edition": "2025-26",
        "parameters": {
            "period": "2025-26",
            "area_code": "E09000015",
            "area_name": "Harrow",
            "pcn": None,
            "comparators": ["NWL", "London"],
            "confidence": 0.95,
            "suppression_threshold": 10,
            "synthetic_seed": 20220401,
            "plus_groups": ({"id": "carers", "name": "Carers"},),
        },
        "code": {"package": "1.0", "source_sha256": "ab" * 32},
    }
    block = passport_html("fig-a", "figure", frame(), method="Wilson score", context=context)
    soup = BeautifulSoup(block, "html.parser")
    words = soup.find("details", class_="bbp-passport").find("p").get_text()
    assert words.startswith(
        "Made from the synthetic extract "
        f"(bbp_analysis.synth {GENERATOR_VERSION}, seed 20220401) with the "
        "parameters for 2025-26 (Harrow, 95% intervals, counts under 10 suppressed). "
        "Method: Wilson score. Reproduce it with bbp reproduce fig-a --edition 2025-26"
    )
    hashes = soup.find("details", class_="bbp-hashes").get_text()
    assert "SHA-256" in hashes and "SHA-256" not in words
    assert "pcn: not set" in hashes and "comparators: NWL, London" in hashes
    assert "plus_groups: carers" in hashes
    for repr_text in ("None", "['NWL'", "pcn=", "({"):
        assert repr_text not in soup.get_text()


def test_parameter_text_reads_values_in_words() -> None:
    assert parameter_text(None) == "not set"
    assert parameter_text(["NWL", "London", "England"]) == "NWL, London, England"
    assert parameter_text(({"id": "carers"}, {"id": "homeless"})) == "carers, homeless"
    assert parameter_text(True) == "yes"
    assert parameter_text(0.95) == "0.95"
    assert parameter_text({"folder": "x"}) == "set (in the run manifest)"


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


def test_passport_names_the_sources_of_its_download() -> None:
    params = {"period": "2025-26", "area_name": "Harrow", "synthetic_seed": 20220401}
    context = {"edition": "2025-26", "parameters": params}

    def words(item_id: str) -> str:
        block = passport_html(item_id, "table", frame(), context=context)
        return BeautifulSoup(block, "html.parser").find("p").get_text()

    assert words("delivery-status").startswith(
        "Made from the partnership's delivery tracker with the parameters for 2025-26 (Harrow)."
    )
    assert words("measures-1-2-status").startswith(
        "Made from the synthetic extract "
        f"(bbp_analysis.synth {GENERATOR_VERSION}, seed 20220401) and the "
        "figures printed in the partnership plan with the parameters for 2025-26 (Harrow)."
    )
