"""Status summaries, what moved, the risk register and the delivery sentences, on a small
tracker built here (expected values worked out by hand in each test)."""

from __future__ import annotations

import pandas as pd
import pytest

from bbp_analysis.delivery import status, text
from bbp_analysis.delivery.tracker import Tracker


@pytest.fixture
def tracker() -> Tracker:
    workstreams = pd.DataFrame({"workstream_id": ["a", "b"], "workstream": ["Alpha", "Beta"]})
    milestones = pd.DataFrame(
        {
            "milestone_id": ["m1", "m2", "m3", "m4"],
            "workstream_id": ["a", "a", "b", "b"],
            "milestone": ["One", "Two", "Three", "Four"],
            "due": pd.to_datetime(["2021-03-31", "2023-03-31", "2024-03-31", "2024-09-30"]),
            "due_basis": ["seed", "illustrative", "illustrative", "illustrative"],
        }
    )
    updates = pd.DataFrame(
        {
            "milestone_id": ["m1", "m2", "m2", "m3", "m3", "m4"],
            "period": ["2020-21", "2022-23", "2023-24", "2022-23", "2023-24", "2023-24"],
            "status": ["complete", "on track", "complete", "on track", "off track", "not started"],
            "evidence": ["e1", "e2a", "e2b", "e3a", "e3b", "e4"],
            "provenance": [
                "seed",
                "illustrative",
                "illustrative",
                "illustrative",
                "illustrative",
                "illustrative",
            ],
        }
    )
    risks = pd.DataFrame(
        {
            "risk_id": ["r1", "r2", "r3"],
            "risk": ["R1: money", "R2: staff", "R3: data"],
            "owner_role": ["CFO", "HR", "CIO"],
        }
    )
    reviews = pd.DataFrame(
        {
            "risk_id": ["r1", "r1", "r2", "r2", "r3"],
            "period": ["2022-23", "2023-24", "2022-23", "2023-24", "2023-24"],
            "likelihood": [3, 4, 4, 2, 3],
            "impact": [4, 5, 4, 4, 3],
            "mitigations": ["m", "m", "m", "m", "m"],
            "provenance": ["illustrative"] * 5,
        }
    )
    return Tracker(workstreams, milestones, updates, risks, reviews)


def test_status_is_the_latest_update_at_or_before_the_period(tracker):
    table = status.milestone_status(tracker, "2022-23").set_index("milestone_id")
    assert table["status"].to_dict() == {"m1": "complete", "m2": "on track", "m3": "on track"}
    later = status.milestone_status(tracker, "2023-24").set_index("milestone_id")
    assert later.loc["m2", "status"] == "complete"
    assert later.loc["m3", "status"] == "off track"
    assert bool(later.loc["m1", "illustrative"]) is False
    assert bool(later.loc["m4", "illustrative"]) is True


def test_current_and_history_split(tracker):
    # 2023-24: m2, m3, m4 updated in the period; m1 completed in 2020-21 is history.
    assert list(status.current(tracker, "2023-24")["milestone_id"]) == ["m2", "m3", "m4"]
    assert list(status.history(tracker, "2023-24")["milestone_id"]) == ["m1"]


def test_moved_since_previous_period(tracker):
    changes = status.moved(tracker, "2023-24").set_index("milestone")
    assert changes[["before", "now"]].to_dict("index") == {
        "Two": {"before": "on track", "now": "complete"},
        "Three": {"before": "on track", "now": "off track"},
        "Four": {"before": "new", "now": "not started"},
    }
    assert text.moved_sentence(tracker, "2023-24") == (
        "Since 2022-23: 1 milestone completed, 0 moved up without completing, 1 slipped and 1 new."
    )


def test_workstream_summary_counts(tracker):
    summary = status.workstream_summary(tracker, "2023-24").set_index("workstream")
    assert summary.loc["Alpha", "complete"] == 1
    assert summary.loc["Beta", "off track"] == 1
    assert summary.loc["Beta", "not started"] == 1
    assert list(summary["total"]) == [1, 2]


def test_risk_register_scores_bands_and_trends(tracker):
    register = status.risk_register(tracker, "2023-24").set_index("risk_id")
    # r1: 4 x 5 = 20 (was 3 x 4 = 12) rising; r2: 2 x 4 = 8 (was 16) falling; r3 new 9.
    assert register["score"].to_dict() == {"r1": 20, "r2": 8, "r3": 9}
    assert register["trend"].to_dict() == {"r1": "rising", "r2": "falling", "r3": "new"}
    assert register["band"].to_dict() == {"r1": "high", "r2": "medium", "r3": "medium"}
    assert list(status.top_risks(tracker, "2023-24", 2)["risk_id"]) == ["r1", "r3"]
    first = status.risk_register(tracker, "2022-23").set_index("risk_id")
    assert first["score"].to_dict() == {"r1": 12, "r2": 16}
    assert set(first["trend"]) == {"new"}
    assert text.risk_sentence(tracker, "2023-24").startswith(
        "Highest risk: r1 (likelihood 4 x impact 5 = 20, rising)."
    )
