"""The delivery tracker in ``data/delivery/``: workstreams, milestones, their status updates,
risks and their reviews, read and checked before anything is shown.

Each table has a :class:`~bbp_analysis.validation.Schema`; cross-table rules (every milestone
belongs to a known workstream, every update to a known milestone, indicators in the catalogue,
logic-model activities and citations found verbatim in the seeds) are checked after it. Any
broken rule raises :class:`~bbp_analysis.errors.InputError` naming file, row, column and rule.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pandas as pd

from .. import catalogue
from ..errors import InputError
from ..paths import data_dir, reference_dir
from ..readers._io import read_csv_verbatim
from ..reference import collapse_whitespace, read_seed, seed_files
from ..validation import Column, Schema, validate_frame

STATUSES = ("complete", "on track", "at risk", "off track", "not started")
"""Milestone statuses, best first."""
PROVENANCE = frozenset({"seed", "illustrative"})
DUE_BASIS = frozenset({"seed", "approximate", "illustrative"})
PERIOD = r"\d{4}-\d{2}"
ID = r"[a-z0-9][a-z0-9-]*"
LIST_SEPARATOR = ";"
CITATION_SEPARATOR = " | "
CITATION = re.compile(r"(\d{3}): (.+)", re.DOTALL)
PLAN_SEED = "004"
"""The seed holding the logic model (the partnership plan, Appendix D)."""
SCORE_RANGE = (1, 5)
COMPLETION_WORDING = re.compile(
    r"\b(complete|completed|agreed|approved|signed[ -]off|launched|in place|established|"
    r"confirmed|identified|recruited|published|finalised|achieved|adopted)\b",
    re.IGNORECASE,
)
"""Words in a quote that can support "complete"."""
PENDING_WORDING = re.compile(
    r"\b(to be|will|for sign-off|planned|developing|being|in progress|in development|"
    r"proposed|on-going|ongoing|pending|yet to|in the pipeline|awaiting|required)\b",
    re.IGNORECASE,
)
"""Words in a quote that say the work is still to come: no "complete" status stands on them."""


def _table(name: str, key: tuple[str, ...], *columns: Column) -> Schema:
    """A tracker table: ``columns``, then the provenance and citations every row carries; no
    other column allowed."""
    return Schema(
        name=name,
        columns=(
            *columns,
            Column("provenance", allowed=PROVENANCE),
            Column("citations", nullable=True, description="NNN: quote | NNN: quote"),
        ),
        unique_key=key,
        allow_extra_columns=False,
    )


WORKSTREAMS = _table(
    "workstreams",
    ("workstream_id",),
    Column("workstream_id", pattern=ID),
    Column("workstream"),
    Column("objective", dtype="int", nullable=True, minimum=1, maximum=3),
    Column("sro_role", nullable=True, description="empty where the seeds name no lead"),
    Column("priorities"),
    Column("logic_model_activities", nullable=True),
    Column("indicators", nullable=True),
)
MILESTONES = _table(
    "milestones",
    ("milestone_id",),
    Column("milestone_id", pattern=ID),
    Column("workstream_id", pattern=ID),
    Column("milestone"),
    Column("due", dtype="date"),
    Column("due_basis", allowed=DUE_BASIS),
)
MILESTONE_UPDATES = _table(
    "milestone_updates",
    ("milestone_id", "period"),
    Column("milestone_id", pattern=ID),
    Column("period", pattern=PERIOD),
    Column("status", allowed=frozenset(STATUSES)),
    Column("evidence"),
)
RISKS = _table(
    "risks",
    ("risk_id",),
    Column("risk_id", pattern=ID),
    Column("risk"),
    Column("owner_role"),
    Column("identified", dtype="date"),
)
RISK_REVIEWS = _table(
    "risk_reviews",
    ("risk_id", "period"),
    Column("risk_id", pattern=ID),
    Column("period", pattern=PERIOD),
    Column("likelihood", dtype="int", minimum=SCORE_RANGE[0], maximum=SCORE_RANGE[1]),
    Column("impact", dtype="int", minimum=SCORE_RANGE[0], maximum=SCORE_RANGE[1]),
    Column("mitigations"),
)
SCHEMAS = {s.name: s for s in (WORKSTREAMS, MILESTONES, MILESTONE_UPDATES, RISKS, RISK_REVIEWS)}


@dataclass(frozen=True)
class Tracker:
    """The five checked tables (declared types applied; list cells still ``; `` strings)."""

    workstreams: pd.DataFrame
    milestones: pd.DataFrame
    updates: pd.DataFrame
    risks: pd.DataFrame
    reviews: pd.DataFrame

    def periods(self) -> list[str]:
        """Every reporting period with a milestone update or a risk review, oldest first."""
        return sorted(set(self.updates["period"]) | set(self.reviews["period"]))


def tracker_dir(root: Path | None = None) -> Path:
    """``data/delivery/`` under the project root."""
    return data_dir(root) / "delivery"


def split_list(cell: object) -> list[str]:
    """The items of a ``; ``-separated cell (none for an empty cell)."""
    if cell is None or pd.isna(cell):
        return []
    return [item.strip() for item in str(cell).split(LIST_SEPARATOR) if item.strip()]


def _read(name: str, folder: Path) -> pd.DataFrame:
    path = folder / f"{name}.csv"
    if not path.is_file():
        raise InputError("delivery tracker table not found", file=path, rule="file exists")
    return validate_frame(read_csv_verbatim(path), SCHEMAS[name], file=path)


def _check_period_years(frame: pd.DataFrame, path: Path) -> None:
    """A period ``YYYY-YY`` is one financial year: the second year follows the first."""
    for row, period in enumerate(frame["period"], start=1):
        first, second = int(period[:4]), int(period[5:])
        if (first + 1) % 100 != second:
            raise InputError(
                f"{period!r} is not one financial year (e.g. 2023-24)",
                file=path,
                row=row,
                column="period",
                rule="financial year",
            )


#: Ids one table takes from another: (table, id column, the table the ids belong to, rule).
REFERENCES = (
    ("milestones", "workstream_id", "workstreams", "known workstream"),
    ("milestone_updates", "milestone_id", "milestones", "known milestone"),
    ("risk_reviews", "risk_id", "risks", "known risk"),
)


def _check_known(
    values: Iterable[object], known: set[str], path: Path, column: str, rule: str
) -> None:
    for row, value in enumerate(values, start=1):
        for item in split_list(value):
            if item not in known:
                raise InputError(
                    f"{item!r} is not known", file=path, row=row, column=column, rule=rule
                )


def _seed_texts(root: Path | None) -> dict[str, str]:
    """Seed number (``"004"``) -> its text, whitespace collapsed."""
    return {path.name[:3]: collapse_whitespace(read_seed(path)) for path in seed_files(root)}


def _check_citations(frame: pd.DataFrame, path: Path, seeds: dict[str, str]) -> None:
    """Seed rows cite at least one passage; every citation is found verbatim in its seed."""
    for row, (provenance, cell) in enumerate(
        zip(frame["provenance"], frame["citations"], strict=True), start=1
    ):
        broken = partial(InputError, file=path, row=row, column="citations")
        if pd.isna(cell):
            if provenance == "seed":
                raise broken("a seed row must cite its seed", rule="citation required")
            continue
        for citation in str(cell).split(CITATION_SEPARATOR):
            match = CITATION.fullmatch(citation.strip())
            if match is None:
                raise broken(f"{citation!r} is not 'NNN: quote'", rule="citation format")
            number, quote = match.groups()
            if number not in seeds:
                raise broken(f"no seed {number}_*.txt in data/reference/seeds", rule="seed exists")
            if collapse_whitespace(quote) not in seeds[number]:
                raise broken(f"not found in seed {number}: {quote!r}", rule="quote in seed")


def _quotes(cell: object) -> list[tuple[str, str]]:
    """The (seed number, quoted words) of a citations cell (``NNN: quote | NNN: quote``)."""
    if cell is None or pd.isna(cell):
        return []
    quotes = []
    for citation in str(cell).split(CITATION_SEPARATOR):
        match = CITATION.fullmatch(citation.strip())
        if match is not None:
            quotes.append((match.group(1), match.group(2)))
    return quotes


def _check_complete_wording(updates: pd.DataFrame, milestones: pd.DataFrame, path: Path) -> None:
    """A "complete" update that cites the seeds is no stronger than its quotes: one of its
    quotes has completion wording, and neither its quotes nor its milestone's quotes from the
    same seed (the same report, so the same moment) have pending wording."""
    milestone_quotes = {
        milestone: _quotes(cell)
        for milestone, cell in zip(milestones["milestone_id"], milestones["citations"], strict=True)
    }
    for row, (milestone, status, cell) in enumerate(
        zip(updates["milestone_id"], updates["status"], updates["citations"], strict=True),
        start=1,
    ):
        own = _quotes(cell)
        if status != "complete" or not own:
            continue
        seeds = {number for number, _ in own}
        same_report = [q for q in milestone_quotes.get(milestone, []) if q[0] in seeds]
        for number, quote in [*own, *same_report]:
            pending = PENDING_WORDING.search(quote)
            if pending is not None:
                raise InputError(
                    f"'complete' but seed {number} says {pending.group(0)!r}: {quote!r}",
                    file=path,
                    row=row,
                    column="status",
                    rule="status no stronger than its quote",
                )
        if not any(COMPLETION_WORDING.search(quote) for _, quote in own):
            raise InputError(
                f"'complete' but no quote says it is done: {own[0][1]!r}",
                file=path,
                row=row,
                column="status",
                rule="status no stronger than its quote",
            )


def _check_activities(frame: pd.DataFrame, path: Path, plan: str) -> None:
    for row, cell in enumerate(frame["logic_model_activities"], start=1):
        for activity in split_list(cell):
            if collapse_whitespace(activity) not in plan:
                raise InputError(
                    f"{activity!r} is not in the plan's logic model (seed {PLAN_SEED}, Appendix D)",
                    file=path,
                    row=row,
                    column="logic_model_activities",
                    rule="logic-model activity",
                )


def load_tracker(root: Path | None = None) -> Tracker:
    """Read and check the delivery tracker; raise InputError on the first broken rule.

    Rules: each table's schema (status code list, due date present and a date, likelihood and
    impact whole numbers 1 to 5, periods ``YYYY-YY``, unique ids), then references between the
    tables, catalogue indicator ids, logic-model activities, citations in the seeds, and every
    "complete" status no stronger than the wording of the quotes its row cites.
    """
    folder = tracker_dir(root)
    tables = {name: _read(name, folder) for name in SCHEMAS}
    path = {name: folder / f"{name}.csv" for name in SCHEMAS}
    for name in ("milestone_updates", "risk_reviews"):
        _check_period_years(tables[name], path[name])
    for table, column, target, rule in REFERENCES:
        known = set(tables[target][column])
        _check_known(tables[table][column], known, path[table], column, rule)
    _check_known(
        tables["workstreams"]["indicators"],
        {i.id for i in catalogue.indicators()},
        path["workstreams"],
        "indicators",
        "catalogue indicator",
    )
    seeds = _seed_texts(root)
    if PLAN_SEED not in seeds:
        raise InputError(
            "the partnership plan seed is missing",
            file=reference_dir(root) / "seeds",
            rule="seed exists",
        )
    _check_activities(tables["workstreams"], path["workstreams"], seeds[PLAN_SEED])
    for name, table in tables.items():
        _check_citations(table, path[name], seeds)
    _check_complete_wording(
        tables["milestone_updates"], tables["milestones"], path["milestone_updates"]
    )
    return Tracker(
        workstreams=tables["workstreams"],
        milestones=tables["milestones"],
        updates=tables["milestone_updates"],
        risks=tables["risks"],
        reviews=tables["risk_reviews"],
    )
