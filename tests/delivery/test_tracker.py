"""The delivery tracker: the shipped data pass every rule, and a malformed tracker fails with
one line naming file, row, column and rule (also through ``bbp validate``)."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from cli_in_process import run_cli

from bbp_analysis.delivery.tracker import COMPLETION_WORDING, PENDING_WORDING, load_tracker
from bbp_analysis.errors import InputError

from support import ROOT

TABLES = ("workstreams", "milestones", "milestone_updates", "risks", "risk_reviews")


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A minimal project: parameters, reference data with the seeds, and the tracker."""
    for part in ("parameters", "data/reference", "data/delivery"):
        shutil.copytree(ROOT / part, tmp_path / part)
    shutil.copy2(ROOT / "_config.yml", tmp_path / "_config.yml")
    return tmp_path


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _edit(root: Path, table: str, row: int, column: str, value: str) -> Path:
    """Set ``column`` of 1-based data ``row`` of ``table`` to ``value``."""
    path = root / "data" / "delivery" / f"{table}.csv"
    rows = _rows(path)
    rows[row - 1][column] = value
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_shipped_tracker_is_valid_and_complete():
    tracker = load_tracker(ROOT)
    folder = ROOT / "data" / "delivery"
    counts = {name: len(_rows(folder / f"{name}.csv")) for name in TABLES}
    assert len(tracker.workstreams) == counts["workstreams"] == 15
    assert len(tracker.milestones) == counts["milestones"]
    assert len(tracker.updates) == counts["milestone_updates"]
    assert len(tracker.reviews) == counts["risk_reviews"]
    names = set(tracker.workstreams["workstream"])
    for expected in (
        "Frailty and care settings",
        "Mental health and wellbeing",
        "Learning disabilities and autism",
        "Long-term conditions",
        "Children and young people",
        "Tackling inequalities",
        "Support to carers",
        "Integrated education and training",
        "Digital transformation",
        "Communications and engagement",
        "The 2022/23 delivery priorities",
        "Support for shielded residents",
        "Safeguarding sub-group",
    ):
        assert expected in names
    assert {"subsidiarity", "finances", "resources"} <= set(tracker.risks["risk_id"])


def test_history_rows_cite_the_seeds():
    updates = _rows(ROOT / "data" / "delivery" / "milestone_updates.csv")
    seed_rows = [r for r in updates if r["provenance"] == "seed"]
    assert {r["period"] for r in seed_rows} == {"2020-21", "2021-22"}
    assert all(r["citations"][:3] in {"001", "002", "004"} for r in seed_rows)
    later = [r for r in updates if r["period"] >= "2022-23"]
    assert later and all(r["provenance"] == "illustrative" for r in later)


@pytest.mark.parametrize(
    ("table", "row", "column", "value", "message"),
    [
        (
            "milestone_updates",
            3,
            "status",
            "nearly done",
            "milestone_updates.csv: row 3, column 'status': code list: 'nearly done' is not a "
            "known code",
        ),
        (
            "milestones",
            5,
            "due",
            "",
            "milestones.csv: row 5, column 'due': not null: value is missing",
        ),
        ("milestones", 2, "due", "July 2020", "milestones.csv: row 2, column 'due': type date"),
        (
            "risk_reviews",
            4,
            "likelihood",
            "6",
            "risk_reviews.csv: row 4, column 'likelihood': range: 6 is above 5",
        ),
        (
            "risk_reviews",
            7,
            "impact",
            "0",
            "risk_reviews.csv: row 7, column 'impact': range: 0 is below 1",
        ),
        (
            "milestone_updates",
            2,
            "period",
            "2023-25",
            "milestone_updates.csv: row 2, column 'period': financial year",
        ),
        (
            "milestones",
            1,
            "workstream_id",
            "dentistry",
            "milestones.csv: row 1, column 'workstream_id': known workstream: 'dentistry'",
        ),
        (
            "workstreams",
            1,
            "indicators",
            "pm9-happiness",
            "workstreams.csv: row 1, column 'indicators': catalogue indicator: 'pm9-happiness'",
        ),
        (
            "workstreams",
            2,
            "logic_model_activities",
            "Build a spaceport",
            "workstreams.csv: row 2, column 'logic_model_activities': logic-model activity",
        ),
        (
            "milestone_updates",
            1,
            "citations",
            "002: Complete - nothing of the sort",
            "milestone_updates.csv: row 1, column 'citations': quote in seed",
        ),
        ("risks", 1, "citations", "", "risks.csv: row 1, column 'citations': citation required"),
    ],
)
def test_malformed_tracker_fails_with_one_line(root, table, row, column, value, message):
    path = _edit(root, table, row, column, value)
    with pytest.raises(InputError) as caught:
        load_tracker(root)
    text = str(caught.value)
    assert "\n" not in text
    assert text.startswith(str(path))
    assert message in text


def test_bbp_validate_reports_a_bad_tracker(root):
    _edit(root, "milestone_updates", 3, "status", "done-ish")
    result = run_cli("validate", "--period", "2025-26", root=root)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "milestone_updates.csv: row 3, column 'status': code list" in lines[0]
    assert "Traceback" not in result.stderr


def test_bbp_validate_checks_the_tracker(root):
    result = run_cli("validate", "--period", "2025-26", root=root)
    assert result.returncode == 0, result.stderr
    assert "delivery tracker" in result.stdout


def test_complete_statuses_are_no_stronger_than_their_quotes():
    """Each "complete" row citing a seed quotes completion wording and no pending wording;
    the two milestones whose quotes say "to be adopted" and "for sign-off" are not complete."""
    updates = _rows(ROOT / "data" / "delivery" / "milestone_updates.csv")
    complete = {
        r["milestone_id"]: r for r in updates if r["status"] == "complete" and r["citations"]
    }
    assert set(complete) == {
        "hd1-align-plans",
        "hd1-teams",
        "hd2-operational-leads",
        "hd2-interface-group",
        "hd2-analyst",
        "frailty-pces",
        "prev-screening",
        "edu-plan",
    }
    for row in complete.values():
        assert COMPLETION_WORDING.search(row["citations"]), row
        assert not PENDING_WORDING.search(row["citations"]), row
    status = {(r["milestone_id"], r["period"]): r["status"] for r in updates}
    assert status[("cyp-priorities", "2021-22")] == "on track"
    assert status[("digital-teams", "2021-22")] == "on track"


def test_seed_002_workstreams_are_transcribed_with_their_milestones():
    tracker = load_tracker(ROOT)
    workstreams = tracker.workstreams.set_index("workstream_id")
    assert workstreams.loc["shielded", "workstream"] == "Support for shielded residents"
    assert workstreams.loc["safeguarding", "workstream"] == "Safeguarding sub-group"
    assert workstreams.loc["shielded", "citations"].startswith(
        "002: Support for Shielded Residents Care Planning Spec"
    )
    milestones = tracker.milestones.set_index("milestone_id")
    mine = milestones[milestones["workstream_id"].isin(["shielded", "safeguarding"])]
    assert sorted(mine.index) == [
        "safeguarding-ooh-review",
        "shielded-care-planning",
        "shielded-nwl-link",
    ]
    updates = tracker.updates.set_index("milestone_id").loc[sorted(mine.index)]
    assert list(updates["period"]) == ["2020-21"] * 3
    assert list(updates["status"]) == ["on track"] * 3
    assert all(cell.startswith("002: ") for cell in updates["citations"])


@pytest.mark.parametrize(
    ("row", "citations", "message"),
    [
        (
            37,
            "001: Initial CYP priorities have been agreed and fed back to the NW London CYP "
            "programme.",
            "row 37, column 'status': status no stronger than its quote: 'complete' but seed 001 "
            "says 'to be': 'Priorities to be formally adopted at the June Board.'",
        ),
        (
            53,
            None,
            "row 53, column 'status': status no stronger than its quote: 'complete' but seed 001 "
            "says 'for sign-off'",
        ),
        (
            len(_rows(ROOT / "data" / "delivery" / "milestone_updates.csv")) - 1,
            None,
            "column 'status': status no stronger than its quote: 'complete' but no quote says it "
            "is done: 'Monthly link into North West London Programme.'",
        ),
    ],
)
def test_complete_status_stronger_than_its_quote_is_refused(root, row, citations, message):
    path = _edit(root, "milestone_updates", row, "status", "complete")
    if citations is not None:
        _edit(root, "milestone_updates", row, "citations", citations)
    with pytest.raises(InputError) as caught:
        load_tracker(root)
    assert "\n" not in str(caught.value)
    assert str(caught.value).startswith(str(path))
    assert message in str(caught.value)


def test_bbp_validate_refuses_a_complete_status_on_pending_wording(root):
    _edit(root, "milestone_updates", 53, "status", "complete")
    result = run_cli("validate", "--period", "2025-26", root=root)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert (
        "milestone_updates.csv: row 53, column 'status': status no stronger than its quote"
        in (lines[0])
    )
    assert "Traceback" not in result.stderr
