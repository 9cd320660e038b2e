"""``bbp reproduce FIGURE_ID``: recompute one figure's or table's data from the inputs.

The notebook that published the item (named in the edition's manifest) is executed afresh in
a temporary folder with the manifest's parameters, and the item's data hash (and image hash,
for a figure) is compared with the manifest's.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import InputError
from .verify import compare_records, rerun


def recorded_item(manifest: dict[str, Any], item_id: str, source: Path) -> dict[str, str]:
    """The manifest's record of ``item_id``; InputError naming similar ids when unknown."""
    items = manifest["items"]
    if item_id not in items:
        near = [known for known in items if item_id.split("-")[0] in known][:8] or list(items)[:8]
        raise InputError(
            f"no figure or table {item_id!r} in edition {manifest['edition']} "
            f"(for example: {', '.join(near)})",
            file=source,
            column="items",
            rule="known figure id",
        )
    return items[item_id]


def reproduce(
    manifest: dict[str, Any],
    item_id: str,
    root: Path,
    progress: Callable[[str], None],
    source: Path,
) -> list[str]:
    """Re-run the notebook that made ``item_id``; return the differences from the
    manifest (none: identical)."""
    record = recorded_item(manifest, item_id, source)
    with tempfile.TemporaryDirectory(prefix="bbp-reproduce-") as work:
        now = rerun(manifest, root, Path(work), progress, notebooks={record["notebook"]})
    if item_id not in now["items"]:
        return [f"figure/table {item_id}: {record['notebook']} no longer produces it"]
    return compare_records(f"figure/table {item_id}", record, now["items"][item_id])
