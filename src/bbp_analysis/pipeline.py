"""The build: parameters -> data -> papermill -> Jupyter Book -> a static site, published
atomically.

Steps: load and check every edition's parameters (one edition per reporting period, or the
one named); check the inputs; make sure the data extract exists and is intact and its
measures are aggregated (:mod:`bbp_analysis.extract`); for each edition copy the book
sources into a staging folder, execute every notebook template there with papermill
(:mod:`bbp_analysis.runner`), refuse to go on if any executed notebook holds an error, and
build the book with execution off and warnings as errors into ``<site>/<period>/``; copy the
latest edition to the site root; then swap the new site in for the old one. On any failure
the previous site is untouched. When the output folder still holds the site these inputs
make (:func:`bbp_analysis.edition_cache.published_unchanged`), nothing is staged or published.

Editions are built side by side (:func:`build_editions`): each edition's pages, book and
board paper start as soon as its own notebooks have run (and the editions before it have
their snapshots), while later editions' notebooks still run. Every step (a notebook, a book
build, a page writer) holds one of ``--jobs`` slots (:class:`bbp_analysis.runner.Slots`), so
the cores are kept busy without running more at once than there are cores. While the data
step generates the extract or aggregates its measures, the kernel server and the Jupyter
Book fork server import in the background (:func:`start_servers`).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, as_completed, wait
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, NamedTuple

import nbformat
import papermill

from . import edition_cache, extract, published, site_folder
from . import params as params_mod
from .audit.manifest import (
    edition_manifest,
    glued_values,
    redact,
    secret_values,
    utc_now,
    write_manifest,
)
from .contract.gate import check_extract_contract
from .errors import BuildError, InputError
from .inputs import check_build_inputs, contract_pcns
from .paths import build_dir, project_root
from .runner import (
    Cancelled,
    NotebookJob,
    Slots,
    hash_files,
    input_fingerprint,
    job_key,
    outside_environment,
    run_notebooks,
    shared_kernels,
    start_shared_kernels,
)
from .site import book_builds, book_config

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
    """Build the staged book to HTML with warnings as errors; return the HTML folder. The
    ``jupyter-book`` command runs in a process forked from one that imported it already
    (:func:`bbp_analysis.site.book_builds.run`), in the environment outside the kernels'."""
    arguments = ["build", str(stage), "--warningiserror", "--keep-going", "--all", "-q"]
    result = book_builds.run(arguments, outside_environment())
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


def writes_results(template: Path) -> bool:
    """Whether ``template`` is a chapter run: it writes a results fragment
    (:func:`bbp_analysis.results.write_fragment`), so it runs before the notebooks that read
    the edition's results file."""
    return "results.write_fragment(" in template.read_text(encoding="utf-8")


def assemble_results(period: str, book_stage: Path, writers: list[NotebookJob]) -> Path:
    """Assemble ``book_stage/_extra/results.json`` from the chapter runs' fragments and the
    values their text states (:func:`bbp_analysis.results.assemble`); return its path."""
    from . import results  # imports pandas and matplotlib: only when an edition is built

    stated = {job.output.name: glued_values(job.output) for job in writers}
    path = results.assemble(book_stage / "_extra", period, stated)
    shutil.rmtree(book_stage / "_extra" / results.FRAGMENTS)
    return path


def results_template(template: Path, folder: Path) -> Path:
    """A copy of chapter ``template`` in ``folder`` holding only what its results cell needs:
    its leading hidden code cells (parameters and set-up) and the cell that writes its
    results fragment; return its path. Its run writes the fragment the full run writes,
    without drawing the chapter's figures."""
    notebook = nbformat.read(template, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    leading = []
    for cell in code:
        if "remove-cell" not in cell.metadata.get("tags", []):
            break
        leading.append(cell)
    writing = [cell for cell in code if "results.write_fragment(" in cell.source]
    notebook.cells = list({id(cell): cell for cell in leading + writing}.values())
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / template.name
    nbformat.write(notebook, path)
    return path


def earlier_runs(
    todo: list[dict[str, Any]], staged: set[str], stage: Path, root: Path
) -> dict[str, tuple[int, list[NotebookJob]]]:
    """The chapter results runs of every period before one of the editions ``todo`` that
    this build does not stage (not in ``staged``), for their area: period -> (its cell
    timeout, its runs). Each is the
    chapter's results cells only (:func:`results_template`), staged under
    ``stage/earlier/<period>``; they run in one pool with the editions' chapters
    (:func:`run_edition_notebooks`) and are cached like any notebook run. Where the
    chapter's full run for that period is cached (an earlier build of that edition), its
    results are restored instead (:attr:`~.runner.NotebookJob.same_results_as`)."""
    if not todo:
        return {}
    latest = max(todo, key=lambda p: p["period"])
    runs = {}
    for other in params_mod.available_periods(root):
        if other >= latest["period"] or other in staged:
            continue
        other_params = {
            **params_mod.load_parameters(other, root),
            "area_code": latest["area_code"],
            "area_name": latest["area_name"],
        }
        runs[other] = (
            other_params["cell_timeout_seconds"],
            [
                replace(
                    job,
                    template=results_template(job.template, stage / "earlier" / "templates"),
                    same_results_as=job_key(job),
                )
                for job in notebook_jobs(other_params, stage / "earlier" / other, root)
                if writes_results(job.template)
            ],
        )
    return runs


def earlier_results(runs: dict[str, tuple[int, list[NotebookJob]]], stage: Path) -> dict[str, Path]:
    """The results file of each period of ``runs`` (executed: :func:`earlier_runs`): period ->
    path, assembled with no stated values, as the chapters' text is not run. What changed
    and the claims ledger read them."""
    from . import results

    return {
        other: results.assemble(stage / "earlier" / other / "_extra", other, {})
        for other in sorted(runs)
    }


# Work done in this process (page writers, WeasyPrint) holds the interpreter lock: one such
# step at a time, so a waiting step leaves its core to a notebook or a book build. WeasyPrint
# is not documented as thread-safe either.
_IN_PROCESS = threading.Lock()


@contextmanager
def working(slots: Slots | None, priority: Any, in_process: bool = False) -> Iterator[None]:
    """Hold one of ``slots`` (when given) for a step of the build, and for a step that runs
    in this process (``in_process``) the lock of such steps too (:data:`_IN_PROCESS`).
    ``priority``: (the edition's place in period order, -1), before its notebooks' runs."""
    with (
        _IN_PROCESS if in_process else nullcontext(),
        slots.held(priority) if slots else nullcontext(),
    ):
        yield


def finish_edition(
    run_params: dict[str, Any],
    stage: Path,
    root: Path,
    progress: Callable[[str], None],
    earlier: dict[str, Path],
    slots: Slots | None = None,
    priority: Any = 0,
) -> Path:
    """Turn one edition's executed notebooks (in ``stage/editions/<period>``) into its HTML
    folder: generated pages, the book, the board paper, run parameters and the run
    manifest listing its results file; return the folder. ``earlier``: the results file of
    each earlier period this build does not stage (:func:`earlier_results`). Each step holds
    one of ``slots`` (:func:`working`) at ``priority``; the board paper, which reads the
    executed notebooks, not the book, is written while the book builds
    (:func:`_paper_beside`)."""
    # imported here, not at the top: WeasyPrint, matplotlib and the page writers take seconds
    # to import, and a rebuild that reuses every edition never needs them
    from . import board_paper, results
    from .site import pages as site_pages

    started = utc_now()
    period = run_params["period"]
    book_stage = stage / "editions" / period
    with working(slots, priority, in_process=True):
        progress(f"{period}: writing what changed, reference pages and downloads")
        site_pages.stage_pages(book_stage, run_params, earlier)
    with (
        _paper_beside(run_params, book_stage, progress, slots, priority) as paper,
        working(slots, priority),
    ):
        progress(f"{period}: building the book (execution off, warnings as errors)")
        html = build_book(book_stage)
    paper.replace(html / board_paper.FILE_NAME)
    with working(slots, priority, in_process=True):
        (html / "run-parameters.json").write_text(
            json.dumps(redact(run_params), indent=2, sort_keys=True) + "\n", encoding="utf-8"
        )
        manifest = edition_manifest(run_params, root, book_stage, started)
        results_file = book_stage / "_extra" / results.RESULTS_FILE
        write_manifest(html, {**manifest, "results": results.record(results_file)})
    return html


@contextmanager
def _paper_beside(
    run_params: dict[str, Any],
    book_stage: Path,
    progress: Callable[[str], None],
    slots: Slots | None,
    priority: Any,
) -> Iterator[Path]:
    """Write the edition's board paper (from its executed notebooks, in ``book_stage/book``)
    in a thread, holding a slot of its own, while the block runs (the book build); at the
    block's end wait for it and give its file, beside ``book_stage`` (not in the book's
    sources). At the tail of a build, when no notebook is left to run, the two steps use
    both cores instead of one after the other. A failure of the block is raised before the
    paper's."""
    from . import board_paper

    out = book_stage.with_name(f"{book_stage.name}-{board_paper.FILE_NAME}")

    def write() -> None:
        with working(slots, priority, in_process=True):
            progress(f"{run_params['period']}: writing the board paper (PDF)")
            board_paper.write_board_paper(run_params, book_stage / "book", out)

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="bbp-board-paper") as pool:
        written = pool.submit(write)
        try:
            yield out
        finally:
            wait([written])
    written.result()


def _run_pooled(
    batches: list[tuple[int, list[NotebookJob]]],
    root: Path,
    progress: Callable[[str], None],
    slots: Slots,
    priority: Any,
) -> set[str]:
    """Run the jobs of every (cell timeout, jobs) batch, those of one timeout in one call,
    each in one of ``slots`` (those whose key is cached are restored); return the labels of
    those executed."""
    by_timeout: dict[int, list[NotebookJob]] = {}
    for timeout, jobs in batches:
        by_timeout.setdefault(timeout, []).extend(jobs)
    ran = [
        run_notebooks(todo, timeout, root, progress, slots=slots, priority=priority)
        for timeout, todo in sorted(by_timeout.items())
    ]
    return {label for summary in ran for label in summary.executed}


def run_edition_notebooks(
    run_params: dict[str, Any],
    jobs: list[NotebookJob],
    stage: Path,
    root: Path,
    progress: Callable[[str], None],
    slots: Slots,
    priority: Any,
) -> None:
    """Execute the notebooks of one edition, each in one of ``slots``: first its chapter
    runs, then, once its results file is assembled from them, the notebooks that read it
    (each given the file, whose hash joins its cache key); then write its snapshot
    (``stage/editions/<period>/_extra``)."""
    from .site import snapshot as site_snapshot

    period = run_params["period"]
    timeout = run_params["cell_timeout_seconds"]
    writers = [job for job in jobs if writes_results(job.template)]
    executed = _run_pooled([(timeout, writers)], root, progress, slots, priority)
    book_stage = stage / "editions" / period
    path = assemble_results(period, book_stage, writers)
    digest = hash_files([path], path.parent)
    readers = [
        replace(job, inputs=f"{job.inputs}:{digest}", files=(path,))
        for job in jobs
        if job not in writers
    ]
    executed |= _run_pooled([(timeout, readers)], root, progress, slots, priority)
    count = len({job.label for job in jobs} & executed)
    progress(f"{period}: {count} notebook(s) executed, {len(jobs) - count} skipped (unchanged)")
    extra = book_stage / "_extra"
    site_snapshot.write(site_snapshot.from_extra(period, extra), extra)


@dataclass
class Schedule:
    """What the editions built side by side wait for: a slot for each step (one per core),
    each other's snapshots (a what-changed page reads every earlier one) and the results of
    the earlier periods not staged."""

    slots: Slots
    snapshots: dict[str, threading.Event]
    earlier: Future[dict[str, Path]]
    audit: AuditSettings | None = None

    def wait_for_earlier(self, period: str) -> dict[str, Path]:
        """Once every staged edition before ``period`` has its snapshot: the results file of
        each earlier period not staged; Cancelled when the build stopped first."""
        for other, ready in sorted(self.snapshots.items()):
            while other < period and not ready.wait(0.1):
                if self.slots.cancelled:
                    raise Cancelled
        return {other: path for other, path in self.earlier.result().items() if other < period}


def build_edition(
    run_params: dict[str, Any],
    jobs: list[NotebookJob],
    stage: Path,
    root: Path,
    progress: Callable[[str], None],
    schedule: Schedule,
    rank: int,
) -> None:
    """Run one edition's notebooks (:func:`run_edition_notebooks`), then, once the editions
    before it have their snapshots, finish it (:func:`finish_edition`). ``rank``: its place
    in period order; an earlier edition's steps start first."""
    period = run_params["period"]
    try:
        run_edition_notebooks(run_params, jobs, stage, root, progress, schedule.slots, rank)
        schedule.snapshots[period].set()
        earlier = schedule.wait_for_earlier(period)
        html = finish_edition(
            run_params, stage, root, progress, earlier, schedule.slots, (rank, -1)
        )
        book_stage = stage / "editions" / period
        for step in warm_audit_steps(book_stage, html, schedule.audit) if schedule.audit else ():
            with working(schedule.slots, (rank, -1), in_process=True):
                step(root)
    except BaseException:
        schedule.slots.cancel()  # the build stops: start no other step
        raise


@dataclass(frozen=True)
class Plan:
    """One group of editions' notebook runs and cache keys, by period."""

    jobs: dict[str, list[NotebookJob]]
    keys: dict[str, str]


def _earlier_results(
    runs: dict[str, tuple[int, list[NotebookJob]]],
    stage: Path,
    root: Path,
    progress: Callable[[str], None],
    slots: Slots,
) -> dict[str, Path]:
    """Execute the earlier periods' results runs (:func:`earlier_runs`) before any edition's
    step, and assemble their results files (:func:`earlier_results`)."""
    try:
        _run_pooled(list(runs.values()), root, progress, slots, -1)
        return earlier_results(runs, stage)
    except BaseException:
        slots.cancel()
        raise


def _wait_all(futures: list[Future[Any]], slots: Slots) -> list[Future[Any]]:
    """Wait for every one of ``futures``; at the first failure start nothing more
    (:meth:`Slots.cancel`), and at an interruption too. Return the failed ones, in the
    order given."""
    try:
        for future in as_completed(futures):
            if future.exception() is not None:
                slots.cancel()
    except BaseException:
        slots.cancel()
        raise
    return [future for future in futures if future.exception() is not None]


def _first(failures: list[Future[Any]]) -> BaseException:
    """The error to report: the first that is not a step cancelled by another's failure."""
    errors = [future.exception() for future in failures]
    return next((e for e in errors if not isinstance(e, Cancelled)), errors[0])


def plan_editions(editions: list[dict[str, Any]], stage: Path, root: Path) -> Plan:
    """The notebook runs (staged under ``stage/editions/<period>``) and the cache key
    (:func:`bbp_analysis.edition_cache.edition_keys`) of every edition in ``editions``."""
    jobs = {p["period"]: notebook_jobs(p, stage / "editions" / p["period"], root) for p in editions}
    return Plan(jobs, edition_cache.edition_keys(editions, jobs, root))


def import_edition_steps() -> None:
    """Import, on this thread and before the steps' threads start, the modules an edition's
    steps import when they first need them (with them pandas, matplotlib and IPython: seconds
    to import, never needed by a rebuild that reuses every edition). Two threads importing
    one package with circular imports (IPython's) at the same moment can each find it partly
    initialised and fail with ImportError."""
    from . import board_paper, results  # noqa: F401
    from .site import editions, pages, snapshot  # noqa: F401


def build_editions(
    editions: list[dict[str, Any]],
    stage: Path,
    root: Path,
    progress: Callable[[str], None],
    workers: int | None = None,
    plan: Plan | None = None,
    audit: AuditSettings | None = None,
) -> dict[str, Path]:
    """Build every edition into ``stage/editions/<period>``; return each HTML folder by
    period. An edition whose key (``plan``, by default :func:`plan_editions`) is cached
    is copied back whole; the others are built side by side (:func:`build_edition`), each
    as soon as its own notebooks ran, every step (a notebook, a book build, a page writer)
    in one of ``workers`` slots (default: CPUs; an earlier edition's steps first), and are
    cached. The first failure (in period order) stops the build: no step starts after it.
    ``audit`` (:func:`audit_settings`): each edition, once finished, warms the disclosure
    audit's record of clean files (:func:`warm_audit_steps`)."""
    folders = {p["period"]: stage / "editions" / p["period"] for p in editions}
    plan = plan or plan_editions(editions, stage, root)
    jobs, keys = plan.jobs, plan.keys
    todo = []
    for run_params in editions:
        period = run_params["period"]
        if edition_cache.restore(root, keys[period], folders[period]):
            progress(f"{period}: reused the whole edition (unchanged; cached {keys[period][:12]})")
        else:
            stage_sources(root, folders[period])
            book_config.write(folders[period], run_params)
            todo.append(run_params)
    if todo:
        import_edition_steps()
    runs = earlier_runs(todo, set(folders), stage, root)
    slots = Slots(workers or os.cpu_count() or 1)
    if runs:
        progress(f"results of {', '.join(sorted(runs))}'s chapters, for what changed")
    with ThreadPoolExecutor(max_workers=len(todo) + 1) as pool:
        schedule = Schedule(
            slots,
            {p["period"]: threading.Event() for p in todo},
            pool.submit(_earlier_results, runs, stage, root, progress, slots),
            audit,
        )
        built = {
            pool.submit(
                build_edition, p, jobs[p["period"]], stage, root, progress, schedule, rank
            ): p["period"]
            for rank, p in enumerate(todo)
        }
        failures = _wait_all([*built, schedule.earlier], slots)
        for future, period in built.items():
            if future in failures:
                continue
            edition_cache.store(root, keys[period], folders[period])
    if failures:
        raise _first(failures)
    return {period: folder / "_build" / "html" for period, folder in folders.items()}


def by_source(
    editions: list[dict[str, Any]], root: Path
) -> list[tuple[extract.Source | None, list[dict[str, Any]]]]:
    """``editions`` grouped by the extract their ``extract`` parameter names (in period
    order of each group's first edition): kernels learn the extract from the process
    environment (:func:`bbp_analysis.extract.use_source`), so one group is built at a time."""
    groups: dict[str, tuple[extract.Source | None, list[dict[str, Any]]]] = {}
    for run_params in sorted(editions, key=lambda p: p["period"]):
        source = extract.source_from_params(run_params, root)
        groups.setdefault(repr(source), (source, []))[1].append(run_params)
    return list(groups.values())


class AuditSettings(NamedTuple):
    """What the disclosure audit of a site needs to know (:func:`audit_settings`)."""

    threshold: int
    secrets: list[str]
    latest: str


def audit_settings(editions: list[dict[str, Any]]) -> AuditSettings:
    """The disclosure audit's suppression threshold (the strictest of ``editions``), the
    credentials it looks for (any given in their parameters) and the site's latest period."""
    return AuditSettings(
        max(p["suppression_threshold"] for p in editions),
        sorted({value for p in editions for value in secret_values(p)}),
        max(p["period"] for p in editions),
    )


def warm_audit_steps(
    book_stage: Path, html: Path, settings: AuditSettings
) -> list[Callable[[Path], None]]:
    """Steps (each taking the project root) that scan a finished edition's HTML folder and
    executed notebooks now, while other editions are still built, so that
    :func:`audit_disclosure` reads again only the files assembling the site changes (a file
    found clean is known by hash). An edition before the latest is also scanned as the site
    will show it, each page under the notice that names the latest edition
    (:func:`bbp_analysis.site.editions.mark_older`, added by :func:`assemble_site`), in a
    copy: otherwise the audit would read all those pages again after the last edition's book
    (1.4 s of the build's tail for three earlier editions). The build runs them as separate
    steps, so that a step of the critical path (the last edition's pages) waits for one of
    them at most. Findings are not reported here: that audit reads every file with a finding
    again and refuses to publish."""
    from .site import editions as site_editions

    threshold, secrets, latest = settings

    def scan(folder: Path) -> Callable[[Path], None]:
        def step(root: Path) -> None:
            edition_cache.scan_folder(folder, threshold, secrets, root)

        return step

    def scan_marked(root: Path) -> None:
        with tempfile.TemporaryDirectory(dir=book_stage.parent) as marked:
            shutil.copytree(html / "book", Path(marked) / "book")
            site_editions.mark_older(Path(marked), book_stage.name, latest)
            edition_cache.scan_folder(Path(marked), threshold, secrets, root)

    return [
        scan(html),
        scan(book_stage / "book"),
        *([scan_marked] if book_stage.name < latest else []),
    ]


def audit_disclosure(
    stage: Path, editions: list[dict[str, Any]], progress: Callable[[str], None], root: Path
) -> None:
    """Scan the staged site and every executed notebook (the rules of
    :func:`bbp_analysis.audit.disclosure_scan.scan_site`, at the strictest suppression
    threshold of the editions, and for any credential given in the parameters:
    :func:`audit_settings`; files already found clean are known by hash,
    :func:`bbp_analysis.edition_cache.scan_folder`); BuildError naming the first finding
    when there is any."""
    threshold, secrets, _ = audit_settings(editions)
    findings = edition_cache.scan_folder(stage / "site", threshold, secrets, root)
    for run_params in editions:
        executed = stage / "editions" / run_params["period"] / "book"
        prefix = f"executed notebooks {run_params['period']}: "
        findings += edition_cache.scan_folder(executed, threshold, secrets, root, prefix)
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
    from .site import editions as site_editions  # imports SciPy: only when a site is assembled

    site.mkdir(parents=True)
    periods = sorted(editions)
    for period in periods:
        shutil.move(str(editions[period]), str(site / period))
    shutil.copytree(site / periods[-1], site, dirs_exist_ok=True)
    for period in periods:
        site_editions.relink(site / period / "book" / "editions.html", period, periods, "../../")
        if period != periods[-1]:
            site_editions.mark_older(site / period, period, periods[-1])
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
    try:
        with shared_kernels(templates(root)):
            _prepare_data(editions, root, progress, engine, area)
            return _build_site(editions, out, keep_staging, progress, jobs, root)
    finally:
        book_builds.stop()


def start_servers(root: Path) -> None:
    """Start the kernel server and the Jupyter Book fork server, which import in the
    background, while the data step generates or aggregates (mostly on one core): the
    notebooks and book builds that follow then find them ready."""
    start_shared_kernels(root)
    book_builds.start()


def _prepare_data(
    editions: list[dict[str, Any]],
    root: Path,
    progress: Callable[[str], None],
    engine: str,
    area: str | None = None,
) -> None:
    """The editions' extracts and measures (:func:`bbp_analysis.extract.prepare`); the
    servers start when a slow step is about to run (:func:`start_servers`). An extract
    generated (or cut) here, which the input checks left to the generator's own check, is
    then checked against the contract as the next build's input checks would check it, and
    the result cached for them: a rebuild with nothing changed checks it no more (an
    extract checked before is found in the cache)."""
    data = {
        (p["area_code"], p["synthetic_seed"], extract.source_from_params(p, root)) for p in editions
    }
    for area_code, seed, source in sorted(data, key=str):
        with extract.use_source(source):
            extract.prepare(area_code, seed, root, progress, engine, lambda: start_servers(root))
            check_extract_contract(area_code, seed, root, contract_pcns(root, area))


def _build_site(
    editions: list[dict[str, Any]],
    out: Path,
    keep_staging: bool,
    progress: Callable[[str], None],
    jobs: int | None,
    root: Path,
) -> Path:
    stage = out.with_name(f".{out.name}.staging")
    groups = []
    for source, group in by_source(editions, root):
        with extract.use_source(source):
            groups.append((source, group, plan_editions(group, stage, root)))
    key = edition_cache.site_key(
        {period: k for *_, plan in groups for period, k in plan.keys.items()},
        max(p["suppression_threshold"] for p in editions),
        {value for p in editions for value in secret_values(p)},
    )
    if edition_cache.published_unchanged(root, out, key):
        progress(f"{out} already holds this site, unchanged (cached {key[:12]}); nothing to do")
        progress("done")
        return out
    if stage.exists():
        shutil.rmtree(stage)
    succeeded = False
    try:
        built: dict[str, Path] = {}
        for source, group, plan in groups:
            with extract.use_source(source):
                built.update(
                    build_editions(
                        group, stage, root, progress, jobs, plan, audit_settings(editions)
                    )
                )
        assemble_site(built, stage / "site")
        progress("disclosure audit of every page, notebook and download")
        audit_disclosure(stage, editions, progress, root)
        progress(f"publishing to {out}")
        edition_cache.forget_published(root, out)
        publish(stage / "site", out)
        edition_cache.record_published(root, out, key)
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
