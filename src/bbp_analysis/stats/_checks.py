"""Shared argument checks and confidence-level handling for the indicator methods."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from bbp_analysis.errors import InputError
from bbp_analysis.stats.quantiles import normal_quantile

ArrayLike = pd.Series | np.ndarray | Sequence[float] | float | int

_SHOWN_POSITIONS = 5


class StatsInputError(InputError, ValueError):
    """Bad argument to a statistics function; a ``ValueError`` as well as an ``InputError``."""


@dataclass(frozen=True)
class Level:
    """One confidence level and the names of its interval columns."""

    confidence: float
    lower: str
    upper: str

    @property
    def z(self) -> float:
        """Two-sided standard normal quantile, e.g. 1.959964 for 0.95."""
        return float(normal_quantile(self.confidence + (1 - self.confidence) / 2))


def confidence_levels(confidence: float | Sequence[float]) -> tuple[Level, ...]:
    """Normalise ``confidence`` to one level or the pair (0.95, 0.998).

    Levels may be given as proportions (0.9-1) or percentages (90-100). One level gives the
    columns ``lower``/``upper``; the pair gives ``lower_95, upper_95, lower_99_8, upper_99_8``.
    """
    values = [confidence] if np.isscalar(confidence) else list(confidence)  # type: ignore[arg-type]
    scaled = []
    for value in values:
        level = float(value)
        if 90 <= level <= 100:
            level /= 100
        if not 0.9 <= level <= 1:
            raise StatsInputError(
                f"got {value!r}; give 0.9-1 or 90-100",
                column="confidence",
                rule="confidence level must be between 0.9 and 1",
            )
        scaled.append(level)
    if len(scaled) == 1:
        return (Level(scaled[0], "lower", "upper"),)
    if len(scaled) == 2 and np.allclose(scaled, [0.95, 0.998]):
        return (Level(0.95, "lower_95", "upper_95"), Level(0.998, "lower_99_8", "upper_99_8"))
    raise StatsInputError(
        f"got {confidence!r}",
        column="confidence",
        rule="two confidence levels are allowed only as (0.95, 0.998)",
    )


def as_float(values: ArrayLike, name: str) -> np.ndarray:
    """Return ``values`` as a 1-D float array (missing values become NaN)."""
    try:
        if isinstance(values, pd.Series):
            array = pd.to_numeric(values).to_numpy(dtype=float, na_value=np.nan)
        else:
            array = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as error:
        raise StatsInputError(str(error), column=name, rule="values must be numeric") from error
    return np.atleast_1d(array)


def index_of(*values: ArrayLike) -> pd.Index | None:
    """The index of the first pandas Series among ``values``, to label the results."""
    for value in values:
        if isinstance(value, pd.Series):
            return value.index
    return None


def broadcast(*arrays: np.ndarray, names: Sequence[str]) -> list[np.ndarray]:
    """Broadcast arrays to one length, naming the arguments if their lengths clash."""
    try:
        return [np.asarray(a) for a in np.broadcast_arrays(*arrays)]
    except ValueError as error:
        lengths = ", ".join(f"{n}={a.size}" for n, a in zip(names, arrays, strict=True))
        raise StatsInputError(
            lengths, column=", ".join(names), rule="arguments must have the same length"
        ) from error


def reject(bad: np.ndarray, name: str, rule: str) -> None:
    """Raise a ``StatsInputError`` naming the first offending 0-based positions, if any."""
    positions = np.flatnonzero(bad)
    if positions.size:
        shown = ", ".join(str(p) for p in positions[:_SHOWN_POSITIONS])
        more = f" and {positions.size - _SHOWN_POSITIONS} more" if positions.size > 5 else ""
        raise StatsInputError(f"at 0-based positions {shown}{more}", column=name, rule=rule)


def check_counts(counts: np.ndarray, name: str) -> None:
    """Counts must not be negative (missing values pass)."""
    reject(counts < 0, name, "must not be negative")


def check_denominators(denominators: np.ndarray, name: str) -> None:
    """Denominators must be greater than zero (missing values pass)."""
    reject(denominators <= 0, name, "must be greater than zero")


def counts_and_denominators(
    counts: ArrayLike, denominators: ArrayLike, names: tuple[str, str]
) -> tuple[np.ndarray, np.ndarray]:
    """Counts and their denominators as float arrays of one length, checked: counts not
    negative, denominators above zero (missing values pass). ``names`` name the arguments."""
    o, n = broadcast(as_float(counts, names[0]), as_float(denominators, names[1]), names=names)
    check_counts(o, names[0])
    check_denominators(n, names[1])
    return o, n


def require_columns(frame: pd.DataFrame, columns: Sequence[str]) -> None:
    """Every named column must be in ``frame``."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise StatsInputError(
            f"missing {missing}; frame has {list(frame.columns)}",
            column=", ".join(missing),
            rule="column must be in the frame",
        )


def group_keys(by: str | Sequence[str] | None) -> list[str]:
    """``by`` as a list of column names."""
    if by is None:
        return []
    return [by] if isinstance(by, str) else list(by)


def interval_frame(
    value: np.ndarray,
    bounds: dict[Level, tuple[np.ndarray, np.ndarray]],
    index: pd.Index | None,
) -> pd.DataFrame:
    """Assemble ``value`` and each level's lower/upper columns into a frame."""
    columns: dict[str, np.ndarray] = {"value": value}
    for level, (lower, upper) in bounds.items():
        columns[level.lower] = lower
        columns[level.upper] = upper
    return pd.DataFrame(columns, index=index)
