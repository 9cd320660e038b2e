"""Errors a user can act on: each names the file, row, column and rule it broke."""

from __future__ import annotations

from pathlib import Path


class BBPError(Exception):
    """Base class for every error the command line reports as one line, without a traceback."""


class InputError(BBPError):
    """Bad input: a parameters file, data file or reference table breaks a declared rule.

    ``str(error)`` is one line: ``FILE: row R, column 'C': RULE: DETAIL``, leaving out the
    parts that do not apply. Rows are 1-based data rows (the header is row 0).
    """

    def __init__(
        self,
        detail: str,
        *,
        file: str | Path | None = None,
        row: int | None = None,
        column: str | None = None,
        rule: str | None = None,
    ) -> None:
        self.detail = detail
        self.file = str(file) if file is not None else None
        self.row = row
        self.column = column
        self.rule = rule
        super().__init__(self._format())

    def _format(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        head = self.file or "input"
        if where:
            head += ": " + ", ".join(where)
        body = f"{self.rule}: {self.detail}" if self.rule else self.detail
        return f"{head}: {body}".replace("\n", " ")


class BuildError(BBPError):
    """A build step failed (a notebook raised, the book did not build); nothing was published."""
