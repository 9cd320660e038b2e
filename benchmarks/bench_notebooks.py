"""Where a chapter notebook's time goes (a script, not a test): runs each book notebook's code
cells in this process, in an IPython shell, with the parameters papermill would inject, and
prints the seconds (wall and CPU) of each cell and the costliest functions (cProfile).

Run: .venv/bin/python benchmarks/bench_notebooks.py [--period 2025-26] [--top 25] [NOTEBOOK...]
Notebooks run in the order given (default: the objectives, then delivery and the front page,
which read the objectives' results file) in one temporary book folder. The extract and its
measures must exist (``bbp build`` or ``bbp data synth`` first). Kernel start-up and imports
inside a kernel are measured separately (e.g. ``python -X importtime``).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import tempfile
import time
from pathlib import Path

ORDER = (
    "objective-1-population-health.ipynb",
    "objective-2-neighbourhood-teams.ipynb",
    "objective-3-care-pathways.ipynb",
    "delivering-the-plan.ipynb",
    "index.ipynb",
)


def run(shell, root: Path, name: str, top: int) -> None:
    """Execute one notebook's code cells (not its parameters cell) under cProfile; print each
    cell's seconds, then the ``top`` functions by cumulative time."""
    cells = json.loads((root / "book" / name).read_text(encoding="utf-8"))["cells"]
    profile = cProfile.Profile()
    wall, cpu = time.perf_counter(), time.process_time()
    print(f"\n== {name}")
    for cell in cells:
        if cell["cell_type"] != "code" or "parameters" in cell["metadata"].get("tags", []):
            continue
        source = "".join(cell["source"])
        started = time.perf_counter()
        profile.enable()
        result = shell.run_cell(source, silent=True)
        profile.disable()
        print(f"{time.perf_counter() - started:8.2f} s  {source.splitlines()[0][:70]}")
        if not result.success:
            raise SystemExit(f"{name}: a cell failed: {result.error_in_exec}")
    print(
        f"{name}: {time.perf_counter() - wall:.1f} s wall, "
        f"{time.process_time() - cpu:.1f} s CPU (load {os.getloadavg()[0]:.1f})"
    )
    pstats.Stats(profile).sort_stats("cumulative").print_stats(top)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", default=ORDER)
    parser.add_argument("--period", default="2025-26")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    from bbp_analysis.params import SPEC, load_parameters
    from bbp_analysis.paths import project_root

    root = project_root()
    os.environ.update({"BBP_ROOT": str(root), "MPLBACKEND": "Agg"})
    values = load_parameters(args.period, root).as_dict()
    here = Path.cwd()
    with tempfile.TemporaryDirectory(prefix="bbp-bench-nb-") as work:
        (Path(work) / "book").mkdir()
        (Path(work) / "_extra" / "downloads").mkdir(parents=True)
        os.chdir(Path(work) / "book")
        from IPython.core.interactiveshell import InteractiveShell

        shell = InteractiveShell.instance()
        shell.display_pub.publish = lambda *args, **kwargs: None  # outputs are not the point
        for name in args.notebooks:
            shell.reset()
            shell.user_ns.update({k: v for k, v in values.items() if SPEC[k].notebook})
            if name in ("delivering-the-plan.ipynb", "index.ipynb"):
                from bbp_analysis import results

                results.assemble(Path("..") / "_extra", args.period, {})
            run(shell, root, name, args.top)
        os.chdir(here)


if __name__ == "__main__":
    main()
