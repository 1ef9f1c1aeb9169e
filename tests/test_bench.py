"""The benchmark data generator: labelled synthetic data, and the app says so."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func
from sqlmodel import select

from coalition.access.auth import Actor
from coalition.read.queries import SYNTHETIC_SOURCE
from coalition.write.pledges import create_pledge, known_currencies, known_participant_codes
from coalition.write.validation import validate_pledge
from db.engine import create_db_engine, read_session, write_session
from db.models import PLEDGE_FIELD_NAMES, AuditEvent, Pledge, PledgeRevision
from tests.factories import pledge
from tests.support.accounts import LOCAL_EDITOR, add_accounts
from tests.support.app import start_app
from tests.support.data import generate_synthetic


def test_generated_pledges_are_labelled_and_the_app_warns(monkeypatch, sqlite_url):
    generate_synthetic(sqlite_url, 1_000)
    engine = create_db_engine(sqlite_url)
    with read_session(engine) as session:
        synthetic = session.exec(
            select(func.count()).select_from(Pledge).where(Pledge.source_title == SYNTHETIC_SOURCE)
        ).one()
        revisions = session.exec(
            select(func.count())
            .select_from(PledgeRevision)
            .where(PledgeRevision.source_title == SYNTHETIC_SOURCE)
        ).one()
    engine.dispose()
    assert (synthetic, revisions) == (100, 1_000)
    at = start_app(monkeypatch, sqlite_url).run()
    assert any("synthetic benchmark data" in w.value for w in at.warning)


def test_the_seeded_app_shows_no_synthetic_warning(monkeypatch, sqlite_url):
    at = start_app(monkeypatch, sqlite_url).run()
    assert not any("synthetic" in w.value for w in at.warning)


def test_generated_pledges_pass_the_checks_of_the_write_path(sqlite_url):
    """So the load benchmark's editor can change them like any real pledge."""
    generate_synthetic(sqlite_url, 2_000)
    engine = create_db_engine(sqlite_url)
    with read_session(engine) as session:
        pledges = session.exec(select(Pledge).where(Pledge.source_title == SYNTHETIC_SOURCE)).all()
        codes, currencies = known_participant_codes(session), known_currencies(session)
        for pledge in pledges:
            values = {name: getattr(pledge, name) for name in PLEDGE_FIELD_NAMES}
            validate_pledge(values, participant_codes=codes, currencies=currencies)
        latest = session.exec(select(func.max(PledgeRevision.effective_on))).one()
    engine.dispose()
    assert len(pledges) == 200
    assert latest <= date.today()  # no chart of synthetic data runs into the future


@pytest.mark.postgres
def test_pledges_can_be_added_after_generating_on_postgres(postgres_url):
    """Generated pledges carry given ids: the id sequence must move past them."""
    generate_synthetic(postgres_url, 200)
    engine = create_db_engine(postgres_url)
    add_accounts(engine)
    with write_session(engine) as session:
        pledge_id = create_pledge(
            session,
            actor=Actor(LOCAL_EDITOR),
            values=pledge(
                description="Company after the benchmark data",
                announced_on=date(2026, 2, 1),
                source_title="Ministry",
            ),
            reason="test",
        ).id
    with read_session(engine) as session:
        newest = session.exec(select(func.max(Pledge.id))).one()
    engine.dispose()
    assert pledge_id == newest


def test_generated_pledges_are_written_through_the_write_path(sqlite_url):
    """Each synthetic pledge was created by create_pledges and revised as the write path
    revises (its audit entries say so); only its recorded times are moved back, to the days
    in March 2025 the benchmarks read."""
    generate_synthetic(sqlite_url, 100)
    engine = create_db_engine(sqlite_url)
    with read_session(engine) as session:
        pledge = session.exec(
            select(Pledge).where(Pledge.source_title == SYNTHETIC_SOURCE).order_by(Pledge.id)
        ).first()
        revisions = session.exec(
            select(PledgeRevision)
            .where(PledgeRevision.pledge_id == pledge.id)
            .order_by(PledgeRevision.version)
        ).all()
        entries = session.exec(
            select(AuditEvent)
            .where(AuditEvent.entity == "pledge", AuditEvent.entity_id == str(pledge.id))
            .order_by(AuditEvent.id)
        ).all()
        generated = session.exec(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.actor == "benchmark")
        ).one()
    engine.dispose()
    assert [r.version for r in revisions] == list(range(1, 11))
    assert revisions[0].action == "create"
    assert {(r.actor, r.actor_role, r.reason) for r in revisions} == {
        ("benchmark", "system", "synthetic")
    }
    assert entries[0].action == "pledge.create"
    assert [e.details.get("version") for e in entries[1:]] == list(range(2, 11))
    assert {e.action for e in entries[1:]} <= {"pledge.update", "pledge.withdraw", "pledge.restore"}
    assert generated == 100  # one entry per revision: 10 created, 90 revised
    recorded = [r.recorded_at for r in revisions]
    assert recorded == sorted(recorded)
    assert (
        datetime(2025, 3, 1, tzinfo=UTC)
        <= recorded[0]
        < recorded[-1]
        < datetime(2025, 3, 9, tzinfo=UTC)
    )
    assert (pledge.version, pledge.updated_at) == (10, recorded[-1])
