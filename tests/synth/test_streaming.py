"""An extract of several boroughs is drawn, sorted and written one borough at a time: the
streamed tables equal one sort of every borough's rows, and runs are byte-identical."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from bbp_analysis.synth import generate as gen
from bbp_analysis.synth.calibration import window
from bbp_analysis.synth.population import pseudonymous_ids

TWO = ["E09000013", "E09000015"]  # Hammersmith and Fulham, Harrow
YEARS = window("2022-23")
SCALE, SEED = 0.01, 7


@pytest.fixture
def two_boroughs(monkeypatch: pytest.MonkeyPatch) -> None:
    """``NWL`` stands for two boroughs, and long tables are cut into many chunks."""
    monkeypatch.setattr(gen, "area_codes", lambda area: TWO)
    monkeypatch.setattr(gen, "CHUNK_ROWS", 4099)


def _sorted_once(monkeypatch: pytest.MonkeyPatch) -> dict[str, pa.Table]:
    """Every borough's person-level rows concatenated, then sorted and numbered in one go
    (the whole-area way the generator worked before it streamed)."""
    children = np.random.SeedSequence(SEED).spawn(len(TWO))
    parts: dict[str, list] = {}
    for block, (borough, child) in enumerate(zip(TWO, children, strict=True)):
        rng = np.random.Generator(np.random.PCG64(child))
        for rows in gen._borough_rows(borough, SCALE, YEARS, rng, block):
            parts.setdefault(rows.name, []).append(gen._with_person_numbers(rows))
    monkeypatch.setattr(gen, "CHUNK_ROWS", 10**9)
    out = {}
    for name, frames in parts.items():
        frame, ids = gen._renumbered(frames)
        out[name] = pa.concat_tables(gen._tables(frame, name, ids))
    return out


def test_streamed_boroughs_equal_one_sort_of_all_their_rows(two_boroughs, monkeypatch):
    streamed = gen.build_tables("NWL", SCALE, SEED, YEARS)
    whole = _sorted_once(monkeypatch)
    assert streamed["programmes"].num_rows > 3 * 4099  # cut into chunks within a borough
    for name, table in whole.items():
        assert streamed[name].equals(table), name
    persons = streamed["persons"]
    assert set(persons["borough_code"].to_pylist()) == set(TWO)
    ids = persons["person_id"].to_pylist()
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert ids[0] < "P10000000" <= ids[-1]  # one block of numbers per borough
    spells = streamed["apc_spells"]["spell_id"].to_pylist()
    assert spells == [f"S{i:09d}" for i in range(1, len(spells) + 1)]  # numbered across both
    staff = streamed["staff_survey"]
    assert set(staff["borough_code"].to_pylist()) == set(TWO)


def test_two_borough_runs_are_byte_identical_and_valid(two_boroughs, tmp_path):
    first = gen.generate("NWL", SCALE, SEED, tmp_path / "a", validate=True, through="2022-23")
    second = gen.generate("NWL", SCALE, SEED, tmp_path / "b", validate=True, through="2022-23")
    for name, path in first.items():
        assert path.read_bytes() == second[name].read_bytes(), name
    persons = pq.read_table(first["persons"])
    counts = pc.value_counts(persons["borough_code"]).to_pylist()
    assert {c["values"] for c in counts} == set(TWO)


def test_person_numbers_stay_in_their_block():
    rng = np.random.Generator(np.random.PCG64(3))
    ids = pseudonymous_ids(5000, rng, first=3 * 10**7, span=10**7)
    numbers = np.char.lstrip(ids, "P").astype(np.int64)
    assert len(set(numbers)) == 5000
    assert numbers.min() >= 3 * 10**7 and numbers.max() < 4 * 10**7
    with pytest.raises(ValueError, match="at most 9,999,999 persons"):
        pseudonymous_ids(10**7, rng, first=0, span=10**7)
