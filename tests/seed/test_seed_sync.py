"""Corrected seed files reach a database seeded from older ones: through the one pledge write
path, once, leaving what staff changed as they left it, and with every "as of" view equal to a
database seeded from the corrected files in the first place."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, text
from sqlmodel import select

from coalition.access.auth import Actor
from coalition.bootstrap import InitOutcome, initialise_database
from coalition.read import queries, timeline
from coalition.read.as_of import counted_from
from coalition.read.filters import PledgeFilter
from coalition.read.review import last_checked_on
from coalition.seed.sync import CORRECTION_REASON
from coalition.write import reference
from coalition.write.pledges import update_pledge
from db.engine import create_db_engine, read_session, write_session
from db.migrate import migrate_to, upgrade_to_head
from db.models import AuditEvent, DataVersion, Event, Pledge, PledgeRevision, SeedPledge
from tests.support.accounts import ADMIN, add_accounts
from tests.support.seed_files import change, line_of, read, write

COMPARED = [
    "participant_code",
    "category",
    "status",
    "description",
    "quantity",
    "announced_on",
    "instrument",
    "scope",
    "amount_eur",
]


def pledge_for(engine: Engine, seed_key: str) -> Pledge:
    with read_session(engine) as session:
        mapped = session.get(SeedPledge, seed_key)
        return session.get(Pledge, mapped.pledge_id)


def correct(seed: Path) -> None:
    """Corrections of each kind: a figure, an announcement moved later, a new pledge, a new
    meeting with its list, a changed summary, a removed rate, a changed population."""
    pledges = seed / "pledges.csv"
    change(pledges, line_of(pledges, seed_key="gbr-funding"), quantity="1500000000")
    change(pledges, line_of(pledges, seed_key="fra-troops"), announced_on="2026-02-10")
    rows = read(pledges)
    added = dict(rows[line_of(pledges, seed_key="fra-ships") - 2])
    added.update(seed_key="pol-ships", participant_code="POL", description="Fixture new ships")
    write(pledges, [*rows, added])
    events = seed / "events.csv"
    change(events, line_of(events, held_on="2025-03-11"), summary="A corrected fixture summary.")
    write(
        events,
        [
            *read(events),
            {
                **read(events)[0],
                "held_on": "2025-10-01",
                "title": "Fixture added meeting",
                "host_codes": "POL",
            },
        ],
    )
    attendance = seed / "attendance.csv"
    write(
        attendance,
        [
            *read(attendance),
            {**read(attendance)[0], "held_on": "2025-10-01", "participant_code": "POL"},
        ],
    )
    rates = seed / "exchange_rates.csv"
    write(rates, [r for r in read(rates) if not (r["currency"] == "USD" and r["kind"] == "daily")])
    participants = seed / "participants.csv"
    change(participants, line_of(participants, code="FRA"), population="68400000")


def days_that_matter(*engines: Engine) -> list[date]:
    """Every day on which either database's "as of" view can change (an announcement or a
    revision taking effect), the day before each, and the record's first and last days: the
    views are step functions of the day, so equal on these is equal on every day."""
    days = {date(2025, 1, 1), date(2026, 3, 1)}
    for engine in engines:
        with read_session(engine) as session:
            revisions = pd.DataFrame(
                session.exec(
                    select(
                        PledgeRevision.announced_on,
                        PledgeRevision.announced_precision,
                        PledgeRevision.effective_on,
                    )
                ).all(),
                columns=["announced_on", "precision", "effective_on"],
            )
        days |= set(revisions["effective_on"])
        days |= set(counted_from(revisions["announced_on"], revisions["precision"]))
    return sorted(days | {day - timedelta(days=1) for day in days})


def views(engine: Engine, day: date) -> pd.DataFrame:
    filters = PledgeFilter(as_of=day, statuses=(), scopes=())
    with read_session(engine) as session:
        frame = queries.pledges_frame(session, filters)[COMPARED]
    return frame.sort_values(COMPARED[:4], ignore_index=True)


def test_corrections_reach_a_database_seeded_from_older_files(database_url, seed_copy, tmp_path):
    engine = create_db_engine(database_url)
    assert initialise_database(engine, seed_copy).outcome is InitOutcome.SEEDED
    correct(seed_copy)

    result = initialise_database(engine, seed_copy)

    assert result.outcome is InitOutcome.SYNCED
    report = result.sync
    assert sorted(report.pledges_corrected) == ["fra-troops", "gbr-funding"]
    assert report.pledges_created == ["pol-ships"]
    assert report.reference["events"] == {"added": 1, "updated": 1, "removed": 0}
    assert report.reference["exchange_rates"]["removed"] == 1
    assert report.reference["participants"]["updated"] == 1
    assert report.pledges_kept == [] and report.reference_kept == []
    # Through the write path: a new revision with the correction's reason; the old figure stays.
    corrected = pledge_for(engine, "gbr-funding")
    assert (corrected.version, corrected.quantity) == (2, 1_500_000_000)
    with read_session(engine) as session:
        history = session.exec(
            select(PledgeRevision.quantity, PledgeRevision.reason)
            .where(PledgeRevision.pledge_id == corrected.id)
            .order_by(PledgeRevision.version)
        ).all()
        assert [q for q, _ in history] == [1_600_000_000, 1_500_000_000]
        assert history[1][1] == CORRECTION_REASON
        assert session.exec(select(Event).where(Event.held_on == date(2025, 10, 1))).one()

    # Every "as of" day and the timeline read as if the corrected files had been seeded.
    fresh = create_db_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    initialise_database(fresh, seed_copy)
    for day in days_that_matter(engine, fresh):
        assert views(engine, day).equals(views(fresh, day)), day
    filters = PledgeFilter(statuses=(), scopes=())
    with read_session(engine) as session:
        synced, synced_counts = timeline.timeline_series(session, filters)
    with read_session(fresh) as session:
        seeded, seeded_counts = timeline.timeline_series(session, filters)
    assert_same_steps(
        synced.set_index(["category", "date"]), seeded.set_index(["category", "date"])
    )
    assert_same_steps(synced_counts.set_index("date"), seeded_counts.set_index("date"))

    # Once: the next start finds the files applied and changes nothing.
    with read_session(engine) as session:
        version = session.exec(select(DataVersion.version)).one()
    assert initialise_database(engine, seed_copy).outcome is InitOutcome.ALREADY_SEEDED
    with read_session(engine) as session:
        assert session.exec(select(DataVersion.version)).one() == version
    engine.dispose()
    fresh.dispose()


def assert_same_steps(left: pd.DataFrame, right: pd.DataFrame) -> None:
    """Two step series hold the same value on every day (one may repeat a value on extra
    days, where a correction moved a pledge without changing any total)."""
    days = left.index.union(right.index)
    if isinstance(days, pd.MultiIndex):
        for category in days.get_level_values(0).unique():
            assert_same_steps(left.loc[category], right.loc[category])
        return
    pd.testing.assert_frame_equal(
        left.reindex(days).ffill().fillna(0), right.reindex(days).ffill().fillna(0)
    )


def test_staff_changes_win_over_a_seed_correction(database_url, seed_copy):
    engine = create_db_engine(database_url)
    initialise_database(engine, seed_copy)
    add_accounts(engine)
    staff_pledge = pledge_for(engine, "nzl-troops")
    with write_session(engine) as session:
        update_pledge(
            session,
            actor=Actor(ADMIN),
            pledge_id=staff_pledge.id,
            expected_version=1,
            changes={"quantity": 95},
            reason="Embassy figure",
        )
    with write_session(engine) as session:
        event_id = session.exec(select(Event.id).where(Event.held_on == date(2025, 3, 2))).one()
        frame = reference.table_frame(session, reference.TABLES["events"])
        frame.loc[frame["id"] == event_id, "summary"] = "An admin's own summary."
        reference.save_table(session, actor=Actor(ADMIN), table_name="events", edited=frame)
    pledges = seed_copy / "pledges.csv"
    change(pledges, line_of(pledges, seed_key="nzl-troops"), quantity="120")
    events = seed_copy / "events.csv"
    change(events, line_of(events, held_on="2025-03-02"), summary="The seed's new summary.")

    report = initialise_database(engine, seed_copy).sync

    assert report.pledges_corrected == []
    assert report.pledges_kept == [f"nzl-troops (pledge {staff_pledge.id}: quantity)"]
    assert report.reference_kept == [f"events {event_id} (changed by an admin)"]
    assert pledge_for(engine, "nzl-troops").quantity == 95
    with read_session(engine) as session:
        assert session.get(Event, event_id).summary == "An admin's own summary."
        (entry,) = session.exec(select(AuditEvent).where(AuditEvent.action == "seed.sync")).all()
        assert entry.details["pledges_kept"] == report.pledges_kept
    engine.dispose()


def test_broken_corrected_files_leave_the_database_as_it_was(database_url, seed_copy):
    engine = create_db_engine(database_url)
    initialise_database(engine, seed_copy)
    pledges = seed_copy / "pledges.csv"
    change(pledges, line_of(pledges, seed_key="gbr-funding"), quantity="1500000000", source_url="")
    with pytest.raises(Exception, match="source_url"):
        initialise_database(engine, seed_copy)
    assert pledge_for(engine, "gbr-funding").quantity == 1_600_000_000
    engine.dispose()


def test_a_database_seeded_before_seed_keys_maps_its_pledges(sqlite_url, seed_copy):
    """The migration that adds seed keys finds the pledges the first seed file wrote by their
    first revision, so they take corrections like any other."""
    engine = create_db_engine(sqlite_url)
    initialise_database(engine, seed_copy)
    migrate_to(engine, "0005", downgrade=True)
    with engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE pledge_revision SET description = :legacy WHERE version = 1 "
                "AND participant_code = 'GBR' AND category = 'funding'"
            ),
            {"legacy": "£1.6bn deal for 5,000 air-defence missiles for Ukraine"},
        )
    upgrade_to_head(engine)
    with read_session(engine) as session:
        keys = {m.seed_key for m in session.exec(select(SeedPledge)).all()}
    assert keys == {"gbr-funding-lmm"}
    engine.dispose()


def test_a_seed_row_read_again_gets_a_newer_check_not_a_revision(database_url, seed_copy):
    engine = create_db_engine(database_url)
    initialise_database(engine, seed_copy)
    with read_session(engine) as session:
        revisions = len(session.exec(select(PledgeRevision.id)).all())
    pledges = seed_copy / "pledges.csv"
    change(pledges, line_of(pledges, seed_key="fra-ships"), checked_on="2026-01-15")
    # An older day than the database holds adds nothing.
    change(pledges, line_of(pledges, seed_key="gbr-troops"), checked_on="2025-11-01")

    report = initialise_database(engine, seed_copy).sync

    assert report.pledges_rechecked == ["fra-ships"]
    assert report.pledges_corrected == [] and report.pledges_created == []
    ships, troops = pledge_for(engine, "fra-ships").id, pledge_for(engine, "gbr-troops").id
    with read_session(engine) as session:
        assert len(session.exec(select(PledgeRevision.id)).all()) == revisions
        assert last_checked_on(session, [ships, troops]) == {
            ships: date(2026, 1, 15),
            troops: date(2025, 12, 1),
        }
    engine.dispose()
