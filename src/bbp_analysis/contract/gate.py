"""The contract check the build and ``bbp validate`` run on the extract they would use
(:func:`bbp_analysis.inputs.check_build_inputs`), with its result cached on disk by the
extract manifest's hash, the contract's files and the PCN list."""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

from .. import extract
from ..paths import build_dir
from .conform import Conformance, check_folder
from .spec import CONTRACT_DIR

_RESULTS: dict[str, Conformance] = {}  # per process, by the key of the cache file


def contract_digest() -> str:
    """SHA-256 over the contract's files (a change invalidates cached results)."""
    digest = hashlib.sha256()
    for path in [*sorted(CONTRACT_DIR.glob("*.json")), CONTRACT_DIR / "contract.yaml"]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _current(area_code: str, seed: int, root: Path) -> bool:
    """Whether the extract the build would use exists and would be used as it is."""
    folder = extract.extract_folder(area_code, root)
    if extract.current_source() is not None:  # a named extract is never regenerated
        return True
    if not (folder / extract.MANIFEST).is_file():
        return False
    if extract.from_eight_boroughs() and area_code != extract.EIGHT_BOROUGHS:
        source = extract.extract_folder(extract.EIGHT_BOROUGHS, root)
        return _current(extract.EIGHT_BOROUGHS, seed, root) and extract.read_manifest(folder).get(
            "source_hash"
        ) == extract.extract_hash(extract.read_manifest(source))
    return extract._is_current(folder, seed, root)


def _identity(folder: Path) -> object:
    """What identifies the extract's bytes: its manifest's hash (verified before), or, for a
    folder without a manifest (checked before its hashes are taken), its location and each
    file's name, size and modification time."""
    if (folder / extract.MANIFEST).is_file():
        return extract.extract_hash(extract.read_manifest(folder))
    files = sorted(p for p in folder.iterdir() if p.suffix in (".parquet", ".csv"))
    return [str(folder), [(p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in files]]


def _read_cache(cache: Path) -> Conformance | None:
    """A cached result, or None when there is none or it cannot be read."""
    try:
        found = json.loads(cache.read_text(encoding="utf-8"))
        return Conformance(
            **{**found, "fin_years": tuple(found["fin_years"]), "areas": tuple(found["areas"])}
        )
    except (OSError, ValueError, TypeError, KeyError):
        return None


def check_extract_contract(
    area_code: str, seed: int, root: Path, pcns: Iterable[str] | None = None
) -> str:
    """One line on the extract's conformance and coverage (periods, areas, rows per table);
    :class:`~.conform.ExtractRefused` naming each problem when it breaks the contract. An
    extract the build will generate or cut again is left to the generator's own check
    until the build has made it (the build then checks it: ``pipeline._prepare_data``).
    Run after :func:`bbp_analysis.extract.check_extract`, which verifies the manifest's
    hashes, so the manifest's hash identifies the checked bytes (a folder without a manifest
    is identified by its files' sizes and times)."""
    if not _current(area_code, seed, root):
        return f"extract {area_code}: contract checked when it is generated"
    folder = extract.extract_folder(area_code, root)
    names = sorted(pcns) if pcns is not None else None
    key = hashlib.sha256(
        json.dumps([_identity(folder), contract_digest(), names]).encode()
    ).hexdigest()[:24]
    cache = build_dir(root) / "cache" / "contract" / f"{key}.json"
    result = _RESULTS.get(key) or _read_cache(cache)
    if result is None:
        result = check_folder(folder, names)
        with contextlib.suppress(OSError):  # a read-only project checks again next time
            cache.parent.mkdir(parents=True, exist_ok=True)
            partial = cache.with_suffix(".partial")
            partial.write_text(json.dumps(dataclasses.asdict(result)), encoding="utf-8")
            partial.replace(cache)
    _RESULTS[key] = result
    return f"{area_code} {result.summary()}"
