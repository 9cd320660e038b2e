"""read_gpps on both questionnaire designs and corrupted copies."""

from __future__ import annotations

import math

import pytest

from bbp_analysis.readers import read_gpps
from bbp_analysis.readers.gpps import COLUMNS, KEY_MEASURES, SERIES_2018, SERIES_2024

OLD = "GPPS_2023_Practice_data_weighted.csv"
NEW = "GPPS_2024_Practice_data_weighted.csv"


def _value(frame, practice, measure):
    return frame[(frame["practice_code"] == practice) & (frame["measure"] == measure)].iloc[0]


def test_pre_2024_design(fixture_path):
    frame = read_gpps(fixture_path(OLD))
    assert tuple(frame.columns) == COLUMNS
    assert sorted(frame["measure"].unique()) == [
        "Q18_12pct",
        "Q18_45pct",
        "Q18base",
        "Q28_12pct",
        "Q28base",
    ]
    good = _value(frame, "E84068", KEY_MEASURES["access_good"][SERIES_2018])
    assert good["value"] == pytest.approx(0.6712)
    assert (good["distributed"], good["received"]) == (1004, 289)
    assert good["response_rate"] == pytest.approx(0.288)
    assert (good["year"], good["series"], good["series_break"]) == (2023, SERIES_2018, False)
    assert _value(frame, "E84004", "Q18base")["value"] == 94


def test_suppressed_codes_are_missing_and_flagged(fixture_path):
    frame = read_gpps(fixture_path(OLD))
    for measure in ("Q18_12pct", "Q28_12pct"):
        row = _value(frame, "Y03528", measure)
        assert math.isnan(row["value"]) and bool(row["suppressed"])
    assert not _value(frame, "Y03528", "Q18base")["suppressed"]


def test_2024_design_is_a_break_in_series(fixture_path):
    frame = read_gpps(
        fixture_path(NEW), measures=["gpcontactoverall.pcteval", "overallexp.pcteval"]
    )
    assert len(frame) == 4
    assert frame["series_break"].all() and set(frame["series"]) == {SERIES_2024}
    good = _value(frame, "E84068", KEY_MEASURES["access_good"][SERIES_2024])
    assert good["value"] == pytest.approx(0.6584)
    assert _value(frame, "E84004", "overallexp.pcteval")["value"] == pytest.approx(0.7312)
    assert (good["year"], good["practice_name"]) == (2024, "THE RIDGEWAY SURGERY")


def test_year_argument_overrides_file_name(fixture_path):
    frame = read_gpps(fixture_path(NEW), measures=["overallexp.pcteval"], year=2025)
    assert set(frame["year"]) == {2025}


def test_unknown_measure_is_rejected(fixture_path, expect_error):
    expect_error(
        lambda p: read_gpps(p, measures=["Q18_12pct"]),
        fixture_path(NEW),
        row=None,
        column="Q18_12pct",
    )


@pytest.mark.parametrize(
    ("name", "change", "row", "column"),
    [
        (OLD, {"drop": "Practice_Code"}, None, "Practice_Code"),
        (OLD, {"rename": ("received", "returned")}, None, "received"),
        (OLD, {"cell": (2, "Q18_12pct", "58%")}, 2, "Q18_12pct"),
        (OLD, {"cell": (1, "Q28_12pct", "80.21")}, 1, "Q28_12pct"),
        (
            OLD,
            {"cell": (2, "Practice_Name", "THE CIRCLE PRACTICE – HARROW"), "encoding": "cp1252"},
            2,
            "Practice_Name",
        ),
        (OLD, {"duplicate_row": 1}, 4, "Practice_Code"),
        (OLD, {"cell": (3, "Practice_Code", "Y0352")}, 3, "Practice_Code"),
        (NEW, {"cell": (2, "gpcontactoverall.pcteval", "1.2")}, 2, "gpcontactoverall.pcteval"),
        (NEW, {"drop": "resprate"}, None, "resprate"),
    ],
)
def test_corrupted_copies_are_rejected(corrupt, expect_error, name, change, row, column):
    expect_error(read_gpps, corrupt(name, **change), row=row, column=column)


def test_empty_file_is_rejected(tmp_path, expect_error):
    path = tmp_path / "GPPS_2024_Practice_data.csv"
    path.write_text("ad_practicecode,ad_practicename,distributed,received,resprate\n")
    expect_error(read_gpps, path, row=None, column=None)
