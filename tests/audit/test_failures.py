"""Failures while running: a cell timeout, a dying kernel, a full disk. Each stops with one clear
line and leaves the previous site as it was."""

from __future__ import annotations

import errno
from pathlib import Path

import nbformat
import pytest

from bbp_analysis import cli, pipeline
from bbp_analysis.errors import BuildError
from bbp_analysis.runner import NotebookJob, execute, execute_uncached
from bbp_analysis.site_folder import write_marker

from support import ROOT, copy_project


def notebook(path: Path, source: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata["language_info"] = {"name": "python"}
    parameters = nbformat.v4.new_code_cell("x = 1")
    parameters.metadata["tags"] = ["parameters"]
    nb.cells = [parameters, nbformat.v4.new_code_cell(source)]
    nbformat.write(nb, path)
    return path


def test_cell_timeout_is_one_clear_line(tmp_path: Path) -> None:
    template = notebook(tmp_path / "slow.ipynb", "import time\ntime.sleep(60)")
    with pytest.raises(BuildError) as caught:
        execute(template, tmp_path / "out.ipynb", {"x": 2}, 2, ROOT)
    assert str(caught.value) == "slow.ipynb: a cell ran longer than 2 s (cell_timeout_seconds)"


def test_dying_kernel_is_one_clear_line(tmp_path: Path) -> None:
    template = notebook(tmp_path / "dies.ipynb", "import os\nos._exit(1)")
    with pytest.raises(BuildError) as caught:
        execute(template, tmp_path / "out.ipynb", {"x": 2}, 60, ROOT)
    assert str(caught.value) == (
        "dies.ipynb: the notebook's kernel died while running a cell (out of memory, or the "
        "code ended the process)"
    )


def test_uncached_runs_report_the_first_failure_in_list_order(tmp_path: Path) -> None:
    """``bbp verify``'s runs, side by side: each notebook is executed into its own output,
    and of two failures the one earlier in the list is reported, whichever failed first."""
    ok = notebook(tmp_path / "ok.ipynb", "print(x * 3)")
    late = notebook(tmp_path / "late.ipynb", "import time\ntime.sleep(2)\nraise ValueError('late')")
    soon = notebook(tmp_path / "soon.ipynb", "raise KeyError('soon')")
    (tmp_path / "out").mkdir()
    jobs = [NotebookJob(t, tmp_path / "out" / t.name, {"x": 2}, t.stem) for t in (ok, late, soon)]
    lines: list[str] = []
    with pytest.raises(BuildError) as caught:
        execute_uncached(jobs, 60, ROOT, lines.append)
    assert str(caught.value) == "late.ipynb: cell 2 raised ValueError: late"
    executed = nbformat.read(tmp_path / "out" / "ok.ipynb", as_version=4)
    assert executed.cells[-1].outputs[0]["text"] == "6\n"
    assert "executing ok" in lines and "executing soon" in lines


def previous_site(out: Path) -> bytes:
    """A one-page site stamped as published by bbp, so a build may replace it."""
    (out / "book").mkdir(parents=True)
    page = out / "book" / "index.html"
    page.write_text("<p>the previous edition</p>", encoding="utf-8")
    write_marker(out, ["2025-26"])
    return page.read_bytes()


@pytest.mark.parametrize("keep", [False, True], ids=["staging-cleaned", "staging-kept"])
def test_full_disk_leaves_previous_site(
    keep: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    project = copy_project(tmp_path / "project")
    monkeypatch.setenv("BBP_ROOT", str(project))
    out = tmp_path / "site"
    before = previous_site(out)

    def disk_full(editions, stage, *_):
        (stage / "editions" / editions[0]["period"]).mkdir(parents=True)
        raise OSError(errno.ENOSPC, "No space left on device", str(stage / "editions"))

    monkeypatch.setattr(pipeline, "build_editions", disk_full)
    args = ["build", "--period", "2025-26", "--out", str(out)] + (
        ["--keep-staging"] if keep else []
    )
    assert cli.main(args) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1] == (
        "bbp build: error: file system error while building: No space left on device "
        f"({tmp_path / '.site.staging' / 'editions'}); nothing was published and the previous "
        "site is untouched"
    )
    assert (out / "book" / "index.html").read_bytes() == before
    assert sorted(p.name for p in out.rglob("*")) == [".bbp-site", "book", "index.html"]
    assert (tmp_path / ".site.staging").exists() == keep
