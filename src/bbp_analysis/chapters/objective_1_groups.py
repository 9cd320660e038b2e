"""Objective 1's population and inequality numbers: who is registered (age, sex, ethnic group,
deprivation, Bridges to Health segment), the Core20PLUS groups and the five clinical areas
(group against everyone else), the slope and relative index of inequality across local
deprivation fifths with its trend, and the ethnic-group gap.

Proportions: Wilson score intervals; rates: Byar (exact below 10 events). Group comparisons
use the Fingertips rule against the "everyone else" value. Counts pass through
:func:`bbp_analysis.disclosure.suppress` before they are shown.
"""

from __future__ import annotations

import math
from functools import cache
from itertools import product

import numpy as np
import pandas as pd

from .. import judgement
from ..catalogue import indicator
from ..disclosure import suppress, suppress_ratio
from ..indicators import protect, rows
from ..params import RunParameters, load_parameters
from ..plus_groups import PlusGroup, check, members, profile_fields
from ..stats import compare, isr, proportion, rate, sii
from .objective_1 import gpps_values

STATED_ETHNIC = ("Asian", "Black", "Mixed", "Other", "White")
SEGMENT_NAMES = {
    1: "Healthy",
    2: "Maternal and infant",
    3: "Acutely ill",
    4: "Long-term conditions",
    5: "Disability",
    6: "Incurable cancer",
    7: "Organ failure",
    8: "Frailty and dementia",
}
"""Bridges to Health segments (highest need wins), as the extract codes them."""
PROGRAMME = "programmes"
GPPS_GOOD = "pm2-gp-access-good"
"""The GP survey indicator: weighted, so its intervals allow for the survey design."""
INEQUALITY_KEYS = indicator("o1-ethnic-gap").measure.of
"""The catalogue indicators compared across deprivation fifths and ethnic groups."""
CORE20_DECILES = ("1", "2")
"""Core20: the national most deprived 20% (IMD 2019 deciles 1-2), NHS England's definition."""
SII_REPETITIONS = 10_000
SII_SEED = 20220401
SII_FIELDS = ("sii", "sii_lower", "sii_upper", "rii", "rii_lower", "rii_upper")
NOT_COMPUTED = "not computed (a deprivation fifth has too few people)"


def _scope(params: RunParameters) -> tuple[str, str | None]:
    return ("pcn", params["pcn"]) if params.get("pcn") else ("borough", None)


def scoped(query: str, measure: str, params: RunParameters, **where: object) -> pd.DataFrame:
    """Rows for the borough, or the named PCN when params set one."""
    level, code = _scope(params)
    data = rows(query, measure, params, area_type=level, **where)
    return data[data["area_code"] == code] if code else data


def _interval(kind: str, numerator, denominator, multiplier: float, confidence: float):
    if kind == "proportion":
        return proportion(numerator, denominator, confidence=confidence, multiplier=multiplier)
    return rate(numerator, denominator, confidence=confidence, multiplier=multiplier)


# Population -------------------------------------------------------------------------------


def pcns(params: RunParameters) -> list[str]:
    """The PCNs with registered people in the period, sorted by name."""
    data = rows(
        "registered_population",
        "o1-registered-population",
        params,
        period=params["period"],
        area_type="pcn",
        breakdown="total",
    )
    return sorted(data.loc[data["denominator"] > 0, "area_code"].unique())


def pyramid(params: RunParameters, pcn: str | None = None) -> pd.DataFrame:
    """Registered population by sex and five-year age band (% of all persons) for the borough
    or ``pcn``: ``age_band, sex, persons, share, suppressed`` (youngest band first; small
    counts and their shares suppressed)."""
    level = "pcn" if pcn else "borough"
    data = rows(
        "registered_population",
        "o1-registered-population",
        params,
        period=params["period"],
        area_type=level,
        breakdown="sex_age_band",
    )
    if pcn:
        data = data[data["area_code"] == pcn]
    parts = data["breakdown_value"].str.split(":", expand=True)
    out = pd.DataFrame({"age_band": parts[1], "sex": parts[0], "persons": data["numerator"]})
    out = out[out["sex"].isin(["M", "F"])]
    out["share"] = out["persons"] / out["persons"].sum() * 100
    order = out["age_band"].str.extract(r"^(\d+)")[0].astype(int)
    out = out.assign(_o=order).sort_values(["_o", "sex"]).drop(columns="_o").reset_index(drop=True)
    return suppress(
        out,
        ["persons"],
        params["suppression_threshold"],
        value_columns=["share"],
        symbol=None,
        source="registered_population",
    )


def composition(params: RunParameters, breakdown: str) -> pd.DataFrame:
    """Share (%) of the registered population in each group of ``breakdown`` (ethnic_group,
    imd_decile, imd_quintile) for the borough and each PCN (or the named PCN): one row per
    group, one column per area; counts below the threshold suppressed (shown as missing)."""
    data = rows(
        "registered_population",
        "o1-registered-population",
        params,
        period=params["period"],
        breakdown=breakdown,
    )
    data = data[data["area_type"].isin(["borough", "pcn"])]
    if params.get("pcn"):
        data = data[(data["area_type"] == "borough") | (data["area_code"] == params["pcn"])]
    data = data.assign(
        area=np.where(data["area_type"] == "borough", params["area_name"], data["area_code"])
    )
    totals = data.groupby("area")["numerator"].transform("sum")
    data = data.assign(share=data["numerator"] / totals * 100)
    protected = suppress(
        data[["area", "breakdown_value", "numerator", "share"]],
        ["numerator"],
        params["suppression_threshold"],
        groups=["area"],
        value_columns=["share"],
        symbol=None,
        source="registered_population",
    )
    wide = protected.pivot(index="breakdown_value", columns="area", values="share")
    areas = [params["area_name"], *sorted(c for c in wide.columns if c != params["area_name"])]
    wide = wide[areas].reset_index().rename(columns={"breakdown_value": "group"})
    key = pd.to_numeric(wide["group"], errors="coerce")
    return (
        wide.assign(_k=key.fillna(99))
        .sort_values(["_k", "group"])
        .drop(columns="_k")
        .reset_index(drop=True)
    )


def core20_share(params: RunParameters) -> float:
    """Share (%) of registered people living in the national most deprived 20% (IMD 2019
    deciles 1-2), borough or named PCN, in the period."""
    people = _profiles("o1-core20plus-groups", params)
    inside = people["imd_decile"].isin(CORE20_DECILES)
    return float(people.loc[inside, "numerator"].sum() / people["numerator"].sum() * 100)


def segments(params: RunParameters) -> pd.DataFrame:
    """Bridges to Health segments: share of registered people (%) and share of the period's
    emergency admissions (%), borough or named PCN: ``segment, name, persons, population_share,
    admissions, admissions_share, ratio`` (ratio = admissions share / population share)."""
    records = []
    for number, name in SEGMENT_NAMES.items():
        people = scoped(
            "b2h_segments",
            f"o1-b2h-segments-{number}",
            params,
            period=params["period"],
            breakdown="total",
        )
        spells = scoped(
            "o1_b2h_emergency",
            f"o1-b2h-segments-emergency-{number}",
            params,
            period=params["period"],
            breakdown="total",
        )
        records.append(
            {
                "segment": number,
                "name": name,
                "persons": float(people["numerator"].sum()),
                "population": float(people["denominator"].sum()),
                "admissions": float(spells["numerator"].sum()),
            }
        )
    table = pd.DataFrame(records)
    table["population_share"] = table["persons"] / table["population"] * 100
    table["admissions_share"] = table["admissions"] / table["admissions"].sum() * 100
    table["ratio"] = table["admissions_share"] / table["population_share"]
    table = table.drop(columns="population")
    return suppress(
        table,
        ["persons", "admissions"],
        params["suppression_threshold"],
        value_columns=["population_share", "admissions_share", "ratio"],
        symbol=None,
        source="b2h_segments",
    )


# Core20PLUS5 --------------------------------------------------------------------------------


def plus_groups(params: RunParameters) -> list[PlusGroup]:
    """The PLUS groups of the run (parameter ``plus_groups``); when a notebook is run by hand
    without it, the groups of the period's parameter files."""
    given = params.get("plus_groups")
    if given is None:
        given = load_parameters(params["period"])["plus_groups"]
    return check(given)


def _profiles(measure: str, params: RunParameters, period: str | None = None) -> pd.DataFrame:
    """``plus_profile`` cells (borough or named PCN) with their fields: ``ethnic_category,
    age_band, imd_decile, flags, numerator, denominator``."""
    data = scoped(
        "plus_profile", measure, params, period=period or params["period"], breakdown="profile"
    )
    fields = profile_fields(data["breakdown_value"])
    return pd.concat([fields, data[["numerator", "denominator"]]], axis=1)


def _admission_ratio(cells: pd.DataFrame, inside: pd.Series) -> pd.DataFrame:
    """Emergency admissions of the people ``inside`` and of everyone else, each against the
    number expected at the whole population's rates by five-year age band (indirectly
    standardised ratio, whole population = 100; Byar, exact below 10): rows group, others."""
    bands = cells.groupby("age_band")[["numerator", "denominator"]].sum()
    part = cells.assign(side=np.where(inside, "group", "others"))
    sums = part.groupby(["side", "age_band"], as_index=False)[["numerator", "denominator"]].sum()
    sums = sums.merge(bands, left_on="age_band", right_index=True, suffixes=("", "_all"))
    sums = sums[sums["denominator_all"] > 0]
    return isr(
        sums,
        "numerator",
        "denominator",
        "numerator_all",
        "denominator_all",
        by="side",
        ref_value=100,
    ).set_index("side")


def group_sizes(params: RunParameters) -> pd.DataFrame:
    """Core20 and each PLUS group: ``group, source, persons, denominator, value, lower, upper``
    (% of registered people, Wilson) and emergency admissions as a ratio to the number
    expected at the whole population's age-band rates, for the group (``ratio, ratio_lower,
    ratio_upper``) and for everyone not in it (``others_ratio``), compared (``versus``: the
    group's interval above, below or around everyone else's ratio; "not identifiable" for a
    group the extract cannot find, which has no numbers). Borough or named PCN. People counts
    below the threshold are suppressed with their shares (``suppressed``), admission counts
    with the ratios (``ratio_suppressed``)."""
    people = _profiles("o1-core20plus-groups", params)
    spells = _profiles("o1-core20plus-groups-emergency", params)
    core20 = PlusGroup(
        id="core20",
        name="Core20: national most deprived 20% (IMD 2019 deciles 1-2)",
        source="NHS England's Core20PLUS5 definition",
        definition={"imd_decile": CORE20_DECILES},
    )
    chosen = plus_groups(params)
    found = [g for g in chosen if g.identifiable]
    records = []
    for group in [core20, *chosen]:
        record = {
            "group": group.name,
            "source": group.source_text(),
            "persons": np.nan,
            "denominator": float(people["numerator"].sum()),
            "admissions": np.nan,
        }
        if group.identifiable:
            inside = members(spells, group)
            ratios = _admission_ratio(spells, inside)
            record |= {
                "persons": float(people.loc[members(people, group), "numerator"].sum()),
                "admissions": float(ratios.loc["group", "observed"]),
                "ratio": float(ratios.loc["group", "value"]),
                "ratio_lower": float(ratios.loc["group", "lower"]),
                "ratio_upper": float(ratios.loc["group", "upper"]),
                "others_ratio": float(ratios.loc["others", "value"]),
            }
        records.append(record)
    union = pd.Series(False, index=people.index)
    for group in [core20, *found]:
        union |= members(people, group)
    records.append(
        {
            "group": "Core20 or any PLUS group the extract identifies",
            "source": "the groups above",
            "persons": float(people.loc[union, "numerator"].sum()),
            "denominator": float(people["numerator"].sum()),
            "admissions": np.nan,
        }
    )
    table = pd.DataFrame(records)
    for column in ("ratio", "ratio_lower", "ratio_upper", "others_ratio"):
        if column not in table:
            table[column] = np.nan
    stats = proportion(
        table["persons"], table["denominator"], confidence=params["confidence"], multiplier=100
    )
    table = pd.concat([table, stats], axis=1)
    # Groups overlap and do not add up to a total, so each row is its own group: no
    # secondary suppression is needed. People and admissions are checked separately.
    people_safe = suppress_ratio(
        table,
        params["suppression_threshold"],
        groups=["group"],
        proportion=True,
        numerator="persons",
        value_columns=["value", "lower", "upper"],
        symbol=None,
        source="plus_profile",
    )
    ratio_columns = ["ratio", "ratio_lower", "ratio_upper", "others_ratio"]
    admissions_safe = suppress(
        table[["group", "admissions", *ratio_columns]],
        ["admissions"],
        params["suppression_threshold"],
        groups=["group"],
        value_columns=ratio_columns,
        symbol=None,
        source="plus_profile",
    )
    out = people_safe.drop(columns=ratio_columns)
    out[ratio_columns] = admissions_safe[ratio_columns]
    out["ratio_suppressed"] = admissions_safe["suppressed"]
    out["versus"] = compare(out["ratio_lower"], out["ratio_upper"], out["others_ratio"], None)
    identified = [True, *(g.identifiable for g in chosen), True]
    out.loc[~pd.Series(identified, index=out.index), "versus"] = "not identifiable"
    return out.drop(columns=["admissions", "suppression_reason"])


def group_definitions(params: RunParameters) -> pd.DataFrame:
    """How each PLUS group is found in the extract: ``group, source, definition, note``."""
    return pd.DataFrame(
        [
            {
                "group": g.name,
                "source": g.source_text(),
                "definition": g.definition_text(),
                "note": g.note,
            }
            for g in plus_groups(params)
        ]
    )


SPLITS = {
    "core20": (
        "imd_decile",
        ("1", "2"),
        "Core20 (national deciles 1-2)",
        "Everyone else (deciles 3-10)",
    ),
    "local": (
        "imd_quintile",
        ("1",),
        "Most deprived local fifth",
        "Everyone else (local fifths 2-5)",
    ),
    "minority": (
        "ethnic_group",
        ("Asian", "Black", "Mixed", "Other"),
        "Minority ethnic groups",
        "White (everyone else with a stated ethnic group)",
    ),
}
"""Group splits: breakdown, the group's values, the group's label, the others' label."""

CLINICAL_AREAS = (
    # (clinical area, query, measure, ambition %, ambition text)
    (
        "Maternity: continuity of carer",
        PROGRAMME,
        "o3-maternity-continuity",
        75.0,
        "75% of Black, Asian and minority ethnic women and of the most deprived",
    ),
    (
        "Severe mental illness: annual physical health check",
        PROGRAMME,
        "smi-health-checks",
        60.0,
        "60% of people living with SMI",
    ),
    (
        "Chronic respiratory disease: COPD flu vaccination",
        PROGRAMME,
        "o1-copd-flu-vaccination",
        None,
        "drive up uptake (no number given)",
    ),
    (
        "Early cancer diagnosis: stage 1 or 2",
        PROGRAMME,
        "o1-core20plus5-clinical-cancer-early-stage",
        75.0,
        "75% by 2028",
    ),
    (
        "Hypertension: recorded prevalence (crude, all ages)",
        "ltc_prevalence",
        "o3-hypertension-prevalence",
        None,
        "case-finding (no number given)",
    ),
    (
        "Hypertension: blood pressure controlled to target",
        "hypertension_control",
        "hypertension-controlled",
        None,
        "optimise blood pressure (no number given)",
    ),
)
"""The five clinical areas (hypertension shown twice: finding and control); each is compared
for every split in :data:`SPLITS`."""


def split_values(
    query: str, measure: str, split: str, params: RunParameters, period: str | None = None
) -> pd.DataFrame:
    """A proportion for the group and for everyone else (borough or named PCN): ``group,
    numerator, denominator, value, lower, upper`` (%, Wilson), group first."""
    breakdown, members, name, others = SPLITS[split]
    data = scoped(query, measure, params, period=period or params["period"], breakdown=breakdown)
    data = data[data["breakdown_value"] != "Not stated"]
    inside = data["breakdown_value"].isin(members)
    outside = data["breakdown_value"] == "White" if split == "minority" else ~inside
    table = pd.DataFrame(
        {
            "group": [name, others],
            "numerator": [
                data.loc[inside, "numerator"].sum(),
                data.loc[outside, "numerator"].sum(),
            ],
            "denominator": [
                data.loc[inside, "denominator"].sum(),
                data.loc[outside, "denominator"].sum(),
            ],
        }
    )
    stats = proportion(
        table["numerator"],
        table["denominator"].where(table["denominator"] > 0),
        confidence=params["confidence"],
    )
    return pd.concat([table, stats], axis=1)


def clinical_areas(params: RunParameters) -> pd.DataFrame:
    """The five Core20PLUS5 clinical areas: for each, the group's and everyone else's value
    (%, Wilson, at the run's level), whether the group's interval at
    :data:`bbp_analysis.judgement.SCREENING_LEVEL` (99.8%: every area and group is compared
    at once, :func:`bbp_analysis.judgement.screening`) lies above, below or across everyone
    else's value, and the national ambition with whether the group's value reaches it."""
    records = []
    for (area, query, measure, ambition, wording), split in product(CLINICAL_AREAS, SPLITS):
        table = split_values(query, measure, split, params)
        protected = protect(table, params, kind="proportion", source=query)
        group, others = protected.iloc[0], protected.iloc[1]
        wide = split_values(query, measure, split, judgement.screening(params))
        wide = protect(wide, params, kind="proportion", source=query).iloc[0]
        versus = compare([wide["lower"]], [wide["upper"]], others["value"], None).iloc[0]
        reached = (
            "no number"
            if ambition is None or pd.isna(group["value"])
            else "reached"
            if group["value"] >= ambition
            else "not reached"
        )
        records.append(
            {
                "clinical area": area,
                "group": group["group"],
                "group n": group["denominator"],
                "group %": group["value"],
                "lower": group["lower"],
                "upper": group["upper"],
                "suppressed": bool(group["suppressed"]),
                "everyone else": others["group"],
                "everyone else %": others["value"],
                "group vs everyone else": versus,
                "ambition": wording,
                "ambition reached": reached,
            }
        )
    return pd.DataFrame(records)


# Inequality -----------------------------------------------------------------------------


def by_group(key: str, params: RunParameters, breakdown: str, period: str) -> pd.DataFrame:
    """One indicator's value by group (borough or named PCN) in ``period``: ``group,
    numerator, denominator, value, lower, upper``. GP survey values use the Kish effective
    sample size (see :func:`bbp_analysis.chapters.objective_1.gpps_values`)."""
    item = indicator(key)
    query, measure, kind, multiplier = item.query, item.measure_name, item.kind, item.multiplier
    if key == GPPS_GOOD:
        table = gpps_values(params, "good", breakdown, level=_scope(params)[0], period=period)
        out = table.rename(columns={"effective_n": "denominator"})
        out["numerator"] = out["value"] / 100 * out["denominator"]
        return out[["group", "numerator", "denominator", "value", "lower", "upper"]]
    data = scoped(query, measure, params, period=period, breakdown=breakdown)
    data = data[(data["denominator"] > 0) & (data["breakdown_value"] != "Not stated")]
    data = data.sort_values("breakdown_value", ignore_index=True)
    stats = _interval(
        kind, data["numerator"], data["denominator"], multiplier, params["confidence"]
    )
    out = pd.concat([data[["breakdown_value", "numerator", "denominator"]], stats], axis=1)
    return out.rename(columns={"breakdown_value": "group"})


def inequality_index(key: str, params: RunParameters, period: str) -> dict[str, float]:
    """Slope and relative index of inequality across the five local deprivation fifths in
    ``period``, each fifth weighted by its share of the population: the indicator's
    denominator, or for the GP survey (whose denominator is an effective sample size) the
    registered population (:func:`_fifth_population`): SII = fitted value for the least
    deprived end minus the most deprived end (in the indicator's unit), RII = their ratio,
    with simulated 95% intervals (fixed seed). Not computed (all missing) unless all five
    fifths are there and none is suppressed, so that no index rests on a count too small to
    publish."""
    table = by_group(key, params, "imd_quintile", period)
    kind, multiplier = indicator(key).kind, indicator(key).multiplier
    if not _fifths_publishable(table, kind, int(params["suppression_threshold"])):
        return dict.fromkeys(SII_FIELDS, float("nan"))
    table["quintile"] = table["group"].astype(int)
    table["population"] = (
        _fifth_population(params, period, table["group"])
        if key == GPPS_GOOD
        else table["denominator"]
    )
    frame = table.assign(
        v=table["value"] / multiplier,
        lo=table["lower"] / multiplier,
        hi=table["upper"] / multiplier,
    )
    result = sii(
        frame,
        "quintile",
        "population",
        "v",
        lower="lo",
        upper="hi",
        value_type="proportion" if kind == "proportion" else "rate",
        multiplier=multiplier,
        confidence=params["confidence"],
        repetitions=SII_REPETITIONS,
        seed=SII_SEED,
    )
    return {k: float(v) for k, v in result.iloc[0].items()}


def _fifth_population(params: RunParameters, period: str, fifths: pd.Series) -> np.ndarray:
    """The registered population (all ages, 1 October of ``period``) of each local
    deprivation fifth in ``fifths``, borough or named PCN: the SII's weights, so that each
    fifth counts by its share of the population (not by its survey sample or events)."""
    data = scoped("registered_population", "o1-registered-population", params, period=period)
    data = data[data["breakdown"] == "imd_quintile"].set_index("breakdown_value")
    return data["denominator"].reindex(fifths.astype(str)).to_numpy(dtype=float)


def _fifths_publishable(table: pd.DataFrame, kind: str, threshold: int) -> bool:
    """Whether all five deprivation fifths have a value and none of their counts (numerator,
    denominator or, for a proportion, those without) would be suppressed."""
    if len(table) != 5 or table[["numerator", "denominator"]].isna().any(axis=None):
        return False
    protected = suppress_ratio(table, threshold, proportion=kind == "proportion", symbol=None)
    return not protected["suppressed"].any()


def inequality_trend(key: str, params: RunParameters) -> pd.DataFrame:
    """SII and RII for every period with data up to the reporting period: ``period, sii,
    sii_lower, sii_upper, rii, rii_lower, rii_upper`` (computed once per process for the same
    indicator, area, period and confidence)."""
    return _trend(
        key,
        params["area_code"],
        params["area_name"],
        int(params.get("synthetic_seed", SII_SEED)),
        params["period"],
        params.get("pcn"),
        float(params["confidence"]),
        int(params["suppression_threshold"]),
    ).copy()


@cache
def _trend(
    key: str,
    area_code: str,
    area_name: str,
    seed: int,
    period: str,
    pcn: str | None,
    confidence: float,
    threshold: int,
) -> pd.DataFrame:
    params = {
        "area_code": area_code,
        "area_name": area_name,
        "synthetic_seed": seed,
        "period": period,
        "pcn": pcn,
        "confidence": confidence,
        "suppression_threshold": threshold,
    }
    query, measure = indicator(key).query, indicator(key).measure_name
    periods = sorted(
        p
        for p in rows(query, measure, params, breakdown="total", area_type="borough")[
            "period"
        ].unique()
        if p <= period
    )
    return pd.DataFrame([{"period": p, **inequality_index(key, params, p)} for p in periods])


def gap_change(trend: pd.DataFrame, confidence: float = 0.95) -> dict[str, object]:
    """Is the deprivation gap closing? The SII of the latest period against
    :data:`bbp_analysis.judgement.GAP_BASELINE_PERIOD` by
    :func:`bbp_analysis.judgement.gap_change` ("narrower", "wider" or "no clear change",
    with the z statistic); "not tested" when the baseline year is not in ``trend`` or is
    the latest. ``confidence`` is the level of the trend's intervals."""
    last = trend.iloc[-1]
    base = trend[trend["period"] == judgement.GAP_BASELINE_PERIOD]
    out = {
        "first": judgement.GAP_BASELINE_PERIOD,
        "last": str(last["period"]),
        "sii_last": float(last["sii"]),
        "sii_first": math.nan,
        "z": math.nan,
        "verdict": "not tested",
    }
    if base.empty or str(last["period"]) == judgement.GAP_BASELINE_PERIOD:
        return out
    first = base.iloc[0]
    if pd.isna(first["sii"]) or pd.isna(last["sii"]):
        return {**out, "sii_first": float(first["sii"]), "verdict": NOT_COMPUTED}
    verdict, z = judgement.gap_change(
        *(
            judgement.Estimate(float(r["sii"]), float(r["sii_lower"]), float(r["sii_upper"]))
            for r in (first, last)
        ),
        confidence,
    )
    return {**out, "sii_first": float(first["sii"]), "z": z, "verdict": verdict}


def ethnic_gap(key: str, params: RunParameters) -> pd.DataFrame:
    """Gap between the highest and lowest stated ethnic group for every period to the
    reporting period: ``period, highest, highest_value, lowest, lowest_value, gap``
    (groups with fewer than the threshold in the numerator left out)."""
    query, measure = indicator(key).query, indicator(key).measure_name
    periods = sorted(
        p
        for p in rows(query, measure, params, breakdown="total", area_type="borough")[
            "period"
        ].unique()
        if p <= params["period"]
    )
    records = []
    for period in periods:
        table = by_group(key, params, "ethnic_group", period)
        table = table[
            table["group"].isin(STATED_ETHNIC)
            & (table["numerator"] >= params["suppression_threshold"])
        ]
        top, bottom = table.loc[table["value"].idxmax()], table.loc[table["value"].idxmin()]
        records.append(
            {
                "period": period,
                "highest": top["group"],
                "highest_value": float(top["value"]),
                "lowest": bottom["group"],
                "lowest_value": float(bottom["value"]),
                "gap": float(top["value"] - bottom["value"]),
            }
        )
    return pd.DataFrame(records)
