"""Run parameters: shared defaults plus one YAML file per reporting period.

``parameters/defaults.yaml`` holds what every period shares; ``parameters/<period>.yaml``
(a financial year written ``2022-23``) holds the period's own values and may override a
default. Every name is checked against :data:`SPEC` (papermill itself only warns on unknown
names) and every value against its rule; codes stay strings. The checked values are one
read-only :class:`RunParameters`; a notebook rebuilds it from papermill's injected values with
one call, :meth:`RunParameters.from_notebook`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

import yaml

from . import periods, plus_groups, yaml_text
from .errors import InputError
from .paths import parameters_dir

AREA_CODE_PATTERN = re.compile(r"E0[6-9]\d{6}")


@dataclass(frozen=True)
class Spec:
    """One parameter: its Python type(s), whether notebooks receive it, and what it means."""

    types: tuple[type, ...]
    notebook: bool
    description: str
    required: bool = True


SPEC: dict[str, Spec] = {
    "period": Spec((str,), True, "Reporting period, a financial year written 2022-23."),
    "period_start": Spec((str,), True, "First day of the period, YYYY-MM-DD."),
    "period_end": Spec((str,), True, "Last day of the period, YYYY-MM-DD."),
    "area_code": Spec((str,), True, "ONS code of the borough (local authority), e.g. E09000015."),
    "area_name": Spec((str,), True, "Name of the borough as shown to readers."),
    "pcn": Spec(
        (str, type(None)),
        True,
        "Build one PCN's view: its name, or null for the borough.",
        required=False,
    ),
    "comparators": Spec((list,), True, "Benchmarks shown beside the borough, e.g. [NWL, London]."),
    "confidence": Spec((float,), True, "Confidence level of intervals, 0.9 to 0.999."),
    "suppression_threshold": Spec(
        (int,), True, "Counts from 1 to this value minus 1 are suppressed."
    ),
    "synthetic_seed": Spec(
        (int,), True, "Seed of the synthetic extract used when no real one is given."
    ),
    "extract": Spec(
        (str, dict, type(None)),
        False,
        "The person-level extract: a folder of Parquet or CSV tables (absolute or relative to "
        "the project), or {folder, provider, extracted: YYYY-MM-DD}; null: the synthetic "
        "extract (rules: bbp_analysis/extract.py, source_from_params).",
        required=False,
    ),
    "plus_groups": Spec(
        (list,),
        True,
        "Core20PLUS5 PLUS groups: id, name, source (seed citation or 'review') and a definition "
        "by code lists or a not_identifiable reason (rules: bbp_analysis/plus_groups.py).",
    ),
    "published_folder": Spec(
        (str,),
        False,
        "Folder of published statistics files and their index sources.yaml, relative to the "
        "project root (bbp_analysis/published.py).",
        required=False,
    ),
    "default_period": Spec((str,), False, "Period built when none is named (defaults only)."),
    "cell_timeout_seconds": Spec(
        (int,), False, "Longest a notebook cell may run before the build stops."
    ),
    "board_meeting": Spec(
        (str,),
        False,
        "The meeting the board paper goes to; {partnership} and {area_name} in it stand for "
        "the edition's partnership and area.",
    ),
    "board_meeting_date": Spec(
        (str, type(None)), False, "Date of that meeting, YYYY-MM-DD, after the period.", False
    ),
    "board_sponsor_role": Spec(
        (str,), False, "Role of the board paper's sponsor; {partnership}, {area_name} as above."
    ),
    "board_author_role": Spec(
        (str,), False, "Role of the board paper's author; {partnership}, {area_name} as above."
    ),
    "board_purpose": Spec(
        (str,),
        False,
        "The board paper's purpose; {partnership}, {area_name} as above, {period} the edition.",
    ),
    "board_recommendation": Spec(
        (str,),
        False,
        "The board paper's recommendation; as above, and {not_met} the number of headline "
        "indicators not met.",
    ),
    "board_decision": Spec(
        (str,), False, "The decisions the board is asked for, one a line; as above."
    ),
    "board_cover_illustrative": Spec(
        (bool,), False, "Whether the meeting, date and roles above are illustrative."
    ),
}


def _read_yaml(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise InputError("file not found", file=path, rule="parameters file exists")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise InputError(
            f"byte 0x{exc.object[exc.start]:02x} on line {line} is not UTF-8; re-save as UTF-8",
            file=path,
            rule="encoding UTF-8",
        ) from exc
    if not text.strip():
        raise InputError("file is empty", file=path, rule="parameters file not empty")
    try:
        data = yaml_text.load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(
            f"malformed YAML: {problem} (line {row})" if row else f"malformed YAML: {problem}",
            file=path,
            rule="valid YAML",
        ) from exc
    if not isinstance(data, dict):
        raise InputError(
            "top level must be a mapping of name: value", file=path, rule="valid parameters file"
        )
    return data


def _check_value(name: str, value: Any, path: Path | str) -> Any:
    spec = SPEC[name]
    if spec.types == (float,) and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if list in spec.types and isinstance(value, tuple):
        value = list(value)
    if (isinstance(value, bool) and bool not in spec.types) or not isinstance(value, spec.types):
        wanted = " or ".join("null" if t is type(None) else t.__name__ for t in spec.types)
        raise InputError(
            f"{value!r} is a {type(value).__name__}, expected {wanted}"
            + (" (quote codes and periods so they stay text)" if str in spec.types else ""),
            file=path,
            column=name,
            rule="parameter type",
        )
    return value


def _is_date_after(text: str, end: str) -> bool:
    try:
        return date.fromisoformat(text) > date.fromisoformat(end)
    except ValueError:
        return False


def _check_rules(params: Mapping[str, Any], origin: Mapping[str, Path | str]) -> None:
    def fail(name: str, detail: str, rule: str) -> NoReturn:
        raise InputError(detail, file=origin[name], column=name, rule=rule)

    if not periods.is_period(params["period"]):
        fail(
            "period", f"{params['period']!r} is not a financial year like 2022-23", "period format"
        )
    for name, expected in (
        ("period_start", periods.first_day(params["period"])),
        ("period_end", periods.last_day(params["period"])),
    ):
        try:
            given = date.fromisoformat(params[name])
        except ValueError:
            fail(name, f"{params[name]!r} is not a date YYYY-MM-DD", "date format")
        if given != expected:
            fail(
                name,
                f"{params[name]} does not match period {params['period']} "
                f"(expected {expected.isoformat()})",
                "period dates",
            )
    if not AREA_CODE_PATTERN.fullmatch(params["area_code"]):
        fail(
            "area_code",
            f"{params['area_code']!r} is not a local authority code like E09000015",
            "area code format",
        )
    if not 0.9 <= params["confidence"] < 1:
        fail("confidence", f"{params['confidence']} is outside 0.9 to 0.999", "range")
    if params["suppression_threshold"] < 1:
        fail("suppression_threshold", f"{params['suppression_threshold']} is below 1", "range")
    if not all(isinstance(c, str) and c for c in params["comparators"]):
        fail("comparators", "every comparator must be a non-empty name", "parameter type")
    meeting = params.get("board_meeting_date")
    if meeting is not None and not _is_date_after(meeting, params["period_end"]):
        fail("board_meeting_date", f"{meeting!r} is not a date YYYY-MM-DD after the period", "date")


class _FrozenDict(dict):
    """A mapping inside the run parameters (a PLUS group): a ``dict`` for JSON and pickling,
    refusing every change."""

    def _refuse(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError("run parameters are read-only")

    __setitem__ = __delitem__ = __ior__ = clear = pop = popitem = setdefault = update = _refuse

    def __reduce__(self) -> tuple[type, tuple[dict[str, Any]]]:
        return (_FrozenDict, (dict(self),))


def _freeze(value: Any) -> Any:
    """``value`` with every list made a tuple and every mapping a read-only dict."""
    if isinstance(value, list | tuple):
        return tuple(_freeze(v) for v in value)
    if isinstance(value, dict):
        return _FrozenDict({k: _freeze(v) for k, v in value.items()})
    return value


def _thaw(value: Any) -> Any:
    """The plain lists and dicts of a frozen ``value`` (for papermill and YAML tools)."""
    if isinstance(value, tuple):
        return [_thaw(v) for v in value]
    if isinstance(value, dict):
        return {k: _thaw(v) for k, v in value.items()}
    return value


class RunParameters(Mapping[str, Any]):
    """One edition's checked run parameters, read-only: by name (``params["area_name"]``) or
    as typed attributes (``params.area_name``). Lists are tuples.

    Built once from the parameter files (:func:`load_parameters`) and, in each notebook, from
    papermill's injected values (:meth:`from_notebook`); every name, type and rule is checked
    on construction, and an InputError names the file (``origin`` of the name, else
    ``source``) and the parameter.
    """

    __slots__ = ("_values",)

    def __init__(
        self,
        values: Mapping[str, Any],
        source: Path | str = "run parameters",
        origin: Mapping[str, Path | str] | None = None,
    ) -> None:
        where = {name: (origin or {}).get(name, source) for name in SPEC}
        checked: dict[str, Any] = {}
        for name, value in values.items():
            if name not in SPEC:
                raise InputError(
                    f"unknown parameter {name!r} (known: {', '.join(SPEC)})",
                    file=source,
                    column=str(name),
                    rule="known parameter",
                )
            checked[name] = _check_value(name, value, where[name])
        for name, spec in SPEC.items():
            if spec.required and spec.notebook and name not in checked:
                raise InputError(
                    "required parameter missing",
                    file=source,
                    column=name,
                    rule="required parameter",
                )
        checked.setdefault("pcn", None)
        _check_rules(checked, where)
        plus_groups.check(checked["plus_groups"], where["plus_groups"])
        object.__setattr__(self, "_values", {name: _freeze(v) for name, v in checked.items()})

    @classmethod
    def from_notebook(cls, namespace: Mapping[str, Any]) -> RunParameters:
        """The run parameters of a notebook: the names of :data:`SPEC` in ``namespace`` (pass
        ``globals()`` after the ``parameters`` cell). A notebook run by hand, without
        papermill's values, takes its PLUS groups from the period's parameter files."""
        given = {n: namespace[n] for n, spec in SPEC.items() if spec.notebook and n in namespace}
        if given.get("plus_groups") is None:
            given["plus_groups"] = _thaw(load_parameters(given.get("period"))["plus_groups"])
        return cls(given, source="notebook parameters (injected by papermill)")

    def replace(self, **changes: Any) -> RunParameters:
        """A checked copy with ``changes`` (e.g. ``area_code`` and ``area_name`` of
        ``bbp build --area``)."""
        return RunParameters({**_thaw(self._values), **changes}, source="changed parameters")

    def with_period(self, period: str) -> RunParameters:
        """A checked copy for another ``period`` (a financial year), with its first and last
        day (ValueError for a period that is not a financial year)."""
        return self.replace(
            period=period,
            period_start=periods.first_day(period).isoformat(),
            period_end=periods.last_day(period).isoformat(),
        )

    def as_dict(self) -> dict[str, Any]:
        """The parameters as plain lists and dicts (JSON, papermill)."""
        return _thaw(self._values)

    def __getitem__(self, name: str) -> Any:
        return self._values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __setattr__(self, name: str, value: Any) -> NoReturn:
        raise AttributeError("run parameters are read-only")

    def __repr__(self) -> str:
        return f"RunParameters({self._values!r})"

    def __reduce__(self) -> tuple[type, tuple[dict[str, Any]]]:
        return (RunParameters, (self.as_dict(),))

    @property
    def period(self) -> str:
        """Reporting period, a financial year written 2022-23."""
        return self._values["period"]

    @property
    def period_start(self) -> str:
        """First day of the period, YYYY-MM-DD."""
        return self._values["period_start"]

    @property
    def period_end(self) -> str:
        """Last day of the period, YYYY-MM-DD."""
        return self._values["period_end"]

    @property
    def area_code(self) -> str:
        """ONS code of the borough."""
        return self._values["area_code"]

    @property
    def area_name(self) -> str:
        """Name of the borough as shown to readers."""
        return self._values["area_name"]

    @property
    def pcn(self) -> str | None:
        """The PCN whose view is built, or None for the borough."""
        return self._values["pcn"]

    @property
    def comparators(self) -> tuple[str, ...]:
        """Benchmarks shown beside the borough, e.g. ("NWL", "London", "England")."""
        return self._values["comparators"]

    @property
    def confidence(self) -> float:
        """Confidence level of intervals (0.9 to 0.999)."""
        return self._values["confidence"]

    @property
    def suppression_threshold(self) -> int:
        """Counts from 1 to this value minus 1 are suppressed."""
        return self._values["suppression_threshold"]

    @property
    def synthetic_seed(self) -> int:
        """Seed of the synthetic extract."""
        return self._values["synthetic_seed"]

    @property
    def plus_groups(self) -> tuple[Mapping[str, Any], ...]:
        """Core20PLUS5 PLUS group definitions (rules: :mod:`bbp_analysis.plus_groups`)."""
        return self._values["plus_groups"]

    @property
    def where(self) -> str:
        """The place the run reports on, as readers see it: the PCN when one is named, else
        the borough."""
        return self.pcn or self.area_name


def available_periods(root: Path | None = None) -> list[str]:
    """Periods with a parameters file, oldest first."""
    folder = parameters_dir(root)
    return sorted(p.stem for p in folder.glob("*.yaml") if periods.PATTERN.fullmatch(p.stem))


def latest_period(root: Path | None = None) -> str:
    """The latest period with a parameters file; InputError when there is none."""
    found = available_periods(root)
    if not found:
        raise InputError(
            "no period parameters files", file=parameters_dir(root), rule="period exists"
        )
    return found[-1]


def load_parameters(period: str | None = None, root: Path | None = None) -> RunParameters:
    """Merged, checked parameters for ``period`` (default: ``default_period`` in defaults).

    Raises InputError naming the file and parameter for: a missing or malformed file, an
    unknown name, a wrong type, a period whose file is absent, and values that break a rule.
    """
    folder = parameters_dir(root)
    defaults_path = folder / "defaults.yaml"
    merged: dict[str, Any] = {}
    origin: dict[str, Path] = {}
    defaults = _read_yaml(defaults_path)
    period = period or defaults.get("default_period")
    if not period:
        raise InputError(
            "no period named and no default_period set",
            file=defaults_path,
            column="default_period",
            rule="period given",
        )
    period_path = folder / f"{period}.yaml"
    if not period_path.is_file():
        known = ", ".join(available_periods(root)) or "none"
        raise InputError(
            f"no parameters file for period {period!r} (known periods: {known})",
            file=period_path,
            rule="period exists",
        )
    for path, data in ((defaults_path, defaults), (period_path, _read_yaml(period_path))):
        for name, value in data.items():
            if name not in SPEC:
                raise InputError(
                    f"unknown parameter {name!r} (known: {', '.join(SPEC)})",
                    file=path,
                    column=str(name),
                    rule="known parameter",
                )
            if name == "default_period" and path != defaults_path:
                raise InputError(
                    "default_period belongs in defaults.yaml",
                    file=path,
                    column=name,
                    rule="known parameter",
                )
            merged[name] = value
            origin[name] = path
    if isinstance(merged.get("period"), str) and merged["period"] != period:
        raise InputError(
            f"says period {merged['period']!r} but the file is for {period!r}",
            file=origin["period"],
            column="period",
            rule="period matches file name",
        )
    return RunParameters(merged, source=period_path, origin=origin)


def partnership_name(params: Mapping[str, Any]) -> str:
    """The partnership the edition reports on, e.g. "Brent Borough Based Partnership"."""
    return f"{params['area_name']} Borough Based Partnership"


def names_filled(text: str, params: Mapping[str, Any]) -> str:
    """``text`` (a board cover parameter) with ``{partnership}`` and ``{area_name}`` written
    out for the edition's area; other text, braces included, is kept."""
    return text.replace("{partnership}", partnership_name(params)).replace(
        "{area_name}", params["area_name"]
    )


def review_title(params: Mapping[str, Any]) -> str:
    """The review's title for the edition's area (the book title, written at staging)."""
    return f"{partnership_name(params)} Annual Review"


def notebook_parameters(params: Mapping[str, Any]) -> dict[str, Any]:
    """The subset of ``params`` injected into notebooks, as plain lists and dicts."""
    return {name: _thaw(value) for name, value in params.items() if SPEC[name].notebook}


def plain(run_params: Mapping[str, Any]) -> dict[str, Any]:
    """``run_params`` as plain lists and dicts, for JSON (a :class:`RunParameters` or a
    mapping of plain values)."""
    if isinstance(run_params, RunParameters):
        return run_params.as_dict()
    return dict(run_params)
