"""Shared fixtures: a disposable copy of the project, the ``bbp`` command line, and the
default site (every edition) built once per test session, shared by every test that only
reads it (and by every pytest-xdist worker)."""

from __future__ import annotations

from pathlib import Path

import pytest

from support import copy_project, once_per_session, run_bbp, shared_folder

BUILT_PERIOD = "2025-26"


@pytest.fixture
def bbp():
    """The ``bbp`` command line as a function: ``bbp("build", root=...)``."""
    return run_bbp


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")


def _build_default(folder: Path) -> str | None:
    project = copy_project(folder / "project")
    result = run_bbp("build", "--out", str(folder / "site"), root=project, timeout=3000)
    return None if result.returncode == 0 else f"bbp build failed:\n{result.stderr[-3000:]}"


@pytest.fixture(scope="session")
def default_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(project copy, its site) after ``bbp build`` of every edition, built once per session
    by whichever worker needs it first; tests must not change either (copy them first)."""
    folder = once_per_session(shared_folder(tmp_path_factory) / "default-build", _build_default)
    return folder / "project", folder / "site"


@pytest.fixture(scope="session")
def built_edition(default_build: tuple[Path, Path]) -> tuple[Path, Path]:
    """(project copy, its site) holding the 2025-26 edition at ``site/2025-26`` and, as the
    latest, at the site root (the session's default build)."""
    return default_build


@pytest.fixture
def warm_project(tmp_path: Path, default_build: tuple[Path, Path]) -> Path:
    """A fresh copy of the project that starts from the default build's notebook and edition
    caches: a build re-runs only what the test changes."""
    return copy_project(tmp_path / "project", caches_from=default_build[0])
