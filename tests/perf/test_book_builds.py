"""Jupyter Book run in a process forked from one that imported it already
(:mod:`bbp_analysis.site.book_builds`): the exit status and both output streams are those of
the ``jupyter-book`` command, and the fork server is stopped and waited for at the end of a
build."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bbp_analysis.site import book_builds

COMMAND = str(Path(sys.executable).with_name("jupyter-book"))


def test_exit_status_and_output_are_the_commands() -> None:
    env = {**os.environ, "NO_COLOR": "1"}
    for args in (["--version"], ["build", "--no-such-option"]):
        forked = book_builds.run(args, env)
        plain = subprocess.run([COMMAND, *args], capture_output=True, text=True, env=env)
        assert (forked.returncode, forked.stdout, forked.stderr) == (
            plain.returncode,
            plain.stdout,
            plain.stderr,
        )
    assert forked.returncode == 2
    assert "Error: No such option '--no-such-option'." in forked.stderr
    book_builds.stop()


def test_a_build_fails_with_the_commands_message(tmp_path: Path) -> None:
    env = {**os.environ, "NO_COLOR": "1"}
    args = ["build", str(tmp_path / "missing"), "--warningiserror", "-q"]
    forked = book_builds.run(args, env)
    plain = subprocess.run([COMMAND, *args], capture_output=True, text=True, env=env)
    assert forked.returncode == plain.returncode != 0
    assert forked.stderr == plain.stderr
    assert str(tmp_path / "missing") in forked.stderr + forked.stdout


def test_stop_waits_for_the_fork_server_and_a_later_build_starts_another() -> None:
    from multiprocessing import forkserver

    book_builds.run(["--version"], dict(os.environ))
    pid = forkserver._forkserver._forkserver_pid
    assert pid is not None
    book_builds.stop()
    assert forkserver._forkserver._forkserver_pid is None
    assert not Path(f"/proc/{pid}").exists()  # waited for: not even a zombie is left
    assert book_builds.run(["--version"], dict(os.environ)).returncode == 0
    assert forkserver._forkserver._forkserver_pid not in (None, pid)
    book_builds.stop()


def test_start_runs_the_fork_server_before_the_first_build() -> None:
    from multiprocessing import forkserver

    book_builds.start()
    pid = forkserver._forkserver._forkserver_pid
    assert pid is not None and Path(f"/proc/{pid}").exists()
    assert book_builds.run(["--version"], dict(os.environ)).returncode == 0
    assert forkserver._forkserver._forkserver_pid == pid  # the build forked from it
    book_builds.stop()
    assert not Path(f"/proc/{pid}").exists()


def test_the_fork_server_freezes_what_it_imported() -> None:
    """Each forked build's full garbage collections skip the libraries it inherited."""
    probe = "import gc, bbp_analysis.site.book_preload, sphinx; print(gc.get_freeze_count())"
    frozen = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert int(frozen) > 100_000
