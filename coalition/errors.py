"""Errors that carry every problem at once, so a form or an import shows all of them together."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    field: str
    message: str
    # Set by file loaders: the file and its 1-based line number (the header is line 1).
    file: str | None = None
    row: int | None = None

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(self.file)
        if self.row is not None:
            where.append(f"row {self.row}")
        where.append(f"column '{self.field}'" if self.file else self.field)
        return f"{', '.join(where)}: {self.message}"


class ValidationFailed(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("; ".join(str(p) for p in self.problems))

    def by_field(self) -> dict[str, list[str]]:
        grouped: dict[str, list[str]] = {}
        for problem in self.problems:
            grouped.setdefault(problem.field, []).append(problem.message)
        return grouped


class NotFound(Exception):
    pass


class VersionConflict(Exception):
    """Someone saved the record after the editor loaded it; nothing was written."""

    def __init__(self, *, expected_version: int, current_version: int):
        self.expected_version = expected_version
        self.current_version = current_version
        super().__init__(
            f"this record was changed by someone else (you started from version "
            f"{expected_version}, it is now at version {current_version})"
        )
