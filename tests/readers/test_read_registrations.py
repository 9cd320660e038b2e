"""read_registrations on real January 2021 rows, the post-2022 layout and age files."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from bbp_analysis.readers import read_registrations
from bbp_analysis.readers.registrations import COLUMNS, age_bounds, parse_extract_date

REAL = "gp-reg-pat-prac-all_2021-01.csv"
SUB_ICB = "gp-reg-pat-prac-all_2026-04.csv"
QUIN_AGE = "gp-reg-pat-prac-quin-age_2026-04.csv"


def test_real_january_2021_rows(fixture_path):
    frame = read_registrations(fixture_path(REAL))
    assert tuple(frame.columns) == COLUMNS
    assert len(frame) == 5
    ridgeway = frame[frame["practice_code"] == "E84068"].iloc[0]
    assert ridgeway["patients"] == 15808
    assert ridgeway["commissioner_type"] == "CCG"
    assert ridgeway["commissioner_code"] == "08E"
    assert ridgeway["commissioner_ons_code"] == "E38000074"
    assert ridgeway["postcode"] == "HA2 7DU"
    assert ridgeway["extract_date"] == pd.Timestamp("2021-01-01")
    assert (ridgeway["sex"], ridgeway["age"]) == ("ALL", "ALL")
    assert pd.isna(ridgeway["age_start"]) and pd.isna(ridgeway["age_end"])
    assert frame["commissioner_code"].iloc[0] == "00L"  # leading zeros kept
    assert frame["patients"].sum() == 5903 + 14738 + 12066 + 15808 + 5


def test_whole_shipped_file_gives_harrow_total(fixture_path):
    shipped = fixture_path(REAL).parents[3] / (
        "data/reference/public/nhsd-gp-registered-patients/gp-reg-pat-prac-all_2021-01.csv"
    )
    frame = read_registrations(shipped)
    harrow = frame[frame["commissioner_ons_code"] == "E38000074"]
    assert (len(harrow), harrow["patients"].sum()) == (34, 279882)


def test_sub_icb_layout_with_iso_date(fixture_path):
    frame = read_registrations(fixture_path(SUB_ICB))
    assert set(frame["commissioner_type"]) == {"SUB_ICB_LOCATION"}
    assert set(frame["commissioner_code"]) == {"W2U3Z"}
    assert set(frame["commissioner_ons_code"]) == {"E38000256"}
    assert frame["extract_date"].iloc[0] == pd.Timestamp("2026-04-01")
    assert frame.set_index("practice_code")["patients"].to_dict() == {
        "E84004": 9102,
        "E84068": 16231,
        "Y05080": 3010,
    }


def test_five_year_age_file(fixture_path):
    frame = read_registrations(fixture_path(QUIN_AGE))
    assert frame["practice_code"].unique().tolist() == ["E84068"]
    top = frame[(frame["sex"] == "FEMALE") & (frame["age"] == "95+")].iloc[0]
    assert (top["age_start"], pd.isna(top["age_end"]), top["patients"]) == (95, True, 21)
    band = frame[(frame["sex"] == "MALE") & (frame["age"] == "0_4")].iloc[0]
    assert (band["age_start"], band["age_end"], band["patients"]) == (0, 4, 431)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("01JAN2021", date(2021, 1, 1).isoformat()),
        ("2026-04-01", "2026-04-01"),
        ("01Jan2021", "2021-01-01"),
        ("2021/01/01", None),
        ("31FEB2021", None),
    ],
)
def test_extract_date_forms(text, expected):
    assert parse_extract_date(text) == expected


@pytest.mark.parametrize(
    ("age", "expected"),
    [
        ("ALL", (None, None)),
        ("37", (37, 37)),
        ("95+", (95, None)),
        ("0_4", (0, 4)),
        ("5-9", (5, 9)),
    ],
)
def test_age_bounds(age, expected):
    assert age_bounds(age) == expected


@pytest.mark.parametrize(
    ("change", "row", "column"),
    [
        ({"drop": "NUMBER_OF_PATIENTS"}, None, "NUMBER_OF_PATIENTS"),
        ({"rename": ("CCG_CODE", "CCG")}, None, "CCG_CODE"),
        ({"cell": (2, "NUMBER_OF_PATIENTS", "14,73")}, 2, "NUMBER_OF_PATIENTS"),
        ({"cell": (3, "POSTCODE", "NE22 6JX£"), "encoding": "cp1252"}, 3, "POSTCODE"),
        ({"duplicate_row": 4}, 6, "CODE"),
        (
            {
                "cell": (4, "CODE", "E8406"),
            },
            4,
            "CODE",
        ),
        (
            {
                "cell": (1, "ONS_CCG_CODE", "E3800013"),
            },
            1,
            "ONS_CCG_CODE",
        ),
        ({"cell": (1, "SEX", "PERSONS")}, 1, "SEX"),
        ({"cell": (2, "AGE", "old")}, 2, "AGE"),
        ({"cell": (2, "EXTRACT_DATE", "32JAN2021")}, 2, "EXTRACT_DATE"),
        ({"cell": (3, "EXTRACT_DATE", "01FEB2021")}, 3, "EXTRACT_DATE"),
        ({"cell": (5, "NUMBER_OF_PATIENTS", "-5")}, 5, "NUMBER_OF_PATIENTS"),
    ],
)
def test_corrupted_copies_are_rejected(corrupt, expect_error, change, row, column):
    expect_error(read_registrations, corrupt(REAL, **change), row=row, column=column)


def test_empty_file_is_rejected(tmp_path, expect_error):
    path = tmp_path / "gp-reg-pat-prac-all.csv"
    path.write_text(
        "PUBLICATION,EXTRACT_DATE,TYPE,CCG_CODE,ONS_CCG_CODE,CODE,POSTCODE,SEX,AGE,"
        "NUMBER_OF_PATIENTS\r\n"
    )
    expect_error(read_registrations, path, row=None, column=None)
