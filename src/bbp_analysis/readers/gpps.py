"""GP Patient Survey practice-level results CSV (NHS England / Ipsos, annual, July).

Two questionnaire designs exist, told apart by the practice-code column:

* 2018-2023 (``GPPS_{yyyy}_Practice_data_(weighted)_(csv)_PUBLIC.csv``): id columns
  ``Practice_Code, Practice_Name`` (plus CCG/ICS/STP/region codes and names), ``distributed,
  received, resprate``, and one column per question statistic named ``Q<n>...``, e.g.
  ``Q18_12pct`` (good overall experience of making an appointment, top-two-box share),
  ``Q18_45pct``, ``Q18base``, ``Q28_12pct``;
* 2024 onwards (redesigned questionnaire, a break in series): ``ad_practicecode,
  ad_practicename`` (plus ``ad_icscode``, ``ad_pcncode`` ...), ``distributed, received,
  resprate``, and statistics named ``<stem>.<stat>`` or ``<stem>_<k>.<stat>``, e.g.
  ``gpcontactoverall.pcteval``, ``overallexp_1.pct``, ``overallexp.baseevalw``.

Id columns are matched ignoring case. Shares (columns ending ``pct``/``.pcteval``) are
proportions 0-1. Suppressed results, written ``*`` or as a negative code (``-97``), are read as
missing and flagged in ``suppressed``.

Tidy long output, one row per practice x statistic: ``practice_code, practice_name,
distributed, received, response_rate, measure, value, suppressed, year, series,
series_break``.
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from ..validation import Column, Schema, reject_first, validate_frame
from ._io import read_csv_strings, source_columns, strip_thousands

SERIES_2018 = "2018-2023 questionnaire"
SERIES_2024 = "2024 questionnaire"

DESIGNS = {
    SERIES_2018: {
        "code": "practice_code",
        "name": "practice_name",
        "measure": re.compile(r"Q\d+\w*", re.IGNORECASE),
    },
    SERIES_2024: {
        "code": "ad_practicecode",
        "name": "ad_practicename",
        "measure": re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*\.[a-z]+"),
    },
}
COUNTS = {"distributed": "distributed", "received": "received", "resprate": "response_rate"}

#: The partnership's two headline statistics, by questionnaire design.
KEY_MEASURES = {
    "access_good": {SERIES_2018: "Q18_12pct", SERIES_2024: "gpcontactoverall.pcteval"},
    "overall_good": {SERIES_2018: "Q28_12pct", SERIES_2024: "overallexp.pcteval"},
}

#: Tidy columns returned by :func:`read_gpps`, in order.
COLUMNS = (
    "practice_code",
    "practice_name",
    "distributed",
    "received",
    "response_rate",
    "measure",
    "value",
    "suppressed",
    "year",
    "series",
    "series_break",
)

_SHARE = re.compile(r".*(pct|\.pcteval)$", re.IGNORECASE)
_YEAR = re.compile(r"GPPS_(\d{4})_", re.IGNORECASE)

ID_SCHEMA = Schema(
    name="GPPS practice",
    columns=(
        Column("practice_code", pattern=r"[A-Z][0-9]{5}"),
        Column("practice_name", nullable=True),
        Column("distributed", "int", nullable=True, minimum=0),
        Column("received", "int", nullable=True, minimum=0),
        Column("response_rate", "float", nullable=True, minimum=0),
    ),
    unique_key=("practice_code",),
)


def _require(
    names: Iterable[str], present: Container[str], message: str, *, file: Path, rule: str
) -> None:
    """Raise ``message`` naming the first of ``names`` not in ``present``."""
    missing = [name for name in names if name not in present]
    if missing:
        raise InputError(message, file=file, column=missing[0], rule=rule)


def _design(raw: pd.DataFrame, file: Path) -> tuple[str, dict[str, str]]:
    """The questionnaire design and a map from each id header to its tidy name."""
    lower = {c.casefold(): c for c in raw.columns}
    for series, spec in DESIGNS.items():
        if spec["code"] in lower:
            tidy = {spec["name"]: "practice_name", **COUNTS}
            message = f"required column missing from the {series} layout"
            _require(tidy, lower, message, file=file, rule="GPPS header")
            ids = {lower[spec["code"]]: "practice_code"}
            return series, ids | {lower[source]: name for source, name in tidy.items()}
    raise InputError(
        "no practice code column (Practice_Code before 2024, ad_practicecode from 2024)",
        file=file,
        column="Practice_Code",
        rule="GPPS header",
    )


def _survey_year(path: Path, year: int | None) -> int | None:
    if year is not None:
        return year
    match = _YEAR.search(path.name)
    return int(match.group(1)) if match else None


def _measure_values(raw: pd.DataFrame, column: str, file: Path) -> tuple[pd.Series, pd.Series]:
    """Numeric values of one statistic column and its suppression flags."""
    text = strip_thousands(raw[column])
    marked = (text == "*").fillna(False)
    numbers = pd.to_numeric(text.mask(marked), errors="coerce")
    reject_first(
        text.notna() & ~marked & numbers.isna(),
        lambda i: f"{text.iloc[i]!r} is not a number",
        file=file,
        column=column,
        rule="type float",
    )
    coded = (numbers < 0).fillna(False)
    numbers = numbers.mask(coded).astype("float64")
    if _SHARE.fullmatch(column):
        reject_first(
            (numbers < 0) | (numbers > 1),
            lambda i: f"{numbers.iloc[i]} is not a proportion between 0 and 1",
            file=file,
            column=column,
            rule="range",
        )
    return numbers, marked | coded


def read_gpps(
    path: str | Path, *, measures: Iterable[str] | None = None, year: int | None = None
) -> pd.DataFrame:
    """Read a GPPS practice results CSV into tidy long form (:data:`COLUMNS`).

    ``measures`` picks statistic columns by their published names (default: every
    statistic column of the file's design). ``year`` is the survey year, read from a
    ``GPPS_{yyyy}_`` file name when not given. ``series_break`` is True for results from the
    2024 redesigned questionnaire, which are not comparable with earlier years.
    Raises :class:`InputError` naming file, row, column and rule on anything malformed.
    """
    path = Path(path)
    raw = read_csv_strings(path)
    series, ids = _design(raw, path)
    frame = raw[list(ids)].rename(columns=ids)
    for name in ("distributed", "received", "response_rate"):
        frame[name] = strip_thousands(frame[name])
    with source_columns({tidy: source for source, tidy in ids.items()}):
        frame = validate_frame(frame, ID_SCHEMA, file=path)
    pattern = DESIGNS[series]["measure"]
    available = [c for c in raw.columns if c not in ids and pattern.fullmatch(c)]
    if measures is None:
        chosen = available
    else:
        chosen = list(measures)
        message = f"statistic not in this {series} file"
        _require(chosen, available, message, file=path, rule="GPPS measure")
    if not chosen:
        raise InputError(
            f"no statistic columns for the {series} layout", file=path, rule="GPPS header"
        )
    values, flags = zip(*(_measure_values(raw, column, path) for column in chosen), strict=True)
    tidy = frame.iloc[np.tile(np.arange(len(frame)), len(chosen))].reset_index(drop=True)
    tidy["measure"] = pd.array(np.repeat(chosen, len(frame)), dtype="string")
    tidy["value"] = np.concatenate([v.to_numpy() for v in values])
    tidy["suppressed"] = np.concatenate([f.to_numpy(dtype=bool) for f in flags])
    tidy["year"] = pd.array([_survey_year(path, year)] * len(tidy), dtype="Int64")
    tidy["series"] = pd.Series(series, index=tidy.index, dtype="string")
    tidy["series_break"] = series == SERIES_2024
    return tidy[list(COLUMNS)]
