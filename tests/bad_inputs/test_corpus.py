"""The bad-input corpus: every input file x every kind of damage that applies to it.

Each case damages one file in a disposable project and runs ``bbp validate`` and ``bbp build``
on it in-process. A damaging case must give, from both commands, exit status 2 and the SAME
one-line refusal naming the file (and row, column and rule where they apply), no traceback,
and nothing published; the build must refuse before any expensive step (the extract step is
replaced by a tripwire). A harmless case (argued where it is listed) must be accepted by both:
validate exits 0 and the build gets past its input checks to the extract step.

The cases are generated from the tables below (:data:`CSV_FILES`, :data:`PARAMETER_FILES`,
the extract's manifest, the seeds and the documentation files); a test checks that every
file under ``data/reference/``, ``data/delivery/``, ``parameters/`` and the extract has cases.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pytest

from bad_inputs import damage as d
from bbp_analysis import cli, pipeline
from bbp_analysis.contract import load as load_contract
from bbp_analysis.params import available_periods

from support import run_bbp

Damage = Callable[[Path, str], None]


@dataclass(frozen=True)
class Case:
    """One damaged file. ``rule`` None: harmless (accepted by both commands). ``names``: the
    file the refusal names when it is not the damaged one (``text`` the line must hold
    instead of a path, e.g. a seed cited by a table)."""

    name: str
    file: str
    damage: Damage
    rule: str | None
    row: int | None = None
    column: str | None = None
    names: str | None = None
    text: str | None = None
    period: str | None = None
    area: str | None = None


@dataclass(frozen=True)
class CsvFile:
    """A CSV input and where each kind of damage shows: ``header_rule`` for a renamed or
    dropped ``column``; ``numeric`` (column, rule) for text in a number or date column;
    ``code`` (column, value, rule) for an unknown code; ``text`` a column for a bad byte;
    ``duplicate`` (row, column) of the unique-key refusal when every row is doubled."""

    path: str
    header_rule: str
    column: str
    numeric: tuple[str, str] | None
    code: tuple[str, str, str] | None
    text: str
    duplicate: tuple[int | None, str]


REF = "data/reference"
PUBLIC = f"{REF}/public"
DELIVERY = "data/delivery"
IMD_RANK = "Index of Multiple Deprivation (IMD) Rank"
LA_CODE = "Local Authority District code (2019)"

CSV_FILES = [
    CsvFile(
        f"{REF}/core20plus5.csv",
        "core20plus5 schema",
        "target_value",
        ("target_year", "type int"),
        ("area_no", "9", "range"),
        "clinical_area",
        (2, "area_no"),
    ),
    CsvFile(
        f"{REF}/diabetes_9cp_practices.csv",
        "diabetes_9cp_practices schema",
        "patients_all_9",
        ("patients_with_diabetes", "type int"),
        ("pcn_name", "Nowhere PCN", "code list"),
        "practice_name",
        (2, "practice_code"),
    ),
    CsvFile(
        f"{REF}/jsna_headlines.csv",
        "jsna_headlines schema",
        "theme",
        ("value", "type float"),
        ("area", "Narnia", "code list"),
        "finding",
        (2, "theme"),
    ),
    CsvFile(
        f"{REF}/partnership_measures.csv",
        "partnership_measures schema",
        "figure",
        ("measure_id", "type int"),
        ("figure", "guess", "code list"),
        "text",
        (2, "measure_id"),
    ),
    # no number or date column in pcn_names
    CsvFile(
        f"{REF}/pcn_names.csv",
        "pcn_names schema",
        "pcn_name",
        None,
        ("pcn_name", "East PCN", "code list"),
        "pcn_label_in_plan",
        (2, "pcn_label_in_plan"),
    ),
    # performance has no code-listed column (topics, statements and areas are free text)
    CsvFile(
        f"{REF}/performance.csv",
        "performance schema",
        "topic",
        ("value", "type float"),
        None,
        "statement",
        (2, "topic"),
    ),
    # the export's first rows are England twice (with and without a parent), which the
    # reader merges, so the first refused repeat is data row 4
    CsvFile(
        f"{PUBLIC}/fingertips-gp-imd2019/indicator-data_93553_gp.csv",
        "Fingertips all_data CSV header",
        "Area Code",
        ("Value", "type float"),
        ("Sex", "Unknown", "code list"),
        "Area Name",
        (4, "Indicator ID"),
    ),
    CsvFile(
        f"{PUBLIC}/harrow-practices/harrow_practices_2021-01_with_pcn.csv",
        "Harrow practices header",
        "pcn_name",
        ("registered_patients_2021_01_01", "type int"),
        ("pcn_name", "Nowhere PCN", "code list"),
        "practice_name",
        (2, "practice_code"),
    ),
    # each sex and group once: the doubled file repeats "Men, Normotensive untreated" in row 2
    CsvFile(
        f"{PUBLIC}/hse2022-hypertension/hse_estimate.csv",
        "HSE table header",
        "75+",
        ("16-34", "type float"),
        ("Sex", "Girls", "code list"),
        "Group",
        (2, "Group"),
    ),
    CsvFile(
        f"{PUBLIC}/imd2019/File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv.gz",
        "IoD2019 LSOA CSV header",
        "LSOA code (2011)",
        (IMD_RANK, "type int"),
        (LA_CODE, "X99", "pattern"),
        "LSOA name (2011)",
        (2, "LSOA code (2011)"),
    ),
    # this derived extract keeps the gov.uk File_7 header, with its "(where ...)" suffixes
    CsvFile(
        f"{PUBLIC}/imd2019/harrow_E09000015_iod2019_lsoa11.csv",
        "IoD2019 LSOA CSV header",
        "LSOA code (2011)",
        (f"{IMD_RANK} (where 1 is most deprived)", "type int"),
        (LA_CODE, "X99", "pattern"),
        "LSOA name (2011)",
        (2, "LSOA code (2011)"),
    ),
    CsvFile(
        f"{PUBLIC}/nhsd-gp-registered-patients/gp-reg-pat-prac-all_2021-01.csv",
        "GP registered patients CSV header",
        "NUMBER_OF_PATIENTS",
        ("NUMBER_OF_PATIENTS", "type int"),
        ("SEX", "UNKNOWN", "code list"),
        "POSTCODE",
        (2, "CODE"),
    ),
    CsvFile(
        f"{DELIVERY}/workstreams.csv",
        "workstreams schema",
        "workstream_id",
        ("objective", "type int"),
        ("indicators", "no-such-indicator", "catalogue indicator"),
        "workstream",
        (2, "workstream_id"),
    ),
    CsvFile(
        f"{DELIVERY}/milestones.csv",
        "milestones schema",
        "due",
        ("due", "type date"),
        ("due_basis", "guess", "code list"),
        "milestone",
        (2, "milestone_id"),
    ),
    # no number or date column in milestone_updates
    CsvFile(
        f"{DELIVERY}/milestone_updates.csv",
        "milestone_updates schema",
        "status",
        None,
        ("status", "done", "code list"),
        "evidence",
        (2, "milestone_id"),
    ),
    CsvFile(
        f"{DELIVERY}/risks.csv",
        "risks schema",
        "identified",
        ("identified", "type date"),
        ("provenance", "rumour", "code list"),
        "risk",
        (2, "risk_id"),
    ),
    CsvFile(
        f"{DELIVERY}/risk_reviews.csv",
        "risk_reviews schema",
        "likelihood",
        ("likelihood", "type int"),
        ("risk_id", "no-such-risk", "known risk"),
        "mitigations",
        (2, "risk_id"),
    ),
]


def data_rows(path: str) -> int:
    return len(d.csv_rows(d.ROOT, path)) - 1


def csv_cases(spec: CsvFile) -> list[Case]:
    stem = Path(spec.path).name.split(".")[0]
    cases = [
        Case(f"{stem}-empty", spec.path, d.emptied, "not empty"),
        Case(f"{stem}-header-only", spec.path, d.header_only, "not empty"),
        Case(
            f"{stem}-last-row-cut",
            spec.path,
            d.last_row_cut,
            "rectangular CSV",
            row=data_rows(spec.path),
        ),
        Case(
            f"{stem}-every-row-twice",
            spec.path,
            d.every_row_twice,
            "unique key",
            row=spec.duplicate[0],
            column=spec.duplicate[1],
        ),
        Case(
            f"{stem}-renamed-column",
            spec.path,
            d.rename_column(spec.column),
            spec.header_rule,
            column=spec.column,
        ),
        Case(
            f"{stem}-dropped-column",
            spec.path,
            d.drop_column(spec.column),
            spec.header_rule,
            column=spec.column,
        ),
        Case(
            f"{stem}-not-utf8",
            spec.path,
            d.bad_byte_in(2, spec.text),
            "encoding UTF-8",
            row=2,
            column=spec.text,
        ),
    ]
    if spec.numeric is not None:
        column, rule = spec.numeric
        cases.append(
            Case(
                f"{stem}-text-in-{column}",
                spec.path,
                d.set_cell(2, column, "twelve"),
                rule,
                row=2,
                column=column,
            )
        )
    if spec.code is not None:
        column, value, rule = spec.code
        cases.append(
            Case(
                f"{stem}-unknown-{column}",
                spec.path,
                d.set_cell(2, column, value),
                rule,
                row=2,
                column=column,
            )
        )
    return cases


PERIODS = available_periods(d.ROOT)
FIRST = PERIODS[0]


def parameter_cases(name: str) -> list[Case]:
    path = f"parameters/{name}.yaml"
    is_defaults = name == "defaults"
    missing = "confidence" if is_defaults else "period_end"
    wrong = (
        d.substitute("confidence: 0.95", "confidence: high")
        if is_defaults
        else d.substitute(f'period_start: "{name[:4]}-04-01"', f"period_start: {name[:4]}-04-01")
    )
    return [
        Case(f"{name}-empty", path, d.emptied, "parameters file not empty"),
        Case(f"{name}-malformed-yaml", path, d.append_text("comparators: [NWL\n"), "valid YAML"),
        Case(
            f"{name}-not-utf8",
            path,
            d.substitute_bytes(
                "Harrow" if is_defaults else "period", b"Harr\xf3w" if is_defaults else b"p\xe9riod"
            ),
            "encoding UTF-8",
        ),
        Case(
            f"{name}-unknown-parameter",
            path,
            d.append_text("colour: red\n"),
            "known parameter",
            column="colour",
        ),
        # a parameter missing from every file is reported against the period file being
        # loaded (defaults may supply it, or the period file): the first period's
        Case(
            f"{name}-missing-{missing}",
            path,
            d.remove_line(f"{missing}:"),
            "required parameter",
            column=missing,
            names=f"parameters/{FIRST}.yaml" if is_defaults else None,
        ),
        Case(
            f"{name}-wrong-type",
            path,
            wrong,
            "parameter type",
            column="confidence" if is_defaults else "period_start",
        ),
    ]


EXTRACT = d.EXTRACT
MANIFEST = f"{EXTRACT}/manifest.json"


def extract_cases() -> list[Case]:
    """Cases of every table the extract contract names (``<table>.parquet``, as the
    generator writes it; :func:`test_every_input_file_has_cases` finds any other file) and
    of the manifest, whose values a case reads when it damages it: the cases are listed
    without the extract, which a fresh clone has only once a test has generated it."""
    tables = sorted(load_contract().tables)
    cases = []
    for table in tables:
        path = f"{EXTRACT}/{table}.parquet"
        cases += [
            Case(f"{table}-parquet-empty", path, d.emptied, "readable Parquet"),
            Case(f"{table}-parquet-truncated", path, d.first_half, "readable Parquet"),
        ]
    first = tables[0]
    cases += [
        Case("manifest-empty", MANIFEST, d.emptied, "extract manifest"),
        Case("manifest-truncated", MANIFEST, d.first_half, "extract manifest"),
        Case(
            "manifest-row-count",
            MANIFEST,
            d.substitute_in_manifest(
                first, lambda e: (f'"rows": {e["rows"]},', f'"rows": {e["rows"] + 1},')
            ),
            "extract row count",
            names=f"{EXTRACT}/{first}.parquet",
            column="rows",
        ),
        Case(
            "manifest-hash-missing",
            MANIFEST,
            d.substitute_in_manifest(
                first, lambda e: (f'"sha256": "{e["sha256"]}"', f'"sha": "{e["sha256"]}"')
            ),
            "extract manifest",
            column=f"tables.{first}.sha256",
        ),
        Case(
            "manifest-hash-changed",
            MANIFEST,
            d.substitute_in_manifest(first, lambda e: (e["sha256"], "0" * 64)),
            "extract integrity",
            names=f"{EXTRACT}/{first}.parquet",
            column="sha256",
        ),
    ]
    return cases


SEEDS = sorted(p.name for p in (d.ROOT / REF / "seeds").glob("0*.txt"))
# Seeds cut to their first tenth: the quotes of a later part are no longer found, reported
# against the first table (in check order) citing them, naming the seed in the detail.
SEED_CUT = {
    "004_bb9be7d3c4970d21.txt": (f"{REF}/partnership_measures.csv", "quote in seed"),
    # seed 002 is first quoted by the workstreams of shielded residents and safeguarding
    "002_3b5af2e09dc3f00a.txt": (f"{DELIVERY}/workstreams.csv", "quote in seed"),
    "001_0788e5ac317726e5.txt": (f"{DELIVERY}/workstreams.csv", "quote in seed"),
}


def seed_cases() -> list[Case]:
    cases = []
    for seed in SEEDS:
        path = f"{REF}/seeds/{seed}"
        number = seed[:3]
        cut = SEED_CUT.get(seed)
        cases += [
            Case(f"seed-{number}-empty", path, d.emptied, "not empty"),
            Case(f"seed-{number}-not-utf8", path, d.text_bad_byte, "encoding UTF-8", row=3),
            # harmless: the build reads a seed only to find quotes in it; a seed doubled
            # still holds every quote, word for word
            Case(f"seed-{number}-doubled", path, d.text_doubled, None),
            # a cut seed is refused where a quote is lost; a seed no quote cites from beyond
            # its first tenth (000, 003: the tracker cites only their opening) is harmless
            Case(
                f"seed-{number}-cut",
                path,
                d.text_first_tenth,
                cut[1] if cut else None,
                names=cut[0] if cut else None,
                text=number if cut else None,
            ),
        ]
    return cases


# Documentation beside the data: read by people, never by the build or the generator (only
# hashed into the notebook cache key), so even an emptied one changes nothing the build does.
DOCUMENTS = sorted(
    str(p.relative_to(d.ROOT))
    for folder in (REF, DELIVERY)
    for p in (d.ROOT / folder).rglob("*.md")
)


def document_cases() -> list[Case]:
    return [
        Case(f"doc-{Path(p).parent.name}-{Path(p).stem}-empty", p, d.emptied, None)
        for p in DOCUMENTS
    ]


def _both(*damages: Damage) -> Damage:
    def damage(project: Path, name: str) -> None:
        for each in damages:
            each(project, name)

    return damage


def _period_file(period: str, meeting: str) -> Damage:
    return lambda p, n: d.replace(p, n, d.period_file(period, meeting))


WAREHOUSE_CSV = "warehouse/persons.csv"
# The extract parameter (parameters/defaults.yaml): a folder of CSV tables, a warehouse
# export with no manifest, in the project's warehouse/ folder.
EXTRACT_PARAMETER = [
    # not damage: the export with its provider and extraction date is accepted by both
    Case("extract-csv-folder", "parameters/defaults.yaml", d.named_extract(), None),
    Case(
        "extract-folder-missing",
        "parameters/defaults.yaml",
        d.named_extract("no-such-folder"),
        "extract folder exists",
        column="extract",
    ),
    Case(
        "extract-wrong-type",
        "parameters/defaults.yaml",
        d.named_extract("5"),
        "parameter type",
        column="extract",
    ),
    Case(
        "extract-unknown-key",
        "parameters/defaults.yaml",
        d.named_extract("{folder: warehouse, supplier: NWL}"),
        "extract parameter",
        column="extract.supplier",
    ),
    Case(
        "extract-no-provider",
        "parameters/defaults.yaml",
        d.named_extract("warehouse"),
        "extract provenance",
        column="extract.provider",
    ),
    Case(
        "extract-date-not-iso",
        "parameters/defaults.yaml",
        d.named_extract('{folder: warehouse, provider: NWL, extracted: "1/5/2026"}'),
        "date",
        column="extract.extracted",
    ),
    Case(
        "extract-column-renamed",
        "parameters/defaults.yaml",
        d.named_extract(table="persons", damage_table=d.rename_column("sex", "gender")),
        "contract: column names",
        column="gender",
        names=WAREHOUSE_CSV,
    ),
    Case(
        "extract-code-outside-its-list",
        "parameters/defaults.yaml",
        d.named_extract(table="persons", damage_table=d.set_cell(3, "ethnic_category", "Q")),
        "contract: code list ethnic_category",
        row=3,
        column="ethnic_category",
        names=WAREHOUSE_CSV,
    ),
    Case(
        "extract-date-not-a-date",
        "parameters/defaults.yaml",
        d.named_extract(
            table="persons", damage_table=d.set_cell(2, "registered_from", "2021-13-01")
        ),
        "contract: type date",
        row=2,
        column="registered_from",
        names=WAREHOUSE_CSV,
    ),
    Case(
        "extract-practice-in-two-pcns",
        "parameters/defaults.yaml",
        d.named_extract(table="persons", damage_table=d.value_of_a_later_row(3, "pcn_name")),
        "contract: one pcn_name and one borough_code per practice_code",
        row=3,
        column="pcn_name",
        names=WAREHOUSE_CSV,
    ),
    Case(
        "extract-table-missing",
        "parameters/defaults.yaml",
        d.named_extract(table="workforce", damage_table=lambda p, n: (p / n).unlink()),
        "contract: table present",
        names="warehouse",
    ),
]

SPECIFIC = [
    Case(
        "period-before-the-data",
        "parameters/2018-19.yaml",
        _period_file("2018-19", "2019-06-20"),
        "period within the data",
        column="period",
        period="2018-19",
    ),
    # not damage: a later period is generated: the synthetic extract covers 2019-20 to the
    # latest period file, and the build regenerates it (validate says so)
    Case(
        "period-after-the-data-regenerated",
        "parameters/2030-31.yaml",
        _period_file("2030-31", "2031-06-19"),
        None,
        period="2030-31",
    ),
    # an extract the generator did not make is never regenerated: a period beyond the
    # periods its manifest lists is refused by both commands
    Case(
        "period-beyond-a-fixed-extract",
        "parameters/2026-27.yaml",
        _both(d.fixed_extract(), _period_file("2026-27", "2027-06-17")),
        "period within the data",
        column="period",
        period="2026-27",
    ),
    Case(
        "fixed-extract-without-periods",
        MANIFEST,
        d.fixed_extract(periods=None),
        "extract manifest",
        column="periods",
    ),
    Case(
        "fixed-extract-periods-with-a-gap",
        MANIFEST,
        d.fixed_extract(periods=["2019-20", "2021-22"]),
        "extract manifest",
        column="periods",
    ),
    # not damage: a synthetic extract made for other periods is stale, and regenerated
    Case(
        "synthetic-extract-for-other-periods",
        MANIFEST,
        d.substitute('"2025-26"', '"2025-26",\n    "2026-27"'),
        None,
    ),
    Case(
        "period-has-no-file",
        "parameters/2031-32.yaml",
        lambda p, n: None,
        "period exists",
        period="2031-32",
    ),
    Case(
        "default-period-has-no-file",
        "parameters/defaults.yaml",
        d.substitute('default_period: "2025-26"', 'default_period: "2031-32"'),
        "period exists",
        names="parameters/2031-32.yaml",
    ),
    Case(
        "pcn-unknown",
        "parameters/defaults.yaml",
        d.substitute("pcn: null", 'pcn: "Nowhere PCN"'),
        "code list",
        column="pcn",
        names="parameters",
    ),
    Case(
        "confidence-out-of-range",
        "parameters/defaults.yaml",
        d.substitute("confidence: 0.95", "confidence: 1.5"),
        "range",
        column="confidence",
    ),
    Case(
        "period-mismatches-file",
        f"parameters/{FIRST}.yaml",
        d.substitute(f'period: "{FIRST}"', 'period: "2019-20"'),
        "period matches file name",
        column="period",
    ),
    Case(
        "number-not-in-quote",
        f"{REF}/diabetes_9cp_practices.csv",
        d.set_cell(1, "patients_all_9", "626"),
        "number in quote",
        row=1,
        column="patients_all_9",
    ),
    Case(
        "quote-not-in-seed",
        f"{REF}/pcn_names.csv",
        d.set_cell(1, "source_quote", "Harrow Collab. Network (E84680) Somewhere Else"),
        "quote in seed",
        row=1,
        column="source_quote",
    ),
    Case(
        "seed-file-missing",
        f"{REF}/pcn_names.csv",
        d.set_cell(2, "source_file", "004_0000000000000000.txt"),
        "seed exists",
        row=2,
        column="source_file",
    ),
    Case(
        "numerator-above-denominator",
        f"{REF}/diabetes_9cp_practices.csv",
        d.edit_rows(
            lambda rows: [rows[0], [*rows[1][:3], rows[1][4], rows[1][3], *rows[1][5:]], *rows[2:]]
        ),
        "achievers within patients",
        row=1,
        column="patients_all_9",
    ),
    Case(
        "practice-pcn-unknown",
        f"{PUBLIC}/harrow-practices/harrow_practices_2021-01_with_pcn.csv",
        d.set_cell(3, "pcn_name", "Harrow West PCN"),
        "code list",
        row=3,
        column="pcn_name",
    ),
    Case(
        "lsoa-population-column-dropped",
        f"{PUBLIC}/imd2019/harrow_E09000015_iod2019_lsoa11.csv",
        d.drop_column("Total population: mid 2015 (excluding prisoners)"),
        "generator layout",
        column="Total population: mid 2015",
    ),
    Case(
        "registrations-sub-icb-layout",
        f"{PUBLIC}/nhsd-gp-registered-patients/gp-reg-pat-prac-all_2021-01.csv",
        d.rename_column("ONS_CCG_CODE"),
        "GP registered patients CSV header",
        column="ONS_CCG_CODE",
    ),
    Case(
        "workstream-unknown-activity",
        f"{DELIVERY}/workstreams.csv",
        d.set_cell(1, "logic_model_activities", "Build a moon base"),
        "logic-model activity",
        row=1,
        column="logic_model_activities",
    ),
    Case(
        "milestone-unknown-workstream",
        f"{DELIVERY}/milestones.csv",
        d.set_cell(1, "workstream_id", "no-such-workstream"),
        "known workstream",
        row=1,
        column="workstream_id",
    ),
    Case(
        "area-not-a-borough",
        "parameters/defaults.yaml",
        lambda p, n: None,
        "NWL borough",
        column="area",
        names="command line --area",
        area="E09000999",
    ),
    Case(
        "practices-duplicate-header",
        f"{PUBLIC}/harrow-practices/harrow_practices_2021-01_with_pcn.csv",
        d.rename_column("pcn_match", "pcn_name"),
        "unique header",
        column="pcn_name",
    ),
    Case(
        "practices-negative-list-size",
        f"{PUBLIC}/harrow-practices/harrow_practices_2021-01_with_pcn.csv",
        d.set_cell(1, "registered_patients_2021_01_01", "-8558"),
        "range",
        row=1,
        column="registered_patients_2021_01_01",
    ),
    Case(
        "imd-file-1-truncated-gzip",
        f"{PUBLIC}/imd2019/File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv.gz",
        d.first_half,
        "readable gzip",
    ),
    Case(
        "extract-column-renamed",
        f"{EXTRACT}/comparators.parquet",
        d.rewrite_table(
            lambda t: t.rename_columns(
                ["Renamed Area Code" if c == "Area Code" else c for c in t.column_names]
            )
        ),
        "extract schema",
        column="Area Code",
    ),
    Case(
        "extract-number-as-text",
        f"{EXTRACT}/comparators.parquet",
        d.rewrite_table(
            lambda t: t.set_column(
                t.column_names.index("Value"), "Value", t["Value"].cast(pa.string())
            )
        ),
        "extract schema",
        column="Value",
    ),
    # not damage: another borough's review before the eight-borough extract exists, which
    # the build generates (and cuts) after its checks; both commands must accept it
    Case(
        "area-before-its-extract-exists",
        "parameters/defaults.yaml",
        lambda p, n: None,
        None,
        area="E09000005",
    ),
    Case("template-empty", "book/index.ipynb", d.emptied, "notebook format"),
    Case(
        "template-cells-not-a-list",
        "book/index.ipynb",
        lambda p, n: d.replace(
            p, n, '{"cells": 5, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'
        ),
        "notebook format",
    ),
    Case(
        "template-unknown-parameter",
        "book/objective-3-care-pathways.ipynb",
        d.substitute(
            'area_name = \\"Harrow\\"', 'area_name = \\"Harrow\\"\\n",\n    "colour = \\"red\\"'
        ),
        "known parameter",
        column="colour",
    ),
]

INDEX = "data/published/sources.yaml"
PUBLISHED = [
    Case(
        "published-index-malformed-yaml",
        INDEX,
        lambda p, n: d.replace(p, n, "files: [\n"),
        "valid YAML",
    ),
    Case(
        "published-index-unknown-layout",
        INDEX,
        d.substitute("layout: imd", "layout: spreadsheet"),
        "published source",
        row=4,
        column="layout",
    ),
    Case(
        "published-index-missing-file",
        INDEX,
        d.substitute("path: ../reference/public/imd2019/harrow", "path: ../nowhere/harrow"),
        "published source",
        row=4,
        column="path",
    ),
    Case(
        "published-index-file-breaks-its-reader",
        INDEX,
        d.substitute("layout: imd", "layout: registrations"),
        "GP registered patients CSV header",
        names="data/reference/public/imd2019/harrow_E09000015_iod2019_lsoa11.csv",
    ),
    Case(
        "published-dropped-file-not-fingertips",
        "data/published/notes.csv",
        lambda p, n: d.replace(p, n, "a,b\n1,2\n"),
        "published layout",
    ),
]
"""The published-statistics folder: its index and a file dropped in."""

CASES = [
    *(case for spec in CSV_FILES for case in csv_cases(spec)),
    *(case for name in ["defaults", *PERIODS] for case in parameter_cases(name)),
    *extract_cases(),
    *seed_cases(),
    *document_cases(),
    *SPECIFIC,
    *EXTRACT_PARAMETER,
    *PUBLISHED,
]


class ReachedExtractStep(BaseException):
    """Raised in place of the build's extract step: the input checks were passed."""


def _tripwire(*args: object, **kwargs: object) -> None:
    raise ReachedExtractStep


@pytest.fixture(scope="module")
def started() -> float:
    d.ensure_shared_extract()
    return time.perf_counter()


def run(command: str, case: Case, out: Path, capsys: pytest.CaptureFixture) -> tuple[int, str]:
    args = [command, *(["--period", case.period] if case.period else [])]
    args += ["--area", case.area] if case.area else []
    if command == "build":
        args += ["--out", str(out)]
    status = cli.main(args)
    return status, capsys.readouterr().err


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_validate_and_build_refuse_alike(
    case: Case,
    started: float,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture,
) -> None:
    project = d.link_project(tmp_path / "project").resolve()
    case.damage(project, case.file)
    monkeypatch.setenv("BBP_ROOT", str(project))
    monkeypatch.setattr(pipeline.extract, "prepare", _tripwire)
    out = tmp_path / "site"
    status, err = run("validate", case, out, capsys)
    assert "Traceback" not in err
    if case.rule is None:
        assert status == 0, err
        with pytest.raises(ReachedExtractStep):
            run("build", case, out, capsys)
        return
    assert status == 2, err
    line = err.strip()
    assert "\n" not in line, err
    assert line.startswith("bbp validate: error: "), line
    reason = line.removeprefix("bbp validate: error: ")
    named = case.names or case.file
    assert reason.startswith(named if named.startswith("command line") else str(project / named))
    assert f": {case.rule}: " in reason, reason
    if case.row is not None:
        assert f"row {case.row}," in reason or f"row {case.row}:" in reason, reason
    if case.column is not None:
        assert f"column '{case.column}'" in reason, reason
    if case.text is not None:
        assert case.text in reason, reason
    status, err = run("build", case, out, capsys)
    assert status == 2, err
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1] == f"bbp build: error: {reason}"
    assert not out.exists()
    assert not (tmp_path / ".site.staging").exists()


def test_every_input_file_has_cases() -> None:
    d.ensure_shared_extract()  # its tables are input files too
    inputs = {
        str(p.relative_to(d.ROOT))
        for folder in (REF, DELIVERY, "parameters", EXTRACT)
        for p in (d.ROOT / folder).rglob("*")
        if p.is_file()
    }
    covered = {case.file for case in CASES}
    assert sorted(inputs - covered) == []
    print(f"bad-input corpus: {len(CASES)} cases over {len(inputs)} input files")
    assert len(CASES) >= 200


SUBPROCESS_CASES = [
    c
    for c in CASES
    if c.name
    in {
        "workstreams-empty",
        "persons-parquet-truncated",
        f"{PERIODS[-1]}-malformed-yaml",
    }
]


@pytest.mark.slow  # starts the bbp command in a new process (about 10 s each)
@pytest.mark.parametrize("case", SUBPROCESS_CASES, ids=[c.name for c in SUBPROCESS_CASES])
def test_no_traceback_reaches_a_terminal(case: Case, tmp_path: Path) -> None:
    d.ensure_shared_extract()
    project = d.link_project(tmp_path / "project").resolve()
    case.damage(project, case.file)
    command = "build" if case.name.startswith("persons") else "validate"
    result = run_bbp(
        command, *(["--out", str(tmp_path / "site")] if command == "build" else []), root=project
    )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(f"bbp {command}: error: {project / case.file}: {case.rule}: "), last
    assert os.listdir(tmp_path) == ["project"]
