"""Quality and Outcomes Framework raw-data CSVs (NHS England, annual, year to 31 March).

Accepted headers (exact names, any order, extra columns ignored), one per ``kind``:

* ``"prevalence"`` (``PREVALENCE_{yyyy}.csv``): ``PRACTICE_CODE, GROUP_CODE, REGISTER,
  PATIENT_LIST_TYPE, PRACTICE_LIST_SIZE``;
* ``"achievement"`` (``ACHIEVEMENT_{yyyy}.csv``, long form): ``PRACTICE_CODE,
  INDICATOR_CODE, MEASURE, VALUE``;
* ``"mapping"`` (``MAPPING_NHS_GEOGRAPHIES_{yyyy}.csv``): ``REGION_ODS_CODE,
  REGION_ONS_CODE, REGION_NAME, ICB_ODS_CODE, ICB_ONS_CODE, ICB_NAME, SUB_ICB_ODS_CODE,
  SUB_ICB_ONS_CODE, SUB_ICB_NAME, PCN_ODS_CODE, PCN_NAME, PRACTICE_CODE, PRACTICE_NAME``.

Tidy output is the same columns in lower case, except prevalence (``practice_code,
group_code, patient_list_type, register, list_size, prevalence``) where ``prevalence`` is
``register / list_size`` as a proportion (0-1) of the list named by ``patient_list_type``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import pandas as pd

from ..errors import InputError
from ..validation import Column, Schema, validate_frame
from ._io import part_of_whole, read_csv_strings, require_header, source_columns, strip_thousands

PRACTICE = r"[A-Z][0-9]{5}"

PREVALENCE_HEADER = (
    "PRACTICE_CODE",
    "GROUP_CODE",
    "REGISTER",
    "PATIENT_LIST_TYPE",
    "PRACTICE_LIST_SIZE",
)
ACHIEVEMENT_HEADER = ("PRACTICE_CODE", "INDICATOR_CODE", "MEASURE", "VALUE")
MAPPING_HEADER = (
    "REGION_ODS_CODE",
    "REGION_ONS_CODE",
    "REGION_NAME",
    "ICB_ODS_CODE",
    "ICB_ONS_CODE",
    "ICB_NAME",
    "SUB_ICB_ODS_CODE",
    "SUB_ICB_ONS_CODE",
    "SUB_ICB_NAME",
    "PCN_ODS_CODE",
    "PCN_NAME",
    "PRACTICE_CODE",
    "PRACTICE_NAME",
)

PREVALENCE_SCHEMA = Schema(
    name="QOF prevalence",
    columns=(
        Column("practice_code", pattern=PRACTICE),
        Column("group_code", pattern=r"[A-Z][A-Z0-9]{1,9}"),
        Column("patient_list_type", pattern=r"[A-Z0-9_]+"),
        Column("register", "int", minimum=0),
        Column("list_size", "int", minimum=0),
    ),
    unique_key=("practice_code", "group_code", "patient_list_type"),
)
ACHIEVEMENT_SCHEMA = Schema(
    name="QOF achievement",
    columns=(
        Column("practice_code", pattern=PRACTICE),
        Column("indicator_code", pattern=r"[A-Z]{2,8}[0-9]{3}"),
        Column("measure", pattern=r"[A-Z][A-Z_]*"),
        Column("value", "float", minimum=0),
    ),
    unique_key=("practice_code", "indicator_code", "measure"),
)
MAPPING_SCHEMA = Schema(
    name="QOF NHS geographies mapping",
    columns=(
        Column("region_ods_code", pattern=r"Y[0-9]{2}"),
        Column("region_ons_code", pattern=r"E40[0-9]{6}"),
        Column("region_name"),
        Column("icb_ods_code", pattern=r"Q[A-Z0-9]{2}"),
        Column("icb_ons_code", pattern=r"E54[0-9]{6}"),
        Column("icb_name"),
        Column("sub_icb_ods_code", pattern=r"[0-9A-Z]{3,5}"),
        Column("sub_icb_ons_code", pattern=r"E38[0-9]{6}"),
        Column("sub_icb_name"),
        Column("pcn_ods_code", nullable=True, pattern=r"U[0-9]{5}"),
        Column("pcn_name", nullable=True),
        Column("practice_code", pattern=PRACTICE),
        Column("practice_name"),
    ),
    unique_key=("practice_code",),
)

LAYOUTS = {
    "prevalence": (PREVALENCE_HEADER, PREVALENCE_SCHEMA),
    "achievement": (ACHIEVEMENT_HEADER, ACHIEVEMENT_SCHEMA),
    "mapping": (MAPPING_HEADER, MAPPING_SCHEMA),
}


def read_qof(
    path: str | Path,
    kind: Literal["prevalence", "achievement", "mapping"] = "prevalence",
) -> pd.DataFrame:
    """Read one QOF raw-data CSV of the given ``kind`` into a tidy frame.

    Codes stay strings; counts are integers (``achievement`` values are floats, since
    ``ACHIEVED_POINTS`` has decimals). Prevalence rows must have ``register <= list_size``.
    Raises :class:`InputError` naming file, row, column and rule on anything malformed.
    """
    if kind not in LAYOUTS:
        raise InputError(
            f"kind must be one of {', '.join(LAYOUTS)}, not {kind!r}",
            file=path,
            rule="QOF file kind",
        )
    path = Path(path)
    header, schema = LAYOUTS[kind]
    raw = read_csv_strings(path)
    require_header(raw, header, file=path, layout=f"QOF {kind}")
    frame = raw[list(header)].rename(columns=str.lower)
    if kind == "prevalence":
        frame = frame.rename(columns={"practice_list_size": "list_size"})
        frame = frame[["practice_code", "group_code", "patient_list_type", "register", "list_size"]]
    for column in ("register", "list_size", "value"):
        if column in frame.columns:
            frame[column] = strip_thousands(frame[column])
    names = {c.lower(): c for c in header} | {"list_size": "PRACTICE_LIST_SIZE"}
    with source_columns(names):
        frame = validate_frame(frame, schema, file=path)
    if kind == "prevalence":
        frame["prevalence"] = part_of_whole(
            frame, "register", "list_size", ("register", "list size"), file=path, column="REGISTER"
        )
    return frame
