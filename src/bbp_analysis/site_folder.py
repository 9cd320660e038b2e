"""Where a site may be published, and the marker that lets a later build recognise it.

``bbp build --out DIR`` publishes by swapping a new folder in for ``DIR`` and removing the old
one, so ``DIR`` must hold nothing but a site this program built. :func:`check_output` is run
before any build work and again just before the swap (:func:`check_replaceable`). It allows:

- a path that does not exist yet, or an empty folder;
- a previous site: a folder holding the marker ``.bbp-site`` (written at every publish by
  :func:`write_marker`: a JSON stamp with the program, the editions and every file it
  wrote), and no file that the marker does not list;
- a site built before the marker existed: ``manifest.json`` and ``editions.json`` at its
  top level, each edition listed there present as a folder with its own ``manifest.json``,
  and every other top-level file or folder also present in the latest edition's folder (the
  site's root is a copy of the latest edition). Files deeper inside the edition folders of
  such a site cannot be told apart; the first publish writes the marker, after which every
  file is checked.

Never allowed, even when empty: the project root, anything inside its ``data/``,
``parameters/``, ``book/``, ``src/``, ``tests/`` or ``.git/``, a folder that contains the
project, the home folder and the file-system root. Paths are resolved (symbolic links,
``..``) before they are checked.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

from . import __version__
from .errors import InputError

MARKER = ".bbp-site"
PROGRAM = "bbp-review"
PROTECTED = ("data", "parameters", "book", "src", "tests", ".git")
RULE = "output folder must be new, empty or a site bbp built"


class UnsafeOutputError(InputError):
    """``--out`` names a folder that publishing would destroy; nothing was built."""


def _refuse(folder: Path, reason: str) -> UnsafeOutputError:
    return UnsafeOutputError(f"{reason}; nothing was built or removed", file=folder, rule=RULE)


def files_under(folder: Path) -> list[str]:
    """Every file (and symbolic link) under ``folder``, as sorted relative POSIX paths."""
    found = []
    for directory, subfolders, names in os.walk(folder):
        here = Path(directory)
        links = [name for name in subfolders if (here / name).is_symlink()]
        for name in [*names, *links]:
            found.append((here / name).relative_to(folder).as_posix())
    return sorted(found)


def write_marker(site: Path, editions: list[str]) -> Path:
    """Stamp ``site`` as built by this program: ``.bbp-site`` lists every file in it."""
    stamp = {
        "program": PROGRAM,
        "version": __version__,
        "published": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "editions": sorted(editions),
        "files": [name for name in files_under(site) if name != MARKER],
    }
    path = site / MARKER
    path.write_text(json.dumps(stamp, indent=0) + "\n", encoding="utf-8")
    return path


def _read_json(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None


def _foreign_in_marked_site(folder: Path) -> str | None:
    """Why the folder holding a marker is not only that site (None when it is)."""
    stamp = _read_json(folder / MARKER)
    if not isinstance(stamp, dict) or stamp.get("program") != PROGRAM:
        return f"its {MARKER} marker is not one this program wrote"
    recorded = set(stamp.get("files") or [])
    foreign = [name for name in files_under(folder) if name != MARKER and name not in recorded]
    if foreign:
        more = f" and {len(foreign) - 1} more" if len(foreign) > 1 else ""
        return f"holds '{foreign[0]}'{more}, which the site it holds was not published with"
    return None


def _foreign_in_unmarked_site(folder: Path) -> str | None:
    """Why a folder with ``manifest.json`` but no marker is not a site built by an earlier
    version of this program (None when it is one)."""
    listing = _read_json(folder / "editions.json")
    manifest = _read_json(folder / "manifest.json")
    if not (
        isinstance(listing, dict)
        and isinstance(listing.get("editions"), list)
        and listing.get("latest") in listing["editions"]
        and isinstance(manifest, dict)
        and "edition" in manifest
    ):
        return "its manifest.json and editions.json are not those of a site this program built"
    editions = [str(name) for name in listing["editions"]]
    for edition in editions:
        if not (folder / edition / "manifest.json").is_file():
            return f"edition folder '{edition}' listed in editions.json has no manifest.json"
    latest = folder / str(listing["latest"])
    expected = {*editions, "editions.json", *(p.name for p in latest.iterdir())}
    for entry in sorted(folder.iterdir()):
        if entry.name not in expected:
            return f"holds '{entry.name}', which is not part of the site it holds"
        if entry.name not in editions and entry.is_dir() and not entry.is_symlink():
            extra = sorted(set(files_under(entry)) - set(files_under(latest / entry.name)))
            if extra:
                return f"holds '{entry.name}/{extra[0]}', which is not part of the site it holds"
    return None


def check_replaceable(folder: Path) -> None:
    """Refuse (:class:`UnsafeOutputError`) unless ``folder`` is new, empty or only a site this
    program built; publishing removes whatever it holds."""
    if not folder.exists() and not folder.is_symlink():
        return
    if not folder.is_dir():
        raise _refuse(folder, "it is a file, not a folder")
    if not any(folder.iterdir()):
        return
    if (folder / MARKER).is_file():
        reason = _foreign_in_marked_site(folder)
    elif (folder / "manifest.json").is_file():
        reason = _foreign_in_unmarked_site(folder)
    else:
        reason = (
            f"it is not empty and holds no site built by bbp (no {MARKER} marker or "
            "manifest.json); publishing would delete what it holds"
        )
    if reason:
        raise _refuse(folder, reason)


def _home() -> Path | None:
    try:
        return Path.home().resolve()
    except (RuntimeError, KeyError):
        return None


def check_location(folder: Path, root: Path) -> None:
    """Refuse the project root, its source, data and parameter folders (and anything inside
    them), a folder containing the project, the home folder and the file-system root."""
    root = root.resolve()
    if folder == Path(folder.anchor):
        raise _refuse(folder, "it is the file-system root")
    if folder == root:
        raise _refuse(folder, "it is the project root")
    if folder in root.parents:
        raise _refuse(folder, f"it contains the project ({root})")
    if folder == _home():
        raise _refuse(folder, "it is the home folder")
    for name in PROTECTED:
        if folder.is_relative_to(root / name):
            raise _refuse(folder, f"it is the project's {name}/ folder or inside it")


def check_output(out: Path, root: Path) -> Path:
    """``out`` resolved (symbolic links followed, relative to the current folder), once it
    passes :func:`check_location` and :func:`check_replaceable`; :class:`UnsafeOutputError`
    naming the folder and the rule otherwise."""
    folder = Path(out).expanduser().resolve()
    check_location(folder, root)
    check_replaceable(folder)
    return folder
