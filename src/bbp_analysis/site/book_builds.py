"""Jupyter Book builds in processes forked from one that has already imported Jupyter Book.

Part of the CPU of every ``jupyter-book build`` of an edition goes on importing Jupyter Book,
Sphinx, MyST-NB, the theme and their dependencies. :func:`run` builds in a child of a
multiprocessing fork server that imported them once (:mod:`.book_preload`), so a build of four
editions imports them once, not four times. The child takes the environment it is given, then
runs the ``jupyter-book`` command's own entry point with the given arguments, its standard
output and error each going to a file. Nothing but imports runs in the fork server, so each
build starts from the state of a new ``jupyter-book`` process that has imported those modules.
When the fork server cannot be used (not Linux, or it fails to start), :func:`run` starts the
``jupyter-book`` command instead.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.forkserver
import os
import subprocess
import sys
import tempfile
import threading
from multiprocessing.context import ForkServerContext
from pathlib import Path

PRELOAD = ("bbp_analysis.site.book_preload",)  # what the fork server imports

_LOCK = threading.Lock()
_CONTEXT: list[ForkServerContext | None] = []  # set once: the fork server, or None (unusable)


def _fork_server() -> ForkServerContext | None:
    """The multiprocessing context whose fork server preloads :data:`PRELOAD` (started with
    the first build), or None where fork servers are unavailable."""
    with _LOCK:
        if not _CONTEXT:
            usable = (
                sys.platform == "linux" and "forkserver" in multiprocessing.get_all_start_methods()
            )
            context = multiprocessing.get_context("forkserver") if usable else None
            if context is not None:
                context.set_forkserver_preload(list(PRELOAD))
            _CONTEXT.append(context)
        return _CONTEXT[0]


def start() -> None:
    """Start the fork server now, if usable and not running: it imports :data:`PRELOAD` in the
    background (e.g. while the extract is generated), so the first build does not wait for
    those imports. A server that cannot start is left to :func:`run`, which then runs the
    command instead."""
    if _fork_server() is not None:
        with contextlib.suppress(OSError):
            multiprocessing.forkserver.ensure_running()


def _build(args: list[str], env: dict[str, str], out: str, err: str) -> None:
    """In the forked child: take ``env``, send standard output and error to the files ``out``
    and ``err``, and run ``jupyter-book ARGS``; exit with its status."""
    os.environ.clear()
    os.environ.update(env)
    for fd, path in ((1, out), (2, err)):
        target = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(target, fd)
        os.close(target)
    from jupyter_book.cli.main import main

    code: object = 0
    try:
        main(args=args, prog_name="jupyter-book")
    except SystemExit as exc:
        code = exc.code
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code if isinstance(code, int) else 1)


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``jupyter-book ARGS`` in environment ``env``: its exit status, standard output and
    standard error, as :func:`subprocess.run` with ``capture_output=True, text=True`` gives."""
    context = _fork_server()
    if context is not None:
        with tempfile.TemporaryDirectory(prefix="bbp-book-") as folder:
            out, err = Path(folder) / "stdout", Path(folder) / "stderr"
            try:
                child = context.Process(target=_build, args=(args, env, str(out), str(err)))
                child.start()
            except OSError:
                pass  # the fork server could not start: run the command instead
            else:
                child.join()
                code = child.exitcode if child.exitcode is not None else 1
                text = [p.read_text(errors="replace") if p.is_file() else "" for p in (out, err)]
                return subprocess.CompletedProcess(args, code, text[0], text[1])
    command = [str(Path(sys.executable).with_name("jupyter-book")), *args]
    return subprocess.run(command, capture_output=True, text=True, check=False, env=env)


def stop() -> None:
    """Stop the fork server, if a build started it, and wait for it: it exits with its last
    build rather than with this process, and its builds' CPU time counts as this process's."""
    with _LOCK:
        started = bool(_CONTEXT) and _CONTEXT[0] is not None
        _CONTEXT.clear()
    server = multiprocessing.forkserver._forkserver  # the one fork server of this process
    if started and getattr(server, "_forkserver_pid", None) is not None:
        server._stop()  # closes its socket and waits for it (what the standard tests call)
