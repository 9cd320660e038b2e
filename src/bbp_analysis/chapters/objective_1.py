"""Objective 1, population health management and health inequalities: partnership measures 1
(tooth decay at age 5) and 2 (patient-reported access to general practice).

Values come from the extract's aggregates (:func:`bbp_analysis.extract.measures`); NWL,
London and England from :func:`bbp_analysis.published.resolve` (a published file where one
holds the value, cited; otherwise the extract's comparator table, simulated and labelled
synthetic in the synthetic extract). Proportions carry Wilson score intervals; GP Patient Survey
percentages are weighted, so their intervals use the Kish effective sample size
(sum of weights squared / sum of squared weights). Counts pass through
:func:`bbp_analysis.disclosure.suppress` before display.
"""

from __future__ import annotations

import pandas as pd

from .. import extract, judgement, published
from ..catalogue import indicator, indicators
from ..disclosure import suppress
from ..headline import Headline, Reading, trend_fields
from ..indicators import headline_fields, protect, rows
from ..memo import per_inputs
from ..params import RunParameters
from ..reference import PLAN_SHORT
from ..stats import proportion

PAGE = "objective-1-population-health"
PM1 = "pm1-tooth-decay-5"
PM2_GOOD = "pm2-gp-access-good"
PM2_POOR = "pm2-gp-access-poor"
GPPS = {"good": ("gpps_appointment_good", PM2_GOOD), "poor": ("gpps_appointment_poor", PM2_POOR)}
"""GP Patient Survey rating -> (comparator table Indicator ID, catalogue id = SQL measure name)."""
PM1_TARGET_CUT = 5.0
"""The plan: "improve the Harrow position by 5%" (read both as % and percentage points)."""
GPPS_GROUPS = {
    "age_band": "age band",
    "ethnic_group": "ethnic group",
    "imd_quintile": "local deprivation fifth (1 = most deprived)",
}
"""The groups across which the plan asks access to reach the NWL average."""
EXCLUDED = ("Not stated",)


def _indicator_of(measure: str) -> str:
    """The catalogue indicator whose ``published.extract`` names ``measure``."""
    return next(item.id for item in indicators() if item.published.get("extract") == measure)


@per_inputs
def comparators(params: RunParameters, measure: str) -> pd.DataFrame:
    """Benchmark values of one measure (:func:`bbp_analysis.published.resolve`): ``period,
    area, value, origin, citation``; origin "published" (a published file, cited), "plan"
    (the plan's figure placed in a year by the synthetic table) or "simulated" (synthetic);
    periods as ``2025-26``; areas NWL, London, England; every period the extract's comparator
    table or a published file holds up to the period."""
    item = indicator(_indicator_of(measure))
    table = extract.read_table("comparators", params["area_code"])
    periods = sorted(set(table.loc[table["Indicator ID"] == measure, "Time period"]))
    out = []
    for area in item.published.get("benchmarks", {}):
        for period in (published.financial_year(p) for p in periods):
            found = published.resolve(item.id, area, period, params)
            if found.value is None:
                continue
            origin = "published" if found.origin == published.PUBLISHED else "simulated"
            if found.synthetic and found.citation.startswith(published.PLAN_PLACED):
                origin = "plan"
            out.append((period, area, found.value, origin, found.label))
    frame = pd.DataFrame(out, columns=["period", "area", "value", "origin", "citation"])
    return frame.sort_values(["area", "period"], ignore_index=True)


def comparator_at(params: RunParameters, measure: str, period: str) -> dict[str, float]:
    """Benchmark values (area -> value) of one measure in one period."""
    table = comparators(params, measure)
    table = table[table["period"] == period]
    return {str(a): float(v) for a, v in zip(table["area"], table["value"], strict=True)}


def comparator_sources_at(params: RunParameters, measure: str, period: str) -> dict[str, str]:
    """Where each benchmark value of :func:`comparator_at` comes from (area -> "synthetic" or
    the published file's citation)."""
    table = comparators(params, measure)
    table = table[table["period"] == period]
    return {str(a): str(c) for a, c in zip(table["area"], table["citation"], strict=True)}


# Partnership measure 1: tooth decay at age 5 --------------------------------------------


def decay_series(params: RunParameters) -> pd.DataFrame:
    """Five-year-olds with experience of dental decay (%, Wilson), borough (or the named PCN),
    every survey year up to the period: ``period, area, numerator, denominator, value, lower,
    upper, suppressed``. The survey is biennial, so some periods have no new value."""
    data = rows("oral_health", "pm1-tooth-decay-5", params, breakdown="total")
    scope = "pcn" if params.get("pcn") else "borough"
    data = data[(data["area_type"] == scope) & (data["period"] <= params["period"])]
    if params.get("pcn"):
        data = data[data["area_code"] == params["pcn"]]
    data = data[data["denominator"] > 0].sort_values("period", ignore_index=True)
    stats = proportion(data["numerator"], data["denominator"], confidence=params["confidence"])
    table = pd.concat([data[["period", "numerator", "denominator"]], stats], axis=1)
    table.insert(1, "area", params.get("pcn") or params["area_name"])
    return protect(table, params, kind="proportion", source="oral_health")


def decay_targets() -> dict[str, float]:
    """Both readings of "improve the Harrow position by 5%" from the plan's baseline (%):
    ``relative`` (baseline x 0.95) and ``points`` (baseline - 5 percentage points)."""
    base = float(indicator(PM1).baseline["value"])
    return {
        "relative": round(base * (1 - PM1_TARGET_CUT / 100), 2),
        "points": round(base - PM1_TARGET_CUT, 2),
    }


def decay_status(lower: float, upper: float) -> tuple[str, str, tuple[Reading, ...]]:
    """Measure 1 status, both readings judged by
    :func:`bbp_analysis.judgement.against_target` (low is good): "met" when the whole
    interval is at or below the relative reading (the gentler one), "not met" when it is
    wholly above, "uncertain" otherwise."""
    targets = decay_targets()
    parts, readings = [], []
    for name, wording in (
        ("relative", "5% lower than the baseline"),
        ("points", "5 percentage points lower"),
    ):
        level = targets[name]
        verdict = judgement.against_target(lower, upper, level, "low_is_good")
        parts.append(f"{wording} ({level:.1f}%): {verdict}")
        readings.append(
            Reading(
                f"{wording.capitalize()} ({level:.1f}%)",
                verdict,
                f"Interval {lower:.1f}% to {upper:.1f}% against {level:.1f}%: {verdict} "
                f"({_TARGET_WORDS[verdict]}).",
            )
        )
    status = judgement.against_target(lower, upper, targets["relative"], "low_is_good")
    return status, "Target read two ways: " + "; ".join(parts) + ".", tuple(readings)


_TARGET_WORDS = {
    "met": "the whole interval on the target's side",
    "not met": "the whole interval on the wrong side",
    judgement.UNCERTAIN: "the interval includes the target",
}


def borough_value(params: RunParameters, row: pd.Series) -> published.Resolved:
    """Measure 1 for the borough in ``row``'s period: the published value when a file holds
    it with its 95% interval (:func:`bbp_analysis.published.resolve`), else ``row`` (the
    extract's survey, Wilson interval; also when the run's confidence level is not 95%)."""
    computed = published.Resolved(
        float(row["value"]),
        published.COMPUTED,
        f"{extract.origin()} (oral health survey), {row['period']}",
        synthetic=extract.is_synthetic(),
        lower=float(row["lower"]),
        upper=float(row["upper"]),
    )
    found = published.resolve(PM1, "area", str(row["period"]), params, computed)
    if found.lower is None or found.upper is None or params["confidence"] != 0.95:
        return computed  # a status needs the interval at the run's level
    return found


def headline_pm1(params: RunParameters) -> Headline:
    """Partnership measure 1 for the scorecard: the latest survey up to the period."""
    spec = indicator(PM1)
    table = decay_series(params.replace(pcn=None))
    row = table.iloc[-1]
    own = borough_value(params, row)
    status, text, readings = decay_status(own.lower, own.upper)
    return Headline(
        measure=1,
        period=str(row["period"]),
        unit="%",
        **{**headline_fields(PM1, row), "value": own.value, "lower": own.lower, "upper": own.upper},
        baseline=float(spec.baseline["value"]),
        baseline_period=f"plan baseline ({spec.baseline['period']})",
        target=decay_targets()["relative"],
        target_text=(
            f"{spec.target['text']} Read as a relative fall (to "
            f"{decay_targets()['relative']:.1f}%); the percentage-point reading "
            f"({decay_targets()['points']:.1f}%) is shown beside it."
        ),
        status=status,
        status_text=text,
        readings=readings,
        anchor=f"{PAGE}#pm1-tooth-decay-5-trend",
        synthetic=extract.is_synthetic(),  # the trend beside the value is the extract's
        source=(
            own.citation
            + ("" if own.origin == published.COMPUTED else f"; trend: {extract.origin()}")
            + f"; baseline and target from the {PLAN_SHORT}, section 4"
        ),
        comparators=comparator_at(params, "oral_health_decay_age5", str(row["period"])),
        comparator_sources=comparator_sources_at(
            params, "oral_health_decay_age5", str(row["period"])
        ),
        **trend_fields(table),
    )


# Partnership measure 2: access to general practice -------------------------------------


@per_inputs
def gpps_values(
    params: RunParameters,
    rating: str,
    breakdown: str = "total",
    level: str = "borough",
    period: str | None = None,
) -> pd.DataFrame:
    """Weighted % of GP Patient Survey respondents rating their experience of making an
    appointment ``rating`` ("good" or "poor"), with Wilson intervals on the Kish effective
    sample size, for every period to ``period`` (or just ``period`` when given).

    ``level`` "borough" or "pcn" (the named PCN only when params set one); ``breakdown`` a
    standard breakdown. Columns: ``period, area, group, respondents, effective_n, value,
    lower, upper, suppressed`` (suppressed: fewer respondents than the threshold).
    """
    measure = GPPS[rating][1]
    where = {"breakdown": breakdown, "area_type": level}
    if period:
        where["period"] = period
    data = rows("gpps_access", measure, params, **where)
    design = rows("o1_gpps_design", "pm2-gp-access-good-weight-squared", params, **where)
    counts = rows("o1_gpps_design", "pm2-gp-access-good-respondents", params, **where)
    keys = ["period", "area_code", "breakdown_value"]
    data = data.merge(design[[*keys, "numerator"]].rename(columns={"numerator": "w2"}), on=keys)
    data = data.merge(
        counts[[*keys, "numerator"]].rename(columns={"numerator": "respondents"}), on=keys
    )
    data = data[
        (data["period"] <= params["period"])
        & (data["denominator"] > 0)
        & ~data["breakdown_value"].isin(EXCLUDED)
    ]
    if level == "pcn" and params.get("pcn"):
        data = data[data["area_code"] == params["pcn"]]
    data = data.sort_values(["area_code", "breakdown_value", "period"], ignore_index=True)
    effective = data["denominator"] ** 2 / data["w2"]
    share = data["numerator"] / data["denominator"]
    stats = proportion(share * effective, effective, confidence=params["confidence"])
    area = data["area_code"].where(data["area_type"] != "borough", params["area_name"])
    table = pd.concat(
        [
            pd.DataFrame(
                {
                    "period": data["period"],
                    "area": area,
                    "group": data["breakdown_value"],
                    "respondents": data["respondents"],
                    "effective_n": effective.round(1),
                }
            ),
            stats,
        ],
        axis=1,
    )
    return suppress(
        table,
        ["respondents"],
        params["suppression_threshold"],
        value_columns=["value", "lower", "upper", "effective_n"],
        symbol=None,
        source="gpps_access",
    )


def gpps_target(rating: str) -> float:
    """The plan's target for one rating: the NWL average when it was written (%)."""
    return float(indicator(GPPS[rating][1]).target["value"])


POLARITY = {"good": "high_is_good", "poor": "low_is_good"}
GROUP_KINDS = {
    "age band": "age group",
    "ethnic group": "ethnic group",
    "local deprivation fifth (1 = most deprived)": "deprivation fifth",
}
"""What a group of each breakdown is called when the groups are named."""


def short_of_target(
    params: RunParameters, rating: str, target: float | None = None
) -> pd.DataFrame:
    """Groups (age band, ethnic group, local deprivation fifth) that miss ``target`` (default:
    the plan's NWL figure, :func:`gpps_target`) in the period: those whose 99.8% interval
    (:func:`bbp_analysis.judgement.screening`, many groups compared) lies wholly on the wrong
    side (below it for "good", above it for "poor"). The all-age target is applied to every
    group: no group-specific NWL figure is held. Columns: ``breakdown, group, value, lower,
    upper, target`` (the 99.8% interval)."""
    target = gpps_target(rating) if target is None else target
    frames = []
    for breakdown, name in GPPS_GROUPS.items():
        table = gpps_values(judgement.screening(params), rating, breakdown, period=params["period"])
        table = table[~table["suppressed"]]
        verdicts = [
            judgement.against_target(lo, hi, target, POLARITY[rating])
            for lo, hi in zip(table["lower"], table["upper"], strict=True)
        ]
        frames.append(table[[v == "not met" for v in verdicts]].assign(breakdown=name))
    out = pd.concat(frames, ignore_index=True)
    out["target"] = target
    return out[["breakdown", "group", "value", "lower", "upper", "target"]]


def _named_groups(params: RunParameters, rating: str, short: pd.DataFrame) -> str:
    """The groups in ``short`` named as briefly as :func:`bbp_analysis.judgement.name_groups`
    allows, one clause per breakdown."""
    parts = []
    for breakdown, part in short.groupby("breakdown", sort=False):
        kind = GROUP_KINDS[breakdown]
        source = next(key for key, label in GPPS_GROUPS.items() if label == breakdown)
        every = gpps_values(params, rating, source, period=params["period"])
        every = list(every.loc[~every["suppressed"], "group"])
        names = judgement.name_groups(kind, list(part["group"]), every)
        plural = "s" if len(part) > 1 else ""
        parts.append(names if names.startswith("every") else f"{kind}{plural} {names}")
    return "; ".join(parts) or "none"


def nwl_same_year(params: RunParameters, rating: str) -> tuple[float, str] | None:
    """The NWL average of the rating in the period (%, :func:`comparators`), with where it
    comes from ("synthetic" or the published file's citation); None when none is held."""
    table = comparators(params, GPPS[rating][0])
    table = table[(table["area"] == "NWL") & (table["period"] == params["period"])]
    if table.empty:
        return None
    return float(table["value"].iloc[0]), str(table["citation"].iloc[0])


def comparator_caption(bench: pd.DataFrame) -> str:
    """One sentence saying where the benchmark values of ``bench`` (:func:`comparators`) come
    from: the published files cited, and which are simulated."""
    cited = sorted(set(bench.loc[bench["origin"] == "published", "citation"]))
    simulated = not bench[bench["origin"] != "published"].empty
    parts = [f"published values from {'; '.join(cited)}"] if cited else []
    if simulated:
        parts.append(
            "simulated values (synthetic comparators, not published figures; the plan's own "
            "figures are placed in a year by the synthetic table)"
        )
    return ("Benchmarks: " + ", and ".join(parts) + ".") if parts else "No benchmark is held."


def pm2_reading(
    params: RunParameters, rating: str, lower: float, upper: float, target: float
) -> tuple[str, str]:
    """One reading of measure 2's target: the borough's interval against ``target``
    (:func:`bbp_analysis.judgement.against_target`), and the groups named as missing it
    (:func:`short_of_target`, 99.8%). "not met" when the borough's interval is wholly on the
    wrong side or any group is named; "met" when the borough's interval is wholly on the
    right side and no group is named; "uncertain" otherwise. Returns the verdict and one
    sentence."""
    borough = judgement.against_target(lower, upper, target, POLARITY[rating])
    short = short_of_target(params, rating, target)
    side = "below" if rating == "good" else "above"
    verdict = "not met" if borough == "not met" or not short.empty else borough
    text = (
        f"{params.get('pcn') or params['area_name']}'s interval {lower:.1f}% to {upper:.1f}% "
        f"'{rating}' against {target:.1f}%: "
        f"borough {borough}; groups clearly {side} it (99.8% interval; no NWL figure is held "
        f"for each group, so the all-age target is applied to every group): "
        f"{_named_groups(params, rating, short)}."
    )
    return verdict, text


def pm2_readings(
    params: RunParameters, rating: str, lower: float, upper: float
) -> tuple[str, str, tuple[Reading, ...]]:
    """Measure 2's target, "to improve 'good' and 'poor' ratings to the NWL average across
    age, ethnic and socio-economic groups", read two ways: against the plan's NWL figures
    (71% good, 12% poor) and against the NWL average of the same year (the comparator table;
    simulated in the synthetic extract). The status follows the plan's figures, the target
    the board agreed; the same-year reading is judged beside it by the same rule. Returns
    the status, one sentence and both readings."""
    plan = gpps_target(rating)
    status, text = pm2_reading(params, rating, lower, upper, plan)
    readings = [Reading(f"Against the plan's NWL figure ({plan:g}%)", status, text)]
    same = nwl_same_year(params, rating)
    name = "Against the NWL average of the same year"
    if same is None:
        readings.append(
            Reading(name, "indicative", f"No NWL value for {params['period']} in the table.")
        )
    else:
        nwl, source = same
        verdict, words = pm2_reading(params, rating, lower, upper, nwl)
        readings.append(
            Reading(name, verdict, f"NWL {params['period']}: {nwl:.1f}% ({source}). {words}")
        )
    summary = (
        f"Status against the plan's NWL figure of {plan:g}%: {text} "
        f"Against the NWL average of the same year: {readings[1].verdict}."
    )
    return status, summary, tuple(readings)


def headline_pm2(params: RunParameters) -> list[Headline]:
    """Partnership measure 2 (good and poor ratings) for the scorecard."""
    params = params.replace(pcn=None)
    out = []
    for rating in ("good", "poor"):
        measure, spec_id = GPPS[rating]
        spec = indicator(spec_id)
        table = gpps_values(params, rating)
        row = table[table["period"] == params["period"]].iloc[0]
        status, text, readings = pm2_readings(
            params, rating, float(row["lower"]), float(row["upper"])
        )
        out.append(
            Headline(
                measure=2,
                period=params["period"],
                unit="%",
                **headline_fields(spec_id, row),
                baseline=float(spec.baseline["value"]),
                baseline_period=(
                    f"plan baseline (survey year not stated; {spec.baseline['period']})"
                ),
                target=gpps_target(rating),
                target_text=(
                    f"{' '.join(spec.target['text'].split())} Read two ways: the plan's NWL "
                    f"figure ({gpps_target(rating):g}%), which sets the status, and the NWL "
                    "average of the same year, shown beside it."
                ),
                status=status,
                status_text=text,
                readings=readings,
                # the group table that sets the status, on the measure's own page
                anchor=f"indicators/{spec_id}#pm2-gp-access-{rating}-groups",
                synthetic=extract.is_synthetic(),
                source=(
                    f"{extract.origin()} (GP Patient Survey responses), {params['period']}; "
                    f"baseline, comparators and target from the {PLAN_SHORT}, section 4"
                ),
                comparators=comparator_at(params, measure, params["period"]),
                comparator_sources=comparator_sources_at(params, measure, params["period"]),
                **trend_fields(table),
            )
        )
    return out


@per_inputs
def headline_measures(params: RunParameters) -> list[Headline]:
    """Partnership measures 1 and 2 (borough) for the front-page scorecard and board paper."""
    return [headline_pm1(params), *headline_pm2(params)]
