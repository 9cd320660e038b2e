"""NHS England (NHS Digital) "Patients Registered at a GP Practice" practice files.

Accepted headers (exact names, any order, extra columns ignored):

* to mid-2022: ``PUBLICATION, EXTRACT_DATE, TYPE, CCG_CODE, ONS_CCG_CODE, CODE, POSTCODE, SEX,
  AGE, NUMBER_OF_PATIENTS`` with ``EXTRACT_DATE`` like ``01JAN2021``;
* from mid-2022: ``PUBLICATION, EXTRACT_DATE, TYPE, SUB_ICB_LOCATION_CODE,
  ONS_SUB_ICB_LOCATION_CODE, CODE, POSTCODE, SEX, AGE, NUMBER_OF_PATIENTS`` with an ISO
  ``EXTRACT_DATE`` (``2026-04-01``).

The practice code column may be ``CODE`` (totals file ``gp-reg-pat-prac-all``) or
``ORG_CODE`` (the age files ``gp-reg-pat-prac-quin-age`` and ``-sing-age-{male,female}``,
whose exact header is not confirmed in a public copy). ``AGE`` is ``ALL``, a single year
(``0`` .. ``94``), an open band (``95+``) or a five-year band (``0_4`` or ``0-4``);
``SEX`` is ``ALL``, ``MALE`` or ``FEMALE``.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pandas as pd

from ..errors import InputError
from ..validation import Column, Schema, reject_first, validate_frame
from ._io import (
    read_csv_strings,
    reject_duplicates,
    require_header,
    source_columns,
    strip_thousands,
)

LAYOUT = "GP registered patients CSV"
COMMON = ("PUBLICATION", "EXTRACT_DATE", "TYPE", "POSTCODE", "SEX", "AGE", "NUMBER_OF_PATIENTS")
COMMISSIONER = {
    "CCG": ("CCG_CODE", "ONS_CCG_CODE"),
    "SUB_ICB_LOCATION": ("SUB_ICB_LOCATION_CODE", "ONS_SUB_ICB_LOCATION_CODE"),
}
PRACTICE_CODE_COLUMNS = ("CODE", "ORG_CODE")

#: Tidy columns returned by :func:`read_registrations`, in order.
COLUMNS = (
    "publication",
    "extract_date",
    "org_type",
    "commissioner_type",
    "commissioner_code",
    "commissioner_ons_code",
    "practice_code",
    "postcode",
    "sex",
    "age",
    "age_start",
    "age_end",
    "patients",
)

_AGE = re.compile(r"ALL|(\d{1,3})|(\d{1,3})\+|(\d{1,3})[_-](\d{1,3})")

SCHEMA = Schema(
    name="GP registered patients",
    columns=(
        Column("publication"),
        Column("extract_date", "date"),
        Column("org_type", allowed=frozenset({"GP"})),
        Column("commissioner_type", allowed=frozenset(COMMISSIONER)),
        Column("commissioner_code", pattern=r"[0-9A-Z]{3,5}"),
        Column("commissioner_ons_code", pattern=r"E38[0-9]{6}"),
        Column("practice_code", pattern=r"[A-Z][0-9]{5}"),
        Column("postcode", nullable=True, pattern=r"[A-Z]{1,2}[0-9][0-9A-Z]? [0-9][A-Z]{2}"),
        Column("sex", allowed=frozenset({"ALL", "MALE", "FEMALE"})),
        Column("age", pattern=_AGE.pattern),
        Column("age_start", "int", nullable=True, minimum=0, maximum=120),
        Column("age_end", "int", nullable=True, minimum=0, maximum=120),
        Column("patients", "int", minimum=0),
    ),
)


def parse_extract_date(text: str) -> str | None:
    """ISO date for ``01JAN2021`` or ``2026-04-01``; None when neither form fits."""
    for form in ("%d%b%Y", "%Y-%m-%d"):
        try:
            return (
                datetime.strptime(text.strip().title() if form == "%d%b%Y" else text.strip(), form)
                .date()
                .isoformat()
            )
        except ValueError:
            continue
    return None


def age_bounds(age: str) -> tuple[int | None, int | None]:
    """(first, last) year of age in an ``AGE`` cell.

    ``ALL`` gives (None, None), ``95+`` gives (95, None), ``0_4`` and ``0-4`` give (0, 4).
    """
    match = _AGE.fullmatch(age)
    if match is None or age == "ALL":
        return None, None
    single, open_start, band_start, band_end = match.groups()
    if single is not None:
        return int(single), int(single)
    if open_start is not None:
        return int(open_start), None
    return int(band_start), int(band_end)


def _commissioner(raw: pd.DataFrame, file: Path) -> str:
    for kind, columns in COMMISSIONER.items():
        if all(c in raw.columns for c in columns):
            return kind
    partial = [cols for cols in COMMISSIONER.values() if any(c in raw.columns for c in cols)]
    columns = partial[0] if partial else COMMISSIONER["CCG"]
    missing = next(c for c in columns if c not in raw.columns)
    raise InputError(
        "needs CCG_CODE + ONS_CCG_CODE (to 2022) or SUB_ICB_LOCATION_CODE + "
        "ONS_SUB_ICB_LOCATION_CODE (from 2022)",
        file=file,
        column=missing,
        rule=f"{LAYOUT} header",
    )


def read_registrations(path: str | Path) -> pd.DataFrame:
    """Read a registered-patients practice file into a tidy frame (:data:`COLUMNS`).

    ``extract_date`` is a date; ``patients`` an integer; ``age_start``/``age_end`` the
    inclusive years of age of the row (missing for ``ALL`` and for an open top band's end).
    One row per practice x sex x age. Raises :class:`InputError` on anything malformed.
    """
    path = Path(path)
    raw = read_csv_strings(path)
    kind = _commissioner(raw, path)
    code_column = next((c for c in PRACTICE_CODE_COLUMNS if c in raw.columns), "CODE")
    ccg, ons = COMMISSIONER[kind]
    require_header(raw, (*COMMON, ccg, ons, code_column), file=path, layout=LAYOUT)
    frame = pd.DataFrame(
        {
            "publication": raw["PUBLICATION"],
            "extract_date": raw["EXTRACT_DATE"],
            "org_type": raw["TYPE"],
            "commissioner_type": pd.Series(kind, index=raw.index, dtype="string"),
            "commissioner_code": raw[ccg],
            "commissioner_ons_code": raw[ons],
            "practice_code": raw[code_column],
            "postcode": raw["POSTCODE"],
            "sex": raw["SEX"],
            "age": raw["AGE"],
            "patients": strip_thousands(raw["NUMBER_OF_PATIENTS"]),
        }
    )
    dates = frame["extract_date"].map(
        lambda t: parse_extract_date(t) if isinstance(t, str) else None
    )
    reject_first(
        frame["extract_date"].notna() & dates.isna(),
        lambda i: f"{frame['extract_date'].iloc[i]!r} is not a date like 01JAN2021 or 2026-04-01",
        file=path,
        column="EXTRACT_DATE",
        rule="extract date",
    )
    frame["extract_date"] = dates
    bounds = frame["age"].map(lambda a: age_bounds(a) if isinstance(a, str) else (None, None))
    frame["age_start"] = pd.array([b[0] for b in bounds], dtype="Int64")
    frame["age_end"] = pd.array([b[1] for b in bounds], dtype="Int64")
    names = {
        "publication": "PUBLICATION",
        "extract_date": "EXTRACT_DATE",
        "org_type": "TYPE",
        "commissioner_code": ccg,
        "commissioner_ons_code": ons,
        "practice_code": code_column,
        "postcode": "POSTCODE",
        "sex": "SEX",
        "age": "AGE",
        "age_start": "AGE",
        "age_end": "AGE",
        "patients": "NUMBER_OF_PATIENTS",
    }
    with source_columns(names):
        frame = validate_frame(frame[list(COLUMNS)], SCHEMA, file=path)
        reject_duplicates(frame, ["practice_code", "sex", "age"], file=path)
    if frame["extract_date"].nunique() > 1:
        reject_first(
            frame["extract_date"] != frame["extract_date"].iloc[0],
            lambda _: "file mixes extract dates",
            file=path,
            column="EXTRACT_DATE",
            rule="one extract date",
        )
    return frame
