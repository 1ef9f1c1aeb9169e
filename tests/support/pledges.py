"""A pledge for the write path's tests, and the counts of what a write stores."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func
from sqlmodel import select

from coalition.access.auth import Actor
from coalition.write.pledges import create_pledge
from db.engine import read_session, write_session
from db.models import AuditEvent, Pledge, PledgeRevision
from tests.factories import pledge

NEW_PLEDGE = pledge(
    status="committed",
    quantity=2000,
    announced_on=date(2026, 2, 1),
    source_url="https://example.org/press/2026-02-01",
)


def counts(engine) -> tuple[int, int, int]:
    with read_session(engine) as session:
        return tuple(
            session.exec(select(func.count()).select_from(t)).one()
            for t in (Pledge, PledgeRevision, AuditEvent)
        )


def add_pledge(engine) -> int:
    with write_session(engine) as session:
        return create_pledge(
            session, actor=Actor("a@example.org"), values=NEW_PLEDGE, reason="first report"
        ).id
