"""Life expectancy by the Chiang II abridged life table with Silcocks et al. (2001) variance."""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from bbp_analysis.stats._checks import (
    StatsInputError,
    as_float,
    confidence_levels,
    group_keys,
    require_columns,
)

AGE_STARTS = (0, 1, *range(5, 95, 5))
"""The 20 age bands' start ages: 0, 1-4, 5-9, ..., 85-89, 90+."""
MIN_TOTAL_POPULATION = 5000
MAX_HALF_WIDTH = 10.0
RADIX = 100_000.0
_Z95 = 1.959963984540054
BAND_ENDS = dict(zip(AGE_STARTS, (0, 4, *range(9, 90, 5), None), strict=True))
"""Each band's last age (None for the open band 90+)."""
BAND_NAMES = ", ".join(
    str(a) if a == 0 else (f"{a}-{b}" if b is not None else f"{a}+") for a, b in BAND_ENDS.items()
)
_LABEL = re.compile(r"(\d+)(?:\.0*)?(?:\s*(\+)|\s*(?:-|–|—|to)\s*(\d+))?", re.IGNORECASE)


def _band_start(label: str) -> int | None:
    """The start age of ``label`` if it names a standard band: its start age alone (5, 5.0),
    its range (5-9, 5 – 9, 5 to 9) or 90+; else None."""
    match = _LABEL.fullmatch(label.strip())
    if match is None:
        return None
    start, plus, end = int(match[1]), match[2], match[3]
    if start not in BAND_ENDS:
        return None
    if plus and BAND_ENDS[start] is not None:
        return None
    if end is not None and int(end) != BAND_ENDS[start]:
        return None
    return start


def _start_ages(labels: pd.Series, name: str) -> np.ndarray:
    """Start age of each band from numbers or labels such as "1-4" or "90+".

    As PHEindicatormethods 2.1.0 ``phe_life_expectancy`` (which stops when "the contents in
    the startage field do not match the contents of the age_contents vector"), every label
    must name one of the 20 standard bands, and the data as a whole must hold all 20.
    """
    starts = [_band_start(str(label)) for label in labels]
    bad = [position for position, start in enumerate(starts) if start is None]
    if bad:
        raise StatsInputError(
            f"{str(labels.iloc[bad[0]])!r} at 0-based position {bad[0]} is not one of them",
            column=name,
            rule=f"age bands must be {BAND_NAMES}",
        )
    missing = sorted(set(AGE_STARTS) - set(starts))
    if missing:
        raise StatsInputError(
            f"no rows for the bands starting at {missing}",
            column=name,
            rule=f"the data must hold each of the 20 age bands {BAND_NAMES}",
        )
    return np.array(starts, dtype=int)


def _life_table(deaths: np.ndarray, population: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Life expectancy and its standard error at each of the 20 band start ages."""
    widths = np.diff(np.array([*AGE_STARTS, np.nan]))
    fraction = np.where(np.array(AGE_STARTS) == 0, 0.1, 0.5)
    with np.errstate(divide="ignore", invalid="ignore"):
        mortality = deaths / population
        widths[-1] = 2 / mortality[-1]
        q = mortality * widths / (1 + mortality * widths * (1 - fraction))
        q = np.where(deaths <= population / widths / fraction, q, 1.0)
        survivors = RADIX * np.concatenate([[1.0], np.cumprod(1 - q)[:-1]])
        dying = survivors - np.append(survivors[1:], 0.0)
        years = widths * (np.append(survivors[1:], 0.0) + fraction * dying)
        years[-1] = survivors[-1] / mortality[-1]
        total = np.cumsum(years[::-1])[::-1]
        expectancy = np.where(survivors == 0, 0.0, total / survivors)
        variance_p = np.where(dying == 0, 0.0, q**2 * (1 - q) / deaths)
        variance_p[-1] = 4 / (deaths[-1] * mortality[-1] ** 2)
        weighted = (
            variance_p
            * survivors**2
            * ((1 - fraction) * widths + np.append(expectancy[1:], 0)) ** 2
        )
        weighted[-1] = (survivors[-1] / 2) ** 2 * variance_p[-1]
        se = np.sqrt(np.cumsum(weighted[::-1])[::-1] / survivors**2)
    return expectancy, se


def _suppression(deaths: np.ndarray, population: np.ndarray) -> str | None:
    if len(deaths) != len(AGE_STARTS):
        return f"has {len(deaths)} age bands, not 20"
    if (deaths < 0).any():
        return "has negative deaths"
    if (population <= 0).any():
        return "has a population of zero or less"
    if (deaths > population).any():
        return "has more deaths than population in a band"
    if population.sum() <= MIN_TOTAL_POPULATION:
        return f"has a total population of {MIN_TOTAL_POPULATION} or less"
    return None


def life_expectancy(
    frame: pd.DataFrame,
    age_start: str,
    deaths: str,
    population: str,
    by: str | Sequence[str] | None = None,
    confidence: float | Sequence[float] = 0.95,
) -> pd.DataFrame:
    """Life expectancy (years) at each of the 20 band start ages 0, 1, 5, 10, ..., 90.

    Chiang II abridged life table: width n_i (90+: 2/M), a_i = 0.1 at age 0 else 0.5,
    M_i = deaths/population, q_i = n·M/(1 + n·M(1 − a)) (1 when deaths exceed population/n/a),
    l_0 = 100,000, L_i = n(l_{i+1} + a·d_i), last L = l/M, e_i = T_i/l_i. Variance by Silcocks et
    al. (2001): s²p_i = q²(1 − q)/deaths (0 when no one dies), last band 4/(deaths·M²).
    ``age_start`` holds start ages (0, 1, 5, ..., 90) or band labels ("0", "1-4", "5 – 9",
    "90+"); any other band, or data without all 20 bands, is an error, as in
    PHEindicatormethods 2.1.0 ``phe_life_expectancy``.
    A group is suppressed (all missing, with a warning) when it lacks any band, has negative
    deaths, a population <= 0, deaths above population, or a total population <= 5,000; a value
    whose 95% CI is wider than 20 years is suppressed (its limits are kept), as is one with an
    infinite variance (no deaths at 90+). Returns the group columns, ``age_start``, ``value``,
    ``lower``, ``upper`` (or the 95%/99.8% columns).
    """
    keys = group_keys(by)
    levels = confidence_levels(confidence)
    require_columns(frame, [age_start, deaths, population, *keys])
    data = pd.DataFrame(
        {
            "age_start": _start_ages(frame[age_start], age_start),
            "deaths": as_float(frame[deaths], deaths),
            "population": as_float(frame[population], population),
        },
        index=frame.index,
    )
    if keys:
        data[keys] = frame[keys]
    pieces = []
    groups = data.groupby(keys, sort=True, dropna=False) if keys else [((), data)]
    for key, group in groups:
        group = group.sort_values("age_start")
        d = group["deaths"].to_numpy()
        p = group["population"].to_numpy()
        piece = group[[*keys, "age_start"]].reset_index(drop=True)
        reason = _suppression(d, p)
        if reason is None and group["age_start"].tolist() != list(AGE_STARTS):
            reason = "does not have each age band once"
        if reason is None and np.isnan(d + p).any():
            reason = "has missing deaths or population"
        if reason is not None:
            warnings.warn(f"group {key} {reason}; its life expectancy is missing", stacklevel=2)
            piece["value"] = np.nan
            for level in levels:
                piece[level.lower] = np.nan
                piece[level.upper] = np.nan
            pieces.append(piece)
            continue
        expectancy, se = _life_table(d, p)
        too_wide = (_Z95 * se > MAX_HALF_WIDTH) | ~np.isfinite(se) | ~np.isfinite(expectancy)
        if too_wide.any():
            warnings.warn(
                f"group {key}: 95% intervals wider than 20 years; those values are missing",
                stacklevel=2,
            )
        piece["value"] = np.where(too_wide, np.nan, expectancy)
        for level in levels:
            piece[level.lower] = expectancy - level.z * se
            piece[level.upper] = expectancy + level.z * se
        pieces.append(piece)
    return pd.concat(pieces, ignore_index=True)
