"""Processes of one project share its generated data: while one process makes the synthetic
extract or the measure cache (holding ``extract.exclusive``), another that needs it waits,
then reads what the first made, instead of writing the same files at the same time (which
left tables that no longer matched their manifest when two test workers, or a build and a
notebook, generated the default extract together)."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bbp_analysis import extract
from bbp_analysis.measures import engine
from bbp_analysis.params import load_parameters
from bbp_analysis.synth import generate

from support import ROOT

WAIT = 1.0  # seconds the test lets the second process's call run while the lock is held


class Call(threading.Thread):
    """``function()`` in a thread of its own, keeping its result or exception."""

    def __init__(self, function: Callable[[], Any]) -> None:
        super().__init__(daemon=True)
        self.function, self.result, self.error = function, None, None

    def run(self) -> None:
        try:
            self.result = self.function()
        except BaseException as error:  # handed to the test, which reports it
            self.error = error


def _never(*args: object, **kwargs: object) -> None:
    raise AssertionError("made again by a process that should have waited")


def test_the_extract_is_read_once_another_process_has_made_it(
    repository_extract: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(ROOT / "parameters", tmp_path / "parameters")
    defaults = load_parameters(None, ROOT)
    area, seed = defaults["area_code"], defaults["synthetic_seed"]
    folder = extract.extract_folder(area, tmp_path)
    monkeypatch.setattr(generate, "generate", _never)
    said: list[str] = []
    with extract.exclusive(folder):  # another process is generating it
        call = Call(lambda: extract.ensure_extract(area, seed, tmp_path, said.append))
        call.start()
        call.join(WAIT)
        assert call.is_alive(), call.error
        folder.mkdir(parents=True)
        manifest = repository_extract / extract.MANIFEST
        for path in sorted(repository_extract.iterdir(), key=lambda p: p == manifest):
            os.link(path, folder / path.name)
    call.join()
    assert call.error is None, call.error
    assert call.result == extract.read_manifest(repository_extract)
    assert said == [f"checking the synthetic extract data/synthetic/{area}"]


def test_the_measures_are_read_once_another_process_has_aggregated_them(
    repository_extract: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    manifest = extract.read_manifest(repository_extract)
    made = extract.measures_cache(manifest, ROOT)
    cache = extract.measures_cache(manifest, tmp_path)
    monkeypatch.setattr(engine, "write_all", _never)
    with extract.exclusive(cache):  # another process is aggregating them
        call = Call(lambda: extract.compute_measures(repository_extract, manifest, tmp_path))
        call.start()
        call.join(WAIT)
        assert call.is_alive(), call.error
        os.link(made, cache)
    call.join()
    assert call.error is None, call.error
    assert call.result == cache
    assert sorted(p.name for p in cache.parent.iterdir()) == [f".{cache.name}.lock", cache.name]
