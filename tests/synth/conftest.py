"""The Harrow extract (scale 1.0: real list sizes), read back from Parquet: the repository's
default extract, which every test of the session reads."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bbp_analysis.extract import ensure_extract, extract_folder, read_manifest
from bbp_analysis.synth import GENERATOR_VERSION

from support import ROOT, repository_data_lock

HARROW = "E09000015"
SEED = 20220401
MID_2021 = pd.Timestamp("2021-10-01")


@pytest.fixture(scope="session")
def harrow_dir() -> Path:
    """The repository's default extract: Harrow at scale 1.0 with the default seed, made by
    this generator (generated when absent, stale or of another seed; shared by every
    pytest-xdist worker, read only)."""
    with repository_data_lock():
        ensure_extract(HARROW, SEED, ROOT)
    folder = extract_folder(HARROW, ROOT)
    manifest = read_manifest(folder)
    assert (manifest["area"], manifest["scale"], manifest["seed"]) == (HARROW, 1.0, SEED)
    assert manifest["generator_version"] == GENERATOR_VERSION
    return folder


@pytest.fixture(scope="session")
def tables(harrow_dir: Path):
    cache: dict[str, pd.DataFrame] = {}

    def read(name: str) -> pd.DataFrame:
        if name not in cache:
            cache[name] = pd.read_parquet(harrow_dir / f"{name}.parquet")
        return cache[name]

    return read


def registered_on(persons: pd.DataFrame, date: pd.Timestamp) -> pd.DataFrame:
    """Persons registered and alive on ``date`` (a 1st of the month), with ``age`` on that date
    (persons are born on the 15th of their birth month)."""
    start = pd.to_datetime(persons["registered_from"])
    stop = pd.to_datetime(persons["registered_to"])
    on = (start.isna() | (start <= date)) & (stop.isna() | (stop > date))
    out = persons[on.to_numpy()].copy()
    out["age"] = date.year - out["birth_year"] - (out["birth_month"] >= date.month).astype(int)
    return out


def binomial_se(p: float, n: float) -> float:
    return float(np.sqrt(p * (1 - p) / n))
