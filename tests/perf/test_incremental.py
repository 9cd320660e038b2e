"""Incremental, parallel notebook runs: a rebuild executes only what changed, and a rebuild
with nothing changed reuses every edition whole."""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import nbformat
import pytest

from bbp_analysis import runner
from bbp_analysis.errors import BuildError
from bbp_analysis.pipeline import check_template_parameters

from support import run_bbp, stand_in_kernels

PARAMS = {"period": "2025-26", "confidence": 0.95, "suppression_threshold": 10}


def template(folder: Path, name: str, declared: dict[str, Any], body: str) -> Path:
    """A tiny template: a tagged parameters cell declaring ``declared``, then ``body``."""
    nb = nbformat.v4.new_notebook()
    parameters = nbformat.v4.new_code_cell("\n".join(f"{k} = {v!r}" for k, v in declared.items()))
    parameters.metadata["tags"] = ["parameters"]
    nb.cells = [parameters, nbformat.v4.new_code_cell(body)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nb.metadata["language_info"] = {"name": "python"}
    path = folder / name
    nbformat.write(nb, path)
    return path


@pytest.fixture
def project(tmp_path: Path) -> Path:
    book = tmp_path / "project" / "book"
    book.mkdir(parents=True)
    template(book, "a.ipynb", {"period": "", "confidence": 0.0}, "print(period, confidence)")
    template(book, "b.ipynb", {"period": ""}, "print(period)")
    return tmp_path / "project"


def jobs(root: Path, stage: Path, params: dict[str, Any], inputs: str = "x") -> list:
    return [
        runner.NotebookJob(
            template=path,
            output=stage / "book" / path.name,
            parameters=check_template_parameters(path, params),
            label=path.name,
            inputs=inputs,
        )
        for path in sorted((root / "book").glob("*.ipynb"))
    ]


@pytest.fixture
def executed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Replace papermill by a stand-in that records each run and writes its parameters as
    the notebook's only output and a download, so runs are counted without kernels."""
    calls: list[str] = []

    def fake_execute(template: Path, output: Path, parameters: dict, timeout: int, root: Path):
        calls.append(template.name)
        nb = nbformat.read(template, as_version=4)
        nb.cells[1].outputs = [nbformat.v4.new_output("stream", text=repr(sorted(parameters)))]
        nb.metadata["papermill"] = {"input_path": str(template), "output_path": str(output)}
        nbformat.write(nb, output)
        (output.parent.parent / "_extra" / "downloads" / f"{template.stem}.csv").write_text(
            f"value\n{parameters['period']}\n"
        )

    stand_in_kernels(monkeypatch, fake_execute)
    return calls


def run(root: Path, stage: Path, params: dict[str, Any], inputs: str = "x") -> runner.RunSummary:
    return runner.run_notebooks(jobs(root, stage, params, inputs), 60, root, lambda _m: None)


def test_first_run_executes_everything_and_fills_the_stage(project, executed, tmp_path):
    summary = run(project, tmp_path / "stage", PARAMS)
    assert sorted(executed) == ["a.ipynb", "b.ipynb"]
    assert summary.executed == ["a.ipynb", "b.ipynb"] and summary.skipped == []
    assert (tmp_path / "stage" / "book" / "a.ipynb").is_file()
    assert (tmp_path / "stage" / "_extra" / "downloads" / "b.csv").read_text() == (
        "value\n2025-26\n"
    )


def test_no_change_rebuild_executes_nothing_and_restores_outputs(project, executed, tmp_path):
    run(project, tmp_path / "first", PARAMS)
    executed.clear()
    summary = run(project, tmp_path / "second", PARAMS)
    assert executed == []
    assert summary.skipped == ["a.ipynb", "b.ipynb"] and summary.executed == []
    for name in ("book/a.ipynb", "book/b.ipynb", "_extra/downloads/a.csv"):
        assert (tmp_path / "second" / name).read_bytes() == (tmp_path / "first" / name).read_bytes()


def test_one_parameter_change_reexecutes_only_the_notebooks_declaring_it(
    project, executed, tmp_path
):
    run(project, tmp_path / "first", PARAMS)
    executed.clear()
    summary = run(project, tmp_path / "second", {**PARAMS, "confidence": 0.99})
    assert executed == ["a.ipynb"]  # b.ipynb does not declare confidence
    assert summary.skipped == ["b.ipynb"]


def test_changed_inputs_template_or_package_reexecute(project, executed, tmp_path, monkeypatch):
    run(project, tmp_path / "s1", PARAMS)
    executed.clear()
    run(project, tmp_path / "s2", PARAMS, inputs="new extract")
    assert sorted(executed) == ["a.ipynb", "b.ipynb"]
    executed.clear()
    template(project / "book", "b.ipynb", {"period": ""}, "print('changed', period)")
    run(project, tmp_path / "s3", PARAMS, inputs="new extract")
    assert executed == ["b.ipynb"]
    executed.clear()
    monkeypatch.setattr(runner, "source_hash", lambda: "another package version")
    run(project, tmp_path / "s4", PARAMS, inputs="new extract")
    assert sorted(executed) == ["a.ipynb", "b.ipynb"]


def results_only(root: Path, stage: Path, reduced: Path) -> list[runner.NotebookJob]:
    """``jobs``' runs as results-only runs: each template with its body cut short, in
    ``reduced``, with the key of the full run it has the same results as."""
    reduced.mkdir(exist_ok=True)
    out = []
    for job in jobs(root, stage, PARAMS):
        nb = nbformat.read(job.template, as_version=4)
        nb.cells[1].source = "pass"
        nbformat.write(nb, reduced / job.template.name)
        key = runner.job_key(job)
        out.append(replace(job, template=reduced / job.template.name, same_results_as=key))
    return out


def test_a_results_only_run_is_restored_from_its_cached_full_run(project, executed, tmp_path):
    """An earlier period's results-only run is not executed when its chapter's full run is
    cached (e.g. by a build of every edition): the stage gets the full run's outputs."""
    run(project, tmp_path / "full", PARAMS)
    executed.clear()
    messages: list[str] = []
    earlier = results_only(project, tmp_path / "earlier", tmp_path / "reduced")
    summary = runner.run_notebooks(earlier, 60, project, messages.append)
    assert executed == []
    assert summary.skipped == ["a.ipynb", "b.ipynb"] and summary.executed == []
    assert messages[0].startswith("skipped a.ipynb (its full run's results; cached ")
    for name in ("book/a.ipynb", "_extra/downloads/b.csv"):
        assert (tmp_path / "earlier" / name).read_bytes() == (tmp_path / "full" / name).read_bytes()


def test_a_results_only_run_executes_when_its_full_run_is_not_cached(project, executed, tmp_path):
    earlier = results_only(project, tmp_path / "earlier", tmp_path / "reduced")
    summary = runner.run_notebooks(earlier, 60, project, lambda _m: None)
    assert sorted(executed) == ["a.ipynb", "b.ipynb"]
    assert summary.executed == ["a.ipynb", "b.ipynb"]
    executed.clear()
    run(project, tmp_path / "full", PARAMS)  # its own key is not the results-only run's
    assert sorted(executed) == ["a.ipynb", "b.ipynb"]


def test_a_failed_notebook_is_not_cached_and_names_itself(project, monkeypatch, tmp_path):
    def failing(template: Path, output: Path, *_args) -> None:
        raise BuildError(f"{template.name}: cell 1 raised ValueError: bad")

    stand_in_kernels(monkeypatch, failing)
    with pytest.raises(BuildError, match=r"^a\.ipynb: cell 1 raised ValueError"):
        run(project, tmp_path / "stage", PARAMS)
    assert list(runner.cache_dir(project).iterdir()) == []


def test_source_hash_covers_the_package_sql(tmp_path):
    sql = runner.PACKAGE / "measures" / "sql" / "carers.sql"
    expected = runner.hash_files([sql], runner.PACKAGE)
    (tmp_path / "measures" / "sql").mkdir(parents=True)
    (tmp_path / "measures" / "sql" / "carers.sql").write_bytes(sql.read_bytes() + b"\n")
    assert runner.hash_files([tmp_path / "measures/sql/carers.sql"], tmp_path) != expected
    (tmp_path / "measures" / "sql" / "carers.sql").write_bytes(sql.read_bytes())
    assert runner.hash_files([tmp_path / "measures/sql/carers.sql"], tmp_path) == expected


@pytest.mark.slow
def test_real_kernels_run_side_by_side_and_write_downloads(tmp_path, capfd):
    root = tmp_path / "project"
    (root / "book").mkdir(parents=True)
    body = (
        "from pathlib import Path\n"
        "out = Path('..') / '_extra' / 'downloads'\n"
        "out.mkdir(parents=True, exist_ok=True)\n"
        "(out / f'{name}.csv').write_text(f'n\\n{n * 2}\\n')\n"
        "print(n * 2)"
    )
    for name in ("one", "two"):
        template(root / "book", f"{name}.ipynb", {"name": "", "n": 0}, body)
    stage = tmp_path / "stage"
    todo = [
        runner.NotebookJob(
            template=root / "book" / f"{name}.ipynb",
            output=stage / "book" / f"{name}.ipynb",
            parameters={"name": name, "n": n},
            label=name,
        )
        for name, n in (("one", 1), ("two", 21))
    ]
    summary = runner.run_notebooks(todo, 120, root, lambda _m: None, workers=2)
    assert summary.executed == ["one", "two"]
    printed = nbformat.read(stage / "book" / "two.ipynb", as_version=4).cells[-1].outputs
    assert printed[0]["text"] == "42\n"
    assert (stage / "_extra" / "downloads" / "one.csv").read_text() == "n\n2\n"
    # a clean shutdown prints nothing: no "[IPKernelApp] ERROR | KeyboardInterrupt caught"
    out, err = capfd.readouterr()
    assert "ERROR" not in out + err
    again = runner.run_notebooks(todo, 120, root, lambda _m: None, workers=2)
    assert again.skipped == ["one", "two"]


def test_kernel_shutdown_sends_no_interrupt(monkeypatch):
    """jupyter_client interrupts (SIGINT) before each shutdown request, and ipykernel logs that
    as "ERROR | KeyboardInterrupt caught in kernel"; our manager skips it on shutdown only."""
    sent: list[bool] = []

    async def record(self):
        sent.append(self.shutting_down)

    monkeypatch.setattr(runner.AsyncKernelManager, "_async_interrupt_kernel", record)
    manager = runner.LocalKernelManager(kernel_name="python3")

    async def cycle():
        await manager.start_kernel()
        await manager._async_interrupt_kernel()  # a running cell is still interrupted
        await manager.shutdown_kernel()

    # In a thread of its own: another test in this worker may hold a running event loop
    # (Playwright's sync API does, while the session's browser is open).
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, cycle()).result()
    assert sent == [False]


def site_files(site: Path) -> dict[Path, bytes]:
    """Every file of a published site by relative path, but its ``.bbp-site`` marker (which
    records when it was published)."""
    return {
        path.relative_to(site): path.read_bytes()
        for path in site.rglob("*")
        if path.is_file() and path.name != ".bbp-site"
    }


@pytest.mark.slow
def test_a_rebuild_with_nothing_changed_reuses_every_edition_whole(
    default_build: tuple[Path, Path], warm_project: Path, tmp_path: Path
) -> None:
    """No notebook, page, Jupyter Book build or board paper runs again: each edition is
    copied back from the edition cache, and the site is the first build's, byte for byte."""
    _, first = default_build
    out = tmp_path / "site"
    result = run_bbp("build", "--out", str(out), root=warm_project)
    assert result.returncode == 0, result.stderr[-3000:]
    editions = json.loads((first / "editions.json").read_text())["editions"]
    for period in editions:
        assert f"{period}: reused the whole edition (unchanged; cached " in result.stderr
    for step in ("executing", "writing what changed", "building the book", "board paper"):
        assert step not in result.stderr
    assert "disclosure audit: no findings" in result.stderr
    assert site_files(out) == site_files(first)
