"""Statistical disclosure control for every aggregate before it is shown or written.

Method (stated for readers by :func:`suppression_rule_text`):

* **Primary suppression**: a row is suppressed when any of its counts lies between 1 and
  ``threshold - 1``. Zero is published by default, as in NHS England's (NHS Digital's)
  HES/ECDS disclosure-control method, where "0 stays 0" because a zero reveals nothing about a
  person; pass ``suppress_zero=True`` to suppress zeros too.
* **Secondary (complementary) suppression**: within each group of rows that adds up to a
  published or derivable total (for example every breakdown value of one area and period),
  a reader who knows the total and this rule must not be able to work out any suppressed
  small count. Simple differencing (the total minus the published cells) gives away a lone
  suppressed cell; bounds do the rest, since a suppressed small count is known to lie in
  1 .. ``threshold - 1`` and any other suppressed count to be 0 or at least ``threshold``
  (two suppressed 1s in a group whose cells differ from the total by 2 are both 1). While
  any suppressed small count of a count column is pinned down that way, the smallest
  non-zero unsuppressed cell of that column in the group is suppressed as well (ties: first
  row); when no such cell is left, the group's total row is suppressed. This repeats until
  it holds for every group and count column, since suppressing a row hides all its counts.
* Rates, proportions and confidence limits of a suppressed row (``value_columns``) are
  blanked too, so the count cannot be back-calculated from them.
* A rate's or proportion's denominator is a count as well (:func:`suppress_ratio`), and so,
  for a proportion, are the people without the characteristic (denominator - numerator).

The group total is always assumed known to a reader (it may be published elsewhere), so the
rule holds even when the total row itself is suppressed.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .errors import BBPError, InputError
from .validation import reject_first

PRIMARY = "primary"
SECONDARY = "secondary"
COMPLEMENT = "without (denominator - numerator)"


class DisclosureError(BBPError):
    """A table about to be published still holds a count that should have been suppressed."""


def _arguments(frame: pd.DataFrame, columns: Sequence[str], threshold: int, source: str) -> None:
    if isinstance(threshold, bool) or not isinstance(threshold, int | np.integer) or threshold < 1:
        raise InputError(
            f"threshold must be a whole number >= 1, not {threshold!r}",
            file=source,
            rule="threshold",
        )
    for name in columns:
        if name not in frame.columns:
            raise InputError(
                "column not in the frame", file=source, column=name, rule="known column"
            )


def _counts(frame: pd.DataFrame, column: str, source: str) -> np.ndarray:
    """A count column as floats (NaN = not available); negatives and text are rejected."""
    values = pd.to_numeric(frame[column], errors="coerce")
    present = frame[column].notna().to_numpy()
    numbers = values.to_numpy(dtype="float64", na_value=np.nan)
    reject_first(
        present & np.isnan(numbers),
        lambda i: f"{frame[column].iloc[i]!r} is not a count",
        file=source,
        column=column,
        rule="numeric count",
    )
    reject_first(
        numbers < 0,
        lambda i: f"{numbers[i]:g} is negative",
        file=source,
        column=column,
        rule="non-negative count",
    )
    return numbers


def _small(values: np.ndarray, threshold: int, suppress_zero: bool) -> np.ndarray:
    lowest = 0 if suppress_zero else 1
    return ~np.isnan(values) & (values >= lowest) & (values < threshold)


def _recoverable(
    values: np.ndarray, hidden: np.ndarray, threshold: int, suppress_zero: bool
) -> bool:
    """Whether a reader could pin down a hidden small count of one group and count column.

    The reader is assumed to know the group total (so the hidden cells' sum ``R``) and the
    rule: a hidden small count lies in [1, threshold - 1] ([0, threshold - 1] with
    ``suppress_zero``), any other hidden count is 0 or at least ``threshold``. With those
    bounds, cell i can only lie in ``[max(lo_i, R - sum of the others' hi),
    min(hi_i, R - sum of the others' lo)]``; a small count is disclosed when that interval
    is one value. A zero hidden only because another count of its row is small is taken as
    known to be 0, which overstates what a reader knows and so errs on the safe side. (At
    ``threshold`` 2 with zeros shown, a small count is 1 by definition and no arrangement
    of other cells can hide that, so such cells are not counted.)
    """
    lowest = 0 if suppress_zero else 1
    cells = hidden & ~np.isnan(values)
    if not cells.any():
        return False
    v = values[cells]
    small = (v >= lowest) & (v < threshold)
    large = v >= threshold
    lo = np.where(small, lowest, np.where(large, threshold, 0)).astype("float64")
    hi = np.where(small, threshold - 1, np.where(large, np.inf, 0))
    total = v.sum()
    with np.errstate(invalid="ignore"):
        low = np.maximum(lo, total - (hi.sum() - hi))
        high = np.minimum(hi, total - (lo.sum() - lo))
    pinned = small & (lo < hi) & (low == high)
    return bool(pinned.any())


def suppress(
    frame: pd.DataFrame,
    count_columns: Sequence[str],
    threshold: int,
    *,
    groups: Sequence[str] | None = None,
    totals: str | None = None,
    value_columns: Sequence[str] = (),
    suppress_zero: bool = False,
    symbol: str | None = "[c]",
    source: str = "frame",
) -> pd.DataFrame:
    """Apply primary and secondary suppression (see the module docstring) to ``frame``.

    ``count_columns`` hold counts of people or events (non-negative; missing means not
    available). ``groups`` names the columns whose values identify a set of rows adding up to
    a total (None: the whole frame is one group). ``totals`` names a boolean column marking
    each group's total row(s), which are suppressed like any row and, when needed, as the
    last-resort secondary cell. ``value_columns`` (rates, proportions, CI limits) are
    blanked in suppressed rows. Suppressed cells hold ``symbol`` (default ``"[c]"``, the
    Analysis Function's "confidential" mark, which makes those columns text); pass
    ``symbol=None`` to keep them numeric with missing values.

    Returns a copy with two more columns: ``suppressed`` (bool) and ``suppression_reason``
    (``"primary"``, ``"secondary"`` or missing).
    """
    count_columns = list(count_columns)
    groups = list(groups or [])
    extra = [*groups, *value_columns, *([totals] if totals else [])]
    _arguments(frame, [*count_columns, *extra], threshold, source)
    if not count_columns:
        raise InputError("at least one count column is needed", file=source, rule="count columns")
    counts = {c: _counts(frame, c, source) for c in count_columns}
    is_total = (
        frame[totals].fillna(False).astype(bool).to_numpy()
        if totals
        else np.zeros(len(frame), dtype=bool)
    )

    reason = np.full(len(frame), None, dtype=object)
    primary = np.zeros(len(frame), dtype=bool)
    for values in counts.values():
        primary |= _small(values, threshold, suppress_zero)
    reason[primary] = PRIMARY
    hidden = primary.copy()

    if groups:
        members = list(frame.groupby(groups, sort=False, dropna=False).indices.values())
    else:
        members = [np.arange(len(frame))]
    changed = True
    while changed:
        changed = False
        for rows in members:
            parts, total_rows = rows[~is_total[rows]], rows[is_total[rows]]
            for values in counts.values():
                part_values = values[parts]
                if not _recoverable(part_values, hidden[parts], threshold, suppress_zero):
                    continue
                candidates = ~np.isnan(part_values) & (part_values > 0) & ~hidden[parts]
                if candidates.any():
                    order = np.where(candidates, part_values, np.inf)
                    chosen = np.array([parts[int(np.argmin(order))]])
                else:
                    chosen = total_rows[~hidden[total_rows]]
                if len(chosen):
                    hidden[chosen] = True
                    reason[chosen] = SECONDARY
                    changed = True

    out = frame.copy()
    for name in [*count_columns, *value_columns]:
        if symbol is None:
            numeric = pd.to_numeric(out[name], errors="coerce").astype("float64")
            out[name] = numeric.mask(hidden)
        else:
            column = out[name].astype(object)
            column[hidden] = symbol
            out[name] = column
    out["suppressed"] = hidden
    out["suppression_reason"] = pd.array(reason, dtype="string")
    return out


def suppress_ratio(
    frame: pd.DataFrame,
    threshold: int,
    *,
    proportion: bool,
    numerator: str = "numerator",
    denominator: str = "denominator",
    **options: object,
) -> pd.DataFrame:
    """:func:`suppress` for rows of a rate or a proportion (``numerator / denominator``).

    Both the numerator and the denominator are counts (people, events or respondents), so a
    row is suppressed when either is small, and both are hidden in every suppressed row. For
    a proportion the people without the characteristic (``denominator - numerator``) are a
    count too: publishing the numerator and the denominator would give a small one away, so
    it is protected as well (it is not added to the result). ``options`` are passed to
    :func:`suppress` (``groups``, ``totals``, ``value_columns``, ``symbol``, ``source``).
    """
    counts = [numerator, denominator]
    work = frame
    if proportion:
        work = frame.assign(
            **{
                COMPLEMENT: pd.to_numeric(frame[denominator], errors="coerce")
                - pd.to_numeric(frame[numerator], errors="coerce")
            }
        )
        counts.append(COMPLEMENT)
    out = suppress(work, counts, threshold, **options)  # type: ignore[arg-type]
    return out.drop(columns=COMPLEMENT, errors="ignore")


def check_no_small_counts(
    frame: pd.DataFrame,
    count_columns: Sequence[str],
    threshold: int,
    *,
    suppress_zero: bool = False,
    symbol: str | None = "[c]",
    source: str = "frame",
) -> None:
    """Final gate before writing: raise :class:`DisclosureError` on any unsuppressed small count.

    A cell passes when it is missing, equals ``symbol``, or is a number outside 1 ..
    ``threshold - 1`` (0 .. ``threshold - 1`` with ``suppress_zero``). Any other text fails.
    """
    count_columns = list(count_columns)
    _arguments(frame, count_columns, threshold, source)
    for name in count_columns:
        column = frame[name]
        marked = (
            (column.astype(object) == symbol).to_numpy()
            if symbol is not None
            else np.zeros(len(frame), dtype=bool)
        )
        present = column.notna().to_numpy() & ~marked
        values = pd.to_numeric(column.where(~marked), errors="coerce").to_numpy(
            dtype="float64", na_value=np.nan
        )
        text = present & np.isnan(values)
        small = present & _small(values, threshold, suppress_zero)
        for rows, rule in (
            (text, "numeric count or suppression symbol"),
            (small, f"no count below {threshold}"),
        ):
            if rows.any():
                row = int(rows.nonzero()[0][0]) + 1
                raise DisclosureError(
                    f"{source}: row {row}, column '{name}': {rule}: "
                    f"{column.iloc[row - 1]!r} would be published"
                )


def suppression_rule_text(
    threshold: int, *, suppress_zero: bool = False, symbol: str = "[c]"
) -> str:
    """The plain-English statement of the rule applied by :func:`suppress`, for methods pages."""
    if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold < 1:
        raise InputError(
            f"threshold must be a whole number >= 1, not {threshold!r}",
            file="suppression_rule_text",
            rule="threshold",
        )
    lowest = 0 if suppress_zero else 1
    if threshold <= lowest:
        return "No counts are suppressed."
    if threshold - 1 == lowest:
        small = f"Counts of {lowest} are"
    else:
        small = f"Counts from {lowest} to {threshold - 1} are"
    zero = (
        "" if suppress_zero else " Zero counts are shown, because a zero does not identify anyone."
    )
    return (
        f"{small} suppressed and shown as {symbol} to protect confidentiality.{zero} "
        "Where a suppressed count could be worked out by subtracting the other figures "
        "from a total, the next smallest count (or the total) is suppressed as well. "
        "Rates, percentages and confidence intervals calculated from a suppressed count "
        "are not shown."
    )


def round_to(values: pd.Series | np.ndarray | float, base: int) -> pd.Series | np.ndarray | float:
    """Round counts to the nearest multiple of ``base``, halves away from zero.

    A supplementary control for publications that round counts (e.g. to the nearest 5)
    after suppression; Python's and NumPy's round-half-to-even is avoided so that 15 goes
    to 20 at base 10, as published tables do. Missing values stay missing.
    """
    if isinstance(base, bool) or not isinstance(base, int | np.integer) or base < 1:
        raise InputError(
            f"base must be a whole number >= 1, not {base!r}", file="round_to", rule="rounding base"
        )
    if isinstance(values, pd.Series):
        numbers = pd.to_numeric(values).to_numpy(dtype="float64", na_value=np.nan)
        return pd.Series(_round_half_away(numbers, base), index=values.index, name=values.name)
    if np.isscalar(values):
        return float(_round_half_away(np.array([float(values)]), base)[0])
    return _round_half_away(np.asarray(values, dtype="float64"), base)


def _round_half_away(numbers: np.ndarray, base: int) -> np.ndarray:
    return np.sign(numbers) * np.floor(np.abs(numbers) / base + 0.5) * base
