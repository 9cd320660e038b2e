"""read_harrow_practices on the shipped derived list and corrupted copies."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bbp_analysis.readers import read_harrow_practices
from bbp_analysis.readers.practices import HEADER

SHIPPED = (
    Path(__file__).parents[2]
    / "data/reference/public/harrow-practices/harrow_practices_2021-01_with_pcn.csv"
)


def test_shipped_list_matches_its_source_note():
    frame = read_harrow_practices(SHIPPED)
    assert tuple(frame.columns) == HEADER
    assert len(frame) == 34
    assert frame["registered_patients_2021_01_01"].sum() == 279882
    by_pcn = frame.groupby("pcn_name")["registered_patients_2021_01_01"].sum().to_dict()
    assert by_pcn == {
        "Healthsense PCN": 81816,
        "Sphere PCN": 66024,
        "Health Alliance PCN": 53097,
        "Harrow Collaborative PCN": 47272,
        "Harrow East PCN": 31668,
    }
    micro = frame.set_index("practice_code").loc["Y03528"]
    assert micro["registered_patients_2021_01_01"] == 5
    assert micro.isna()[["practice_name", "pcn_name", "imd2019_score_fingertips_93553"]].all()
    pinn = frame.set_index("practice_code").loc["E84024"]
    assert pinn["imd2019_score_fingertips_93553"] == pytest.approx(8.37948552085392)


@pytest.mark.parametrize(
    ("change", "row", "column"),
    [
        ({"drop": "pcn_name"}, None, "pcn_name"),
        ({"rename": ("practice_postcode", "postcode")}, None, "practice_postcode"),
        (
            {"cell": (3, "registered_patients_2021_01_01", "10.7k")},
            3,
            "registered_patients_2021_01_01",
        ),
        (
            {"cell": (2, "practice_name", "Kings Road Surgery – Harrow"), "encoding": "cp1252"},
            2,
            "practice_name",
        ),
        ({"duplicate_row": 1}, 35, "practice_code"),
        ({"cell": (4, "practice_code", "E8409")}, 4, "practice_code"),
        ({"cell": (4, "pcn_name", "Healthsense")}, 4, "pcn_name"),
    ],
)
def test_corrupted_copies_are_rejected(corrupt, expect_error, change, row, column):
    expect_error(read_harrow_practices, corrupt(SHIPPED, **change), row=row, column=column)


def test_empty_file_is_rejected(tmp_path, expect_error):
    path = tmp_path / SHIPPED.name
    shutil.copyfile(SHIPPED, path)
    path.write_text(path.read_text().splitlines()[0] + "\n")
    expect_error(read_harrow_practices, path, row=None, column=None)
