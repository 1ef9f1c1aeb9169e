"""The history each process keeps as arrays (coalition.read.revisions): a write reaches it at
the next read, by reading only the revisions committed since, and what it holds is always
what a full read of the database gives."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, update
from sqlmodel import col, select

from coalition.access.auth import Actor
from coalition.bootstrap import initialise_database, open_database
from coalition.read import queries
from coalition.read.filters import PledgeFilter
from coalition.read.revisions import (
    HISTORIES,
    REVISION_CODES,
    Histories,
    RevisionArrays,
    revision_arrays,
)
from coalition.write.pledges import update_pledge
from core.settings import Settings
from core.vocabulary import EARLIEST_DATE, LATEST_DATE
from db.engine import create_db_engine, read_session, write_session
from db.models import DataVersion, ExchangeRate, Pledge, PledgeRevision
from tests.support.accounts import add_accounts
from tests.support.data import FIXTURE_DATA
from tests.support.pledges import add_pledge
from tests.support.statements import statements_sent

EVERYTHING = PledgeFilter(statuses=(), scopes=())


def read(engine, filters: PledgeFilter = EVERYTHING) -> RevisionArrays:
    with read_session(engine) as session:
        return revision_arrays(session, filters)


def rows(arrays: RevisionArrays) -> list[tuple]:
    """The arrays as sorted rows, to compare two reads whatever their order."""
    columns = [np.asarray(getattr(arrays, name)).tolist() for name in arrays.__dataclass_fields__]
    unknown = "NaN"  # NaN is not equal to itself: compared as a word
    return sorted(
        (tuple(unknown if v != v else v for v in row) for row in zip(*columns, strict=True)),
        key=repr,
    )


def fresh(engine, filters: PledgeFilter = EVERYTHING) -> RevisionArrays:
    HISTORIES.forget()
    return read(engine, filters)


def history_reads(engine):
    """The reads of the history (statement, parameters) made meanwhile on ``engine``."""
    return statements_sent(
        engine,
        lambda statement: (
            "FROM pledge_revision" in statement and "committed_version <=" in statement
        ),
    )


def test_a_write_reaches_the_kept_history_at_the_next_read(engine):
    before = read(engine)
    nz = _pledge(engine, "NZL", "troops")
    with write_session(engine) as session:
        update_pledge(
            session,
            actor=Actor("a@example.org"),
            pledge_id=nz.id,
            expected_version=nz.version,
            changes={"quantity": 150},
            reason="More trainers",
        )
    added = add_pledge(engine)
    after = read(engine)
    assert len(after) == len(before) + 2
    assert {(p, v) for p, v in zip(after.pledge_id, after.version, strict=True)} >= {
        (nz.id, nz.version + 1),
        (added, 1),
    }
    for filters in (
        EVERYTHING,
        PledgeFilter(categories=("troops",), statuses=(), scopes=()),
        PledgeFilter(regions=("Oceania",), statuses=(), scopes=()),
    ):
        kept = rows(read(engine, filters))
        assert kept == rows(fresh(engine, filters)), filters


def test_only_the_revisions_committed_since_are_read(engine):
    read(engine)
    with read_session(engine) as session:
        version = session.exec(select(DataVersion.version)).one()
    add_pledge(engine)
    with history_reads(engine) as statements:
        assert len(read(engine)) == len(fresh(engine))
    incremental = statements[0]
    assert "committed_version >" in incremental[0]
    assert version in (
        incremental[1].values() if isinstance(incremental[1], dict) else incremental[1]
    )
    with read_session(engine) as session:
        newest = session.exec(select(PledgeRevision).order_by(PledgeRevision.id.desc())).first()
        assert (
            newest.committed_version
            == version + 1
            == session.exec(select(DataVersion.version)).one()
        )


def test_a_database_replaced_at_the_same_address_is_read_afresh(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'app.db'}"
    first = create_db_engine(url)
    initialise_database(first, FIXTURE_DATA)
    add_accounts(first)
    add_pledge(first)
    assert len(read(first)) == 10
    first.dispose()
    (tmp_path / "app.db").unlink()
    second = create_db_engine(url)
    initialise_database(second, FIXTURE_DATA)  # the same version number, another database
    assert len(read(second)) == 9
    second.dispose()


@pytest.mark.parametrize("factor", [2.0])
def test_changed_rates_convert_the_history_again(engine, factor):
    funding = PledgeFilter(categories=("funding",), statuses=(), scopes=())
    before = read(engine, funding)
    with write_session(engine) as session:
        session.execute(
            update(ExchangeRate)
            .where(ExchangeRate.currency == "GBP")
            .values(units_per_eur=ExchangeRate.units_per_eur * factor)
        )
    after = read(engine, funding)
    assert rows(after) == rows(fresh(engine, funding))
    gbp = after.currency == "GBP"
    assert np.allclose(after.size[gbp] * factor, before.size[before.currency == "GBP"])


def _pledge(engine, code: str, category: str) -> Pledge:
    with read_session(engine) as session:
        return session.exec(
            select(Pledge).where(Pledge.participant_code == code, Pledge.category == category)
        ).one()


def read_with(histories: Histories, engine, filters: PledgeFilter = EVERYTHING) -> RevisionArrays:
    with read_session(engine) as session:
        return revision_arrays(session, filters, histories=histories)


def test_a_starting_process_reads_the_copy_on_disk_and_only_what_was_committed_since(
    engine, tmp_path: Path
):
    """A process that starts (a new Histories on the same folder) takes the copy the last one
    left and reads from the database only the revisions committed after it."""
    first = Histories(tmp_path)
    saved = read_with(first, engine)
    assert list(tmp_path.glob("history-*.npz")), "no copy was kept on disk"
    with read_session(engine) as session:
        version = session.exec(select(DataVersion.version)).one()
    add_pledge(engine)
    with history_reads(engine) as statements:
        started = read_with(Histories(tmp_path), engine)
    assert len(started) == len(saved) + 1
    assert rows(started) == rows(fresh(engine))
    # Revisions were read (the packed CASE columns) only above the copy's version.
    reads = [s for s in statements if "CASE" in s[0]]
    assert reads and all("committed_version >" in statement for statement, _ in reads)
    assert all(version in (p.values() if isinstance(p, dict) else p) for _, p in reads)


def test_a_copy_from_a_restored_or_damaged_database_is_not_used(engine, tmp_path: Path):
    """The copy on disk names the revisions it holds; a database that no longer has them (a
    backup put back, then other writes up to the same version) or a damaged file is read
    afresh, never served from the copy."""
    read_with(Histories(tmp_path), engine)
    (copy,) = tmp_path.glob("history-*.npz")
    for change in ({"version": PledgeRevision.version + 1}, {"quantity": 999_999}):
        with write_session(engine) as session:  # as many rows, at the same data version
            newest = session.exec(select(func.max(PledgeRevision.id))).one()
            session.execute(
                update(PledgeRevision).where(PledgeRevision.id == newest).values(change)
            )
        assert rows(read_with(Histories(tmp_path), engine)) == rows(fresh(engine)), change
    copy.write_bytes(b"not a copy")
    assert rows(read_with(Histories(tmp_path), engine)) == rows(fresh(engine))


def test_a_process_started_on_its_settings_keeps_its_copy_where_they_say(tmp_path: Path):
    folder = tmp_path / "cache"
    settings = Settings.from_env(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}",
            "COALITION_DATA_DIR": str(FIXTURE_DATA),
            "COALITION_CACHE_DIR": str(folder),
        }
    )
    engine, _ = open_database(settings)
    try:
        assert len(read(engine)) == 9
        assert len(list(folder.glob("history-*.npz"))) == 1
    finally:
        engine.dispose()
        HISTORIES.keep_on_disk(Settings.from_env().cache_dir)


def test_the_rates_are_read_again_whenever_one_changes(engine):
    """The rates each process keeps (queries.exchange_rates_frame) follow every edit, even
    one that keeps how many there are and what they add up to (two rates swapped)."""
    funding = PledgeFilter(categories=("funding",), statuses=(), scopes=())

    def amounts() -> dict[int, float]:
        with read_session(engine) as session:
            frame = queries.pledges_frame(session, funding)
        return dict(zip(frame["id"], frame["amount_eur"], strict=True))

    before = amounts()
    with read_session(engine) as session:
        gbp = session.exec(
            select(ExchangeRate).where(ExchangeRate.currency == "GBP").order_by(ExchangeRate.id)
        ).all()
    first, second = gbp[0], gbp[-1]
    assert first.units_per_eur != second.units_per_eur
    with write_session(engine) as session:
        for rate, units in ((first, second.units_per_eur), (second, first.units_per_eur)):
            session.execute(
                update(ExchangeRate).where(ExchangeRate.id == rate.id).values(units_per_eur=units)
            )
    after = amounts()
    assert after != before
    queries.forget_rates()
    assert amounts() == after  # what a process that starts now reads


def test_each_revision_is_read_as_the_database_holds_it_extremes_included(engine):
    """The figures travel packed, several to a number: every revision's pledge, version,
    days, coded columns and participant come back as stored, down to the first and last day
    the record takes and the largest version the column holds."""
    with engine.begin() as connection:  # values no form would take, straight into the table
        first, second = connection.execute(
            select(PledgeRevision.id).order_by(col(PledgeRevision.id)).limit(2)
        ).scalars()
        connection.execute(
            update(PledgeRevision)
            .where(col(PledgeRevision.id) == first)
            .values(effective_on=EARLIEST_DATE, announced_on=LATEST_DATE)
        )
        connection.execute(
            update(PledgeRevision)
            .where(col(PledgeRevision.id) == second)
            .values(effective_on=LATEST_DATE, announced_on=EARLIEST_DATE, version=2**31 - 1)
        )
    HISTORIES.forget()
    with read_session(engine) as session:
        history = HISTORIES.at(session)
        stored = session.exec(select(PledgeRevision)).all()
    arrays = history.arrays
    read_back = sorted(
        (
            int(arrays.pledge_id[n]),
            int(arrays.version[n]),
            arrays.effective_on[n].astype(date),
            arrays.announced_on[n].astype(date),
            history.codes[history.participant[n]],
            *(values[getattr(arrays, name)[n]] for name, values in REVISION_CODES.items()),
        )
        for n in range(len(arrays))
    )
    assert read_back == sorted(
        (
            r.pledge_id,
            r.version,
            r.effective_on,
            r.announced_on,
            r.participant_code,
            *(getattr(r, name) for name in REVISION_CODES),
        )
        for r in stored
    )
    assert (EARLIEST_DATE, LATEST_DATE) in {row[2:4] for row in read_back}
    assert 2**31 - 1 in {row[1] for row in read_back}
