"""English Indices of Deprivation 2019 LSOA files (MHCLG), CSV conversions of File_1 .. File_7.

Headers are matched on their prefix, because the gov.uk files append "(where 1 is most
deprived)" / "(where 1 is most deprived 10% of LSOAs)" to some and not others. Accepted:

* required: ``LSOA code (2011)``, ``LSOA name (2011)``, ``Local Authority District code
  (2019)``, ``Local Authority District name (2019)``, ``Index of Multiple Deprivation (IMD)
  Rank...``, ``Index of Multiple Deprivation (IMD) Decile...``;
* optional: ``Index of Multiple Deprivation (IMD) Score`` (File_5/File_7) and
  ``Total population: mid 2015...`` (File_6, and the derived Harrow extract).

Ranks and populations may carry thousands separators (``"29,199"``); a UTF-8 BOM is dropped.
Decile 1 is the most deprived tenth of England's 32,844 LSOAs; each row's decile must equal
``ceil(10 x rank / 32844)``, the published banding.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from ..validation import Column, Schema, reject_first, validate_frame
from ._io import match_prefixes, read_csv_strings, source_columns, strip_thousands

LAYOUT = "IoD2019 LSOA CSV"
LSOA_COUNT_ENGLAND = 32844

PREFIXES = {
    "LSOA code (2011)": "lsoa11_code",
    "LSOA name (2011)": "lsoa11_name",
    "Local Authority District code (2019)": "la_code",
    "Local Authority District name (2019)": "la_name",
    "Index of Multiple Deprivation (IMD) Rank": "imd_rank",
    "Index of Multiple Deprivation (IMD) Decile": "imd_decile",
    "Index of Multiple Deprivation (IMD) Score": "imd_score",
    "Total population: mid 2015": "population_mid2015",
}
OPTIONAL = ("Index of Multiple Deprivation (IMD) Score", "Total population: mid 2015")

SCHEMA = Schema(
    name="IoD2019 LSOA",
    columns=(
        Column("lsoa11_code", pattern=r"E01[0-9]{6}"),
        Column("lsoa11_name"),
        Column("la_code", pattern=r"E0[6-9][0-9]{6}"),
        Column("la_name"),
        Column("imd_rank", "int", minimum=1, maximum=LSOA_COUNT_ENGLAND),
        Column("imd_decile", "int", minimum=1, maximum=10),
        Column("imd_score", "float", required=False, minimum=0, maximum=100),
        Column("population_mid2015", "int", required=False, minimum=0),
    ),
    unique_key=("lsoa11_code",),
)
#: Tidy columns returned by :func:`read_imd` (the schema's); the last two only when the file
#: has them.
COLUMNS = tuple(column.name for column in SCHEMA.columns)


def decile_from_rank(rank: int) -> int:
    """National IMD decile (1 = most deprived) of an LSOA rank among 32,844."""
    return math.ceil(10 * rank / LSOA_COUNT_ENGLAND)


def read_imd(path: str | Path) -> pd.DataFrame:
    """Read an IoD2019 LSOA CSV into a tidy frame: one row per LSOA (:data:`COLUMNS`).

    Raises :class:`InputError` for a missing or ambiguous column, a bad LSOA or district
    code, a rank or decile out of range or inconsistent with each other, or a repeated LSOA.
    """
    path = Path(path)
    raw = read_csv_strings(path)
    names = match_prefixes(raw, PREFIXES, file=path, layout=LAYOUT, optional=OPTIONAL)
    frame = raw[list(names)].rename(columns=names)
    for name in ("imd_rank", "imd_decile", "imd_score", "population_mid2015"):
        if name in frame.columns:
            frame[name] = strip_thousands(frame[name])
    with source_columns({tidy: source for source, tidy in names.items()}):
        frame = validate_frame(frame[[c for c in COLUMNS if c in frame.columns]], SCHEMA, file=path)
    expected = frame["imd_rank"].map(decile_from_rank)
    reject_first(
        frame["imd_decile"] != expected,
        lambda i: (
            f"decile {frame['imd_decile'].iloc[i]} does not match rank "
            f"{frame['imd_rank'].iloc[i]} (expected {expected.iloc[i]})"
        ),
        file=path,
        column=next(s for s, t in names.items() if t == "imd_decile"),
        rule="decile from rank",
    )
    return frame
