"""read_imd on real IoD2019 rows (short and long header forms) and corrupted copies."""

from __future__ import annotations

import pytest

from bbp_analysis.readers import read_imd
from bbp_analysis.readers.imd import decile_from_rank

FILE_1 = "File_1_IMD2019_head.csv"
HARROW = "harrow_iod2019_lsoa11_head.csv"
RANK = "Index of Multiple Deprivation (IMD) Rank"
DECILE = "Index of Multiple Deprivation (IMD) Decile"
LONG_RANK = RANK + " (where 1 is most deprived)"


def test_file_1_with_bom_and_thousands_separators(fixture_path):
    assert fixture_path(FILE_1).read_bytes().startswith(b"\xef\xbb\xbf")
    frame = read_imd(fixture_path(FILE_1))
    assert list(frame.columns) == [
        "lsoa11_code",
        "lsoa11_name",
        "la_code",
        "la_name",
        "imd_rank",
        "imd_decile",
    ]
    first = frame.iloc[0]
    assert (first["lsoa11_code"], first["lsoa11_name"]) == ("E01000001", "City of London 001A")
    assert (first["la_code"], first["la_name"]) == ("E09000001", "City of London")
    assert (first["imd_rank"], first["imd_decile"]) == (29199, 9)
    harrow = frame[frame["lsoa11_code"] == "E01002106"].iloc[0]
    assert (harrow["la_code"], harrow["imd_rank"], harrow["imd_decile"]) == ("E09000015", 23970, 8)


def test_long_headers_and_population(fixture_path):
    frame = read_imd(fixture_path(HARROW))
    assert frame["lsoa11_code"].tolist() == ["E01002106", "E01002107", "E01002108"]
    assert frame["imd_rank"].tolist() == [23970, 28989, 26452]
    assert frame["imd_decile"].tolist() == [8, 9, 9]
    assert frame["population_mid2015"].tolist()[:2] == [2021, 1810]


def test_whole_shipped_harrow_extract(fixture_path):
    shipped = fixture_path(HARROW).parents[3] / (
        "data/reference/public/imd2019/harrow_E09000015_iod2019_lsoa11.csv"
    )
    frame = read_imd(shipped)
    assert len(frame) == 137
    assert frame["population_mid2015"].sum() == 246818  # SOURCE.md
    assert frame["imd_decile"].value_counts().sort_index().to_dict() == {
        2: 2,
        3: 10,
        4: 7,
        5: 24,
        6: 23,
        7: 26,
        8: 19,
        9: 16,
        10: 10,
    }


@pytest.mark.parametrize(
    ("rank", "decile"), [(1, 1), (3284, 1), (3285, 2), (29199, 9), (32844, 10)]
)
def test_decile_bands(rank, decile):
    assert decile_from_rank(rank) == decile


@pytest.mark.parametrize(
    ("name", "change", "row", "column"),
    [
        (FILE_1, {"drop": "LSOA code (2011)"}, None, "LSOA code (2011)"),
        (FILE_1, {"rename": (RANK, "IMD Rank")}, None, RANK),
        (FILE_1, {"cell": (2, RANK, "thirty")}, 2, RANK),
        (
            FILE_1,
            {"cell": (3, "LSOA name (2011)", "Barking and Dagenham 016A é"), "encoding": "cp1252"},
            3,
            "LSOA name (2011)",
        ),
        (FILE_1, {"duplicate_row": 1}, 7, "LSOA code (2011)"),
        (FILE_1, {"cell": (4, "LSOA code (2011)", "E02000001")}, 4, "LSOA code (2011)"),
        (FILE_1, {"cell": (1, DECILE, "8")}, 1, DECILE),
        (FILE_1, {"cell": (1, RANK, "40,000")}, 1, RANK),
        (HARROW, {"cell": (2, LONG_RANK, "2898.9")}, 2, LONG_RANK),
    ],
)
def test_corrupted_copies_are_rejected(corrupt, expect_error, name, change, row, column):
    expect_error(read_imd, corrupt(name, **change), row=row, column=column)


def test_ambiguous_prefix_is_rejected(corrupt, expect_error):
    path = corrupt(FILE_1, rename=(DECILE, RANK + " copy"))
    expect_error(read_imd, path, row=None, column=RANK + " copy")


def test_empty_file_is_rejected(tmp_path, expect_error):
    path = tmp_path / "File_1.csv"
    path.write_bytes(b"\xef\xbb\xbf")
    expect_error(read_imd, path, row=None, column=None)
