"""Other boroughs: a borough's extract cut from the eight-borough extract."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from bbp_analysis import extract
from bbp_analysis.errors import InputError
from bbp_analysis.synth.generate import generate

BRENT = "E09000005"


@pytest.fixture(scope="module")
def eight_boroughs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("nwl")
    generate(area="NWL", scale=0.005, seed=5, out_dir=folder, validate=False)
    return folder


@pytest.fixture(scope="module")
def brent(eight_boroughs: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("brent")
    extract.write_borough_view(eight_boroughs, extract.read_manifest(eight_boroughs), BRENT, out)
    return out


def test_view_holds_the_boroughs_persons_and_their_events_only(eight_boroughs, brent):
    persons = pd.read_parquet(eight_boroughs / "persons.parquet")
    mine = persons[persons["borough_code"] == BRENT]
    cut = pd.read_parquet(brent / "persons.parquet")
    assert len(cut) == len(mine) > 0
    assert set(cut["borough_code"]) == {BRENT}
    spells = pd.read_parquet(eight_boroughs / "apc_spells.parquet")
    expected = spells[spells["person_id"].isin(mine["person_id"])].reset_index(drop=True)
    pd.testing.assert_frame_equal(pd.read_parquet(brent / "apc_spells.parquet"), expected)
    workforce = pd.read_parquet(brent / "workforce.parquet")
    assert set(workforce["borough_code"]) == {BRENT}
    assert set(pd.read_parquet(brent / "interventions.parquet")["pcn_name"]) <= set(
        mine["pcn_name"]
    )


def test_comparators_are_kept_whole_and_the_manifest_checks_out(eight_boroughs, brent):
    pd.testing.assert_frame_equal(
        pd.read_parquet(brent / "comparators.parquet"),
        pd.read_parquet(eight_boroughs / "comparators.parquet"),
    )
    manifest = extract.verify_extract(brent)
    assert manifest["area"] == BRENT and manifest["cut_from"] == "NWL"
    assert manifest["source_hash"] == extract.extract_hash(extract.read_manifest(eight_boroughs))
    assert manifest["synthetic"] is True


def test_area_names_the_borough_and_rejects_others():
    assert extract.borough_parameters(BRENT) == {"area_code": BRENT, "area_name": "Brent"}
    with pytest.raises(InputError, match=r"column 'area'.*'E09000001' is not a NW London"):
        extract.borough_parameters("E09000001")


def test_eight_borough_source_redirects_only_inside_the_block(tmp_path):
    assert extract.extract_folder(BRENT, tmp_path) == tmp_path / "data" / "synthetic" / BRENT
    with extract.eight_borough_source():
        assert os.environ[extract.SOURCE_ENV] == "NWL"
        assert extract.extract_folder(BRENT, tmp_path) == (
            tmp_path / "data" / "synthetic" / "NWL" / "boroughs" / BRENT
        )
        assert extract.extract_folder("NWL", tmp_path) == tmp_path / "data" / "synthetic" / "NWL"
    assert extract.SOURCE_ENV not in os.environ
