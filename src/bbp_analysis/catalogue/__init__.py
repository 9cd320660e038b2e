"""The indicator catalogue: one entry per indicator, read from ``indicators/*.yaml``.

The catalogue drives computation (method, multiplier, polarity), the methods pages, the
downloads and the target status. ``partnership.yaml`` holds the mission and objectives.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import yaml

from ..errors import InputError

METHODS = ("wilson", "byar", "dobson", "isr", "chiang", "none")
POLARITIES = ("high_is_good", "low_is_good", "no_judgement")
REQUIRED = (
    "id",
    "title",
    "objective",
    "definition",
    "numerator",
    "denominator",
    "unit",
    "multiplier",
    "method",
    "polarity",
    "source",
)


@dataclass(frozen=True)
class Indicator:
    """One catalogue entry. ``multiplier`` scales the value (100 for %, 1,000 per 1,000).

    ``codes`` (optional) maps each condition to the ICD-10 codes that define it, in the HES
    four-character form matched on the start of the primary diagnosis (three characters
    cover every code beneath them; ``X`` fills a code with no fourth character);
    ``code_notes`` gives their source and any choice made. ``published`` (optional) maps the
    indicator to its published source (:data:`PUBLISHED_FIELDS`; used by
    :func:`bbp_analysis.published.resolve`)."""

    id: str
    title: str
    objective: int
    definition: str
    numerator: str
    denominator: str
    unit: str
    multiplier: float
    method: str
    polarity: str
    source: str
    partnership_measure: int | None = None
    frequency: str = ""
    breakdowns: tuple[str, ...] = ()
    baseline: dict[str, Any] = field(default_factory=dict)
    target: dict[str, Any] = field(default_factory=dict)
    plan_reference: str | None = None
    codes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    code_notes: str = ""
    published: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Objective:
    id: int
    short_title: str
    title: str
    chapter: str


@dataclass(frozen=True)
class Partnership:
    name: str
    mission: str
    objectives: tuple[Objective, ...]
    source_file: str


def _read_yaml(path: Path | Traversable, file: str) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise InputError(str(exc).splitlines()[0], file=file, rule="valid YAML") from exc


def _indicator(entry: dict[str, Any], row: int, seen: set[str], file: str) -> Indicator:
    for key in REQUIRED:
        if entry.get(key) in (None, ""):
            raise InputError(
                "field is missing", file=file, row=row, column=key, rule="catalogue entry"
            )
    if entry["id"] in seen:
        raise InputError(
            f"duplicate indicator id {entry['id']!r}",
            file=file,
            row=row,
            column="id",
            rule="unique id",
        )
    if entry["method"] not in METHODS:
        raise InputError(
            f"{entry['method']!r} is not one of {', '.join(METHODS)}",
            file=file,
            row=row,
            column="method",
            rule="code list",
        )
    if entry["polarity"] not in POLARITIES:
        raise InputError(
            f"{entry['polarity']!r} is not one of {', '.join(POLARITIES)}",
            file=file,
            row=row,
            column="polarity",
            rule="code list",
        )
    if entry["objective"] not in (1, 2, 3):
        raise InputError(
            f"{entry['objective']!r} is not 1, 2 or 3",
            file=file,
            row=row,
            column="objective",
            rule="code list",
        )
    known = set(Indicator.__dataclass_fields__)
    unknown = sorted(set(entry) - known)
    if unknown:
        raise InputError(
            "unknown field", file=file, row=row, column=unknown[0], rule="catalogue entry"
        )
    values = dict(entry)
    values["breakdowns"] = tuple(values.get("breakdowns") or ())
    values["baseline"] = dict(values.get("baseline") or {})
    values["target"] = dict(values.get("target") or {})
    codes = values.get("codes") or {}
    if not isinstance(codes, dict) or not all(
        isinstance(v, list) and v and all(isinstance(c, str) and 3 <= len(c) <= 4 for c in v)
        for v in codes.values()
    ):
        raise InputError(
            "codes must map each condition to a list of 3- or 4-character ICD-10 codes",
            file=file,
            row=row,
            column="codes",
            rule="catalogue entry",
        )
    values["codes"] = {str(k): tuple(v) for k, v in codes.items()}
    values["published"] = _published(values.get("published"), row, file)
    return Indicator(**values)


PUBLISHED_FIELDS = {
    "fingertips": "OHID Fingertips indicator id (a whole number)",
    "sex": "Fingertips Sex of the rows used (Persons, Male, Female)",
    "age": "Fingertips Age of the rows used, as exported (e.g. '5 yrs')",
    "area_type": "Fingertips Area Type of the borough's row (optional)",
    "benchmarks": "benchmark name -> area code (ICB, region, England), e.g. {NWL: E54000027}",
    "extract": "Indicator ID of the same measure in the extract's comparator table",
    "plan": "{measure, unit}: the plan's figures in partnership_measures.csv",
}
"""Fields of a catalogue entry's ``published:`` block and what each holds."""


def _published(block: Any, row: int, file: str) -> dict[str, Any]:
    def fail(detail: str) -> InputError:
        return InputError(detail, file=file, row=row, column="published", rule="catalogue entry")

    if block is None:
        return {}
    if not isinstance(block, dict):
        raise fail("published must be a mapping of field: value")
    unknown = sorted(set(block) - set(PUBLISHED_FIELDS))
    if unknown:
        raise fail(f"unknown published field {unknown[0]!r} (known: {', '.join(PUBLISHED_FIELDS)})")
    ident = block.get("fingertips")
    if ident is not None and (not isinstance(ident, int) or isinstance(ident, bool) or ident < 1):
        raise fail(f"fingertips must be a positive whole number, not {ident!r}")
    benchmarks = block.get("benchmarks") or {}
    if not isinstance(benchmarks, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and len(v) == 9 for k, v in benchmarks.items()
    ):
        raise fail("benchmarks must map each benchmark name to a 9-character area code")
    plan = block.get("plan")
    if plan is not None and (not isinstance(plan, dict) or set(plan) != {"measure", "unit"}):
        raise fail("plan must give the plan's measure number and unit: {measure: N, unit: U}")
    return dict(block)


def read_indicators(folder: Path | Traversable) -> tuple[Indicator, ...]:
    """Every entry of the ``*.yaml`` files in ``folder``, file by file in name order.

    Raises InputError naming the file, the entry (row, counted from 1 within its file), the
    field and the rule for malformed YAML, a missing or unknown field, a value outside its
    code list or a duplicated id.
    """
    seen: set[str] = set()
    out = []
    for path in sorted(
        (p for p in folder.iterdir() if p.name.endswith(".yaml")), key=lambda p: p.name
    ):
        file = f"catalogue/indicators/{path.name}"
        data = _read_yaml(path, file)
        if not isinstance(data, dict) or not isinstance(data.get("indicators"), list):
            raise InputError(
                "top level must be 'indicators:' with a list of entries",
                file=file,
                rule="catalogue file",
            )
        for row, entry in enumerate(data["indicators"], start=1):
            item = _indicator(entry, row, seen, file)
            seen.add(item.id)
            out.append(item)
    return tuple(out)


@cache
def indicators() -> tuple[Indicator, ...]:
    """The package's catalogue (``catalogue/indicators/``), validated on first read."""
    return read_indicators(resources.files(__package__).joinpath("indicators"))


def indicator(indicator_id: str) -> Indicator:
    """The catalogue entry with this id (KeyError naming the known ids otherwise)."""
    for item in indicators():
        if item.id == indicator_id:
            return item
    raise KeyError(f"no indicator {indicator_id!r} in the catalogue")


def for_objective(objective: int) -> tuple[Indicator, ...]:
    return tuple(item for item in indicators() if item.objective == objective)


def partnership_measures() -> tuple[Indicator, ...]:
    """Indicators that carry one of the five partnership measures, in measure order."""
    found = [item for item in indicators() if item.partnership_measure is not None]
    return tuple(sorted(found, key=lambda item: item.partnership_measure))


@cache
def partnership() -> Partnership:
    data = _read_yaml(
        resources.files(__package__).joinpath("partnership.yaml"), "catalogue/partnership.yaml"
    )
    objectives = tuple(Objective(**entry) for entry in data["objectives"])
    return Partnership(
        name=data["name"],
        mission=data["mission"],
        objectives=objectives,
        source_file=data["source_file"],
    )
