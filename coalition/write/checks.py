"""Checks: the day a person read a pledge against its source. A check is its own append-only
row (db.models.PledgeCheck), written beside a pledge's revision when a person records or
changes it, or alone when a pledge is read again and found unchanged."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import insert
from sqlmodel import Session, col, select

from coalition.access import audit
from coalition.access.auth import Actor
from coalition.errors import Problem, ValidationFailed
from coalition.text.checks import parse_date
from coalition.write.command import Command, runner
from core import clock
from db.models import Pledge, PledgeCheck, SeedPledge, utc_now


def checked_today(actor: Actor) -> date | None:
    """What a write checks by default: a person recording or changing a pledge reads its
    source that day; the application acting alone (synthetic data, a benchmark) reads
    nothing."""
    return None if actor.system else clock.today()


def insert_checks(
    session: Session,
    *,
    pledge_ids: Sequence[int],
    checked_on: date | Sequence[date | None] | None,
    actor: Actor,
    recorded_at: datetime,
) -> None:
    """One check per pledge (``checked_on`` one day for all, one per pledge, or None for
    none), in the caller's transaction."""
    days = checked_on if isinstance(checked_on, Sequence) else [checked_on] * len(pledge_ids)
    rows = [
        {"pledge_id": pledge_id, "checked_on": day, "recorded_at": recorded_at}
        | {"recorded_by": actor.email}
        for pledge_id, day in zip(pledge_ids, days, strict=True)
        if day is not None
    ]
    if rows:
        session.execute(insert(PledgeCheck), rows)


@dataclass(kw_only=True)
class RecordChecks(Command[int]):
    """Pledges read again against their sources and found unchanged: one check each, dated
    ``checked_on`` (today by default); returns how many were recorded."""

    event = audit.PledgesChecked
    pledge_ids: Sequence[int]
    checked_on: date | str | None = None
    day: date | None = None

    def validate(self, session: Session) -> list[Problem]:
        problems: list[Problem] = []
        if not self.pledge_ids:
            problems.append(Problem("pledge_ids", "name at least one pledge"))
        known = set(
            session.exec(select(Pledge.id).where(col(Pledge.id).in_(self.pledge_ids))).all()
        )
        if missing := sorted(set(self.pledge_ids) - known):
            names = ", ".join(str(m) for m in missing)
            problems.append(Problem("pledge_ids", f"no pledge with the id {names}"))
        day: date | None = clock.today()
        if self.checked_on is not None:
            try:
                day = parse_date("checked_on", self.checked_on)
            except ValidationFailed as failure:
                problems.extend(failure.problems)
                day = None
        if day is not None and day > clock.today():
            problems.append(Problem("checked_on", f"{day} is in the future"))
        self.day = day
        return problems

    def write(self, session: Session) -> int:
        assert self.day is not None  # validate set it
        ids = sorted(set(self.pledge_ids))
        insert_checks(
            session, pledge_ids=ids, checked_on=self.day, actor=self.actor, recorded_at=utc_now()
        )
        audit.record(
            session,
            actor=self.actor.email,
            event=audit.PledgesChecked(pledge_ids=ids, checked_on=self.day.isoformat()),
        )
        return len(ids)


record_checks = runner(RecordChecks)


def pledge_ids_named(session: Session, names: Sequence[str]) -> list[int]:
    """Pledges named by seed key or number, as review-due lists them; every name that names
    no pledge is a problem."""
    keys = dict(session.exec(select(SeedPledge.seed_key, SeedPledge.pledge_id)).all())
    ids: list[int] = []
    problems: list[Problem] = []
    for name in names:
        text = name.strip().removeprefix("pledge ").strip()
        if text in keys:
            ids.append(keys[text])
        elif text.isdigit() and session.get(Pledge, int(text)) is not None:
            ids.append(int(text))
        else:
            problems.append(Problem("pledges", f"'{name}' is no seed key or pledge number"))
    if problems:
        raise ValidationFailed(problems)
    return ids
