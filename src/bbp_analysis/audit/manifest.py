"""The run manifest published with each edition, and the run context figures read.

``<site>/<period>/manifest.json`` records what an auditor needs to reproduce the edition: the
code version (git commit and a SHA-256 over the package source), the lock file's SHA-256,
the parameters (credentials and connection strings redacted), the SHA-256 of every input
file, the extract read (location, provider and extraction date or synthetic, table hashes),
the installed package versions, start and end time (UTC), every glued value, and for every
figure and table its identifier and the SHA-256 of its data (the CSV download) and, for
figures, of the PNG drawn. Glued values and items are read back from the executed notebooks:
:mod:`bbp_analysis.publish` stamps each figure and table with a passport block whose
``data-bbp-*`` attributes carry the hashes.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import json
import re
import subprocess
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import nbformat

from ..errors import BuildError, InputError
from ..extract import (
    current_source,
    extract_folder,
    extract_hash,
    is_synthetic,
    manifest_of,
    sha256_file,
)
from ..site.downloads import NOTEBOOKS

MANIFEST_NAME = "manifest.json"
REDACTED = "[redacted]"
SECRET_NAME = re.compile(r"password|passwd|secret|token|api_?key|credential|connection|dsn", re.I)
CONNECTION_STRING = re.compile(r"\b[a-z][a-z0-9+.-]*://[^\s/:@]+:[^\s/@]+@", re.I)
INPUT_FOLDERS = ("book", "data/reference", "data/published")
INPUT_FILES = ("_config.yml", "_toc.yml")
PASSPORT_TAG = re.compile(r'<details class="bbp-passport"[^>]*>')
PASSPORT_ATTRIBUTE = re.compile(r'data-bbp-([a-z0-9-]+)="([^"]*)"')
PACKAGE_ROOT = Path(__file__).resolve().parents[1]


def is_secret(name: str, value: Any) -> bool:
    """True for a parameter that is a credential: its name says so, or its value is a
    connection string with a user and password (``scheme://user:password@host``)."""
    return bool(SECRET_NAME.search(name)) or (
        isinstance(value, str) and bool(CONNECTION_STRING.search(value))
    )


def redact(params: dict[str, Any]) -> dict[str, Any]:
    """``params`` with every credential's value replaced by ``[redacted]``."""
    return {name: REDACTED if is_secret(name, value) else value for name, value in params.items()}


def secret_values(params: dict[str, Any]) -> list[str]:
    """The credential values among ``params`` (text that must never be published)."""
    return [str(v) for n, v in params.items() if v and is_secret(n, v)]


def sha256_bytes(data: bytes) -> str:
    """Hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def _git(*args: str) -> str | None:
    try:
        result = subprocess.run(
            ["git", "-C", str(PACKAGE_ROOT), *args],
            capture_output=True,
            text=True,
            check=False,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout.strip() if result.returncode == 0 else None


@functools.cache
def code_version() -> dict[str, Any]:
    """The analysis code's identity: package version, git commit (None outside a
    repository), whether the working tree had uncommitted changes, and a SHA-256 over
    every source, SQL and YAML file of the package (path and bytes)."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE_ROOT.rglob("*")):
        if path.is_file() and path.suffix in {".py", ".sql", ".yaml", ".csv"}:
            digest.update(str(path.relative_to(PACKAGE_ROOT)).encode() + b"\0")
            digest.update(path.read_bytes())
    commit = _git("rev-parse", "HEAD")
    status = _git("status", "--porcelain", "--untracked-files=no") if commit else None
    return {
        "package": importlib.metadata.version("bbp-analysis"),
        "git_commit": commit,
        "git_dirty": bool(status) if commit else None,
        "source_sha256": digest.hexdigest(),
    }


def lock_hash(root: Path) -> str | None:
    """SHA-256 of ``requirements.lock`` (in the project, else beside the package source)."""
    for folder in (root, PACKAGE_ROOT.parents[1]):
        lock = folder / "requirements.lock"
        if lock.is_file():
            return sha256_file(lock)
    return None


def package_versions() -> dict[str, str]:
    """Every installed distribution and its version, by lower-case name."""
    versions = {d.metadata["Name"].lower(): d.version for d in importlib.metadata.distributions()}
    return dict(sorted(versions.items()))


def input_paths(params: dict[str, Any], root: Path) -> list[Path]:
    """Every file an edition reads: its parameters files, the book sources, the reference
    data and the synthetic extract (a named extract: :func:`extract_record`)."""
    paths = [
        root / "parameters" / "defaults.yaml",
        root / "parameters" / f"{params['period']}.yaml",
    ]
    paths += [root / name for name in INPUT_FILES]
    folders = [root / folder for folder in INPUT_FOLDERS]
    if current_source() is None:  # a named extract is recorded apart (extract_record)
        folders.append(extract_folder(params["area_code"], root))
    for folder in folders:
        paths += [p for p in sorted(folder.rglob("*")) if p.is_file()]
    return [p for p in paths if p.is_file() and "__pycache__" not in p.parts]


def extract_record(params: dict[str, Any], root: Path) -> dict[str, Any]:
    """The extract the edition read: its location, whether it is synthetic, its declared
    provider and extraction date, its hash and each table file's SHA-256 (from its
    verified or derived manifest). Run inside the edition's :func:`use_source`."""
    folder = extract_folder(params["area_code"], root)
    manifest = manifest_of(folder, root)
    source = current_source()
    return {
        "location": str(folder),
        "synthetic": is_synthetic(),
        "provider": source.provider if source else None,
        "extracted": source.extracted if source else None,
        "sha256": extract_hash(manifest),
        "tables": {e["file"]: e["sha256"] for _, e in sorted(manifest["tables"].items())},
    }


def input_hashes(params: dict[str, Any], root: Path) -> dict[str, str]:
    """SHA-256 of every input file, by path relative to the project root."""
    return {p.relative_to(root).as_posix(): sha256_file(p) for p in input_paths(params, root)}


def glued_values(notebook: Path) -> dict[str, str]:
    """Every value the notebook glued (myst_nb ``glue``), as its plain-text form (stored
    under the glue's MIME prefix when glued with ``display=False``)."""
    values: dict[str, str] = {}
    for cell in nbformat.read(notebook, as_version=4).cells:
        for output in cell.get("outputs", []):
            record = output.get("metadata", {}).get("scrapbook", {})
            if "name" in record:
                key = f"{record.get('mime_prefix', '')}text/plain"
                values[record["name"]] = str(output.get("data", {}).get(key, ""))
    return dict(sorted(values.items()))


def published_items(notebook: Path) -> dict[str, dict[str, str]]:
    """Every figure and table the notebook published, by identifier: its passport's
    ``data-bbp-*`` attributes (kind, data SHA-256, image SHA-256, rows)."""
    items: dict[str, dict[str, str]] = {}
    for cell in nbformat.read(notebook, as_version=4).cells:
        for output in cell.get("outputs", []):
            html = output.get("data", {}).get("text/html", "")
            html = "".join(html) if isinstance(html, list) else html
            for tag in PASSPORT_TAG.findall(html):
                attributes = dict(PASSPORT_ATTRIBUTE.findall(tag))
                item_id = attributes.pop("id")
                items[item_id] = attributes
    return items


def run_outputs(notebooks: Iterable[Path]) -> dict[str, Any]:
    """Glued values by notebook, and published items by identifier (each naming its
    notebook), read from executed notebooks. BuildError when two items share an id."""
    glued: dict[str, dict[str, str]] = {}
    items: dict[str, dict[str, str]] = {}
    for notebook in sorted(notebooks):
        glued[notebook.name] = glued_values(notebook)
        for item_id, record in published_items(notebook).items():
            if item_id in items and items[item_id]["notebook"] != notebook.name:
                raise BuildError(
                    f"figure/table id {item_id!r} is used in both {items[item_id]['notebook']} "
                    f"and {notebook.name}; identifiers must be unique in an edition"
                )
            items[item_id] = {**record, "notebook": notebook.name}
    return {"glued": glued, "items": dict(sorted(items.items()))}


def run_context(params: dict[str, Any]) -> dict[str, Any]:
    """What every figure passport states: edition, parameters (redacted), code version
    (package version and source hash; the git commit is in the manifest)."""
    return {"edition": params["period"], "parameters": redact(params), "code": code_version()}


def utc_now() -> str:
    """The current UTC time, ISO 8601 to the second."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def edition_manifest(
    params: dict[str, Any], root: Path, book_stage: Path, started: str
) -> dict[str, Any]:
    """The manifest of one built edition whose executed notebooks are copied whole into
    ``book_stage/_extra/notebooks``."""
    return {
        "edition": params["period"],
        "started": started,
        "finished": utc_now(),
        "code": code_version(),
        "lock_sha256": lock_hash(root),
        "parameters": redact(params),
        "inputs": input_hashes(params, root),
        "extract": extract_record(params, root),
        "packages": package_versions(),
        # the whole executed notebooks (the staged chapters lose their detail to the
        # indicators' pages; the downloads keep every cell)
        **run_outputs((book_stage / "_extra" / NOTEBOOKS).glob("*.ipynb")),
    }


def write_manifest(folder: Path, manifest: dict[str, Any]) -> Path:
    """Write ``manifest.json`` into the edition's HTML ``folder``; return its path."""
    path = folder / MANIFEST_NAME
    path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path


def load_manifest(site: Path, edition: str | None) -> dict[str, Any]:
    """The manifest of ``edition`` in ``site`` (default: the latest edition, at the root)."""
    path = (site / edition if edition else site) / MANIFEST_NAME
    if not path.is_file():
        raise InputError(
            "no run manifest (build the edition first with `bbp build`)",
            file=path,
            rule="manifest exists",
        )
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"not valid JSON: {exc}", file=path, rule="manifest readable") from exc
    for key in ("edition", "parameters", "inputs", "glued", "items"):
        if key not in manifest:
            raise InputError("key missing", file=path, column=key, rule="manifest complete")
    return manifest
