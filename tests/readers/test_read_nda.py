"""read_nda on the long care-process form and corrupted copies."""

from __future__ import annotations

import math

import pytest

from bbp_analysis.readers import read_nda
from bbp_analysis.readers.nda import COLUMNS, EIGHT_CARE_PROCESSES

NDA = "nda_care_processes_2023-24.csv"


def test_care_processes_are_read(fixture_path):
    frame = read_nda(fixture_path(NDA))
    assert tuple(frame.columns) == COLUMNS
    hba1c = frame[
        (frame["care_process"] == "hba1c") & (frame["diabetes_type"] == "Type 2 and other")
    ].iloc[0]
    assert (hba1c["period"], hba1c["practice_code"]) == ("2023-24", "E84068")
    assert (hba1c["eligible"], hba1c["received"]) == (1241, 1180)
    assert hba1c["proportion"] == pytest.approx(1180 / 1241)
    all8 = frame[frame["care_process"] == "all_8_care_processes"].iloc[0]
    assert all8["proportion"] == pytest.approx(702 / 1241)
    smoking = frame[frame["practice_code"] == "E84004"].iloc[0]
    assert (smoking["eligible"], smoking["received"]) == (1012, 1001)  # thousands separators
    assert len(EIGHT_CARE_PROCESSES) == 8


def test_suppressed_counts_are_missing_and_flagged(fixture_path):
    frame = read_nda(fixture_path(NDA))
    type1 = frame[frame["diabetes_type"] == "Type 1"].iloc[0]
    assert type1["suppressed"] and math.isnan(type1["proportion"])
    assert frame["suppressed"].sum() == 1


@pytest.mark.parametrize(
    ("change", "row", "column"),
    [
        ({"drop": "denominator"}, None, "denominator"),
        ({"rename": ("measure", "care_process")}, None, "measure"),
        ({"cell": (2, "numerator", "lots")}, 2, "numerator"),
        ({"cell": (2, "numerator", "")}, 2, "numerator"),
        ({"cell": (1, "numerator", "1300")}, 1, "numerator"),
        ({"cell": (3, "measure", "eye_test")}, 3, "measure"),
        ({"cell": (3, "diabetes_type", "Type 3")}, 3, "diabetes_type"),
        (
            {"cell": (5, "diabetes_type", "Type 2 and othér"), "encoding": "cp1252"},
            5,
            "diabetes_type",
        ),
        ({"duplicate_row": 2}, 6, "period"),
        ({"cell": (1, "practice_code", "E84O68")}, 1, "practice_code"),
    ],
)
def test_corrupted_copies_are_rejected(corrupt, expect_error, change, row, column):
    expect_error(read_nda, corrupt(NDA, **change), row=row, column=column)


def test_empty_file_is_rejected(tmp_path, expect_error):
    path = tmp_path / "nda.csv"
    path.write_bytes(b"")
    expect_error(read_nda, path, row=None, column=None)
