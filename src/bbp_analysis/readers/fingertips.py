"""OHID Fingertips ``all_data`` CSV export (``api/all_data/csv/by_indicator_id`` and friends).

Accepted headers (matched exactly, in any order; extra columns are ignored):

* required: ``Indicator ID, Indicator Name, Parent Code, Parent Name, Area Code, Area Name,
  Area Type, Sex, Age, Time period, Value, Lower CI 95.0 limit, Upper CI 95.0 limit,
  Lower CI 99.8 limit, Upper CI 99.8 limit, Count, Denominator, Value note, Recent Trend,
  Compared to England value or percentiles``;
* optional (newer exports): ``Category Type, Category, Compared to Region value or
  percentiles`` / ``Compared to percentiles``, ``Time period Sortable``, ``New data``,
  ``Compared to goal``, ``Time period range``.

Exports repeat the England row: once with an empty parent and once with parent
``E92000001``. The reader keeps one copy (the one with a parent) when the two agree on every
value, and rejects any other repeated indicator x area x sex x age x category x period.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from ..errors import InputError
from ..validation import Column, Schema, validate_frame
from ._io import read_csv_strings, reject_duplicates, require_header, source_columns

LAYOUT = "Fingertips all_data CSV"

REQUIRED = {
    "Indicator ID": "indicator_id",
    "Indicator Name": "indicator_name",
    "Parent Code": "parent_code",
    "Parent Name": "parent_name",
    "Area Code": "area_code",
    "Area Name": "area_name",
    "Area Type": "area_type",
    "Sex": "sex",
    "Age": "age",
    "Time period": "period",
    "Value": "value",
    "Lower CI 95.0 limit": "lower_95",
    "Upper CI 95.0 limit": "upper_95",
    "Lower CI 99.8 limit": "lower_99_8",
    "Upper CI 99.8 limit": "upper_99_8",
    "Count": "count",
    "Denominator": "denominator",
    "Value note": "value_note",
    "Recent Trend": "recent_trend",
    "Compared to England value or percentiles": "compared_to_benchmark",
}
OPTIONAL = {
    "Category Type": "category_type",
    "Category": "category",
    "Time period Sortable": "period_sortable",
}

#: Tidy columns returned by :func:`read_fingertips`, in order.
COLUMNS = (
    "indicator_id",
    "indicator_name",
    "area_code",
    "area_name",
    "area_type",
    "parent_code",
    "sex",
    "age",
    "category_type",
    "category",
    "period",
    "period_sortable",
    "value",
    "lower_95",
    "upper_95",
    "lower_99_8",
    "upper_99_8",
    "count",
    "denominator",
    "value_note",
    "recent_trend",
    "compared_to_benchmark",
)

# GP practice / PCN codes (letter + 5 digits) and ONS GSS codes (letter + 8 digits).
AREA_CODE = r"[A-Z][0-9]{5}|[A-Z][0-9]{8}"
KEY = ["indicator_id", "area_code", "sex", "age", "category_type", "category", "period"]

SCHEMA = Schema(
    name="Fingertips all_data",
    columns=(
        Column("indicator_id", "int", minimum=1),
        Column("indicator_name"),
        Column("area_code", pattern=AREA_CODE),
        Column("area_name"),
        Column("area_type"),
        Column("parent_code", nullable=True, pattern=AREA_CODE),
        Column("sex", allowed=frozenset({"Persons", "Male", "Female"})),
        Column("age"),
        Column("category_type", nullable=True),
        Column("category", nullable=True),
        Column("period"),
        Column("period_sortable", "int", nullable=True, minimum=10000000, maximum=99999999),
        Column("value", "float", nullable=True),
        Column("lower_95", "float", nullable=True),
        Column("upper_95", "float", nullable=True),
        Column("lower_99_8", "float", nullable=True),
        Column("upper_99_8", "float", nullable=True),
        Column("count", "float", nullable=True, minimum=0),
        Column("denominator", "float", nullable=True, minimum=0),
        Column("value_note", nullable=True),
        Column("recent_trend", nullable=True),
        Column("compared_to_benchmark", nullable=True),
    ),
)

_ANNUAL = re.compile(r"(\d{4})(?:/\d{2}|\s*-\s*\d{2})?")


def sortable_period(period: str) -> int | None:
    """Fingertips ``Time period Sortable`` for annual periods: year x 10,000.

    ``"2019"``, ``"2022/23"`` and ``"2018 - 20"`` give 20190000, 20220000 and 20180000 (the
    form the exports use); sub-annual periods give None, since their encoding is not derivable.
    """
    match = _ANNUAL.fullmatch(period.strip())
    return int(match.group(1)) * 10000 if match else None


def _drop_repeated_england(frame: pd.DataFrame, file: Path) -> pd.DataFrame:
    """Drop the parentless copy of a row that is repeated with a parent; values must agree."""
    parentless = frame["parent_code"].isna()
    if not parentless.any():
        return frame
    compare = [c for c in COLUMNS if c != "parent_code"]
    with_parent = frame.loc[~parentless, compare]
    matched = frame.loc[parentless, compare].merge(
        with_parent.drop_duplicates(KEY),
        on=KEY,
        how="left",
        suffixes=("", "_other"),
        indicator=True,
    )
    matched.index = frame.index[parentless]
    repeated = matched["_merge"] == "both"
    for name in compare:
        if name in KEY:
            continue
        left, right = matched[name], matched[f"{name}_other"]
        differs = repeated & ~((left == right).fillna(False) | (left.isna() & right.isna()))
        if differs.any():
            row = int(frame.loc[differs[differs].index[0], "_row"])
            raise InputError(
                "row repeats an area with different values from its other copy",
                file=file,
                row=row,
                column=name,
                rule="consistent repeated row",
            )
    return frame.drop(index=matched.index[repeated])


def read_fingertips(path: str | Path) -> pd.DataFrame:
    """Read a Fingertips ``all_data`` CSV export into a tidy frame (:data:`COLUMNS`).

    Codes stay strings; ``value``, CIs, ``count`` and ``denominator`` are floats (suppressed
    values are missing, with the publisher's ``value_note`` kept); ``period_sortable`` is the
    export's integer (derived for annual periods when the column is absent). Raises
    :class:`InputError` naming file, row, column and rule on anything malformed.
    """
    path = Path(path)
    raw = read_csv_strings(path)
    require_header(raw, REQUIRED, file=path, layout=LAYOUT)
    names = {**REQUIRED, **{k: v for k, v in OPTIONAL.items() if k in raw.columns}}
    frame = raw[list(names)].rename(columns=names)
    for name in ("category_type", "category"):
        if name not in frame.columns:
            frame[name] = pd.Series(pd.NA, index=frame.index, dtype="string")
    if "period_sortable" not in frame.columns:
        derived = raw["Time period"].map(
            lambda p: sortable_period(p) if isinstance(p, str) else None
        )
        frame["period_sortable"] = pd.array(derived.tolist(), dtype="Int64")
    with source_columns({tidy: source for source, tidy in names.items()}):
        frame = validate_frame(frame[list(COLUMNS)], SCHEMA, file=path)
        frame["_row"] = range(1, len(frame) + 1)
        frame = _drop_repeated_england(frame, path)
        reject_duplicates(frame, KEY, file=path, rows=frame["_row"])
    return frame.drop(columns="_row").reset_index(drop=True)


def fetch_fingertips(
    indicator_ids: list[int],
    area_type_id: int,
    destination: str | Path,
    parent_area_type_id: int = 15,
) -> pd.DataFrame:
    """Download indicators from the Fingertips API (``fingertips_py``, the optional
    ``fingertips`` extra) into ``destination`` as an ``all_data`` CSV, then read it back
    through :func:`read_fingertips` so a live download passes the same checks as a file.
    Never needed to build: the book uses the files shipped in ``data/``."""
    try:
        import fingertips_py
    except ImportError as exc:
        raise InputError(
            "live Fingertips fetch needs the optional package: "
            "pip install 'bbp-analysis[fingertips]'",
            file=str(destination),
            rule="optional dependency",
        ) from exc
    frame = fingertips_py.get_data_by_indicator_ids(
        indicator_ids, area_type_id, parent_area_type_id=parent_area_type_id
    )
    if frame is None or len(frame) == 0:
        raise InputError(
            f"the API returned no rows for indicators {indicator_ids}",
            file=str(destination),
            rule="non-empty download",
        )
    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(destination, index=False)
    return read_fingertips(destination)
