"""The synthetic extract conforms to the contract; a damaged copy is refused, one line per
problem naming file, row, column and rule, by the checker and by ``bbp validate``."""

from __future__ import annotations

import stat
import tempfile
from pathlib import Path

import pyarrow as pa
import pytest
from bad_inputs import damage as d

from bbp_analysis import cli
from bbp_analysis.contract import conform, load
from bbp_analysis.contract.conform import ExtractRefused, check_folder, problems
from bbp_analysis.extract import read_manifest
from bbp_analysis.inputs import known_pcns
from bbp_analysis.periods import between
from bbp_analysis.synth.calibration import CARE_PROCESSES
from bbp_analysis.synth.conditions import CONDITIONS, FRAILTY_LEVELS
from bbp_analysis.synth.lifecycle import PLACES
from bbp_analysis.synth.population import ETHNIC_CATEGORIES
from bbp_analysis.synth.programmes import UPTAKE
from bbp_analysis.synth.surveys import GPPS_LABELS

DEFAULT = d.ROOT / d.EXTRACT


@pytest.fixture(scope="module")
def small(warehouse: Path) -> Path:
    """A small extract from another seed, written as CSV (as a warehouse export arrives)."""
    return warehouse


def _copy(small: Path, target: Path, table: str, edit) -> Path:
    """``small`` linked into ``target`` with ``table``'s CSV text changed by ``edit``."""
    target.mkdir()
    for path in small.iterdir():
        (target / path.name).symlink_to(path)
    path = target / f"{table}.csv"
    text = path.read_text(encoding="utf-8")
    path.unlink()
    path.write_text(edit(text), encoding="utf-8")
    return target


def _lines(folder: Path) -> list[str]:
    with pytest.raises(ExtractRefused) as refused:
        check_folder(folder)
    return str(refused.value).splitlines()


def test_default_extract_conforms_with_its_coverage():
    found, result = problems(DEFAULT, known_pcns(d.ROOT))
    assert found == []
    manifest = read_manifest(DEFAULT)
    assert result.rows == {name: manifest["tables"][name]["rows"] for name in load().tables}
    assert result.fin_years == between("2019-20", "2025-26")
    assert result.areas == ("E09000015",)
    assert result.first_date == "2019-04-01"


def test_a_csv_extract_from_another_seed_conforms(small):
    result = check_folder(small)
    assert result.areas == ("E09000015",) and result.fin_years == between("2019-20", "2025-26")
    assert result.rows["persons"] > 1000


def test_generator_code_lists_are_the_contracts():
    fields = {(t, f["name"]): f for t in load().tables for f in load().fields(t)}

    def enum(table, column):
        return set(fields[(table, column)]["constraints"]["enum"])

    assert enum("persons", "ethnic_category") == set(ETHNIC_CATEGORIES)
    assert enum("persons", "place_of_death") == set(PLACES)
    assert enum("persons", "frailty") == set(FRAILTY_LEVELS)
    assert enum("programmes", "programme") == set(UPTAKE)
    assert enum("gpps_responses", "age_band") == set(GPPS_LABELS)
    assert {c for c in CONDITIONS if fields[("persons", c)]["type"] == "boolean"} == set(CONDITIONS)
    assert all(fields[("care_processes", c)]["type"] == "boolean" for c in CARE_PROCESSES)


def test_every_enum_is_its_code_list():
    contract = load()
    for table in contract.tables:
        for field in contract.fields(table):
            codes = contract.code_lists.get(field.get("x-codeList"), {}).get("codes")
            if codes is not None:
                assert field["constraints"]["enum"] == [str(c) for c in codes], field["name"]


def test_a_renamed_column_is_refused_naming_file_column_and_rule(small, tmp_path):
    folder = _copy(small, tmp_path / "x", "persons", lambda t: t.replace(",sex,", ",gender,", 1))
    assert _lines(folder) == [
        f"{folder / 'persons.csv'}: column 'gender': contract: column names: "
        "column not in the contract, in place of 'sex' (renamed?)",
    ]


def test_two_renamed_columns_are_four_problems(small, tmp_path):
    folder = _copy(
        small,
        tmp_path / "x",
        "persons",
        lambda t: t.replace(",sex,", ",gender,", 1).replace(",carer", ",cares", 1),
    )
    lines = _lines(folder)
    assert [line.split(": ")[1:3] for line in lines] == [
        ["column 'sex'", "contract"],
        ["column 'carer'", "contract"],
        ["column 'gender'", "contract"],
        ["column 'cares'", "contract"],
    ]
    assert [line.split(": ")[3] for line in lines] == ["column present"] * 2 + [
        "no other columns"
    ] * 2


def _set(table_text: str, column: str, row: int, value: str) -> str:
    lines = table_text.split("\n")
    position = lines[0].split(",").index(column)
    cells = lines[row].split(",")
    cells[position] = value
    lines[row] = ",".join(cells)
    return "\n".join(lines)


def test_a_code_outside_its_list_is_refused_with_its_row(small, tmp_path):
    folder = _copy(small, tmp_path / "x", "apc_spells", lambda t: _set(t, "admimeth", 7, "99"))
    assert _lines(folder) == [
        f"{folder / 'apc_spells.csv'}: row 7, column 'admimeth': contract: code list "
        "admission_method: '99' breaks it"
    ]


@pytest.mark.parametrize(
    ("table", "column", "value", "rule"),
    [
        ("ae_attendances", "age", "forty", "contract: type integer"),
        ("persons", "imd_decile", "11", "contract: maximum 10"),
        ("apc_spells", "primary_diagnosis", "I10", "contract: pattern [A-Z]\\d{2}[0-9X]"),
        ("persons", "sex", "", "contract: required (no empty value)"),
        ("apc_spells", "person_id", "P99999999", "contract: foreign key to persons"),
        (
            "care_processes",
            "fin_year",
            "2024-26",
            "contract: financial year (the second year follows the first)",
        ),
    ],
)
def test_each_rule_names_file_row_column(small, tmp_path, table, column, value, rule):
    folder = _copy(small, tmp_path / "x", table, lambda t: _set(t, column, 3, value))
    (line,) = _lines(folder)
    assert line.startswith(f"{folder / (table + '.csv')}: row 3, column '{column}': {rule}: ")


def test_each_csv_table_is_checked_from_one_private_copy_removed_afterwards(
    small, tmp_path, monkeypatch
):
    """Every rule reads a CSV table from one Parquet copy of its text, made in a temporary
    folder only its owner can open and removed when the check ends; a value broken in the
    last row of the largest table is named at that row, as read from the file."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    rows = len((small / "programmes.csv").read_text(encoding="utf-8").splitlines()) - 1
    assert rows > 5_000
    folder = _copy(small, tmp_path / "x", "programmes", lambda t: _set(t, "eligible", rows, "x"))
    copies: dict[str, int] = {}
    read_once = conform._read_once

    def recording(con, path: Path, scratch: Path) -> str:
        relation = read_once(con, path, scratch)
        assert scratch.name.startswith("bbp-csv-check-") and scratch.parent == tmp_path
        copies[path.name] = stat.S_IMODE(scratch.stat().st_mode)
        assert f"'{(scratch / path.stem).as_posix()}.parquet'" in relation
        return relation

    monkeypatch.setattr(conform, "_read_once", recording)
    (line,) = _lines(folder)
    assert line.startswith(
        f"{folder / 'programmes.csv'}: row {rows}, column 'eligible': contract: type boolean: "
    )
    assert copies == {f"{name}.csv": 0o700 for name in load().tables}
    assert not list(tmp_path.glob("bbp-csv-check-*"))


def test_a_repeated_key_is_refused_at_the_repeat(small, tmp_path):
    def repeat(text: str) -> str:
        lines = text.split("\n")
        return "\n".join([*lines[:3], lines[2], *lines[3:]])

    folder = _copy(small, tmp_path / "x", "workforce", repeat)
    (line,) = _lines(folder)
    assert line.startswith(
        f"{folder / 'workforce.csv'}: row 3, column 'organisation, fin_year': "
        "contract: primary key unique"
    )


def test_bbp_validate_refuses_a_code_outside_its_list(tmp_path, monkeypatch, capsys):
    project = d.link_project(tmp_path / "project").resolve()
    name = f"{d.EXTRACT}/apc_spells.parquet"

    def recode(table: pa.Table) -> pa.Table:
        codes = table["admimeth"].to_pylist()
        codes[4] = "99"
        return table.set_column(table.column_names.index("admimeth"), "admimeth", pa.array(codes))

    d.rewrite_table(recode)(project, name)
    monkeypatch.setenv("BBP_ROOT", str(project))
    assert cli.main(["validate", "--period", "2025-26"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (
        f"bbp validate: error: {project / name}: row 5, column 'admimeth': contract: code list "
        "admission_method: '99' breaks it"
    )


def test_an_unreadable_csv_is_refused_naming_it(small, tmp_path):
    folder = _copy(small, tmp_path / "x", "workforce", lambda t: t + "a,b,c,d,e,f,g,h\n")
    (line,) = _lines(folder)
    assert line.startswith(f"{folder / 'workforce.csv'}: contract: readable table: not readable")


def test_pcn_names_are_checked_against_the_areas_list(small):
    assert check_folder(small, known_pcns(d.ROOT)).areas == ("E09000015",)
    with pytest.raises(ExtractRefused) as refused:
        check_folder(small, ["Sphere PCN"])
    lines = str(refused.value).splitlines()
    persons = [line for line in lines if line.startswith(f"{small / 'persons.csv'}: row ")]
    assert len(persons) == 1
    assert ", column 'pcn_name': contract: code list pcn: " in persons[0]
    assert "'Sphere PCN'" not in persons[0]


def _column(table_text: str, column: str) -> list[str]:
    """Every data row's value in ``column``: row ``r`` of the file (the header is row 0) is
    item ``r - 1``."""
    header, *rows = table_text.split("\n")
    index = header.split(",").index(column)
    return [row.split(",")[index] for row in rows if row]


def test_a_practice_in_two_pcns_is_refused_at_the_odd_row(small, tmp_path):
    text = (small / "persons.csv").read_text(encoding="utf-8")
    practices, pcns = _column(text, "practice_code"), _column(text, "pcn_name")
    practice, pcn = practices[2], pcns[2]  # row 3
    survey = (small / "gpps_responses.csv").read_text(encoding="utf-8")
    holding = sum(  # the practice's rows in the register and the survey, all in one PCN
        value == practice for value in practices + _column(survey, "practice_code")
    )
    other = next(name for name in pcns[3:199] if name != pcn)  # rows 4 to 199
    folder = _copy(small, tmp_path / "x", "persons", lambda t: _set(t, "pcn_name", 3, other))
    (line,) = _lines(folder)
    assert line.startswith(
        f"{folder / 'persons.csv'}: row 3, column 'pcn_name': contract: one pcn_name and one "
        f"borough_code per practice_code: practice_code '{practice}' has pcn_name '{pcn}' in "
        f"{holding - 1:,} rows (from persons.csv row "
    )
    assert line.endswith(f"), here '{other}'")


def test_a_survey_practice_in_another_borough_than_the_register_is_refused(small, tmp_path):
    folder = _copy(
        small, tmp_path / "x", "gpps_responses", lambda t: _set(t, "borough_code", 5, "E09000005")
    )
    (line,) = _lines(folder)
    assert line.startswith(
        f"{folder / 'gpps_responses.csv'}: row 5, column 'borough_code': contract: one pcn_name "
        "and one borough_code per practice_code: practice_code '"
    )
    assert "has borough_code 'E09000015' in " in line and "(from persons.csv row " in line
    assert line.endswith(", here 'E09000005'")
