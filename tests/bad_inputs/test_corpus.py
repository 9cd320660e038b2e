"""The bad-input corpus: each broken input gives one line naming file, row, column and rule,
exit status 2, no traceback, and nothing published.

Every case breaks one thing in a disposable copy of the project and runs the ``bbp`` command
line in-process: ``bbp validate`` for parameters and reference tables, ``bbp build`` (which
stops before any notebook runs) for the data extract, the notebook templates and the period,
and the public-data readers directly (no command reads them before the notebooks do).
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from bbp_analysis import cli
from bbp_analysis.errors import InputError
from bbp_analysis.readers.practices import read_harrow_practices

from support import copy_project

PERIOD = "2025-26"
PRACTICES = "data/reference/public/harrow-practices/harrow_practices_2021-01_with_pcn.csv"


def replace_in(project: Path, name: str, old: str, new: str) -> None:
    path = project / name
    text = path.read_text(encoding="utf-8")
    assert old in text, (name, old)
    path.unlink()  # never write through a hard link shared with the repository
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def write(project: Path, name: str, data: str | bytes) -> None:
    path = project / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.unlink()
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8")


def edit_cell(project: Path, name: str, row: int, column: str, value: str) -> None:
    """Set data row ``row`` (1-based), ``column`` of a CSV to ``value``."""
    rows = list(csv.reader(io.StringIO((project / name).read_text(encoding="utf-8"))))
    rows[row][rows[0].index(column)] = value
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    write(project, name, buffer.getvalue())


def edit_rows(project: Path, name: str, change: Callable[[list[list[str]]], list[list[str]]]):
    rows = list(csv.reader(io.StringIO((project / name).read_text(encoding="utf-8"))))
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(change(rows))
    write(project, name, buffer.getvalue())


def drop_column(rows: list[list[str]], column: str) -> list[list[str]]:
    index = rows[0].index(column)
    return [r[:index] + r[index + 1 :] for r in rows]


def rename_column(rows: list[list[str]], old: str, new: str) -> list[list[str]]:
    rows[0][rows[0].index(old)] = new
    return rows


def swap_counts(rows: list[list[str]]) -> list[list[str]]:
    header = rows[0]
    a, b = header.index("patients_with_diabetes"), header.index("patients_all_9")
    rows[1][a], rows[1][b] = rows[1][b], rows[1][a]
    return rows


@dataclass(frozen=True)
class Case:
    """One broken input: how to break it, the command, and what the message must name."""

    name: str
    breaks: Callable[[Path], None]
    file: str
    rule: str
    row: int | None = None
    column: str | None = None
    command: str = "validate"
    period: str = PERIOD


P = f"parameters/{PERIOD}.yaml"
D = "parameters/defaults.yaml"
DIABETES = "data/reference/diabetes_9cp_practices.csv"
MEASURES = "data/reference/partnership_measures.csv"
PCNS = "data/reference/pcn_names.csv"
CORE = "data/reference/core20plus5.csv"
EXTRACT = "data/synthetic/E09000015"
NOTEBOOK = "book/objective-3-care-pathways.ipynb"

CASES = [
    # parameters: malformed, partial or unknown
    Case(
        "yaml-unclosed-list",
        lambda p: replace_in(p, D, '["NWL", "London", "England"]', '["NWL", "London"'),
        D,
        "valid YAML",
    ),
    Case(
        "yaml-partial-file",
        lambda p: write(p, P, 'period: "2025-26"\nperiod_start: "2025-04'),
        P,
        "valid YAML",
    ),
    Case(
        "yaml-bad-indent", lambda p: replace_in(p, D, "area_name:", "  area_name:"), D, "valid YAML"
    ),
    Case(
        "yaml-not-utf8",
        lambda p: write(
            p,
            D,
            (p / D).read_text(encoding="utf-8").replace('"Harrow"', '"Harrów"').encode("cp1252"),
        ),
        D,
        "encoding UTF-8",
    ),
    Case("yaml-empty-file", lambda p: write(p, P, ""), P, "parameters file not empty"),
    Case(
        "yaml-not-a-mapping",
        lambda p: write(p, P, "- 2025-26\n- 2025-04-01\n"),
        P,
        "valid parameters file",
    ),
    Case(
        "unknown-parameter",
        lambda p: replace_in(p, D, "pcn: null", "pcn: null\ncolour: red"),
        D,
        "known parameter",
        column="colour",
    ),
    Case(
        "misspelt-parameter",
        lambda p: replace_in(p, D, "confidence:", "confidense:"),
        D,
        "known parameter",
        column="confidense",
    ),
    Case(
        "default-period-in-period-file",
        lambda p: replace_in(
            p, P, 'period: "2025-26"', 'period: "2025-26"\ndefault_period: "2024-25"'
        ),
        P,
        "known parameter",
        column="default_period",
    ),
    Case(
        "required-parameter-missing",
        lambda p: replace_in(p, P, 'period_end: "2026-03-31"', ""),
        P,
        "required parameter",
        column="period_end",
    ),
    Case(
        "confidence-is-text",
        lambda p: replace_in(p, D, "confidence: 0.95", "confidence: high"),
        D,
        "parameter type",
        column="confidence",
    ),
    Case(
        "threshold-is-fraction",
        lambda p: replace_in(p, D, "suppression_threshold: 10", "suppression_threshold: 9.5"),
        D,
        "parameter type",
        column="suppression_threshold",
    ),
    Case(
        "area-code-unquoted-number",
        lambda p: replace_in(p, D, 'area_code: "E09000015"', "area_code: 9000015"),
        D,
        "parameter type",
        column="area_code",
    ),
    Case(
        "comparators-not-a-list",
        lambda p: replace_in(p, D, '["NWL", "London", "England"]', '"NWL"'),
        D,
        "parameter type",
        column="comparators",
    ),
    Case(
        "confidence-out-of-range",
        lambda p: replace_in(p, D, "confidence: 0.95", "confidence: 1.5"),
        P,
        "range",
        column="confidence",
    ),
    Case(
        "threshold-zero",
        lambda p: replace_in(p, D, "suppression_threshold: 10", "suppression_threshold: 0"),
        P,
        "range",
        column="suppression_threshold",
    ),
    Case(
        "area-code-malformed",
        lambda p: replace_in(p, D, '"E09000015"', '"Harrow"'),
        P,
        "area code format",
        column="area_code",
    ),
    Case(
        "period-start-wrong",
        lambda p: replace_in(p, P, '"2025-04-01"', '"2025-01-01"'),
        P,
        "period dates",
        column="period_start",
    ),
    Case(
        "period-end-not-a-date",
        lambda p: replace_in(p, P, '"2026-03-31"', '"31/03/2026"'),
        P,
        "date format",
        column="period_end",
    ),
    Case(
        "period-mismatches-file",
        lambda p: replace_in(p, P, 'period: "2025-26"', 'period: "2024-25"'),
        P,
        "period matches file name",
        column="period",
    ),
    Case(
        "period-has-no-file",
        lambda p: None,
        "parameters/2031-32.yaml",
        "period exists",
        period="2031-32",
    ),
    Case(
        "pcn-unknown",
        lambda p: replace_in(p, D, "pcn: null", 'pcn: "Nowhere PCN"'),
        "parameters",
        "code list",
        column="pcn",
    ),
    # reference tables: columns, types, codes, duplicates, counts, encodings, emptiness
    Case(
        "missing-column",
        lambda p: edit_rows(p, DIABETES, lambda r: drop_column(r, "practice_code")),
        DIABETES,
        "diabetes_9cp_practices schema",
        column="practice_code",
    ),
    Case(
        "renamed-column",
        lambda p: edit_rows(
            p, DIABETES, lambda r: rename_column(r, "patients_all_9", "patients_all9")
        ),
        DIABETES,
        "diabetes_9cp_practices schema",
        column="patients_all_9",
    ),
    Case(
        "extra-column",
        lambda p: edit_rows(p, PCNS, lambda r: [[*x, "1"] for x in r]),
        PCNS,
        "pcn_names schema",
        column="1",
    ),
    Case(
        "count-is-text",
        lambda p: edit_cell(p, DIABETES, 3, "patients_with_diabetes", "many"),
        DIABETES,
        "type int",
        row=3,
        column="patients_with_diabetes",
    ),
    Case(
        "count-is-fraction",
        lambda p: edit_cell(p, DIABETES, 2, "patients_all_9", "58.5"),
        DIABETES,
        "type int",
        row=2,
        column="patients_all_9",
    ),
    Case(
        "measure-id-is-text",
        lambda p: edit_cell(p, MEASURES, 1, "measure_id", "one"),
        MEASURES,
        "type int",
        row=1,
        column="measure_id",
    ),
    Case(
        "unknown-pcn-code",
        lambda p: edit_cell(p, DIABETES, 4, "pcn_name", "Nowhere PCN"),
        DIABETES,
        "code list",
        row=4,
        column="pcn_name",
    ),
    Case(
        "unknown-practice-code",
        lambda p: edit_cell(p, DIABETES, 2, "practice_code", "XYZ"),
        DIABETES,
        "pattern",
        row=2,
        column="practice_code",
    ),
    Case(
        "unknown-canonical-pcn",
        lambda p: edit_cell(p, PCNS, 2, "pcn_name", "East PCN"),
        PCNS,
        "code list",
        row=2,
        column="pcn_name",
    ),
    Case(
        "unknown-figure-kind",
        lambda p: edit_cell(p, MEASURES, 1, "figure", "guess"),
        MEASURES,
        "code list",
        row=1,
        column="figure",
    ),
    Case(
        "measure-id-out-of-range",
        lambda p: edit_cell(p, MEASURES, 1, "measure_id", "7"),
        MEASURES,
        "range",
        row=1,
        column="measure_id",
    ),
    Case(
        "negative-count",
        lambda p: edit_cell(p, DIABETES, 5, "patients_all_9", "-3"),
        DIABETES,
        "range",
        row=5,
        column="patients_all_9",
    ),
    Case(
        "zero-denominator",
        lambda p: edit_cell(p, DIABETES, 6, "patients_with_diabetes", "0"),
        DIABETES,
        "range",
        row=6,
        column="patients_with_diabetes",
    ),
    Case(
        "numerator-above-denominator",
        lambda p: edit_rows(p, DIABETES, swap_counts),
        DIABETES,
        "achievers within patients",
        row=1,
        column="patients_all_9",
    ),
    Case(
        "duplicated-row",
        lambda p: edit_rows(p, DIABETES, lambda r: [*r[:3], r[2], *r[3:]]),
        DIABETES,
        "unique key",
        row=3,
        column="practice_code",
    ),
    Case(
        "duplicated-key",
        lambda p: edit_cell(p, CORE, 2, "area_no", "1"),
        CORE,
        "unique key",
        row=2,
        column="area_no",
    ),
    Case(
        "missing-value",
        lambda p: edit_cell(p, DIABETES, 7, "practice_name", ""),
        DIABETES,
        "not null",
        row=7,
        column="practice_name",
    ),
    Case(
        "number-not-in-quote",
        lambda p: edit_cell(p, DIABETES, 1, "patients_all_9", "626"),
        DIABETES,
        "number in quote",
        row=1,
        column="patients_all_9",
    ),
    Case(
        "quote-not-in-seed",
        lambda p: edit_cell(
            p, PCNS, 1, "source_quote", "Harrow Collab. Network (E84680) Somewhere Else"
        ),
        PCNS,
        "quote in seed",
        row=1,
        column="source_quote",
    ),
    Case(
        "seed-missing",
        lambda p: edit_cell(p, PCNS, 2, "source_file", "004_0000000000000000.txt"),
        PCNS,
        "seed exists",
        row=2,
        column="source_file",
    ),
    Case("header-only", lambda p: edit_rows(p, CORE, lambda r: r[:1]), CORE, "not empty"),
    Case("empty-reference-file", lambda p: write(p, CORE, ""), CORE, "UTF-8 CSV"),
    Case(
        "ragged-row",
        lambda p: write(p, PCNS, (p / PCNS).read_text() + "a,b,c,d,e,f\n"),
        PCNS,
        "UTF-8 CSV",
    ),
    Case(
        "non-utf8-reference",
        lambda p: write(
            p,
            DIABETES,
            (p / DIABETES)
            .read_text(encoding="utf-8")
            .replace("Ridgeway", "Rîdgeway")
            .encode("cp1252"),
        ),
        DIABETES,
        "UTF-8 CSV",
    ),
    # the build: the data extract, the period and the notebook templates
    Case(
        "truncated-parquet",
        lambda p: write(
            p, f"{EXTRACT}/persons.parquet", (p / EXTRACT / "persons.parquet").read_bytes()[:5000]
        ),
        f"{EXTRACT}/persons.parquet",
        "extract integrity",
        column="sha256",
        command="build",
    ),
    Case(
        "extract-manifest-not-json",
        lambda p: write(p, f"{EXTRACT}/manifest.json", "{tables"),
        f"{EXTRACT}/manifest.json",
        "extract manifest",
        command="build",
    ),
    Case(
        "extract-table-missing",
        lambda p: (p / EXTRACT / "comparators.parquet").unlink(),
        f"{EXTRACT}/comparators.parquet",
        "extract complete",
        command="build",
    ),
    Case(
        "period-outside-the-data",
        lambda p: write(
            p,
            "parameters/2030-31.yaml",
            'period: "2030-31"\nperiod_start: "2030-04-01"\nperiod_end: "2031-03-31"\n',
        ),
        "parameters/2030-31.yaml",
        "period within the data",
        column="period",
        command="build",
        period="2030-31",
    ),
    Case(
        "template-unknown-parameter",
        lambda p: replace_in(
            p,
            NOTEBOOK,
            'area_name = \\"Harrow\\"',
            'area_name = \\"Harrow\\"\\n",\n    "colour = \\"red\\"',
        ),
        NOTEBOOK,
        "known parameter",
        column="colour",
        command="build",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_gives_one_line_and_publishes_nothing(
    case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    project = copy_project(tmp_path / "project")
    case.breaks(project)
    monkeypatch.setenv("BBP_ROOT", str(project))
    out = tmp_path / "site"
    args = [case.command, "--period", case.period]
    if case.command == "build":
        args += ["--out", str(out)]
    status = cli.main(args)
    err = capsys.readouterr().err
    assert status == 2, err
    assert "Traceback" not in err
    last = err.strip().splitlines()[-1]
    if case.command == "validate":
        assert err.strip() == last  # the whole report is one line
    assert last.startswith(f"bbp {case.command}: error: "), last
    assert str(project / case.file) in last, last
    assert f": {case.rule}" in last, last
    if case.row is not None:
        assert f"row {case.row}," in last or f"row {case.row}:" in last, last
    if case.column is not None:
        assert f"column '{case.column}'" in last, last
    assert not out.exists()
    assert not (tmp_path / ".site.staging").exists()


READER_CASES = [
    (
        "practices-non-utf8",
        lambda t: t.replace("Kings Road", "Kîngs Road").encode("cp1252"),
        "encoding UTF-8",
        2,
        "practice_name",
    ),
    (
        "practices-unknown-practice-code",
        lambda t: t.replace("E84005,", "84005,", 1).encode(),
        "pattern",
        2,
        "practice_code",
    ),
    (
        "practices-negative-list-size",
        lambda t: t.replace(",8558,", ",-8558,", 1).encode(),
        "range",
        1,
        "registered_patients_2021_01_01",
    ),
    (
        "practices-renamed-column",
        lambda t: t.replace("pcn_name", "pcn", 1).encode(),
        "Harrow practices header",
        None,
        "pcn_name",
    ),
    ("practices-empty", lambda t: b"", "not empty", None, None),
    (
        "practices-truncated-gzip",
        lambda t: gzip.compress(t.encode())[:40],
        "readable gzip",
        None,
        None,
    ),
    (
        "practices-duplicate-header",
        lambda t: t.replace("pcn_match", "pcn_name", 1).encode(),
        "unique header",
        None,
        "pcn_name",
    ),
]


@pytest.mark.parametrize(
    "name, breaks, rule, row, column", READER_CASES, ids=[c[0] for c in READER_CASES]
)
def test_bad_public_data_file_names_file_row_column_and_rule(
    name: str, breaks, rule: str, row: int | None, column: str | None, tmp_path: Path
) -> None:
    source = Path(__file__).resolve().parents[2] / PRACTICES
    path = tmp_path / "practices.csv"
    path.write_bytes(breaks(source.read_text(encoding="utf-8")))
    with pytest.raises(InputError) as caught:
        read_harrow_practices(path)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(str(path))
    assert f": {rule}:" in message, message
    if row is not None:
        assert f"row {row}," in message, message
    if column is not None:
        assert f"column '{column}'" in message, message


def test_corpus_has_at_least_forty_cases() -> None:
    assert len(CASES) + len(READER_CASES) >= 40
