"""Reading and changing a copy of the seed files, for tests that break them on purpose."""

from __future__ import annotations

import csv
from pathlib import Path


def read(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def write(path: Path, rows: list[dict[str, str]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def change(path: Path, line: int, **values: str) -> None:
    """Set cells of one row, named by its line as an editor shows it (header = 1)."""
    rows = read(path)
    rows[line - 2].update(values)
    write(path, rows)


def line_of(path: Path, **match: str) -> int:
    for line, row in enumerate(read(path), start=2):
        if all(row[k] == v for k, v in match.items()):
            return line
    raise LookupError(match)
