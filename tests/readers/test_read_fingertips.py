"""read_fingertips on real rows of the OHID export and on corrupted copies."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from bbp_analysis.readers import read_fingertips
from bbp_analysis.readers.fingertips import COLUMNS, sortable_period

REAL = "fingertips_93553_gp.csv"
OLDER = "fingertips_older_layout.csv"


def test_real_export_rows_are_read_with_england_once(fixture_path):
    frame = read_fingertips(fixture_path(REAL))
    assert tuple(frame.columns) == COLUMNS
    assert len(frame) == 5  # 6 data rows, England repeated once
    england = frame[frame["area_code"] == "E92000001"]
    assert len(england) == 1
    assert england["parent_code"].iloc[0] == "E92000001"
    assert england["value"].iloc[0] == pytest.approx(21.7220870988933)
    ridgeway = frame[frame["area_code"] == "E84068"].iloc[0]
    assert ridgeway["area_name"] == "The Ridgeway Surgery"
    assert ridgeway["area_type"] == "GP"
    assert ridgeway["indicator_id"] == 93553
    assert ridgeway["value"] == pytest.approx(10.6159523566554)
    assert ridgeway["period"] == "2019"
    assert ridgeway["period_sortable"] == 20190000
    assert ridgeway["recent_trend"] == "Cannot be calculated"
    assert ridgeway["compared_to_benchmark"] == "Not compared"
    assert pd.isna(ridgeway["lower_95"]) and pd.isna(ridgeway["category"])


def test_codes_stay_strings(fixture_path):
    frame = read_fingertips(fixture_path(REAL))
    assert frame["area_code"].tolist() == ["E92000001", "A81001", "A81002", "A81004", "E84068"]
    assert pd.api.types.is_string_dtype(frame["area_code"])


def test_older_layout_without_category_or_sortable_columns(fixture_path):
    frame = read_fingertips(fixture_path(OLDER))
    assert len(frame) == 4
    assert frame["category_type"].isna().all()
    latest = frame[(frame["area_code"] == "E84068") & (frame["period"] == "2022")].iloc[0]
    assert (latest["value"], latest["lower_95"], latest["upper_95"]) == (66.4, 64.5, 68.2)
    assert (latest["lower_99_8"], latest["upper_99_8"]) == (63.6, 69.1)
    assert (latest["count"], latest["denominator"]) == (1650, 2485)
    assert latest["compared_to_benchmark"] == "Worse"
    assert latest["period_sortable"] == 20220000
    earlier = frame[frame["period"] == "2021/22"].iloc[0]
    assert earlier["period_sortable"] == 20210000


def test_suppressed_value_is_missing_with_its_note(fixture_path):
    frame = read_fingertips(fixture_path(OLDER))
    small = frame[frame["area_code"] == "Y03528"].iloc[0]
    assert math.isnan(small["value"]) and math.isnan(small["count"])
    assert small["value_note"] == "Value suppressed for disclosure control due to small count"


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        ("2019", 20190000),
        ("2022/23", 20220000),
        ("2018 - 20", 20180000),
        ("2023/24 Q1", None),
    ],
)
def test_sortable_period_for_annual_forms(period, expected):
    assert sortable_period(period) == expected


def test_england_copies_that_disagree_are_rejected(corrupt, expect_error):
    path = corrupt(REAL, cell=(1, "Value", "21.9"))
    expect_error(read_fingertips, path, row=1, column="Value")


@pytest.mark.parametrize(
    ("change", "row", "column"),
    [
        ({"drop": "Area Code"}, None, "Area Code"),
        ({"rename": ("Value", "Values")}, None, "Value"),
        ({"cell": (4, "Value", "n/a")}, 4, "Value"),
        ({"cell": (3, "Area Name", "Café"), "encoding": "cp1252"}, 3, "Area Name"),
        ({"duplicate_row": 4}, 7, "Indicator ID"),
        ({"cell": (5, "Area Code", "XYZ")}, 5, "Area Code"),
        ({"cell": (5, "Sex", "Unknown")}, 5, "Sex"),
        ({"cell": (3, "Time period Sortable", "2019")}, 3, "Time period Sortable"),
    ],
)
def test_corrupted_copies_are_rejected(corrupt, expect_error, change, row, column):
    expect_error(read_fingertips, corrupt(REAL, **change), row=row, column=column)


def test_empty_file_is_rejected(tmp_path, expect_error):
    path = tmp_path / "indicator-data.csv"
    path.write_bytes(b"")
    error = expect_error(read_fingertips, path, row=None, column=None)
    assert error.rule == "not empty"


def test_live_fetch_goes_through_the_same_reader(fixture_path, tmp_path, monkeypatch):
    """fetch_fingertips with a stand-in API module (no network): the API's frame is written as
    CSV and read back by read_fingertips, so England is de-duplicated as for a file."""
    import sys
    import types

    from bbp_analysis.readers import fetch_fingertips

    api_frame = pd.read_csv(fixture_path(REAL), dtype=str, keep_default_na=False)
    calls = []
    fake = types.ModuleType("fingertips_py")

    def get_data_by_indicator_ids(ids, area_type_id, parent_area_type_id=15):
        calls.append((ids, area_type_id, parent_area_type_id))
        return api_frame

    fake.get_data_by_indicator_ids = get_data_by_indicator_ids
    monkeypatch.setitem(sys.modules, "fingertips_py", fake)
    frame = fetch_fingertips([93553], 7, tmp_path / "live.csv")
    assert calls == [([93553], 7, 15)]
    assert len(frame) == 5 and (tmp_path / "live.csv").is_file()


def test_live_fetch_without_the_optional_package_says_how_to_install(tmp_path, monkeypatch):
    import sys

    from bbp_analysis.errors import InputError
    from bbp_analysis.readers import fetch_fingertips

    monkeypatch.setitem(sys.modules, "fingertips_py", None)
    with pytest.raises(InputError, match=r"bbp-analysis\[fingertips\]"):
        fetch_fingertips([93553], 7, tmp_path / "live.csv")
