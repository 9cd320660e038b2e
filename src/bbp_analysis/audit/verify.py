"""``bbp verify``: re-run a published edition from its manifest and list every drift.

The edition's notebooks are executed afresh (never from the notebook cache), side by side
with kernels forked from one server as in a build, in a temporary folder, with the
manifest's parameters (a redacted credential is taken from the current parameters files), on
the project's current inputs. The result is compared with the manifest: the SHA-256 of every
input file, the package source hash, every glued value, and every figure's and table's data
hash, image hash and row count. Any difference is drift.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .. import extract, results
from ..params import load_parameters
from ..runner import execute_uncached, shared_kernels
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
    """Execute the edition's notebooks (or only those named in ``notebooks``, with the
    chapter runs when one of them reads the results file) in ``work``, chapter runs first;
    return their glued values and published items (:func:`manifest.run_outputs`) and the
    results file's record (:func:`bbp_analysis.results.record`) when the chapters ran."""
    from ..pipeline import assemble_results, notebook_jobs, stage_sources, writes_results

    params = rerun_parameters(manifest, root)
    with extract.use_source(extract.source_from_params(params, root)):
        extract.prepare(params["area_code"], params["synthetic_seed"], root, progress)
        book_stage = work / "edition"
        stage_sources(root, book_stage)
        jobs = notebook_jobs(params, book_stage, root)
        chapters = [job for job in jobs if writes_results(job.template)]
        readers = [
            job
            for job in jobs
            if job not in chapters and (notebooks is None or job.template.name in notebooks)
        ]
        writers = chapters
        if notebooks is not None and not readers:
            writers = [job for job in chapters if job.template.name in notebooks]
        outputs: dict[str, Any] = {}
        timeout = params["cell_timeout_seconds"]
        with shared_kernels([job.template for job in writers + readers]):
            execute_uncached(writers, timeout, root, progress)
            if chapters and writers == chapters:
                path = assemble_results(params["period"], book_stage, chapters)
                outputs["results"] = results.record(path)
            execute_uncached(readers, timeout, root, progress)
        shown = [
            job.output
            for job in writers + readers
            if notebooks is None or job.template.name in notebooks
        ]
        outputs.update(run_outputs(shown))
    return outputs


def _key_differences(
    kind: str,
    before: dict[str, Any],
    after: dict[str, Any],
    differ: Callable[[str, Any, Any], list[str]],
) -> list[str]:
    """Lines for keys in only one mapping, then ``differ(key, before, after)`` for the rest."""
    lines = []
    for key in sorted(set(before) | set(after)):
        if key not in after:
            lines.append(f"{kind} {key}: in the manifest, not produced now")
        elif key not in before:
            lines.append(f"{kind} {key}: produced now, not in the manifest")
        else:
            lines += differ(key, before[key], after[key])
    return lines


def compare_records(kind: str, before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """One line per key missing from either mapping or holding different values."""
    return _key_differences(
        kind,
        before,
        after,
        lambda key, old, new: (
            [] if old == new else [f"{kind} {key}: manifest {old!r}, now {new!r}"]
        ),
    )


def item_differences(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """Differences between two ``items`` mappings (id -> data hash, image hash, rows...)."""
    return _key_differences(
        "figure/table",
        before,
        after,
        lambda item_id, old, new: compare_records(f"figure/table {item_id}", old, new),
    )


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
    return (
        lines
        + item_differences(manifest["items"], now["items"])
        + results_differences(manifest.get("results"), now.get("results"))
    )


def results_differences(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[str]:
    """Differences between the manifest's record of the results file and the re-run's (none
    when either is absent: a manifest from before results files, or a partial re-run)."""
    if before is None or after is None or before["sha256"] == after["sha256"]:
        return []
    lines = [f"results file: SHA-256 was {before['sha256'][:16]}, now {after['sha256'][:16]}"]
    for indicator_id in sorted(set(before["headlines"]) | set(after["headlines"])):
        lines += compare_records(
            f"results {indicator_id}",
            before["headlines"].get(indicator_id, {}),
            after["headlines"].get(indicator_id, {}),
        )
    return lines


def verify(manifest: dict[str, Any], root: Path, progress: Callable[[str], None]) -> list[str]:
    """Re-run the whole edition in a temporary folder; return the differences (none: the
    edition is reproduced exactly)."""
    with tempfile.TemporaryDirectory(prefix="bbp-verify-") as work:
        now = rerun(manifest, root, Path(work), progress)
    return differences(manifest, now, root)
