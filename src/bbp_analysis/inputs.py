"""Every input a build reads, checked before any notebook runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from . import catalogue
from .errors import InputError
from .paths import parameters_dir
from .reference import TABLES, load_reference, verify_quotes


def known_pcns(root: Path | None = None) -> list[str]:
    """Canonical names of the borough's Primary Care Networks."""
    return sorted(set(load_reference("pcn_names", root)["pcn_name"]))


def check_inputs(params: dict[str, Any], root: Path) -> list[str]:
    """Validate the catalogue, every reference table and the PCN named; return what was checked.

    Raises InputError (file, row, column, rule) on the first problem found.
    """
    catalogue.indicators()
    catalogue.partnership()
    checked = ["catalogue"]
    for name in TABLES:
        load_reference(name, root)
        verify_quotes(name, root)
        checked.append(name)
    if params.get("pcn") is not None and params["pcn"] not in known_pcns(root):
        raise InputError(
            f"{params['pcn']!r} is not a PCN of {params['area_name']} "
            f"(known: {', '.join(known_pcns(root))})",
            file=parameters_dir(root),
            column="pcn",
            rule="code list",
        )
    return checked
