"""Objective 2 chapter: measures 3 and 4 against the extract's Parquet files, standardised
ratios per PCN and practice outliers recomputed here, disclosure control, and one execution
of the notebook for a single PCN."""

from __future__ import annotations

import math
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest

from bbp_analysis import extract
from bbp_analysis.chapters import objective_2 as o2
from bbp_analysis.chapters import objective_2_text as text
from bbp_analysis.chapters import objective_2_views as views
from bbp_analysis.headline import STATUSES
from bbp_analysis.judgement import newcombe_interval

from support import RUN_PARAMS, run_chapter

ROOT = Path(__file__).resolve().parents[2]
Z95 = 1.959963984540054
Z998 = 3.090232306167813
PARAMS = RUN_PARAMS
PCNS = sorted(pd.read_csv(ROOT / "data" / "reference" / "pcn_names.csv")["pcn_name"])


def wilson(x: float, n: float, z: float = Z95) -> tuple[float, float, float]:
    """Wilson score interval (%) written out here, independent of the package."""
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return p * 100, (centre - half) * 100, (centre + half) * 100


def byar_bounds(o: float, z: float) -> tuple[float, float]:
    lower = o * (1 - 1 / (9 * o) - z / (3 * math.sqrt(o))) ** 3
    upper = (o + 1) * (1 - 1 / (9 * (o + 1)) + z / (3 * math.sqrt(o + 1))) ** 3
    return lower, upper


def observed_expected(measure: str, query: str, level: str) -> pd.DataFrame:
    """O and E by area from the sex-age-band aggregates, with pandas only."""
    rows = extract.measures(query, measure=measure, period="2025-26", breakdown="sex_age_band")
    ref = rows[rows["area_type"] == "borough"].set_index("breakdown_value")
    rate = (ref["numerator"] / ref["denominator"]).rename("rate")
    local = rows[rows["area_type"] == level].join(rate, on="breakdown_value")
    local["e"] = local["rate"].fillna(0) * local["denominator"]
    return local.groupby("area_code").agg(
        o=("numerator", "sum"), e=("e", "sum"), n=("denominator", "sum")
    )


def test_measure_3_from_the_citizens_survey_parquet(repository_extract: Path) -> None:
    survey = pd.read_parquet(repository_extract / "citizen_survey.parquet")
    now = survey[survey["fin_year"] == "2025-26"]["positive_experience"]
    base = survey[survey["fin_year"] == "2022-23"]["positive_experience"]
    heads = {h.indicator_id: h for h in o2.headline_measures(PARAMS)}
    head = heads[o2.PM3]
    value, lower, upper = wilson(now.sum(), len(now))
    assert head.measure == 3
    assert (head.value, head.lower, head.upper) == pytest.approx((value, lower, upper), rel=1e-9)
    assert head.baseline == pytest.approx(base.mean() * 100)
    assert head.baseline_period == "2022-23"
    assert head.status == "baseline set" and head.status in STATUSES
    (change,) = head.readings
    base_pct = base.mean() * 100
    # two-sample test against the baseline survey (Newcombe's interval for the difference)
    diff = newcombe_interval(now.sum(), len(now), base.sum(), len(base))
    expected = "better" if diff.lower > 0 else "worse" if diff.upper < 0 else "similar"
    assert change.verdict == expected
    assert head.baseline_comparison == expected
    assert change.name == "Change since the 2022-23 baseline"
    assert f"{base_pct:.1f}%" in change.text and f"{value:.1f}%" in change.text


@pytest.mark.parametrize("period", ["2022-23", "2024-25", "2025-26"])
def test_measures_3_and_4_read_baseline_set_in_every_edition(period: str) -> None:
    heads = {h.indicator_id: h for h in o2.headline_measures(PARAMS.with_period(period))}
    for spec in (o2.PM3, o2.PM4S):
        assert heads[spec].status == "baseline set"
        assert len(heads[spec].readings) == (0 if period == "2022-23" else 1)


def test_baseline_status_before_the_baseline_year() -> None:
    table = pd.DataFrame({"period": ["2021-22"], "value": [60.0], "lower": [57.0], "upper": [63.0]})
    status, text, base, change = o2.baseline_status(table, "2021-22", "high_is_good")
    assert (status, base, change) == ("no baseline yet", None, None)
    assert "2022-23" in text
    table = pd.DataFrame(
        {
            "period": ["2022-23", "2023-24"],
            "value": [60.0, 52.0],
            "lower": [57.0, 49.0],
            "upper": [63.0, 55.0],
        }
    )
    status, _, base, change = o2.baseline_status(table, "2023-24", "high_is_good")
    assert (status, base, change.verdict) == ("baseline set", 60.0, "worse")
    # 63.5 (61 to 66) against 60 (57 to 63): the interval clears 60, but the difference,
    # 3.5 − √(2.5² + 3²) = −0.41 to 3.5 + √(2.5² + 3²) = 7.41, includes zero: similar.
    table.loc[1, ["value", "lower", "upper"]] = [63.5, 61.0, 66.0]
    _, _, _, change = o2.baseline_status(table, "2023-24", "high_is_good")
    assert change.verdict == "similar" and "-0.4 to +7.4" in change.text


def test_measure_3_by_pcn_sums_to_the_borough() -> None:
    table = o2.citizen_values(PARAMS)
    assert table.iloc[0]["area"] == "Harrow"
    assert sorted(table["area"].iloc[1:]) == PCNS
    assert table["numerator"].iloc[1:].sum() == table["numerator"].iloc[0]


def test_measure_4_satisfaction_and_turnover_from_parquet(repository_extract: Path) -> None:
    staff = pd.read_parquet(repository_extract / "staff_survey.parquet")
    workforce = pd.read_parquet(repository_extract / "workforce.parquet")
    heads = {h.indicator_id: h for h in o2.headline_measures(PARAMS)}
    year = staff[staff["fin_year"] == "2025-26"]["satisfied"]
    assert heads[o2.PM4S].value == pytest.approx(year.mean() * 100)
    assert heads[o2.PM4S].lower == pytest.approx(wilson(year.sum(), len(year))[1])
    work = workforce[workforce["fin_year"] == "2025-26"]
    turnover = work["leavers_voluntary"].sum() / work["headcount"].sum() * 100
    head = heads[o2.PM4T]
    assert head.measure == 4 and head.value == pytest.approx(turnover)
    _, low, high = wilson(work["leavers_voluntary"].sum(), work["headcount"].sum())
    # low is good: met when the whole interval is at or below the top of the NWL range
    assert head.status == ("met" if high <= 18.4 else "not met" if low > 18.4 else "uncertain")
    by_org = o2.turnover_values(PARAMS).set_index("area")
    for _, row in work.iterrows():
        expected = row["leavers_voluntary"] / row["headcount"] * 100
        got = by_org.loc[row["organisation"]]
        assert got["value"] == pytest.approx(expected)
        _, lo, hi = wilson(row["leavers_voluntary"], row["headcount"])
        word = (
            "at or below the range's top"
            if hi <= 18.4
            else "above the range"
            if lo > 18.4
            else "too close to call"
        )
        assert got["against_range"] == word
    vacancy = o2.vacancy_values(PARAMS).iloc[0]
    assert vacancy["value"] == pytest.approx(
        work["vacancies"].sum() / (work["headcount"] + work["vacancies"]).sum() * 100
    )


@pytest.mark.parametrize(
    ("key", "query", "measure"),
    [
        ("o2-emergency-isr", "emergency_admissions", "o1-emergency-admissions"),
        ("o2-ae-isr", "ae_attendances", "o2-ae-isr"),
    ],
)
def test_standardised_ratio_per_pcn(key: str, query: str, measure: str) -> None:
    table = o2.standardised(key, PARAMS).set_index("area")
    oe = observed_expected(measure, query, "pcn")
    assert sorted(table.index) == PCNS
    # Harrow's own observed total equals its expected total at its own rates
    assert oe["o"].sum() == pytest.approx(oe["e"].sum())
    for pcn, row in oe.iterrows():
        got = table.loc[pcn]
        assert got["value"] == pytest.approx(row["o"] / row["e"] * 100, rel=1e-9)
        low, high = byar_bounds(row["o"], Z95)
        assert got["lower"] == pytest.approx(low / row["e"] * 100, rel=1e-9)
        assert got["upper"] == pytest.approx(high / row["e"] * 100, rel=1e-9)
        word = "worse" if low / row["e"] > 1 else "better" if high / row["e"] < 1 else "similar"
        assert got["comparison"] == word


def _spiegelhalter(o: np.ndarray, e: np.ndarray) -> tuple[float, float]:
    z = (o / e - 1) * np.sqrt(e)
    low, high = np.quantile(z, [0.1, 0.9])
    phi = float(np.mean(np.clip(z, low, high) ** 2))
    w = e
    tau2 = max(0.0, (len(z) * phi - (len(z) - 1)) / (w.sum() - (w**2).sum() / w.sum()))
    return phi, tau2


def test_practice_outliers_flagged_with_and_without_overdispersion() -> None:
    oe = observed_expected("o1-emergency-admissions", "emergency_admissions", "practice")
    oe = oe[oe["n"] > 0]
    flags = []
    for o, e in zip(oe["o"], oe["e"], strict=True):
        low, high = byar_bounds(o, Z998) if o >= 10 else (np.nan, np.nan)
        flags.append(low / e > 1 or high / e < 1)
    phi, tau2 = _spiegelhalter(oe["o"].to_numpy(), oe["e"].to_numpy())
    ratio = oe["o"] / oe["e"]
    spread = Z998 * np.sqrt(1 / oe["e"] + tau2)
    adjusted = ((ratio > 1 + spread) | (ratio < 1 - spread)).sum()
    row = o2.outliers(PARAMS).set_index("measure").loc["Emergency admissions"]
    assert row["practices"] == len(oe)
    assert row["outside 99.8% limits"] == sum(flags)
    assert row["outside 99.8% (overdispersion-adjusted)"] == adjusted
    assert row["overdispersion factor (phi)"] == pytest.approx(round(phi, 2))
    assert adjusted <= sum(flags)


def test_practice_to_pcn_map_covers_every_practice(repository_extract: Path) -> None:
    persons = pd.read_parquet(
        repository_extract / "persons.parquet", columns=["practice_code", "pcn_name"]
    )
    expected = persons.drop_duplicates().set_index("practice_code")["pcn_name"].sort_index()
    mapping = o2.practice_pcns(PARAMS)
    assert set(mapping.index) <= set(expected.index)
    assert (mapping == expected.reindex(mapping.index)).all()


def test_profile_counts_are_protected_and_add_up() -> None:
    table = views.profile(PARAMS)
    assert list(table["area"]) == [*PCNS, "Harrow"]
    pcns = table.iloc[:-1]
    assert pcns["Registered population"].sum() == table.iloc[-1]["Registered population"]
    assert pcns["Practices"].sum() == table.iloc[-1]["Practices"]
    segments = table[[f"Segment {k} (%)" for k in range(1, 9)]].sum(axis=1)
    assert np.allclose(segments, 100)
    # expected prevalence at Harrow's own rates is Harrow's recorded prevalence
    harrow = table.iloc[-1]
    assert harrow["Diabetes expected (%)"] == pytest.approx(harrow["Diabetes recorded (%)"])


def test_interventions_are_the_extract_programme_starts(repository_extract: Path) -> None:
    table = pd.read_parquet(repository_extract / "interventions.parquet")
    one = o2.interventions(PARAMS.replace(pcn="Sphere PCN"))
    sphere = table[(table["pcn_name"] == "Sphere PCN") & ~table["negative_control"]]
    assert one == {
        k.replace("_", " "): pd.Timestamp(v)
        for k, v in sphere.groupby("intervention")["start_date"].min().items()
    }
    assert all("negative" not in k for k in o2.interventions(PARAMS))


def test_catalogue_has_every_indicator_shown() -> None:
    from bbp_analysis.catalogue import indicator

    for item in text.INDICATORS:
        assert indicator(item).objective == 2


@pytest.mark.slow
def test_notebook_executes_for_one_pcn(tmp_path: Path) -> None:
    out = run_chapter(
        "objective-2-neighbourhood-teams.ipynb",
        tmp_path,
        {
            **PARAMS.as_dict(),
            "period": "2022-23",
            "period_start": "2022-04-01",
            "period_end": "2023-03-31",
            "pcn": "Healthsense PCN",
        },
    )
    notebook = nbformat.read(out, as_version=4)
    html = "".join(
        str(o.get("data", {}).get("text/html", ""))
        for c in notebook.cells
        for o in c.get("outputs", [])
    )
    for anchor in (
        "o2-neighbourhood-profile-chart",
        "o2-emergency-monthly-spc",
        "o2-emergency-isr-funnel",
        "pm3-citizen-experience-pcn",
        "practice-outliers",
        "o2-ae-isr-pcn",
    ):
        assert f'id="{anchor}"' in html
    assert "Healthsense PCN starred" in html and "Synthetic data" in html
    assert (tmp_path / "_extra" / "downloads" / "o2-carers-identified-funnel.csv").is_file()
