"""The next period end to end: the README's recipe for 2026-27, read from the README (so this
breaks when the README drifts) and run verbatim in a fresh clone of the repository, builds the
2026-27 edition on the default data, with its "What changed since 2025-26" page.

The clone is ``git clone`` of this checkout: it holds the committed files only (commit before
running this test). It reuses the running interpreter's environment rather than creating one:
the clone's ``.venv`` links to each entry of that environment and holds its own lock stamp, the
hash ``scripts/in-venv`` expects of the clone's lock files, so ``scripts/in-venv`` uses it as
it is and installs nothing (nothing is written into the shared environment); ``PYTHONPATH``
puts the clone's ``src/`` ahead of the environment's editable install, so the clone's code
runs.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from bbp_analysis import periods

from support import ROOT

pytestmark = pytest.mark.slow

SECTION = "## Re-running for a new period"
LOCK_FILES = ("requirements.lock", "requirements-bootstrap.lock", "pyproject.toml")
STAMP = ".bbp-lock-stamp"  # scripts/in-venv installs nothing when it holds the locks' hash


def readme_recipe(readme: str) -> list[str]:
    """The commands of the first ``bash`` code block in the README's new-period section."""
    section = readme.split(f"\n{SECTION}\n", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```bash\n(.*?)```", section, re.DOTALL)
    assert block, f"no bash code block under {SECTION!r}"
    return [line for line in block.group(1).splitlines() if line.strip()]


def git(*args: str, cwd: Path) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=True
    ).stdout.strip()


def fresh_clone(target: Path) -> Path:
    """A ``git clone`` of this checkout sharing this environment (module docstring)."""
    git("clone", "--quiet", str(ROOT), str(target), cwd=ROOT)
    assert git("rev-parse", "HEAD", cwd=target) == git("rev-parse", "HEAD", cwd=ROOT)
    shared, venv = Path(sys.prefix), target / ".venv"
    venv.mkdir()
    for entry in shared.iterdir():
        if entry.name != STAMP:
            (venv / entry.name).symlink_to(entry)
    locks = hashlib.sha256(b"".join((target / name).read_bytes() for name in LOCK_FILES))
    (venv / STAMP).write_text(locks.hexdigest() + "\n")
    return target


@pytest.fixture(scope="module")
def recipe_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """The clone after running the README's recipe line by line; each line's output."""
    clone = fresh_clone(tmp_path_factory.mktemp("next-period") / "bbp-review")
    env = {key: value for key, value in os.environ.items() if key != "BBP_ROOT"}
    env["PYTHONPATH"] = str(clone / "src")
    outputs = {}
    for line in readme_recipe((clone / "README.md").read_text(encoding="utf-8")):
        started = time.perf_counter()
        result = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", line],
            cwd=clone,
            env=env,
            capture_output=True,
            text=True,
            timeout=1800,
            check=False,
        )
        print(f"{time.perf_counter() - started:7.1f} s  {line}")
        assert result.returncode == 0, f"{line}\n{result.stdout}\n{result.stderr}"
        outputs[line] = result.stdout
    return clone, outputs


def test_the_recipe_names_each_step() -> None:
    lines = readme_recipe((ROOT / "README.md").read_text(encoding="utf-8"))
    assert [line.split(" > ")[-1] for line in lines[:1]] == ["parameters/2026-27.yaml"]
    assert lines[1:] == [
        "scripts/in-venv bbp data synth --through 2026-27",
        "scripts/in-venv bbp validate --period 2026-27",
        "scripts/in-venv bbp build --period 2026-27",
    ]


def test_the_new_period_file_moves_every_date_on_by_a_year(recipe_run) -> None:
    clone, _ = recipe_run
    text = (clone / "parameters" / "2026-27.yaml").read_text(encoding="utf-8")
    assert 'period: "2026-27"' in text
    assert 'period_start: "2026-04-01"' in text
    assert 'period_end: "2027-03-31"' in text
    assert 'board_meeting_date: "2027-06-18"' in text
    assert "2025" not in text


def test_the_extract_covers_the_new_period(recipe_run) -> None:
    clone, outputs = recipe_run
    manifest = json.loads((clone / "data/synthetic/E09000015/manifest.json").read_text())
    assert manifest["periods"] == list(periods.between("2019-20", "2026-27"))
    validated = outputs["scripts/in-venv bbp validate --period 2026-27"]
    assert validated.startswith("valid: parameters for 2026-27 ")
    assert "extract E09000015 verified (13 tables, 2019-20 to 2026-27)" in validated


def test_the_edition_is_built_with_what_changed_since_2025_26(recipe_run) -> None:
    clone, _ = recipe_run
    site = clone / "_build" / "html"
    editions = json.loads((site / "editions.json").read_text())
    assert editions["latest"] == "2026-27"
    params = json.loads((site / "2026-27" / "run-parameters.json").read_text())
    assert params["period"] == "2026-27"
    page = BeautifulSoup(
        (site / "2026-27" / "book" / "what-changed.html").read_text(encoding="utf-8"),
        "html.parser",
    )
    assert " ".join(page.find("h1").get_text().split()).startswith("What changed since 2025-26")
    new_data = next(
        h for h in page.find_all("h2") if h.get_text().startswith("New periods of data")
    )
    items = new_data.find_parent("section").find_all("li")
    assert any("2026-27:" in item.get_text() for item in items), [i.get_text() for i in items]
