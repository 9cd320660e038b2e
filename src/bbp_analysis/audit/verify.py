"""``bbp verify``: re-run a published edition from its manifest and list every drift.

The edition's notebooks are executed afresh (never from the notebook cache) in a temporary
folder, with the manifest's parameters (a redacted credential is taken from the current
parameters files), on the project's current inputs. The result is compared with the
manifest: the SHA-256 of every input file, the package source hash, every glued value, and
every figure's and table's data hash, image hash and row count. Any difference is drift.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .. import extract
from ..params import load_parameters
from ..runner import execute, strip_injected_metadata
from .manifest import REDACTED, code_version, input_hashes, run_outputs


def rerun_parameters(manifest: dict[str, Any], root: Path) -> dict[str, Any]:
    """The manifest's parameters, with each redacted credential taken from the current
    parameters files."""
    current = load_parameters(manifest["edition"], root)
    recorded = manifest["parameters"]
    return {
        name: current.get(name) if value == REDACTED else value for name, value in recorded.items()
    }


def rerun(
    manifest: dict[str, Any],
    root: Path,
    work: Path,
    progress: Callable[[str], None],
    notebooks: set[str] | None = None,
) -> dict[str, Any]:
    """Execute the edition's notebooks (or only those named in ``notebooks``) in ``work``;
    return their glued values and published items (:func:`manifest.run_outputs`)."""
    from ..pipeline import notebook_jobs, stage_sources

    params = rerun_parameters(manifest, root)
    with extract.use_source(extract.source_from_params(params, root)):
        extract.prepare(params["area_code"], params["synthetic_seed"], root, progress)
        book_stage = work / "edition"
        stage_sources(root, book_stage)
        jobs = [
            job
            for job in notebook_jobs(params, book_stage, root)
            if notebooks is None or job.template.name in notebooks
        ]
        for job in jobs:
            progress(f"re-running {job.label}")
            execute(job.template, job.output, job.parameters, params["cell_timeout_seconds"], root)
            strip_injected_metadata(job.output)
    return run_outputs(job.output for job in jobs)


def compare_records(kind: str, before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """One line per key missing from either mapping or holding different values."""
    lines = []
    for key in sorted(set(before) | set(after)):
        if key not in after:
            lines.append(f"{kind} {key}: in the manifest, not produced now")
        elif key not in before:
            lines.append(f"{kind} {key}: produced now, not in the manifest")
        elif before[key] != after[key]:
            lines.append(f"{kind} {key}: manifest {before[key]!r}, now {after[key]!r}")
    return lines


def item_differences(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """Differences between two ``items`` mappings (id -> data hash, image hash, rows...)."""
    lines = []
    for item_id in sorted(set(before) | set(after)):
        if item_id not in after:
            lines.append(f"figure/table {item_id}: in the manifest, not produced now")
        elif item_id not in before:
            lines.append(f"figure/table {item_id}: produced now, not in the manifest")
        else:
            lines += compare_records(f"figure/table {item_id}", before[item_id], after[item_id])
    return lines


def differences(manifest: dict[str, Any], now: dict[str, Any], root: Path) -> list[str]:
    """Every difference between the manifest and a re-run (``now``) on the current inputs."""
    params = rerun_parameters(manifest, root)
    lines = compare_records("input", manifest["inputs"], input_hashes(params, root))
    recorded_code = manifest.get("code", {}).get("source_sha256")
    if recorded_code and recorded_code != code_version()["source_sha256"]:
        lines.append(
            f"code: package source SHA-256 was {recorded_code[:16]}, now "
            f"{code_version()['source_sha256'][:16]}"
        )
    for notebook in sorted(set(manifest["glued"]) | set(now["glued"])):
        lines += compare_records(
            f"glued value in {notebook}:",
            manifest["glued"].get(notebook, {}),
            now["glued"].get(notebook, {}),
        )
    return lines + item_differences(manifest["items"], now["items"])


def verify(manifest: dict[str, Any], root: Path, progress: Callable[[str], None]) -> list[str]:
    """Re-run the whole edition in a temporary folder; return the differences (none: the
    edition is reproduced exactly)."""
    with tempfile.TemporaryDirectory(prefix="bbp-verify-") as work:
        now = rerun(manifest, root, Path(work), progress)
    return differences(manifest, now, root)
