"""The indicator layer: an indicator's values for a period, area and breakdown, computed from the
extract's aggregates (:func:`bbp_analysis.extract.measures`) the same way for every chapter.

Crude rates carry Byar intervals (exact below 10 events), proportions Wilson score intervals,
directly standardised rates (ESP 2013) Dobson intervals; comparisons with the benchmark follow
the Fingertips rule (:func:`bbp_analysis.stats.compare`), trends the Fingertips recent-trend
test (:func:`bbp_analysis.stats.recent_trend`) and statuses :mod:`bbp_analysis.judgement`.
Every count passes through :func:`bbp_analysis.disclosure.suppress_ratio` at the run's
threshold before any value leaves this module. Chapters call this module and never each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

from . import extract, judgement
from .catalogue import indicator
from .chapters.scope import seed
from .disclosure import suppress_ratio
from .params import RunParameters
from .paths import project_root
from .stats import baseline_spc, compare, dsr, proportion, rate, recent_trend

EXCLUDED_NOTE = "Not stated"
"""Breakdown group left out of group comparisons (no stated value)."""
OLDER_BANDS = ("65-69", "70-74", "75-79", "80-84", "85-89", "90+")
"""The ESP 2013 age bands of people aged 65 and over."""
SPC_START = pd.Timestamp("2021-04-01")
"""Monthly charts start after the first pandemic year (2020-21), a different process."""
SPC_PER = 100_000
SPC_UNIT = "per 100,000 registered people a day"
"""Monthly charts show rates per day, so that months of 28 to 31 days compare."""
KINDS = {"wilson": "proportion", "byar": "rate"}
"""Catalogue method -> interval kind of :func:`interval`."""
VALUE_COLUMNS = ["value", "lower", "upper"]


@cache
def _measure(query: str, measure: str, area_code: str, seed: int, root: str) -> pd.DataFrame:
    return extract.measures(query, area_code=area_code, seed=seed, measure=measure)


@cache
def _positions(
    query: str, measure: str, area_code: str, seed: int, root: str, columns: tuple[str, ...]
) -> dict:
    """Row positions of :func:`_measure`'s table by its values in ``columns`` (a value, or a
    tuple of values for several columns), in table order."""
    data = _measure(query, measure, area_code, seed, root)
    return data.groupby(list(columns), sort=False).indices


def rows(query: str, measure: str, params: RunParameters, **where: object) -> pd.DataFrame:
    """Aggregate rows of one measure for the run's area (all periods), filtered on equal column
    values (``period=``, ``breakdown=``...), in the table's order; each measure is read (and
    grouped by the columns asked about) once per process and area."""
    key = (query, measure, params["area_code"], seed(params), str(project_root()))
    data = _measure(*key)
    if not where:
        return data.reset_index(drop=True)
    values = tuple(where.values())
    found = _positions(*key, tuple(where)).get(values if len(values) > 1 else values[0])
    return data.take(found if found is not None else []).reset_index(drop=True)


def interval(
    kind: str, numerator, denominator, multiplier: float, confidence: float
) -> pd.DataFrame:
    """``value, lower, upper`` of a ``kind`` "proportion" (Wilson) or "rate" (Byar), times
    ``multiplier``, at ``confidence`` (e.g. 0.95)."""
    if kind == "proportion":
        return proportion(numerator, denominator, confidence=confidence, multiplier=multiplier)
    return rate(numerator, denominator, confidence=confidence, multiplier=multiplier)


def protect(table: pd.DataFrame, params: RunParameters, *, kind: str, source: str) -> pd.DataFrame:
    """``table`` with counts below the run's threshold suppressed and their values blanked
    (``suppressed`` column added; see :func:`bbp_analysis.disclosure.suppress_ratio`)."""
    return suppress_ratio(
        table,
        params["suppression_threshold"],
        proportion=kind == "proportion",
        value_columns=VALUE_COLUMNS,
        symbol=None,
        source=source,
    )


def scoped(data: pd.DataFrame, params: RunParameters) -> pd.DataFrame:
    """The rows of the area a view shows: the named PCN's, else the borough's."""
    if params.get("pcn"):
        return data[(data["area_type"] == "pcn") & (data["area_code"] == params["pcn"])]
    return data[data["area_type"] == "borough"]


def area_values(
    query: str,
    measure: str,
    params: RunParameters,
    *,
    kind: str,
    multiplier: float,
    polarity: str,
    breakdown: str = "total",
    level: str = "pcn",
    period: str | None = None,
) -> pd.DataFrame:
    """One period's value for the borough and each PCN (``breakdown="total"``) or each group
    of a breakdown (borough, or the named PCN), with intervals, the comparison with the
    borough (Fingertips rule) and small counts suppressed.

    Columns: ``level, area, numerator, denominator, value, lower, upper, comparison,
    suppressed``; the benchmark row first (level "borough"), then the others by value
    (areas) or in the groups' natural order (age from youngest, quintile 1 first).
    """
    period = period or params["period"]
    data = rows(query, measure, params, period=period)
    borough = data[(data["area_type"] == "borough") & (data["breakdown"] == "total")]
    if breakdown == "total":
        others = data[(data["area_type"] == level) & (data["breakdown"] == "total")]
        if params.get("pcn") and level == "pcn":
            others = others[others["area_code"] == params["pcn"]]
        others = others.assign(area=others["area_code"])
    else:
        others = scoped(data[data["breakdown"] == breakdown], params)
        others = others[others["breakdown_value"] != EXCLUDED_NOTE]
        others = others.assign(area=others["breakdown_value"])
    table = pd.concat(
        [
            borough.assign(area=params["area_name"], level="borough"),
            others.assign(level=level if breakdown == "total" else breakdown),
        ]
    )
    table = table[table["denominator"] > 0].reset_index(drop=True)
    stats = interval(
        kind, table["numerator"], table["denominator"], multiplier, params["confidence"]
    )
    table = pd.concat([table[["level", "area", "numerator", "denominator"]], stats], axis=1)
    benchmark = float(table["value"].iloc[0])
    table["comparison"] = compare(table["lower"], table["upper"], benchmark, polarity)
    table.loc[0, "comparison"] = "benchmark"
    protected = protect(table, params, kind=kind, source=query)
    protected.loc[protected["suppressed"], "comparison"] = "suppressed"
    body = protected.iloc[1:]
    if breakdown == "total":
        body = body.sort_values("value", ascending=False, kind="stable")
    else:
        body = body.sort_values("area", key=group_order, kind="stable")
    return pd.concat([protected.iloc[:1], body], ignore_index=True)


def group_order(labels: pd.Series) -> pd.Series:
    """Sort key: the number a label starts with (age bands, quintiles), else the label."""
    numbers = pd.to_numeric(labels.astype(str).str.extract(r"^(\d+)")[0], errors="coerce")
    return numbers.fillna(1000).astype(str).str.zfill(8) + labels.astype(str)


def _series_rows(data: pd.DataFrame, params: RunParameters, pcns: bool) -> pd.DataFrame:
    """Rows up to the reporting period for the borough and the named PCN (or every PCN when
    ``pcns``), with an ``area`` column (the borough's name or the PCN code)."""
    data = data[data["period"] <= params["period"]]
    keep = data["area_type"] == "borough"
    if params.get("pcn"):
        keep |= (data["area_type"] == "pcn") & (data["area_code"] == params["pcn"])
    elif pcns:
        keep |= data["area_type"] == "pcn"
    data = data[keep].copy()
    data["area"] = np.where(data["area_type"] == "borough", params["area_name"], data["area_code"])
    return data


def series(
    query: str,
    measure: str,
    params: RunParameters,
    *,
    kind: str,
    multiplier: float,
    pcns: bool = False,
    breakdown: str = "total",
    group: str = "total",
) -> pd.DataFrame:
    """Annual values up to the reporting period for the borough (and each PCN when ``pcns``,
    or the named PCN), for one ``group`` of a ``breakdown`` (default: everyone): ``period,
    area, numerator, denominator, value, lower, upper, suppressed``."""
    data = rows(query, measure, params, breakdown=breakdown, breakdown_value=group)
    data = _series_rows(data, params, pcns)
    data = data[data["denominator"] > 0]
    data = data.sort_values(["area_type", "area", "period"], ignore_index=True)
    stats = interval(kind, data["numerator"], data["denominator"], multiplier, params["confidence"])
    table = pd.concat([data[["period", "area", "numerator", "denominator"]], stats], axis=1)
    return protect(table, params, kind=kind, source=query)


def standardised_series(
    query: str, measure: str, params: RunParameters, bands: tuple[str, ...] = OLDER_BANDS
) -> pd.DataFrame:
    """Annual rates directly standardised to the ESP 2013 over the age ``bands`` (per 100,000,
    Dobson intervals) up to the reporting period, one row per period and area (the borough,
    plus the named PCN): ``area, period, numerator, denominator, value, lower, upper,
    suppressed``, sorted by area and period."""
    data = rows(query, measure, params, breakdown="age_band")
    data = _series_rows(data[data["breakdown_value"].isin(bands)], params, pcns=False)
    result = dsr(
        data,
        "numerator",
        "denominator",
        "esp2013",
        by=["area", "period"],
        confidence=params["confidence"],
        age_band="breakdown_value",
    )
    result = result.rename(columns={"total_count": "numerator", "total_population": "denominator"})
    result = result.sort_values(["area", "period"], ignore_index=True)
    return protect(result, params, kind="rate", source=query)


def trend_label(table: pd.DataFrame, area: str, polarity: str) -> str:
    """Fingertips recent trend (last five periods, chi-square at 99.8%) for ``area`` of a
    :func:`series` table."""
    one = table[table["area"] == area].sort_values("period")
    return recent_trend(one["numerator"].astype(float), one["denominator"], polarity)


def daily_rate(count: pd.Series, population: pd.Series, month: pd.Series) -> pd.Series:
    """Events per :data:`SPC_PER` people per day in each calendar month (``month`` dated on
    any day of it): count / (population x days in the month) x SPC_PER."""
    return count / (population * pd.to_datetime(month).dt.days_in_month) * SPC_PER


def monthly_spc(
    query: str, measure: str, params: RunParameters, programmes: dict[str, pd.Timestamp]
) -> pd.DataFrame:
    """A monthly count (borough, or the named PCN) from :data:`SPC_START` to the end of the
    period as a rate per day (:func:`daily_rate`, so months of different lengths compare), on
    an XmR chart with limits fixed on the pre-programme baseline and recalculated at
    ``programmes`` starts (name -> date; starts after the period left out) only by the Making
    Data Count rule (:func:`bbp_analysis.stats.baseline_spc`, improvement = decrease);
    ``attrs`` keep the starts (``programmes``) and the ``unit`` for the chart."""
    data = scoped(rows(query, measure, params, breakdown="total"), params)
    end = pd.Timestamp(params["period_end"])
    data = data.assign(date=pd.to_datetime(data["period"] + "-01"))
    data = data[(data["date"] >= SPC_START) & (data["date"] <= end)]
    data = data.sort_values("date")
    value = daily_rate(data["numerator"], data["denominator"], data["date"])
    programmes = {name: when for name, when in programmes.items() if when <= end}
    points = baseline_spc(
        value.to_numpy(), data["date"].to_numpy(), list(programmes.values()), improvement="decrease"
    )
    points["count"] = data["numerator"].to_numpy()
    points["days"] = data["date"].dt.days_in_month.to_numpy()
    points.attrs.update(programmes=programmes, unit=SPC_UNIT)
    return points


# One indicator from its catalogue entry ---------------------------------------------------


@dataclass(frozen=True)
class Assessment:
    """An indicator for one period, area and breakdown group: ``value`` with its interval
    (``lower``, ``upper``, in the catalogue's unit), the ``comparison`` with the benchmark
    (the borough; "benchmark" for the borough itself, "suppressed" when the count is too
    small to publish), the recent ``trend`` and the ``status`` against the plan's target
    (None when the catalogue states no numeric target)."""

    indicator_id: str
    period: str
    area: str
    value: float | None
    lower: float | None
    upper: float | None
    comparison: str
    trend: str
    status: str | None


def kind_of(indicator_id: str) -> str:
    """The interval kind of a catalogue entry's method: "proportion" or "rate"."""
    method = indicator(indicator_id).method
    if method not in KINDS:
        raise ValueError(f"{indicator_id}: method {method!r} is not one of {', '.join(KINDS)}")
    return KINDS[method]


def status(indicator_id: str, lower: float | None, upper: float | None) -> str | None:
    """Status of an interval against the catalogue's target (:mod:`bbp_analysis.judgement`): a
    target value by :func:`~bbp_analysis.judgement.against_target`, a range by
    :func:`~bbp_analysis.judgement.against_range`; "not comparable" when the plan gives the
    target on a basis of its own (``as_given``); None without a numeric target or interval.
    The partnership measures' headline statuses, with the plan's several readings of a
    target, are the headline functions' (:mod:`bbp_analysis.headline`)."""
    spec = indicator(indicator_id)
    target = spec.target
    if "as_given" in target:
        return "not comparable"
    if lower is None or upper is None or pd.isna(lower) or pd.isna(upper):
        return None
    if "value" in target:
        return judgement.against_target(lower, upper, float(target["value"]), spec.polarity)
    if "lower" in target and "upper" in target:
        low, high = float(target["lower"]), float(target["upper"])
        return judgement.against_range(lower, upper, low, high, spec.polarity)
    return None


def values(indicator_id: str, params: RunParameters, **options) -> pd.DataFrame:
    """:func:`area_values` of catalogue entry ``indicator_id``: its measure (SQL file and
    measure name), interval kind, multiplier and polarity (``options``: ``breakdown``,
    ``level``, ``period``)."""
    spec = indicator(indicator_id)
    kind = kind_of(indicator_id)
    return area_values(
        spec.query,
        spec.measure_name,
        params,
        kind=kind,
        multiplier=spec.multiplier,
        polarity=spec.polarity,
        **options,
    )


def trend(indicator_id: str, params: RunParameters, **options) -> pd.DataFrame:
    """:func:`series` of catalogue entry ``indicator_id``: its measure, interval kind and
    multiplier (``options``: ``pcns``, ``breakdown``, ``group``)."""
    spec = indicator(indicator_id)
    kind = kind_of(indicator_id)
    return series(
        spec.query, spec.measure_name, params, kind=kind, multiplier=spec.multiplier, **options
    )


def headline_fields(indicator_id: str, row: pd.Series) -> dict[str, object]:
    """The fields of a :class:`bbp_analysis.headline.Headline` taken from the catalogue entry
    and the estimate ``row`` (``value, lower, upper``): ``indicator_id, title, polarity,
    value, lower, upper``."""
    spec = indicator(indicator_id)
    return {
        "indicator_id": indicator_id,
        "title": spec.title,
        "polarity": spec.polarity,
        **{column: float(row[column]) for column in VALUE_COLUMNS},
    }


def assess(
    indicator_id: str,
    params: RunParameters,
    *,
    area: str | None = None,
    breakdown: str = "total",
    period: str | None = None,
) -> Assessment:
    """Indicator ``indicator_id`` (its measure, method, multiplier and polarity from the
    catalogue), for ``area`` (a PCN code or breakdown group; the
    borough by default) in ``period`` (the reporting period by default)."""
    period = period or params["period"]
    table = values(indicator_id, params, breakdown=breakdown, period=period)
    name = area or params["area_name"]
    row = table[table["area"] == name]
    if row.empty:
        raise ValueError(f"{indicator_id}: no {breakdown} value for {name!r} in {period}")
    row = row.iloc[0]
    history = trend(
        indicator_id,
        params.with_period(period),
        pcns=breakdown == "total" and area is not None,
        breakdown=breakdown,
        group=name if breakdown != "total" else "total",
    )
    group = (params.get("pcn") or params["area_name"]) if breakdown != "total" else name
    polarity = indicator(indicator_id).polarity
    value, lower, upper = (None if pd.isna(row[c]) else float(row[c]) for c in VALUE_COLUMNS)
    return Assessment(
        indicator_id=indicator_id,
        period=period,
        area=name,
        value=value,
        lower=lower,
        upper=upper,
        comparison=str(row["comparison"]),
        trend=trend_label(history, group, polarity),
        status=status(indicator_id, lower, upper),
    )
