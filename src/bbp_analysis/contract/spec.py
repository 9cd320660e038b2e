"""Load the extract contract (``contract.yaml`` and the Table Schemas beside it)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from .. import yaml_text
from ..validation import Column, Schema

CONTRACT_DIR = Path(__file__).resolve().parent
INDEX = "contract.yaml"
#: Table Schema field type -> the declared type of :class:`bbp_analysis.validation.Column`.
DTYPES = {"string": "str", "integer": "int", "number": "float", "boolean": "bool", "date": "date"}


@dataclass(frozen=True)
class Contract:
    """The contract's index and its tables' Table Schemas (name -> schema dict, in order)."""

    version: str
    title: str
    tables: dict[str, dict[str, Any]]
    code_lists: dict[str, dict[str, Any]]
    coverage: dict[str, Any]
    read_elsewhere: dict[str, str]
    unread_columns: dict[str, str]
    determines: tuple[dict[str, Any], ...] = ()

    def fields(self, table: str) -> list[dict[str, Any]]:
        """The Table Schema fields of ``table``, in column order."""
        return self.tables[table]["fields"]

    def columns(self) -> set[tuple[str, str]]:
        """Every (table, column) the contract lists."""
        return {(t, f["name"]) for t in self.tables for f in self.fields(t)}

    def schema_path(self, table: str) -> Path:
        """The Table Schema file of ``table``."""
        return CONTRACT_DIR / f"{table}.schema.json"

    @staticmethod
    def determines_text(rule: dict[str, Any]) -> str:
        """A ``determines`` rule in words: "one pcn_name and one borough_code per
        practice_code"."""
        return f"one {' and one '.join(rule['columns'])} per {rule['key']}"

    def coverage_of(self, measure: str) -> dict[str, Any]:
        """Coverage a measure file needs: ``years`` (financial years ending with the reporting
        year), ``days_before`` the first, ``days_after`` the last, and a ``note``."""
        rule = {"days_before": 0, "days_after": 0, **self.coverage["default"]}
        return {**rule, **self.coverage["measures"].get(measure, {})}


@cache
def load() -> Contract:
    """The contract held in this package (read once per process)."""
    index = yaml_text.load((CONTRACT_DIR / INDEX).read_text(encoding="utf-8"))
    tables = {
        name: json.loads((CONTRACT_DIR / f"{name}.schema.json").read_text(encoding="utf-8"))
        for name in index["tables"]
    }
    return Contract(
        version=str(index["version"]),
        title=index["title"],
        tables=tables,
        code_lists=index["code_lists"],
        coverage=index["coverage"],
        read_elsewhere=index.get("read_elsewhere", {}),
        unread_columns=index.get("unread_columns", {}),
        determines=tuple(index.get("determines", ())),
    )


def _column(field: dict[str, Any]) -> Column:
    rules = field.get("constraints", {})
    enum = rules.get("enum")
    return Column(
        field["name"],
        DTYPES[field["type"]],
        nullable=not rules.get("required", False),
        allowed=frozenset(enum) if enum is not None else None,
        minimum=rules.get("minimum"),
        maximum=rules.get("maximum"),
        pattern=rules.get("pattern"),
        description=field.get("description", ""),
    )


def validation_schemas() -> dict[str, Schema]:
    """The contract's tables as :class:`~bbp_analysis.validation.Schema` (column order, types,
    code lists, ranges, patterns, primary key), for checks on in-memory frames."""
    return {
        name: Schema(
            name,
            tuple(_column(f) for f in table["fields"]),
            unique_key=tuple(table.get("primaryKey", ())),
        )
        for name, table in load().tables.items()
    }
