"""The shipped Harrow practice list (``data/reference/public/harrow-practices/``).

A derived table (NHS Digital registrations, January 2021, joined to Fingertips indicator
93553 and name-matched PCN membership; see its ``SOURCE.md``). Accepted header, exactly:

``practice_code, practice_name, practice_postcode, ccg_code_2021, ccg_ons_code_2021,
registered_patients_2021_01_01, imd2019_score_fingertips_93553, pcn_name, pcn_match``

Returned with the same column names. ``practice_name``, the IMD score and the PCN columns
may be empty (code ``Y03528`` has five patients and no PCN).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..validation import Column, Schema, validate_frame
from ._io import read_csv_strings, require_header, strip_thousands

SCHEMA = Schema(
    name="Harrow practices",
    columns=(
        Column("practice_code", pattern=r"[A-Z][0-9]{5}"),
        Column("practice_name", nullable=True),
        Column("practice_postcode", pattern=r"[A-Z]{1,2}[0-9][0-9A-Z]? [0-9][A-Z]{2}"),
        Column("ccg_code_2021", pattern=r"[0-9A-Z]{3}"),
        Column("ccg_ons_code_2021", pattern=r"E38[0-9]{6}"),
        Column("registered_patients_2021_01_01", "int", minimum=0),
        Column("imd2019_score_fingertips_93553", "float", nullable=True, minimum=0, maximum=100),
        Column("pcn_name", nullable=True, pattern=r".+ PCN"),
        Column("pcn_match", nullable=True),
    ),
    unique_key=("practice_code",),
    allow_extra_columns=False,
)
#: The accepted header, exactly, in order (the schema's columns).
HEADER = tuple(column.name for column in SCHEMA.columns)


def read_harrow_practices(path: str | Path) -> pd.DataFrame:
    """Read the derived Harrow practice list: one row per practice code (:data:`HEADER`).

    Raises :class:`InputError` naming file, row, column and rule on anything malformed.
    """
    path = Path(path)
    raw = read_csv_strings(path)
    require_header(raw, HEADER, file=path, layout="Harrow practices")
    raw["registered_patients_2021_01_01"] = strip_thousands(raw["registered_patients_2021_01_01"])
    return validate_frame(raw, SCHEMA, file=path)
