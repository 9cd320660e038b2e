"""The PLUS groups of Core20PLUS5, set in the parameters (``plus_groups``), and who is in them.

The plan commits to "Delivery of core 20 plus 5 programme" but names no PLUS groups; each
group is therefore a parameter entry: ``id``, ``name``, ``source`` (a seed citation ``{seed,
line, quote}``, or ``review`` for the review's own choice) and either a ``definition`` (code
lists on the extract's fields; a person is in the group when every listed field holds one of
its codes) or ``not_identifiable`` (why the extract cannot find the group: it is then listed
with that reason, never merged into a broader group). An optional ``note`` states a choice the
source leaves open (e.g. an age range).

Profiles: the measure ``plus_profile`` counts registered people by
``ethnic_category|age_band|imd_decile|flags`` (flags ``+``-joined), from which any group's
members are selected by :func:`members`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import pandas as pd

from .errors import InputError

ETHNIC_CATEGORIES = {
    "A": "White: British",
    "B": "White: Irish",
    "C": "White: any other White background",
    "D": "Mixed: White and Black Caribbean",
    "E": "Mixed: White and Black African",
    "F": "Mixed: White and Asian",
    "G": "Mixed: any other mixed background",
    "H": "Asian or Asian British: Indian",
    "J": "Asian or Asian British: Pakistani",
    "K": "Asian or Asian British: Bangladeshi",
    "L": "Asian or Asian British: any other Asian background",
    "M": "Black or Black British: Caribbean",
    "N": "Black or Black British: African",
    "P": "Black or Black British: any other Black background",
    "R": "Other ethnic groups: Chinese",
    "S": "Other ethnic groups: any other ethnic group",
    "Z": "Not stated",
}
"""NHS ethnic category codes (NHS Data Dictionary, 2001 census categories) as the extract
records them."""
FLAGS = ("carer", "smi", "learning_disability", "care_home_resident")
"""Person flags in the extract: carer recorded, on the SMI register, on the learning
disability register, care-home resident."""
FLAG_NAMES = {
    "carer": "recorded as a carer",
    "smi": "on the severe mental illness register",
    "learning_disability": "on the learning disability register",
    "care_home_resident": "living in a care home",
}
SEED_TITLES = {
    "001": "Development of the Harrow Integrated Care Partnership (Health and Wellbeing Board, "
    "June 2021)",
    "002": "Out of Hospital Recovery Plan stocktake (Health and Wellbeing Board, September 2020)",
    "004": "Harrow Borough Partnership Plan and 2022/23 Delivery Framework",
}
"""Seed documents as readers know them."""
AGE_BANDS = (*(f"{a}-{a + 4}" for a in range(0, 90, 5)), "90+")
FIELDS: dict[str, tuple[str, ...]] = {
    "ethnic_category": tuple(ETHNIC_CATEGORIES),
    "age_band": AGE_BANDS,
    "imd_decile": tuple(str(d) for d in range(1, 11)),
    "flags": FLAGS,
}
"""Definition fields and their codes (IMD 2019 national deciles, 1 = most deprived)."""
PROFILE_FIELDS = ("ethnic_category", "age_band", "imd_decile", "flags")
REVIEW = "review"
ID = re.compile(r"[a-z0-9][a-z0-9-]*")
SEED = re.compile(r"\d{3}")
KEYS = {"id", "name", "source", "definition", "not_identifiable", "note"}


@dataclass(frozen=True)
class PlusGroup:
    """One PLUS group: ``definition`` maps fields to codes (empty when not identifiable)."""

    id: str
    name: str
    source: dict[str, Any] | str
    definition: dict[str, tuple[str, ...]]
    not_identifiable: str = ""
    note: str = ""

    @property
    def identifiable(self) -> bool:
        return not self.not_identifiable

    def source_text(self) -> str:
        """Where the group comes from, for readers."""
        if isinstance(self.source, str):
            return "the review's own choice" if self.source == REVIEW else self.source
        title = SEED_TITLES.get(self.source["seed"], f"seed {self.source['seed']}")
        return f"{title}: “{self.source['quote']}”"

    def definition_text(self) -> str:
        """The definition in words (codes with their meaning), or why there is none."""
        if not self.identifiable:
            return f"not identifiable in the extract: {self.not_identifiable}"
        parts = []
        # fields in the contract's order, not the mapping's: parameters read back from a
        # manifest (keys sorted) must describe a group in the same words
        for field in (f for f in PROFILE_FIELDS if f in self.definition):
            codes = self.definition[field]
            if field == "ethnic_category":
                named = ", ".join(f"{c} {ETHNIC_CATEGORIES[c]}" for c in codes)
                parts.append(f"NHS ethnic category {named}")
            elif field == "age_band":
                parts.append(f"aged {codes[0].split('-')[0]} to {codes[-1].split('-')[-1]}")
            elif field == "imd_decile":
                parts.append(f"national IMD 2019 decile {', '.join(codes)}")
            else:
                parts.append(" or ".join(FLAG_NAMES[c] for c in codes))
        return "; ".join(parts)


def _fail(path: Path | str | None, index: int, field: str, detail: str, rule: str) -> NoReturn:
    raise InputError(detail, file=path, column=f"plus_groups[{index}].{field}", rule=rule)


def _check_source(source: object, path: Path | str | None, index: int) -> None:
    if source == REVIEW:
        return
    if not isinstance(source, dict) or set(source) != {"seed", "line", "quote"}:
        _fail(path, index, "source", "must be 'review' or {seed, line, quote}", "group source")
    if not isinstance(source["seed"], str) or not SEED.fullmatch(source["seed"]):
        _fail(
            path,
            index,
            "source",
            f"seed {source['seed']!r} is not a quoted number like '004'",
            "group source",
        )
    if isinstance(source["line"], bool) or not isinstance(source["line"], int):
        _fail(
            path, index, "source", f"line {source['line']!r} is not a line number", "group source"
        )
    if not isinstance(source["quote"], str) or not source["quote"].strip():
        _fail(path, index, "source", "the quote is empty", "group source")


def _check_definition(definition: object, path: Path | str | None, index: int) -> None:
    if not isinstance(definition, dict) or not definition:
        _fail(path, index, "definition", "must map fields to code lists", "group definition")
    for field, codes in definition.items():
        if field not in FIELDS:
            _fail(
                path,
                index,
                "definition",
                f"unknown field {field!r} (known: {', '.join(FIELDS)})",
                "group definition",
            )
        if not isinstance(codes, list | tuple) or not codes:
            _fail(
                path,
                index,
                f"definition.{field}",
                "must be a non-empty list of codes",
                "group definition",
            )
        for code in codes:
            if str(code) not in FIELDS[field] or isinstance(code, bool):
                _fail(path, index, f"definition.{field}", f"unknown code {code!r}", "code list")


def check(groups: object, path: Path | str | None = None) -> list[PlusGroup]:
    """The parameter ``plus_groups`` as groups; InputError naming the group and field for the
    first problem (missing or unknown field, unknown code, repeated id, a group with both or
    neither of a definition and a reason it is not identifiable)."""
    if not isinstance(groups, list | tuple) or not groups:
        raise InputError(
            "must be a non-empty list of groups",
            file=path,
            column="plus_groups",
            rule="parameter type",
        )
    out, seen = [], set()
    for index, group in enumerate(groups):
        if not isinstance(group, dict):
            _fail(path, index, "id", "each group must be a mapping", "group fields")
        for field in ("id", "name", "source"):
            if field not in group:
                _fail(path, index, field, "missing field", "group fields")
        unknown = sorted(set(group) - KEYS, key=str)
        if unknown:
            _fail(path, index, str(unknown[0]), "unknown field", "group fields")
        if not isinstance(group["id"], str) or not ID.fullmatch(group["id"]):
            _fail(path, index, "id", f"{group['id']!r} is not a lower-case id", "group fields")
        if group["id"] in seen:
            _fail(path, index, "id", f"{group['id']!r} is repeated", "unique id")
        seen.add(group["id"])
        if not isinstance(group["name"], str) or not group["name"].strip():
            _fail(path, index, "name", "the name is empty", "group fields")
        _check_source(group["source"], path, index)
        if ("definition" in group) == ("not_identifiable" in group):
            _fail(
                path,
                index,
                "definition",
                "give a definition or a not_identifiable reason, not both",
                "group definition",
            )
        if "definition" in group:
            _check_definition(group["definition"], path, index)
        elif not isinstance(group["not_identifiable"], str) or not group["not_identifiable"]:
            _fail(path, index, "not_identifiable", "the reason is empty", "group definition")
        out.append(
            PlusGroup(
                id=group["id"],
                name=group["name"].strip(),
                source=group["source"],
                definition={
                    f: tuple(str(c) for c in codes)
                    for f, codes in group.get("definition", {}).items()
                },
                not_identifiable=str(group.get("not_identifiable", "")).strip(),
                note=str(group.get("note", "")).strip(),
            )
        )
    return out


def profile_fields(profiles: pd.Series) -> pd.DataFrame:
    """Profile strings ``ethnic_category|age_band|imd_decile|flags`` as one column per field
    (``flags`` a frozenset)."""
    parts = profiles.str.split("|", expand=True)
    parts.columns = list(PROFILE_FIELDS)
    parts["flags"] = parts["flags"].map(lambda text: frozenset(f for f in text.split("+") if f))
    return parts


def members(fields: pd.DataFrame, group: PlusGroup) -> pd.Series:
    """True for the profiles (rows of :func:`profile_fields`) inside ``group``: every field of
    the definition matches one of its codes (``flags``: any of the listed flags)."""
    if not group.identifiable:
        raise ValueError(f"group {group.id!r} is not identifiable in the extract")
    inside = pd.Series(True, index=fields.index)
    for field, codes in group.definition.items():
        if field == "flags":
            inside &= fields["flags"].map(lambda flags, c=codes: bool(flags & set(c)))
        else:
            inside &= fields[field].isin(codes)
    return inside
