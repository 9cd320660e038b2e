"""A PCN view never states a value resting on a suppressed count (key messages, SII)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bbp_analysis import extract
from bbp_analysis.chapters import objective_1_groups as groups
from bbp_analysis.chapters import objective_3 as o3
from bbp_analysis.chapters import objective_3_text as text
from bbp_analysis.figures import describe_dot_chart, dot_figure
from bbp_analysis.params import load_parameters

from support import RUN_PARAMS

PARAMS = RUN_PARAMS.replace(pcn="Sphere PCN")
NO_PROGRAMMES = pd.DataFrame({"programme": [], "level_ratio": [], "verdict": []})


def pm5(suppressed: bool) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "area": ["Harrow", "Sphere PCN"],
            "value": [10.79, np.nan if suppressed else 11.15],
            "comparison": ["benchmark", "suppressed" if suppressed else "similar"],
            "suppressed": [False, suppressed],
        }
    )


STATUS = {"status": "uncertain", "text": "indicative only.", "readings": [], "caveat": "C."}


def test_pcn_line_states_the_rate_when_shown() -> None:
    lines = text.key_messages(pm5(False), STATUS, NO_PROGRAMMES, None, PARAMS).splitlines()
    assert (
        "- Sphere PCN: 11.15 per 1,000 (age-sex standardised), similar compared with NWL's "
        "rate for people of the same age and sex." in lines
    )
    assert "- C." in lines


def test_pcn_line_says_suppressed_and_gives_no_number() -> None:
    message = text.key_messages(pm5(True), STATUS, NO_PROGRAMMES, None, PARAMS)
    assert "- Sphere PCN: too few admissions to show (suppressed)." in message.splitlines()
    assert "nan" not in message


def test_deprivation_gap_is_not_computed_when_a_fifth_is_suppressed() -> None:
    # In Harrow East PCN the GP survey has too few respondents in the most and least deprived
    # local fifths (both suppressed), so no slope index may rest on them; Sphere PCN has all
    # five fifths and gets one.
    params = load_parameters("2025-26")
    east = groups.inequality_index(
        "pm2-gp-access-good", params.replace(pcn="Harrow East PCN"), "2025-26"
    )
    assert set(east) == set(groups.SII_FIELDS) and all(np.isnan(v) for v in east.values())
    sphere = groups.inequality_index(
        "pm2-gp-access-good", params.replace(pcn="Sphere PCN"), "2025-26"
    )
    # each fifth weighted by its share of Sphere PCN's registered population (not by its
    # survey sample): the weighted least-squares slope written out here
    sphere_params = params.replace(pcn="Sphere PCN")
    fifths = groups.by_group("pm2-gp-access-good", sphere_params, "imd_quintile", "2025-26")
    population = extract.measures(
        "registered_population",
        measure="o1-registered-population",
        period="2025-26",
        area_type="pcn",
        breakdown="imd_quintile",
    )
    population = population[population["area_code"] == "Sphere PCN"].set_index("breakdown_value")[
        "denominator"
    ]
    fifths = fifths.assign(q=fifths["group"].astype(int)).sort_values("q")
    share = population.reindex(fifths["group"].astype(str)).to_numpy(float)
    share = share / share.sum()
    x = np.cumsum(share) - share / 2
    slope = np.polyfit(x, fifths["value"].to_numpy(float), 1, w=np.sqrt(share))[0]
    assert sphere["sii"] == pytest.approx(slope, rel=1e-9)
    effective = fifths["denominator"].to_numpy(float) / fifths["denominator"].sum()
    assert not np.allclose(share, effective, rtol=0.05)  # the weights differ


def test_gap_change_says_not_computed_rather_than_a_verdict_on_missing_values() -> None:
    trend = pd.DataFrame(
        {
            "period": ["2021-22", "2025-26"],
            "sii": [8.0, np.nan],
            "sii_lower": [1.0, np.nan],
            "sii_upper": [15.0, np.nan],
        }
    )
    change = groups.gap_change(trend)
    assert change["verdict"] == groups.NOT_COMPUTED and np.isnan(change["z"])
    trend.loc[1, ["sii", "sii_lower", "sii_upper"]] = [2.0, -5.0, 9.0]
    assert groups.gap_change(trend)["verdict"] == "no clear change"


def test_acsc_gap_years_with_a_small_fifth_are_not_computed() -> None:
    # Harrow East PCN has fewer than 10 chronic ACSC admissions in a deprivation fifth in
    # every year but 2023-24; the borough has none, and its index is unchanged.
    params = load_parameters("2025-26")
    east = o3.acsc_inequality(params.replace(pcn="Harrow East PCN"))
    assert east.loc[east["sii"].notna(), "period"].tolist() == ["2023-24"]
    assert o3.gap_change(east).startswith("was not assessed (a deprivation fifth has too few")
    message = text.gap_message(east, o3.gap_change(east), params.replace(pcn="Harrow East PCN"))
    assert "Not computed" in message and "nan" not in message
    shown = text.gap_display(east)
    assert shown.loc[shown["Year"] == "2025-26", "SII"].tolist() == ["[c]"]
    borough = o3.acsc_inequality(params)
    assert borough["sii"].notna().all()
    assert round(float(borough["sii"].iloc[-1]), 2) == 4.82  # age-sex standardised fifths


def test_a_breakdown_with_every_group_suppressed_is_a_table_not_an_empty_chart(
    tmp_path, monkeypatch
) -> None:
    # Harrow Collaborative PCN's citizens' survey by age band: every band is suppressed.
    (tmp_path / "book").mkdir()
    monkeypatch.chdir(tmp_path / "book")
    table = pd.DataFrame(
        {
            "level": ["borough", "age_band", "age_band"],
            "area": ["Harrow", "15-19", "20-24"],
            "numerator": [654.0, np.nan, np.nan],
            "denominator": [1020.0, np.nan, np.nan],
            "value": [64.1, np.nan, np.nan],
            "lower": [61.1, np.nan, np.nan],
            "upper": [67.0, np.nan, np.nan],
            "comparison": ["benchmark", "suppressed", "suppressed"],
            "suppressed": [False, True, True],
        }
    )
    shown = dot_figure(
        table,
        figure_id="pm3-citizen-experience-age-band",
        title="By age band",
        what="w",
        label="age bands",
        unit="%",
        confidence=0.95,
    ).data
    assert "<img" not in shown and 'id="pm3-citizen-experience-age-band"' in shown
    assert "every group&#x27;s count is too small to publish" in shown
    download = (
        tmp_path / "_extra" / "downloads" / "pm3-citizen-experience-age-band.csv"
    ).read_text()
    assert download.splitlines()[1:] == [
        "15-19,[c],[c],[c],[c],[c],suppressed",
        "20-24,[c],[c],[c],[c],[c],suppressed",
    ]
    alt = describe_dot_chart(
        table.iloc[1:],
        what="w",
        label="age bands",
        unit="%",
        benchmark_name="Harrow",
        benchmark=64.1,
        confidence=0.95,
    )
    assert alt == (
        "No age bands are shown: the counts of all 2 are too small to publish "
        "(suppressed). The Harrow value is 64.1%."
    )
