"""Executing the notebook templates with papermill.

:func:`run_notebooks` runs a list of :class:`NotebookJob` (template, output path, injected
parameters); each executed notebook is checked for error outputs and stripped of run-time
metadata so equal inputs give equal notebooks.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
import papermill
from jupyter_client.manager import AsyncKernelManager
from papermill.exceptions import PapermillExecutionError
from traitlets import CaselessStrEnum

from .errors import BuildError


@dataclass(frozen=True)
class NotebookJob:
    """One notebook to execute: its template, where the executed copy goes, its parameters."""

    template: Path
    output: Path
    parameters: dict[str, Any]
    label: str


class LocalKernelManager(AsyncKernelManager):
    """Kernels talk over local IPC sockets: no TCP ports to race for, nothing on the network."""

    transport = CaselessStrEnum(["tcp", "ipc"], default_value="ipc", config=True)


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


def execute(
    template: Path, output: Path, parameters: dict[str, Any], timeout: int, root: Path
) -> None:
    """Run one template with papermill into ``output`` (working directory: its folder)."""
    os.environ["BBP_ROOT"] = str(root)
    os.environ.setdefault("MPLBACKEND", "Agg")
    os.environ["PYTHONHASHSEED"] = "0"
    try:
        papermill.execute_notebook(
            str(template),
            str(output),
            parameters=parameters,
            kernel_name="python3",
            cwd=str(output.parent),
            progress_bar=False,
            log_output=False,
            execution_timeout=timeout,
            request_save_on_cell_execute=False,
            kernel_manager_class=LocalKernelManager,
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
    scan_for_errors(output)


def strip_injected_metadata(notebook: Path) -> None:
    """Drop papermill's run timestamps so equal inputs give equal executed notebooks."""
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
        if "injected-parameters" in tags and "remove-cell" not in tags:
            cell.metadata["tags"] = [*tags, "remove-cell"]
    nbformat.write(nb, notebook)


def run_notebooks(
    jobs: list[NotebookJob], timeout: int, root: Path, progress: Callable[[str], None]
) -> None:
    """Execute every job in order; BuildError on the first notebook that fails."""
    for job in jobs:
        progress(f"executing {job.label}")
        execute(job.template, job.output, job.parameters, timeout, root)
        strip_injected_metadata(job.output)
