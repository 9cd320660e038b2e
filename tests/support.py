"""Test support: a disposable copy of the project, and the ``bbp`` command run on it."""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from filelock import FileLock

from bbp_analysis import kernel_server, runner
from bbp_analysis.extract import prepare
from bbp_analysis.measures import list_measures
from bbp_analysis.params import SPEC, RunParameters, load_parameters

ROOT = Path(__file__).resolve().parents[1]
PROJECT_PARTS = (
    "_config.yml",
    "_toc.yml",
    "book",
    "parameters",
    "data/reference",
    "data/delivery",
    "data/published",
)
# Generated, not committed: shared with copies (when present) so each copy need not regenerate.
# ``_build/cache`` holds the measure cache and the record of input checks passed (seeded by
# :func:`prepare_shared_data`), so a copy's build checks only the inputs its test changed.
GENERATED_PARTS = ("data/synthetic", "_build/cache")
#: Files a build appends to (the record of input checks passed): copied, never hard-linked.
APPENDED = "input-checks"
# A build's caches (executed notebooks, whole editions), shared by :func:`copy_project`'s
# ``caches_from``: entries are only read and new ones added, so hard links are safe. The
# audit's record of clean files is appended to, so it is copied.
RUN_PARAMS = RunParameters(
    {
        name: value
        for name, value in load_parameters("2025-26", ROOT).as_dict().items()
        if SPEC[name].notebook
    }
)
"""The default extract's 2025-26 run parameters, as a notebook receives them (Harrow,
E09000015, the borough view, 95% intervals, counts below 10 suppressed, seed 20220401)."""
BUILD_CACHES = ("_build/notebook-cache", "_build/edition-cache")
AUDIT_CACHE = "_build/audit-cache"


def copy_project(target: Path, caches_from: Path | None = None) -> Path:
    """Copy what a build reads (not the environment, not earlier builds) into ``target``;
    with ``caches_from`` (a project copy built before), also its notebook and edition caches,
    so a build of the copy re-runs only what the test changed."""
    for part in PROJECT_PARTS:
        source = ROOT / part
        destination = target / part
        destination.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, destination)
        else:
            shutil.copy2(source, destination)
    prepare_shared_data()
    for part in GENERATED_PARTS:
        shutil.copytree(ROOT / part, target / part, copy_function=_link_unless_appended)
    for part in BUILD_CACHES if caches_from else ():
        if (caches_from / part).is_dir():
            shutil.copytree(caches_from / part, target / part, copy_function=link_or_copy)
    if caches_from and (caches_from / AUDIT_CACHE).is_dir():
        shutil.copytree(caches_from / AUDIT_CACHE, target / AUDIT_CACHE)
    return target


@functools.cache
def prepare_shared_data() -> None:
    """Generate the repository's default extract and measure cache, and record its inputs'
    checks as passed (``bbp validate``), once per test session (under a file lock:
    pytest-xdist workers share the repository's data folder). Copies then start from that
    record, as a rebuild does: a build checks again only the files its test changed."""
    from bbp_analysis.inputs import passed_record

    with repository_data_lock():
        defaults = load_parameters(None, ROOT)
        prepare(defaults["area_code"], defaults["synthetic_seed"], ROOT)
        if not passed_record(ROOT).is_file():
            checked = run_bbp("validate", root=ROOT)
            if checked.returncode != 0:
                raise RuntimeError(f"bbp validate of the repository failed: {checked.stderr}")


def repository_data_lock() -> FileLock:
    """Held while a test generates the repository's own extract or measures: pytest-xdist
    workers share the repository's data folder."""
    (ROOT / "_build").mkdir(exist_ok=True)
    return FileLock(str(ROOT / "_build" / ".tests-data.lock"))


def shared_folder(factory: pytest.TempPathFactory) -> Path:
    """A temporary folder all pytest-xdist workers of this session share (each worker's own
    base folder sits inside it); the session's base folder when not distributed."""
    base = factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def once_per_session(folder: Path, make: Callable[[Path], str | None]) -> Path:
    """``folder`` after ``make(folder)`` ran exactly once per test session, whichever worker
    asks first (the others wait on a file lock). ``make`` returns None on success or the
    reason it failed; a failure (or an exception) is recorded, so every test that needs it
    fails with that reason instead of trying again."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    done, failed = (
        folder.with_name(f"{folder.name}.made"),
        folder.with_name(f"{folder.name}.failed"),
    )
    with FileLock(str(folder.with_name(f"{folder.name}.lock"))):
        if not done.is_file() and not failed.is_file():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            try:
                reason = make(folder)
            except Exception as exc:  # recorded, so the other workers do not try again
                failed.write_text(f"{type(exc).__name__}: {exc}", encoding="utf-8")
                raise
            if reason is None:
                done.touch()
            else:
                failed.write_text(reason, encoding="utf-8")
    if failed.is_file():
        pytest.fail(f"{folder.name}: {failed.read_text(encoding='utf-8')}", pytrace=False)
    return folder


def tables_by_measure(measures_file: Path) -> dict[str, pd.DataFrame]:
    """A file ``engine.write_all`` wrote (a measure cache), one table per measure file, as
    ``engine.run_all`` returns them."""
    table = pq.read_table(measures_file)
    return {
        name: table.filter(pc.equal(table["query"], name)).drop_columns(["query"]).to_pandas()
        for name in list_measures()
    }


def executed_notebook(project: Path, name: str, period: str, pcn: str | None = None) -> Path:
    """The cache entry (``book/<name>``, ``_extra/``) of notebook ``name`` as a build of
    ``project`` executed it for ``period`` and ``pcn`` (papermill records the parameters in
    the notebook's metadata); fails the test when that build ran no such notebook."""
    import nbformat

    from bbp_analysis.runner import cache_dir

    for entry in sorted(cache_dir(project).iterdir()):
        notebook = entry / "book" / name
        if notebook.is_file():
            given = nbformat.read(notebook, as_version=4).metadata["papermill"]["parameters"]
            if given["period"] == period and given.get("pcn") == pcn:
                return entry
    pytest.fail(f"{project}: no executed {name} for {period} (pcn {pcn})", pytrace=False)


def _link_unless_appended(source: str, destination: str) -> None:
    """:func:`link_or_copy`, except for the files a build appends to (:data:`APPENDED`),
    which are copied so that one copy's build never writes into another's."""
    if APPENDED in Path(source).parts:
        shutil.copy2(source, destination)
    else:
        link_or_copy(source, destination)


def link_or_copy(source: str, destination: str) -> None:
    """Hard-link (cheap, read-only use) or copy when across file systems."""
    try:
        os.link(source, destination)
    except OSError:
        shutil.copy2(source, destination)


def stand_in_kernels(monkeypatch: pytest.MonkeyPatch, execute: Callable[..., None]) -> None:
    """Notebook runs go to ``execute`` (a stand-in for papermill and its kernel) instead of
    :func:`bbp_analysis.runner.execute`, and no kernel server starts: a stand-in runs no
    kernel, and a server would still import numpy, pandas, matplotlib and statsmodels for it
    (measured: ``tests/perf/test_edition_cache.py`` took 26.3 CPU s with servers, 3.8 without)."""
    monkeypatch.setattr(runner, "execute", execute)
    monkeypatch.setenv(kernel_server.OPT_OUT, "0")


NOTEBOOK_COMMANDS = ("build", "verify", "reproduce")
"""The ``bbp`` commands that run notebooks (and so would start a kernel server each)."""
_SESSION_KERNELS = contextlib.ExitStack()


@functools.cache
def session_kernel_server() -> str | None:
    """The socket of one kernel server that this test process's ``bbp`` commands fork their
    notebooks' kernels from (:func:`run_bbp` names it in ``$BBP_KERNEL_SERVER``): started on
    first use, in the kernels' environment, with the imports of the repository's notebooks,
    as a build starts its own, and stopped by :func:`stop_session_kernel_server`. Each of
    those commands would otherwise start a server and import the same libraries again (about
    1.7 CPU s each, 14 commands in a full run). None where forking is unavailable."""
    templates = sorted((ROOT / "book").glob("*.ipynb"))
    with runner.kernel_environment(ROOT):
        server = _SESSION_KERNELS.enter_context(runner.kernel_server(templates))
    if server is None or not server.ready():
        _SESSION_KERNELS.close()
        return None
    return server.path


def stop_session_kernel_server() -> None:
    """Stop :func:`session_kernel_server`'s server, if it started (at the session's end)."""
    _SESSION_KERNELS.close()


def run_chapter(template: str, folder: Path, parameters: dict) -> Path:
    """Run the repository's notebook ``book/<template>`` with ``parameters`` into
    ``folder/book`` (its downloads and results go to ``folder/_extra``) as a build runs it
    (:func:`bbp_analysis.runner.execute_uncached`), its kernel forked from
    :func:`session_kernel_server` rather than a new Python importing the libraries again
    (objective 2 for one PCN: 3.5 machine CPU s, against 5.5 s with a new Python); the
    executed notebook's path."""
    output = folder / "book" / template
    output.parent.mkdir(parents=True, exist_ok=True)
    job = runner.NotebookJob(
        template=ROOT / "book" / template, output=output, parameters=parameters, label=template
    )
    with pytest.MonkeyPatch.context() as patch:
        for name, value in session_kernels_env().items():
            patch.setenv(name, value)
        runner.execute_uncached([job], timeout=900, root=ROOT, progress=lambda _: None)
    return output


def session_kernels_env() -> dict[str, str]:
    """The environment that forks a notebook run's kernels from
    :func:`session_kernel_server` (``$BBP_KERNEL_SERVER`` naming its socket); empty when the
    test chose its kernels itself (``$BBP_KERNEL_SERVER`` set) or no server could start."""
    if kernel_server.OPT_OUT in os.environ or (socket := session_kernel_server()) is None:
        return {}
    return {kernel_server.OPT_OUT: socket}


def run_bbp(*args: str, root: Path = ROOT, timeout: int = 900) -> subprocess.CompletedProcess:
    """Run the installed ``bbp`` command line against the project at ``root``; a command that
    runs notebooks forks their kernels from :func:`session_kernel_server`, unless the test
    chose its kernels itself (``$BBP_KERNEL_SERVER`` set)."""
    env = {**os.environ, "BBP_ROOT": str(root)}
    if args and args[0] in NOTEBOOK_COMMANDS:
        env.update(session_kernels_env())
    command = [str(Path(sys.executable).with_name("bbp")), *args]
    return subprocess.run(
        command, capture_output=True, text=True, env=env, timeout=timeout, check=False
    )


def chapter_headlines(params: dict) -> list:
    """Every chapter's headlines, from the chapter modules' own functions (what each chapter
    run writes to the edition's results file)."""
    from bbp_analysis.chapters import objective_1, objective_2, objective_3

    return [
        item
        for chapter in (objective_1, objective_2, objective_3)
        for item in chapter.headline_measures(params)
    ]


def write_results(extra: Path, items: list, period: str) -> Path:
    """An edition's results file in ``extra`` holding ``items``, as a build assembles it."""
    from bbp_analysis import results

    results.write_fragment("chapters", items, extra)
    return results.assemble(extra, period, {})
