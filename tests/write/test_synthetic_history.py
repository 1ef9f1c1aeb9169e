"""The synthetic history bench/generate.py writes: the same validated write path, revisions and
audit entries, and never a real pledge."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from coalition.access.auth import Actor, RoleRefused
from coalition.errors import ValidationFailed
from coalition.read import queries
from coalition.read.queries import SYNTHETIC_SOURCE
from coalition.write.pledges import add_synthetic_history, create_pledges
from db.engine import read_session, write_session
from db.models import AuditEvent, Pledge, PledgeRevision
from tests.support.pledges import NEW_PLEDGE, add_pledge, counts

SYNTHETIC_PLEDGE = NEW_PLEDGE | {"source_title": SYNTHETIC_SOURCE, "source_url": None}
BENCHMARK = Actor.for_system("benchmark")


def test_synthetic_history_is_validated_revisions_with_audit_entries(engine):
    """The bulk form for bench/generate.py: each later revision as update_pledge would store
    it, even one that changes nothing (the generated history's shape is fixed)."""
    with write_session(engine) as session:
        (pledge_id,) = create_pledges(
            session, actor=BENCHMARK, entries=[SYNTHETIC_PLEDGE], reason="synthetic"
        )
    with read_session(engine) as session:
        version_before = queries.data_version(session)
    with write_session(engine) as session:
        add_synthetic_history(
            session,
            actor=BENCHMARK,
            revisions=[
                (pledge_id, date(2026, 3, 1), {"status": "withdrawn", "quantity": 1500}),
                (pledge_id, date(2026, 3, 5), {"status": "withdrawn"}),
                (pledge_id, date(2026, 3, 9), {"status": "deployed"}),
            ],
            reason="synthetic",
        )
    with read_session(engine) as session:
        revisions = session.exec(
            select(PledgeRevision)
            .where(PledgeRevision.pledge_id == pledge_id)
            .order_by(PledgeRevision.version)
        ).all()
        entries = session.exec(
            select(AuditEvent).where(AuditEvent.entity_id == str(pledge_id)).order_by(AuditEvent.id)
        ).all()
        pledge = session.get(Pledge, pledge_id)
        assert queries.data_version(session) > version_before
    assert [(r.version, r.action, r.status) for r in revisions] == [
        (1, "create", "committed"),
        (2, "withdraw", "withdrawn"),
        (3, "update", "withdrawn"),
        (4, "restore", "deployed"),
    ]
    assert [r.effective_on for r in revisions[1:]] == [
        date(2026, 3, 1),
        date(2026, 3, 5),
        date(2026, 3, 9),
    ]
    assert {(r.actor, r.actor_role) for r in revisions} == {("benchmark", "system")}
    assert [(e.action, e.details.get("changed")) for e in entries] == [
        ("pledge.create", None),
        ("pledge.withdraw", ["quantity", "status"]),
        ("pledge.update", []),
        ("pledge.restore", ["status"]),
    ]
    assert (pledge.version, pledge.status, pledge.quantity) == (4, "deployed", 1500)
    assert pledge.updated_at == revisions[-1].recorded_at


def test_synthetic_history_never_touches_a_real_pledge_and_checks_every_state(engine):
    real_id = add_pledge(engine)
    with write_session(engine) as session:
        (synthetic_id,) = create_pledges(
            session, actor=BENCHMARK, entries=[SYNTHETIC_PLEDGE], reason="synthetic"
        )
    before = counts(engine)
    attempts = [
        (real_id, {"status": "delivered"}, "pledge_id"),
        (synthetic_id, {"source_title": "Ministry of Defence"}, "source_title"),
        (synthetic_id, {"quantity": -3}, "quantity"),
    ]
    for pledge_id, changes, field in attempts:
        with pytest.raises(ValidationFailed) as caught, write_session(engine) as session:
            add_synthetic_history(
                session,
                actor=BENCHMARK,
                revisions=[(pledge_id, date(2026, 3, 1), changes)],
                reason="synthetic",
            )
        assert field in caught.value.by_field()
    with pytest.raises(RoleRefused), write_session(engine) as session:
        add_synthetic_history(
            session,
            actor=Actor("a@example.org"),
            revisions=[(synthetic_id, date(2026, 3, 1), {"status": "delivered"})],
            reason="synthetic",
        )
    pledges, revisions, _ = counts(engine)
    assert (pledges, revisions) == before[:2]  # the refusal alone is audited
