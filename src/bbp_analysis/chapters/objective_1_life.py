"""Objective 1: life expectancy at birth by sex, and its gap between the most and least
deprived local fifths (the plan's logic-model impact "Reduce gap in life expectancy by
deprivation indices"), beside the JSNA figures the plan quotes.

Both are catalogue entries (``o1-life-expectancy``, ``o1-life-expectancy-gap``): the SQL
file, its measure names (the whole population and the five fifths) and the statistic come from
there. Deaths and the registered population on 1 October (sex by life-table age band 0, 1-4,
5-9, ..., 90+) are pooled over the three financial years
ending in the period, as Fingertips pools three calendar years for local-authority life
expectancy. Life expectancy is the Chiang II abridged life table with Silcocks' variance
(:func:`bbp_analysis.stats.life_expectancy`); the gap is least minus most deprived fifth,
its standard error the square root of the sum of the two variances (independent groups).
"""

from __future__ import annotations

import math
import warnings
from functools import cache

import pandas as pd
from IPython.display import HTML, Markdown

from .. import extract, periods
from ..catalogue import indicator
from ..disclosure import suppress
from ..figures import trend_chart
from ..params import RunParameters
from ..publish import show_figure, show_table
from ..reference import PLAN_SHORT, load_reference
from ..stats._checks import confidence_levels
from ..synth.calibration import FIRST_PERIOD
from .scope import level as _level
from .scope import seed as _seed
from .scope import synthetic_label as _label
from .scope import where as _where

LIFE, GAP = indicator("o1-life-expectancy"), indicator("o1-life-expectancy-gap")
POOL_YEARS = 3
SEXES = {"M": "Males", "F": "Females"}
FIFTHS = {
    "imd1": "1 (most deprived)",
    "imd2": "2",
    "imd3": "3",
    "imd4": "4",
    "imd5": "5 (least deprived)",
}
JSNA_FINDINGS = {"M": "Male life expectancy", "F": "Female life expectancy"}
PLAN_SECTION = f"{PLAN_SHORT}, section 2.1 (JSNA headline findings, Age Well)"


def pooled_years(period: str) -> list[str]:
    """The financial years pooled for ``period``: it and the two before it (fewer at the start
    of the extract's window)."""
    first = max(periods.start_year(FIRST_PERIOD), periods.start_year(period) - POOL_YEARS + 1)
    return list(periods.between(periods.label(first), period))


def window_text(period: str) -> str:
    """The pooled window in words, e.g. "2023-24 to 2025-26"."""
    years = pooled_years(period)
    return years[0] if len(years) == 1 else f"{years[0]} to {years[-1]}"


@cache
def _life_rows(area_code: str, seed: int) -> pd.DataFrame:
    data = extract.measures(LIFE.query, area_code=area_code, seed=seed, breakdown="sex_age_band")
    data = data[data["measure"].isin(LIFE.measure.names)]
    parts = data["breakdown_value"].str.split(":", n=1, expand=True)
    return data.assign(group=data["measure"].map(_group), sex=parts[0], age_band=parts[1])


def _group(measure: str) -> str:
    """``all`` or ``imd1``..``imd5`` from a life-table measure name."""
    return measure.removeprefix(LIFE.id).removeprefix("-") or "all"


def life_table_counts(params: RunParameters, period: str) -> pd.DataFrame:
    """Deaths and population pooled over :func:`pooled_years`, for the borough (or the named
    PCN): ``group`` (all, imd1..imd5), ``sex``, ``age_band``, ``deaths``, ``population``.
    Unsuppressed: for computation only."""
    data = _life_rows(params["area_code"], _seed(params))
    level = "pcn" if params.get("pcn") else "borough"
    data = data[(data["area_type"] == level) & data["period"].isin(pooled_years(period))]
    if params.get("pcn"):
        data = data[data["area_code"] == params["pcn"]]
    out = data.groupby(["group", "sex", "age_band"], as_index=False)[
        ["numerator", "denominator"]
    ].sum()
    return out.rename(columns={"numerator": "deaths", "denominator": "population"})


def at_birth(params: RunParameters, period: str) -> pd.DataFrame:
    """Life expectancy at birth (years) by ``group`` and ``sex``: ``deaths, population, value,
    lower, upper, se`` (se in years). Values the method suppresses (total population 5,000
    or fewer, a 95% interval wider than 20 years, no deaths at 90+) are missing."""
    counts = life_table_counts(params, period)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = LIFE.statistic(
            counts,
            "age_band",
            "deaths",
            "population",
            by=["group", "sex"],
            confidence=params["confidence"],
        )
    table = table[table["age_start"] == 0].drop(columns="age_start")
    z = confidence_levels(params["confidence"])[0].z
    table["se"] = (table["upper"] - table["lower"]) / (2 * z)
    table.loc[table["value"].isna(), ["lower", "upper", "se"]] = math.nan
    totals = counts.groupby(["group", "sex"], as_index=False)[["deaths", "population"]].sum()
    return totals.merge(table, on=["group", "sex"], how="left")


def deprivation_gap(params: RunParameters, period: str) -> pd.DataFrame:
    """Gap in life expectancy at birth, least minus most deprived local fifth, by sex:
    ``sex, most, least, gap, lower, upper`` (years; normal interval on the difference with
    variance the sum of the two fifths' variances)."""
    table = at_birth(params, period).set_index(["group", "sex"])
    z = confidence_levels(params["confidence"])[0].z
    least_group, most_group = (_group(name) for name in GAP.measure.names)
    records = []
    for sex in SEXES:
        most, least = table.loc[(most_group, sex)], table.loc[(least_group, sex)]
        gap = least["value"] - most["value"]
        se = math.sqrt(least["se"] ** 2 + most["se"] ** 2)
        records.append(
            {
                "sex": sex,
                "most": most["value"],
                "least": least["value"],
                "gap": gap,
                "lower": gap - z * se,
                "upper": gap + z * se,
            }
        )
    return pd.DataFrame(records)


def sex_difference(params: RunParameters, period: str) -> dict[str, float]:
    """Female minus male life expectancy at birth (years) with its interval."""
    table = at_birth(params, period).set_index(["group", "sex"])
    z = confidence_levels(params["confidence"])[0].z
    female, male = table.loc[("all", "F")], table.loc[("all", "M")]
    diff = female["value"] - male["value"]
    se = math.sqrt(female["se"] ** 2 + male["se"] ** 2)
    return {"value": diff, "lower": diff - z * se, "upper": diff + z * se}


def jsna_figures() -> dict[str, dict[str, str]]:
    """The plan's JSNA life expectancy figures by sex: value, period and the quoted words."""
    plan = load_reference("jsna_headlines")
    out = {}
    for sex, finding in JSNA_FINDINGS.items():
        row = plan[plan["finding"] == finding].iloc[0]
        out[sex] = {
            "value": str(row["value"]),
            "period": str(row["period"]),
            "quote": str(row["source_quote"]),
        }
    return out


def _interval(value: float, lower: float, upper: float) -> str:
    if pd.isna(value):
        return "suppressed"
    return f"{value:.1f} ({lower:.1f} to {upper:.1f})"


def headings(params: RunParameters) -> dict[str, str]:
    """Headings stating the findings, each claim made only when its interval excludes zero:
    ``sex`` (women against men) and ``gap`` (least against most deprived fifth)."""
    where = _where(params)
    diff = sex_difference(params, params["period"])
    if diff["lower"] > 0:
        sex = f"Women in {where} live about {diff['value']:.0f} years longer than men"
    elif diff["upper"] < 0:
        sex = f"Men in {where} live about {-diff['value']:.0f} years longer than women"
    else:
        sex = f"Women and men in {where} have similar life expectancy"
    gaps = deprivation_gap(params, params["period"]).set_index("sex")
    words = {"M": "men", "F": "women"}
    longer = [s for s, row in gaps.iterrows() if row["lower"] > 0]
    shorter = [s for s, row in gaps.iterrows() if row["upper"] < 0]
    if not longer and not shorter:
        gap = (
            f"No clear gap in life expectancy between the most and least deprived fifths of {where}"
        )
    elif len(longer) == len(SEXES):
        gap = (
            f"People in {where}'s least deprived fifth live longer than those in the most "
            f"deprived: about {gaps.loc['M', 'gap']:.0f} years for men and "
            f"{gaps.loc['F', 'gap']:.0f} for women"
        )
    else:
        parts = [
            f"{words[s].capitalize()} in {where}'s least deprived fifth live about "
            f"{gaps.loc[s, 'gap']:.0f} years longer than {words[s]} in the most deprived"
            for s in longer
        ] + [
            f"{words[s].capitalize()} in {where}'s most deprived fifth live about "
            f"{-gaps.loc[s, 'gap']:.0f} years longer than {words[s]} in the least deprived"
            for s in shorter
        ]
        unclear = [words[s] for s in SEXES if s not in longer + shorter]
        gap = "; ".join(parts) + (f"; {unclear[0]} show no clear gap" if unclear else "")
    return {"sex": sex, "gap": gap}


def life_table_view(params: RunParameters) -> HTML:
    """Life expectancy at birth by sex, the JSNA figure the plan quotes, and the gap between
    the least and most deprived local fifths, with intervals."""
    period = params["period"]
    table = at_birth(params, period)
    table = table[table["group"] == "all"].set_index("sex")
    gaps = deprivation_gap(params, period).set_index("sex")
    plan = jsna_figures()
    value_column = (
        f"Life expectancy at birth, {window_text(period)} (years, {_level(params)} interval)"
    )
    gap_column = f"Gap, least minus most deprived fifth (years, {_level(params)} interval)"
    records = []
    for sex, name in SEXES.items():
        row, gap = table.loc[sex], gaps.loc[sex]
        records.append(
            {
                "Sex": name,
                value_column: (_interval(row["value"], row["lower"], row["upper"])),
                "JSNA figure quoted in the plan (years)": (
                    f"{float(plan[sex]['value']):.1f} (around {plan[sex]['period']})"
                ),
                "Deaths in the three years": row["deaths"],
                "Registered people, sum of the three years": row["population"],
                gap_column: _interval(gap["gap"], gap["lower"], gap["upper"]),
            }
        )
    shown = pd.DataFrame(records)
    counts = ["Deaths in the three years", "Registered people, sum of the three years"]
    shown = suppress(shown, counts, params["suppression_threshold"]).drop(
        columns=["suppressed", "suppression_reason"]
    )
    caption = (
        f"Life expectancy at birth in {_where(params)} by sex, deaths and registered people "
        f"pooled over {window_text(period)} (Chiang II life table, {_level(params)} intervals by "
        "Silcocks' method), beside the JSNA figures quoted in the "
        f"{PLAN_SECTION}; the gap is between the most and least deprived local fifths. "
        f"{_label(params)}"
    )
    return show_table(
        shown,
        caption,
        f"{LIFE.id}-sex",
        decimals={c: 0 for c in counts},
        method="Chiang II abridged life table with Silcocks' variance",
    )


def fifths_figure(params: RunParameters) -> HTML:
    """Life expectancy at birth by local deprivation fifth and sex, with intervals."""
    period = params["period"]
    table = at_birth(params, period)
    table = table[table["group"].isin(FIFTHS)].copy()
    table["fifth"] = table["group"].map(FIFTHS)
    table["sex"] = table["sex"].map(SEXES)
    table = table.sort_values(["sex", "group"], ascending=[False, True])
    where = _where(params)
    fig = trend_chart(
        table,
        period="fifth",
        series="sex",
        title=f"Life expectancy at birth by deprivation fifth, {where}, {window_text(period)}",
        ylabel="Years",
    )
    gaps = deprivation_gap(params, period).set_index("sex")
    alt = (
        f"Life expectancy at birth in {where} for each local deprivation fifth, males and "
        f"females, with {_level(params)} intervals. Least minus most deprived fifth: males "
        f"{_interval(gaps.loc['M', 'gap'], gaps.loc['M', 'lower'], gaps.loc['M', 'upper'])} "
        "years, females "
        f"{_interval(gaps.loc['F', 'gap'], gaps.loc['F', 'lower'], gaps.loc['F', 'upper'])} "
        "years."
    )
    data = table[["sex", "fifth", "deaths", "population", "value", "lower", "upper"]]
    data = suppress(
        data.reset_index(drop=True),
        ["deaths", "population"],
        params["suppression_threshold"],
        value_columns=["value", "lower", "upper"],
    ).drop(columns=["suppressed", "suppression_reason"])
    caption = (
        f"Life expectancy at birth (years) by local deprivation fifth (1 = most deprived) and "
        f"sex, {where}, deaths pooled over {window_text(period)}; bars are {_level(params)} "
        "intervals. "
        f"{_label(params)}"
    )
    return show_figure(
        fig,
        figure_id=f"{LIFE.id}-fifths",
        caption=caption,
        alt=alt,
        data=data,
        decimals={"deaths": 0, "population": 0, "value": 1, "lower": 1, "upper": 1},
        method="Chiang II abridged life table with Silcocks' variance",
    )


def life_text(params: RunParameters) -> Markdown:
    """The findings in words, the plan's JSNA wording, and why the synthetic values differ."""
    period = params["period"]
    where = _where(params)
    table = at_birth(params, period)
    table = table[table["group"] == "all"].set_index("sex")
    diff = sex_difference(params, period)
    plan = jsna_figures()
    male, female = table.loc["M"], table.loc["F"]
    return Markdown(
        f"Over {window_text(period)}, life expectancy at birth in {where} was "
        f"{_interval(male['value'], male['lower'], male['upper'])} years for men and "
        f"{_interval(female['value'], female['lower'], female['upper'])} years for women; "
        f"women's exceeds men's by {_interval(diff['value'], diff['lower'], diff['upper'])} "
        f"years ({_level(params)} intervals). The plan's JSNA table says: "
        f'"{plan["M"]["quote"]}" It gives no period beyond the 2020 decline. The synthetic '
        "extract's deaths follow a model set to a crude death rate, not to life expectancy, "
        "so its values sit well above the JSNA figures and the difference says nothing about "
        f"{params['area_name']}: read the values against each other, not against the plan. "
        "Deaths are pooled over three financial years, as Fingertips pools three calendar "
        "years for local-authority life expectancy, because one year gives too few deaths in "
        "each deprivation fifth."
    )


def gap_trend(params: RunParameters) -> pd.DataFrame:
    """The deprivation gap by sex for every three-year window ending from the extract's third
    year to the period: ``window, sex, gap, lower, upper``."""
    third = periods.label(periods.start_year(FIRST_PERIOD) + POOL_YEARS - 1)
    ends = periods.between(third, params["period"])
    frames = [deprivation_gap(params, end).assign(window=window_text(end)) for end in ends]
    return pd.concat(frames, ignore_index=True)[["window", "sex", "gap", "lower", "upper"]]


def gap_trend_table(params: RunParameters) -> HTML:
    """The gap between the least and most deprived fifths over successive three-year windows."""
    trend = gap_trend(params)
    shown = pd.DataFrame({"Three financial years": trend["window"].drop_duplicates()})
    for sex, name in SEXES.items():
        rows = trend[trend["sex"] == sex]
        shown[f"{name}: gap in years ({_level(params)} interval)"] = [
            _interval(v, lo, up)
            for v, lo, up in zip(rows["gap"], rows["lower"], rows["upper"], strict=True)
        ]
    caption = (
        f"Gap in life expectancy at birth between the least and most deprived local fifths of "
        f"{_where(params)}, least minus most deprived (years), for successive three-year "
        "windows; the windows overlap, so neighbouring values share two years of deaths. "
        f"{_label(params)}"
    )
    return show_table(
        shown,
        caption,
        f"{GAP.id}-trend",
        method="Chiang II abridged life table with Silcocks' variance",
    )
