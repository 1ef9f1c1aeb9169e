"""Server-side sessions, in the domain: a token stands for its account until it is idle too
long, too old, revoked or its account disabled; only its digest is stored."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update
from sqlmodel import select

from coalition.access import auth, sessions, tokens
from coalition.access.auth import Actor
from db.engine import read_session, write_session
from db.models import WebSession, utc_now
from tests.support.accounts import ADMIN, VIEWER

POLICY = sessions.SessionPolicy(idle=timedelta(hours=8), lifetime=timedelta(days=7))


def start(engine) -> str:
    with write_session(engine) as session:
        return sessions.start_session(session, auth.find_account(session, VIEWER), POLICY)


def check(engine, token: str) -> str:
    with read_session(engine) as session:
        return sessions.find_session(session, token, POLICY)[1]


def age(engine, **changes) -> None:
    with write_session(engine) as session:
        session.execute(update(WebSession).values(**changes))


def test_a_session_lasts_until_idle_too_long(engine):
    token = start(engine)
    assert check(engine, token) == "ok"
    age(engine, last_seen_at=utc_now() - timedelta(hours=8, minutes=1))
    assert check(engine, token) == "idle session"


def test_a_session_ends_at_its_time_limit_however_busy(engine):
    token = start(engine)
    age(engine, expires_at=utc_now() - timedelta(seconds=1))
    assert check(engine, token) == "expired session"


def test_revocations_end_sessions(engine):
    token = start(engine)
    with write_session(engine) as session:
        assert auth.sign_out_everywhere(session, actor=Actor(ADMIN), email=VIEWER) == 1
    assert check(engine, token) == "revoked session"
    token = start(engine)
    with write_session(engine) as session:
        auth.set_password(
            session, actor=Actor(ADMIN), email=VIEWER, password="another long passphrase here"
        )
    assert check(engine, token) == "revoked session"
    token = start(engine)
    with write_session(engine) as session:
        assert sessions.end_session(session, token)
    assert check(engine, token) == "revoked session"


def token_works(engine, token: str) -> bool:
    with write_session(engine) as session:
        return tokens.holder_of(session, token) is not None


def test_an_accounts_api_tokens_end_with_its_sessions(engine):
    admin = Actor(ADMIN)
    lockdowns = (
        lambda session: auth.sign_out_everywhere(session, actor=admin, email=VIEWER),
        lambda session: auth.set_password(
            session, actor=admin, email=VIEWER, password="another long passphrase here"
        ),
        lambda session: auth.set_role(session, actor=admin, email=VIEWER, role="editor"),
        lambda session: auth.set_disabled(session, actor=admin, email=VIEWER, disabled=True),
    )
    for lockdown in lockdowns:
        with write_session(engine) as session:
            token = tokens.create_token(session, actor=Actor(VIEWER), email=VIEWER, name="pandas")
        assert token_works(engine, token)
        with write_session(engine) as session:
            lockdown(session)
        assert not token_works(engine, token)
        with read_session(engine) as session:
            assert all(t["revoked"] for t in tokens.tokens_of(session, VIEWER))
    # Enabled again, the account's old tokens stay revoked.
    with write_session(engine) as session:
        auth.set_disabled(session, actor=admin, email=VIEWER, disabled=False)
    assert not token_works(engine, token)


def test_signing_in_again_and_again_keeps_only_the_newest_sessions_open(engine):
    started = [start(engine) for _ in range(sessions.MAX_OPEN_SESSIONS + 5)]
    assert [check(engine, token) for token in started[:5]] == ["revoked session"] * 5
    assert {check(engine, token) for token in started[5:]} == {"ok"}
    with read_session(engine) as session:
        open_rows = session.exec(select(WebSession).where(WebSession.revoked_at == None))  # noqa: E711
        assert len(open_rows.all()) == sessions.MAX_OPEN_SESSIONS


def test_only_a_digest_is_stored_and_strangers_tokens_sign_nobody_in(engine):
    token = start(engine)
    with read_session(engine) as session:
        (stored,) = session.exec(select(WebSession.token_hash)).all()
    assert stored == sessions.digest(token) and token not in stored
    for forged in (stored, token[:-1], "", None, "x" * 1000):
        assert check(engine, forged) != "ok"


def test_weak_passwords_are_refused_with_the_reason(engine):
    for weak in ("aaaaaaaaaaaaaaaa", "abcdefghijklmnop", "password12345", "viewer@example.org1"):
        with write_session(engine) as session:
            try:
                auth.set_password(session, actor=Actor(ADMIN), email=VIEWER, password=weak)
            except auth.ValidationFailed as failure:
                assert failure.problems[0].message.startswith("is too easy to guess")
            else:
                raise AssertionError(f"{weak!r} was accepted")
