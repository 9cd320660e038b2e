"""Plain words in generated text: whole sentences, no test statistics or code names."""

from __future__ import annotations

import pandas as pd

from bbp_analysis import judgement, report
from bbp_analysis.chapters import objective_3 as o3
from bbp_analysis.chapters import objective_3_its as its
from bbp_analysis.chapters import objective_3_text as text

BASE = judgement.GAP_BASELINE_PERIOD
PARAMS = {"area_name": "Harrow", "pcn": None}


def gap(now: tuple[float, float, float]) -> pd.DataFrame:
    """A deprivation gap table: 10 (8 to 12) in the baseline year, ``now`` in 2025-26."""
    return pd.DataFrame(
        {
            "period": [BASE, "2025-26"],
            "sii": [10.0, now[0]],
            "sii_lower": [8.0, now[1]],
            "sii_upper": [12.0, now[2]],
            "rii": [1.4, 1.2],
        }
    )


def test_the_gap_sentence_reads_whole_without_a_test_statistic() -> None:
    # 10 ± 2 then 8 ± 2: difference −2, interval ±2.83, so no clear change (z = −1.39);
    # 10 ± 2 then 4 ± 2: difference −6 (z = −4.16), narrower.
    unclear = gap((8.0, 6.0, 10.0))
    assert o3.gap_change(unclear) == f"has not clearly changed since {BASE}"
    message = text.gap_message(unclear, o3.gap_change(unclear), PARAMS)
    assert message.endswith(f"The gap has not clearly changed since {BASE}.")
    assert "z =" not in message and "is no clear change" not in message
    assert o3.gap_change(gap((4.0, 2.0, 6.0))) == f"is narrower than in {BASE}"
    assert o3.gap_change(gap((16.0, 14.0, 18.0))) == f"is wider than in {BASE}"
    only_now = gap((8.0, 6.0, 10.0)).iloc[1:]
    assert o3.gap_change(only_now) == f"was not tested (no year after {BASE} to compare)"


def test_the_negative_control_has_a_plain_name() -> None:
    name = its.PROGRAMME_NAMES["negative_control"]
    assert name == "No programme: a check outcome that nothing should change"
    assert not name.startswith("None")


def test_groups_are_summarised_not_listed() -> None:
    ages = ["0-15", "16-24", "25-34", "35-44", "45-54", "55-64", "65-74", "75+"]
    assert judgement.name_groups("age group", ages[:6], ages) == "every age group under 65"
    assert judgement.name_groups("age group", ages[6:], ages) == "every age group 65 and over"
    ethnic = ["Asian", "Black", "Mixed", "Other", "White"]
    assert judgement.name_groups("ethnic group", ethnic[:4], ethnic) == (
        "every ethnic group except White"
    )
    assert judgement.name_groups("ethnic group", ["Black"], ethnic) == "Black"


def test_a_key_message_states_each_number_once() -> None:
    # Staff voluntary turnover, 2025-26: the reason already gives the value and interval.
    turnover = report.key_message(
        "Staff voluntary turnover rate",
        "2025-26",
        "15.0%",
        "14.1 to 16.0",
        "met",
        "Partnership voluntary turnover 15.0% (14.1 to 16.0): the interval is wholly at or "
        "below the top of the NWL range of 10% to 18.4%.",
    )
    assert turnover.startswith("- **Staff voluntary turnover rate** (2025-26): met. Partnership")
    assert turnover.count("15.0") == 1 and turnover.count("14.1") == 1
    # Measure 2 (good), 2025-26: the reason gives the interval, not the value.
    access = report.key_message(
        "Measure 2: Patients reporting a good experience of making an appointment",
        "2025-26",
        "64.9%",
        "62.9 to 66.9",
        "not met",
        "Harrow's interval 62.9% to 66.9% 'good' against 71.0%: borough not met.",
    )
    assert "(2025-26): 64.9%; not met. Harrow's interval 62.9% to 66.9%" in access
    assert access.count("62.9") == 1
    # Measure 1, 2025-26: the reason gives neither, so the lead gives both.
    decay = report.key_message(
        "Measure 1: Children aged 5 with tooth decay",
        "2025-26",
        "45.1%",
        "40.0 to 50.4",
        "uncertain",
        "Target read two ways: 5% lower than the baseline (40.3%): uncertain.",
    )
    assert "(2025-26): 45.1% (40.0 to 50.4); uncertain. Target" in decay
    assert report.states("rate of 6.77 per 1,000", "6.77")
    assert not report.states("rate of 16.77 per 1,000", "6.77")
    assert not report.states("rate of 6.775", "6.77")
