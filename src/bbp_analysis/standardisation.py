"""Indirect age-sex standardisation of a measure to a benchmark area's age-sex-specific rates.

A catalogue entry with method ``isr`` names its benchmark in ``published`` (``benchmarks``:
area -> code; ``extract``: the measure's name in the extract's comparator table). The
comparator table holds, for that area and each financial year, one row per sex ("Male",
"Female") and age band ("0-4 yrs" ... "90+ yrs") with the benchmark's ``Count`` and
``Denominator`` on the measure's own definition (and a "Persons", "All ages" row with its
rate). The measure's SQL gives observed counts and registered populations by sex and age
band (breakdown ``sex_age_band``, or ``<group>_sex_age_band`` within a breakdown's groups).

For each area or group: expected E = Σ benchmark rate(sex, age) × population(sex, age);
standardised ratio O/E with exact Poisson limits below 10 events, Byar's from 10
(:func:`bbp_analysis.stats.isr`); and the indirectly standardised rate = O/E × the
benchmark's crude rate over the same sex-age cells (all cells for an area, an ethnic group or
a deprivation fifth; one sex's cells for a sex; one age band's cells for an age band), per
``multiplier``. A ratio's interval excluding 1 is a difference from the benchmark's rate for
people of the same age and sex.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from . import extract, memo
from .catalogue import indicator
from .errors import InputError
from .indicators import EXCLUDED_NOTE, group_order, protect, rows
from .params import RunParameters
from .published import financial_year
from .stats import compare, isr

SEXES = {"Male": "M", "Female": "F"}
CELL_BREAKDOWN = {
    **dict.fromkeys(("total", "sex", "age_band"), "sex_age_band"),
    **{group: f"{group}_sex_age_band" for group in ("ethnic_group", "imd_quintile")},
}
"""The breakdown of the measure's rows that holds each breakdown's sex-age cells."""
VALUE_COLUMNS = ["value", "lower", "upper", "ratio", "ratio_lower", "ratio_upper"]


def benchmark_name(indicator_id: str) -> str:
    """The area the entry is standardised to (the first of ``published.benchmarks``)."""
    return next(iter(indicator(indicator_id).published["benchmarks"]))


def _comparators_stamp(area_code: str) -> tuple[str, int, int]:
    """The comparator table's path, modification time and size: what the caches below are
    keyed on, so a changed or different extract is read again."""
    from .contract.conform import table_file

    folder = extract.extract_folder(area_code)
    path = table_file(folder, "comparators")
    if path is None:
        return (str(folder), 0, 0)
    stat = path.stat()
    return (str(path), stat.st_mtime_ns, stat.st_size)


@cache
def _comparators(area_code: str, stamp: tuple[str, int, int]) -> pd.DataFrame:
    return extract.read_table("comparators", area_code)


def reference(indicator_id: str, params: RunParameters, period: str) -> pd.DataFrame:
    """The benchmark's ``sex, age_band, ref_count, ref_population`` in ``period`` from the
    extract's comparator table (read once per process and file); an
    :class:`~bbp_analysis.errors.InputError` naming the table and rule when the rows are
    missing."""
    spec = indicator(indicator_id).published
    name = benchmark_name(indicator_id)
    area_code = params["area_code"]
    table = _comparators(area_code, _comparators_stamp(area_code))
    table = table[
        (table["Indicator ID"] == spec["extract"])
        & (table["Area Code"] == spec["benchmarks"][name])
        & table["Sex"].isin(list(SEXES))
    ]
    table = table[table["Time period"].map(financial_year) == period]
    counts = table[["Count", "Denominator"]].apply(pd.to_numeric, errors="coerce")
    if table.empty or counts.isna().any(axis=None):
        raise InputError(
            f"no {name} counts and populations by sex and age band for {spec['extract']!r} "
            f"in {period}",
            file="comparators",
            column="Count",
            rule=f"{indicator_id} is standardised to {name}'s age-sex rates",
        )
    return pd.DataFrame(
        {
            "sex": table["Sex"].map(SEXES).to_numpy(),
            "age_band": table["Age"].str.removesuffix(" yrs").to_numpy(),
            "ref_count": counts["Count"].to_numpy(dtype=float),
            "ref_population": counts["Denominator"].to_numpy(dtype=float),
        }
    )


def _cells(data: pd.DataFrame, breakdown: str) -> pd.DataFrame:
    """The measure's sex-age rows with ``group`` (the breakdown's value; "total" for areas),
    ``sex`` and ``age_band`` split out of ``breakdown_value``."""
    parts = data["breakdown_value"].str.split(":")
    if breakdown in ("ethnic_group", "imd_quintile"):
        group = parts.str[0]
        sex, band = parts.str[1], parts.str[2]
    else:
        sex, band = parts.str[0], parts.str[1]
        group = {"sex": sex, "age_band": band}.get(breakdown, pd.Series("total", data.index))
    return data.assign(group=group.to_numpy(), sex=sex.to_numpy(), age_band=band.to_numpy())


def indirect(
    cells: pd.DataFrame,
    ref: pd.DataFrame,
    by: list[str],
    *,
    breakdown: str = "total",
    confidence: float = 0.95,
    multiplier: float = 1000,
) -> pd.DataFrame:
    """Indirectly standardised ratios and rates of ``cells`` (``by`` columns, ``sex,
    age_band, numerator, denominator``) to ``ref`` (``sex, age_band, ref_count,
    ref_population``): one row per ``by`` group with ``numerator`` (observed),
    ``denominator`` (population), ``expected``, ``ratio, ratio_lower, ratio_upper`` and the
    rate ``value, lower, upper`` per ``multiplier`` (the ratio times the benchmark's crude
    rate over the sex-age cells of the ``breakdown``'s group: see the module docstring).
    A sex-age cell the benchmark lacks is an error."""
    merged = cells.merge(ref, on=["sex", "age_band"], how="left", validate="many_to_one")
    missing = merged["ref_population"].isna() | (merged["ref_population"] <= 0)
    if missing.any():
        first = merged[missing].iloc[0]
        raise InputError(
            f"no benchmark population for sex {first['sex']!r}, age band {first['age_band']!r}",
            file="comparators",
            column="Denominator",
            rule="every sex and age band of the measure has a benchmark population",
        )
    result = isr(
        merged,
        "numerator",
        "denominator",
        "ref_count",
        "ref_population",
        by=by,
        confidence=confidence,
    )
    population = merged.groupby(by, sort=True)["denominator"].sum().to_numpy()
    result = result.rename(
        columns={"observed": "numerator", "value": "ratio", "lower": "ratio_lower"}
    ).rename(columns={"upper": "ratio_upper"})
    result.insert(len(by) + 1, "denominator", population)
    crude = _benchmark_rate(result[by], ref, breakdown) * multiplier
    for column, source in (("value", "ratio"), ("lower", "ratio_lower"), ("upper", "ratio_upper")):
        result[column] = result[source] * crude
    return result


def _benchmark_rate(groups: pd.DataFrame, ref: pd.DataFrame, breakdown: str) -> np.ndarray:
    """The benchmark's crude rate over each group's own sex-age cells (per person)."""
    if breakdown in ("sex", "age_band"):
        column = "sex" if breakdown == "sex" else "age_band"
        sums = ref.groupby(column)[["ref_count", "ref_population"]].sum()
        rates = sums["ref_count"] / sums["ref_population"]
        return groups["group"].map(rates).to_numpy(dtype=float)
    return np.full(len(groups), ref["ref_count"].sum() / ref["ref_population"].sum())


def standardised_values(
    indicator_id: str,
    params: RunParameters,
    breakdown: str = "total",
    period: str | None = None,
) -> pd.DataFrame:
    """:func:`computed_values`, computed once per process for the same entry, breakdown,
    period, parameters and comparator table (chapters ask for the same values for the
    headline, the status, the chart and the trend)."""
    key = (
        memo.inputs_key(params, (indicator_id, breakdown, period or params["period"]), {}),
        _comparators_stamp(params["area_code"]),
    )
    if key not in _VALUES:
        _VALUES[key] = computed_values(indicator_id, params, breakdown, period)
    return _VALUES[key].copy()


_VALUES: dict[tuple, pd.DataFrame] = {}


def computed_values(
    indicator_id: str,
    params: RunParameters,
    breakdown: str = "total",
    period: str | None = None,
) -> pd.DataFrame:
    """One period's indirectly standardised rates of catalogue entry ``indicator_id`` for the
    borough and each PCN (``breakdown="total"``; the named PCN only when ``params["pcn"]``)
    or each group of a breakdown (borough, or the named PCN), each compared with the
    benchmark's rate for people of the same age and sex (the ratio's interval against 1, at
    ``params["confidence"]``), observed counts below the threshold suppressed.

    Columns: ``level, area, numerator, denominator, expected, value, lower, upper, ratio,
    ratio_lower, ratio_upper, comparison, suppressed``; the borough's row first (compared
    with the benchmark too), then PCNs by value or groups in their natural order. Groups "Not
    stated" are left out.
    """
    period = period or params["period"]
    spec = indicator(indicator_id)
    ref = reference(indicator_id, params, period)
    pcn = params.get("pcn")

    def cells(kind: str) -> pd.DataFrame:
        data = rows(
            spec.query, spec.measure_name, params, period=period, breakdown=CELL_BREAKDOWN[kind]
        )
        data = _cells(data, kind)
        return data[data["group"] != EXCLUDED_NOTE]

    totals = cells("total")
    head = totals[totals["area_type"] == "borough"].assign(area=params["area_name"])
    if breakdown == "total":
        others = totals[totals["area_type"] == "pcn"]
        if pcn:
            others = others[others["area_code"] == pcn]
        others = others.assign(area=others["area_code"])
    else:
        groups = cells(breakdown)
        keep = (
            (groups["area_type"] == "pcn") & (groups["area_code"] == pcn)
            if pcn
            else groups["area_type"] == "borough"
        )
        others = groups[keep].assign(area=groups.loc[keep, "group"])
    frames = [
        indirect(
            part,
            ref,
            ["area", "group"],
            breakdown=kind,
            confidence=params["confidence"],
            multiplier=spec.multiplier,
        ).assign(level=level)
        for part, kind, level in (
            (head, "total", "borough"),
            (others, breakdown, "pcn" if breakdown == "total" else breakdown),
        )
        if not part.empty
    ]
    result = pd.concat(frames, ignore_index=True)
    result["comparison"] = compare(result["ratio_lower"], result["ratio_upper"], 1.0, spec.polarity)
    result = result.drop(columns="group")
    result = result[["level", *[c for c in result.columns if c != "level"]]]
    protected = protect(result, params, kind="rate", source=spec.query)
    protected[VALUE_COLUMNS[3:]] = protected[VALUE_COLUMNS[3:]].where(~protected["suppressed"])
    protected.loc[protected["suppressed"], "comparison"] = "suppressed"
    first, body = protected.iloc[:1], protected.iloc[1:]
    if breakdown == "total":
        body = body.sort_values("value", ascending=False, kind="stable")
    else:
        body = body.sort_values("area", key=group_order, kind="stable")
    return pd.concat([first, body], ignore_index=True)


def standardised_series(
    indicator_id: str, params: RunParameters, pcns: bool = False
) -> pd.DataFrame:
    """:func:`standardised_values` for every period up to the reporting period (borough, and
    each PCN when ``pcns`` or the named PCN): ``period, area, numerator, denominator,
    expected, value, lower, upper, ratio, ratio_lower, ratio_upper, suppressed``."""
    spec = indicator(indicator_id)
    periods = rows(spec.query, spec.measure_name, params, breakdown="total", area_type="borough")
    frames = []
    for period in sorted(p for p in periods["period"].unique() if p <= params["period"]):
        table = standardised_values(indicator_id, params, period=period)
        if not pcns and not params.get("pcn"):
            table = table.iloc[:1]
        frames.append(table.assign(period=period))
    result = pd.concat(frames, ignore_index=True).drop(columns=["level", "comparison"])
    columns = ["period", "area", *[c for c in result.columns if c not in ("period", "area")]]
    return result[columns].sort_values(["area", "period"], ignore_index=True)


def benchmark_rate(indicator_id: str, params: RunParameters, period: str) -> float:
    """The benchmark's crude rate per the entry's multiplier in ``period`` (its standardised
    rate too, since the benchmark is its own standard)."""
    ref = reference(indicator_id, params, period)
    return float(
        ref["ref_count"].sum() / ref["ref_population"].sum() * indicator(indicator_id).multiplier
    )


def check_references(params: dict, periods: list[str]) -> None:
    """Refuse (:class:`~bbp_analysis.errors.InputError`, one line naming the table, column
    and rule) an extract whose comparator table lacks a benchmark's counts and populations by
    sex and age band for a catalogue entry standardised to it (method ``isr`` with a
    ``published`` benchmark), in any of ``periods`` up to the run's period."""
    from .catalogue import indicators

    for item in indicators():
        if item.method != "isr" or not item.published.get("benchmarks"):
            continue
        for period in periods:
            if period <= params["period"]:
                reference(item.id, params, period)
