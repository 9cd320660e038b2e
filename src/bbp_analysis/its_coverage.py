"""How often objective 3's estimators recover a known effect: each is run on PCN x month
panels from the aggregate simulator (:mod:`bbp_analysis.synth.panel`), calibrated on the
synthetic extract, under each perturbation scenario and over :data:`SEEDS` seeds; the result
is each interval's coverage of the true effect and the estimate's bias.

The truth differs by estimator: the interrupted time series' level change is the effect in the
first month after the start (the built-in rate ratio); the not-yet-started comparison's is
the expected-count-weighted rate ratio over the cells it uses (sum of expected counts with the
programme / without it), which differs from the built-in ratio when the effect fades; a lead
window's is 1 (no programme acts before its start).

The per-seed results are stored in :data:`RESULTS` by ``benchmarks/its_coverage.py --write``
(minutes of computing, so the build reads the file); a test re-runs some seeds against it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .chapters import objective_3_its as chapter
from .params import RunParameters
from .stats import its
from .stats import staggered as stats_staggered
from .synth import panel as simulator

SEEDS = 100
"""Seeds per scenario (seeds 1 to SEEDS; the simulator is deterministic in its seed)."""
DRAWS = 199
"""Bootstrap draws per simulated fit (the chapter uses :data:`~.stats.staggered.DRAWS`)."""
OUTCOMES = ("acsc_admissions_diabetes", "emergency_admissions_frail", "falls_admissions_65plus")
CALIBRATION_END = pd.Timestamp("2022-03-01")
"""Rates and person-months are calibrated on the first year analysed (2021-22)."""
RESULTS = Path(__file__).resolve().parent / "chapters" / "its_coverage.csv"
RESULT_COLUMNS = ["outcome", "scenario", "estimator", "seed", "estimate", "lower", "upper", "truth"]
ITS_LEVEL = "Time series, level change"
ITS_OCTOBER = "Time series, 1 October denominators"
NOT_YET = "Not-yet-started comparison"


def calibrate(outcome: str, params: RunParameters) -> simulator.Calibration:
    """Each programme PCN's person-months in the first month and its 2021-22 yearly rate per
    person (events / person-years at risk), from the extract."""
    starts, _ = simulator.starts(outcome)
    frame = chapter.pcn_panel(outcome, params, list(starts))
    first = frame[frame["date"] <= CALIBRATION_END]
    days = pd.DatetimeIndex(first["date"]).days_in_month.to_numpy()
    years = first.assign(person_years=first["person_months"] * days / 365.25)
    totals = years.groupby("pcn")[["count", "person_years"]].sum()
    opening = first[first["date"] == first["date"].min()].set_index("pcn")["person_months"]
    return simulator.Calibration(
        person_months=opening.to_dict(),
        rate=(totals["count"] / totals["person_years"]).to_dict(),
    )


def _its_row(series: pd.DataFrame, start: pd.Timestamp, exposure: str) -> tuple[float, ...]:
    result = its(
        series,
        "date",
        "count",
        start,
        denominator=exposure,
        family="poisson",
        seasonality="fourier",
        harmonics=chapter.HARMONICS,
    )
    level = result.estimates.set_index("term").loc["level_change"]
    return float(level["ratio"]), float(level["ratio_lower"]), float(level["ratio_upper"])


def _weighted_truth(frame: pd.DataFrame, starts: dict, target: np.ndarray) -> float:
    """sum(expected counts) / sum(expected counts without the programme) over ``target``."""
    with_effect = stats_staggered.panel(frame, "pcn", "date", "mean", "person_months", starts)
    without = frame.assign(mean=frame["mean"] / frame["effect"])
    base = stats_staggered.panel(without, "pcn", "date", "mean", "person_months", starts)
    return float(with_effect.count[target].sum() / base.count[target].sum())


def one_seed(
    outcome: str,
    scenario: str,
    calibration: simulator.Calibration,
    months: pd.DatetimeIndex,
    seed: int,
    draws: int = DRAWS,
) -> list[dict]:
    """Every estimator's estimate, interval and truth on one simulated panel."""
    frame = simulator.simulate(outcome, simulator.SCENARIOS[scenario], calibration, months, seed)
    starts, size = simulator.starts(outcome)
    first = min(starts.values())
    wave = [pcn for pcn, when in starts.items() if when == first]
    series = (
        frame[frame["pcn"].isin(wave)]
        .groupby("date", as_index=False)[["count", "person_months", "october_months"]]
        .sum()
    )
    base = {"outcome": outcome, "scenario": scenario, "seed": seed}
    rows = [{**base, "estimator": ITS_LEVEL, "truth": size}]
    rows[-1].update(
        zip(("estimate", "lower", "upper"), _its_row(series, first, "person_months"), strict=True)
    )
    if outcome == "emergency_admissions_frail":
        rows.append({**base, "estimator": ITS_OCTOBER, "truth": size})
        estimate = _its_row(series, first, "october_months")
        rows[-1].update(zip(("estimate", "lower", "upper"), estimate, strict=True))
    if len(set(starts.values())) > 1:
        data = stats_staggered.panel(frame, "pcn", "date", "count", "person_months", starts)
        result = stats_staggered.staggered(data, draws=draws, seed=seed)
        exposed = data.exposed()
        target = stats_staggered.predictable(~exposed, exposed)
        effect = result.effect
        rows.append(
            {
                **base,
                "estimator": NOT_YET,
                "estimate": effect.ratio,
                "lower": effect.lower,
                "upper": effect.upper,
                "truth": _weighted_truth(frame, starts, target),
            }
        )
        for lead in result.leads.itertuples():
            rows.append(
                {
                    **base,
                    "estimator": f"Lead, {lead.window}",
                    "estimate": lead.ratio,
                    "lower": lead.lower,
                    "upper": lead.upper,
                    "truth": 1.0,
                }
            )
    return rows


def simulate_all(
    params: RunParameters, seeds: range, scenarios: list[str] | None = None
) -> pd.DataFrame:
    """:func:`one_seed` for every outcome, scenario and seed: one row per estimator and seed
    (:data:`RESULT_COLUMNS`)."""
    end = pd.Timestamp(params["period_end"])
    months = pd.date_range(chapter.ITS_START, end, freq="MS")
    rows = []
    for outcome in OUTCOMES:
        calibration = calibrate(outcome, params)
        for scenario in scenarios or list(simulator.SCENARIOS):
            for seed in seeds:
                rows += one_seed(outcome, scenario, calibration, months, seed)
    return pd.DataFrame(rows, columns=RESULT_COLUMNS)


def summary(results: pd.DataFrame) -> pd.DataFrame:
    """Per outcome, scenario and estimator: ``seeds``, ``coverage`` (% of intervals holding
    the truth), its Monte Carlo standard error ``coverage_se`` (percentage points), ``bias``
    (% : exp(mean log(estimate / truth)) - 1) and ``bias_se`` (% points, delta method)."""
    data = results.assign(
        hit=(results["lower"] <= results["truth"]) & (results["truth"] <= results["upper"]),
        error=np.log(results["estimate"] / results["truth"]),
    )
    keys = ["outcome", "scenario", "estimator"]
    grouped = data.groupby(keys, sort=False)
    table = grouped.agg(
        seeds=("seed", "size"),
        coverage=("hit", "mean"),
        bias=("error", "mean"),
        error_sd=("error", "std"),
    ).reset_index()
    table["coverage_se"] = 100 * np.sqrt(
        table["coverage"] * (1 - table["coverage"]) / table["seeds"]
    )
    table["coverage"] = 100 * table["coverage"]
    table["bias_se"] = 100 * np.exp(table["bias"]) * table["error_sd"] / np.sqrt(table["seeds"])
    table["bias"] = 100 * (np.exp(table["bias"]) - 1)
    return table.drop(columns="error_sd")


def stored() -> pd.DataFrame:
    """The stored per-seed results (:data:`RESULTS`)."""
    return pd.read_csv(RESULTS)
