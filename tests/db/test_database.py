"""Start-up on real databases: migrate, seed, idempotence, concurrency, SQLite settings."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel, select

from coalition.bootstrap import InitOutcome, initialise_database
from coalition.read import queries
from core.settings import PROJECT_ROOT
from db.engine import SQLITE_BUSY_TIMEOUT_MS, create_db_engine, read_session
from db.migrate import current_revision, head_revision
from db.models import (
    AuditEvent,
    Event,
    EventAttendance,
    ExchangeRate,
    Participant,
    Pledge,
    PledgeRevision,
    Target,
)
from tests.support.data import FIXTURE_DATA, cli_env

TABLES = (
    Participant,
    Pledge,
    PledgeRevision,
    Event,
    EventAttendance,
    ExchangeRate,
    Target,
    AuditEvent,
)


def row_counts(engine) -> dict[str, int]:
    with read_session(engine) as session:
        return {
            t.__tablename__: session.exec(select(func.count()).select_from(t)).one() for t in TABLES
        }


def test_first_start_migrates_and_seeds(empty_engine):
    result = initialise_database(empty_engine, FIXTURE_DATA)
    assert result.outcome is InitOutcome.SEEDED
    assert current_revision(empty_engine) == head_revision()
    counts = row_counts(empty_engine)
    assert counts["participant"] == 7
    assert counts["pledge"] == 9
    # Every seeded pledge entered through the write path: one revision and one audit entry each.
    assert counts["pledge_revision"] == counts["pledge"]
    # ... plus the seed's own entry and the first admin account's.
    assert counts["audit_event"] == counts["pledge"] + 2
    assert counts["event"] == 3 and counts["target"] == 2 and counts["exchange_rate"] == 8
    assert counts["event_attendance"] == 17


def test_second_start_changes_nothing(engine):
    before = row_counts(engine)
    with read_session(engine) as session:
        version_before = queries.data_version(session)
    result = initialise_database(engine, FIXTURE_DATA)
    assert result.outcome is InitOutcome.ALREADY_SEEDED
    assert result.admin_password is None  # the first admin exists already
    assert row_counts(engine) == before
    with read_session(engine) as session:
        assert queries.data_version(session) == version_before


def test_unpublished_sizes_are_stored_as_null(engine):
    with read_session(engine) as session:
        gbr_troops = session.exec(
            select(Pledge).where(Pledge.participant_code == "GBR", Pledge.category == "troops")
        ).one()
        assert gbr_troops.quantity is None
        nzl_troops = session.exec(
            select(Pledge).where(Pledge.participant_code == "NZL", Pledge.category == "troops")
        ).one()
        assert nzl_troops.quantity == 100 and nzl_troops.quantity_qualifier == "up_to"


def test_schema_at_head_matches_the_models(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []


def test_two_processes_starting_together_seed_once(database_url):
    """Two `init` commands race on one empty database: both succeed, the data land once."""
    command = [sys.executable, "-m", "coalition", "init"]
    env = cli_env(database_url)
    processes = [
        subprocess.Popen(
            command,
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=120) for p in processes]
    assert [p.returncode for p in processes] == [0, 0], outputs
    messages = sorted(out for out, _ in outputs)
    assert "(already seeded)" in messages[0] and "(seeded)" in messages[1]
    engine = create_db_engine(database_url)
    assert row_counts(engine)["pledge"] == 9
    engine.dispose()


def test_sqlite_connections_use_wal_foreign_keys_busy_timeout_and_full_sync(sqlite_url):
    engine = create_db_engine(sqlite_url)
    with engine.connect() as connection:
        pragma = {
            name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")
        }
    assert pragma == {
        "journal_mode": "wal",
        "foreign_keys": 1,
        "busy_timeout": SQLITE_BUSY_TIMEOUT_MS,
        "synchronous": 2,
    }
    engine.dispose()


def test_foreign_keys_are_enforced(engine):
    with engine.connect() as connection, pytest.raises(IntegrityError):
        connection.execute(
            text(
                "INSERT INTO event_attendance (event_id, participant_code, source_title) "
                "VALUES (999999, 'ZZZ', 'x')"
            )
        )


@pytest.mark.parametrize("column", ["announced_on", "start_on", "end_on"])
@pytest.mark.parametrize("day", ["2024-12-31", "2036-01-01"])
def test_the_database_refuses_a_pledge_date_outside_the_shared_range(engine, column, day):
    with engine.connect() as connection, pytest.raises(IntegrityError):
        connection.execute(
            text(f"UPDATE pledge SET {column} = :day WHERE id = (SELECT min(id) FROM pledge)"),
            {"day": date.fromisoformat(day)},
        )
