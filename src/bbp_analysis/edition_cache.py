"""The whole-edition cache and the disclosure audit's record of clean files.

An edition's built HTML folder (book, generated pages, board paper, run parameters,
manifest), its staged book sources with the executed notebooks, and its snapshot are kept in
``_build/edition-cache/<key>/``. The key (:func:`edition_key`) is SHA-256 over everything
they are made from: the edition's parameters, the cache key of each of its notebook runs
(template, injected parameters, data fingerprint, package source: :func:`runner.job_key`),
the book sources and parameter files, the package source, the lock file and the installed
package versions, and the notebook runs of the earlier editions its what-changed page
compares with. A rebuild whose key is cached copies the edition back instead of running
anything.

The disclosure audit keeps, per threshold, credential set and package source, the type and
SHA-256 of every file it found clean (``_build/audit-cache/``); a file with a recorded hash is
not read again. Files with findings are never recorded, so they are reported on every build.

Each published site is recorded too (``_build/site-cache/``, by output folder): its key
(:func:`site_key`: every edition's key and the audit's settings) and the size, modification
and change times and inode of each of its files. A build whose site key matches the record
of its output folder, which still holds exactly those files, stages and publishes nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from . import params as params_mod
from .audit.disclosure_scan import Finding, scan_file, secret_findings
from .audit.manifest import lock_hash, package_versions
from .extract import sha256_file
from .runner import NotebookJob, filing, hash_files, job_key, source_hash

CACHE_FOLDER = "edition-cache"
AUDIT_FOLDER = "audit-cache"
FORMAT = 1  # bump when what an entry holds changes
BOOK_SOURCES = ("_config.yml", "_toc.yml", "book")
# The parts of an edition's staging folder an entry keeps (relative to the folder).
KEPT = ("_build/html", "book", "_extra/edition.json")


def cache_dir(root: Path) -> Path:
    """Where whole editions are kept by key."""
    return root / "_build" / CACHE_FOLDER


def edition_keys(
    editions: list[dict[str, Any]], jobs: dict[str, list[NotebookJob]], root: Path
) -> dict[str, str]:
    """Each edition's cache key by period (``jobs``: each edition's notebook runs).

    An edition's what-changed and claims pages read the snapshot of every earlier period:
    from that edition's notebooks when it is built in the same run, otherwise recomputed
    from the data and parameters (both already in the key)."""
    runs = {period: sorted(job_key(job) for job in todo) for period, todo in jobs.items()}
    shared = {
        "format": FORMAT,
        "book": hash_files([root / name for name in BOOK_SOURCES], root),
        "parameter_files": hash_files([root / "parameters"], root),
        "source": source_hash(),
        "lock": lock_hash(root),
        "packages": package_versions(),
    }
    periods = params_mod.available_periods(root)
    keys = {}
    for run_params in editions:
        period = run_params["period"]
        record = {
            **shared,
            "parameters": params_mod.plain(run_params),
            "notebooks": runs[period],
            "earlier": {p: runs.get(p) for p in periods if p < period},
        }
        encoded = json.dumps(record, sort_keys=True, default=str).encode()
        keys[period] = hashlib.sha256(encoded).hexdigest()
    return keys


def _copy_kept(source: Path, target: Path) -> None:
    """Copy the :data:`KEPT` parts of one staging folder (or entry) into another."""
    for part in KEPT:
        target_part = target / part
        target_part.parent.mkdir(parents=True, exist_ok=True)
        if (source / part).is_dir():
            shutil.copytree(source / part, target_part)
        else:
            shutil.copy2(source / part, target_part)


def restore(root: Path, key: str, book_stage: Path) -> bool:
    """Copy the cached edition ``key`` into ``book_stage``; False when it is not cached."""
    entry = cache_dir(root) / key
    if not entry.is_dir():
        return False
    if book_stage.exists():
        shutil.rmtree(book_stage)
    _copy_kept(entry, book_stage)
    return True


def store(root: Path, key: str, book_stage: Path) -> None:
    """Keep the built edition in ``book_stage`` under ``key`` (written aside, then renamed
    into place, so a partial entry is never read)."""
    entry = cache_dir(root) / key
    if entry.exists():
        return
    with filing(entry) as work:
        _copy_kept(book_stage, work)


def scan_folder(
    folder: Path,
    threshold: int,
    secrets: Iterable[str],
    root: Path,
    prefix: str = "",
) -> list[Finding]:
    """The disclosure findings of every file under ``folder``, as
    :func:`bbp_analysis.audit.disclosure_scan.scan_site` gives them, reading only files whose
    SHA-256 is not yet recorded as clean for this threshold, credential set and package
    source."""
    secrets = sorted(secrets)
    context = json.dumps([threshold, secrets, source_hash()]).encode()
    record = root / "_build" / AUDIT_FOLDER / f"{hashlib.sha256(context).hexdigest()}.txt"
    clean = set(record.read_text(encoding="utf-8").split()) if record.is_file() else set()
    found: list[Finding] = []
    newly_clean: list[str] = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest = f"{path.suffix.lower()}:{sha256_file(path)}"  # the type decides how it is read
        if digest in clean:
            continue
        file = prefix + path.relative_to(folder).as_posix()
        findings = scan_file(path, file, threshold) + secret_findings(path, file, secrets)
        if findings:
            found += findings
        else:
            clean.add(digest)
            newly_clean.append(digest)
    if newly_clean:
        record.parent.mkdir(parents=True, exist_ok=True)
        with record.open("a", encoding="utf-8") as handle:
            handle.write("".join(f"{digest}\n" for digest in newly_clean))
    return found


SITE_FOLDER = "site-cache"
# Longer than a tick of any file-system clock on Linux (file times come from a clock that
# advances once per timer interrupt, at least every 10 ms).
CLOCK_TICK_NS = 50_000_000


def site_key(keys: dict[str, str], threshold: int, secrets: Iterable[str]) -> str:
    """The key of a whole published site: every edition's key (by period) and the audit's
    threshold and credential set (the site is the editions assembled and audited)."""
    record = {"format": FORMAT, "editions": keys, "audit": [threshold, sorted(secrets)]}
    return hashlib.sha256(json.dumps(record, sort_keys=True).encode()).hexdigest()


def _site_record(root: Path, out: Path) -> Path:
    """Where the key and file stats of the site last published at ``out`` are kept."""
    name = hashlib.sha256(str(out.resolve()).encode()).hexdigest()[:32]
    return root / "_build" / SITE_FOLDER / f"{name}.json"


def _file_stats(folder: Path) -> dict[str, list[int]]:
    """Size, modification and change times (ns) and inode of every file under ``folder`` by
    relative POSIX path (a symbolic link by its own stat). Any write to a file changes its
    change time, which no program can set back."""
    stats = {}
    for directory, subfolders, names in os.walk(folder):
        here = Path(directory)
        names += [name for name in subfolders if (here / name).is_symlink()]
        for name in names:
            stat = (here / name).lstat()
            relative = (here / name).relative_to(folder).as_posix()
            stats[relative] = [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino]
    return stats


def _settled_stats(folder: Path) -> dict[str, list[int]]:
    """:func:`_file_stats` taken once every file's times are :data:`CLOCK_TICK_NS` older
    than the moment the listing started, so that a file written later (even in the same tick
    of the file system's coarse clock as its last write) gets a later change time."""
    while True:
        started = time.time_ns()
        stats = _file_stats(folder)
        newest = max((max(s[1], s[2]) for s in stats.values()), default=0)
        if started >= newest + CLOCK_TICK_NS:
            return stats
        time.sleep((newest + CLOCK_TICK_NS - started) / 1e9)


def record_published(root: Path, out: Path, key: str) -> None:
    """Record that the site at ``out`` was published with ``key``, with its files' stats."""
    path = _site_record(root, out)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps({"out": str(out.resolve()), "key": key, "files": _settled_stats(out)})
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)


def published_unchanged(root: Path, out: Path, key: str) -> bool:
    """Whether ``out`` still holds exactly the site recorded with ``key``
    (:func:`record_published`): the same key, and the same files with the same size,
    modification and change times and inode (a file written since, added or removed is a
    change)."""
    path = _site_record(root, out)
    if not path.is_file() or not out.is_dir():
        return False
    try:
        recorded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return recorded.get("key") == key and recorded.get("files") == _file_stats(out)


def forget_published(root: Path, out: Path) -> None:
    """Drop the record of the site at ``out`` (before it is replaced)."""
    _site_record(root, out).unlink(missing_ok=True)
