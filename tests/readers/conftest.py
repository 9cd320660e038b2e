"""Fixtures for the reader tests: the fixture folder and a maker of corrupted copies."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import pytest

from bbp_analysis.errors import InputError

FIXTURES = Path(__file__).parent / "fixtures"


def corrupted_copy(
    source: Path,
    target: Path,
    *,
    drop: str | None = None,
    rename: tuple[str, str] | None = None,
    cell: tuple[int, str, str] | None = None,
    duplicate_row: int | None = None,
    encoding: str = "utf-8",
) -> Path:
    """Write ``source`` to ``target`` with one change; rows are 1-based data rows."""
    text = source.read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    if cell is not None:
        row, column, value = cell
        rows[row][header.index(column)] = value
    if duplicate_row is not None:
        rows.append(list(rows[duplicate_row]))
    if rename is not None:
        header[header.index(rename[0])] = rename[1]
    if drop is not None:
        index = header.index(drop)
        rows = [r[:index] + r[index + 1 :] for r in rows]
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    target.write_bytes(out.getvalue().encode(encoding))
    return target


@pytest.fixture
def fixture_path() -> Callable[[str], Path]:
    return lambda name: FIXTURES / name


@pytest.fixture
def corrupt(tmp_path: Path) -> Callable[..., Path]:
    """``corrupt(source, **change)``: a corrupted copy in ``tmp_path`` of a fixture (by name)
    or of any file (by path)."""

    def make(source: str | Path, **change) -> Path:
        source = FIXTURES / source if isinstance(source, str) else source
        return corrupted_copy(source, tmp_path / source.name, **change)

    return make


@pytest.fixture
def expect_error() -> Callable[..., InputError]:
    """``expect_error(call, path, row=, column=)``: the one-line InputError naming them."""

    def check(
        call: Callable[[Path], object], path: Path, *, row: int | None, column: str | None
    ) -> InputError:
        with pytest.raises(InputError) as info:
            call(path)
        error = info.value
        message = str(error)
        assert "\n" not in message
        assert message.startswith(str(path))
        assert error.row == row, message
        assert error.column == column, message
        assert error.rule, message
        if row is not None:
            assert f"row {row}" in message
        if column is not None:
            assert f"column '{column}'" in message
        return error

    return check
