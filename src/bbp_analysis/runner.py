"""Executing the notebook templates with papermill, incrementally and in parallel.

:func:`run_notebooks` runs a list of :class:`NotebookJob` (template, output path, injected
parameters, a fingerprint of the data it reads); each executed notebook is checked for error
outputs and stripped of run-time metadata so equal inputs give equal notebooks. Every run is
keyed on SHA-256 of its template, its injected parameters, its input fingerprint and the
package source (:func:`job_key`); the executed notebook and the files it wrote under
``_extra/`` are kept in ``_build/notebook-cache/<key>/`` and reused when the key recurs, so a
rebuild re-executes only the notebooks whose inputs changed. Notebooks of one edition do not
read each other, so they run side by side (``workers`` threads, each driving its own kernel).

Kernels are forked from a server that has already imported the libraries and the modules the
notebooks import (:mod:`bbp_analysis.kernel_server`, on Linux; one per build within
:func:`shared_kernels`, else one per :func:`run_notebooks` call), which saves about 3 s of
start-up per notebook. ``BBP_KERNEL_SERVER=0`` starts each
kernel as a new Python instead, as does any failure of the server to start.
"""

from __future__ import annotations

import asyncio
import hashlib
import heapq
import itertools
import json
import math
import os
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import AbstractContextManager, ExitStack, contextmanager, nullcontext, suppress
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from queue import Empty
from typing import Any

import nbformat
import papermill
import zmq
import zmq.asyncio
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from nbclient.exceptions import DeadKernelError
from papermill.exceptions import PapermillExecutionError
from traitlets import CaselessStrEnum, default

from .errors import BuildError
from .kernel_server import (
    AttachedServer,
    KernelServer,
    attached_socket,
    available,
    notebook_imports,
    split_kernel_cmd,
)

KERNEL = "python3"  # the kernel spec every notebook runs on
RECONNECT_MS = 10  # how often the kernel client's sockets try to connect, in milliseconds


@dataclass(frozen=True)
class NotebookJob:
    """One notebook to execute: its template, where the executed copy goes, its parameters."""

    template: Path
    output: Path
    parameters: dict[str, Any]
    label: str
    inputs: str = ""  # fingerprint of the data the notebook reads (see input_fingerprint)
    files: tuple[Path, ...] = ()  # copied into its _extra/ before it runs (hashed in inputs)
    #: The cache key of a run that writes the same ``_extra`` results this one runs for (a
    #: chapter's full run, for its results-only run): when it is cached, this job is restored
    #: from it and not executed.
    same_results_as: str = ""


class ReadyClient(AsyncKernelClient):
    """jupyter_client's asynchronous kernel client, quicker to start a notebook. Its sockets
    connect to a kernel that does not yet exist, and try again every :data:`RECONNECT_MS`
    instead of ZeroMQ's 100 ms. It is ready as soon as the kernel has answered a
    ``kernel_info`` request on the shell channel and sent anything on IOPub (which proves the
    IOPub subscription is in place: ipykernel greets each subscriber), without jupyter_client's
    wait for IOPub to stay quiet for 0.2 s after that; the notebook client reads only the IOPub
    messages of the cell it is running, so whatever of the greeting arrives later is passed
    over. With the kernel manager's quicker wait for a killed kernel
    (:meth:`LocalKernelManager._async_wait`), a run of a one-cell notebook, its kernel forked
    from the server on an idle 2-core machine, took 0.50 s with jupyter_client's waits and
    0.12 s without, for the same 0.13 s of CPU."""

    @default("context")
    def _context_default(self) -> zmq.asyncio.Context:
        context = super()._context_default()
        context.setsockopt(zmq.RECONNECT_IVL, RECONNECT_MS)
        return context

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        """Ask for ``kernel_info`` until the kernel replies and IOPub has delivered a message
        (RuntimeError: the kernel died, or ``timeout`` seconds passed), then drain IOPub of
        what has already arrived."""
        deadline = time.monotonic() + (math.inf if timeout is None else timeout)
        while True:
            self.kernel_info()
            with suppress(Empty):
                reply = await self.shell_channel.get_msg(timeout=1)
                if reply["msg_type"] == "kernel_info_reply" and await self._iopub_message(0.2):
                    self._handle_kernel_info_reply(reply)
                    break
            if not await self._async_is_alive():
                raise RuntimeError("the kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the kernel did not reply within {timeout} s")
        while await self._iopub_message(0):
            pass

    async def _iopub_message(self, seconds: float) -> bool:
        """Whether a message arrived on IOPub within ``seconds`` (taken off the channel)."""
        try:
            await self.iopub_channel.get_msg(timeout=seconds)
        except Empty:
            return False
        return True


class LocalKernelManager(AsyncKernelManager):
    """Kernels talk over local IPC sockets: no TCP ports to race for, nothing on the network.
    Each kernel's sockets get a unique path, so kernels started side by side never share one
    (jupyter_client's default, ``kernel-ipc-<n>`` in the working folder, races). While the
    thread's notebook has a kernel server, the kernel is forked from it
    (:meth:`format_kernel_cmd`). Its clients are :class:`ReadyClient`."""

    transport = CaselessStrEnum(["tcp", "ipc"], default_value="ipc", config=True)

    @default("client_factory")
    def _ready_client(self) -> type[ReadyClient]:
        return ReadyClient

    @default("ip")
    def _unique_ipc_path(self) -> str:
        folder = getattr(_LAUNCH, "folder", None) or tempfile.gettempdir()
        return str(Path(folder) / f"bbp-kernel-{uuid.uuid4().hex[:12]}")

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        """The kernel spec's command (``python -m ipykernel_launcher -f FILE``), or, while the
        thread has a ready kernel server, the client that has the server fork the kernel."""
        cmd = super().format_kernel_cmd(extra_arguments)
        server: KernelServer | None = getattr(_LAUNCH, "server", None)
        return (server and server.command(cmd)) or cmd

    async def _async_interrupt_kernel(self) -> None:
        """Interrupt a running cell, but not a kernel being shut down: jupyter_client sends
        SIGINT before every shutdown request, and ipykernel logs that as an ERROR line
        ("KeyboardInterrupt caught in kernel") although nothing failed."""
        if self.shutting_down:
            return
        await super()._async_interrupt_kernel()

    async def _async_wait(self, pollinterval: float = 0.1) -> None:
        """Wait for the killed kernel's process to end, looking every 5 ms instead of
        jupyter_client's 100 ms: a kernel killed after its last cell is gone within a few
        milliseconds, and every run waited one whole interval for it."""
        await super()._async_wait(pollinterval=min(pollinterval, 0.005))


_LAUNCH = threading.local()  # per thread: a folder for its kernel's sockets, the kernel server


def scan_for_errors(notebook: Path) -> None:
    """Raise BuildError naming the notebook and cell if any output is an error."""
    nb = nbformat.read(notebook, as_version=4)
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                raise BuildError(
                    f"{notebook.name}: cell {index} raised {output.get('ename')}: "
                    f"{output.get('evalue')}"
                )


def template_cell_index(executed: Path, index: int) -> int:
    """The template's number for cell ``index`` of the executed notebook (which has one
    more cell, papermill's injected parameters, before it)."""
    cells = nbformat.read(executed, as_version=4).cells[:index]
    injected = any("injected-parameters" in cell.metadata.get("tags", []) for cell in cells)
    return index - 1 if injected else index


def bytecode_environment() -> dict[str, str]:
    """Kernels write compiled bytecode even where the environment forbids it
    (``PYTHONDONTWRITEBYTECODE``): each notebook is a new Python, which would otherwise
    compile the package's own modules again (``scripts/in-venv`` compiles the libraries at
    install). The bytecode goes where Python puts it (``__pycache__`` beside the source,
    which git ignores, or the user's ``PYTHONPYCACHEPREFIX``)."""
    if not os.environ.get("PYTHONDONTWRITEBYTECODE"):
        return {}
    return {"PYTHONDONTWRITEBYTECODE": ""}


@contextmanager
def kernel_environment(root: Path) -> Iterator[None]:
    """The environment kernels inherit (project root, non-interactive plotting, fixed hash
    seed, a bytecode cache: :func:`bytecode_environment`), set for the duration of a run and
    then restored, so nothing leaks into the calling process. Blocks may nest or overlap (runs
    in threads side by side): the last one to end restores the environment the first found."""
    wanted = {
        "BBP_ROOT": str(root),
        "MPLBACKEND": os.environ.get("MPLBACKEND", "Agg"),
        "PYTHONHASHSEED": "0",
        **bytecode_environment(),
    }
    with _ENVIRONMENT:
        _OUTSIDE.append({name: os.environ.get(name) for name in wanted})
        os.environ.update(wanted)
    try:
        yield
    finally:
        with _ENVIRONMENT:
            before = _OUTSIDE.pop()
            if not _OUTSIDE:  # the outermost block restores; inner ones overlap in threads
                _restore(before)


_ENVIRONMENT = threading.Lock()
_OUTSIDE: list[dict[str, str | None]] = []  # what each open kernel_environment replaced


def _restore(values: dict[str, str | None]) -> None:
    for name, value in values.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def outside_environment() -> dict[str, str]:
    """The process environment as it is outside every :func:`kernel_environment` block (for
    a subprocess started while notebooks run beside it, which must not inherit the kernels'
    fixed hash seed)."""
    with _ENVIRONMENT:
        env = dict(os.environ)
        for name, value in (_OUTSIDE[0] if _OUTSIDE else {}).items():
            if value is None:
                env.pop(name, None)
            else:
                env[name] = value
    return env


def execute(
    template: Path, output: Path, parameters: dict[str, Any], timeout: int, root: Path
) -> None:
    """Run one template with papermill into ``output`` (working directory: its folder)."""
    with kernel_environment(root):
        _execute(template, output, parameters, timeout)


def _execute(template: Path, output: Path, parameters: dict[str, Any], timeout: int) -> None:
    try:
        papermill.execute_notebook(
            str(template),
            str(output),
            parameters=parameters,
            kernel_name=KERNEL,
            # the kernel's working folder, set without papermill's cwd= (a process-wide
            # chdir, which races when notebooks run side by side in threads)
            resources={"metadata": {"path": str(output.parent)}},
            progress_bar=False,
            log_output=False,
            execution_timeout=timeout,
            request_save_on_cell_execute=False,
            kernel_manager_class=LocalKernelManager,
            # once the last cell has replied, the kernel holds nothing the notebook needs:
            # it is killed, not asked to shut down and then polled every 0.1 s until it has
            # gone (about 0.3 s of every run)
            shutdown_kernel="immediate",
        )
    except PapermillExecutionError as exc:
        cell = template_cell_index(output, exc.cell_index)
        raise BuildError(
            f"{template.name}: cell {cell} raised {exc.ename}: {exc.evalue}".splitlines()[0]
        ) from exc
    except TimeoutError as exc:
        raise BuildError(
            f"{template.name}: a cell ran longer than {timeout} s (cell_timeout_seconds)"
        ) from exc
    except DeadKernelError as exc:
        raise BuildError(
            f"{template.name}: the notebook's kernel died while running a cell (out of "
            "memory, or the code ended the process)"
        ) from exc
    except RuntimeError as exc:  # raised by the kernel client, e.g. a kernel that never started
        raise BuildError(f"{template.name}: the notebook's kernel failed: {exc}") from exc
    scan_for_errors(output)


READER_HIDDEN = ("remove-cell", "remove-input")
"""Jupyter Book tags that keep a code cell's source off the page (the executed notebook keeps
it)."""


def code_off_the_page(tags: list[str]) -> list[str]:
    """A code cell's tags with its source removed from the page (``remove-input``, replacing a
    ``hide-input`` toggle); unchanged when the page already omits it. Its outputs stay."""
    if set(READER_HIDDEN) & set(tags):
        return tags
    return [*(tag for tag in tags if tag != "hide-input"), "remove-input"]


def strip_injected_metadata(notebook: Path) -> None:
    """Drop papermill's run timestamps and random cell id so equal inputs give equal executed
    notebooks, hide the injected parameters cell and keep every code cell's source off the
    page (readers see outputs only; the executed notebook, with its code, is in the
    downloads)."""
    nb = nbformat.read(notebook, as_version=4)
    nb.metadata.get("papermill", {}).pop("start_time", None)
    nb.metadata.get("papermill", {}).pop("end_time", None)
    nb.metadata.get("papermill", {}).pop("duration", None)
    nb.metadata["papermill"]["input_path"] = Path(nb.metadata["papermill"]["input_path"]).name
    nb.metadata["papermill"]["output_path"] = notebook.name
    for cell in nb.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        tags = cell.metadata.get("tags", [])
        if "injected-parameters" in tags:
            cell.id = "injected-parameters"  # papermill gives it a random id at every run
            if "remove-cell" not in tags:
                tags = [*tags, "remove-cell"]
        if cell.cell_type == "code":
            tags = code_off_the_page(tags)
        if tags:
            cell.metadata["tags"] = tags
    nbformat.write(nb, notebook)


PACKAGE = Path(__file__).resolve().parent
SOURCE_SUFFIXES = (".py", ".sql", ".yaml", ".csv", ".mplstyle")
CACHE_FOLDER = "notebook-cache"


@dataclass
class RunSummary:
    """Labels of the notebooks executed and of those reused unchanged from the cache, and
    each executed notebook's wall-clock seconds."""

    executed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)


def hash_files(paths: Iterable[Path], base: Path) -> str:
    """SHA-256 over the relative names and bytes of ``paths`` (folders: every file inside),
    in sorted order; missing paths count by name only."""
    files: set[Path] = set()
    for path in paths:
        if path.is_dir():
            files.update(p for p in path.rglob("*") if p.is_file())
        else:
            files.add(path)
    digest = hashlib.sha256()
    for path in sorted(files):
        name = path.relative_to(base) if path.is_relative_to(base) else path
        digest.update(str(name).encode() + b"\0")
        digest.update(path.read_bytes() if path.is_file() else b"<missing>")
        digest.update(b"\0")
    return digest.hexdigest()


@cache
def source_hash() -> str:
    """SHA-256 of the package's source, SQL and data files (computed once per process)."""
    return hash_files(
        (
            p
            for p in PACKAGE.rglob("*")
            if p.suffix in SOURCE_SUFFIXES and "__pycache__" not in p.parts
        ),
        PACKAGE,
    )


def input_fingerprint(paths: Iterable[Path], root: Path) -> str:
    """Fingerprint of the files a notebook reads (measures cache, extract manifest,
    reference folder...), for :attr:`NotebookJob.inputs`."""
    return hash_files(paths, root)


def job_key(job: NotebookJob) -> str:
    """The cache key of one run: template bytes, injected parameters (JSON, sorted keys),
    input fingerprint and package source hash."""
    record = {
        "template": hashlib.sha256(job.template.read_bytes()).hexdigest(),
        "name": job.template.name,
        "parameters": job.parameters,
        "inputs": job.inputs,
        "source": source_hash(),
    }
    return hashlib.sha256(json.dumps(record, sort_keys=True, default=str).encode()).hexdigest()


def cache_dir(root: Path) -> Path:
    """Where executed notebooks are kept by key (outside ``_build/cache``, which holds data)."""
    return root / "_build" / CACHE_FOLDER


def extra_dir(notebook: Path) -> Path:
    """The ``_extra`` folder a notebook in ``<book root>/book/`` writes downloads to."""
    return notebook.parent.parent / "_extra"


@contextmanager
def filing(entry: Path) -> Iterator[Path]:
    """A private folder beside ``entry`` to fill; when the block ends it is renamed to
    ``entry`` (or dropped, when a concurrent build filed ``entry`` first), so a partial
    entry is never read. On any error it is removed."""
    work = entry.with_name(f"{entry.name}.partial-{os.getpid()}-{threading.get_ident()}")
    shutil.rmtree(work, ignore_errors=True)
    try:
        yield work
        if entry.exists():
            shutil.rmtree(work)
        else:
            work.rename(entry)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise


def execute_into_cache(
    job: NotebookJob,
    key: str,
    timeout: int,
    root: Path,
    progress: Callable[[str], None],
    server: KernelServer | None = None,
) -> float:
    """Execute ``job`` in a private folder and file it under its key (its kernel forked from
    ``server`` when one is given); return the seconds it took."""
    with filing(cache_dir(root) / key) as work:
        (work / "book").mkdir(parents=True)
        (work / "_extra" / "downloads").mkdir(parents=True)
        for path in job.files:
            shutil.copy2(path, work / "_extra" / path.name)
        notebook = work / "book" / job.template.name
        return _execute_forked(job, notebook, timeout, root, progress, server)


def _execute_forked(
    job: NotebookJob,
    output: Path,
    timeout: int,
    root: Path,
    progress: Callable[[str], None],
    server: KernelServer | None,
) -> float:
    """Execute ``job`` into ``output`` (its kernel forked from ``server`` when one is given),
    announced in ``progress``, and strip the run-time metadata; return the seconds it took."""
    progress(f"executing {job.label}")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bbp-sockets-") as sockets:
        _LAUNCH.folder, _LAUNCH.server = sockets, server
        try:
            execute(job.template, output, job.parameters, timeout, root)
        finally:
            _LAUNCH.server = None
    strip_injected_metadata(output)
    seconds = time.perf_counter() - started
    progress(f"executed {job.label} in {seconds:.1f} s")
    return seconds


def execute_uncached(
    jobs: list[NotebookJob],
    timeout: int,
    root: Path,
    progress: Callable[[str], None],
) -> None:
    """Execute every job straight into its output, never from or into the cache (a re-run
    that must reproduce, as ``bbp verify``), one per CPU at once, kernels forked from one
    server; BuildError: the first failing job in list order (jobs not yet started are not
    run)."""
    _side_by_side(
        jobs,
        lambda _, job, server: _execute_forked(job, job.output, timeout, root, progress, server),
        root,
        os.cpu_count() or 1,
    )


def _in_pool_thread(
    run: Callable[[int, NotebookJob, KernelServer | None], float],
    index: int,
    job: NotebookJob,
    server: KernelServer | None,
) -> float:
    """``run(index, job, server)`` in a pool thread, then closing the event loop that
    papermill's synchronous API (jupyter_core's ``run_sync``) set for the thread and leaves
    open (the thread's next run makes a new one); otherwise each finished thread leaves a loop
    and its sockets to the garbage collector."""
    try:
        return run(index, job, server)
    finally:
        with suppress(RuntimeError):  # no loop set in this thread
            asyncio.get_event_loop_policy().get_event_loop().close()
        asyncio.set_event_loop(None)


def _side_by_side(
    jobs: list[NotebookJob],
    run: Callable[[int, NotebookJob, KernelServer | None], float],
    root: Path,
    at_once: int,
    on_failure: Callable[[], None] | None = None,
) -> dict[int, float]:
    """``run(index, job, server)`` for every job, up to ``at_once`` at a time, in the kernels'
    environment with one kernel server (:func:`_server_for`); the seconds each took, by
    index. On a failure, ``on_failure`` is called and the jobs not yet started are
    cancelled; the first failure in list order is raised (:class:`Cancelled` is none)."""
    errors: dict[int, BaseException] = {}
    seconds: dict[int, float] = {}
    with (
        kernel_environment(root),
        _server_for(jobs) as server,
        ThreadPoolExecutor(max_workers=max(1, at_once)) as pool,
    ):
        futures = {
            pool.submit(_in_pool_thread, run, i, job, server): i for i, job in enumerate(jobs)
        }
        for future in as_completed(futures):
            if future.cancelled():
                continue
            if (error := future.exception()) is not None:
                if not isinstance(error, Cancelled):
                    errors[futures[future]] = error
                if on_failure is not None:
                    on_failure()
                for other in futures:
                    other.cancel()
            else:
                seconds[futures[future]] = future.result()
    if errors:
        raise errors[min(errors)]
    return seconds


def restore(entry: Path, job: NotebookJob) -> None:
    """Copy a cache entry's executed notebook to ``job.output`` and its ``_extra`` files
    beside it."""
    job.output.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(entry / "book" / job.template.name, job.output)
    shutil.copytree(entry / "_extra", extra_dir(job.output), dirs_exist_ok=True)


@contextmanager
def kernel_server(templates: list[Path]) -> Iterator[KernelServer | None]:
    """A kernel server for these notebooks (None: there are none, or forking is unavailable or
    opted out), started in the current environment and stopped, with any kernel it still
    has, when the block ends; its socket lives in a temporary folder removed with it. Where
    ``$BBP_KERNEL_SERVER`` names the socket of a server already running, that server
    (:func:`~bbp_analysis.kernel_server.attached_socket`), left running."""
    split = split_kernel_cmd(LocalKernelManager(kernel_name=KERNEL).kernel_spec.argv)
    if not templates or not available() or split is None:
        yield None
        return
    attached = attached_socket()
    if attached:
        yield AttachedServer(attached, split[0])
        return
    with tempfile.TemporaryDirectory(prefix="bbp-kernels-") as folder:
        server = KernelServer(Path(folder), notebook_imports(templates), split[0])
        try:
            yield server
        finally:
            server.close()


class SharedKernels:
    """One kernel server for every :func:`run_notebooks` call of a build (:func:`shared_kernels`),
    started by the first call that executes a notebook, with the imports of all of ``templates``,
    and stopped when the build ends."""

    def __init__(self, templates: list[Path], stack: ExitStack) -> None:
        self.templates, self._stack = templates, stack
        self._server: KernelServer | None = None
        self._started = False
        self._lock = threading.Lock()  # runs of several editions start side by side

    def server(self) -> KernelServer | None:
        with self._lock:
            if not self._started:
                self._started = True
                self._server = self._stack.enter_context(kernel_server(self.templates))
        return self._server


_SHARED: SharedKernels | None = None


def start_shared_kernels(root: Path) -> None:
    """Start the build's kernel server (:func:`shared_kernels`) now, in the kernels'
    environment, if it has not started: it imports in the background (e.g. on the core the
    extract's generation leaves idle) and the first notebook waits only for what is left."""
    if _SHARED is not None:
        with kernel_environment(root):
            _SHARED.server()


@contextmanager
def shared_kernels(templates: list[Path]) -> Iterator[None]:
    """Within the block, notebooks of every :func:`run_notebooks` call are forked from one
    kernel server (not one per call), started when first needed (inside that call's
    :func:`kernel_environment`, so it imports as a kernel would)."""
    global _SHARED
    with ExitStack() as stack:
        _SHARED = SharedKernels(templates, stack)
        try:
            yield
        finally:
            _SHARED = None


@contextmanager
def _server_for(pending: list[NotebookJob]) -> Iterator[KernelServer | None]:
    """The build's shared server (:func:`shared_kernels`) or one of this call's own."""
    if not pending:
        yield None
    elif _SHARED is not None:
        yield _SHARED.server()
    else:
        with kernel_server([job.template for job in pending]) as server:
            yield server


class Cancelled(Exception):
    """A task that had not started when its build stopped (another task failed)."""


class Slots:
    """At most ``count`` tasks at once across threads (one per core: a notebook's kernel, a
    book build, a page writer); a task waiting for a slot starts before any with a larger
    ``priority``, and never after :meth:`cancel`."""

    def __init__(self, count: int) -> None:
        self._free = max(1, count)
        self._waiting: list[tuple[Any, int]] = []
        self._order = itertools.count()
        self._changed = threading.Condition()
        self.cancelled = False

    @contextmanager
    def held(self, priority: Any) -> Iterator[None]:
        """Wait for a free slot (those waiting start in ``priority`` order) and hold it for
        the block; Cancelled once :meth:`cancel` was called."""
        ticket = (priority, next(self._order))
        with self._changed:
            heapq.heappush(self._waiting, ticket)
            self._changed.wait_for(
                lambda: self.cancelled or (self._free > 0 and self._waiting[0] == ticket)
            )
            if self.cancelled:
                self._waiting.remove(ticket)
                heapq.heapify(self._waiting)
                self._changed.notify_all()
                raise Cancelled
            heapq.heappop(self._waiting)
            self._free -= 1
            self._changed.notify_all()  # the next in line may start too
        try:
            yield
        finally:
            with self._changed:
                self._free += 1
                self._changed.notify_all()

    def cancel(self) -> None:
        """Start nothing more: every task waiting or yet to ask raises Cancelled."""
        with self._changed:
            self.cancelled = True
            self._changed.notify_all()


def _execute_held(
    slot: AbstractContextManager[None],
    job: NotebookJob,
    key: str,
    timeout: int,
    root: Path,
    progress: Callable[[str], None],
    server: KernelServer | None,
) -> float:
    """:func:`execute_into_cache` once ``slot`` is held."""
    with slot:
        return execute_into_cache(job, key, timeout, root, progress, server)


def run_notebooks(
    jobs: list[NotebookJob],
    timeout: int,
    root: Path,
    progress: Callable[[str], None],
    *,
    workers: int | None = None,
    slots: Slots | None = None,
    priority: Any = 0,
) -> RunSummary:
    """Execute the jobs whose key is not cached, up to ``workers`` at once (default: the
    number of CPUs), or each in one of ``slots`` shared with other work (in order of
    ``(priority, position in jobs)``), and restore every job's output from the cache;
    BuildError (the first failing job in list order) when any notebook fails."""
    summary = RunSummary()
    keys = {job.label: job_key(job) for job in jobs}
    entries = {job.label: cached_entry(job, keys[job.label], root) for job in jobs}
    pending = [job for job in jobs if entries[job.label] is None]
    for job in jobs:
        if (entry := entries[job.label]) is not None:
            summary.skipped.append(job.label)
            why = "unchanged" if entry.name == keys[job.label] else "its full run's results"
            progress(f"skipped {job.label} ({why}; cached {entry.name[:12]})")
    at_once = len(pending) if slots else workers or os.cpu_count() or 1

    def run(index: int, job: NotebookJob, server: KernelServer | None) -> float:
        slot = slots.held((priority, index)) if slots else nullcontext()
        return _execute_held(slot, job, keys[job.label], timeout, root, progress, server)

    seconds = _side_by_side(pending, run, root, at_once, slots.cancel if slots else None)
    summary.seconds = {pending[index].label: took for index, took in seconds.items()}
    if slots and slots.cancelled:
        raise Cancelled
    summary.executed = [job.label for job in pending]
    for job in jobs:
        restore(entries[job.label] or cache_dir(root) / keys[job.label], job)
    return summary


def cached_entry(job: NotebookJob, key: str, root: Path) -> Path | None:
    """The cache entry ``job`` (whose key is ``key``) is restored from: its own, else that of
    the run it has the same results as (:attr:`NotebookJob.same_results_as`); None when
    neither is cached."""
    for name in (key, job.same_results_as):
        if name and (entry := cache_dir(root) / name).is_dir():
            return entry
    return None
