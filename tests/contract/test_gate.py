"""The contract check as the input checks run it: cached on disk by the manifest's hash."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from bbp_analysis import extract, inputs, pipeline
from bbp_analysis.contract import gate
from bbp_analysis.params import load_parameters
from bbp_analysis.synth.generate import generate

from support import ROOT

AREA = "E09000015"


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    """A project holding only a small synthetic extract for the area."""
    root = tmp_path_factory.mktemp("project")
    generate(scale=0.02, seed=5, out_dir=root / "data" / "synthetic" / AREA)
    return root


def _no_scan(*args, **kwargs):
    raise AssertionError("the extract was scanned again")


def test_result_is_cached_by_manifest_hash(root, monkeypatch):
    monkeypatch.setattr(gate, "_current", lambda area, seed, root: True)
    gate._RESULTS.clear()
    first = gate.check_extract_contract(AREA, 5, root, None)
    assert first.startswith(f"{AREA} extract conforms to contract 2.0.0: events 2019-04-01 to ")
    assert "financial years 2019-20 to 2025-26; areas E09000015; rows persons " in first
    (cached,) = (root / "_build" / "cache" / "contract").glob("*.json")
    gate._RESULTS.clear()
    monkeypatch.setattr(gate, "check_folder", _no_scan)
    assert gate.check_extract_contract(AREA, 5, root, None) == first
    cached.write_text("{not json", encoding="utf-8")
    gate._RESULTS.clear()
    with pytest.raises(AssertionError, match="scanned again"):
        gate.check_extract_contract(AREA, 5, root, None)


def test_an_extract_the_build_will_regenerate_is_left_to_the_generator(root):
    # scale 0.02 is not the build's extract (scale 1), so the build would regenerate it
    assert gate.check_extract_contract(AREA, 5, root, None) == (
        f"extract {AREA}: contract checked when it is generated"
    )


def test_a_build_checks_the_extract_it_generated_and_keeps_the_result(
    repository_extract: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The build's data step, after generating the extract the input checks left to the
    generator: the contract result is on disk, so the next build's input checks (a rebuild
    with nothing changed) do not scan the extract again."""
    for part in ("parameters", "data/reference"):
        shutil.copytree(ROOT / part, tmp_path / part)
    editions = [load_parameters("2025-26", tmp_path)]
    area, seed = editions[0]["area_code"], editions[0]["synthetic_seed"]
    assert gate.check_extract_contract(area, seed, tmp_path) == (
        f"extract {area}: contract checked when it is generated"
    )

    def generated(area_code: str, *args: object) -> None:  # as generation leaves it
        folder = extract.extract_folder(area_code, tmp_path)
        folder.mkdir(parents=True)
        for path in repository_extract.iterdir():
            os.link(path, folder / path.name)

    monkeypatch.setattr(extract, "prepare", generated)
    monkeypatch.setattr(gate, "_RESULTS", {})
    pipeline._prepare_data(editions, tmp_path, lambda message: None, "duckdb")
    (kept,) = (tmp_path / "_build" / "cache" / "contract").glob("*.json")
    monkeypatch.setattr(gate, "_RESULTS", {})
    monkeypatch.setattr(gate, "check_folder", _no_scan)
    checked = gate.check_extract_contract(area, seed, tmp_path, inputs.known_pcns(tmp_path))
    assert checked.startswith(f"{area} extract conforms to contract ")
    assert json.loads(kept.read_text(encoding="utf-8"))["fin_years"][0] == "2019-20"
