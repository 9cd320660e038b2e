"""Project-root-relative locations. Nothing in the package depends on the current directory."""

from __future__ import annotations

import os
from pathlib import Path

EXTRA = Path("..") / "_extra"
"""The edition's folder of downloads and results files, relative to an executing notebook
(``book/``)."""


def project_root() -> Path:
    """The repository root: ``$BBP_ROOT`` if set, else the folder holding ``_config.yml``.

    Searched upwards from the current directory, then from this file (editable installs).
    """
    env = os.environ.get("BBP_ROOT")
    if env:
        return Path(env).resolve()
    for start in (Path.cwd(), Path(__file__).resolve()):
        for folder in (start, *start.parents):
            if (folder / "_config.yml").is_file() and (folder / "parameters").is_dir():
                return folder
    raise FileNotFoundError(
        "cannot find the project root (a folder with _config.yml and parameters/); set BBP_ROOT"
    )


def parameters_dir(root: Path | None = None) -> Path:
    return (root or project_root()) / "parameters"


def data_dir(root: Path | None = None) -> Path:
    return (root or project_root()) / "data"


def reference_dir(root: Path | None = None) -> Path:
    """Real published figures transcribed from the seed documents, and public reference files."""
    return data_dir(root) / "reference"


def synthetic_dir(root: Path | None = None) -> Path:
    """Where ``bbp data synth`` writes the generated extract (git-ignored; rebuilt from seed)."""
    return data_dir(root) / "synthetic"


def book_dir(root: Path | None = None) -> Path:
    return (root or project_root()) / "book"


def build_dir(root: Path | None = None) -> Path:
    return (root or project_root()) / "_build"
