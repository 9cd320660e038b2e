"""Published figures transcribed from the seed documents, with their citations.

Each table ``data/reference/<name>.csv`` holds one figure per row, transcribed from a seed
document in ``data/reference/seeds/``. Every row names its seed (``source_file``) and a verbatim
excerpt of it (``source_quote``) that contains the row's numbers. Quotes are matched after
collapsing every run of whitespace to one space, because the seeds are text extracted from PDFs.

:func:`load_reference` reads a table with codes kept as strings and checks it against its
:class:`~bbp_analysis.validation.Schema` in :data:`TABLES`, including that each number appears in
its quote; :func:`verify_quotes` checks that each quote appears in its seed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from pathlib import Path

import pandas as pd

from .errors import InputError
from .paths import reference_dir
from .readers._io import read_csv_verbatim
from .validation import Column, Schema, reject_first, validate_frame

SEED_FILE_PATTERN = r"\d{3}_[0-9a-f]{16}\.txt"
TEXT_UNIT = "text"
FIGURES = frozenset({"baseline", "comparator", "target", "pcn_value", "group_value", "other"})
JSNA_THEMES = frozenset({"Start Well", "Live Well", "Work Well", "Age Well"})
PLAN_AREA = "Harrow"
"""The borough whose partnership plan the review reports against: the plan's baselines, targets
and figures are this borough's, whichever area a build covers."""
PLAN_TITLE = "Harrow Borough Partnership Plan and 2022/23 Delivery Framework"
"""The plan's title (seed 004), cited as the source of every target."""
PLAN_SHORT = "Harrow Borough Partnership Plan"
JSNA_AREAS = frozenset({PLAN_AREA, "London", "England"})
PCN_LABELS_IN_PLAN = frozenset(
    {
        "Harrow Collab. Network",
        "Harrow East PCN",
        "Health Alliance PCN",
        "Healthsense",
        "Sphere PCN",
    }
)
CANONICAL_PCNS = frozenset(
    {
        "Harrow Collaborative PCN",
        "Harrow East PCN",
        "Health Alliance PCN",
        "Healthsense PCN",
        "Sphere PCN",
    }
)

_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")

Check = Callable[[pd.DataFrame, str], None]


def collapse_whitespace(text: str) -> str:
    """``text`` with every run of whitespace (Unicode, including line breaks) made one space."""
    return " ".join(text.split())


def numbers_in(text: str) -> list[float]:
    """Every number written in ``text``, thousands separators removed ("1,382" gives 1382.0)."""
    return [float(token.rstrip(",").replace(",", "")) for token in _NUMBER.findall(text)]


def _citation() -> tuple[Column, ...]:
    return (
        Column(
            "source_file",
            pattern=SEED_FILE_PATTERN,
            description="seed file name in data/reference/seeds/",
        ),
        Column("source_quote", description="verbatim excerpt of the seed containing the figure"),
    )


def _numbers_quoted(columns: Iterable[str]) -> Check:
    """Check that each present number in ``columns`` is written in the row's ``source_quote``."""
    names = tuple(columns)

    def check(frame: pd.DataFrame, file: str) -> None:
        for position, quote in enumerate(frame["source_quote"]):
            quoted = numbers_in(quote)
            for name in names:
                value = frame[name].iloc[position]
                if pd.isna(value):
                    continue
                if not any(math.isclose(float(value), q, rel_tol=1e-9) for q in quoted):
                    raise InputError(
                        f"{value} is not written in source_quote {quote!r}",
                        file=file,
                        row=position + 1,
                        column=name,
                        rule="number in quote",
                    )

    return check


def _strings_quoted(columns: Iterable[str]) -> Check:
    """Check that each value in ``columns`` appears verbatim in the row's ``source_quote``."""
    names = tuple(columns)

    def check(frame: pd.DataFrame, file: str) -> None:
        for name in names:
            missing = [
                value not in quote
                for value, quote in zip(frame[name], frame["source_quote"], strict=True)
            ]
            reject_first(
                pd.Series(missing),
                lambda i, name=name: f"{frame[name].iloc[i]!r} is not in source_quote",
                file=file,
                column=name,
                rule="text in quote",
            )

    return check


def _value_or_text(value_column: str) -> Check:
    """Check that a row has a number, or else has unit ``text`` (and never both)."""

    def check(frame: pd.DataFrame, file: str) -> None:
        is_text = frame["unit"] == TEXT_UNIT
        reject_first(
            frame[value_column].isna() & ~is_text,
            lambda _: f"no {value_column}; a row without a number must have unit {TEXT_UNIT!r}",
            file=file,
            column=value_column,
            rule="value or text",
        )
        reject_first(
            frame[value_column].notna() & is_text,
            lambda _: f"unit is {TEXT_UNIT!r} but {value_column} is given",
            file=file,
            column="unit",
            rule="value or text",
        )

    return check


def _one_title_per_measure(frame: pd.DataFrame, file: str) -> None:
    """Each measure_id has a single short title, and all five measures are present."""
    first = frame.groupby("measure_id")["measure"].transform("first")
    reject_first(
        frame["measure"] != first,
        lambda i: f"measure {frame['measure_id'].iloc[i]} already has the title {first.iloc[i]!r}",
        file=file,
        column="measure",
        rule="one title per measure",
    )
    missing = sorted(set(range(1, 6)) - set(frame["measure_id"].astype(int)))
    if missing:
        raise InputError(
            f"no rows for measure(s) {missing}",
            file=file,
            column="measure_id",
            rule="all five measures",
        )


def _achievers_within_patients(frame: pd.DataFrame, file: str) -> None:
    """A practice cannot have more patients achieving the 9 processes than patients."""
    reject_first(
        frame["patients_all_9"] > frame["patients_with_diabetes"],
        lambda _: "patients_all_9 exceeds patients_with_diabetes",
        file=file,
        column="patients_all_9",
        rule="achievers within patients",
    )


PARTNERSHIP_MEASURES = Schema(
    name="partnership_measures",
    columns=(
        Column("measure_id", "int", minimum=1, maximum=5, description="partnership measure 1-5"),
        Column("measure", description="short title of the measure"),
        Column("figure", allowed=FIGURES, description="what the number is"),
        Column("area", description="the plan's borough, NWL, London, England, a PCN or a group"),
        Column("value", "float", nullable=True, description="the number; empty if text only"),
        Column("unit", description="unit as the plan gives it; 'text' when there is no number"),
        Column("period", nullable=True, description="period as the plan gives it"),
        Column("text", description="the figure in words, e.g. the target sentence"),
        Column("note", nullable=True, description="ambiguities and what the plan leaves unsaid"),
        *_citation(),
    ),
    unique_key=("measure_id", "figure", "area", "unit", "value", "text"),
    min_rows=5,
    allow_extra_columns=False,
    checks=(_value_or_text("value"), _numbers_quoted(["value"]), _one_title_per_measure),
)

PERFORMANCE = Schema(
    name="performance",
    columns=(
        Column("topic", description="heading in section 2.3 or Appendix C"),
        Column("statement", description="what the figure describes"),
        Column("area", description="the plan's borough, NWL, London, England or a group"),
        Column("value", "float", nullable=True, description="the number; empty if text only"),
        Column("unit", description="unit as the plan gives it; 'text' when there is no number"),
        Column("period", nullable=True, description="period as the plan gives it"),
        Column("note", nullable=True, description="ambiguities and what the plan leaves unsaid"),
        *_citation(),
    ),
    unique_key=("topic", "statement", "area"),
    allow_extra_columns=False,
    checks=(_value_or_text("value"), _numbers_quoted(["value"])),
)

JSNA_HEADLINES = Schema(
    name="jsna_headlines",
    columns=(
        Column("theme", allowed=JSNA_THEMES, description="JSNA column the finding sits in"),
        Column("finding", description="short plain-text finding"),
        Column("area", allowed=JSNA_AREAS, description="the plan's borough, London or England"),
        Column("value", "float", nullable=True, description="the number; empty if text only"),
        Column("unit", description="unit as the plan gives it; 'text' when there is no number"),
        Column("period", nullable=True, description="period as the plan gives it"),
        Column("comparator_text", nullable=True, description="the comparison as printed"),
        Column("note", nullable=True, description="ambiguities and what the plan leaves unsaid"),
        *_citation(),
    ),
    unique_key=("theme", "finding", "area", "period"),
    allow_extra_columns=False,
    checks=(_value_or_text("value"), _numbers_quoted(["value"])),
)

CORE20PLUS5 = Schema(
    name="core20plus5",
    columns=(
        Column("area_no", "int", minimum=1, maximum=5, description="clinical area 1-5"),
        Column("clinical_area", description="clinical area as the plan names it"),
        Column("ambition_text", description="the ambition as the plan words it"),
        Column("target_value", "float", nullable=True, description="numeric ambition, if any"),
        Column("unit", description="unit of target_value; 'text' when there is no number"),
        Column("target_year", "int", nullable=True, description="year the ambition is due"),
        Column("note", nullable=True, description="where the plan is silent"),
        *_citation(),
    ),
    unique_key=("area_no",),
    min_rows=5,
    allow_extra_columns=False,
    checks=(_value_or_text("target_value"), _numbers_quoted(["target_value", "target_year"])),
)

DIABETES_9CP_PRACTICES = Schema(
    name="diabetes_9cp_practices",
    columns=(
        Column("pcn_name", allowed=PCN_LABELS_IN_PLAN, description="PCN label as printed"),
        Column("practice_code", pattern=r"[A-Z]\d{5}", description="ODS practice code"),
        Column("practice_name", description="practice name as printed"),
        Column("patients_with_diabetes", "int", minimum=1, description="patients with diabetes"),
        Column(
            "patients_all_9",
            "int",
            minimum=0,
            description="patients with diabetes who received all 9 key care processes",
        ),
        *_citation(),
    ),
    unique_key=("practice_code",),
    allow_extra_columns=False,
    checks=(
        _numbers_quoted(["patients_with_diabetes", "patients_all_9"]),
        _strings_quoted(["pcn_name", "practice_code", "practice_name"]),
        _achievers_within_patients,
    ),
)

PCN_NAMES = Schema(
    name="pcn_names",
    columns=(
        Column("pcn_label_in_plan", allowed=PCN_LABELS_IN_PLAN, description="label as printed"),
        Column(
            "pcn_name",
            allowed=CANONICAL_PCNS,
            description="canonical name, as in public/harrow-practices",
        ),
        *_citation(),
    ),
    unique_key=("pcn_label_in_plan",),
    min_rows=len(PCN_LABELS_IN_PLAN),
    allow_extra_columns=False,
    checks=(_strings_quoted(["pcn_label_in_plan"]),),
)

TABLES: dict[str, Schema] = {
    schema.name: schema
    for schema in (
        PARTNERSHIP_MEASURES,
        PERFORMANCE,
        JSNA_HEADLINES,
        CORE20PLUS5,
        DIABETES_9CP_PRACTICES,
        PCN_NAMES,
    )
}


def table_path(name: str, root: Path | None = None) -> Path:
    """Location of reference table ``name``: ``data/reference/<name>.csv`` under ``root``."""
    if name not in TABLES:
        raise InputError(
            f"unknown reference table (known: {', '.join(sorted(TABLES))})",
            file=f"{name}.csv",
            rule="known table",
        )
    return reference_dir(root) / f"{name}.csv"


def seed_path(file_name: str, root: Path | None = None) -> Path:
    """Location of seed document ``file_name`` in ``data/reference/seeds/``; it must exist."""
    if not re.fullmatch(SEED_FILE_PATTERN, file_name):
        raise InputError(
            f"{file_name!r} does not match {SEED_FILE_PATTERN}",
            file=file_name,
            rule="seed file name",
        )
    path = reference_dir(root) / "seeds" / file_name
    if not path.is_file():
        raise InputError("seed document not found", file=path, rule="seed exists")
    return path


def seed_files(root: Path | None = None) -> list[Path]:
    """The seed documents in ``data/reference/seeds/`` (``NNN_<16 hex>.txt``), by number."""
    folder = reference_dir(root) / "seeds"
    return sorted(p for p in folder.glob("*.txt") if re.fullmatch(SEED_FILE_PATTERN, p.name))


def read_seed(path: Path) -> str:
    """A seed document's text; InputError naming the line of a byte that is not UTF-8, or
    an empty file."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise InputError(
            f"byte 0x{data[error.start]:02x} on line {line} is not UTF-8; "
            "restore the seed from its source",
            file=path,
            row=line,
            rule="encoding UTF-8",
        ) from error
    if not text.strip():
        raise InputError("seed document is empty", file=path, rule="not empty")
    return text


def load_reference(name: str, root: Path | None = None) -> pd.DataFrame:
    """Read and validate reference table ``name``; codes and names stay strings.

    Empty cells are missing values; nothing else (not "NA", not "None") is. Raises
    :class:`InputError` naming the file, row, column and rule on the first problem.
    """
    path = table_path(name, root)
    if not path.is_file():
        raise InputError("reference table not found", file=path, rule="file exists")
    return validate_frame(read_csv_verbatim(path), TABLES[name], file=path)


def verify_quotes(name: str, root: Path | None = None) -> None:
    """Check each row's ``source_quote`` appears in its ``source_file``, whitespace collapsed.

    Raises :class:`InputError` naming the table file, the first failing row and the column.
    """
    frame = load_reference(name, root)
    path = table_path(name, root)
    seeds: dict[str, str] = {}
    for position, (file_name, quote) in enumerate(
        zip(frame["source_file"], frame["source_quote"], strict=True), start=1
    ):
        if file_name not in seeds:
            try:
                seed = seed_path(file_name, root)
            except InputError as error:
                raise InputError(
                    f"{file_name}: {error.detail}",
                    file=path,
                    row=position,
                    column="source_file",
                    rule=error.rule,
                ) from error
            seeds[file_name] = collapse_whitespace(read_seed(seed))
        if collapse_whitespace(quote) not in seeds[file_name]:
            raise InputError(
                f"not found in {file_name}: {quote!r}",
                file=path,
                row=position,
                column="source_quote",
                rule="quote in seed",
            )
