"""Shared fixtures: a disposable copy of the project, and the ``bbp`` command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from support import copy_project, run_bbp


@pytest.fixture
def bbp():
    """The ``bbp`` command line as a function: ``bbp("build", root=...)``."""
    return run_bbp


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")
