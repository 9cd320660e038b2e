"""The shared CSV layer: encodings, BOM, gzip, empty and ragged files, thousands separators."""

from __future__ import annotations

import gzip

import pandas as pd
import pytest

from bbp_analysis.errors import InputError
from bbp_analysis.readers._io import match_prefixes, read_csv_strings, strip_thousands


def test_bom_is_dropped_and_cells_are_stripped_strings(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes(b'\xef\xbb\xbfcode , n\r\n 00L ,"1,004"\r\nE84068,\r\n')
    frame = read_csv_strings(path)
    assert list(frame.columns) == ["code", "n"]
    assert frame["code"].tolist() == ["00L", "E84068"]
    assert frame["n"].iloc[0] == "1,004" and pd.isna(frame["n"].iloc[1])


def test_gzip_is_decompressed(tmp_path):
    path = tmp_path / "a.csv.gz"
    path.write_bytes(gzip.compress("code,name\nE84068,Café\n".encode()))
    assert read_csv_strings(path)["name"].tolist() == ["Café"]


def test_cp1252_byte_is_located(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes("code,name,n\nA,ok,1\nB,Caf\u00e9 \u2013 x,2\n".encode("cp1252"))
    with pytest.raises(InputError) as info:
        read_csv_strings(path)
    error = info.value
    assert (error.row, error.column, error.rule) == (2, "name", "encoding UTF-8")
    assert "0xe9" in str(error) and "Windows-1252" in str(error)


def test_bad_byte_in_header_names_no_row(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes("code,naïve\nA,1\n".encode("latin-1"))
    with pytest.raises(InputError) as info:
        read_csv_strings(path)
    assert info.value.row is None and info.value.rule == "encoding UTF-8"


@pytest.mark.parametrize(
    "content", [b"", b"   \r\n", b"\xef\xbb\xbf", b"code,n\r\n", b"code,n\r\n,\r\n"]
)
def test_empty_files_are_rejected(tmp_path, content):
    path = tmp_path / "a.csv"
    path.write_bytes(content)
    with pytest.raises(InputError) as info:
        read_csv_strings(path)
    assert info.value.rule == "not empty"


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="file not found"):
        read_csv_strings(tmp_path / "none.csv")


def test_ragged_row_and_repeated_header(tmp_path):
    ragged = tmp_path / "r.csv"
    ragged.write_text("a,b\n1,2\n3,4,5\n")
    with pytest.raises(InputError) as info:
        read_csv_strings(ragged)
    assert (info.value.row, info.value.rule) == (2, "rectangular CSV")
    repeated = tmp_path / "h.csv"
    repeated.write_text("a,b,a\n1,2,3\n")
    with pytest.raises(InputError) as info:
        read_csv_strings(repeated)
    assert (info.value.column, info.value.rule) == ("a", "unique header")


def test_strip_thousands_only_touches_well_formed_numbers():
    values = pd.Series(["29,199", "1,234,567", "2,91", "12", None, "-3,000.5"], dtype="string")
    assert strip_thousands(values).tolist() == ["29199", "1234567", "2,91", "12", pd.NA, "-3000.5"]


def test_match_prefixes_is_case_insensitive_and_optional():
    frame = pd.DataFrame(columns=["IMD Rank (where 1 is most deprived)", "Name"])
    found = match_prefixes(
        frame, {"imd rank": "rank", "Score": "score"}, file="f", layout="x", optional=["Score"]
    )
    assert found == {"IMD Rank (where 1 is most deprived)": "rank"}
