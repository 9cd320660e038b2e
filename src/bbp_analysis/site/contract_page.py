"""The book's page on the extract contract, generated from the contract itself
(:mod:`bbp_analysis.contract`), with its Table Schemas copied into the edition's downloads."""

from __future__ import annotations

import html
import shutil
from pathlib import Path
from typing import Any

from ..contract import Contract, load
from ..contract.lineage import columns_read, measures_reading
from ..measures import engine

PAGE = "extract-contract.md"
DOWNLOADS = "downloads/contract"  # under the edition's root (the staged ``_extra``)


def _cell(text: object) -> str:
    return f"<td>{html.escape(str(text))}</td>"


def _table(caption: str, header: list[str], rows: list[list[object]]) -> str:
    head = "".join(f'<th scope="col">{html.escape(h)}</th>' for h in header)
    body = "".join(
        "<tr>"
        + f'<th scope="row"><code>{html.escape(str(r[0]))}</code></th>'
        + "".join(_cell(c) for c in r[1:])
        + "</tr>"
        for r in rows
    )
    return (
        f'<table class="bbp-table"><caption>{html.escape(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>\n\n"
    )


def _rules(field: dict[str, Any]) -> str:
    """Codes, pattern and range of a field, in words."""
    limits = field.get("constraints", {})
    parts = []
    if "x-codeList" in field:
        parts.append(f"code list: {field['x-codeList'].replace('_', ' ')}")
    elif "enum" in limits:
        parts.append("one of " + ", ".join(limits["enum"]))
    if "pattern" in limits:
        parts.append(f"pattern {limits['pattern']}")
    if "minimum" in limits or "maximum" in limits:
        parts.append(f"{limits.get('minimum', '')} to {limits.get('maximum', '')}".strip())
    if "x-unit" in field:
        parts.append(field["x-unit"])
    return "; ".join(parts)


def _use(contract: Contract, table: str, column: str, readers: dict) -> str:
    if table in contract.read_elsewhere:
        return f"read by {contract.read_elsewhere[table]}"
    measures = readers.get((table, column), [])
    if measures:
        return f"{len(measures)} measure{'s' if len(measures) > 1 else ''}"
    return contract.unread_columns[f"{table}.{column}"]


def _table_section(contract: Contract, name: str, readers: dict) -> str:
    schema = contract.tables[name]
    keys = ", ".join(schema.get("primaryKey", [])) or "none"
    # the file name sits under the heading: a code span in a heading cannot wrap at 320 px
    lines = [f"### {schema['title']}", "", f"Table `{name}`. {schema['description']}", ""]
    lines.append(f"- Primary key (unique): {keys}")
    for foreign in schema.get("foreignKeys", []):
        ref = foreign["reference"]
        lines.append(
            f"- Foreign key: {', '.join(foreign['fields'])} must be a "
            f"{ref['resource']}.{', '.join(ref['fields'])}"
        )
    for rule in contract.determines:
        if name in rule["tables"]:
            others = [t for t in rule["tables"] if t != name]
            text = contract.determines_text(rule)
            lines.append(
                f"- {text[0].upper()}{text[1:]}: every row with the same {rule['key']} has "
                f"the same {' and '.join(rule['columns'])}"
                + (f", here and in {', '.join(others)}" if others else "")
            )
    lines.append(
        f'- Machine-readable: <a href="../{DOWNLOADS}/{name}.schema.json" download>'
        f"{name}.schema.json</a>"
    )
    lines.append("")
    rows = [
        [
            f["name"],
            f["type"],
            "yes" if f.get("constraints", {}).get("required") else "no (may be empty)",
            f["description"],
            _rules(f),
            _use(contract, name, f["name"], readers),
        ]
        for f in schema["fields"]
    ]
    header = ["Column", "Type", "Value required", "Description", "Codes and format", "Used by"]
    return "\n".join(lines) + "\n" + _table(f"Columns of {name}", header, rows)


def _code_lists(contract: Contract) -> str:
    out = ["## Code lists", ""]
    for key, spec in contract.code_lists.items():
        out += [f"### {key.replace('_', ' ').capitalize()}", "", spec["title"] + ".", ""]
        if "codes" in spec:
            rows = [[code, meaning] for code, meaning in spec["codes"].items()]
            out.append(_table(f"Codes of {key.replace('_', ' ')}", ["Code", "Meaning"], rows))
        elif "reference" in spec:
            out += [f"Checked against the reference table `{spec['reference']}`.", ""]
        else:
            out += [f"Each value must match `{spec['pattern']}`.", ""]
    return "\n".join(out)


def _coverage(contract: Contract) -> str:
    descriptions = engine.describe_measures()
    rows = []
    for measure in engine.list_measures():
        rule = contract.coverage_of(measure)
        tables = sorted({t for t, _ in columns_read(measure)})
        rows.append(
            [
                measure,
                descriptions[measure],
                ", ".join(tables),
                rule["years"],
                rule["days_before"],
                rule["days_after"],
                rule["note"],
            ]
        )
    header = [
        "Measure",
        "What it counts",
        "Tables read",
        "Financial years",
        "Days before",
        "Days after",
        "Why",
    ]
    return (
        "## Date coverage each measure needs\n\n"
        "For a reporting year (a financial year, 1 April to 31 March), each measure needs "
        'the financial years ending with it ("Financial years"), plus the days before the '
        "first of them and after the last of them shown. Trend charts and baselines need every "
        "year from the plan's baseline to the reporting year.\n\n"
        + _table("Date coverage by measure", header, rows)
    )


def page() -> str:
    """The MyST page on the extract contract."""
    contract = load()
    readers = measures_reading()
    summary = [
        [name, t["title"], ", ".join(t.get("primaryKey", [])), len(t["fields"])]
        for name, t in contract.tables.items()
    ]
    return "\n".join(
        [
            "# The extract contract",
            "",
            f"Version {contract.version}. This page is for an analyst preparing the person-level "
            "extract this review reads, for example from a data warehouse. It lists every table "
            "and column the review's measures read, with the type, the codes allowed and the "
            "keys, and how many years of data each measure needs. It is generated from the same "
            "machine-readable files that the review checks every extract against, so the page "
            "and the check cannot disagree.",
            "",
            "## Preparing an extract",
            "",
            "- One file per table, named after the table: `persons.parquet` or `persons.csv`, "
            "and so on, all in one folder. Parquet keeps the types; a CSV file has a header row "
            "with the column names below, commas between values, UTF-8 text, dates written "
            "`YYYY-MM-DD`, true/false values written `true` or `false`, and an empty value "
            "where a value is missing. To check and to aggregate an extract in CSV, the review "
            "reads each file once into a Parquet copy in the computer's temporary folder, which "
            "only the user running it can open, and deletes the copy as soon as that step ends.",
            "- Every column listed must be there, spelled exactly as listed, and no other: a "
            'renamed column is refused. Where "Value required" is yes, no row may leave it empty.',
            "- People are identified by a pseudonymised `person_id` only: never an NHS number, "
            "name, address, postcode or full date of birth. Records of the same person share "
            "the same `person_id` across tables.",
            "- Coded columns take the codes of their code list (below); a code outside it is "
            "refused, so local codes must be mapped first.",
            "- A practice is in one Primary Care Network and one borough throughout the "
            "extract: every row of a practice, in every table that names it, gives the same "
            "`pcn_name` and `borough_code` (map a practice that changed network to one of "
            "them, for example the one it is in now). A row that differs from most of the "
            "practice's rows is refused.",
            "- `bbp validate` checks an extract against this contract. Each problem is one line "
            "naming the file, the row (counting data rows from 1), the column and the rule, and "
            "the build is refused until none is left. When the extract passes, it prints the "
            "dates and financial years the extract covers, its areas and the rows in each table.",
            "",
            "The Table Schemas ([Frictionless Table Schema](https://specs.frictionlessdata.io/"
            "table-schema/) JSON, one per table) are the machine-readable contract; field "
            "properties starting `x-` are this review's additions (`x-codeList`, `x-unit`).",
            "",
            "## Tables",
            "",
            _table("Tables of the extract", ["Table", "Holds", "Primary key", "Columns"], summary),
            *(_table_section(contract, name, readers) for name in contract.tables),
            _code_lists(contract),
            _coverage(contract),
            "## Versions",
            "",
            "The contract's version changes with the contract: the major number when a column "
            "is removed or renamed or a rule is tightened, the minor number when a table or "
            "column is added, the last number when only the wording changes.",
            "",
        ]
    )


def write(book: Path, extra: Path) -> list[Path]:
    """Write the page into ``book`` and copy the Table Schemas into the edition's downloads
    (``extra/downloads/contract/``); return the files written."""
    contract = load()
    target = extra / DOWNLOADS
    target.mkdir(parents=True, exist_ok=True)
    written = [
        Path(shutil.copyfile(contract.schema_path(n), target / f"{n}.schema.json"))
        for n in contract.tables
    ]
    (book / PAGE).write_text(page(), encoding="utf-8")
    return [book / PAGE, *written]
