"""The whole-edition cache: what an edition's key covers, editions built side by side (with
stand-ins for the kernel and the book build), and the audit's record of clean files (the
end-to-end no-change rebuild is in test_incremental.py)."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

import nbformat
import pytest

from bbp_analysis import edition_cache, pipeline, runner
from bbp_analysis.audit import disclosure_scan
from bbp_analysis.errors import BuildError
from bbp_analysis.runner import NotebookJob
from bbp_analysis.site import snapshot as site_snapshot

from support import stand_in_kernels

PERIODS = ("2023-24", "2024-25", "2025-26")


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A project with three period files, a config, a table of contents and one template."""
    project = tmp_path / "project"
    (project / "parameters").mkdir(parents=True)
    (project / "book").mkdir()
    (project / "parameters" / "defaults.yaml").write_text("confidence: 0.95\n")
    for period in PERIODS:
        (project / "parameters" / f"{period}.yaml").write_text(f"period: '{period}'\n")
    (project / "_config.yml").write_text("title: Review\n")
    (project / "_toc.yml").write_text("root: book/index\n")
    nbformat.write(nbformat.v4.new_notebook(), project / "book" / "index.ipynb")
    return project


def editions(**changed: Any) -> list[dict[str, Any]]:
    return [
        {"period": p, "area_name": "Harrow", "confidence": 0.95, **changed.get(p, {})}
        for p in PERIODS
    ]


def jobs(root: Path, params: list[dict[str, Any]]) -> dict[str, list[NotebookJob]]:
    return {
        p["period"]: [
            NotebookJob(
                template=root / "book" / "index.ipynb",
                output=root / "stage" / p["period"] / "book" / "index.ipynb",
                parameters=p,
                label=p["period"],
                inputs="extract v1",
            )
        ]
        for p in params
    }


def keys(root: Path, **changed: Any) -> dict[str, str]:
    params = editions(**changed)
    return edition_cache.edition_keys(params, jobs(root, params), root)


def test_keys_are_stable_and_differ_between_editions(root: Path) -> None:
    first = keys(root)
    assert keys(root) == first
    assert len(set(first.values())) == 3


def test_a_parameter_changes_its_edition_and_the_later_ones_only(root: Path) -> None:
    """Later editions compare with earlier ones on their what-changed page."""
    before = keys(root)
    after = keys(root, **{"2024-25": {"confidence": 0.99}})
    assert after["2023-24"] == before["2023-24"]
    assert after["2024-25"] != before["2024-25"]
    assert after["2025-26"] != before["2025-26"]


def test_book_sources_parameter_files_and_package_change_every_key(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = keys(root)
    (root / "book" / "methods.md").write_text("# Methods\n")
    with_page = keys(root)
    assert all(with_page[p] != before[p] for p in PERIODS)
    (root / "parameters" / "defaults.yaml").write_text("confidence: 0.95  # a comment\n")
    commented = keys(root)
    assert all(commented[p] != with_page[p] for p in PERIODS)
    monkeypatch.setattr(edition_cache, "source_hash", lambda: "another package version")
    assert all(keys(root)[p] != commented[p] for p in PERIODS)


def test_a_copy_of_the_project_has_the_same_keys(root: Path, tmp_path: Path) -> None:
    copy = shutil.copytree(root, tmp_path / "elsewhere")
    assert keys(copy) == keys(root)


def test_store_then_restore_gives_the_edition_back(root: Path, tmp_path: Path) -> None:
    stage = tmp_path / "stage" / "2025-26"
    for part, text in (
        ("_build/html/index.html", "<p>site</p>"),
        ("book/index.ipynb", "{}"),
        ("_extra/edition.json", '{"period": "2025-26"}'),
        ("_extra/downloads/a.csv", "x\n1\n"),  # not kept: the bundle is in the html folder
    ):
        (stage / part).parent.mkdir(parents=True, exist_ok=True)
        (stage / part).write_text(text)
    assert not edition_cache.restore(root, "k" * 64, tmp_path / "again")
    edition_cache.store(root, "k" * 64, stage)
    assert edition_cache.restore(root, "k" * 64, tmp_path / "again")
    restored = sorted(
        p.relative_to(tmp_path / "again").as_posix()
        for p in (tmp_path / "again").rglob("*")
        if p.is_file()
    )
    assert restored == ["_build/html/index.html", "_extra/edition.json", "book/index.ipynb"]
    assert (tmp_path / "again" / "_build/html/index.html").read_text() == "<p>site</p>"
    assert [p.name for p in edition_cache.cache_dir(root).iterdir()] == ["k" * 64]


@pytest.fixture
def read(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files the disclosure audit reads (not found clean by hash), in order."""
    files: list[str] = []
    real = disclosure_scan.scan_file

    def counting(path: Path, file: str, threshold: int):
        files.append(file)
        return real(path, file, threshold)

    monkeypatch.setattr(edition_cache, "scan_file", counting)
    return files


def test_the_audit_reads_a_clean_file_once_and_a_finding_every_time(
    root: Path, tmp_path: Path, read: list[str]
) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "clean.csv").write_text("area,count\nHarrow,1200\n")
    (site / "small.csv").write_text("area,count\nHarrow,3\n")
    first = edition_cache.scan_folder(site, 10, [], root)
    assert [(f.file, f.row, f.column) for f in first] == [("small.csv", 1, "count")]
    assert read == ["clean.csv", "small.csv"]
    read.clear()
    again = edition_cache.scan_folder(site, 10, [], root, prefix="site: ")
    assert [str(f) for f in again] == [f"site: {f}" for f in first]
    assert read == ["site: small.csv"]
    read.clear()
    # another threshold or a credential is another audit: everything is read again
    edition_cache.scan_folder(site, 5, [], root)
    edition_cache.scan_folder(site, 10, ["Harrow"], root)
    assert read == ["clean.csv", "small.csv", "clean.csv", "small.csv"]
    # the same bytes under another type are read again (a type decides how a file is read)
    (site / "clean.html").write_bytes((site / "clean.csv").read_bytes())
    read.clear()
    edition_cache.scan_folder(site, 10, [], root)
    assert read == ["clean.html", "small.csv"]


def test_an_earlier_editions_pages_are_scanned_under_the_older_notice_before_assembly(
    root: Path, tmp_path: Path, read: list[str]
) -> None:
    from bbp_analysis.site import editions as site_editions

    page = '<html><body><article class="bd-article" role="main"><p>{}</p></article></body>'
    book_stage = {}
    for period in ("2024-25", "2025-26"):
        book_stage[period] = tmp_path / "editions" / period
        (book_stage[period] / "book").mkdir(parents=True)
        (book_stage[period] / "_build" / "html" / "book").mkdir(parents=True)
        (book_stage[period] / "_build" / "html" / "book" / "index.html").write_text(
            page.format(period)
        )
    settings = pipeline.AuditSettings(10, [], "2025-26")
    for stage in book_stage.values():
        for step in pipeline.warm_audit_steps(stage, stage / "_build" / "html", settings):
            step(root)
    # the earlier edition's page twice (as built, then under the notice); the latest's once
    assert read == ["book/index.html", "book/index.html", "book/index.html"]
    site = tmp_path / "site"
    for period, stage in book_stage.items():
        shutil.copytree(stage / "_build" / "html", site / period)
    site_editions.mark_older(site / "2024-25", "2024-25", "2025-26")
    assert "This is an older edition" in (site / "2024-25/book/index.html").read_text()
    read.clear()
    assert edition_cache.scan_folder(site, 10, [], root) == []
    assert read == []  # the assembled site's pages were all found clean before


@pytest.fixture
def staged(root: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """:func:`pipeline.build_editions` on the tiny project with stand-ins for the kernel
    (each notebook writes its period as a download), the snapshot (that download) and the
    finishing step (a page listing the snapshots of the earlier editions it can read);
    returns the notebooks executed and the editions finished, in order."""
    calls: dict[str, list[str]] = {"executed": [], "finished": []}
    template = root / "book" / "index.ipynb"
    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("period = ''")
    cell.metadata["tags"] = ["parameters"]
    notebook.cells = [cell, nbformat.v4.new_code_cell("")]
    nbformat.write(notebook, template)

    def fake_jobs(run_params: dict, book_stage: Path, _root: Path) -> list[NotebookJob]:
        return [
            NotebookJob(
                template=template,
                output=book_stage / "book" / "index.ipynb",
                parameters={"period": run_params["period"], "confidence": run_params["confidence"]},
                label=f"{run_params['period']}: index",
                inputs="extract v1",
            )
        ]

    def fake_execute(template: Path, output: Path, parameters: dict, *_args) -> None:
        calls["executed"].append(parameters["period"])
        nb = nbformat.read(template, as_version=4)
        nb.metadata["papermill"] = {"input_path": str(template), "output_path": str(output)}
        nbformat.write(nb, output)
        downloads = output.parent.parent / "_extra" / "downloads"
        (downloads / "value.csv").write_text(f"{parameters['period']},{parameters['confidence']}")

    def fake_snapshot(period: str, extra: Path) -> dict:
        return {"period": period, "value": (extra / "downloads" / "value.csv").read_text()}

    def fake_results(period: str, book_stage: Path, _writers: list) -> Path:
        path = book_stage / "_extra" / "results.json"
        path.write_text(period)
        return path

    def fake_finish(
        run_params: dict, stage: Path, _root: Path, _progress, _earlier, *_slot
    ) -> Path:
        period = run_params["period"]
        calls["finished"].append(period)
        earlier = [
            (stage / "editions" / p / "_extra" / "edition.json").read_text()
            for p in PERIODS
            if p < period
        ]
        html = stage / "editions" / period / "_build" / "html"
        html.mkdir(parents=True)
        (html / "index.html").write_text("\n".join(earlier))
        return html

    monkeypatch.setattr(pipeline, "notebook_jobs", fake_jobs)
    stand_in_kernels(monkeypatch, fake_execute)
    monkeypatch.setattr(site_snapshot, "from_extra", fake_snapshot)
    monkeypatch.setattr(pipeline, "assemble_results", fake_results)
    monkeypatch.setattr(pipeline, "finish_edition", fake_finish)
    return calls


def build(root: Path, stage: Path, workers: int, **changed: Any) -> dict[str, str]:
    params = [{**p, "cell_timeout_seconds": 60} for p in editions(**changed)]
    built = pipeline.build_editions(params, stage, root, lambda _m: None, workers)
    return {period: (html / "index.html").read_text() for period, html in built.items()}


def test_editions_side_by_side_read_every_earlier_snapshot(root, staged, tmp_path) -> None:
    pages = build(root, tmp_path / "wide", workers=3)
    assert sorted(staged["executed"]) == list(PERIODS)
    assert sorted(staged["finished"]) == list(PERIODS)
    assert pages["2023-24"] == ""
    assert '"value": "2023-24,0.95"' in pages["2025-26"]
    assert '"value": "2024-25,0.95"' in pages["2025-26"]
    # one at a time, with every cache emptied, gives the same pages
    shutil.rmtree(root / "_build")
    assert build(root, tmp_path / "narrow", workers=1) == pages


def test_a_second_build_finishes_nothing_and_a_change_rebuilds_its_successors(
    root, staged, tmp_path
) -> None:
    first = build(root, tmp_path / "one", workers=2)
    staged["executed"].clear()
    staged["finished"].clear()
    assert build(root, tmp_path / "two", workers=2) == first
    assert staged == {"executed": [], "finished": []}
    changed = build(root, tmp_path / "three", workers=2, **{"2024-25": {"confidence": 0.99}})
    # editions are finished side by side: in either order
    assert staged["executed"] == ["2024-25"]
    assert sorted(staged["finished"]) == ["2024-25", "2025-26"]
    assert changed["2023-24"] == first["2023-24"]
    assert '"value": "2024-25,0.99"' in changed["2025-26"]


@pytest.fixture
def published(root: Path, tmp_path: Path) -> Path:
    """A published site of three files, recorded with key "k1"."""
    out = tmp_path / "site"
    (out / "2025-26").mkdir(parents=True)
    (out / "index.html").write_text("<p>front</p>")
    (out / "2025-26" / "index.html").write_text("<p>edition</p>")
    (out / ".bbp-site").write_text("{}")
    edition_cache.record_published(root, out, "k1")
    return out


def test_a_published_site_is_unchanged_for_its_own_key_only(root: Path, published: Path) -> None:
    assert edition_cache.published_unchanged(root, published, "k1")
    assert not edition_cache.published_unchanged(root, published, "k2")
    assert not edition_cache.published_unchanged(root, published.with_name("other"), "k1")
    edition_cache.forget_published(root, published)
    assert not edition_cache.published_unchanged(root, published, "k1")


@pytest.mark.parametrize(
    "change",
    [
        lambda out: (out / "index.html").write_text("<p>front</p>"),  # same bytes, written again
        lambda out: (out / "index.html").write_text("<p>FRONT</p>"),  # same size, new bytes
        lambda out: (out / "2025-26" / "extra.csv").write_text("a\n"),
        lambda out: (out / "2025-26" / "index.html").unlink(),
        lambda out: (out / "index.html").chmod(0o600) or (out / "index.html").touch(),
    ],
    ids=["rewritten", "same-size", "added", "removed", "touched"],
)
def test_any_change_to_a_published_file_is_detected_at_once(
    root: Path, published: Path, change
) -> None:
    """Written right after it was recorded (within one tick of a coarse file-system clock),
    a file still counts as changed."""
    change(published)
    assert not edition_cache.published_unchanged(root, published, "k1")


def test_a_replaced_file_with_its_old_times_is_detected(root: Path, published: Path) -> None:
    page = published / "index.html"
    before = page.stat()
    page.unlink()
    page.write_text("<p>forge</p>")
    os.utime(page, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert not edition_cache.published_unchanged(root, published, "k1")


def test_the_site_key_covers_every_edition_and_the_audit() -> None:
    key = edition_cache.site_key({"2024-25": "a", "2025-26": "b"}, 10, ["s"])
    assert (
        len(
            {
                key,
                edition_cache.site_key({"2024-25": "a", "2025-26": "c"}, 10, ["s"]),
                edition_cache.site_key({"2025-26": "b"}, 10, ["s"]),
                edition_cache.site_key({"2024-25": "a", "2025-26": "b"}, 5, ["s"]),
                edition_cache.site_key({"2024-25": "a", "2025-26": "b"}, 10, []),
            }
        )
        == 5
    )
    assert edition_cache.site_key({"2025-26": "b", "2024-25": "a"}, 10, ["s"]) == key


def test_stats_are_recorded_a_clock_tick_after_the_newest_write(tmp_path: Path) -> None:
    """A file written after the record gets a later change time than any recorded, even on a
    file system whose clock advances once per tick."""
    folder = tmp_path / "site"
    folder.mkdir()
    (folder / "page.html").write_text("x")
    stats = edition_cache._settled_stats(folder)
    newest = max(max(s[1], s[2]) for s in stats.values())
    assert time.time_ns() >= newest + edition_cache.CLOCK_TICK_NS
    assert stats == edition_cache._file_stats(folder)


@pytest.fixture
def quick_build(root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """``pipeline.build`` of the tiny project with every edition's key given (stand-ins for
    the input checks, the data step and the editions: each edition is one page holding its
    key); returns a function building into ``tmp_path/site`` that returns whether editions
    were built."""
    monkeypatch.setenv("BBP_ROOT", str(root))
    keys = {period: f"key-{period}" for period in PERIODS}
    params = [
        {
            "period": p,
            "area_code": "X",
            "area_name": "X",
            "pcn": None,
            "synthetic_seed": 1,
            "suppression_threshold": 10,
        }
        for p in PERIODS
    ]
    monkeypatch.setattr(
        pipeline, "check_build_inputs", lambda *_a: type("C", (), {"editions": params})
    )
    monkeypatch.setattr(pipeline.extract, "source_from_params", lambda *_a: None)
    monkeypatch.setattr(pipeline.extract, "prepare", lambda *_a: None)
    monkeypatch.setattr(pipeline, "contract_pcns", lambda *_a: None)
    monkeypatch.setattr(pipeline, "check_extract_contract", lambda *_a: "")
    monkeypatch.setattr(
        pipeline,
        "plan_editions",
        lambda group, *_a: pipeline.Plan({}, {p["period"]: keys[p["period"]] for p in group}),
    )
    built: list[str] = []

    def fake_editions(group, stage, _root, _progress, _workers, plan, *_):
        built.extend(p["period"] for p in group)
        out = {}
        for period, key in plan.keys.items():
            out[period] = stage / "editions" / period / "html"
            out[period].mkdir(parents=True)
            (out[period] / "index.html").write_text(key)
        return out

    def fake_assemble(editions: dict[str, Path], site: Path) -> None:
        site.mkdir(parents=True)
        for period, html in editions.items():
            shutil.move(str(html), str(site / period))
        (site / "editions.json").write_text(json.dumps({"editions": sorted(editions)}))

    monkeypatch.setattr(pipeline, "build_editions", fake_editions)
    monkeypatch.setattr(pipeline, "assemble_site", fake_assemble)
    monkeypatch.setattr(pipeline, "audit_disclosure", lambda *_a: None)

    def build_site(**changed: str) -> bool:
        keys.update(changed)
        built.clear()
        pipeline.build(out=tmp_path / "site", progress=lambda _m: None)
        return bool(built)

    return build_site


def test_a_rebuild_into_the_same_site_stages_nothing_until_something_changes(
    quick_build, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    assert quick_build()
    published = (site / ".bbp-site").read_bytes()
    assert not quick_build()
    assert (site / ".bbp-site").read_bytes() == published  # not even published again
    assert not (tmp_path / ".site.staging").exists()
    (site / "2024-25" / "index.html").write_text("edited by hand")
    assert quick_build()
    assert (site / "2024-25" / "index.html").read_text() == "key-2024-25"
    assert not quick_build()
    assert quick_build(**{"2025-26": "key-2025-26-changed"})
    assert (site / "2025-26" / "index.html").read_text() == "key-2025-26-changed"


def test_a_failing_edition_stops_the_build_before_later_editions_finish(
    root, staged, tmp_path, monkeypatch
) -> None:
    fake = runner.execute

    def failing(template: Path, output: Path, parameters: dict, *args) -> None:
        if parameters["period"] == "2024-25":
            raise BuildError("index.ipynb: cell 1 raised ValueError: broken")
        fake(template, output, parameters, *args)

    stand_in_kernels(monkeypatch, failing)
    with pytest.raises(BuildError, match=r"^index.ipynb: cell 1 raised ValueError: broken$"):
        build(root, tmp_path / "failing", workers=2)
    # 2025-26's what changed needs 2024-25's snapshot: it never starts its finishing steps
    assert "2025-26" not in staged["finished"]
    assert "2024-25" not in staged["finished"]
    # nothing of the failed edition is cached: the next build runs it again
    staged["executed"].clear()
    stand_in_kernels(monkeypatch, fake)
    build(root, tmp_path / "fixed", workers=2)
    assert "2024-25" in staged["executed"]
