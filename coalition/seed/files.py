"""The seed files under data/: which they are, their columns, reading one with every problem
named by file, row and column, and one digest of them all."""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from coalition.errors import Problem, ValidationFailed
from db.models import Event, ExchangeRate, Participant, PledgeFields, Target

SEED_FILES = (
    "participants.csv",
    "exchange_rates.csv",
    "events.csv",
    "attendance.csv",
    "targets.csv",
    "pledges.csv",
)


# What an attendance row records besides the meeting's day and the participant.
ATTENDANCE_FIELDS = ("source_title", "source_url", "source_published_on", "checked_on")
ATTENDANCE_COLUMNS = ("held_on", "participant_code", *ATTENDANCE_FIELDS)


# The seed file's own columns: first the stable key of a row, so a corrected row finds the
# pledge it became (see sync_seed); last the day a person read the row against its source (not
# a pledge field: a re-check is recorded as a check, not as a change to the pledge).
PLEDGE_COLUMNS = ("seed_key", *PledgeFields.model_fields, "checked_on")


SEED_KEY = re.compile(r"[a-z0-9][a-z0-9-]{0,59}")


Row = dict[str, str]


_DATE = TypeAdapter(date)


class SeedError(ValidationFailed):
    """The seed files are broken; nothing was written."""


@dataclass
class SeedBundle:
    digest: str = ""
    participants: list[Participant] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    attendance: list[dict[str, Any]] = field(default_factory=list)  # parsed dates
    exchange_rates: list[ExchangeRate] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    # (seed key, the row's pledge fields as text)
    pledges: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    # seed key -> the day the row was last read against its source
    pledge_checked_on: dict[str, date] = field(default_factory=dict)


def as_date(text: str) -> date | None:
    try:
        return _DATE.validate_python(text.strip())
    except ValidationError:
        return None


def read_csv(path: Path, columns: Iterable[str], problems: list[Problem]) -> list[tuple[int, Row]]:
    """Rows with their line numbers (header = line 1). Header or encoding faults become problems."""
    name = path.name
    expected = list(columns)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        problems.append(Problem("file", "is missing", file=name))
        return []
    except UnicodeDecodeError as error:
        line = path.read_bytes()[: error.start].count(b"\n") + 1
        problems.append(
            Problem("file", "is not UTF-8 text (save it as UTF-8)", file=name, row=line)
        )
        return []
    reader = csv.reader(text.splitlines())
    header = next(reader, None)
    if header is None:
        problems.append(Problem("file", "is empty", file=name))
        return []
    header = [h.strip() for h in header]
    missing = [c for c in expected if c not in header]
    unknown = [c for c in header if c not in expected]
    for column in missing:
        problems.append(Problem(column, "column is missing from the header", file=name, row=1))
    for column in unknown:
        problems.append(Problem(column, "is not a known column", file=name, row=1))
    if missing or unknown:
        return []
    rows: list[tuple[int, Row]] = []
    for line_number, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            problems.append(
                Problem(
                    "row",
                    f"has {len(values)} values, the header has {len(header)}",
                    file=name,
                    row=line_number,
                )
            )
            continue
        rows.append((line_number, dict(zip(header, values, strict=True))))
    return rows


def seed_digest(data_dir: Path) -> str:
    """One digest of every seed file: unchanged files need no comparison with the database."""
    digest = hashlib.sha256()
    for name in SEED_FILES:
        path = data_dir / name
        digest.update(name.encode() + b"\0")
        digest.update(path.read_bytes() if path.exists() else b"")
        digest.update(b"\0")
    return digest.hexdigest()


def change_log(data_dir: Path) -> str:
    """The dated log of corrections to the seed data (data/CHANGELOG.md), as Markdown."""
    path = data_dir / "CHANGELOG.md"
    return path.read_text(encoding="utf-8") if path.exists() else ""
