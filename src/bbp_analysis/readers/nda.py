"""National Diabetes Audit care processes, practice level, in tidy long form.

No public NDA practice-level CSV was found to copy a header from (see
``design/research/data-sources.md`` section 2.4), so the reader takes the long form that note
prescribes, one row per period x practice x diabetes type x care process:

``period, practice_code, diabetes_type, measure, numerator, denominator``

``measure`` is a care process: the eight NICE processes ``hba1c, blood_pressure,
cholesterol, serum_creatinine, urine_albumin, foot_surveillance, bmi, smoking``, retinal
screening ``retinal_screening`` (the ninth, from the eye screening programme), and the
bundles ``all_8_care_processes`` / ``all_9_care_processes``. ``numerator`` counts people who
received it in the audit year, ``denominator`` the people eligible. The NDA publishes small
counts as ``*``: those cells are read as missing and flagged in ``suppressed``.

Tidy columns: ``period, practice_code, diabetes_type, care_process, eligible, received,
proportion, suppressed``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..validation import Column, Schema, reject_first, validate_frame
from ._io import part_of_whole, read_csv_strings, require_header, source_columns, strip_thousands

LAYOUT = "NDA care processes (long form)"
HEADER = ("period", "practice_code", "diabetes_type", "measure", "numerator", "denominator")
EIGHT_CARE_PROCESSES = (
    "hba1c",
    "blood_pressure",
    "cholesterol",
    "serum_creatinine",
    "urine_albumin",
    "foot_surveillance",
    "bmi",
    "smoking",
)
CARE_PROCESSES = (
    *EIGHT_CARE_PROCESSES,
    "retinal_screening",
    "all_8_care_processes",
    "all_9_care_processes",
)
DIABETES_TYPES = ("Type 1", "Type 2 and other", "All")
SUPPRESSED = "*"

#: Tidy columns returned by :func:`read_nda`, in order.
COLUMNS = (
    "period",
    "practice_code",
    "diabetes_type",
    "care_process",
    "eligible",
    "received",
    "proportion",
    "suppressed",
)

SCHEMA = Schema(
    name="NDA care processes",
    columns=(
        Column("period", pattern=r"\d{4}-\d{2}( Q[1-4])?"),
        Column("practice_code", pattern=r"[A-Z][0-9]{5}"),
        Column("diabetes_type", allowed=frozenset(DIABETES_TYPES)),
        Column("care_process", allowed=frozenset(CARE_PROCESSES)),
        Column("eligible", "int", nullable=True, minimum=0),
        Column("received", "int", nullable=True, minimum=0),
    ),
    unique_key=("period", "practice_code", "diabetes_type", "care_process"),
)


def read_nda(path: str | Path) -> pd.DataFrame:
    """Read NDA practice care-process counts into a tidy frame (:data:`COLUMNS`).

    ``period`` is the audit year as ``2023-24`` (``2023-24 Q2`` for quarterly core
    releases); ``proportion`` is ``received / eligible`` (missing when either is suppressed
    or eligible is 0). Raises :class:`InputError` for a malformed file, an unknown care process
    or diabetes type, ``received > eligible``, or a repeated row (period x practice x type x
    care process).
    """
    path = Path(path)
    raw = read_csv_strings(path)
    require_header(raw, HEADER, file=path, layout=LAYOUT)
    frame = raw[list(HEADER)].rename(
        columns={"measure": "care_process", "numerator": "received", "denominator": "eligible"}
    )
    suppressed = pd.Series(False, index=frame.index)
    for column in ("received", "eligible"):
        marked = frame[column] == SUPPRESSED
        suppressed |= marked.fillna(False)
        frame[column] = strip_thousands(frame[column].mask(marked))
        reject_first(
            frame[column].isna() & ~marked.fillna(False),
            lambda _: f"value is missing (suppressed counts are written {SUPPRESSED!r})",
            file=path,
            column="numerator" if column == "received" else "denominator",
            rule="not null",
        )
    with source_columns(
        {"care_process": "measure", "received": "numerator", "eligible": "denominator"}
    ):
        frame = validate_frame(frame[list(COLUMNS[:6])], SCHEMA, file=path)
    frame["proportion"] = part_of_whole(
        frame, "received", "eligible", ("numerator", "denominator"), file=path, column="numerator"
    )
    frame["suppressed"] = suppressed.to_numpy()
    return frame
