"""Admins' edits of the reference tables (participants' figures, meetings, planning targets,
exchange rates): every row checked with the seed loader's rules, all problems named by row and
column, then written in one transaction with an audit entry holding each row's before and
after, which is these tables' history."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import pandas as pd
from sqlmodel import Session, SQLModel, select

from coalition.access import audit
from coalition.access.auth import Actor
from coalition.errors import Problem
from coalition.write.command import Command, runner
from coalition.write.validation import validate_reference_row
from db.models import Event, EventAttendance, ExchangeRate, Participant, PledgeRevision, Target


@dataclass(frozen=True)
class ReferenceTable:
    name: str
    title: str
    model: type[SQLModel]
    key: str
    rows_can_change: bool = True

    def table_problems(
        self, session: Session, current: dict[Any, dict[str, Any]], edited: list[dict[str, Any]]
    ) -> list[Problem]:
        """What the table as a whole must keep, beyond each row's own checks."""
        return []

    def problem(self, field: str, message: str, row: int | None = None) -> Problem:
        return Problem(field, message, file=self.title, row=row)


@dataclass(frozen=True)
class ParticipantsTable(ReferenceTable):
    """The participants are the coalition itself: their rows are edited, never added or
    removed here."""

    rows_can_change: bool = False

    def table_problems(
        self, session: Session, current: dict[Any, dict[str, Any]], edited: list[dict[str, Any]]
    ) -> list[Problem]:
        kept = {row.get(self.key) for row in edited}
        if any(key not in kept for key in current):
            return [self.problem(self.key, "participants cannot be removed here")]
        return []


@dataclass(frozen=True)
class MeetingsTable(ReferenceTable):
    def table_problems(
        self, session: Session, current: dict[Any, dict[str, Any]], edited: list[dict[str, Any]]
    ) -> list[Problem]:
        """A meeting with attendance on record stays."""
        kept = {row.get(self.key) for row in edited}
        attended = set(session.exec(select(EventAttendance.event_id).distinct()).all())
        return [
            self.problem(
                "id",
                f"meeting {key} ({current[key]['title']}) has attendance records and cannot be "
                "removed",
            )
            for key in sorted(set(current) - kept & attended)
        ]


@dataclass(frozen=True)
class ExchangeRatesTable(ReferenceTable):
    def table_problems(
        self, session: Session, current: dict[Any, dict[str, Any]], edited: list[dict[str, Any]]
    ) -> list[Problem]:
        """Every currency a pledge (or any of its past states) uses keeps a rate."""
        remaining = {str(row.get("currency") or "").strip() for row in edited}
        used = set(session.exec(select(PledgeRevision.currency).distinct()).all())
        return [
            self.problem(
                "currency", f"pledges are recorded in {currency}: keep at least one rate for it"
            )
            for currency in sorted(c for c in used - remaining if c is not None and c != "EUR")
        ]


TABLES = {
    t.name: t
    for t in (
        ParticipantsTable("participants", "Participants' reference data", Participant, "code"),
        MeetingsTable("events", "Meetings", Event, "id"),
        ReferenceTable("targets", "Planning targets", Target, "id"),
        ExchangeRatesTable("exchange_rates", "Exchange rates", ExchangeRate, "id"),
    )
}


def table_frame(session: Session, table: ReferenceTable) -> pd.DataFrame:
    key = getattr(table.model, table.key)
    rows = [r.model_dump() for r in session.exec(select(table.model).order_by(key)).all()]
    return pd.DataFrame(rows, columns=list(table.model.model_fields))


def _plain(value: Any) -> Any:
    """A JSON-friendly value for the audit entry."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, date | datetime):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: _plain(v) for k, v in row.items()} for row in frame.to_dict("records")]


@dataclass
class _Edits:
    """What the admin's table changes against the stored one, and what is wrong with it."""

    added: list[SQLModel] = field(default_factory=list)
    changed: list[tuple[Any, dict[str, Any], dict[str, Any]]] = field(default_factory=list)
    removed: list[Any] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _compare(
    table: ReferenceTable, current: dict[Any, dict[str, Any]], edited: list[dict[str, Any]]
) -> _Edits:
    """Each edited row checked on its own and matched by key: added, changed or unknown."""
    edits = _Edits()
    seen: set[Any] = set()
    for number, row in enumerate(edited, start=1):
        key = row.get(table.key)
        typed, row_problems = validate_reference_row(
            table.model, {k: v for k, v in row.items() if k != "id"}
        )
        edits.problems += [table.problem(p.field, p.message, number) for p in row_problems]
        if key is None or (table.key == "id" and key not in current):
            if not table.rows_can_change:
                edits.problems.append(
                    table.problem(table.key, "participants cannot be added here", number)
                )
            elif typed is not None:
                edits.added.append(typed)
            continue
        if key not in current:
            edits.problems.append(
                table.problem(
                    table.key, f"'{key}' is not in the table; it cannot be renamed here", number
                )
            )
            continue
        seen.add(key)
        if typed is not None:
            after = {k: _plain(v) for k, v in typed.model_dump().items() if k != "id"}
            before = {k: v for k, v in current[key].items() if k != "id"}
            if after != before:
                edits.changed.append((key, before, after))
    edits.removed = [key for key in current if key not in seen]
    return edits


def _apply(
    session: Session,
    actor: Actor,
    table: ReferenceTable,
    current: dict[Any, dict[str, Any]],
    edits: _Edits,
) -> None:
    """Write checked edits, each row's with its audit entry (the before and the after)."""
    for key, before, after in edits.changed:
        record = session.get(table.model, key)
        for name, value in typed_values(table.model, after).items():
            setattr(record, name, value)
        audit.record(
            session,
            actor=actor.email,
            event=audit.ReferenceRowUpdated(table=table.name, key=key, before=before, after=after),
        )
    for key in edits.removed:
        before = {k: v for k, v in current[key].items() if k != "id"}
        audit.record(
            session,
            actor=actor.email,
            event=audit.ReferenceRowDeleted(table=table.name, key=key, before=before),
        )
        session.delete(session.get(table.model, key))
    session.flush()
    for typed in edits.added:
        session.add(typed)
        session.flush()
        after = {k: _plain(v) for k, v in typed.model_dump().items() if k != "id"}
        audit.record(
            session,
            actor=actor.email,
            event=audit.ReferenceRowAdded(
                table=table.name, key=getattr(typed, table.key), after=after
            ),
        )
    session.flush()


@dataclass(kw_only=True)
class SaveReferenceTable(Command[dict[str, int]]):
    """Make a table look like ``edited`` (the whole table as the admin left it). Rows are
    matched by key; a row without a key is new. Every problem is found before anything is
    written. Writes return counts of added, changed, removed."""

    event = audit.ReferenceRowUpdated
    table_name: str
    edited: pd.DataFrame
    current: dict[Any, dict[str, Any]] = field(init=False, default_factory=dict)
    edits: _Edits = field(init=False, default_factory=lambda: _Edits())

    def __post_init__(self) -> None:
        self.table = TABLES[self.table_name]
        self.rows = _records(self.edited)

    def action_names(self) -> dict[str, Any]:
        return {"table": self.table.name}

    def validate(self, session: Session) -> list[Problem]:
        self.current = {
            row[self.table.key]: row for row in _records(table_frame(session, self.table))
        }
        self.edits = _compare(self.table, self.current, self.rows)
        return self.edits.problems + self.table.table_problems(session, self.current, self.rows)

    def write(self, session: Session) -> dict[str, int]:
        _apply(session, self.actor, self.table, self.current, self.edits)
        return {
            "added": len(self.edits.added),
            "changed": len(self.edits.changed),
            "removed": len(self.edits.removed),
        }


save_table = runner(SaveReferenceTable)


def typed_values(model: type[SQLModel], values: dict[str, Any]) -> dict[str, Any]:
    typed, _ = validate_reference_row(model, values)
    return {k: v for k, v in typed.model_dump().items() if k != "id"} if typed else values
