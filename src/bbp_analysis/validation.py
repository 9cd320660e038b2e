"""Declared schemas for every input, checked before any analysis.

A :class:`Schema` lists columns with their type, code list, range and pattern; a
:func:`validate_frame` call checks a frame against it and raises :class:`InputError` on the
first rule broken, naming the file, the 1-based data row, the column and the rule.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import InputError

DTYPES = ("str", "int", "float", "bool", "date")


@dataclass(frozen=True)
class Column:
    """One declared column: ``allowed`` is a code list, ``pattern`` a full-match regex."""

    name: str
    dtype: str = "str"
    required: bool = True
    nullable: bool = False
    allowed: frozenset[str] | None = None
    minimum: float | None = None
    maximum: float | None = None
    pattern: str | None = None
    description: str = ""

    def __post_init__(self) -> None:
        if self.dtype not in DTYPES:
            raise ValueError(f"Column {self.name!r}: dtype must be one of {DTYPES}")


@dataclass(frozen=True)
class Schema:
    """A table's contract: its columns, its unique key and the fewest rows it may have."""

    name: str
    columns: tuple[Column, ...]
    unique_key: tuple[str, ...] = ()
    min_rows: int = 1
    allow_extra_columns: bool = True
    checks: tuple = field(
        default_factory=tuple
    )  # callables (frame, file) -> None, raising InputError

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)


def first_row(mask: pd.Series | np.ndarray) -> int | None:
    """1-based data row of the first true value in ``mask`` (missing counts as false), or None."""
    hits = pd.Series(mask).to_numpy(dtype=bool, na_value=False).nonzero()[0]
    return int(hits[0]) + 1 if len(hits) else None


def reject_first(
    mask: pd.Series | np.ndarray,
    describe: Callable[[int], str],
    *,
    file: str | Path,
    column: str,
    rule: str,
) -> None:
    """Raise InputError at the first row where ``mask`` is true.

    ``describe`` takes that row's 0-based position and returns the detail of the message.
    """
    row = first_row(mask)
    if row is not None:
        raise InputError(describe(row - 1), file=file, row=row, column=column, rule=rule)


_BOOLS = {
    True: True,
    False: False,
    "true": True,
    "false": False,
    "True": True,
    "False": False,
    "1": True,
    "0": False,
}


def _coerce(series: pd.Series, col: Column, file: str) -> pd.Series:
    present = series.notna()
    where = {"file": file, "column": col.name}
    if col.dtype == "str":
        if isinstance(series.dtype, pd.StringDtype):  # already text: nothing to convert
            return series
        return series.where(~present, series.astype("string"))
    if col.dtype in ("int", "float"):
        numbers = pd.to_numeric(series, errors="coerce")
        reject_first(
            present & numbers.isna(),
            lambda i: f"{series.iloc[i]!r} is not a number",
            rule=f"type {col.dtype}",
            **where,
        )
        if col.dtype == "int":
            reject_first(
                numbers.notna() & (numbers != numbers.round()),
                lambda i: f"{series.iloc[i]!r} is not a whole number",
                rule="type int",
                **where,
            )
            return numbers.astype("Int64")
        return numbers.astype("float64")
    if col.dtype == "bool":
        if pd.api.types.is_bool_dtype(series.dtype):  # bool or boolean: already true/false
            return series.astype("boolean")
        mapped = series.map(lambda v: _BOOLS.get(v) if pd.notna(v) else pd.NA)
        reject_first(
            present & mapped.isna(),
            lambda i: f"{series.iloc[i]!r} is not true/false",
            rule="type bool",
            **where,
        )
        return mapped.astype("boolean")
    dates = pd.to_datetime(series, errors="coerce")
    reject_first(
        present & dates.isna(),
        lambda i: f"{series.iloc[i]!r} is not a date (YYYY-MM-DD)",
        rule="type date",
        **where,
    )
    return dates


def _check_values(values: pd.Series, col: Column, file: str) -> None:
    """Apply a column's null, code-list, pattern and range rules to its typed values."""
    nulls = values.isna()
    where = {"file": file, "column": col.name}
    if not col.nullable:
        reject_first(nulls, lambda _: "value is missing", rule="not null", **where)
    if col.allowed is not None:
        allowed = ", ".join(sorted(col.allowed)[:12]) + (", ..." if len(col.allowed) > 12 else "")
        reject_first(
            ~nulls & ~values.astype("string").isin(col.allowed),
            lambda i: f"{values.iloc[i]!r} is not a known code (allowed: {allowed})",
            rule="code list",
            **where,
        )
    if col.pattern is not None:
        matches = values.astype("string").fillna("").str.fullmatch(col.pattern)
        reject_first(
            ~nulls & ~matches.fillna(False).astype(bool),
            lambda i: f"{values.iloc[i]!r} does not match {col.pattern}",
            rule="pattern",
            **where,
        )
    if col.minimum is not None:
        reject_first(
            ~nulls & (values < col.minimum).fillna(False),
            lambda i: f"{values.iloc[i]} is below {col.minimum}",
            rule="range",
            **where,
        )
    if col.maximum is not None:
        reject_first(
            ~nulls & (values > col.maximum).fillna(False),
            lambda i: f"{values.iloc[i]} is above {col.maximum}",
            rule="range",
            **where,
        )


def validate_frame(frame: pd.DataFrame, schema: Schema, *, file: str | Path) -> pd.DataFrame:
    """Check ``frame`` against ``schema``; return it with declared types applied.

    Raises :class:`InputError` naming file, row, column and rule for the first failure:
    missing required column, too few rows, wrong type, missing value, value outside its
    code list, range or pattern, duplicated unique key, or a failed table-level check.
    """
    file = str(file)
    if len(frame) < schema.min_rows:
        raise InputError(
            f"{schema.name} has {len(frame)} data rows; at least {schema.min_rows} required",
            file=file,
            rule="not empty",
        )
    missing = [c.name for c in schema.columns if c.required and c.name not in frame.columns]
    if missing:
        raise InputError(
            f"required column missing (has: {', '.join(map(str, frame.columns))})",
            file=file,
            column=missing[0],
            rule=f"{schema.name} schema",
        )
    declared = {c.name for c in schema.columns}
    if not schema.allow_extra_columns:
        extra = [c for c in frame.columns if c not in declared]
        if extra:
            raise InputError(
                "column not in the schema",
                file=file,
                column=str(extra[0]),
                rule=f"{schema.name} schema",
            )
    out = frame.copy()
    for col in schema.columns:
        if col.name not in out.columns:
            continue
        values = _coerce(out[col.name], col, file)
        _check_values(values, col, file)
        out[col.name] = values
    if schema.unique_key:
        key = ", ".join(schema.unique_key)
        reject_first(
            out.duplicated(list(schema.unique_key), keep="first"),
            lambda _: f"duplicate of an earlier row on ({key})",
            file=file,
            column=schema.unique_key[0],
            rule="unique key",
        )
    for check in schema.checks:
        check(out, file)
    return out


def require_columns(
    frame: pd.DataFrame, columns: Iterable[str], *, file: str | Path, rule: str
) -> None:
    """Raise InputError naming the first of ``columns`` missing from ``frame``."""
    for name in columns:
        if name not in frame.columns:
            raise InputError("required column missing", file=str(file), column=name, rule=rule)


def check_period_covered(period: str, covered: Iterable[str], *, file: str | Path) -> None:
    """Raise InputError when ``period`` is not one of the financial years the data cover."""
    years = sorted(covered)
    if period not in years:
        raise InputError(
            f"{period!r} is outside the data, which cover {years[0]} to {years[-1]}",
            file=str(file),
            column="period",
            rule="period within the data",
        )
