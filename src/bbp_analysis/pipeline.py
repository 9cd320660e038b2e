"""The build: parameters -> papermill -> Jupyter Book -> a static site, published atomically.

Steps: load and check the period's parameters; check the inputs; copy the book sources into
a staging folder; execute every notebook template there with papermill (parameters
injected, cell timeout, working directory = the notebook's folder); refuse to go on if any
executed notebook holds an error; build the book with execution off and warnings as errors;
then swap the new site in for the old one. On any failure the previous site is untouched.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
import papermill
from jupyter_client.manager import AsyncKernelManager
from papermill.exceptions import PapermillExecutionError
from traitlets import CaselessStrEnum

from . import params as params_mod
from .errors import BuildError, InputError
from .inputs import check_inputs
from .paths import build_dir, project_root

BOOK_SOURCES = ("_config.yml", "_toc.yml", "book")


class LocalKernelManager(AsyncKernelManager):
    """Kernels talk over local IPC sockets: no TCP ports to race for, nothing on the network."""

    transport = CaselessStrEnum(["tcp", "ipc"], default_value="ipc", config=True)


@dataclass
class Progress:
    """Prints each step with the time elapsed since the build started."""

    stream: Any = field(default_factory=lambda: sys.stderr)
    started: float = field(default_factory=time.perf_counter)

    def __call__(self, message: str) -> None:
        print(
            f"[{time.perf_counter() - self.started:7.1f}s] {message}", file=self.stream, flush=True
        )


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
    """Swap ``new_site`` in at ``out``; the old site is removed only after the swap."""
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


def build(
    period: str | None = None,
    out: Path | None = None,
    *,
    keep_staging: bool = False,
    progress: Callable[[str], None] | None = None,
) -> Path:
    """Build the review for ``period`` into ``out`` (default ``_build/html``); return ``out``."""
    progress = progress or Progress()
    root = project_root()
    out = (out or build_dir(root) / "html").resolve()
    progress("loading parameters")
    run_params = params_mod.load_parameters(period, root)
    progress(
        f"period {run_params['period']}, area {run_params['area_name']} "
        f"({run_params['area_code']})" + (f", PCN {run_params['pcn']}" if run_params["pcn"] else "")
    )
    progress("checking inputs")
    check_inputs(run_params, root)
    injected = params_mod.notebook_parameters(run_params)
    plan = [
        (template, check_template_parameters(template, injected)) for template in templates(root)
    ]
    stage = out.with_name(f".{out.name}.staging")
    stage_sources(root, stage)
    succeeded = False
    try:
        for template, parameters in plan:
            staged = stage / "book" / template.name
            progress(f"executing {template.relative_to(root)}")
            execute(template, staged, parameters, run_params["cell_timeout_seconds"], root)
            strip_injected_metadata(staged)
        progress("building the book (execution off, warnings as errors)")
        html = build_book(stage)
        (html / "run-parameters.json").write_text(
            json.dumps(run_params, indent=2, sort_keys=True) + "\n", encoding="utf-8"
        )
        progress(f"publishing to {out}")
        publish(html, out)
        succeeded = True
    finally:
        if succeeded or not keep_staging:
            shutil.rmtree(stage, ignore_errors=True)
        else:
            progress(f"staging kept for diagnosis: {stage}")
    progress("done")
    return out
