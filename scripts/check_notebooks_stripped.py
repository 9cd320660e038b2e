"""Fail if a committed notebook template holds outputs or execution counts (pre-commit, CI)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def dirty_cells(path: Path) -> list[int]:
    """Indexes of code cells with outputs or an execution count."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return [
        index
        for index, cell in enumerate(cells)
        if cell["cell_type"] == "code" and (cell.get("outputs") or cell.get("execution_count"))
    ]


def main(paths: list[str]) -> int:
    notebooks = [Path(p) for p in paths] or sorted((ROOT / "book").glob("*.ipynb"))
    failed = False
    for path in notebooks:
        cells = dirty_cells(path)
        if cells:
            failed = True
            print(f"{path}: cells {cells} have outputs or execution counts; strip them")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
