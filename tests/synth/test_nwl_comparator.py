"""Measure 5's NWL age-sex rows in the synthetic comparator table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bbp_analysis.synth.calibration import window
from bbp_analysis.synth.comparators import NWL, PM5, comparators, nwl_age_sex


def test_nwl_age_sex_sums_the_eight_boroughs_sex_age_rows() -> None:
    measures = pd.DataFrame(
        {
            "measure": [PM5] * 5 + ["other"],
            "period": ["2025-26"] * 6,
            "area_type": ["borough", "borough", "borough", "pcn", "borough", "borough"],
            "area_code": ["E09000015", "E09000005", "E09000015", "X PCN", "E09000005", "E1"],
            "breakdown": ["sex_age_band"] * 4 + ["total", "sex_age_band"],
            "breakdown_value": ["F:0-4", "F:0-4", "M:90+", "F:0-4", "total", "F:0-4"],
            "numerator": [2, 3, 7, 100, 1000, 50],
            "denominator": [100, 200, 30, 999, 9999, 500],
        }
    )
    table = nwl_age_sex(measures)
    assert table.to_dict("records") == [
        {"period": "2025-26", "sex": "F", "age_band": "0-4", "count": 5, "population": 300},
        {"period": "2025-26", "sex": "M", "age_band": "90+", "count": 7, "population": 30},
    ]


def test_rows_for_every_year_with_a_later_year_carried_forward_and_said() -> None:
    years = window("2026-27")
    table = comparators(years, np.random.Generator(np.random.PCG64(1)))
    rows = table[table["Indicator ID"] == PM5]
    assert set(rows["Area Code"]) == {NWL}
    assert len(rows) == len(years) * (1 + 2 * 19)
    assert set(rows["source"]) == {"simulated"}
    last, carried = rows[rows["Time period"] == "2025/26"], rows[rows["Time period"] == "2026/27"]
    assert carried["Count"].tolist() == last["Count"].tolist()
    assert carried["Value note"].str.endswith("figures of 2025-26, the latest generated").all()
    assert not last["Value note"].str.contains("latest generated").any()
    every = last[last["Sex"] == "Persons"].iloc[0]
    cells = last[last["Sex"] != "Persons"]
    assert every["Age"] == "All ages"
    assert every["Count"] == str(cells["Count"].astype(int).sum())  # text, as the contract says
    assert every["Value"] == pytest.approx(
        1000 * cells["Count"].astype(int).sum() / cells["Denominator"].astype(int).sum(), abs=1e-4
    )
