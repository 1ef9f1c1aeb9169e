"""Admins' edits of the reference tables (participants' figures, meetings, planning targets,
exchange rates): every row checked with the seed loader's rules, all problems named by row and
column, then written in one transaction with an audit entry holding each row's before and
after, which is these tables' history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pandas as pd
from sqlmodel import Session, SQLModel, select

from coalition.access import audit
from coalition.access.auth import Actor, require_role
from coalition.errors import Problem, ValidationFailed
from coalition.write.validation import validate_reference_row
from db.models import Event, EventAttendance, ExchangeRate, Participant, PledgeRevision, Target


@dataclass(frozen=True)
class ReferenceTable:
    name: str
    title: str
    model: type[SQLModel]
    key: str
    # Participants are the coalition itself: their rows are edited, never added or removed here.
    rows_can_change: bool


TABLES = {
    t.name: t
    for t in (
        ReferenceTable("participants", "Participants' reference data", Participant, "code", False),
        ReferenceTable("events", "Meetings", Event, "id", True),
        ReferenceTable("targets", "Planning targets", Target, "id", True),
        ReferenceTable("exchange_rates", "Exchange rates", ExchangeRate, "id", True),
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


def save_table(
    session: Session, *, actor: Actor, table_name: str, edited: pd.DataFrame
) -> dict[str, int]:
    """Make the table look like ``edited`` (the whole table as the admin left it). Rows are
    matched by key; a row without a key is new. Returns counts of added, changed, removed."""
    require_role(session, actor, audit.ReferenceRowUpdated, table=table_name)
    table = TABLES[table_name]
    current = {row[table.key]: row for row in _records(table_frame(session, table))}
    problems: list[Problem] = []
    seen: set[Any] = set()
    added, changed = [], []
    for number, row in enumerate(_records(edited), start=1):
        key = row.get(table.key)
        fields = {k: v for k, v in row.items() if k != "id"}
        typed, row_problems = validate_reference_row(table.model, fields)
        problems += [
            Problem(p.field, p.message, file=table.title, row=number) for p in row_problems
        ]
        if key is None or (table.key == "id" and key not in current):
            if not table.rows_can_change:
                problems.append(
                    Problem(
                        table.key, "participants cannot be added here", file=table.title, row=number
                    )
                )
            elif typed is not None:
                added.append(typed)
            continue
        if key not in current:
            problems.append(
                Problem(
                    table.key,
                    f"'{key}' is not in the table; it cannot be renamed here",
                    file=table.title,
                    row=number,
                )
            )
            continue
        seen.add(key)
        if typed is not None:
            after = {k: _plain(v) for k, v in typed.model_dump().items() if k != "id"}
            before = {k: v for k, v in current[key].items() if k != "id"}
            if after != before:
                changed.append((key, before, after))
    removed = [key for key in current if key not in seen]
    if table.model is Event:
        attended = set(session.exec(select(EventAttendance.event_id).distinct()).all())
        for key in set(removed) & attended:
            problems.append(
                Problem(
                    "id",
                    f"meeting {key} ({current[key]['title']}) has "
                    "attendance records and cannot be removed",
                    file=table.title,
                )
            )
    if table.model is ExchangeRate:
        # Every currency a pledge (or any of its past states) uses must keep a rate.
        remaining = {str(row.get("currency") or "").strip() for row in _records(edited)}
        used = set(session.exec(select(PledgeRevision.currency).distinct()).all())
        for currency in sorted(c for c in used - remaining if c is not None and c != "EUR"):
            problems.append(
                Problem(
                    "currency",
                    f"pledges are recorded in {currency}: keep at least one rate for it",
                    file=table.title,
                )
            )
    if removed and not table.rows_can_change:
        problems.append(Problem(table.key, "participants cannot be removed here", file=table.title))
    if problems:
        raise ValidationFailed(problems)

    for key, before, after in changed:
        record = session.get(table.model, key)
        for name, value in typed_values(table.model, after).items():
            setattr(record, name, value)
        audit.record(
            session,
            actor=actor.email,
            event=audit.ReferenceRowUpdated(table=table_name, key=key, before=before, after=after),
        )
    for key in removed:
        record = session.get(table.model, key)
        before = {k: v for k, v in current[key].items() if k != "id"}
        audit.record(
            session,
            actor=actor.email,
            event=audit.ReferenceRowDeleted(table=table_name, key=key, before=before),
        )
        session.delete(record)
    session.flush()
    for typed in added:
        session.add(typed)
        session.flush()
        after = {k: _plain(v) for k, v in typed.model_dump().items() if k != "id"}
        audit.record(
            session,
            actor=actor.email,
            event=audit.ReferenceRowAdded(
                table=table_name, key=getattr(typed, table.key), after=after
            ),
        )
    session.flush()
    return {"added": len(added), "changed": len(changed), "removed": len(removed)}


def typed_values(model: type[SQLModel], values: dict[str, Any]) -> dict[str, Any]:
    typed, _ = validate_reference_row(model, values)
    return {k: v for k, v in typed.model_dump().items() if k != "id"} if typed else values
