"""The indicator catalogue: one entry per indicator, read from ``indicators/*.yaml``.

The catalogue drives computation and publication: each entry names its measure (the SQL file
under ``measures/sql`` and the measure names it emits, or the entries it is computed from),
its statistic (``method`` -> a function of :mod:`bbp_analysis.stats`), breakdowns,
multiplier, polarity, benchmark, target and readings, and the words charts and tables use
(``label``, ``phrase``). It also drives the methods pages and the downloads.
``partnership.yaml`` holds the mission and objectives.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import yaml

from .. import yaml_text
from ..errors import InputError

STATISTICS = {
    "wilson": ("proportion", "Wilson score interval"),
    "byar": ("rate", "Byar interval (exact below 10)"),
    "dobson": ("dsr", "Directly standardised (ESP 2013), Dobson interval"),
    "isr": ("isr", "Indirectly standardised ratio, exact Poisson interval"),
    "chiang": ("life_expectancy", "Chiang II abridged life table, Silcocks interval"),
    "none": (None, "Descriptive, no interval"),
}
"""Catalogue method -> (function of :mod:`bbp_analysis.stats`, the method in words)."""
METHODS = tuple(STATISTICS)
BENCHMARKS = ("borough", "partnership", "nwl", "national", "plan", "none")
"""What an entry is compared with: the borough (PCNs, practices and groups against it), the
partnership (organisations), the NWL average, a national ambition, the plan's printed figure,
or nothing."""
READINGS = ("value", "benchmark", "trend", "target", "funnel", "spc", "inequality", "effect")
"""How an entry is read: its value and interval, against its benchmark, its recent trend,
against its target, on a funnel plot, on an SPC chart, across deprivation or ethnic groups,
or as a programme effect."""
BENCHMARK_TEXT = {
    "borough": "the borough",
    "partnership": "the partnership",
    "nwl": "the NWL average",
    "national": "the national ambition",
    "plan": "the plan's printed figure",
}
READING_TEXT = {
    "benchmark": "compared with {benchmark} (Fingertips rule)",
    "trend": "recent trend (chi-square, 99.8%)",
    "target": "against its target",
    "funnel": "funnel plot (95% and 99.8% limits)",
    "spc": "monthly XmR chart",
    "inequality": "across deprivation fifths or ethnic groups",
    "effect": "interrupted time series",
}
SQL_FOLDER = "measures/sql"
POLARITIES = ("high_is_good", "low_is_good", "no_judgement")
# The required fields that say how an indicator is computed and judged.
METHOD_FIELDS = (
    "definition",
    "numerator",
    "denominator",
    "unit",
    "multiplier",
    "method",
    "polarity",
)
REQUIRED = (
    "id",
    "title",
    "objective",
    *METHOD_FIELDS,
    "source",
    "measure",
    "benchmark",
    "readings",
)


@dataclass(frozen=True)
class Measure:
    """Where an entry's numbers come from: ``parts``, each an SQL file stem under
    ``measures/sql`` with the measure names it emits for this entry (the first name of the
    first part is the headline), or ``of``: the entries it is computed from."""

    parts: tuple[tuple[str, tuple[str, ...]], ...] = ()
    of: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        """Every SQL measure name the entry uses."""
        return tuple(name for _, names in self.parts for name in names)


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
    measure: Measure
    benchmark: str
    readings: tuple[str, ...]
    label: str = ""
    phrase: str = ""
    partnership_measure: int | None = None
    frequency: str = ""
    breakdowns: tuple[str, ...] = ()
    baseline: dict[str, Any] = field(default_factory=dict)
    target: dict[str, Any] = field(default_factory=dict)
    plan_reference: str | None = None
    codes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    code_notes: str = ""
    published: dict[str, Any] = field(default_factory=dict)

    @property
    def statistic(self) -> Callable[..., Any] | None:
        """The :mod:`bbp_analysis.stats` function of the entry's method (None for "none")."""
        from .. import stats

        name = STATISTICS[self.method][0]
        return getattr(stats, name) if name else None

    @property
    def kind(self) -> str:
        """``proportion`` (Wilson) or ``rate`` (every other method): the chapters' interval."""
        return "proportion" if self.method == "wilson" else "rate"

    @property
    def method_text(self) -> str:
        """The method in words, for the chapters' indicator tables."""
        return STATISTICS[self.method][1]

    @property
    def reading_text(self) -> str:
        """The method and how the entry is read, in words: for the chapters' method tables."""
        benchmark = BENCHMARK_TEXT.get(self.benchmark, "")
        readings = [
            READING_TEXT[r].format(benchmark=benchmark)
            for r in self.readings
            if r in READING_TEXT and (r != "benchmark" or benchmark)
        ]
        return "; ".join([self.method_text, *readings])

    @property
    def query(self) -> str:
        """The SQL file the entry is computed from (KeyError for an entry computed from others)."""
        if not self.measure.parts:
            raise KeyError(f"indicator {self.id!r} has no SQL measure of its own")
        return self.measure.parts[0][0]

    @property
    def measure_name(self) -> str:
        """The headline SQL measure name: the first name of the first part of :attr:`query`."""
        return self.measure.parts[0][1][0] if self.measure.parts else self.query

    @property
    def chart_label(self) -> str:
        """Short title for charts and tables (``label``, else ``title``)."""
        return self.label or self.title

    @property
    def words(self) -> str:
        """The indicator in a sentence (``phrase``, else the title in lower case)."""
        return self.phrase or self.title[:1].lower() + self.title[1:]


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
        return yaml_text.load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise InputError(str(exc).splitlines()[0], file=file, rule="valid YAML") from exc


def _error(message: str, file: str, row: int, column: str, rule: str) -> InputError:
    return InputError(message, file=file, row=row, column=column, rule=rule)


def _sql_exists(query: str) -> bool:
    folder = resources.files(__package__.rsplit(".", 1)[0]).joinpath(SQL_FOLDER)
    return not query.startswith("_") and folder.joinpath(f"{query}.sql").is_file()


def _part(value: Any, file: str, row: int) -> tuple[str, tuple[str, ...]]:
    rule = "catalogue measure"
    if not isinstance(value, dict) or set(value) != {"query", "names"}:
        raise _error("a measure part is {query, names}", file, row, "measure", rule)
    query, names = value["query"], value["names"]
    if not isinstance(query, str) or not _sql_exists(query):
        raise _error(f"no SQL file {SQL_FOLDER}/{query}.sql", file, row, "measure.query", rule)
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        raise _error("measure.names must be a list of names", file, row, "measure.names", rule)
    return query, tuple(names)


def _measure(value: Any, file: str, row: int) -> Measure:
    """The entry's ``measure``: ``{query, names}``, a list of them, or ``{of: [ids]}``."""
    if isinstance(value, dict) and "of" in value:
        of = value["of"]
        if set(value) != {"of"} or not isinstance(of, list) or not of:
            raise _error(
                "measure.of must be the only key, a list of ids",
                file,
                row,
                "measure.of",
                "catalogue measure",
            )
        return Measure(of=tuple(str(v) for v in of))
    parts = value if isinstance(value, list) and value else [value]
    return Measure(parts=tuple(_part(part, file, row) for part in parts))


def _code_list(value: Any, allowed: tuple[str, ...], file: str, row: int, column: str) -> None:
    values = value if isinstance(value, list) else [value]
    bad = [v for v in values if v not in allowed]
    if bad or not values:
        raise _error(
            f"{bad[0] if bad else value!r} is not one of {', '.join(allowed)}",
            file,
            row,
            column,
            "code list",
        )


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
    for key, allowed in (("method", METHODS), ("polarity", POLARITIES)):
        if entry[key] not in allowed:
            raise InputError(
                f"{entry[key]!r} is not one of {', '.join(allowed)}",
                file=file,
                row=row,
                column=key,
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
    try:
        _code_list(entry["benchmark"], BENCHMARKS, file, row, "benchmark")
        if not isinstance(entry["readings"], list):
            raise _error("readings must be a list", file, row, "readings", "code list")
        _code_list(entry["readings"], READINGS, file, row, "readings")
        measure = _measure(entry["measure"], file, row)
    except InputError as exc:
        exc.detail = f"entry {entry['id']!r}: {exc.detail}"
        raise InputError(exc.detail, file=file, row=row, column=exc.column, rule=exc.rule) from None
    known = set(Indicator.__dataclass_fields__)
    unknown = sorted(set(entry) - known)
    if unknown:
        raise InputError(
            "unknown field", file=file, row=row, column=unknown[0], rule="catalogue entry"
        )
    values = dict(entry)
    values["measure"] = measure
    values["readings"] = tuple(entry["readings"])
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
    for item in out:
        missing = [i for i in item.measure.of if i not in seen]
        if missing:
            raise InputError(
                f"{item.id}: measure.of names {missing[0]!r}, not in the catalogue",
                file="catalogue/indicators",
                column="measure.of",
                rule="catalogue measure",
            )
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


def for_measure(name: str) -> tuple[Indicator, ...]:
    """The entries that use SQL measure ``name``."""
    return tuple(item for item in indicators() if name in item.measure.names)


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
