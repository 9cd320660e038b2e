"""A fork server for notebook kernels: import the libraries once, fork a kernel per notebook.

A fresh kernel (``python -m ipykernel_launcher``) spends about 3 s importing pandas, SciPy,
statsmodels, Matplotlib, ipykernel and the package before a notebook's first cell does any
work. The server is a Python process, started in the kernels' own environment
(:func:`bbp_analysis.runner.kernel_environment`), that imports those modules
(:data:`LIBRARIES` and the modules the notebooks import, :func:`notebook_imports`), then
waits on a Unix socket. For each kernel, jupyter_client starts :mod:`.kernel_client`, which
sends its connection file, working folder, environment and standard streams; the server
forks a child that takes them over and starts ``IPKernelApp`` on that connection file, as
``ipykernel_launcher`` would. Nothing but imports runs in the server, so every notebook
starts from the state of a fresh kernel that has imported those modules.

After importing, the server moves every object it holds out of the garbage collector's reach
(``gc.freeze``), so a kernel's full collections walk only the objects it made itself, not the
libraries' hundreds of thousands it inherited (nor write to their pages, which the fork shares).
Measured with one PCN view's cold build (``bbp build --period 2025-26 --jobs 2``, an idle
2-core machine, CPU of the whole process tree, Jupyter Book's fork server frozen likewise,
:mod:`.site.book_preload`): 37.5, 35.6 and 34.7 CPU s without, 33.2, 33.1 and 33.4 with.

Protocol (one connection per kernel): the client sends 8 bytes (big-endian length of the
request) carrying its file descriptors 0, 1 and 2, then the request as JSON (``argv``, the
kernel's arguments ``-f CONNECTION_FILE ...``; ``cwd``; ``env``). The server replies ``pid N``
once the kernel is forked and ``exit CODE`` (negative: killed by that signal) when it ends.
A client that disconnects first has its kernel's process group killed.

The server forks from a single-threaded loop (``select`` on the socket, the clients and a
pidfd per kernel), creates no event loop or ZeroMQ context, and stops, killing any kernel left,
when its standard input closes (the build ended, or died) or on SIGTERM. Linux only; any
failure to start or to become ready means kernels are launched as usual
(:class:`KernelServer`).
"""

from __future__ import annotations

import ast
import atexit
import contextlib
import gc
import importlib
import importlib.util
import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import traceback
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

LIBRARIES = (
    "numpy",
    "pandas",
    "matplotlib.pyplot",
    "bbp_analysis.stats.models",
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.debugger",
)
"""Imported by the server whatever the notebooks import: the kernel itself and the libraries
the package's notebooks spend their start-up importing (statsmodels and with it SciPy's
statistics through the model classes the package fits, :mod:`.stats.models`). The kernel
imports its debugger (and with it debugpy's vendored pydevd, some hundred modules) as it
starts: about half a forked kernel's start-up CPU when left to each kernel."""

OPT_OUT = "BBP_KERNEL_SERVER"
"""Set to ``0`` to start every kernel as a new Python (``python -m ipykernel_launcher``), or to
the socket of a server already running to fork every kernel from it (:func:`attached_socket`)."""

LAUNCHER = ["-m", "ipykernel_launcher", "-f"]  # how a kernel spec starts ipykernel
READY_SECONDS = 180.0  # longest wait for the server's imports (a loaded machine), then fall back
CLIENT = Path(__file__).with_name("kernel_client.py")


def available() -> bool:
    """Whether kernels may be forked here: Linux (fork after imports is safe, pidfds exist)
    and not opted out with ``BBP_KERNEL_SERVER=0``."""
    return (
        sys.platform == "linux"
        and hasattr(os, "pidfd_open")
        and os.environ.get(OPT_OUT, "1").strip() != "0"
    )


def attached_socket() -> str | None:
    """The socket that ``$BBP_KERNEL_SERVER`` names, when it is a path to a socket that exists:
    a server another process started and keeps running (e.g. a session that runs many builds,
    each of which would otherwise start a server and import the same libraries again). None
    otherwise, and then a build starts its own server."""
    value = os.environ.get(OPT_OUT, "").strip()
    return value if value not in ("", "0", "1") and Path(value).is_socket() else None


def split_kernel_cmd(kernel_cmd: list[str]) -> tuple[list[str], list[str]] | None:
    """A kernel command ``PYTHON [OPTIONS] -m ipykernel_launcher -f FILE [ARGS]`` split into
    the Python with its options and the kernel's arguments (``-f FILE [ARGS]``); None for
    any other kind of kernel."""
    for index in range(1, len(kernel_cmd) - 3):
        if kernel_cmd[index : index + 3] == LAUNCHER:
            return kernel_cmd[:index], kernel_cmd[index + 2 :]
    return None


def _imported(source: str) -> list[str]:
    """Module names imported by a code cell: ``import a.b`` gives ``a.b``; ``from a import b``
    gives ``a`` and ``a.b`` (``b`` may be a submodule). Magics and shell lines are skipped."""
    code = "\n".join(
        line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))
    )
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    names: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.append(node.module)
            names.extend(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def notebook_imports(templates: Iterable[Path]) -> list[str]:
    """The modules imported at the top level of the notebooks' code cells, in first-seen
    order (some ``a.b`` names are attributes, not modules; the server skips those). A template
    that cannot be read adds nothing (its run reports it)."""
    seen: dict[str, None] = {}
    for template in templates:
        try:
            cells = nbformat.read(template, as_version=4).cells
        except (OSError, ValueError):
            continue
        for cell in cells:
            if cell.cell_type == "code":
                seen.update(dict.fromkeys(_imported(cell.source)))
    return list(seen)


class KernelServer:
    """The running server seen from the build: :meth:`command` gives the kernel command for a
    connection file (None: launch kernels as usual); :meth:`close` stops it and its kernels."""

    def __init__(self, folder: Path, modules: Iterable[str], python: list[str]) -> None:
        self.path = str(folder / "kernels.sock")
        self.python = python  # the kernel's interpreter and options, which the server shares
        self._lock = threading.Lock()
        self._ready: bool | None = None
        self._process: subprocess.Popen[bytes] | None
        try:
            self._process = subprocess.Popen(
                [*python, "-m", __name__, self.path, *modules],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # a Ctrl-C reaches the build, which then stops us
            )
        except OSError:
            self._process = None
            self._ready = False
        self.pid = self._process.pid if self._process else None  # None: it could not start

    def ready(self) -> bool:
        """Wait (once) for the server to finish importing; False if it failed or took longer
        than :data:`READY_SECONDS`, in which case it is stopped."""
        with self._lock:
            if self._ready is None and self._process is None:  # already stopped
                self._ready = False
            if self._ready is None:
                self._ready = self._await_ready()
                if not self._ready:
                    self.close()
            return self._ready

    def _await_ready(self) -> bool:
        assert self._process is not None and self._process.stdout is not None
        out = self._process.stdout
        waited, _, _ = select.select([out], [], [], READY_SECONDS)
        line = out.readline() if waited else b""
        out.close()
        return line.strip() == b"ready"

    def command(self, kernel_cmd: list[str]) -> list[str] | None:
        """The command that has the server fork the kernel ``kernel_cmd`` would start, or None
        (not an ipykernel command with the server's interpreter, or no server)."""
        split = split_kernel_cmd(kernel_cmd)
        if split is None or split[0] != self.python or not self.ready():
            return None
        return [sys.executable, "-I", "-S", str(CLIENT), self.path, *split[1]]

    def close(self) -> None:
        """Stop the server (it kills any kernel still running) and wait for it."""
        process, self._process = self._process, None
        if process is None:
            return
        if process.stdin is not None:
            process.stdin.close()  # end of input: the server stops
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()
        Path(self.path).unlink(missing_ok=True)


class AttachedServer(KernelServer):
    """A running server that another process started and stops (:func:`attached_socket`):
    kernels are forked from it as from a build's own server, and closing it leaves it
    running. It must have been started with the kernels' Python and in their environment
    (:func:`bbp_analysis.runner.kernel_environment`: its hash seed is every kernel's)."""

    def __init__(self, path: str, python: list[str]) -> None:
        self.path, self.python, self.pid = path, python, None

    def ready(self) -> bool:
        """Always: it was ready when its socket was found (:func:`attached_socket`)."""
        return True

    def close(self) -> None:
        """Nothing: the server belongs to the process that started it."""


# --- the server process ------------------------------------------------------------------


@dataclass
class KernelRequest:
    """What a client asks for: the kernel's arguments (``-f CONNECTION_FILE ...``), working
    folder, environment and standard streams (file descriptors received from the client)."""

    argv: list[str]
    cwd: str
    env: dict[str, str]
    streams: list[int] = field(default_factory=list)


@dataclass
class Kernel:
    """A forked kernel: its client's connection and a pidfd that is readable once it ends."""

    pid: int
    client: socket.socket
    pidfd: int
    orphaned: bool = False  # its client went away (and the kernel was killed)


def _receive(client: socket.socket) -> KernelRequest:
    client.settimeout(10)
    head, streams, _flags, _addr = socket.recv_fds(client, 8, 3)
    if len(head) != 8 or len(streams) != 3:
        for fd in streams:
            os.close(fd)
        raise OSError("incomplete kernel request")
    size = int.from_bytes(head, "big")
    body = bytearray()
    while len(body) < size:
        chunk = client.recv(size - len(body))
        if not chunk:
            break
        body.extend(chunk)
    client.settimeout(None)
    data = json.loads(body)
    return KernelRequest(list(data["argv"]), data["cwd"], data["env"], streams)


def _preload(modules: Iterable[str]) -> None:
    """Import each module; names that are not modules or fail to import are left for the
    notebook to meet (its own import fails as it would in a fresh kernel)."""
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:
            continue


def _kill(kernel: Kernel) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(kernel.pid, signal.SIGKILL)


def serve(path: str, modules: list[str]) -> KernelRequest | None:
    """Import ``modules``, listen on ``path`` and fork kernels until standard input closes.
    Returns None in the server; in a forked child, returns that child's request."""
    if sys.path and (sys.path[0] in ("", os.getcwd())):
        del sys.path[0]  # as ipykernel_launcher does; IPKernelApp puts '' back
    _preload([*LIBRARIES, *modules])
    gc.freeze()  # see the module doc: what the kernels inherit is never collected
    if threading.active_count() != 1:  # forking a threaded process is not safe
        return None
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    me = os.getpid()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    kernels: dict[int, Kernel] = {}
    try:
        listener.bind(path)
        listener.listen(64)
        sys.stdout.write("ready\n")
        sys.stdout.flush()
        quiet = os.open(os.devnull, os.O_WRONLY)
        os.dup2(quiet, 1)
        os.dup2(quiet, 2)
        os.close(quiet)
        while True:
            by_client = {k.client.fileno(): k for k in kernels.values() if not k.orphaned}
            by_pidfd = {kernel.pidfd: kernel for kernel in kernels.values()}
            readable, _, _ = select.select([0, listener, *by_client, *by_pidfd], [], [])
            if 0 in readable and not os.read(0, 4096):
                return None
            for fd in readable:
                if fd in by_pidfd:
                    _reap(by_pidfd[fd], kernels)
                elif fd in by_client and by_client[fd].pid in kernels:
                    _check_client(by_client[fd])
            if listener in readable:
                request = _fork(listener, kernels)
                if request is not None:
                    listener.close()
                    return request
    finally:
        if os.getpid() == me:
            for kernel in kernels.values():
                _kill(kernel)
                os.waitpid(kernel.pid, 0)
            listener.close()
            Path(path).unlink(missing_ok=True)


def _check_client(kernel: Kernel) -> None:
    """A client sends nothing after its request: a readable client has gone away (was
    killed), and its kernel is killed with it."""
    if not kernel.client.recv(4096):
        kernel.orphaned = True
        _kill(kernel)


def _reap(kernel: Kernel, kernels: dict[int, Kernel]) -> None:
    _, status = os.waitpid(kernel.pid, 0)
    with contextlib.suppress(OSError):
        kernel.client.sendall(f"exit {os.waitstatus_to_exitcode(status)}\n".encode())
    kernel.client.close()
    os.close(kernel.pidfd)
    del kernels[kernel.pid]


def _fork(listener: socket.socket, kernels: dict[int, Kernel]) -> KernelRequest | None:
    """Accept one client and fork its kernel; returns the request in the child only."""
    client, _ = listener.accept()
    try:
        request = _receive(client)
    except (OSError, ValueError, KeyError):
        client.close()
        return None
    pid = os.fork()
    if pid == 0:
        for kernel in kernels.values():
            kernel.client.close()
            os.close(kernel.pidfd)
        client.close()
        return request
    for fd in request.streams:
        os.close(fd)
    kernels[pid] = Kernel(pid, client, os.pidfd_open(pid))
    client.sendall(f"pid {pid}\n".encode())
    return None


def become_kernel(request: KernelRequest) -> None:
    """In the forked child: take over the client's streams, folder and environment, run
    ``IPKernelApp`` on the connection file as ``ipykernel_launcher`` does, then exit as
    :func:`exit_child` does."""
    os.setsid()  # a process group of its own, as a launched kernel has
    for target, fd in enumerate(request.streams):
        os.dup2(fd, target)
        os.close(fd)
    sys.stdout.reconfigure(line_buffering=os.isatty(1))
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    os.chdir(request.cwd)
    os.environ.clear()
    os.environ.update(request.env)
    if "numpy" in sys.modules:
        sys.modules["numpy"].random.seed()  # a fresh kernel draws its own legacy seed
    from ipykernel.kernelapp import IPKernelApp

    launcher = importlib.util.find_spec("ipykernel_launcher")
    sys.argv = [launcher.origin if launcher else "", *request.argv]
    # the kernel's parent is this server: stop if it goes away (as a kernel does whose
    # launcher died); the value is read from JPY_PARENT_PID when ipykernel is imported
    code: int | str | None = 0
    try:
        IPKernelApp.launch_instance(
            argv=[*request.argv, f"--IPKernelApp.parent_handle={os.getppid()}"]
        )
    except SystemExit as exc:
        code = exc.code
    except BaseException:
        traceback.print_exc()
        code = 1
    exit_child(code)


def exit_child(code: int | str | None) -> None:
    """End a forked kernel as ``sys.exit(code)`` would, without the interpreter's
    finalisation: the exit functions run (IPython saves its history, logging flushes) and
    the streams are flushed, but native libraries loaded in the server (BLAS thread pools,
    ZeroMQ) are not torn down in a process that did not start them, which can hang. Every
    object is first moved out of the garbage collector's reach (``gc.freeze``): IPython's
    exit function collects garbage in a process about to end, which took about 90 ms of CPU
    per kernel (1.8 s of a cold four-edition build)."""
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:
        print(code, file=sys.stderr)
        status = 1
    gc.freeze()
    try:
        atexit._run_exitfuncs()
    finally:
        for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
            try:
                if stream is not None:
                    stream.flush()
            except (OSError, ValueError):
                pass
        os._exit(status)


def main(argv: list[str]) -> None:
    """``python -m bbp_analysis.kernel_server SOCKET [MODULE ...]``."""
    request = serve(argv[0], argv[1:])
    if request is not None:
        become_kernel(request)


if __name__ == "__main__":
    main(sys.argv[1:])
