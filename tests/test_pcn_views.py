"""Every neighbourhood's view: with ``pcn:`` set to each of the borough's PCNs, the whole
pipeline (notebooks, book, board paper, disclosure audit) publishes and the audit finds nothing.

One edition (2025-26) per PCN, built one after another in one throwaway copy of the project
(the measure cache is shared), two notebooks at a time.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from support import ROOT, copy_project, run_bbp

pytestmark = pytest.mark.slow

PERIOD = "2025-26"
PCNS = pd.read_csv(ROOT / "data" / "reference" / "pcn_names.csv")["pcn_name"].tolist()
CHAPTERS = (
    "book/index",
    "book/objective-1-population-health",
    "book/objective-2-neighbourhood-teams",
    "book/objective-3-care-pathways",
    "book/delivering-the-plan",
)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_project(tmp_path_factory.mktemp("pcn-views") / "project")


def test_the_borough_has_five_pcns() -> None:
    assert len(PCNS) == 5 and len(set(PCNS)) == 5


@pytest.mark.parametrize("pcn", PCNS)
def test_pcn_view_publishes_with_no_disclosure_finding(project: Path, pcn: str) -> None:
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
    audit = run_bbp("audit-disclosure", str(site), root=project)
    assert audit.returncode == 0, audit.stdout[-3000:]
    assert audit.stdout.strip() == f"disclosure audit of {site}: no findings"
    for chapter in CHAPTERS:
        page = (site / f"{chapter}.html").read_text(encoding="utf-8")
        assert f"<strong>View</strong> {pcn}" in page, chapter
