"""The record of input checks passed: a rebuild does not check unchanged inputs again, and a
changed or failing input is always checked."""

from __future__ import annotations

from pathlib import Path

import pytest

from bbp_analysis import inputs


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch) -> None:
    """A process that has passed no check yet."""
    monkeypatch.setattr(inputs, "_PASSED", set())
    monkeypatch.setattr(inputs, "_NEWLY_PASSED", [])


def new_process(record: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(inputs, "_PASSED", set())
    monkeypatch.setattr(inputs, "_NEWLY_PASSED", [])
    inputs._load_passed(record)


def test_a_passed_check_is_not_run_again_in_a_later_run(
    fresh: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = tmp_path / "table.csv"
    table.write_text("a,b\n1,2\n")
    record = tmp_path / "_build" / "record.txt"
    runs: list[str] = []
    inputs._once("table", [table], lambda: runs.append("run"))
    inputs._keep_passed(record)
    new_process(record, monkeypatch)
    inputs._once("table", [table], lambda: runs.append("run"))
    assert runs == ["run"]
    inputs._once("other rule", [table], lambda: runs.append("other"))  # a rule of its own
    table.write_text("a,b\n1,3\n")  # same size, other bytes
    inputs._once("table", [table], lambda: runs.append("changed"))
    assert runs == ["run", "other", "changed"]


def test_a_failing_check_is_never_recorded(
    fresh: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = tmp_path / "table.csv"
    table.write_text("bad\n")
    record = tmp_path / "record.txt"

    def refuse() -> None:
        raise ValueError("refused")

    for _ in range(2):
        with pytest.raises(ValueError, match="refused"):
            inputs._once("table", [table], refuse)
        inputs._keep_passed(record)
        new_process(record, monkeypatch)
    assert not record.exists()


def test_the_record_belongs_to_one_lock_file(tmp_path: Path) -> None:
    (tmp_path / "requirements.lock").write_text("pandas==3.0.0\n")
    first = inputs.passed_record(tmp_path)
    assert first.parent == tmp_path / "_build" / "cache" / "input-checks"
    (tmp_path / "requirements.lock").write_text("pandas==3.0.1\n")
    assert inputs.passed_record(tmp_path) != first
