"""Honesty scan of a built site: every comparator shown is cited to a real published file or
labelled synthetic, and no simulated value is called published.

Checked on each front page's scorecard (the "NWL / London / England" column: each entry
``AREA VALUE (synthetic)`` or ``AREA VALUE (CITATION)``, the citation naming ``file PATH``
of a file in the project; the plan's figures as printed, ``Plan: ...``; or no comparator) and
on every page's benchmark sentences (``Benchmarks: published values from ...``, whose files
must exist). A finding is one line naming the page, the text and the rule.
"""

from __future__ import annotations

import re
from pathlib import Path

from bs4 import BeautifulSoup

from ..scorecard import COMPARATOR_AREAS

COMPARED = "Compared with:"
ENTRY = re.compile(r"^(?P<area>\S+) (?P<value>[-\d.,]+[^()]*?) \((?P<label>.+)\)$")
FILE = re.compile(r"\bfile (?P<path>\S+?),")
SEPARATOR = re.compile(rf"; (?=(?:{'|'.join(COMPARATOR_AREAS)}) [-\d]|[Pp]lan: )")
"""Between two entries of a cell (a citation holds "; " too, never before an area and value)."""
NO_COMPARATOR = ("No comparator available", "Not reported in this edition.")
PLAN_AS_PRINTED = "Plan: "


def _cited_files(text: str, root: Path) -> list[str]:
    """Problems with the files ``text`` cites: none cited, or a cited file missing."""
    paths = [m.group("path") for m in FILE.finditer(text)]
    if not paths:
        return ["cites no file"]
    return [f"cites {p}, which is not a file in the project" for p in paths if not _exists(p, root)]


def _exists(path: str, root: Path) -> bool:
    candidate = Path(path)
    return (candidate if candidate.is_absolute() else root / candidate).is_file()


def entry_findings(cell: str, root: Path) -> list[str]:
    """Problems with one scorecard comparator cell (entries separated by ``; `` before an
    area's name and value)."""
    text = " ".join(cell.split())
    if not text or text in NO_COMPARATOR or text.startswith(PLAN_AS_PRINTED):
        return []
    problems = []
    for entry in SEPARATOR.split(text):
        if entry.lower().startswith(PLAN_AS_PRINTED.lower()):
            continue  # the plan's own figure, quoted as printed
        match = ENTRY.match(entry)
        if match is None:
            problems.append(f"{entry!r}: neither labelled synthetic nor cited")
            continue
        label = match.group("label")
        if label == "synthetic":
            continue
        problems += [f"{entry!r}: {problem}" for problem in _cited_files(label, root)]
    return problems


def _scorecard_cells(soup: BeautifulSoup) -> list[str]:
    """Each scorecard row's comparators with their sources (the "Compared with" line behind
    the row's toggle, :func:`bbp_analysis.scorecard.scorecard_html`)."""
    table = soup.find("table", id="scorecard")
    if table is None:
        return []
    cells = []
    for row in table.find("tbody").find_all("tr"):
        for line in row.find_all("p"):
            text = " ".join(line.get_text().split())
            if text.startswith(COMPARED):
                cells.append(text.removeprefix(COMPARED).strip())
    return cells


def _benchmark_sentences(soup: BeautifulSoup) -> list[str]:
    text = " ".join(soup.get_text().split())
    return re.findall(r"Benchmarks: published values from (.+?)(?:, and simulated|\.\s)", text)


def comparator_findings(site: Path, root: Path) -> list[str]:
    """Every comparator on the site's pages that is neither cited to a file under ``root``
    nor labelled synthetic, one line each (empty when the site is honest); a site without
    any scorecard is a finding, so the scan never passes by finding nothing to read."""
    findings, scorecards = [], 0
    for page in sorted(site.rglob("*.html")):
        html = page.read_text(encoding="utf-8")
        if "scorecard" not in html and "Benchmarks:" not in html:
            continue
        soup = BeautifulSoup(html, "html.parser")
        name = page.relative_to(site).as_posix()
        cells = _scorecard_cells(soup)
        scorecards += bool(cells)
        for cell in cells:
            findings += [f"{name}: scorecard comparator {p}" for p in entry_findings(cell, root)]
        for sentence in _benchmark_sentences(soup):
            findings += [f"{name}: benchmark {p}" for p in _cited_files(sentence + ",", root)]
    return findings if scorecards else [*findings, "no scorecard found on any page"]
