"""Run parameters: shared defaults plus one YAML file per reporting period.

``parameters/defaults.yaml`` holds what every period shares; ``parameters/<period>.yaml``
(a financial year written ``2022-23``) holds the period's own values and may override a
default. Every name is checked against :data:`SPEC` (papermill itself only warns on unknown
names) and every value against its rule; codes stay strings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from . import periods, plus_groups
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
    "board_meeting": Spec((str,), False, "The meeting the board paper goes to."),
    "board_meeting_date": Spec(
        (str, type(None)), False, "Date of that meeting, YYYY-MM-DD, after the period.", False
    ),
    "board_sponsor_role": Spec((str,), False, "Role of the board paper's sponsor."),
    "board_author_role": Spec((str,), False, "Role of the board paper's author."),
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
        data = yaml.safe_load(text)
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


def _check_value(name: str, value: Any, path: Path) -> Any:
    spec = SPEC[name]
    if spec.types == (float,) and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
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


def _check_rules(params: dict[str, Any], path: Path) -> None:
    def fail(name: str, detail: str, rule: str) -> None:
        raise InputError(detail, file=path, column=name, rule=rule)

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


def load_parameters(period: str | None = None, root: Path | None = None) -> dict[str, Any]:
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
            merged[name] = _check_value(name, value, path)
            origin[name] = path
    for name, spec in SPEC.items():
        if spec.required and spec.notebook and name not in merged:
            raise InputError(
                "required parameter missing",
                file=period_path,
                column=name,
                rule="required parameter",
            )
    merged.setdefault("pcn", None)
    if merged["period"] != period:
        raise InputError(
            f"says period {merged['period']!r} but the file is for {period!r}",
            file=origin["period"],
            column="period",
            rule="period matches file name",
        )
    _check_rules(merged, period_path)
    plus_groups.check(merged["plus_groups"], origin["plus_groups"])
    return merged


def notebook_parameters(params: dict[str, Any]) -> dict[str, Any]:
    """The subset of ``params`` injected into notebooks."""
    return {name: value for name, value in params.items() if SPEC[name].notebook}
