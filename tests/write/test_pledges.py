"""The pledge write path on SQLite and PostgreSQL: pledge, revision and audit entry land
together or not at all."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func
from sqlmodel import select

from coalition.access.auth import Actor
from coalition.access.privacy import staff_id
from coalition.bootstrap import initialise_database
from coalition.errors import ValidationFailed, VersionConflict
from coalition.read import queries
from coalition.write.pledges import (
    create_pledge,
    create_pledges,
    update_pledge,
)
from db.engine import create_db_engine, read_session, write_session
from db.models import AuditEvent, Pledge, PledgeRevision
from tests.support.accounts import add_accounts
from tests.support.data import FIXTURE_DATA
from tests.support.pledges import NEW_PLEDGE, add_pledge, counts


def test_create_writes_pledge_revision_and_audit_together(engine):
    before = counts(engine)
    with write_session(engine) as session:
        pledge = create_pledge(
            session, actor=Actor("a@example.org"), values=NEW_PLEDGE, reason="Reported by MoD"
        )
        pledge_id = pledge.id
    assert counts(engine) == tuple(n + 1 for n in before)
    with read_session(engine) as session:
        revision = session.exec(
            select(PledgeRevision).where(PledgeRevision.pledge_id == pledge_id)
        ).one()
        assert (revision.version, revision.action, revision.actor) == (
            1,
            "create",
            "a@example.org",
        )
        assert revision.quantity == 2000 and revision.effective_on == date(2026, 2, 1)
        entry = session.exec(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert entry.action == "pledge.create" and entry.entity_id == str(pledge_id)
        frame = queries.pledges_frame(session)
        assert 2000 in frame.loc[frame["participant_code"] == "GBR", "quantity"].tolist()


def test_invalid_pledge_names_every_field_and_writes_nothing(engine):
    before = counts(engine)
    bad = NEW_PLEDGE | {
        "participant_code": "ZZZ",
        "quantity": -3,
        "source_url": "not a url",
        "end_on": date(2025, 1, 5),
        "start_on": date(2025, 2, 1),
    }
    with pytest.raises(ValidationFailed) as caught, write_session(engine) as session:
        create_pledge(session, actor=Actor("a@example.org"), values=bad, reason="test")
    assert set(caught.value.by_field()) == {"participant_code", "quantity", "source_url", "end_on"}
    assert counts(engine) == before


@pytest.mark.parametrize(
    ("field", "text"),
    [
        ("description", "Engineers\x1b]0;owned\x07\x1b[2J"),  # retitles and clears a terminal
        ("source_title", "UK MoD\u200b"),
        ("reason", "Reported\rOverwritten"),
    ],
)
def test_terminal_controls_are_refused_and_nothing_is_written(engine, field, text):
    before = counts(engine)
    values = NEW_PLEDGE | ({field: text} if field != "reason" else {})
    reason = text if field == "reason" else "test"
    with pytest.raises(ValidationFailed) as caught, write_session(engine) as session:
        create_pledge(session, actor=Actor("a@example.org"), values=values, reason=reason)
    assert list(caught.value.by_field()) == [field]
    assert counts(engine) == before


def test_failure_after_the_write_rolls_everything_back(engine):
    """A fault late in the use case leaves no half-written pledge behind."""
    before = counts(engine)
    with pytest.raises(RuntimeError), write_session(engine) as session:
        create_pledge(session, actor=Actor("a@example.org"), values=NEW_PLEDGE, reason="test")
        raise RuntimeError("crash after the flush")
    assert counts(engine) == before


def test_update_records_a_full_revision_of_only_the_changed_fields(engine):
    pledge_id = add_pledge(engine)
    with write_session(engine) as session:
        pledge = update_pledge(
            session,
            actor=Actor("b@example.org"),
            pledge_id=pledge_id,
            expected_version=1,
            changes={"quantity": 2500, "status": "deployed"},
            reason="Parliament approved a larger force",
            effective_on=date(2026, 3, 1),
        )
        assert pledge.version == 2
    with read_session(engine) as session:
        history = queries.pledge_revisions_frame(session, pledge_id)
        audit = session.exec(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        editor_id = staff_id(session, "b@example.org")
    assert history["version"].tolist() == [1, 2]
    assert history["quantity"].tolist() == [2000, 2500]
    assert history["status"].tolist() == ["committed", "deployed"]
    # The full state is carried forward: untouched fields are in the new revision too.
    assert history["description"].nunique() == 1
    # Who, as a pseudonymous staff id (the email stays in the admin-only audit log).
    assert history.iloc[1]["actor"] == editor_id and editor_id.startswith("staff-")
    assert audit.actor == "b@example.org"
    assert audit.details["changed"] == ["quantity", "status"]


def test_stale_version_is_refused_and_nothing_is_lost(engine):
    pledge_id = add_pledge(engine)
    with write_session(engine) as session:
        update_pledge(
            session,
            actor=Actor("a@example.org"),
            pledge_id=pledge_id,
            expected_version=1,
            changes={"quantity": 2100},
            reason="first edit",
        )
    before = counts(engine)
    with pytest.raises(VersionConflict) as caught, write_session(engine) as session:
        update_pledge(
            session,
            actor=Actor("b@example.org"),
            pledge_id=pledge_id,
            expected_version=1,
            changes={"quantity": 1900},
            reason="second edit",
        )
    assert caught.value.current_version == 2
    assert counts(engine) == before
    with read_session(engine) as session:
        assert session.get(Pledge, pledge_id).quantity == 2100


def test_saving_the_same_values_writes_no_revision(engine):
    pledge_id = add_pledge(engine)
    before = counts(engine)
    with write_session(engine) as session:
        pledge = update_pledge(
            session,
            actor=Actor("a@example.org"),
            pledge_id=pledge_id,
            expected_version=1,
            changes={"quantity": 2000},
            reason="same",
        )
        assert pledge.version == 1
    assert counts(engine) == before


def test_a_reason_is_required(engine):
    with pytest.raises(ValidationFailed) as caught, write_session(engine) as session:
        create_pledge(session, actor=Actor("a@example.org"), values=NEW_PLEDGE, reason="  ")
    assert caught.value.by_field() == {"reason": ["is required: say why this change is made"]}


def test_simultaneous_edits_from_one_version_let_exactly_one_win(engine):
    """Eight editors save the same pledge from the same version at once."""
    pledge_id = add_pledge(engine)
    editors = 8
    barrier = threading.Barrier(editors)
    outcomes: list[str] = []

    def edit(n: int) -> None:
        barrier.wait()
        try:
            with write_session(engine) as session:
                update_pledge(
                    session,
                    actor=Actor(f"editor{n}@example.org"),
                    pledge_id=pledge_id,
                    expected_version=1,
                    changes={"quantity": 3000 + n},
                    reason=f"edit {n}",
                )
            outcomes.append("saved")
        except VersionConflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=edit, args=(n,)) for n in range(editors)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["conflict"] * (editors - 1) + ["saved"]
    with read_session(engine) as session:
        history = queries.pledge_revisions_frame(session, pledge_id)
        current = session.get(Pledge, pledge_id)
    assert history["version"].tolist() == [1, 2]
    assert current.version == 2 and current.quantity == history.iloc[-1]["quantity"]


def test_a_stale_read_is_caught_by_the_guarded_update(postgres_url):
    """The editor's session still holds version 1 when someone else saves version 2: the
    version check inside the UPDATE itself refuses the write. (PostgreSQL only: on SQLite the
    write lock taken at the first read keeps the second writer out altogether.)"""
    engine = create_db_engine(postgres_url)
    initialise_database(engine, FIXTURE_DATA)
    add_accounts(engine)
    pledge_id = add_pledge(engine)
    with pytest.raises(VersionConflict) as caught, write_session(engine) as stale:
        assert stale.get(Pledge, pledge_id).version == 1
        with write_session(engine) as other:
            update_pledge(
                other,
                actor=Actor("b@example.org"),
                pledge_id=pledge_id,
                expected_version=1,
                changes={"quantity": 2100},
                reason="first",
            )
        update_pledge(
            stale,
            actor=Actor("a@example.org"),
            pledge_id=pledge_id,
            expected_version=1,
            changes={"quantity": 1900},
            reason="second",
        )
    assert caught.value.current_version == 2
    with read_session(engine) as session:
        assert session.get(Pledge, pledge_id).quantity == 2100
        assert len(queries.pledge_revisions_frame(session, pledge_id)) == 2
    engine.dispose()


def test_withdraw_and_restore_are_named_in_the_history(engine):
    pledge_id = add_pledge(engine)
    for version, status in ((1, "withdrawn"), (2, "committed")):
        with write_session(engine) as session:
            update_pledge(
                session,
                actor=Actor("admin@example.org"),
                pledge_id=pledge_id,
                expected_version=version,
                changes={"status": status},
                reason=status,
            )
    with read_session(engine) as session:
        history = queries.pledge_revisions_frame(session, pledge_id)
        entries = session.exec(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert history["action"].tolist() == ["create", "withdraw", "restore"]
    assert entries[-2:] == ["pledge.withdraw", "pledge.restore"]


def test_every_write_moves_the_data_version_once(engine):
    with read_session(engine) as session:
        before = queries.data_version(session)
        data_writes = session.exec(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action.like("pledge.%"))
        ).one()
    # The seeded pledges and the seed's own entry, written in one transaction: one step.
    assert data_writes == 9 and before == 1
    add_pledge(engine)
    with read_session(engine) as session:
        assert queries.data_version(session) == before + 1


hostile_text = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        [
            "",
            " ",
            "-1",
            "1e400",
            "nan",
            "=1+1",
            "2024-12-31",
            "2099-01-01",
            "ZZZ",
            "javascript:alert(1)",
            "x" * 600,
            "\x00",
            "１２",
        ]
    ),
)


@settings(
    max_examples=1000,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    field=st.sampled_from(
        [
            "participant_code",
            "category",
            "status",
            "quantity",
            "currency",
            "announced_on",
            "start_on",
            "end_on",
            "source_url",
            "source_title",
            "confidence",
            "description",
            "quantity_qualifier",
            "announced_precision",
        ]
    ),
    value=st.one_of(hostile_text, st.integers(-(10**13), 10**13), st.floats(), st.none()),
)
def test_hostile_input_through_the_write_path(sqlite_engine_for_fuzzing, field, value):
    """Each generated value replaces one field of a valid pledge. An invalid one is refused
    with that field named and the database left exactly as it was; a valid one is written
    with its revision."""
    engine = sqlite_engine_for_fuzzing
    before = counts(engine)
    try:
        with write_session(engine) as session:
            create_pledge(
                session,
                actor=Actor("a@example.org"),
                values=NEW_PLEDGE | {field: value},
                reason="fuzz",
            )
    except ValidationFailed as failure:
        assert counts(engine) == before
        named = {p.field for p in failure.problems}
        assert named and named <= {field, "currency", "quantity_qualifier", "end_on"}
        return
    assert counts(engine) == tuple(n + 1 for n in before)


@pytest.fixture(scope="module")
def sqlite_engine_for_fuzzing(tmp_path_factory):
    engine = create_db_engine(f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'fuzz.db'}")
    initialise_database(engine, FIXTURE_DATA)
    add_accounts(engine)
    yield engine
    engine.dispose()


def test_a_batch_is_checked_whole_then_written_with_a_revision_and_audit_entry_each(engine):
    actor = Actor("a@example.org")
    ships = NEW_PLEDGE | {"category": "ships", "quantity": 3, "description": "Minehunters"}
    bad = NEW_PLEDGE | {"quantity": -1, "description": "Negative"}
    before = counts(engine)
    with pytest.raises(ValidationFailed) as caught, write_session(engine) as session:
        create_pledges(session, actor=actor, entries=[NEW_PLEDGE, bad, ships], reason="batch")
    assert [(p.row, p.field) for p in caught.value.problems] == [(2, "quantity")]
    assert counts(engine) == before

    with write_session(engine) as session:
        version = queries.data_version(session)
        ids = create_pledges(
            session, actor=actor, entries=[NEW_PLEDGE, ships], reason="batch", batch_id="b-1"
        )
    assert counts(engine) == tuple(n + 2 for n in before)
    with read_session(engine) as session:
        assert queries.data_version(session) == version + 1  # one step for the whole batch
        for pledge_id, values in zip(ids, [NEW_PLEDGE, ships], strict=True):
            pledge = session.get(Pledge, pledge_id)
            assert (pledge.description, pledge.quantity, pledge.version) == (
                values["description"],
                values["quantity"],
                1,
            )
            revision = session.exec(
                select(PledgeRevision).where(PledgeRevision.pledge_id == pledge_id)
            ).one()
            assert (revision.batch_id, revision.effective_on, revision.recorded_at) == (
                "b-1",
                values["announced_on"],
                pledge.updated_at,
            )
            entry = session.exec(
                select(AuditEvent).where(
                    AuditEvent.action == "pledge.create", AuditEvent.entity_id == str(pledge_id)
                )
            ).one()
            assert entry.details["batch_id"] == "b-1" and entry.actor == actor.email
