"""Test support: a disposable copy of the project, and the ``bbp`` command run on it."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from pathlib import Path

from bbp_analysis.extract import prepare
from bbp_analysis.params import load_parameters

ROOT = Path(__file__).resolve().parents[1]
PROJECT_PARTS = (
    "_config.yml",
    "_toc.yml",
    "book",
    "parameters",
    "data/reference",
    "data/delivery",
    "data/published",
)
# Generated, not committed: shared with copies (when present) so each copy need not regenerate.
GENERATED_PARTS = ("data/synthetic", "_build/cache")


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
    prepare_shared_data()
    for part in GENERATED_PARTS:
        shutil.copytree(ROOT / part, target / part, copy_function=link_or_copy)
    return target


@functools.cache
def prepare_shared_data() -> None:
    """Generate the repository's default extract and measure cache once per test session."""
    defaults = load_parameters(None, ROOT)
    prepare(defaults["area_code"], defaults["synthetic_seed"], ROOT)


def link_or_copy(source: str, destination: str) -> None:
    """Hard-link (cheap, read-only use) or copy when across file systems."""
    try:
        os.link(source, destination)
    except OSError:
        shutil.copy2(source, destination)


def run_bbp(*args: str, root: Path = ROOT, timeout: int = 900) -> subprocess.CompletedProcess:
    """Run the installed ``bbp`` command line against the project at ``root``."""
    env = {**os.environ, "BBP_ROOT": str(root)}
    command = [str(Path(sys.executable).with_name("bbp")), *args]
    return subprocess.run(
        command, capture_output=True, text=True, env=env, timeout=timeout, check=False
    )
