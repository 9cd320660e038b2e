"""The contract check as the input checks run it: cached on disk by the manifest's hash."""

from __future__ import annotations

from pathlib import Path

import pytest

from bbp_analysis.contract import gate
from bbp_analysis.synth.generate import generate

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
