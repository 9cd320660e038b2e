"""Shared fixtures: a disposable copy of the project, the ``bbp`` command line, and one built
edition (2025-26) shared by every test that only reads it."""

from __future__ import annotations

from pathlib import Path

import pytest

from support import copy_project, run_bbp

BUILT_PERIOD = "2025-26"


@pytest.fixture
def bbp():
    """The ``bbp`` command line as a function: ``bbp("build", root=...)``."""
    return run_bbp


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")


@pytest.fixture(scope="session")
def built_edition(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(project copy, its site) after ``bbp build --period 2025-26``, built once per session;
    tests must not change either (copy them first)."""
    base = tmp_path_factory.mktemp("edition")
    project = copy_project(base / "project")
    site = base / "site"
    result = run_bbp("build", "--period", BUILT_PERIOD, "--out", str(site), root=project)
    assert result.returncode == 0, result.stderr
    return project, site
