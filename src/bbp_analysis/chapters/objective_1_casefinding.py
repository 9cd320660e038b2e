"""Objective 1, two Core20PLUS5 clinical areas as the plan words them: hypertension
case-finding (expected against recorded prevalence) and COPD (flu vaccination and emergency
admissions), plus why the chapter has no Core20 view of obesity or tooth decay.

Hypertension: expected = sum over sex and age band (16-34, 35-44, 45-54, 55-64, 65-74, 75+) of
the registered people aged 16+ on 1 October times the Health Survey for England 2022 share of
adults with hypertension (measured or treated) in that band
(``data/reference/public/hse2022-hypertension/``). The recorded/expected ratio is an
indirectly standardised ratio (:func:`bbp_analysis.stats.isr`: Byar's interval, exact below
10); the undiagnosed estimate is expected minus recorded, rounded to the nearest 10, and
carries the survey's uncertainty, which is not quantified here.
COPD: flu vaccination of people on the COPD register (Wilson) and emergency admissions with a
primary diagnosis of COPD per 1,000 people on the register (Byar).
"""

from __future__ import annotations

from functools import cache

import pandas as pd
from IPython.display import HTML, Markdown

from .. import extract
from ..disclosure import round_to, suppress
from ..figures import ci_dot_chart
from ..params import RunParameters
from ..paths import reference_dir
from ..publish import show_figure, show_table
from ..stats import compare, isr, proportion, rate
from .scope import level as _level
from .scope import seed as _seed
from .scope import synthetic_label as _label
from .scope import where as _where

HSE_FILE = ("public", "hse2022-hypertension", "hse_estimate.csv")
HSE_SEXES = {"Men": "M", "Women": "F"}
HSE_GROUP = "All with hypertension"
HSE_SOURCE = "Health Survey for England 2022, part 2 (NHS England), hypertension by age and sex"
UNDIAGNOSED_ROUNDING = 10
FIFTHS = {
    "1": "Most deprived fifth",
    "2": "Fifth 2",
    "3": "Fifth 3",
    "4": "Fifth 4",
    "5": "Least deprived fifth",
}


def reference_prevalence() -> pd.DataFrame:
    """HSE 2022 share of adults with hypertension (%, measured or treated) by ``sex`` (M, F)
    and ``age_band`` (16-34 .. 75+): columns ``sex, age_band, prevalence``."""
    table = pd.read_csv(reference_dir().joinpath(*HSE_FILE), dtype=str)
    table = table[(table["Group"] == HSE_GROUP) & table["Sex"].isin(HSE_SEXES)]
    long = table.melt(id_vars=["Sex", "Group"], var_name="age_band", value_name="prevalence")
    return pd.DataFrame(
        {
            "sex": long["Sex"].map(HSE_SEXES),
            "age_band": long["age_band"],
            "prevalence": long["prevalence"].astype(float),
        }
    ).reset_index(drop=True)


@cache
def _rows(query: str, measure: str, area_code: str, seed: int) -> pd.DataFrame:
    return extract.measures(query, area_code=area_code, seed=seed, measure=measure)


def _areas(data: pd.DataFrame, params: RunParameters) -> pd.DataFrame:
    """Borough rows and PCN rows (only the named PCN's when params set one), with ``area``."""
    keep = (data["area_type"] == "borough") | (data["area_type"] == "pcn")
    if params.get("pcn"):
        keep = (data["area_type"] == "borough") | (data["area_code"] == params["pcn"])
    data = data[keep].copy()
    data["area"] = data["area_code"].where(data["area_type"] == "pcn", params["area_name"])
    return data


def hypertension_cells(params: RunParameters) -> pd.DataFrame:
    """Registered people aged 16+ and those on the hypertension register, by area, sex and HSE
    age band, with the HSE prevalence: ``area, area_type, sex, age_band, recorded,
    population, prevalence``."""
    data = _rows(
        "hypertension_hse_bands",
        "o1-hypertension-case-finding",
        params["area_code"],
        _seed(params),
    )
    data = data[(data["period"] == params["period"]) & (data["breakdown"] == "sex_age_band")]
    data = _areas(data, params)
    parts = data["breakdown_value"].str.split(":", n=1, expand=True)
    cells = pd.DataFrame(
        {
            "area": data["area"],
            "area_type": data["area_type"],
            "sex": parts[0],
            "age_band": parts[1],
            "recorded": data["numerator"],
            "population": data["denominator"],
        }
    )
    return cells.merge(reference_prevalence(), on=["sex", "age_band"], how="left")


def hypertension_gap(params: RunParameters) -> pd.DataFrame:
    """Recorded against expected hypertension for the borough and each PCN: ``area,
    area_type, population, recorded, expected, ratio, lower, upper, undiagnosed``
    (undiagnosed = expected - recorded, rounded to the nearest 10, never below 0)."""
    cells = hypertension_cells(params).assign(hundred=100.0)
    ratios = isr(
        cells,
        "recorded",
        "population",
        "prevalence",
        "hundred",
        by=["area_type", "area"],
        confidence=params["confidence"],
    )
    sizes = cells.groupby(["area_type", "area"], as_index=False)["population"].sum()
    out = sizes.merge(ratios, on=["area_type", "area"])
    out = out.rename(columns={"observed": "recorded", "value": "ratio"})
    gap = (out["expected"] - out["recorded"]).clip(lower=0)
    out["undiagnosed"] = round_to(gap, UNDIAGNOSED_ROUNDING)
    out = out.sort_values(["area_type", "area"], ascending=[True, True], ignore_index=True)
    return out[
        [
            "area",
            "area_type",
            "population",
            "recorded",
            "expected",
            "ratio",
            "lower",
            "upper",
            "undiagnosed",
        ]
    ]


def hypertension_heading(params: RunParameters) -> str:
    """The finding for the borough (or the named PCN), claimed only when the ratio's interval
    lies wholly below 1."""
    table = hypertension_gap(params)
    row = table[table["area"] == _where(params)].iloc[0]
    if row["upper"] < 1:
        base = 1000 if row["undiagnosed"] >= 10_000 else 100
        return (
            f"About {round_to(float(row['undiagnosed']), base):,.0f} adults in "
            f"{_where(params)} may have high blood pressure that is not on a GP register"
        )
    return f"Recorded high blood pressure in {_where(params)} is in line with the survey's rate"


def hypertension_table(params: RunParameters) -> HTML:
    """The expected-versus-recorded gap for the borough and each PCN."""
    table = hypertension_gap(params)
    shown = pd.DataFrame(
        {
            "Area": table["area"],
            "Registered people aged 16+": table["population"],
            "On the hypertension register": table["recorded"],
            "Expected with hypertension (HSE 2022 rates)": table["expected"].round(0),
            f"Recorded as a share of expected ({_level(params)} interval)": [
                f"{v:.2f} ({lo:.2f} to {up:.2f})"
                for v, lo, up in zip(table["ratio"], table["lower"], table["upper"], strict=True)
            ],
            "Estimated not on a register (nearest 10)": table["undiagnosed"],
        }
    )
    counts = ["Registered people aged 16+", "On the hypertension register"]
    shown = suppress(shown, counts, params["suppression_threshold"]).drop(
        columns=["suppressed", "suppression_reason"]
    )
    caption = (
        f"Hypertension case-finding, {params['period']}: people aged 16 and over on the GP "
        "hypertension register against the number expected if each sex and age band had the "
        f"prevalence of the {HSE_SOURCE} (measured or treated high blood pressure, adults in "
        "England). A ratio below 1 means fewer recorded than expected. The survey's own "
        f"uncertainty is not in the interval. {_label(params)}"
    )
    return show_table(
        shown,
        caption,
        "o1-hypertension-case-finding-table",
        decimals={
            c: 0
            for c in [
                *counts,
                "Expected with hypertension (HSE 2022 rates)",
                "Estimated not on a register (nearest 10)",
            ]
        },
        method="Indirect standardisation on HSE 2022 age-sex prevalence; Byar's interval",
    )


def hypertension_figure(params: RunParameters) -> HTML:
    """People on the register per 100 expected for each PCN against the borough's value,
    with intervals."""
    table = hypertension_gap(params)
    borough = table[table["area_type"] == "borough"].iloc[0]
    pcns = table[table["area_type"] == "pcn"].reset_index(drop=True)
    pcns["comparison"] = compare(pcns["lower"], pcns["upper"], borough["ratio"], "high_is_good")
    per_100 = pcns.assign(**{c: pcns[c] * 100 for c in ("ratio", "lower", "upper")})
    fig = ci_dot_chart(
        per_100,
        label="area",
        value="ratio",
        benchmark=float(borough["ratio"]) * 100,
        benchmark_label=params["area_name"],
        title=f"People on the hypertension register per 100 expected, {params['period']}",
        xlabel="Recorded per 100 expected (HSE 2022 rates by sex and age)",
    )
    alt = (
        "Dot chart of people on the hypertension register per 100 expected for each PCN, "
        f"with {_level(params)} intervals, against {params['area_name']}'s "
        f"{borough['ratio'] * 100:.1f}: "
        + "; ".join(
            f"{a} {v * 100:.1f} ({c})"
            for a, v, c in zip(pcns["area"], pcns["ratio"], pcns["comparison"], strict=True)
        )
        + "."
    )
    data = per_100[
        ["area", "population", "recorded", "expected", "ratio", "lower", "upper", "comparison"]
    ].rename(columns={"ratio": "per_100_expected"})
    data = suppress(
        data,
        ["population", "recorded"],
        params["suppression_threshold"],
        value_columns=["expected", "per_100_expected", "lower", "upper"],
    ).drop(columns=["suppressed", "suppression_reason"])
    caption = (
        f"People on the hypertension register per 100 expected from {HSE_SOURCE}, by PCN, "
        f"{params['period']}; the dashed line is {params['area_name']}; shapes show PCNs "
        f"finding more (better) or fewer (worse) than the borough. {_label(params)}"
    )
    return show_figure(
        fig,
        figure_id="o1-hypertension-case-finding-pcn",
        caption=caption,
        alt=alt,
        data=data,
        decimals={
            "population": 0,
            "recorded": 0,
            "expected": 0,
            "per_100_expected": 1,
            "lower": 1,
            "upper": 1,
        },
        method="Indirect standardisation on HSE 2022 age-sex prevalence; Byar's interval",
    )


# COPD ------------------------------------------------------------------------------------


def _by_group(query: str, measure: str, params: RunParameters) -> pd.DataFrame:
    """One measure's period totals for the borough (or named PCN), each PCN, and each local
    deprivation fifth: ``group, numerator, denominator``."""
    data = _rows(query, measure, params["area_code"], _seed(params))
    data = data[data["period"] == params["period"]]
    level, code = ("pcn", params["pcn"]) if params.get("pcn") else ("borough", None)
    total = data[(data["area_type"] == level) & (data["breakdown"] == "total")]
    fifths = data[(data["area_type"] == level) & (data["breakdown"] == "imd_quintile")]
    if code:
        total = total[total["area_code"] == code]
        fifths = fifths[fifths["area_code"] == code]
    pcns = data[(data["area_type"] == "pcn") & (data["breakdown"] == "total")]
    if code:
        pcns = pcns.iloc[0:0]
    frames = [
        pd.DataFrame(
            {
                "group": [_where(params)],
                "numerator": total["numerator"].to_numpy(),
                "denominator": total["denominator"].to_numpy(),
            }
        ),
        pd.DataFrame(
            {
                "group": pcns["area_code"],
                "numerator": pcns["numerator"],
                "denominator": pcns["denominator"],
            }
        ).sort_values("group"),
        pd.DataFrame(
            {
                "group": fifths["breakdown_value"].map(FIFTHS),
                "numerator": fifths["numerator"],
                "denominator": fifths["denominator"],
            }
        ).sort_values("group"),
    ]
    out = pd.concat(frames, ignore_index=True)
    order = {name: i for i, name in enumerate(FIFTHS.values())}
    out["_order"] = [order.get(g, -1) for g in out["group"]]
    first = out.iloc[:1]
    rest = out.iloc[1:].sort_values(["_order", "group"], kind="stable")
    return pd.concat([first, rest], ignore_index=True).drop(columns="_order")


def copd_values(params: RunParameters) -> pd.DataFrame:
    """People on the COPD register: flu vaccination (%, Wilson) and emergency COPD admissions
    per 1,000 on the register (Byar), for the area, each PCN and each local fifth."""
    flu = _by_group("programmes", "o1-copd-flu-vaccination", params)
    adm = _by_group("copd_emergency", "o1-copd-emergency-admissions", params)
    flu_stats = proportion(flu["numerator"], flu["denominator"], confidence=params["confidence"])
    adm_stats = rate(
        adm["numerator"], adm["denominator"], confidence=params["confidence"], multiplier=1000
    )
    out = pd.DataFrame(
        {
            "group": flu["group"],
            "eligible": flu["denominator"],
            "vaccinated": flu["numerator"],
            "flu": flu_stats["value"],
            "flu_lower": flu_stats["lower"],
            "flu_upper": flu_stats["upper"],
        }
    )
    adm_out = pd.DataFrame(
        {
            "group": adm["group"],
            "register": adm["denominator"],
            "admissions": adm["numerator"],
            "rate": adm_stats["value"],
            "rate_lower": adm_stats["lower"],
            "rate_upper": adm_stats["upper"],
        }
    )
    return (
        out.merge(adm_out, on="group", how="outer", sort=False)
        .set_index("group")
        .loc[flu["group"]]
        .reset_index()
    )


def copd_heading(params: RunParameters) -> str:
    """The flu vaccination finding in words (rounded to tenths of people)."""
    row = copd_values(params).iloc[0]
    tenths = round(row["flu"] / 10)
    return (
        f"About {tenths} in 10 people with COPD in {_where(params)} had a flu vaccination in "
        f"{params['period']}"
    )


def copd_table(params: RunParameters) -> HTML:
    """COPD flu vaccination and emergency admissions by PCN and deprivation fifth."""
    table = copd_values(params)
    counts = ["vaccinated", "eligible", "admissions", "register"]
    # PCN rows and fifth rows each add up to the area's row: one disclosure group each.
    kind = ["fifth" if g in FIFTHS.values() else "pcn" for g in table["group"]]
    kind[0] = "area"
    safe = suppress(
        table.assign(kind=kind),
        counts,
        params["suppression_threshold"],
        groups=["kind"],
        value_columns=["flu", "flu_lower", "flu_upper", "rate", "rate_lower", "rate_upper"],
        symbol=None,
    )

    def interval(v: float, lo: float, up: float, decimals: int) -> str:
        return "[c]" if pd.isna(v) else f"{v:.{decimals}f} ({lo:.{decimals}f} to {up:.{decimals}f})"

    shown = pd.DataFrame(
        {
            "Area or group": safe["group"],
            "People on the COPD register": safe["register"],
            f"Flu vaccination (%, {_level(params)} interval)": [
                interval(*v, 1)
                for v in zip(safe["flu"], safe["flu_lower"], safe["flu_upper"], strict=True)
            ],
            "Emergency COPD admissions": safe["admissions"],
            f"Admissions per 1,000 on the register ({_level(params)} interval)": [
                interval(*v, 0)
                for v in zip(safe["rate"], safe["rate_lower"], safe["rate_upper"], strict=True)
            ],
        }
    ).astype(object)
    shown = shown.where(shown.notna(), "[c]")
    caption = (
        f"People with COPD in {params['period']}: flu vaccination among those on the COPD "
        "register (Wilson interval) and emergency admissions with a primary diagnosis of COPD "
        "(ICD-10 J44) per 1,000 people on the register (Byar interval), for each PCN and each "
        "local deprivation fifth. COVID-19 and pneumococcal vaccination are not in the "
        f"extract. [c]: suppressed (fewer than {params['suppression_threshold']}). "
        f"{_label(params)}"
    )
    return show_table(
        shown,
        caption,
        "o1-copd-emergency-admissions-vaccination",
        decimals={"People on the COPD register": 0, "Emergency COPD admissions": 0},
    )


def core20_obesity_decay(params: RunParameters) -> Markdown:
    """Why the chapter has no Core20 view of obesity or tooth decay, in one sentence."""
    data = _rows("oral_health", "pm1-tooth-decay-5", params["area_code"], _seed(params))
    data = data[(data["area_type"] == "borough") & (data["period"] <= params["period"])]
    latest = data["period"].max()
    data = data[data["period"] == latest]
    examined = float(data[data["breakdown"] == "total"]["denominator"].sum())
    deciles = data[data["breakdown"] == "imd_decile"]
    core20 = float(deciles[deciles["breakdown_value"].isin(["1", "2"])]["denominator"].sum())
    few = params["suppression_threshold"]
    core20_text = f"fewer than {few}" if core20 < few else f"{core20:,.0f}"
    return Markdown(
        'The plan asks to "use Core20 to look at key public health outcomes e.g., obesity, '
        'dental health": the extract holds no height or weight measurements, so there is no '
        f"obesity view, and of the {examined:,.0f} five-year-olds examined in the {latest} "
        f"survey {core20_text} live in the national most deprived 20% of neighbourhoods, too "
        "few for a Core20 value of tooth decay."
    )
