"""A pledge for the write path's tests, the counts of what a write stores, and changes made to
the seeded pledges at known times, for what the record says changed."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import func, update
from sqlmodel import select

from coalition.access.auth import Actor
from coalition.write.pledges import create_pledge, update_pledge
from db.engine import read_session, write_session
from db.models import AuditEvent, Pledge, PledgeCheck, PledgeRevision
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


EDITOR = "a@example.org"
# The seed is recorded when the test database is made: moved back to a day long past, so the
# last week holds only what each test does.
SEEDED_AT = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


def backdate_seed(engine) -> None:
    with write_session(engine) as session:
        session.execute(update(PledgeRevision).values(recorded_at=SEEDED_AT))


def pin_seed_times(engine) -> None:
    """Give the seeded revisions a fixed recording time, so the expected text can be exact."""
    with engine.begin() as connection:
        connection.execute(
            update(PledgeRevision).values(recorded_at=datetime(2025, 12, 31, tzinfo=UTC))
        )
        connection.execute(update(Pledge).values(updated_at=datetime(2025, 12, 31, tzinfo=UTC)))
        connection.execute(
            update(PledgeCheck).values(recorded_at=datetime(2025, 12, 31, tzinfo=UTC))
        )


def pledge_id(engine, code: str, category: str) -> int:
    with read_session(engine) as session:
        return session.exec(
            select(Pledge.id).where(Pledge.participant_code == code, Pledge.category == category)
        ).one()


def change(engine, code, category, values, *, who=EDITOR, effective_on=None, reason="Embassy"):
    """Change the seeded pledge of ``code`` in ``category``; its id."""
    target = pledge_id(engine, code, category)
    with write_session(engine) as session:
        version = session.get_one(Pledge, target).version
        update_pledge(
            session,
            actor=Actor(who),
            pledge_id=target,
            expected_version=version,
            changes=values,
            reason=reason,
            effective_on=effective_on,
        )
    return target


def add_described(engine, descriptions: list[str], **fields) -> None:
    """A new troop pledge for each description (sizes 10, 11, ...), with ``fields`` over the
    factory's: text a spreadsheet would run, say."""
    with write_session(engine) as session:
        for n, description in enumerate(descriptions):
            create_pledge(
                session,
                actor=Actor(EDITOR),
                reason="test",
                values=pledge(
                    description=description,
                    quantity=10 + n,
                    announced_on=date(2026, 2, 1),
                    **fields,
                ),
            )
