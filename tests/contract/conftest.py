"""A small extract from another seed than the default's (scale 0.02, seed 13), as the
generator writes it and as a warehouse export arrives (CSV, no manifest): made once per test
session and shared, read only, by every pytest-xdist worker."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from bbp_analysis.contract import load
from bbp_analysis.synth.generate import generate

from support import once_per_session, shared_folder


def _generate(folder: Path) -> None:
    generate(scale=0.02, seed=13, out_dir=folder / "parquet")
    out = folder / "csv"
    out.mkdir()
    con = duckdb.connect(":memory:")
    for name in load().tables:
        source, target = folder / "parquet" / f"{name}.parquet", out / f"{name}.csv"
        con.execute(f"COPY (SELECT * FROM read_parquet('{source}')) TO '{target}' (HEADER)")
    con.close()


@pytest.fixture(scope="session")
def small_extract(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder holding ``parquet/`` and ``csv/`` (tests must not change either)."""
    return once_per_session(shared_folder(tmp_path_factory) / "contract-extract", _generate)


@pytest.fixture(scope="session")
def parquet(small_extract: Path) -> Path:
    """The small extract as the generator writes it (Parquet and its manifest)."""
    return small_extract / "parquet"


@pytest.fixture(scope="session")
def warehouse(small_extract: Path) -> Path:
    """The same extract as CSV files with no manifest, as a warehouse export arrives."""
    return small_extract / "csv"
