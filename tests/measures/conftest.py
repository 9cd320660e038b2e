"""A small Harrow extract (scale 0.2) and all measures over it, once per session."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pandas as pd
import pytest

from bbp_analysis.measures.engine import write_all
from bbp_analysis.synth.generate import generate

from support import once_per_session, shared_folder, tables_by_measure


def _generate_small(folder: Path) -> None:
    generate(scale=0.2, seed=11, out_dir=folder, validate=False)


@pytest.fixture(scope="session")
def extract_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Generated once per session, shared by every pytest-xdist worker (read only)."""
    return once_per_session(shared_folder(tmp_path_factory) / "small-extract", _generate_small)


def _write_results(extract_dir: Path, folder: Path) -> None:
    write_all(extract_dir, folder / "measures.parquet")


@pytest.fixture(scope="session")
def results_file(extract_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every measure over :func:`extract_dir`, aggregated once per session into one Parquet
    file (``write_all``), shared by every worker."""
    folder = once_per_session(
        shared_folder(tmp_path_factory) / "small-results", partial(_write_results, extract_dir)
    )
    return folder / "measures.parquet"


@pytest.fixture(scope="session")
def results(results_file: Path) -> dict[str, pd.DataFrame]:
    """Every measure over :func:`extract_dir`, as ``run_all`` returns them (read back from
    :func:`results_file`)."""
    return tables_by_measure(results_file)


@pytest.fixture(scope="session")
def persons(extract_dir: Path) -> pd.DataFrame:
    return pd.read_parquet(extract_dir / "persons.parquet")


def person_years(persons: pd.DataFrame, year: str) -> pd.DataFrame:
    """Registered and alive on 1 October of ``year`` with age on that date."""
    mid = pd.Timestamp(f"{year[:4]}-10-01")
    start = pd.to_datetime(persons["registered_from"])
    stop = pd.to_datetime(persons["registered_to"])
    out = persons[((start.isna() | (start <= mid)) & (stop.isna() | (stop > mid))).to_numpy()]
    return out.assign(age=mid.year - out["birth_year"] - (out["birth_month"] >= 10))


def select(frame: pd.DataFrame, **where: str) -> pd.DataFrame:
    mask = pd.Series(True, index=frame.index)
    for column, value in where.items():
        mask &= frame[column] == value
    return frame[mask.to_numpy()]
