"""Publishing only where it is safe: ``--out`` must be new, empty or a site bbp built.

The refusals run on a small stand-in project (``_config.yml``, ``parameters/``, sources, data
and a ``.git``): the guard runs before anything reads the parameters, so a refusal that came
later would show as a different message. Every refusal leaves every file as it was.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from bbp_analysis import cli, pipeline
from bbp_analysis.site_folder import (
    MARKER,
    RULE,
    UnsafeOutputError,
    check_output,
    write_marker,
)


def snapshot(top: Path) -> dict[str, str]:
    """Every path under ``top`` with the SHA-256 of each file ("dir" for folders)."""
    listing = {}
    for path in sorted(top.rglob("*")):
        key = path.relative_to(top).as_posix()
        if path.is_symlink():
            listing[key] = f"link to {os.readlink(path)}"
        elif path.is_dir():
            listing[key] = "dir"
        else:
            listing[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return listing


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A stand-in checkout at ``tmp_path/work/project``, the current folder and BBP_ROOT."""
    root = tmp_path / "work" / "project"
    for name, text in {
        "_config.yml": "title: stand-in\n",
        "parameters/defaults.yaml": "area_code: 'E09000015'\n",
        "src/bbp_analysis/x.py": "X = 1\n",
        "book/index.ipynb": "{}\n",
        "data/delivery/workstreams.csv": "id\n1\n",
        "tests/test_x.py": "\n",
        ".git/HEAD": "ref: refs/heads/main\n",
    }.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    (tmp_path / "work" / "notes.txt").write_text("the user's own notes\n", encoding="utf-8")
    monkeypatch.chdir(root)
    monkeypatch.setenv("BBP_ROOT", str(root))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    return root


def marked_site(folder: Path, editions: tuple[str, ...] = ("2025-26",)) -> Path:
    """A small site as bbp publishes it: editions, root copy of the latest, marker."""
    for place in (*editions, "."):
        (folder / place / "book").mkdir(parents=True, exist_ok=True)
        (folder / place / "index.html").write_text("<p>review</p>", encoding="utf-8")
        (folder / place / "manifest.json").write_text('{"edition": "x"}', encoding="utf-8")
    listing = {"latest": editions[-1], "editions": list(editions)}
    (folder / "editions.json").write_text(json.dumps(listing), encoding="utf-8")
    write_marker(folder, list(editions))
    return folder


def no_build(*_args, **_kwargs):
    raise AssertionError("the build started although --out is unsafe")


def refused(args: list[str], tmp_path: Path, capsys: pytest.CaptureFixture) -> str:
    """Run ``bbp build ARGS``; check exit 2 before the build starts, one line, no traceback
    and no file changed."""
    before = snapshot(tmp_path)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pipeline, "build", no_build)
        status = cli.main(["build", "--period", "2025-26", *args])
    captured = capsys.readouterr()
    assert status == 2, captured.err
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert "Traceback" not in captured.err
    assert snapshot(tmp_path) == before
    assert lines[0].startswith("bbp build: error: ")
    assert f": {RULE}: " in lines[0]
    return lines[0]


def test_folder_holding_a_users_file_is_refused(project: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "work" / "mine"
    out.mkdir()
    (out / "thesis.docx").write_bytes(b"months of work")
    line = refused(["--out", str(out)], tmp_path, capsys)
    assert line == (
        f"bbp build: error: {out}: {RULE}: it is not empty and holds no site built by bbp "
        f"(no {MARKER} marker or manifest.json); publishing would delete what it holds; "
        "nothing was built or removed"
    )


def test_project_root_is_refused(project: Path, tmp_path: Path, capsys) -> None:
    line = refused(["--out", "."], tmp_path, capsys)
    assert line.endswith(f"{project}: {RULE}: it is the project root; nothing was built or removed")


@pytest.mark.parametrize("folder", ["data", "data/new-site", "parameters", "src", "book", ".git"])
def test_project_source_and_data_folders_are_refused(
    folder: str, project: Path, tmp_path: Path, capsys
) -> None:
    line = refused(["--out", folder], tmp_path, capsys)
    name = folder.split("/")[0]
    assert f"{project / folder}: {RULE}: it is the project's {name}/ folder or inside it" in line


def test_folder_containing_the_project_is_refused(project: Path, tmp_path: Path, capsys) -> None:
    line = refused(["--out", ".."], tmp_path, capsys)
    assert f"{project.parent}: {RULE}: it contains the project ({project})" in line
    line = refused(["--out", str(tmp_path)], tmp_path, capsys)
    assert "it contains the project" in line


def test_home_and_file_system_root_are_refused(project: Path, tmp_path: Path, capsys) -> None:
    assert "it is the home folder" in refused(["--out", str(tmp_path / "home")], tmp_path, capsys)
    assert "it is the file-system root" in refused(["--out", "/"], tmp_path, capsys)


def test_symlinks_and_relative_paths_are_resolved_first(
    project: Path, tmp_path: Path, capsys
) -> None:
    (tmp_path / "work" / "looks-new").symlink_to(project, target_is_directory=True)
    line = refused(["--out", str(tmp_path / "work" / "looks-new")], tmp_path, capsys)
    assert f"{project}: {RULE}: it is the project root" in line
    line = refused(["--out", "book/../data/../."], tmp_path, capsys)
    assert "it is the project root" in line


def test_file_and_foreign_file_inside_a_previous_site_are_refused(
    project: Path, tmp_path: Path, capsys
) -> None:
    site = marked_site(tmp_path / "work" / "site")
    (site / "book" / "my-notes.txt").write_text("keep me", encoding="utf-8")
    line = refused(["--out", str(site)], tmp_path, capsys)
    assert "holds 'book/my-notes.txt', which the site it holds was not published with" in line
    assert "it is a file, not a folder" in refused(
        ["--out", str(tmp_path / "work" / "notes.txt")], tmp_path, capsys
    )


def test_the_build_function_refuses_before_any_work(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline, "_build", no_build)
    with pytest.raises(UnsafeOutputError, match="it is the project root"):
        pipeline.build("2025-26", Path("."))
    with pytest.raises(UnsafeOutputError, match="it contains the project"):
        pipeline.build("2025-26", Path(".."), area="E09000005")


def test_allowed_outputs(project: Path, tmp_path: Path) -> None:
    assert check_output(Path("_build/html"), project) == project / "_build" / "html"
    empty = tmp_path / "work" / "empty"
    empty.mkdir()
    assert check_output(empty, project) == empty
    site = marked_site(tmp_path / "work" / "site", ("2024-25", "2025-26"))
    assert check_output(site, project) == site


def legacy_site(folder: Path) -> Path:
    """A site as the version before the marker published it: manifest.json, no marker."""
    marked_site(folder, ("2024-25", "2025-26"))
    (folder / MARKER).unlink()
    return folder


def test_site_from_before_the_marker_is_recognised(project: Path, tmp_path: Path) -> None:
    site = legacy_site(project / "_build" / "html")
    assert check_output(Path("_build/html"), project) == site
    (site / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(UnsafeOutputError, match=r"holds 'notes\.txt', which is not part of"):
        check_output(site, project)
    (site / "notes.txt").unlink()
    (site / "book" / "draft.md").write_text("mine", encoding="utf-8")
    with pytest.raises(UnsafeOutputError, match=r"holds 'book/draft\.md'"):
        check_output(site, project)
    (site / "book" / "draft.md").unlink()
    (site / "editions.json").write_text('{"latest": "2026-27", "editions": []}')
    with pytest.raises(UnsafeOutputError, match="not those of a site this program built"):
        check_output(site, project)


def new_site(stage: Path, text: str) -> Path:
    site = stage / "site"
    (site / "2025-26").mkdir(parents=True)
    (site / "2025-26" / "index.html").write_text(text, encoding="utf-8")
    (site / "index.html").write_text(text, encoding="utf-8")
    (site / "editions.json").write_text('{"latest": "2025-26", "editions": ["2025-26"]}')
    return site


def test_publish_replaces_a_previous_site_and_stamps_the_new_one(tmp_path: Path) -> None:
    out = legacy_site(tmp_path / "html")
    pipeline.publish(new_site(tmp_path / "one", "first"), out)
    assert (out / "index.html").read_text() == "first"
    assert not (out / "2024-25").exists()  # the old site went, whole
    stamp = json.loads((out / MARKER).read_text())
    assert stamp["program"] == "bbp-review" and stamp["editions"] == ["2025-26"]
    assert stamp["files"] == ["2025-26/index.html", "editions.json", "index.html"]
    pipeline.publish(new_site(tmp_path / "two", "second"), out)  # over its own marked site
    assert (out / "index.html").read_text() == "second"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["html", "one", "two"]


def test_publish_checks_again_before_the_swap(tmp_path: Path) -> None:
    out = marked_site(tmp_path / "html")
    (out / "added-meanwhile.txt").write_text("mine", encoding="utf-8")
    before = snapshot(out)
    with pytest.raises(UnsafeOutputError, match=r"added-meanwhile\.txt"):
        pipeline.publish(new_site(tmp_path / "stage", "new"), out)
    assert snapshot(out) == before
