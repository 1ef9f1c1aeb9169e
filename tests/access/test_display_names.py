"""An account's display name ("Baltic desk"): shown in histories and What changed instead of
the pseudonymous staff id, never an email; snapshots keep the staff id; a name that could pass
for an email, a staff id, the application or another account is refused and nothing changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func
from sqlmodel import select

from coalition.access import auth, display_names
from coalition.access.auth import Actor
from coalition.access.privacy import staff_id
from coalition.errors import ValidationFailed
from coalition.output.snapshots import build_snapshot
from coalition.read import changes, queries
from coalition.read.filters import PledgeFilter
from coalition.write.pledges import update_pledge
from core import clock
from db.engine import read_session, write_session
from db.models import AuditEvent, Pledge
from tests.support.accounts import EDITORS
from tests.support.app import start_app

EDITOR = EDITORS[0]
OTHER = EDITORS[1]


def name_account(engine, email: str, name: str) -> str | None:
    with write_session(engine) as session:
        return display_names.set_display_name(session, actor=Actor(email), name=name)


def edit_new_zealand(engine, email: str) -> int:
    with write_session(engine) as session:
        pledge = session.exec(
            select(Pledge).where(Pledge.participant_code == "NZL", Pledge.category == "troops")
        ).one()
        update_pledge(
            session,
            actor=Actor(email),
            pledge_id=pledge.id,
            expected_version=pledge.version,
            changes={"quantity": 120},
            reason="Six more trainers",
        )
        return pledge.id


def test_histories_and_what_changed_name_the_account_snapshots_keep_the_staff_id(engine):
    pledge_id = edit_new_zealand(engine, EDITOR)
    with read_session(engine) as session:
        pseudonym = staff_id(session, EDITOR)
        version_before = queries.data_version(session)
    name_account(engine, EDITOR, "  Baltic   desk ")  # spaces tidied
    today = clock.today()
    with read_session(engine) as session:
        assert queries.data_version(session) > version_before  # cached histories rebuilt
        history = queries.pledge_revisions_frame(session, pledge_id)
        changed = changes.changes_between(session, PledgeFilter(), today - timedelta(1), today)
        snapshot = build_snapshot(session, PledgeFilter(), datetime.now(UTC)).csv.decode()
        entry = session.exec(
            select(AuditEvent).where(AuditEvent.action == "account.set_display_name")
        ).one()
    assert history["actor"].iloc[-1] == "Baltic desk"
    assert "Baltic desk" in set(changed["actor"])
    assert "Baltic desk" not in snapshot and pseudonym in snapshot
    assert EDITOR not in snapshot and EDITOR not in set(history["actor"])
    assert entry.details == {"previous": None, "display_name": "Baltic desk"}
    # Cleared, the staff id is back.
    name_account(engine, EDITOR, "")
    with read_session(engine) as session:
        assert queries.pledge_revisions_frame(session, pledge_id)["actor"].iloc[-1] == pseudonym


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("a@example.org", "may not hold '@'"),
        ("Staff-0123456789", "is how the application names others"),
        ("Seed", "is how the application names others"),
        ("command line", "is how the application names others"),
        ("x" * 61, "is 61 characters; at most 60"),
        ("Baltic\x1b[31m desk", "control character"),
        ("BALTIC DESK", "is another account's display name"),
    ],
)
def test_a_name_that_could_mislead_is_refused_and_nothing_changes(engine, name, problem):
    name_account(engine, OTHER, "Baltic desk")
    name_account(engine, EDITOR, "Nordic desk")
    with read_session(engine) as session:
        entries = session.exec(select(func.count()).select_from(AuditEvent)).one()
    with pytest.raises(ValidationFailed) as refused, write_session(engine) as session:
        display_names.set_display_name(session, actor=Actor(EDITOR), name=name)
    assert refused.value.problems[0].field == "display_name"
    assert problem in refused.value.problems[0].message
    with read_session(engine) as session:
        assert auth.find_account(session, EDITOR).display_name == "Nordic desk"
        assert session.exec(select(func.count()).select_from(AuditEvent)).one() == entries


def test_only_ones_own_account_and_only_when_signed_in(engine):
    with pytest.raises(auth.PermissionDenied), write_session(engine) as session:
        display_names.set_display_name(session, actor=Actor("nobody@example.org"), name="Ghost")
    with pytest.raises(ValueError):
        Actor.for_system("a name no part of the application acts under")


def test_the_account_page_sets_the_name_shown_in_histories(monkeypatch, database_url, engine):
    edit_new_zealand(engine, EDITOR)
    at = start_app(monkeypatch, database_url, email=EDITOR).run()
    at.switch_page("../pages/account.py").run()
    with read_session(engine) as session:
        pseudonym = staff_id(session, EDITOR)
    assert any(pseudonym in m.value for m in at.markdown)
    (field,) = [t for t in at.text_input if t.label == "Display name"]
    field.input("Baltic desk")
    at.button[[b.label for b in at.button].index("Save display name")].click().run()
    assert not at.exception
    assert [s.value for s in at.success] == ["Histories now name you “Baltic desk”."]
    at.switch_page("../pages/changes.py").run()
    assert not at.exception
    shown = [df.value for df in at.dataframe]
    assert any("Baltic desk" in frame.to_csv() for frame in shown)
    assert not any(EDITOR in frame.to_csv() for frame in shown)
    # A refusal is shown on the page, naming what is wrong; nothing is saved.
    at.switch_page("../pages/account.py").run()
    (field,) = [t for t in at.text_input if t.label == "Display name"]
    field.input("me@example.org")
    at.button[[b.label for b in at.button].index("Save display name")].click().run()
    assert any("may not hold '@'" in e.value for e in at.error)
    with read_session(engine) as session:
        assert auth.find_account(session, EDITOR).display_name == "Baltic desk"
