"""The methods page's "Reading the plan" note: every ambiguity is there, every quotation is the
seeds' own words, and every place is named by section, not by file and line."""

from __future__ import annotations

import re

from bbp_analysis.reference import collapse_whitespace

from support import ROOT

SEEDS = ROOT / "data" / "reference" / "seeds"


def _section() -> str:
    text = (ROOT / "book" / "methods.md").read_text(encoding="utf-8")
    start = text.index("## Reading the plan")
    end = text.find("\n## ", start + 1)
    return text[start : end if end > 0 else None]


def _quotations(section: str) -> list[str]:
    """The quoted words of each block quotation (one per paragraph of ``>`` lines)."""
    blocks, current = [], []
    for line in [*section.splitlines(), ""]:
        if line.startswith(">") and line[1:].strip():
            current.append(line[1:].strip())
        elif current:
            blocks.append(" ".join(current))
            current = []
    return [m for block in blocks for m in re.findall(r'"([^"]+)"', block)]


def test_every_ambiguity_has_its_own_entry():
    section = _section()
    headings = re.findall(r"^### (.+)$", section, flags=re.MULTILINE)
    assert headings == [
        "Measure 5: no unit, no year, and which conditions",
        'Measure 2: which "NWL average"',
        "Measures 3 and 4: a baseline, not a level",
        "Measure 4: a range, and which side of it is good",
        "Measure 1: 5% of what",
        'Measure 1: "5 and under" or "aged 5"',
        "Bowel screening at 97%",
        'Tooth decay "57% higher than the national average"',
        "The PLUS groups of Core20PLUS5",
    ]
    entries = re.split(r"^### .+$", section, flags=re.MULTILINE)[1:]
    for heading, entry in zip(headings, entries, strict=True):
        assert "**The review's reading:**" in collapse_whitespace(entry), heading
    flat = collapse_whitespace(section)
    assert "42.4 ÷ 27 = 1.57" in flat and "42.4 ÷ 23.4 = 1.81" in flat
    assert '"baseline set"' in flat
    assert "against the same year's NWL average" in flat
    assert "to about 40.3%" in flat and "to 37.4%" in flat
    assert "no Romanian or Somali code" in flat


def test_every_quotation_is_the_seeds_own_words():
    seeds = [
        collapse_whitespace(path.read_text(encoding="utf-8"))
        for path in sorted(SEEDS.glob("[0-9][0-9][0-9]_*.txt"))
    ]
    quotations = _quotations(_section())
    assert len(quotations) >= 14
    for quote in quotations:
        assert any(collapse_whitespace(quote) in seed for seed in seeds), quote
    assert (
        "Harrow has a rate of admission by weighted population of 11.47 against a NWL "
        "average of 9.89." in quotations
    )
    assert "Bowel cancer screening rates are 97% in Harrow compared to 96% across NWL." in (
        quotations
    )


def test_places_are_named_for_readers():
    section = _section()
    assert not re.search(r"\.txt|\bline \d+|\bseeds? \d{3}\b|\b00[0-4]_", section)
    assert "section 4" in section and "section 2.3" in section and "section 3.1" in section
