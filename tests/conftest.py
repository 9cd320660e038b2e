"""Shared fixtures: a disposable copy of the project, the ``bbp`` command line, and the
default site (every edition) built once per test session, shared by every test that only
reads it (and by every pytest-xdist worker)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fingertips_fixture import write_fixture

from bbp_analysis.extract import extract_folder
from bbp_analysis.params import load_parameters

from support import (
    ROOT,
    copy_project,
    once_per_session,
    prepare_shared_data,
    run_bbp,
    shared_folder,
    stop_session_kernel_server,
)

CHANGED_PERIOD = "2023-24"  # a period before the latest, built on its own
CHANGED_CONFIDENCE = 0.998  # the defaults' 0.95 changed

# The files that take longest, longest first, so pytest-xdist (``--dist loadfile
# --no-loadscope-reorder``, scripts/test) starts them first and the short files fill the gaps.
# The first makes the session's default build (four editions) on one worker. In a fresh clone
# it starts by generating the repository's extract and measures (about 15 s), which every
# build and Spark wait for, so the other worker starts with files that read no data (kernel
# servers, then files with data of their own), then runs Spark, which does not need the
# default build (no test module reads the data when it is collected). The other long builds
# come after them (the PCN views start from the default build's caches, ready by then), then
# the files reading the default build. Every other file follows in collection order. (A one-edition
# build also runs the results cells of the three objective chapters for every earlier period,
# for its what-changed page, unless those chapters' full runs are cached: a cold 2025-26 build
# is 5 notebook runs and 9 results runs; the first period has none.)
LONG_FILES = (
    "tests/test_build.py",  # the default build (20 notebook runs), then the changed build
    "tests/perf/test_kernel_server.py",  # kernel servers started and stopped, no data read
    # files that read none of the repository's data either (the measures' files make a small
    # extract of their own), while the first worker generates it
    "tests/measures/test_cells.py",
    "tests/measures/test_catalogue_measures.py",
    "tests/test_chart_style.py",
    "tests/perf/test_book_builds.py",
    "tests/synth/test_streaming.py",
    "tests/measures/test_spark.py",  # a Spark session
    "tests/test_next_period.py",  # a fresh clone: full-scale extract to 2026-27, one edition
    "tests/test_pcn_views.py",  # three PCNs' editions (5 runs each)
    "tests/test_pcn_views_rest.py",  # the other two PCNs' editions (the same)
    "tests/test_foreign_extract.py",  # a quarter-scale extract, one edition
    "tests/perf/test_area.py",  # two small eight-borough extracts, Brent's edition
    "tests/site/test_honesty.py",  # reads the changed build (test_build.py's by then)
    "tests/site/test_browser.py",  # Chromium over older editions' reader pages, files checked
    "tests/site/test_browser_a11y.py",  # axe-core over every page of the latest edition
    "tests/audit/test_edition_audit.py",  # a failing rebuild of 2022-23, four bbp commands
    "tests/chapters/test_objective_2.py",  # one notebook run
    "tests/chapters/test_objective_3.py",  # one notebook run
    "tests/perf/test_incremental.py",  # a no-change rebuild of four editions
    "tests/delivery/test_board_paper.py",  # two board papers
    "tests/bad_inputs/test_corpus.py",  # about 290 cases
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run :data:`LONG_FILES` first, in that order (a stable sort: tests keep their order
    within a file)."""
    rank = {name: index for index, name in enumerate(LONG_FILES)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::", 1)[0], len(rank)))


@pytest.fixture(scope="session", autouse=True)
def session_kernels() -> Iterator[None]:
    """The kernel server the session's ``bbp`` commands share (``run_bbp``), stopped at the
    end (it starts only when a command that runs notebooks first needs it)."""
    yield
    stop_session_kernel_server()


@pytest.fixture
def bbp():
    """The ``bbp`` command line as a function: ``bbp("build", root=...)``."""
    return run_bbp


@pytest.fixture(scope="session")
def repository_extract() -> Path:
    """The folder of the repository's default extract (Harrow, the default seed), generated
    and aggregated when absent, once per session whichever worker asks first: for tests
    that read its files themselves."""
    prepare_shared_data()
    return extract_folder(load_parameters(None, ROOT)["area_code"], ROOT)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")


def _build_default(folder: Path) -> str | None:
    project = copy_project(folder / "project")
    result = run_bbp("build", "--out", str(folder / "site"), root=project, timeout=3000)
    return None if result.returncode == 0 else f"bbp build failed:\n{result.stderr[-3000:]}"


@pytest.fixture(scope="session")
def default_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(project copy, its site) after ``bbp build`` of every edition, built once per session
    by whichever worker needs it first; tests must not change either (copy them first)."""
    folder = once_per_session(shared_folder(tmp_path_factory) / "default-build", _build_default)
    return folder / "project", folder / "site"


def _build_changed(folder: Path) -> str | None:
    project = copy_project(folder / "project")
    defaults = project / "parameters" / "defaults.yaml"
    text = defaults.read_text(encoding="utf-8")
    assert text.count("confidence: 0.95\n") == 1
    defaults.write_text(
        text.replace("confidence: 0.95\n", f"confidence: {CHANGED_CONFIDENCE}\n"),
        encoding="utf-8",
    )
    write_fixture(project / "data" / "published" / "indicator-data.csv")
    out = folder / "site"
    result = run_bbp("build", "--period", CHANGED_PERIOD, "--out", str(out), root=project)
    (folder / "progress.log").write_text(result.stderr, encoding="utf-8")
    return None if result.returncode == 0 else f"bbp build failed:\n{result.stderr[-3000:]}"


@pytest.fixture(scope="session")
def changed_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path, Path]:
    """(progress log, project copy, its site) of ``bbp build --period 2023-24`` in a fresh
    copy of the project (no executed notebook to reuse: every notebook runs) whose parameters
    are changed (``confidence: 0.998``) and whose published folder holds a Fingertips export
    (``fingertips_fixture``): one cold build of a period before the latest, read by the build
    tests and the honesty test. Built once per session; tests must not change it."""
    folder = once_per_session(shared_folder(tmp_path_factory) / "changed-build", _build_changed)
    log = (folder / "progress.log").read_text(encoding="utf-8")
    return log, folder / "project", folder / "site"


@pytest.fixture(scope="session")
def built_edition(default_build: tuple[Path, Path]) -> tuple[Path, Path]:
    """(project copy, its site) holding the 2025-26 edition at ``site/2025-26`` and, as the
    latest, at the site root (the session's default build)."""
    return default_build


@pytest.fixture
def warm_project(tmp_path: Path, default_build: tuple[Path, Path]) -> Path:
    """A fresh copy of the project that starts from the default build's notebook and edition
    caches: a build re-runs only what the test changes."""
    return copy_project(tmp_path / "project", caches_from=default_build[0])
