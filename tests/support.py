"""Test support: a disposable copy of the project, and the ``bbp`` command run on it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROJECT_PARTS = ("_config.yml", "_toc.yml", "book", "parameters", "data/reference")


def copy_project(target: Path) -> Path:
    """Copy what a build reads (not the environment, not earlier builds) into ``target``."""
    for part in PROJECT_PARTS:
        source = ROOT / part
        destination = target / part
        destination.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, destination)
        else:
            shutil.copy2(source, destination)
    return target


def run_bbp(*args: str, root: Path = ROOT, timeout: int = 900) -> subprocess.CompletedProcess:
    """Run the installed ``bbp`` command line against the project at ``root``."""
    env = {**os.environ, "BBP_ROOT": str(root)}
    command = [str(Path(sys.executable).with_name("bbp")), *args]
    return subprocess.run(
        command, capture_output=True, text=True, env=env, timeout=timeout, check=False
    )
