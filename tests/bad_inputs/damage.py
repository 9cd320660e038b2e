"""Ways to damage an input file in a disposable project, and that project.

Every function takes the project root and a file path relative to it. A file is replaced,
never written through: the project is a tree of symbolic links to the repository's files
(:func:`link_project`), and a damaged file becomes a real file in the copy only.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from bbp_analysis.extract import MANIFEST, ensure_extract, sha256_file
from bbp_analysis.params import load_parameters

from support import repository_data_lock

ROOT = Path(__file__).resolve().parents[2]
AREA = "E09000015"
EXTRACT = f"data/synthetic/{AREA}"
#: What the input checks read (the book's templates for their parameters cells).
PARTS = (
    "_config.yml",
    "_toc.yml",
    "book",
    "parameters",
    "data/reference",
    "data/delivery",
    "data/published",
    EXTRACT,
)
BAD_BYTE = b"\xe9"  # "é" in Windows-1252 / Latin-1: not UTF-8 on its own
_MARK = "\x00BAD\x00"


def ensure_shared_extract() -> None:
    """The repository's default extract (generated once when absent)."""
    with repository_data_lock():  # other test workers may be generating it too
        defaults = load_parameters(None, ROOT)
        ensure_extract(defaults["area_code"], defaults["synthetic_seed"], ROOT)


def link_project(target: Path) -> Path:
    """A project at ``target`` whose every file is a symbolic link to the repository's."""
    for part in PARTS:
        source = ROOT / part
        files = (
            [source] if source.is_file() else sorted(p for p in source.rglob("*") if p.is_file())
        )
        for path in files:
            link = target / path.relative_to(ROOT)
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(path)
    return target


def read(project: Path, name: str) -> bytes:
    return (project / name).read_bytes()


def replace(project: Path, name: str, data: bytes | str) -> None:
    """Replace ``name`` (a link into the repository) by a file of its own holding ``data``."""
    path = project / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)


def period_file(period: str, meeting: str) -> str:
    """A period's parameters file (``meeting``: a board meeting date after it)."""
    start = int(period[:4])
    return (
        f'period: "{period}"\nperiod_start: "{start}-04-01"\nperiod_end: "{start + 1}-03-31"\n'
        f'board_meeting_date: "{meeting}"\n'
    )


def fixed_extract(**changes: object) -> Callable[[Path, str], None]:
    """Make the extract one the generator did not make (its manifest not ``synthetic``, so
    it is used as it is, never regenerated), with ``changes`` to its manifest (a value None
    removes the key); the file named is left alone (the case writes it)."""

    def damage(project: Path, name: str) -> None:
        manifest = json.loads(read(project, f"{EXTRACT}/{MANIFEST}"))
        manifest.update(synthetic=False, generator="an analyst's warehouse export")
        manifest.update(changes)
        manifest = {key: value for key, value in manifest.items() if value is not None}
        replace(project, f"{EXTRACT}/{MANIFEST}", json.dumps(manifest, indent=2))

    return damage


def csv_text(project: Path, name: str) -> str:
    data = read(project, name)
    return (gzip.decompress(data) if name.endswith(".gz") else data).decode("utf-8-sig")


def write_csv_text(project: Path, name: str, text: str | bytes) -> None:
    data = text.encode() if isinstance(text, str) else text
    replace(project, name, gzip.compress(data, mtime=0) if name.endswith(".gz") else data)


def csv_rows(project: Path, name: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(csv_text(project, name))))


def write_rows(project: Path, name: str, rows: list[list[str]]) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    write_csv_text(project, name, buffer.getvalue().encode().replace(_MARK.encode(), BAD_BYTE))


def edit_rows(change: Callable[[list[list[str]]], list[list[str]]]) -> Callable[[Path, str], None]:
    return lambda project, name: write_rows(project, name, change(csv_rows(project, name)))


def set_cell(row: int, column: str, value: str) -> Callable[[Path, str], None]:
    """Data row ``row`` (1-based), ``column`` (header name) set to ``value``."""

    def change(rows: list[list[str]]) -> list[list[str]]:
        rows[row][rows[0].index(column)] = value
        return rows

    return edit_rows(change)


def value_of_a_later_row(row: int, column: str) -> Callable[[Path, str], None]:
    """Data row ``row``'s ``column`` set to the first different value a later row holds in
    it: a valid value, in the wrong row."""

    def change(rows: list[list[str]]) -> list[list[str]]:
        at = rows[0].index(column)
        rows[row][at] = next(r[at] for r in rows[row + 1 :] if r[at] != rows[row][at])
        return rows

    return edit_rows(change)


def bad_byte_in(row: int, column: str) -> Callable[[Path, str], None]:
    """A byte that is not UTF-8 written into data row ``row``, ``column``."""

    def change(rows: list[list[str]]) -> list[list[str]]:
        index = rows[0].index(column)
        rows[row][index] = _MARK + rows[row][index]
        return rows

    return edit_rows(change)


def drop_column(column: str) -> Callable[[Path, str], None]:
    def change(rows: list[list[str]]) -> list[list[str]]:
        index = rows[0].index(column)
        return [r[:index] + r[index + 1 :] for r in rows]

    return edit_rows(change)


def rename_column(column: str, new: str | None = None) -> Callable[[Path, str], None]:
    def change(rows: list[list[str]]) -> list[list[str]]:
        rows[0][rows[0].index(column)] = new or f"Renamed {column}"
        return rows

    return edit_rows(change)


def header_only(project: Path, name: str) -> None:
    edit_rows(lambda rows: rows[:1])(project, name)


def every_row_twice(project: Path, name: str) -> None:
    edit_rows(lambda rows: [rows[0], *(r for row in rows[1:] for r in (row, row))])(project, name)


def last_row_cut(project: Path, name: str) -> None:
    """The file ends half-way through its last row (a copy cut off)."""
    text = csv_text(project, name).rstrip("\n")
    start = text.rfind("\n") + 1
    write_csv_text(project, name, text[: start + (len(text) - start) // 2] + "\n")


def emptied(project: Path, name: str) -> None:
    replace(project, name, b"")


def first_half(project: Path, name: str) -> None:
    """The file's bytes cut in half (an interrupted copy)."""
    data = read(project, name)
    replace(project, name, data[: len(data) // 2])


def text_doubled(project: Path, name: str) -> None:
    data = read(project, name)
    replace(project, name, data + data)


def text_bad_byte(project: Path, name: str) -> None:
    """A non-UTF-8 byte at the start of the file's third line."""
    lines = read(project, name).split(b"\n")
    lines[2] = BAD_BYTE + lines[2]
    replace(project, name, b"\n".join(lines))


def text_first_tenth(project: Path, name: str) -> None:
    data = read(project, name)
    replace(project, name, data[: len(data) // 10])


def append_text(extra: str) -> Callable[[Path, str], None]:
    return lambda project, name: replace(project, name, read(project, name) + extra.encode())


def remove_line(prefix: str) -> Callable[[Path, str], None]:
    def damage(project: Path, name: str) -> None:
        lines = read(project, name).decode().splitlines(keepends=True)
        kept = [line for line in lines if not line.startswith(prefix)]
        assert len(kept) == len(lines) - 1, (name, prefix)
        replace(project, name, "".join(kept))

    return damage


def substitute(old: str, new: str) -> Callable[[Path, str], None]:
    def damage(project: Path, name: str) -> None:
        text = read(project, name).decode()
        assert old in text, (name, old)
        replace(project, name, text.replace(old, new, 1))

    return damage


def substitute_in_manifest(
    table: str, change: Callable[[dict], tuple[str, str]]
) -> Callable[[Path, str], None]:
    """:func:`substitute` of the text pair ``change`` makes of ``table``'s entry in the
    extract manifest, read when the damage is done (the extract need not exist before)."""

    def damage(project: Path, name: str) -> None:
        entry = json.loads(read(project, name))["tables"][table]
        substitute(*change(entry))(project, name)

    return damage


def substitute_bytes(old: str, new: bytes) -> Callable[[Path, str], None]:
    def damage(project: Path, name: str) -> None:
        data = read(project, name)
        assert old.encode() in data, (name, old)
        replace(project, name, data.replace(old.encode(), new, 1))

    return damage


def rewrite_table(change: Callable[[pa.Table], pa.Table]) -> Callable[[Path, str], None]:
    """The Parquet table rewritten by ``change`` and its manifest entry (rows, SHA-256)
    updated to match: a well-formed extract whose content breaks its schema."""

    def damage(project: Path, name: str) -> None:
        path = project / name
        table = change(pq.read_table(path))
        path.unlink()
        pq.write_table(table, path)
        manifest_path = path.parent / MANIFEST
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        entry = next(e for e in manifest["tables"].values() if e["file"] == path.name)
        entry.update(rows=table.num_rows, sha256=sha256_file(path))
        replace(project, str(manifest_path.relative_to(project)), json.dumps(manifest))

    return damage


#: A warehouse export for the ``extract`` parameter: a small extract from another seed, as
#: CSV files with no manifest (generated once, under the git-ignored ``_build/``).
WAREHOUSE = ROOT / "_build" / "test-fixtures" / "warehouse-seed-13"
WAREHOUSE_DECLARED = '{folder: warehouse, provider: "Test warehouse", extracted: "2026-05-01"}'


def warehouse_export() -> Path:
    """:data:`WAREHOUSE`, written when absent (complete or not at all)."""
    if not WAREHOUSE.is_dir():
        import shutil
        import tempfile

        import duckdb

        from bbp_analysis.contract import load
        from bbp_analysis.synth.generate import generate

        WAREHOUSE.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=WAREHOUSE.parent) as scratch:
            parquet, out = Path(scratch, "parquet"), Path(scratch, "csv")
            generate(scale=0.02, seed=13, out_dir=parquet)
            out.mkdir()
            with duckdb.connect(":memory:") as con:
                for name in load().tables:
                    source, target = parquet / f"{name}.parquet", out / f"{name}.csv"
                    con.execute(
                        f"COPY (SELECT * FROM read_parquet('{source}')) TO '{target}' (HEADER)"
                    )
            shutil.move(out, WAREHOUSE)
    return WAREHOUSE


def named_extract(
    declared: str = WAREHOUSE_DECLARED,
    table: str | None = None,
    damage_table: Callable[[Path, str], None] | None = None,
) -> Callable[[Path, str], None]:
    """Set ``extract: <declared>`` in the parameters file named, with the warehouse export
    linked into the project's ``warehouse/`` folder and ``damage_table`` applied to
    ``warehouse/<table>.csv``."""

    def damage(project: Path, name: str) -> None:
        folder = project / "warehouse"
        folder.mkdir()
        for path in warehouse_export().iterdir():
            (folder / path.name).symlink_to(path)
        if table is not None and damage_table is not None:
            damage_table(project, f"warehouse/{table}.csv")
        replace(project, name, read(project, name) + f"extract: {declared}\n".encode())

    return damage
