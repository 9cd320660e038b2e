"""Reporting periods: financial years written ``2025-26``, running 1 April to 31 March.

The one definition of how a period label maps to dates and of the run of periods between two
labels; the parameters, the synthetic-data generator, the measures' calendar and the extract's
coverage all use it.
"""

from __future__ import annotations

import re
from datetime import date

PATTERN = re.compile(r"(\d{4})-(\d{2})")


def is_period(label: str) -> bool:
    """Whether ``label`` is a financial year like ``2025-26`` (the second year follows)."""
    match = PATTERN.fullmatch(label)
    return bool(match) and (int(match.group(1)) + 1) % 100 == int(match.group(2))


def start_year(label: str) -> int:
    """The calendar year in which period ``label`` starts (``2025`` for ``2025-26``)."""
    if not is_period(label):
        raise ValueError(f"{label!r} is not a financial year like 2025-26")
    return int(label[:4])


def label(year: int) -> str:
    """The period starting on 1 April of ``year`` (``2025`` gives ``2025-26``)."""
    return f"{year}-{(year + 1) % 100:02d}"


def first_day(period: str) -> date:
    """1 April of the period's start year."""
    return date(start_year(period), 4, 1)


def last_day(period: str) -> date:
    """31 March of the year after the period's start year."""
    return date(start_year(period) + 1, 3, 31)


def mid_day(period: str) -> date:
    """1 October of the period's start year (the date of a period's population)."""
    return date(start_year(period), 10, 1)


def between(first: str, last: str) -> tuple[str, ...]:
    """Every period from ``first`` to ``last``, both included (empty when ``last`` is
    earlier)."""
    return tuple(label(y) for y in range(start_year(first), start_year(last) + 1))
