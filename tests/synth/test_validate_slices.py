"""Validation of a long table a slice at a time names the same first bad row as validating
it whole (value rules, the fin_year window and the unique key)."""

from __future__ import annotations

import pyarrow as pa
import pytest

from bbp_analysis.errors import InputError
from bbp_analysis.synth import generate as gen
from bbp_analysis.synth.calibration import window

YEARS = ("2023-24", "2024-25")


def _programmes(n: int) -> dict[str, list]:
    return {
        "person_id": [f"P{i // 2 + 1:08d}" for i in range(n)],
        "fin_year": [YEARS[i % 2] for i in range(n)],
        "programme": ["flu_65plus"] * n,
        "eligible": [True] * n,
        "completed": [i % 3 == 0 for i in range(n)],
    }


def _error(columns: dict[str, list], monkeypatch: pytest.MonkeyPatch, rows: int) -> str:
    monkeypatch.setattr(gen, "VALIDATE_ROWS", rows)
    with pytest.raises(InputError) as caught:
        gen.validate_table("programmes", pa.table(columns), YEARS)
    return str(caught.value)


@pytest.mark.parametrize(
    ("column", "row", "value", "expected"),
    [
        ("fin_year", 37, "2019-20", "row 38, column 'fin_year': period within the extract"),
        ("person_id", 23, "X1", "row 24, column 'person_id'"),
        ("person_id", 35, "P00000015", "row 36, column 'person_id': unique key"),
    ],
)
def test_sliced_and_whole_validation_name_the_same_row(
    column: str, row: int, value: str, expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    columns = _programmes(40)
    columns[column][row] = value
    whole = _error(columns, monkeypatch, rows=1000)
    sliced = _error(columns, monkeypatch, rows=7)
    assert expected in whole
    assert sliced == whole


def test_a_valid_long_table_passes_in_slices(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gen, "VALIDATE_ROWS", 7)
    gen.validate_table("programmes", pa.table(_programmes(40)), YEARS)


def test_a_duplicate_across_written_chunks_is_named(tmp_path) -> None:
    table = pa.table(_programmes(40))
    rows = table.to_pydict()
    rows["person_id"][20] = rows["person_id"][18]  # same person and year as row 19
    table = pa.table(rows).take([*range(19), 20, 19, *range(21, 40)])  # now rows 19 and 20
    writer = gen._Writer(tmp_path / "p.parquet", "programmes", YEARS, validate=True)
    with pytest.raises(InputError) as caught:
        for chunk in (table.slice(0, 19), table.slice(19)):  # the pair straddles the cut
            writer.write(chunk)
    writer.close()
    assert "row 20, column 'person_id': unique key" in str(caught.value)


def test_chunked_tables_hold_the_same_rows_and_identifiers(monkeypatch: pytest.MonkeyPatch):
    years = window("2022-23")
    whole = gen.build_tables("E09000015", 0.01, 7, years)
    monkeypatch.setattr(gen, "CHUNK_ROWS", 997)
    chunked = gen.build_tables("E09000015", 0.01, 7, years)
    assert whole["programmes"].num_rows > 3 * 997
    for name, table in whole.items():
        assert chunked[name].equals(table), name


@pytest.mark.parametrize("row", [1, 23, 39])
def test_the_writer_names_a_duplicate_inside_a_chunk_as_the_whole_table_check_does(
    row: int, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    columns = _programmes(40)
    for column in ("person_id", "fin_year"):  # row repeats the key of the row before it
        columns[column][row] = columns[column][row - 1]
    whole = _error(columns, monkeypatch, rows=1000)
    writer = gen._Writer(tmp_path / "p.parquet", "programmes", YEARS, validate=True)
    with pytest.raises(InputError) as caught:
        writer.write(pa.table(columns))
    writer.close()
    assert f"row {row + 1}, column 'person_id': unique key" in whole
    assert str(caught.value) == whole


def test_generate_refuses_a_bad_chunk_written_beside_the_drawing(tmp_path, monkeypatch) -> None:
    """Chunks are checked and written in a second thread while the next is drawn: a bad one
    still stops generation with its own message, and no file (whole or partial) is left."""
    table = pa.table(_programmes(40))
    rows = table.to_pydict()
    rows["person_id"][20] = rows["person_id"][18]
    table = pa.table(rows).take([*range(19), 20, 19, *range(21, 40)])
    drawn = []

    def chunks(*_args):
        for start in (0, 19):
            drawn.append(start)
            yield "programmes", table.slice(start, 19 if start == 0 else None)
        drawn.append("persons")
        yield "persons", pa.table({"person_id": ["P00000001"]})

    monkeypatch.setattr(gen, "iter_tables", chunks)
    with pytest.raises(InputError) as caught:
        gen.generate(out_dir=tmp_path, through=YEARS[-1])
    assert "programmes.parquet: row 20, column 'person_id': unique key" in str(caught.value)
    assert drawn[:2] == [0, 19]
    assert list(tmp_path.iterdir()) == []
