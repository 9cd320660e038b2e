"""Tables for people: the one path from a data frame to the table a reader sees.

Column labels are words with units, from the house column dictionary
(``site/download-columns.yaml``) and the unit of the catalogue indicator the table shows; a
column in neither is named by its own words (``age_band`` reads "Age band"). Numbers are
formatted by unit: counts as whole numbers with thousands separators, percentages and rates
to one decimal place, ratios to two. A lower and upper confidence limit are shown as one
interval column ("40.4 to 59.6"). At most :data:`MAX_COLUMNS` columns reach the page; the
download (CSV) always holds every column, unformatted.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

MAX_COLUMNS = 7
MISSING = "[x]"  # not available (house style); suppressed cells arrive already as "[c]"
COUNT, PERCENT, RATIO, INDEX, NUMBER, TEXT = "count", "percent", "ratio", "index", "number", "text"
DECIMALS = {COUNT: 0, PERCENT: 1, RATIO: 2, INDEX: 1}
"""Decimal places by kind of number. Other numbers are whole when every value is (a count or
rank whose unit is not recorded), else the caller's decimals or :func:`default_decimals`."""
_INTERVAL_PAIRS = (("lower", "upper"), ("_lower", "_upper"), (" lower", " upper"))
_SHORT_UNITS = {"%": "%", "percentage points": "percentage points"}


@dataclass(frozen=True)
class Column:
    """One column of a reader's table: the data columns it shows (one, or a lower and upper
    limit), its label in words with unit, the kind of number, its decimal places and whether
    every cell is blank or missing."""

    names: tuple[str, ...]
    label: str
    kind: str
    decimals: int
    empty: bool = False


def kind_of_unit(unit: str | None, name: str = "") -> str | None:
    """The kind of number a unit (or, failing that, a column name) describes: count, percent,
    ratio, index (a ratio scaled so the borough is 100), or None when it does not say."""
    text = (unit or "").lower()
    if text.startswith("count") or name.lower() in {"numerator", "denominator"}:
        return COUNT
    if text.startswith("%") or text == "percentage points" or name.endswith(("%", "(%)")):
        return PERCENT
    if "= 100" in text:
        return INDEX
    if text.startswith(("ratio", "rate ratio")):
        return RATIO
    return None


def default_decimals(values: pd.Series) -> int:
    """Decimal places for a number column whose unit says nothing: none when every value is
    whole (a rank, a count), one when the largest size is at least 1, else three."""
    numbers = pd.to_numeric(values, errors="coerce").dropna()
    if numbers.empty or (numbers == numbers.round()).all():
        return 0
    return 1 if numbers.abs().max() >= 1 else 3


def words(name: str) -> str:
    """A raw column name in words: underscores to spaces, first letter capital."""
    text = " ".join(str(name).replace("_", " ").split())
    return text[:1].upper() + text[1:]


def with_unit(title: str, unit: str | None, kind: str | None) -> str:
    """A label with its unit in brackets, unless the title already names it, the unit is a
    count (a count's title says what is counted) or the unit is a pointer, not a unit ("the
    row's unit", "as stated in the title": the row or caption says it)."""
    pointer = (unit or "").lower().startswith(("the ", "as "))
    if not unit or pointer or kind == COUNT or unit.lower() in title.lower() or "(" in title:
        return title
    return f"{title} ({_SHORT_UNITS.get(unit, unit)})"


def _is_number(values: pd.Series) -> bool:
    present = [v for v in values if not _missing(v) and str(v).strip() not in ("", "[c]", "[x]")]
    return bool(present) and all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in present
    )


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value))


def _interval_partner(name: str, names: list[str]) -> str | None:
    """The upper limit paired with lower limit ``name``, when the frame has it."""
    for low, high in _INTERVAL_PAIRS:
        if name.endswith(low):
            partner = name[: len(name) - len(low)] + high
            if partner in names:
                return partner
    return None


def interval_title(lower_title: str) -> str:
    """The title of an interval column from its lower limit's: "Lower confidence limit" reads
    "Confidence interval", "SII lower confidence limit" "SII confidence interval"."""
    base = re.sub(r"\s*lower( confidence limit)?$", "", lower_title, flags=re.IGNORECASE)
    return words(f"{base} confidence interval".strip())


def columns(
    frame: pd.DataFrame,
    describe: Mapping[str, tuple[str, str | None]] | None = None,
    decimals: Mapping[str, int] | None = None,
) -> list[Column]:
    """The reader's columns of ``frame``, in order: each data column, a lower and upper limit
    joined into one interval column. ``describe`` gives a column's (title, unit) when known
    (:func:`bbp_analysis.site.datapackage.field`); ``decimals`` the caller's decimal places
    for numbers whose unit does not fix them."""
    describe, decimals = describe or {}, decimals or {}
    names = [str(c) for c in frame.columns]
    taken: set[str] = set()
    out = []
    for name in names:
        if name in taken:
            continue
        title, unit = describe.get(name, (words(name), None))
        partner = _interval_partner(name, names)
        kind = kind_of_unit(unit, name)
        values = frame[name]
        if partner is not None:
            taken.add(partner)
            values = pd.concat([frame[name], frame[partner]])
            title = interval_title(title)
        if not _is_number(values):
            kind = TEXT
        elif kind is None:
            kind = NUMBER
        places = DECIMALS.get(kind, default_decimals(values))
        if kind == NUMBER and places:
            places = decimals.get(name, places)
        elif kind == COUNT and name in decimals and default_decimals(values):
            # a caller's count column that is not whole (an expected count in a
            # standardised ratio) keeps its decimals
            places = decimals[name]
        label = with_unit(title, unit, kind)
        empty = all(_missing(v) or str(v).strip() == "" for v in values)
        names_ = (name, partner) if partner else (name,)
        out.append(Column(names_, label, kind, places, empty))
    return out


def cell(value: object, column: Column) -> str:
    """One value as the reader sees it: numbers with separators at the column's decimal
    places, missing values as [x], anything else (e.g. [c]) as written."""
    if _missing(value):
        return MISSING
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    return f"{value:,.{column.decimals}f}"


def interval(lower: object, upper: object, column: Column) -> str:
    """An interval as the reader sees it, "40.4 to 59.6"; one mark ([c] or [x]) when either
    limit is suppressed or missing; blank when both are blank (a row without a value)."""
    if all(isinstance(v, str) and not v.strip() for v in (lower, upper)):
        return ""
    low, high = cell(lower, column), cell(upper, column)
    for mark in ("[c]", MISSING):
        if mark in (low, high):
            return mark
    return f"{low} to {high}"


def reader_frame(frame: pd.DataFrame, shown: list[Column]) -> pd.DataFrame:
    """``frame`` as the reader's table of strings: one column per :class:`Column`, labelled,
    an interval column reading "lower to upper"."""
    data = {}
    for column in shown:
        if len(column.names) == 2:
            low, high = column.names
            data[column.label] = [
                interval(a, b, column) for a, b in zip(frame[low], frame[high], strict=True)
            ]
        else:
            data[column.label] = [cell(v, column) for v in frame[column.names[0]]]
    return pd.DataFrame(data, index=range(len(frame)))


def page_columns(all_columns: list[Column], limit: int = MAX_COLUMNS) -> list[Column]:
    """The columns that fit on the page: the first ``limit`` that hold anything (identifying
    columns come first in every table the review draws); the rest, and columns blank in every
    row when the table is too wide, stay in the download."""
    if len(all_columns) <= limit:
        return all_columns
    return [c for c in all_columns if not c.empty][:limit]


def left_out_note(all_columns: list[Column], shown: list[Column]) -> str:
    """The sentence under a table that is wider than the page, naming what only the download
    holds (blank columns said to be blank); empty when every column is shown."""
    rest = [c for c in all_columns if c not in shown]
    if not rest:
        return ""
    listed = "; ".join(c.label + (" (blank)" if c.empty else "") for c in rest)
    return (
        f"The page shows {len(shown)} of this table's {len(all_columns)} columns; the download "
        f"(CSV) also holds: {listed}."
    )
