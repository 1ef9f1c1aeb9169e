"""Seed data: the CSV files under data/, checked in full before anything is written.

Seeding is a domain use case rather than a db/ helper because pledges must enter through the one
pledge write path (coalition.pledges), which records their first revision and audit entry.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from pydantic import TypeAdapter, ValidationError
from sqlmodel import Session, SQLModel

from coalition import audit
from coalition.auth import Actor
from coalition.errors import Problem, ValidationFailed
from coalition.pledges import create_pledge
from coalition.validation import validate_pledge, validate_reference_row
from db.models import (
    Event,
    EventAttendance,
    ExchangeRate,
    Participant,
    PledgeFields,
    Target,
)

SEED_ACTOR = Actor.for_system("seed")

Row = dict[str, str]
_DATE = TypeAdapter(date)
M = TypeVar("M", bound=SQLModel)


class SeedError(ValidationFailed):
    """The seed files are broken; nothing was written."""


@dataclass
class SeedBundle:
    participants: list[Participant] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    attendance: list[dict[str, Any]] = field(default_factory=list)  # parsed dates
    exchange_rates: list[ExchangeRate] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    pledges: list[dict[str, str]] = field(default_factory=list)


def _as_date(text: str) -> date | None:
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


def _validate_rows(
    path: Path,
    model: type[M],
    problems: list[Problem],
    columns: Iterable[str] | None = None,
) -> tuple[list[tuple[int, M]], list[Row]]:
    """Valid instances with their line numbers, and every row as read (valid or not): other
    files are checked against all declared keys, so one bad row is reported once, not again
    in every row that refers to it."""
    columns = list(columns) if columns is not None else [c for c in model.model_fields if c != "id"]
    valid: list[tuple[int, M]] = []
    raw_rows: list[Row] = []
    for line, row in read_csv(path, columns, problems):
        raw_rows.append(row)
        instance, row_problems = validate_reference_row(model, row)
        for p in row_problems:
            problems.append(Problem(p.field, p.message, file=path.name, row=line))
        if instance is not None and not row_problems:
            valid.append((line, instance))
    return valid, raw_rows


def _unique(
    path: Path,
    rows: list[tuple[int, Any]],
    key: Callable[[Any], Any],
    column: str,
    problems: list[Problem],
) -> None:
    first_seen: dict[Any, int] = {}
    for line, item in rows:
        k = key(item)
        if k in first_seen:
            problems.append(
                Problem(column, f"duplicates row {first_seen[k]}", file=path.name, row=line)
            )
        else:
            first_seen[k] = line


def load_seed(data_dir: Path) -> SeedBundle:
    """Read and check every seed file; raise SeedError listing every problem, file, row and
    column named. Nothing here touches a database."""
    problems: list[Problem] = []
    bundle = SeedBundle()

    path = data_dir / "participants.csv"
    participants, participant_rows = _validate_rows(path, Participant, problems)
    _unique(path, participants, lambda p: p.code, "code", problems)
    _unique(path, participants, lambda p: p.name, "name", problems)
    bundle.participants = [p for _, p in participants]
    codes = {row["code"].strip() for row in participant_rows}

    path = data_dir / "exchange_rates.csv"
    rates, rate_rows = _validate_rows(path, ExchangeRate, problems)
    _unique(path, rates, lambda r: (r.currency, r.rate_date), "rate_date", problems)
    bundle.exchange_rates = [r for _, r in rates]

    path = data_dir / "events.csv"
    events, event_rows = _validate_rows(path, Event, problems)
    bundle.events = [e for _, e in events]
    # Attendance names a meeting by its date, so a date must not hold two meetings.
    _unique(path, events, lambda e: e.held_on, "held_on", problems)
    event_dates = {_as_date(row["held_on"]) for row in event_rows} - {None}

    path = data_dir / "attendance.csv"
    attendance_columns = ["held_on", "participant_code", "source_title"]
    seen: dict[tuple[date, str], int] = {}
    for line, row in read_csv(path, attendance_columns, problems):
        held_on, code = _as_date(row["held_on"]), row["participant_code"].strip()
        if held_on is None:
            problems.append(
                Problem(
                    "held_on",
                    f"'{row['held_on']}' is not a valid date (expected YYYY-MM-DD)",
                    path.name,
                    line,
                )
            )
        elif held_on not in event_dates:
            problems.append(
                Problem("held_on", f"no meeting in events.csv on {held_on}", path.name, line)
            )
        if code not in codes:
            problems.append(
                Problem("participant_code", f"unknown participant '{code}'", path.name, line)
            )
        if (held_on, code) in seen:
            problems.append(
                Problem(
                    "participant_code", f"duplicates row {seen[held_on, code]}", path.name, line
                )
            )
        seen[held_on, code] = line
        bundle.attendance.append(
            {"held_on": held_on, "participant_code": code, "source_title": row["source_title"]}
        )

    path = data_dir / "targets.csv"
    targets, _ = _validate_rows(path, Target, problems)
    _unique(path, targets, lambda t: t.name, "name", problems)
    bundle.targets = [t for _, t in targets]

    path = data_dir / "pledges.csv"
    currencies = {row["currency"].strip() for row in rate_rows}
    for line, row in read_csv(path, PledgeFields.model_fields, problems):
        try:
            validate_pledge(row, participant_codes=codes, currencies=currencies)
        except ValidationFailed as failure:
            problems.extend(Problem(p.field, p.message, path.name, line) for p in failure.problems)
            continue
        bundle.pledges.append(row)

    if problems:
        raise SeedError(problems)
    return bundle


def apply_seed(session: Session, bundle: SeedBundle) -> None:
    """Write a checked bundle into an empty database, in the caller's transaction."""
    session.add_all(bundle.participants)
    session.add_all(bundle.exchange_rates)
    session.add_all(bundle.targets)
    session.add_all(bundle.events)
    session.flush()
    event_ids = {e.held_on: e.id for e in bundle.events}
    session.add_all(
        EventAttendance(
            event_id=event_ids[row["held_on"]],
            participant_code=row["participant_code"],
            source_title=row["source_title"].strip(),
        )
        for row in bundle.attendance
    )
    session.flush()
    for row in bundle.pledges:
        create_pledge(
            session, actor=SEED_ACTOR, values=row, reason="Initial seed from public reporting"
        )
    audit.record(
        session,
        actor=SEED_ACTOR.email,
        action="seed.load",
        details={
            "participants": len(bundle.participants),
            "pledges": len(bundle.pledges),
            "events": len(bundle.events),
            "targets": len(bundle.targets),
            "exchange_rates": len(bundle.exchange_rates),
        },
    )
    session.flush()
