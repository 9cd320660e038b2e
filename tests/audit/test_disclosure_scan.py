"""The disclosure audit finds identifiers, person-level rows and small counts, and nothing else."""

from __future__ import annotations

import hashlib
import json
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from bbp_analysis import cli
from bbp_analysis.audit.disclosure_scan import (
    _joined,
    _page_parts,
    html_findings,
    nhs_check_digit_valid,
    scan_site,
)
from bbp_analysis.publish import passport_html, table_html


def test_nhs_check_digit_against_published_example() -> None:
    # 943 476 5919 is NHS Digital's published example of a valid NHS number: weights 10..2
    # give 9*10+4*9+3*8+4*7+7*6+6*5+5*4+9*3+1*2 = 299, 299 mod 11 = 2, 11 - 2 = 9.
    assert nhs_check_digit_valid("9434765919")
    assert not nhs_check_digit_valid("9434765918")


def write_site(site: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = site / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return site


def test_clean_aggregate_site_has_no_findings(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {"area": ["A", "B", "C"], "numerator": [12, "[c]", 0], "denominator": [40, 35, 50]}
    )
    digest = hashlib.sha256(b"x").hexdigest()  # long hex holding runs of digits
    page = (
        f"<html><body><p>Hash {digest} seed 20220401</p>{table_html(frame, 'Counts')}"
        f"{passport_html('counts', 'table', frame, context={})}</body></html>"
    )
    site = write_site(
        tmp_path / "site",
        {
            "book/page.html": page,
            "downloads/counts.csv": frame.to_csv(index=False),
            "manifest.json": json.dumps({"inputs": {"a.csv": digest}}),
        },
    )
    assert scan_site(site, threshold=10) == []


def test_small_count_is_found_with_row_and_column(tmp_path: Path) -> None:
    frame = pd.DataFrame({"area": ["A", "B"], "numerator": [25, 3], "rate (%)": [5, 4]})
    site = write_site(
        tmp_path / "site",
        {"downloads/x.csv": frame.to_csv(index=False), "book/p.html": table_html(frame, "X")},
    )
    found = [str(f) for f in scan_site(site, threshold=10)]
    assert found == [
        "book/p.html: row 2, column 'Numerator': no count below 10: '3' is published unsuppressed",
        "downloads/x.csv: row 2, column 'numerator': no count below 10: '3' is published "
        "unsuppressed",
    ]


def test_shares_and_rates_named_after_counts_are_not_counts(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "group": ["A", "B"],
            "population_share": [2.0, 98.0],
            "admissions rate": [3.1, 4.0],
            "population": [3, 120],
        }
    )
    site = write_site(tmp_path / "site", {"downloads/y.csv": frame.to_csv(index=False)})
    found = [str(f) for f in scan_site(site, threshold=10)]
    assert found == [
        "downloads/y.csv: row 1, column 'population': no count below 10: '3' is "
        "published unsuppressed"
    ]


def test_identifiers_and_person_level_tables_are_found(tmp_path: Path) -> None:
    persons = pd.DataFrame({"person_id": ["P00001234"], "sex": ["F"]})
    site = write_site(
        tmp_path / "site",
        {
            "downloads/people.csv": persons.to_csv(index=False),
            "book/a.html": "<p>Patient 943 476 5919, date of birth 1950-02-01.</p>",
        },
    )
    found = [str(f) for f in scan_site(site, threshold=10)]
    assert "book/a.html: identifier: NHS-number-like value '943 476 5919'" in found
    assert "book/a.html: identifier: date of birth 'date of birth 1950-02-01'" in found
    assert "downloads/people.csv: identifier: pseudonymised id 'P00001234'" in found
    assert (
        "downloads/people.csv: column 'person_id': person-level row: a column names a person "
        "identifier" in found
    )


def test_printed_rows_in_an_executed_notebook_are_found(tmp_path: Path) -> None:
    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("print(persons.head(1))")
    cell.outputs = [nbformat.v4.new_output("stream", text="  person_id sex\n0 P01234567 F\n")]
    notebook.cells = [cell]
    (tmp_path / "site" / "_sources").mkdir(parents=True)
    nbformat.write(notebook, tmp_path / "site" / "_sources" / "ch.ipynb")
    found = [str(f) for f in scan_site(tmp_path / "site", threshold=10)]
    assert found == ["_sources/ch.ipynb (cell 0): identifier: pseudonymised id 'P01234567'"]


def test_credential_from_parameters_is_found(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", {"run.json": '{"dsn": "s3cr3t-pass"}'})
    found = scan_site(site, threshold=10, secrets=["s3cr3t-pass"])
    assert [f.rule for f in found] == ["no credential published"]


def test_audit_disclosure_command_lists_findings_and_exits_1(tmp_path: Path, capsys) -> None:
    site = write_site(tmp_path / "site", {"d.csv": "area,count\nA,4\n"})
    assert cli.main(["audit-disclosure", str(site), "--threshold", "10"]) == 1
    out = capsys.readouterr().out
    assert "1 finding(s)" in out and "d.csv: row 1, column 'count': no count below 10" in out
    (site / "d.csv").write_text("area,count\nA,[c]\n")
    assert cli.main(["audit-disclosure", str(site), "--threshold", "10"]) == 0


class ParsedPage(HTMLParser):
    """The reference reading of a page: Python's HTML parser collecting the text outside
    scripts and styles and each table's rows of cell text (whitespace collapsed)."""

    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.tables: list[list[list[str]]] = []
        self._open: list[list[list[str]]] = []
        self._cell: list[str] | None = None
        self._skip = 0
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag == "table":
            self._open.append([])
        elif tag == "tr" and self._open:
            self._open[-1].append([])
        elif tag in ("td", "th") and self._open and self._open[-1]:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip = max(self._skip - 1, 0)
        elif tag in ("td", "th") and self._cell is not None and self._open:
            self._open[-1][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table" and self._open:
            self.tables.append(self._open.pop())

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.texts.append(data)
            if self._cell is not None:
                self._cell.append(data)


def reference_parts(markup: str) -> tuple[str, list[list[list[str]]]]:
    page = ParsedPage(markup)
    return " ".join(page.texts), page.tables


def test_pages_are_read_as_pythons_html_parser_reads_them() -> None:
    """Comments, declarations, scripts and styles hold no text; a quoted attribute value may
    hold '>' and is not text; character references are resolved; tag names in any case."""
    markup = (
        "<!DOCTYPE html><html><head><style>td > p {color: red}</style>"
        "<script>const id = '<td>P00001234</td>';</script></head><body>"
        "<!-- P00004321 <table> --><p title=\"a > b\" data-x='1 > 0'>Born &amp; bred"
        " &lt;here&gt;</p><TABLE><tr><th>Area</th><th>Count</th></tr>"
        "<tr><td>A &amp; B</td><td>\n 3 \n</td></tr></TABLE><br/><p>end</p></body></html>"
    )
    texts, tables = _page_parts(markup)
    assert (" ".join(texts), tables) == reference_parts(markup)
    assert "P0000" not in " ".join(texts) and "a > b" not in " ".join(texts)
    assert tables == [[["Area", "Count"], ["A & B", "3"]]]
    [finding] = html_findings(markup, "p.html", threshold=10)
    assert finding.detail == "'3' is published unsuppressed"


@pytest.mark.slow
def test_every_page_of_the_latest_edition_is_read_as_pythons_html_parser_reads_it(
    default_build: tuple[Path, Path],
) -> None:
    """Every HTML page of the session's latest edition, and every HTML output of its executed
    notebooks, gives the audit the text and tables Python's HTML parser gives."""
    site = default_build[1]
    edition = site / json.loads((site / "editions.json").read_text())["latest"]
    documents = {str(p): p.read_text(encoding="utf-8") for p in edition.rglob("*.html")}
    for path in edition.rglob("*.ipynb"):
        for number, cell in enumerate(json.loads(path.read_text(encoding="utf-8"))["cells"]):
            for output in cell.get("outputs", []):
                if "text/html" in output.get("data", {}):
                    documents[f"{path} (cell {number})"] = _joined(output["data"]["text/html"])
    assert len(documents) > 200  # 81 pages and 182 notebook outputs when written
    tables = 0
    for where, markup in documents.items():
        texts, found = _page_parts(markup)
        assert (" ".join(texts), found) == reference_parts(markup), where
        tables += len(found)
    assert tables > 300  # 379 when written
