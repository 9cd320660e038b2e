"""The command line's boundary: an unexpected exception is one line and a log, never a
traceback on the terminal."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest

from bbp_analysis import cli, pipeline


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A stand-in project root (enough for ``project_root``) as BBP_ROOT."""
    root = tmp_path / "project"
    (root / "parameters").mkdir(parents=True)
    (root / "_config.yml").write_text("title: stand-in\n", encoding="utf-8")
    monkeypatch.setenv("BBP_ROOT", str(root))
    return root


LINE = re.compile(r"bbp: build failed: KeyError: 'objective_9' \(details in (?P<log>/\S+\.log)\)")


def broken_build(*_args, **_kwargs):
    raise KeyError("objective_9")


def test_unexpected_exception_is_one_line_and_a_log(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setattr(pipeline, "build", broken_build)
    status = cli.main(["build", "--period", "2025-26", "--out", str(project / "site")])
    captured = capsys.readouterr()
    assert status == cli.INTERNAL_ERROR == 3
    assert captured.out == ""
    assert "Traceback" not in captured.err
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1
    match = LINE.fullmatch(lines[0])
    assert match, lines[0]
    log = Path(match["log"])
    assert log.parent == project / "_build" / "logs"
    text = log.read_text(encoding="utf-8")
    assert text.startswith(f"bbp build --period 2025-26 --out {project / 'site'}\n")
    assert "Traceback (most recent call last):" in text
    assert 'raise KeyError("objective_9")' in text
    assert text.rstrip().endswith("KeyError: 'objective_9'")


def test_log_goes_to_the_temp_folder_when_the_project_is_read_only(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture, tmp_path: Path
) -> None:
    monkeypatch.setattr(pipeline, "build", broken_build)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "temp"))
    (tmp_path / "temp").mkdir()
    (project / "_build").write_text("a file where the build folder would be", encoding="utf-8")
    assert cli.main(["build"]) == 3
    match = LINE.fullmatch(capsys.readouterr().err.strip())
    assert match
    assert Path(match["log"]).parent == tmp_path / "temp"
    assert "KeyError: 'objective_9'" in Path(match["log"]).read_text(encoding="utf-8")


def test_long_multi_line_message_is_cut_to_one_line(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    def fails(*_args, **_kwargs):
        raise RuntimeError("first line\nsecond line " + "x" * 500)

    monkeypatch.setattr(pipeline, "build", fails)
    assert cli.main(["build"]) == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("bbp: build failed: RuntimeError: first line second line xxx")
    assert "x" * 300 not in err and "…" in err


def test_input_errors_keep_exit_2_and_interrupts_exit_130(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    assert cli.main(["build", "--out", str(project)]) == 2
    assert capsys.readouterr().err.startswith(f"bbp build: error: {project}: ")

    def interrupted(*_args, **_kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline, "build", interrupted)
    assert cli.main(["build"]) == 130
    err = capsys.readouterr().err
    assert err == "bbp build: interrupted; nothing was published\n"
    assert not (project / "_build" / "logs").exists()
