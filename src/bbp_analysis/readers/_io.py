"""Shared CSV reading for the public-data readers.

Every reader goes through :func:`read_csv_strings`, which gives a frame of strings (missing
cells as ``<NA>``) after checking the things that break silently elsewhere: the file exists,
is not empty, is UTF-8 (a UTF-8 byte-order mark is accepted and dropped; gzip is
decompressed), has a header without duplicated names and rows with as many fields as the
header. Type, code and range checks are left to the readers' schemas.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from ..errors import InputError
from ..validation import reject_first

UTF8_BOM = b"\xef\xbb\xbf"
GZIP_MAGIC = b"\x1f\x8b"
_THOUSANDS = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")


def _raw_bytes(path: Path) -> bytes:
    if not path.is_file():
        raise InputError("file not found", file=path, rule="file exists")
    data = path.read_bytes()
    if data.startswith(GZIP_MAGIC):
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise InputError(
                f"cannot decompress gzip file ({exc})", file=path, rule="readable gzip"
            ) from exc
    return data


def _decode(data: bytes, path: Path) -> str:
    """UTF-8 text without BOM; a non-UTF-8 byte raises naming its row and column."""
    if data.startswith(UTF8_BOM):
        data = data[len(UTF8_BOM) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        row = data.count(b"\n", 0, exc.start)  # header is row 0
        header = next(csv.reader([data.split(b"\n", 1)[0].decode("utf-8", "replace")]), [])
        before = data[line_start : exc.start].decode("utf-8", "replace")
        field = next(csv.reader([before]), [""])
        index = max(len(field) - 1, 0)
        column = header[index].strip() if index < len(header) else None
        byte = data[exc.start]
        raise InputError(
            f"byte 0x{byte:02x} is not UTF-8 (the file looks Windows-1252/Latin-1 encoded); "
            "re-save it as UTF-8",
            file=path,
            row=row if row > 0 else None,
            column=column,
            rule="encoding UTF-8",
        ) from exc


def read_records(path: str | Path) -> tuple[list[str], list[list[str]]]:
    """The header (names stripped) and the data rows of a CSV file, cells as written.

    Raises :class:`InputError` for a missing, empty, non-UTF-8, unparseable or ragged file
    (naming the data row), a file with a header but no data rows, or a header naming a
    column twice. Rows whose cells are all blank are dropped before rows are numbered.
    """
    path = Path(path)
    text = _decode(_raw_bytes(path), path)
    if not text.strip():
        raise InputError("file is empty", file=path, rule="not empty")
    reader = csv.reader(io.StringIO(text))
    try:
        records = list(reader)
    except csv.Error as exc:
        raise InputError(
            f"unreadable CSV ({exc})",
            file=path,
            row=max(reader.line_num - 1, 1),
            rule="rectangular CSV",
        ) from exc
    header = [name.strip() for name in records[0]]
    seen: set[str] = set()
    for name in header:
        if name in seen:
            raise InputError(
                "column name appears twice in the header",
                file=path,
                column=name,
                rule="unique header",
            )
        seen.add(name)
    rows = [r for r in records[1:] if any(cell.strip() for cell in r)]
    if not rows:
        raise InputError("file has a header but no data rows", file=path, rule="not empty")
    for number, fields in enumerate(rows, start=1):
        if len(fields) != len(header):
            raise InputError(
                f"row has {len(fields)} fields; the header has {len(header)}",
                file=path,
                row=number,
                rule="rectangular CSV",
            )
    return header, rows


def read_csv_strings(path: str | Path) -> pd.DataFrame:
    """Read a CSV file as strings: header names and cells stripped, empty cells missing.

    Raises :class:`InputError` as :func:`read_records` does.
    """
    header, rows = read_records(path)
    frame = pd.DataFrame(rows, columns=header, dtype="string")
    for name in header:
        stripped = frame[name].str.strip()
        frame[name] = stripped.mask(stripped == "")
    return frame


def read_csv_verbatim(path: str | Path) -> pd.DataFrame:
    """Read a CSV file as written (strings, empty cells missing, nothing stripped),
    as ``pandas.read_csv(dtype=str, keep_default_na=False, na_values=[""])`` would, after
    the structural checks of :func:`read_records`."""
    header, rows = read_records(path)
    frame = pd.DataFrame(rows, columns=header, dtype=str)
    return frame.mask(frame == "")


def require_header(
    frame: pd.DataFrame, columns: Iterable[str], *, file: str | Path, layout: str
) -> None:
    """Raise naming the first of ``columns`` missing, and any unknown header as a hint."""
    columns = list(columns)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        unknown = [c for c in frame.columns if c not in columns]
        hint = f"; unexpected columns: {', '.join(unknown)}" if unknown else ""
        raise InputError(
            f"required column missing from the {layout} layout{hint}",
            file=file,
            column=missing[0],
            rule=f"{layout} header",
        )


def match_prefixes(
    frame: pd.DataFrame,
    prefixes: Mapping[str, str],
    *,
    file: str | Path,
    layout: str,
    optional: Iterable[str] = (),
) -> dict[str, str]:
    """Map each header that starts with a prefix to its tidy name.

    ``prefixes`` maps a header prefix to the tidy name; prefixes listed in ``optional`` may
    be absent. A prefix matching two headers is an error (the file is ambiguous).
    """
    optional = set(optional)
    mapping: dict[str, str] = {}
    for prefix, tidy in prefixes.items():
        hits = [c for c in frame.columns if c.casefold().startswith(prefix.casefold())]
        if len(hits) > 1:
            raise InputError(
                f"two columns start with {prefix!r}: {hits[0]!r}, {hits[1]!r}",
                file=file,
                column=hits[1],
                rule=f"{layout} header",
            )
        if not hits:
            if prefix in optional:
                continue
            raise InputError(
                f"no column starting with {prefix!r} in the {layout} layout",
                file=file,
                column=prefix,
                rule=f"{layout} header",
            )
        mapping[hits[0]] = tidy
    return mapping


def strip_thousands(series: pd.Series) -> pd.Series:
    """Remove thousands separators from well-formed numbers like ``"29,199"``.

    Only full matches of ``d{1,3}(,ddd)+`` are changed, so a malformed value such as
    ``"2,91"`` stays as it is and fails the later type check.
    """
    text = series.astype("string")
    formatted = text.str.fullmatch(_THOUSANDS.pattern).fillna(False)
    return text.mask(formatted, text.str.replace(",", "", regex=False))


def first_duplicate_row(frame: pd.DataFrame, key: list[str]) -> int | None:
    """1-based data row of the first row repeating an earlier row's ``key``, or None."""
    hits = frame.duplicated(key, keep="first").to_numpy().nonzero()[0]
    return int(hits[0]) + 1 if len(hits) else None


def reject_duplicates(
    frame: pd.DataFrame, key: list[str], *, file: str | Path, rows: pd.Series | None = None
) -> None:
    """Raise if two rows share ``key``; ``rows`` maps positions to source data rows."""
    position = first_duplicate_row(frame, key)
    if position is None:
        return
    row = int(rows.iloc[position - 1]) if rows is not None else position
    raise InputError(
        f"duplicate of an earlier row on ({', '.join(key)})",
        file=file,
        row=row,
        column=key[0],
        rule="unique key",
    )


@contextmanager
def source_columns(names: Mapping[str, str]) -> Iterator[None]:
    """Re-raise an :class:`InputError` about a tidy column under its name in the file.

    ``names`` maps tidy names to the file's header names, so messages name what the user sees.
    """
    try:
        yield
    except InputError as exc:
        source = names.get(exc.column) if exc.column is not None else None
        if source is None or source == exc.column:
            raise
        raise InputError(
            exc.detail, file=exc.file, row=exc.row, column=source, rule=exc.rule
        ) from exc


def part_of_whole(
    frame: pd.DataFrame, part: str, whole: str, labels: tuple[str, str], *, file: Path, column: str
) -> pd.Series:
    """``part / whole`` as a fraction (missing where either is missing or ``whole`` is 0),
    after rejecting the first row where ``part`` exceeds ``whole`` (``labels``: the two
    counts' names in the message and rule)."""
    reject_first(
        frame[part] > frame[whole],
        lambda i: f"{labels[0]} {frame[part].iloc[i]} exceeds {labels[1]} {frame[whole].iloc[i]}",
        file=file,
        column=column,
        rule=f"{labels[0]} <= {labels[1]}",
    )
    size = frame[whole].astype("float64")
    return (frame[part].astype("float64") / size).where(size > 0)
