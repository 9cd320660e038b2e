"""The build: parameters -> data -> papermill -> Jupyter Book -> a static site, published
atomically.

Steps: load and check every edition's parameters (one edition per reporting period, or the
one named); check the inputs; make sure the data extract exists and is intact and its
measures are aggregated (:mod:`bbp_analysis.extract`); for each edition copy the book
sources into a staging folder, execute every notebook template there with papermill
(:mod:`bbp_analysis.runner`), refuse to go on if any executed notebook holds an error, and
build the book with execution off and warnings as errors into ``<site>/<period>/``; copy the
latest edition to the site root; then swap the new site in for the old one. On any failure
the previous site is untouched.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import papermill

from . import board_paper, extract, published, site_folder
from . import params as params_mod
from .audit.disclosure_scan import scan_site
from .audit.manifest import edition_manifest, redact, secret_values, utc_now, write_manifest
from .errors import BuildError, InputError
from .inputs import check_build_inputs
from .paths import build_dir, project_root
from .runner import NotebookJob, input_fingerprint, run_notebooks
from .site import editions as site_editions
from .site import pages as site_pages

BOOK_SOURCES = ("_config.yml", "_toc.yml", "book")


@dataclass
class Progress:
    """Prints each step with the time elapsed since the build started."""

    stream: Any = field(default_factory=lambda: sys.stderr)
    started: float = field(default_factory=time.perf_counter)

    def __call__(self, message: str) -> None:
        # one write per line, so lines from notebooks running side by side never interleave
        self.stream.write(f"[{time.perf_counter() - self.started:7.1f}s] {message}\n")
        self.stream.flush()


def templates(root: Path) -> list[Path]:
    """The notebook templates the table of contents publishes, in book order."""
    return sorted((root / "book").glob("*.ipynb"))


def check_template_parameters(template: Path, given: dict[str, Any]) -> dict[str, Any]:
    """The parameters to inject into ``template``: those its tagged ``parameters`` cell declares.

    Raises InputError when the template has no tagged parameters cell or declares a name
    the parameter specification does not know (papermill would only warn).
    """
    declared = papermill.inspect_notebook(str(template))
    if not declared:
        raise InputError("no cell tagged 'parameters'", file=template, rule="parameters cell")
    unknown = sorted(set(declared) - set(params_mod.SPEC))
    if unknown:
        raise InputError(
            f"declares unknown parameter {unknown[0]!r}",
            file=template,
            column=unknown[0],
            rule="known parameter",
        )
    return {name: value for name, value in given.items() if name in declared}


def build_book(stage: Path) -> Path:
    """Build the staged book to HTML with warnings as errors; return the HTML folder."""
    command = [
        str(Path(sys.executable).with_name("jupyter-book")),
        "build",
        str(stage),
        "--warningiserror",
        "--keep-going",
        "--all",
        "-q",
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        lines = [
            line
            for line in (result.stderr + result.stdout).splitlines()
            if "WARNING" in line or "ERROR" in line or "rror" in line
        ]
        detail = lines[0] if lines else (result.stderr or result.stdout).strip()[-300:]
        raise BuildError(f"jupyter-book build failed: {detail}")
    return stage / "_build" / "html"


def publish(new_site: Path, out: Path) -> None:
    """Stamp ``new_site`` with its marker and swap it in at ``out``. ``out`` is checked again
    first (:func:`bbp_analysis.site_folder.check_replaceable`): only a previous site is ever
    removed, and only after the swap."""
    site_folder.check_replaceable(out)
    editions = json.loads((new_site / "editions.json").read_text(encoding="utf-8"))["editions"]
    site_folder.write_marker(new_site, editions)
    out.parent.mkdir(parents=True, exist_ok=True)
    previous = out.with_name(f".{out.name}.previous")
    if previous.exists():
        shutil.rmtree(previous)
    if out.exists():
        out.rename(previous)
    try:
        shutil.move(str(new_site), str(out))
    except OSError:
        if previous.exists() and not out.exists():
            previous.rename(out)
        raise
    if previous.exists():
        shutil.rmtree(previous)


def write_failure(exc: OSError) -> str:
    """One line for a failed file operation (a full disk, a read-only or missing folder)."""
    where = f" ({exc.filename})" if exc.filename else ""
    return (
        f"file system error while building: {exc.strerror or exc}{where}; "
        "nothing was published and the previous site is untouched"
    )


def stage_sources(root: Path, stage: Path) -> None:
    """Copy the book sources (config, table of contents, pages, templates) into ``stage``."""
    if stage.exists():
        shutil.rmtree(stage)
    stage.mkdir(parents=True)
    for name in BOOK_SOURCES:
        source = root / name
        if source.is_dir():
            shutil.copytree(source, stage / name)
        else:
            shutil.copy2(source, stage / name)
    (stage / "_extra" / "downloads").mkdir(parents=True)


def notebook_jobs(run_params: dict[str, Any], book_stage: Path, root: Path) -> list[NotebookJob]:
    """The notebooks of one edition, each with the parameters its template declares and the
    fingerprint of the data it reads (for the incremental cache)."""
    injected = params_mod.notebook_parameters(run_params)
    data = extract.data_inputs(run_params["area_code"], run_params["synthetic_seed"], root)
    data.append(published.folder(run_params, root))  # its index names files kept elsewhere
    data += [source.path for source in published.sources(data[-1])]
    inputs = input_fingerprint(data, root)
    return [
        NotebookJob(
            template=template,
            output=book_stage / "book" / template.name,
            parameters=check_template_parameters(template, injected),
            label=f"{run_params['period']}: {template.relative_to(root)}",
            inputs=inputs,
        )
        for template in templates(root)
    ]


def build_edition(
    run_params: dict[str, Any],
    stage: Path,
    root: Path,
    progress: Callable[[str], None],
    workers: int | None = None,
) -> Path:
    """Execute and build one edition in ``stage/<period>`` (notebooks whose inputs changed
    only, ``workers`` at once); return its HTML folder."""
    book_stage = stage / "editions" / run_params["period"]
    stage_sources(root, book_stage)
    jobs = notebook_jobs(run_params, book_stage, root)
    ran = run_notebooks(jobs, run_params["cell_timeout_seconds"], root, progress, workers=workers)
    progress(
        f"{run_params['period']}: {len(ran.executed)} notebook(s) executed, "
        f"{len(ran.skipped)} skipped (unchanged)"
    )
    progress(f"{run_params['period']}: writing what changed, reference pages and downloads")
    site_pages.stage_pages(book_stage, run_params, root)
    progress(f"{run_params['period']}: building the book (execution off, warnings as errors)")
    html = build_book(book_stage)
    progress(f"{run_params['period']}: writing the board paper (PDF)")
    board_paper.write_board_paper(run_params, book_stage / "book", html / board_paper.FILE_NAME)
    (html / "run-parameters.json").write_text(
        json.dumps(redact(run_params), indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    return html


def build_and_record(
    run_params: dict[str, Any],
    stage: Path,
    root: Path,
    progress: Callable[[str], None],
    workers: int | None = None,
) -> Path:
    """Build one edition (:func:`build_edition`) and write its run manifest into its HTML
    folder; return that folder."""
    started = utc_now()
    html = build_edition(run_params, stage, root, progress, workers)
    book_stage = stage / "editions" / run_params["period"]
    write_manifest(html, edition_manifest(run_params, root, book_stage, started))
    return html


def audit_disclosure(
    stage: Path, editions: list[dict[str, Any]], progress: Callable[[str], None]
) -> None:
    """Scan the staged site and every executed notebook
    (:func:`bbp_analysis.audit.disclosure_scan.scan_site`, at the strictest suppression
    threshold of the editions, and for any credential given in the parameters); BuildError
    naming the first finding when there is any."""
    threshold = max(p["suppression_threshold"] for p in editions)
    secrets = sorted({value for p in editions for value in secret_values(p)})
    findings = scan_site(stage / "site", threshold, secrets)
    for run_params in editions:
        executed = stage / "editions" / run_params["period"] / "book"
        prefix = f"executed notebooks {run_params['period']}: "
        findings += scan_site(executed, threshold, secrets, prefix=prefix)
    if findings:
        for finding in findings[:20]:
            progress(f"disclosure audit: {finding}")
        raise BuildError(
            f"disclosure audit refused to publish: {len(findings)} finding(s); first: {findings[0]}"
        )
    progress("disclosure audit: no findings")


def assemble_site(editions: dict[str, Path], site: Path) -> None:
    """Each edition at ``site/<period>/``, the latest also at the root, and
    ``editions.json`` listing them (oldest first)."""
    site.mkdir(parents=True)
    periods = sorted(editions)
    for period in periods:
        shutil.move(str(editions[period]), str(site / period))
    shutil.copytree(site / periods[-1], site, dirs_exist_ok=True)
    for period in periods:
        site_editions.relink(site / period / "book" / "editions.html", period, periods, "../../")
    site_editions.relink(site / "book" / "editions.html", periods[-1], periods, "../")
    (site / "editions.json").write_text(
        json.dumps({"latest": periods[-1], "editions": periods}, indent=2) + "\n",
        encoding="utf-8",
    )


def build(
    period: str | None = None,
    out: Path | None = None,
    *,
    keep_staging: bool = False,
    progress: Callable[[str], None] | None = None,
    jobs: int | None = None,
    area: str | None = None,
    engine: str = "duckdb",
) -> Path:
    """Build the review (every edition, or ``period``'s) into ``out`` (default
    ``_build/html``), running up to ``jobs`` notebooks at once (default: CPUs); ``area``, a
    NW London borough code, builds that borough's review from the eight-borough extract;
    ``engine`` (duckdb or spark) aggregates measures not yet cached; return ``out``.
    An unsafe ``out`` is refused before any work (:func:`bbp_analysis.site_folder.check_output`).
    """
    root = project_root()
    out = site_folder.check_output(out or build_dir(root) / "html", root)
    if area is None:
        return _build(period, out, keep_staging, progress or Progress(), jobs, engine)
    with extract.eight_borough_source():
        return _build(period, out, keep_staging, progress or Progress(), jobs, engine, area)


def _build(
    period: str | None,
    out: Path | None,
    keep_staging: bool,
    progress: Callable[[str], None],
    jobs: int | None,
    engine: str,
    area: str | None = None,
) -> Path:
    root = project_root()
    out = (out or build_dir(root) / "html").resolve()
    progress("loading parameters and checking inputs (the checks of bbp validate)")
    editions = check_build_inputs(period, root, area).editions
    for run_params in editions:
        progress(
            f"edition {run_params['period']}: area {run_params['area_name']} "
            f"({run_params['area_code']})"
            + (f", PCN {run_params['pcn']}" if run_params["pcn"] else "")
        )
    for area_code, seed in sorted({(p["area_code"], p["synthetic_seed"]) for p in editions}):
        extract.prepare(area_code, seed, root, progress, engine)
    stage = out.with_name(f".{out.name}.staging")
    if stage.exists():
        shutil.rmtree(stage)
    succeeded = False
    try:
        built = {p["period"]: build_and_record(p, stage, root, progress, jobs) for p in editions}
        assemble_site(built, stage / "site")
        progress("disclosure audit of every page, notebook and download")
        audit_disclosure(stage, editions, progress)
        progress(f"publishing to {out}")
        publish(stage / "site", out)
        succeeded = True
    except OSError as exc:
        raise BuildError(write_failure(exc)) from exc
    finally:
        if succeeded or not keep_staging:
            shutil.rmtree(stage, ignore_errors=True)
        else:
            progress(f"staging kept for diagnosis: {stage}")
    progress("done")
    return out
