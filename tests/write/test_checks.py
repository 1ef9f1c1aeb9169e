"""Checks: the day a person read a pledge against its source. Saving a pledge records one;
a re-read that finds it unchanged records one alone, never a revision; a snapshot pinned to a
moment shows the checks made by then; review-due lists what was not read for N days."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from coalition.access.auth import Actor, PermissionDenied
from coalition.errors import ValidationFailed
from coalition.output.snapshots import build_snapshot, pin_known_at
from coalition.read import queries
from coalition.read.filters import PledgeFilter
from coalition.read.review import check_summary, last_checked_on, review_due
from coalition.write.checks import pledge_ids_named, record_checks
from coalition.write.pledges import create_pledge, update_pledge
from db.engine import read_session, write_session
from db.models import AuditEvent, PledgeCheck, PledgeRevision, SeedPledge
from tests.factories import pledge
from tests.support.accounts import VIEWER
from tests.support.data import run_cli

EDITOR = Actor("a@example.org")
SEEDED_CHECK = date(2025, 12, 1)  # the fixture's checked_on


def seed_pledge_id(engine, key: str) -> int:
    with read_session(engine) as session:
        return session.exec(select(SeedPledge.pledge_id).where(SeedPledge.seed_key == key)).one()


def shown_check(engine, pledge_id: int, known_at: datetime | None = None):
    with read_session(engine) as session:
        frame = queries.pledges_frame(session, PledgeFilter(statuses=(), scopes=()), known_at)
    return frame.set_index("id").loc[pledge_id, "checked_on"]


def test_the_seed_records_each_rows_check_day_and_the_tables_show_it(engine):
    pledge_id = seed_pledge_id(engine, "gbr-troops")
    assert shown_check(engine, pledge_id) == SEEDED_CHECK
    with read_session(engine) as session:
        assert session.exec(select(PledgeRevision.id)).all()  # checks are not revisions
        checks = session.exec(select(PledgeCheck).where(PledgeCheck.pledge_id == pledge_id)).all()
    assert [(c.checked_on, c.recorded_by) for c in checks] == [(SEEDED_CHECK, "seed")]


def test_saving_a_pledge_is_a_check_that_day(engine, fixed_clock):
    changed_id = seed_pledge_id(engine, "gbr-troops")
    with write_session(engine) as session:
        new_id = create_pledge(session, actor=EDITOR, values=pledge(), reason="By MoD").id
        update_pledge(
            session,
            actor=EDITOR,
            pledge_id=changed_id,
            expected_version=1,
            changes={"status": "committed"},
            reason="Signed",
        )
    assert shown_check(engine, new_id) == fixed_clock.date()
    assert shown_check(engine, changed_id) == fixed_clock.date()


def test_a_reread_records_a_check_not_a_revision(engine):
    pledge_id = seed_pledge_id(engine, "fra-ships")
    with read_session(engine) as session:
        revisions = len(session.exec(select(PledgeRevision.id)).all())
    before = datetime.now(UTC)
    with write_session(engine) as session:
        ids = pledge_ids_named(session, ["fra-ships", f"pledge {pledge_id}"])
        assert record_checks(session, actor=EDITOR, pledge_ids=ids, checked_on="2026-05-30") == 1
    with read_session(engine) as session:
        assert len(session.exec(select(PledgeRevision.id)).all()) == revisions
        entry = session.exec(select(AuditEvent).where(AuditEvent.action == "pledge.check")).one()
        assert entry.details == {"pledge_ids": [pledge_id], "checked_on": "2026-05-30"}
    assert shown_check(engine, pledge_id) == date(2026, 5, 30)
    # A snapshot pinned before the re-read still shows the check it showed then.
    assert shown_check(engine, pledge_id, known_at=before) == SEEDED_CHECK


def test_a_snapshot_taken_after_a_reread_shows_it(engine):
    """The default pin (no time given) follows re-reads too: a snapshot downloaded after
    "I read its source today" shows that day, not the check before it."""
    pledge_id = seed_pledge_id(engine, "fra-ships")
    with write_session(engine) as session:
        record_checks(session, actor=EDITOR, pledge_ids=[pledge_id], checked_on="2026-05-30")
    with read_session(engine) as session:
        pin = pin_known_at(session, "")
        snapshot = build_snapshot(session, PledgeFilter(statuses=(), scopes=()), pin)
    rows = {int(r["pledge_id"]): r for r in csv.DictReader(io.StringIO(snapshot.csv.decode()))}
    assert rows[pledge_id]["checked_on"] == "2026-05-30"


def test_a_check_that_names_no_pledge_or_a_bad_day_is_refused_and_nothing_is_written(
    engine, fixed_clock
):
    with read_session(engine) as session:
        before = session.exec(select(PledgeCheck.id)).all()
    with pytest.raises(ValidationFailed) as caught, write_session(engine) as session:
        record_checks(session, actor=EDITOR, pledge_ids=[999_999], checked_on="2026-06-02")
    assert [str(p) for p in caught.value.problems] == [
        "pledge_ids: no pledge with the id 999999",
        "checked_on: 2026-06-02 is in the future",
    ]
    with pytest.raises(ValidationFailed) as caught, write_session(engine) as session:
        pledge_ids_named(session, ["no-such-key", "0"])
    assert [str(p) for p in caught.value.problems] == [
        "pledges: 'no-such-key' is no seed key or pledge number",
        "pledges: '0' is no seed key or pledge number",
    ]
    with pytest.raises(PermissionDenied), write_session(engine) as session:
        record_checks(session, actor=Actor(VIEWER), pledge_ids=[1])
    with read_session(engine) as session:
        assert session.exec(select(PledgeCheck.id)).all() == before


def test_review_due_lists_the_rows_not_read_for_n_days_oldest_first(engine):
    pledge_id = seed_pledge_id(engine, "pol-troops")
    with write_session(engine) as session:
        record_checks(session, actor=EDITOR, pledge_ids=[pledge_id], checked_on="2026-01-10")
    with read_session(engine) as session:
        due = review_due(session, days=30, today=date(2026, 1, 20))
        summary = check_summary(session, days=30, today=date(2026, 1, 20))
        assert last_checked_on(session, [pledge_id]) == {pledge_id: date(2026, 1, 10)}
    keys = {(row.table, row.key) for row in due}
    assert ("pledges", "pol-troops") not in keys
    assert ("pledges", "gbr-troops") in keys and ("participants", "NZL") in keys
    assert ("attendance", "2025-03-11 NZL") in keys and ("events", "2025-09-04") in keys
    assert [row.checked_on for row in due] == sorted(row.checked_on for row in due)
    assert summary.due == len(due) and summary.oldest == due[0]
    # Read in the last 30 days: pol-troops now, and the two fixture rows checked on 7 Jan 2026.
    assert summary.rows - summary.due == 3


def test_the_command_line_lists_rows_due_and_records_a_reread(database_url, engine):
    pledge_id = seed_pledge_id(engine, "gbr-troops")
    due = run_cli(database_url, "review-due", "--days", "1")
    assert due.returncode == 0, due.stderr
    lines = due.stdout.splitlines()
    assert "pledges\tgbr-troops\t2025-12-01 (" in "\n".join(lines)
    assert f"{len(lines)} row(s) not read against their sources in the last 1 days." in due.stderr

    marked = run_cli(database_url, "mark-checked", "gbr-troops", "--on", "2026-01-31")
    assert marked.returncode == 0, marked.stderr
    assert marked.stdout == "Recorded 1 check(s) on 2026-01-31.\n"
    assert shown_check(engine, pledge_id) == date(2026, 1, 31)

    refused = run_cli(database_url, "mark-checked", "gbr-troops", "nothing-like-it")
    assert refused.returncode == 2
    assert "'nothing-like-it' is no seed key or pledge number" in refused.stderr
    assert "nothing was written" in refused.stderr
    assert run_cli(database_url, "review-due", "--days", "0").returncode == 2
    assert shown_check(engine, pledge_id) == date(2026, 1, 31)
