"""Every neighbourhood's view, shared by the two PCN view test files (``test_pcn_views*.py``,
split so that pytest-xdist, which keeps a file on one worker, builds the five views on two):
with ``pcn:`` set to one of the borough's PCNs, the whole pipeline (notebooks, book, board
paper, disclosure audit) publishes and the audit finds nothing.

One edition (2025-26) per PCN, built one after another in one throwaway copy of the project
per file, two notebooks at a time. The copy starts from the session's default build's caches
(``copy_project``'s ``caches_from``): a PCN's notebooks run afresh (their parameters name the
PCN), while the earlier periods' results, for the what-changed page, come from the borough's
chapter runs of those periods, as in an analyst's project that built every edition before.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from support import ROOT, copy_project, run_bbp

PERIOD = "2025-26"
PCNS = pd.read_csv(ROOT / "data" / "reference" / "pcn_names.csv")["pcn_name"].tolist()
CHAPTERS = (
    "book/index",
    "book/objective-1-population-health",
    "book/objective-2-neighbourhood-teams",
    "book/objective-3-care-pathways",
    "book/delivering-the-plan",
)


def views_project(folder: Path, default_build: tuple[Path, Path]) -> Path:
    """A throwaway copy of the project in ``folder`` that starts from the default build's
    caches (see the module doc)."""
    return copy_project(folder / "project", caches_from=default_build[0])


def pcns_of_file(index: int) -> list[str]:
    """The PCNs test file ``index`` (0 or 1) builds: every other PCN, so the two files
    together build each PCN once."""
    return PCNS[index::2]


def check_pcn_view(project: Path, pcn: str) -> None:
    """Build ``project``'s 2025-26 edition with ``pcn`` set: it succeeds, names the PCN in
    its progress, the run parameters and on every chapter, publishes a board paper, and the
    build's disclosure audit finds nothing. For the first PCN of each file,
    ``bbp audit-disclosure`` of the published site finds nothing too: the same scan of the
    same files (about 1.2 CPU s a view), so not repeated for the other three."""
    period_file = project / "parameters" / f"{PERIOD}.yaml"
    base = (ROOT / "parameters" / f"{PERIOD}.yaml").read_text(encoding="utf-8")
    period_file.write_text(base + f"pcn: {json.dumps(pcn)}\n", encoding="utf-8")
    site = project.parent / ("site-" + pcn.replace(" ", "-"))

    built = run_bbp("build", "--period", PERIOD, "--jobs", "2", "--out", str(site), root=project)

    assert built.returncode == 0, built.stderr[-3000:]
    assert f"PCN {pcn}" in built.stderr
    assert "disclosure audit: no findings" in built.stderr
    assert json.loads((site / "run-parameters.json").read_text())["pcn"] == pcn
    assert (site / "board-paper.pdf").read_bytes()[:5] == b"%PDF-"
    if pcn in (pcns_of_file(0)[0], pcns_of_file(1)[0]):
        audit = run_bbp("audit-disclosure", str(site), root=project)
        assert audit.returncode == 0, audit.stdout[-3000:]
        assert audit.stdout.strip() == f"disclosure audit of {site}: no findings"
    for chapter in CHAPTERS:
        page = (site / f"{chapter}.html").read_text(encoding="utf-8")
        assert f"<strong>View</strong> {pcn}" in page, chapter
