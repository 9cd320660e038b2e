"""The ``bbp`` command line run in the test's own process: the ``cli.main`` the installed
command calls, without the seconds a new Python process spends importing the package again.
Each command's exit status on a real terminal is still tested through ``support.run_bbp``."""

from __future__ import annotations

import io
import os
import subprocess
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

from bbp_analysis import cli


def run_cli(*args: str, root: Path) -> subprocess.CompletedProcess:
    """``bbp ARGS`` against the project at ``root`` (as ``BBP_ROOT``): its exit status and
    what it printed, shaped like :func:`support.run_bbp`'s result."""
    out, err = io.StringIO(), io.StringIO()
    before = os.environ.get("BBP_ROOT")
    os.environ["BBP_ROOT"] = str(root)
    try:
        with redirect_stdout(out), redirect_stderr(err):
            status = cli.main(list(args))
    finally:
        if before is None:
            del os.environ["BBP_ROOT"]
        else:
            os.environ["BBP_ROOT"] = before
    return subprocess.CompletedProcess(["bbp", *args], status, out.getvalue(), err.getvalue())
