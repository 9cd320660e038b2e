"""The aggregate PCN x month simulator (bbp_analysis.synth.panel) and a small coverage run of
the not-yet-started comparison on it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bbp_analysis import its_coverage
from bbp_analysis.synth import panel as simulator
from bbp_analysis.synth.interventions import HARROW_PCNS_BY_START

MONTHS = pd.date_range("2021-04-01", "2026-03-01", freq="MS")
CALIBRATION = simulator.Calibration(
    person_months=dict.fromkeys(HARROW_PCNS_BY_START, 3000.0),
    rate=dict(zip(HARROW_PCNS_BY_START, [0.06, 0.05, 0.07, 0.055, 0.065], strict=True)),
)
DIABETES = "acsc_admissions_diabetes"


def _run(scenario: simulator.Scenario, seed: int = 1) -> pd.DataFrame:
    return simulator.simulate(DIABETES, scenario, CALIBRATION, MONTHS, seed)


def test_the_generator_settings_are_reused():
    starts, size = simulator.starts(DIABETES)
    assert size == 0.8 and len(set(starts.values())) == 5
    frame = _run(simulator.Scenario())
    first = frame[frame["pcn"] == "Harrow Collaborative PCN"].set_index("date")
    assert first.loc["2022-06-01", "effect"] == 1 and first.loc["2022-07-01", "effect"] == 0.8
    # a short month has fewer expected events at the same rate per day
    assert first.loc["2022-02-01", "mean"] / first.loc["2022-01-01", "mean"] == pytest.approx(
        28 / 31
    )


def test_seeds_are_deterministic_and_differ():
    scenario = simulator.SCENARIOS["all together"]
    assert _run(scenario, 7).equals(_run(scenario, 7))
    assert not _run(scenario, 7)["count"].equals(_run(scenario, 8)["count"])


def test_closed_cohort_shrinks_and_october_denominators_step_in_april():
    frame = _run(simulator.Scenario(cohort_decline=0.1))
    one = frame[frame["pcn"] == "Sphere PCN"].set_index("date")
    assert one.loc["2022-04-01", "person_months"] == pytest.approx(3000 * 0.9)
    assert one.loc["2022-03-01", "october_months"] == one.loc["2021-10-01", "person_months"]
    assert one.loc["2022-04-01", "october_months"] == one.loc["2022-10-01", "person_months"]


def test_fading_effect_halves_on_the_log_scale():
    frame = _run(simulator.Scenario(half_life=12.0))
    one = frame[frame["pcn"] == "Harrow Collaborative PCN"].set_index("date")
    assert np.log(one.loc["2023-07-01", "effect"]) == pytest.approx(np.log(0.8) / 2)


def test_seasonality_overlap_and_shocks_move_the_expected_counts():
    plain = _run(simulator.Scenario()).set_index(["pcn", "date"])["mean"]
    season = _run(simulator.Scenario(seasonality=0.15)).set_index(["pcn", "date"])["mean"]
    ratio = (season / plain).xs("Sphere PCN")
    assert ratio["2022-01-01"] == pytest.approx(1.15) and ratio["2022-07-01"] == pytest.approx(0.85)
    overlap = _run(simulator.Scenario(overlap=0.9)).set_index(["pcn", "date"])["mean"]
    assert (overlap / plain).xs("Sphere PCN")["2023-04-01"] == pytest.approx(0.9)
    shocked = _run(simulator.Scenario(shock_sd=0.1)).set_index(["pcn", "date"])["mean"]
    spread = np.log(shocked / plain).std()
    assert 0.05 < spread < 0.2


def test_not_yet_started_comparison_is_unbiased_over_seeds():
    """Over 20 seeds of the generator's own design, the mean log error of the estimate lies
    within three Monte Carlo standard errors of zero, and the truth is the built-in ratio."""
    rows = pd.DataFrame(
        [
            row
            for seed in range(1, 21)
            for row in its_coverage.one_seed(
                DIABETES, "as generated", CALIBRATION, MONTHS, seed, 99
            )
            if row["estimator"] == its_coverage.NOT_YET
        ]
    )
    assert rows["truth"].to_numpy() == pytest.approx(0.8)
    error = np.log(rows["estimate"] / rows["truth"])
    assert abs(error.mean()) < 3 * error.std() / np.sqrt(len(error))
    summary = its_coverage.summary(rows)
    assert summary["seeds"].iloc[0] == 20 and 0 <= summary["coverage"].iloc[0] <= 100
