"""The periods an extract covers: generated through any period asked for, recorded in the
manifest, read back as the extract's coverage, and the calendar the measures run on."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from bbp_analysis import periods
from bbp_analysis.errors import InputError
from bbp_analysis.extract import covered_periods, read_manifest
from bbp_analysis.measures.engine import calendar_frames
from bbp_analysis.synth.calibration import window
from bbp_analysis.synth.generate import generate

THROUGH = "2026-27"
YEARLY = (
    "care_processes",
    "hypertension_control",
    "programmes",
    "gpps_responses",
    "citizen_survey",
    "workforce",
    "staff_survey",
)


@pytest.fixture(scope="module")
def later(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("through-2026-27")
    generate(scale=0.02, seed=3, out_dir=folder, through=THROUGH)
    return folder


def test_periods_map_to_financial_years() -> None:
    assert periods.first_day("2026-27") == date(2026, 4, 1)
    assert periods.last_day("2026-27") == date(2027, 3, 31)
    assert periods.mid_day("2026-27") == date(2026, 10, 1)
    assert periods.between("2024-25", "2026-27") == ("2024-25", "2025-26", "2026-27")
    assert periods.between("2026-27", "2025-26") == ()
    assert periods.label(1999) == "1999-00"
    assert not periods.is_period("2026-28")
    with pytest.raises(ValueError, match="not a financial year"):
        periods.start_year("2026")


def test_window_runs_from_2019_20_through_the_period_asked_for() -> None:
    assert window("2026-27") == periods.between("2019-20", "2026-27")
    assert len(window("2030-31")) == 12
    with pytest.raises(InputError, match="from 2022-23 on"):
        window("2021-22")


def test_manifest_records_the_periods_covered(later: Path) -> None:
    manifest = read_manifest(later)
    assert manifest["periods"] == list(window(THROUGH))
    assert covered_periods(manifest) == list(periods.between("2019-20", "2026-27"))


@pytest.mark.parametrize("table", YEARLY)
def test_yearly_tables_reach_the_last_period(later: Path, table: str) -> None:
    years = set(pd.read_parquet(later / f"{table}.parquet", columns=["fin_year"])["fin_year"])
    assert max(years) == THROUGH
    assert years <= set(window(THROUGH))


def test_events_fall_inside_the_window_and_fill_its_last_year(later: Path) -> None:
    spells = pd.read_parquet(later / "apc_spells.parquet", columns=["admission_date"])
    dates = pd.to_datetime(spells["admission_date"])
    assert dates.min() >= pd.Timestamp("2019-04-01")
    assert dates.max() <= pd.Timestamp("2027-03-31")
    last_year = dates >= pd.Timestamp("2026-04-01")
    before = (dates >= pd.Timestamp("2025-04-01")) & ~last_year
    # the registered list stays level and 2026-27 holds 2025-26's rates: within 10%
    assert abs(last_year.sum() / before.sum() - 1) < 0.10


def test_comparators_and_oral_health_waves_continue(later: Path) -> None:
    comparators = pd.read_parquet(later / "comparators.parquet")
    assert "2026/27" in set(comparators["Time period"])
    waves = set(pd.read_parquet(later / "oral_health_survey.parquet")["fin_year"])
    assert waves == {"2019-20", "2021-22", "2023-24", "2025-26"}


def test_the_measures_calendar_is_the_extract_coverage(later: Path) -> None:
    frames = calendar_frames(covered_periods(read_manifest(later)))
    assert list(frames["fin_years"]["fin_year"]) == list(window(THROUGH))
    months = frames["months"]
    assert (months["period"].iloc[0], months["period"].iloc[-1]) == ("2019-04", "2027-03")
    assert len(months) == 12 * 8
    assert months.loc[months["period"] == "2027-03", "fin_year"].item() == "2026-27"


def test_a_manifest_without_consecutive_periods_is_refused(later: Path) -> None:
    manifest = json.loads((later / "manifest.json").read_text())
    for bad in (None, [], ["2019-20", "2021-22"], ["2019-2020"]):
        with pytest.raises(InputError, match="consecutive financial years"):
            covered_periods({**manifest, "periods": bad})
