"""When each row was last read against its source: a pledge's newest check (db.models.
PledgeCheck), a reference row's ``checked_on``; and which rows are due to be read again."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, func, select

from core import clock
from db.models import Event, EventAttendance, Participant, Pledge, PledgeCheck, SeedPledge, Target

# A row not read against its source for this long is due to be read again (the default of
# review-due and the About page's count).
REVIEW_DAYS = 90


def last_checked(known_at: datetime | None = None):
    """Each pledge's newest check day (among those recorded by ``known_at``: a snapshot pinned
    to a moment shows the checks made by then), as a subquery of pledge_id and checked_on."""
    statement = select(
        PledgeCheck.pledge_id, func.max(PledgeCheck.checked_on).label("checked_on")
    ).group_by(col(PledgeCheck.pledge_id))
    if known_at is not None:
        statement = statement.where(col(PledgeCheck.recorded_at) <= known_at)
    return statement.subquery()


def last_checked_on(session: Session, pledge_ids: Iterable[int]) -> dict[int, date]:
    latest = last_checked()
    statement = select(latest.c.pledge_id, latest.c.checked_on).where(
        latest.c.pledge_id.in_(list(pledge_ids))
    )
    return {pledge_id: day for pledge_id, day in session.connection().execute(statement)}


@dataclass(frozen=True)
class RowCheck:
    """One row of the record and the day it was last read against its source (None: never)."""

    table: str
    key: str
    label: str
    checked_on: date | None

    def age(self, today: date) -> int | None:
        return None if self.checked_on is None else (today - self.checked_on).days


def row_checks(session: Session) -> list[RowCheck]:
    """Every row of the record with its last check, the never-checked first, then oldest
    first."""
    latest = last_checked()
    pledges = session.connection().execute(
        select(  # type: ignore[call-overload]  # sqlmodel types select() for four columns at most
            Pledge.id,
            SeedPledge.seed_key,
            Pledge.participant_code,
            Pledge.category,
            Pledge.description,
            latest.c.checked_on,
        )
        .outerjoin(latest, latest.c.pledge_id == Pledge.id)
        .outerjoin(SeedPledge, col(SeedPledge.pledge_id) == Pledge.id)
    )
    rows = [
        RowCheck("pledges", key or f"pledge {pledge_id}", f"{code} {category}: {text}", day)
        for pledge_id, key, code, category, text, day in pledges
    ]
    rows += [
        RowCheck("participants", p.code, p.name, p.checked_on)
        for p in session.exec(select(Participant))
    ]
    events = {e.id: e for e in session.exec(select(Event))}
    rows += [RowCheck("events", str(e.held_on), e.title, e.checked_on) for e in events.values()]
    rows += [
        RowCheck(
            "attendance",
            f"{events[a.event_id].held_on} {a.participant_code}",
            events[a.event_id].title,
            a.checked_on,
        )
        for a in session.exec(select(EventAttendance))
    ]
    targets = session.exec(select(Target))
    rows += [RowCheck("targets", t.name, t.name, t.checked_on) for t in targets]
    return sorted(rows, key=lambda r: (r.checked_on is not None, r.checked_on or date.min, r.key))


def review_due(session: Session, days: int, today: date | None = None) -> list[RowCheck]:
    """The rows not read against their sources in the last ``days`` days (or never)."""
    return _due(row_checks(session), days, today)


def _due(rows: list[RowCheck], days: int, today: date | None) -> list[RowCheck]:
    cutoff = (today or clock.today()) - timedelta(days=days)
    return [r for r in rows if r.checked_on is None or r.checked_on < cutoff]


@dataclass(frozen=True)
class CheckSummary:
    """How current the record's checks are: its oldest check and how many rows are due."""

    oldest: RowCheck | None
    rows: int
    due: int
    days: int


def check_summary(session: Session, days: int, today: date | None = None) -> CheckSummary:
    rows = row_checks(session)  # read once: the oldest and the due come from the same rows
    due = _due(rows, days, today)
    return CheckSummary(oldest=rows[0] if rows else None, rows=len(rows), due=len(due), days=days)
