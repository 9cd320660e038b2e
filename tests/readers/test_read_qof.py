"""read_qof on the three QOF raw-data layouts and corrupted copies."""

from __future__ import annotations

import pytest

from bbp_analysis.errors import InputError
from bbp_analysis.readers import read_qof

PREVALENCE = "PREVALENCE_2324.csv"
ACHIEVEMENT = "ACHIEVEMENT_2324.csv"
MAPPING = "MAPPING_NHS_GEOGRAPHIES_2324.csv"


def test_prevalence_is_register_over_matching_list(fixture_path):
    frame = read_qof(fixture_path(PREVALENCE), kind="prevalence")
    assert list(frame.columns) == [
        "practice_code",
        "group_code",
        "patient_list_type",
        "register",
        "list_size",
        "prevalence",
    ]
    dm = frame[(frame["practice_code"] == "E84068") & (frame["group_code"] == "DM")].iloc[0]
    assert (dm["register"], dm["list_size"], dm["patient_list_type"]) == (1325, 13290, "17OV")
    assert dm["prevalence"] == pytest.approx(1325 / 13290)
    hyp = frame[frame["group_code"] == "HYP"].iloc[0]
    assert hyp["prevalence"] == pytest.approx(0.139855, abs=1e-6)


def test_achievement_long_form(fixture_path):
    frame = read_qof(fixture_path(ACHIEVEMENT), kind="achievement")
    assert list(frame.columns) == ["practice_code", "indicator_code", "measure", "value"]
    values = frame.set_index(["indicator_code", "measure"])["value"]
    assert values[("DM012", "ACHIEVED_POINTS")] == pytest.approx(3.42)
    assert values[("DM012", "NUMERATOR")] == 998
    assert values[("HYP008", "REGISTER")] == 2270


def test_mapping_keeps_every_code(fixture_path):
    frame = read_qof(fixture_path(MAPPING), kind="mapping")
    ridgeway = frame.set_index("practice_code").loc["E84068"]
    assert (ridgeway["icb_ods_code"], ridgeway["icb_ons_code"]) == ("QRV", "E54000027")
    assert (ridgeway["sub_icb_ods_code"], ridgeway["sub_icb_ons_code"]) == ("W2U3Z", "E38000256")
    assert (ridgeway["region_ods_code"], ridgeway["pcn_name"]) == ("Y56", "HEALTHSENSE PCN")


def test_unknown_kind_is_rejected(fixture_path):
    with pytest.raises(InputError, match="kind must be one of"):
        read_qof(fixture_path(PREVALENCE), kind="exceptions")


@pytest.mark.parametrize(
    ("name", "kind", "change", "row", "column"),
    [
        (PREVALENCE, "prevalence", {"drop": "REGISTER"}, None, "REGISTER"),
        (
            PREVALENCE,
            "prevalence",
            {"rename": ("PRACTICE_LIST_SIZE", "LIST_SIZE")},
            None,
            "PRACTICE_LIST_SIZE",
        ),
        (PREVALENCE, "prevalence", {"cell": (2, "REGISTER", "many")}, 2, "REGISTER"),
        (PREVALENCE, "prevalence", {"cell": (3, "REGISTER", "16232")}, 3, "REGISTER"),
        (PREVALENCE, "prevalence", {"duplicate_row": 1}, 5, "PRACTICE_CODE"),
        (PREVALENCE, "prevalence", {"cell": (4, "PRACTICE_CODE", "E8400")}, 4, "PRACTICE_CODE"),
        (
            PREVALENCE,
            "prevalence",
            {"cell": (4, "PATIENT_LIST_TYPE", "17OV–"), "encoding": "cp1252"},
            4,
            "PATIENT_LIST_TYPE",
        ),
        (ACHIEVEMENT, "achievement", {"cell": (1, "VALUE", "3.4.2")}, 1, "VALUE"),
        (ACHIEVEMENT, "achievement", {"cell": (5, "INDICATOR_CODE", "hyp8")}, 5, "INDICATOR_CODE"),
        (ACHIEVEMENT, "achievement", {"duplicate_row": 2}, 6, "PRACTICE_CODE"),
        (MAPPING, "mapping", {"cell": (1, "PCN_ODS_CODE", "X12345")}, 1, "PCN_ODS_CODE"),
        (MAPPING, "mapping", {"drop": "ICB_ONS_CODE"}, None, "ICB_ONS_CODE"),
    ],
)
def test_corrupted_copies_are_rejected(corrupt, expect_error, name, kind, change, row, column):
    expect_error(lambda p: read_qof(p, kind=kind), corrupt(name, **change), row=row, column=column)


def test_empty_file_is_rejected(tmp_path, expect_error):
    path = tmp_path / "PREVALENCE_2324.csv"
    path.write_text("\r\n")
    expect_error(read_qof, path, row=None, column=None)
