"""One Harrow extract per test session (scale 1.0: real list sizes), read back from Parquet."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bbp_analysis.synth.generate import generate

from support import once_per_session, shared_folder

SEED = 20220401
MID_2021 = pd.Timestamp("2021-10-01")


def _generate_harrow(folder: Path) -> None:
    generate(area="E09000015", scale=1.0, seed=SEED, out_dir=folder, validate=False)


@pytest.fixture(scope="session")
def harrow_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Generated once per session, shared by every pytest-xdist worker (read only)."""
    return once_per_session(shared_folder(tmp_path_factory) / "harrow", _generate_harrow)


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
