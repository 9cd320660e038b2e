"""Seconds per notebook with kernels forked from the kernel server and with each kernel a new
Python (``BBP_KERNEL_SERVER=0``): a script, not a test.

Run: .venv/bin/python benchmarks/bench_kernels.py [--notebooks 4]
Runs ``--notebooks`` copies of a one-cell notebook that imports what a chapter imports
(:data:`IMPORTS`) through :func:`bbp_analysis.runner.run_notebooks`, one at a time, first
with the server and then without, and prints each mode's seconds per notebook (the first
one apart: with the server it also waits for the server's imports) and the load average.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import nbformat

from bbp_analysis import runner
from bbp_analysis.kernel_server import OPT_OUT

IMPORTS = (
    "from bbp_analysis import report, catalogue\n"
    "from bbp_analysis.chapters import objective_1_views, objective_1_text\n"
    "import scipy.stats, statsmodels.api"
)


def timed_run(work: Path, count: int, server: bool) -> list[float]:
    """Seconds of each of ``count`` notebooks run one after another in a fresh cache."""
    os.environ[OPT_OUT] = "1" if server else "0"
    template = work / "imports.ipynb"
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(IMPORTS)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nbformat.write(nb, template)
    stage = "server" if server else "plain"
    jobs = [
        runner.NotebookJob(
            template=template,
            output=work / stage / str(index) / "book" / "imports.ipynb",
            parameters={},
            label=f"{stage}-{index}",
            inputs=f"{stage}-{index}-{time.time()}",
        )
        for index in range(count)
    ]
    summary = runner.run_notebooks(jobs, 300, work, lambda _m: None, workers=1)
    return [summary.seconds[job.label] for job in jobs]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notebooks", type=int, default=4)
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory(prefix="bbp-bench-kernels-") as folder:
        for server in (True, False):
            seconds = timed_run(Path(folder), args.notebooks, server)
            rest = seconds[1:] or seconds
            print(
                f"{'forked from the server' if server else 'new Python per kernel':24s}"
                f" first {seconds[0]:5.2f} s, then {sum(rest) / len(rest):5.2f} s per notebook,"
                f" {sum(seconds):6.2f} s for {len(seconds)}"
                f" (load {os.getloadavg()[0]:.2f})"
            )
    os.environ.pop(OPT_OUT, None)


if __name__ == "__main__":
    main()
