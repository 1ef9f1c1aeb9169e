"""The current pledge table each process keeps (coalition.read.queries.CURRENT_PLEDGES): after
a pledge's write the next read asks the database for that pledge alone, after any other write
it reads the table afresh, and what it gives is always what a full read of the database gives.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pandas as pd
import pytest
from sqlmodel import select

from coalition.access.auth import Actor
from coalition.read import queries
from coalition.read.filters import PledgeFilter
from coalition.write.checks import record_checks
from coalition.write.pledges import update_pledge
from db.engine import read_session, write_session
from db.models import Pledge
from tests.support.pledges import add_pledge
from tests.support.statements import statements_sent

FILTERS = (
    PledgeFilter(statuses=(), scopes=()),
    PledgeFilter(),
    PledgeFilter(categories=("troops",)),
    PledgeFilter(statuses=("committed",)),
    PledgeFilter(regions=("Europe",)),
)
EDITOR = Actor("a@example.org")


@pytest.fixture(autouse=True)
def nothing_kept() -> Iterator[None]:
    queries.CURRENT_PLEDGES.forget()  # another test's database may have had this address
    yield
    queries.CURRENT_PLEDGES.forget()


def table_reads(engine):
    """The reads of the current pledge table made meanwhile on ``engine``."""
    return statements_sent(engine, lambda statement: "FROM pledge JOIN participant" in statement)


def kept(engine, filters: PledgeFilter) -> pd.DataFrame:
    with read_session(engine) as session:
        return queries.pledges_frame(session, filters)


def full_read(engine, filters: PledgeFilter) -> pd.DataFrame:
    """The table read whole, by a keeper that holds nothing yet."""
    with read_session(engine) as session:
        return queries.CurrentPledges().frame(session, filters)


def update(engine, pledge_id: int, **changes) -> None:
    with write_session(engine) as session:
        version = session.get(Pledge, pledge_id).version
        update_pledge(
            session,
            actor=EDITOR,
            pledge_id=pledge_id,
            expected_version=version,
            changes=changes,
            reason="A newer report",
        )


def pledge_id(engine, code: str, category: str) -> int:
    with read_session(engine) as session:
        return session.exec(
            select(Pledge.id).where(Pledge.participant_code == code, Pledge.category == category)
        ).one()


def assert_as_read_whole(engine) -> None:
    for filters in FILTERS:
        pd.testing.assert_frame_equal(kept(engine, filters), full_read(engine, filters))


def test_a_pledges_write_is_read_again_alone_and_the_table_is_as_a_full_read(engine):
    for filters in FILTERS:
        kept(engine, filters)
    troops = pledge_id(engine, "NZL", "troops")
    funding = pledge_id(engine, "GBR", "funding")
    writes = [
        lambda: update(engine, troops, quantity=150),
        lambda: add_pledge(engine),
        # Out of the committed pledges, and back.
        lambda: update(engine, funding, status="announced"),
        lambda: update(engine, funding, status="committed"),
        # A text column with one value in it (blank before, and blank again after).
        lambda: update(engine, troops, conditions="Only after a ceasefire"),
        lambda: update(engine, troops, conditions=None),
    ]
    for write in writes:
        write()
        with table_reads(engine) as reads:
            for filters in FILTERS:
                kept(engine, filters)
        # One read per set of filters, of the written pledge alone.
        assert len(reads) == len(FILTERS)
        assert all("pledge.id IN" in read for read, _ in reads), reads
        assert_as_read_whole(engine)
    # Two writes between reads: both pledges read again.
    update(engine, troops, quantity=175)
    update(engine, funding, notes="Confirmed by the ministry")
    with table_reads(engine) as reads:
        table = kept(engine, FILTERS[0])
    assert len(reads) == 1 and "pledge.id IN" in reads[0][0]
    assert table.set_index("id").loc[troops, "quantity"] == 175
    assert table.set_index("id").loc[funding, "notes"] == "Confirmed by the ministry"
    assert_as_read_whole(engine)
    # No write: nothing read.
    with table_reads(engine) as reads:
        kept(engine, FILTERS[0])
    assert reads == []


def test_any_other_write_reads_the_table_afresh(engine):
    kept(engine, FILTERS[0])
    troops = pledge_id(engine, "NZL", "troops")
    with write_session(engine) as session:
        record_checks(session, actor=EDITOR, pledge_ids=[troops])
    with table_reads(engine) as reads:
        table = kept(engine, FILTERS[0])
    # A check is joined to the pledge, not a revision of it: read whole, with the check.
    assert len(reads) == 1 and "pledge.id IN" not in reads[0][0]
    assert table.set_index("id").loc[troops, "checked_on"] is not None
    assert_as_read_whole(engine)


def test_a_pinned_read_takes_the_kept_table_only_when_nothing_was_recorded_after_the_pin(engine):
    """A snapshot pinned to the last write is made from the kept table; pinned before it, or
    with a write committed while the kept table was read (another process's), from the
    revisions recorded by the pin."""
    troops = pledge_id(engine, "NZL", "troops")

    def pinned_read(known_at, current=lambda: "kept table") -> str:
        with read_session(engine) as session:
            return queries.as_known_at(
                session, known_at, current=current, recorded=lambda: "revisions"
            )

    with read_session(engine) as session:
        pin = queries.last_recorded(session)
    assert pinned_read(pin) == "kept table"
    assert pinned_read(None) == "kept table"  # today's record
    assert pinned_read(pin - timedelta(microseconds=1)) == "revisions"

    def written_meanwhile() -> str:
        update(engine, troops, quantity=150)  # committed by another session
        return "kept table"

    # PostgreSQL's reads see each commit as it lands: the write is seen and the read goes to
    # the revisions. A SQLite read transaction sees the database as it was when it began,
    # before the write, as the kept table read in it does.
    expected = "revisions" if engine.dialect.name == "postgresql" else "kept table"
    assert pinned_read(pin, written_meanwhile) == expected
    assert pinned_read(pin) == "revisions"  # the write was recorded after the pin
