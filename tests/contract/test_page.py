"""The book's extract-contract page lists every table and column the measures read."""

from __future__ import annotations

import json
import re

from bbp_analysis.audit.disclosure_scan import html_findings
from bbp_analysis.contract import load
from bbp_analysis.contract.lineage import measures_reading
from bbp_analysis.measures import engine
from bbp_analysis.site import contract_page


def test_page_lists_every_table_and_column_the_measures_read(tmp_path):
    book, extra = tmp_path / "book", tmp_path / "_extra"
    book.mkdir()
    written = contract_page.write(book, extra)
    text = (book / "extract-contract.md").read_text(encoding="utf-8")
    sections = dict(re.findall(r"### [^\n]*\n\nTable `(\w+)`\. (.*?)(?=\n### |\n## )", text, re.S))
    assert set(sections) == set(load().tables)
    listed = {
        (t, c)
        for t, body in sections.items()
        for c in re.findall(r'<th scope="row"><code>([^<]+)</code></th>', body)
    }
    assert set(measures_reading()) <= listed
    assert listed == load().columns()
    assert len(written) == 1 + len(load().tables)
    for table in load().tables:
        copied = extra / "downloads" / "contract" / f"{table}.schema.json"
        assert json.loads(copied.read_text())["name"] == table
        assert f'href="../downloads/contract/{table}.schema.json"' in sections[table]


def test_page_gives_each_measure_its_coverage_and_passes_the_disclosure_scan():
    text = contract_page.page()
    for measure in engine.list_measures():
        assert f"<code>{measure}</code>" in text
    assert "life expectancy pools the three financial years" in text
    assert f"Version {load().version}." in text
    assert html_findings(text, "extract-contract.md", 10) == []


def test_every_measure_has_coverage_and_every_coverage_rule_a_measure():
    contract = load()
    assert set(contract.coverage["measures"]) <= set(engine.list_measures())
    assert contract.coverage_of("life_table")["years"] == 3
    assert contract.coverage_of("readmissions_30d")["days_after"] == 30
    assert contract.coverage_of("carers") == {
        "years": 1,
        "days_before": 0,
        "days_after": 0,
        "note": contract.coverage["default"]["note"],
    }
