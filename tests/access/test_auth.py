"""Accounts, roles and sign-in on real databases: refusals are audited, nothing leaks."""

from __future__ import annotations

import contextlib
import threading
from dataclasses import fields
from datetime import UTC, date, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, text
from sqlmodel import select

from coalition.access import audit, auth, flood, passwords, tokens
from coalition.access.auth import Actor, PermissionDenied
from coalition.bootstrap import initialise_database
from coalition.read import queries
from coalition.text.safe_csv import to_csv
from coalition.write.pledges import create_pledge, update_pledge
from db.engine import create_db_engine, read_session, write_session
from db.models import AuditEvent, Pledge, PledgeRevision, SignInAttempt
from tests.factories import pledge
from tests.support.accounts import ADMIN, LOCAL_EDITOR, PASSWORD, VIEWER
from tests.support.data import FIXTURE_DATA, run_cli

PLEDGE = pledge(
    participant_code="FRA",
    description="Engineers",
    announced_on=date(2026, 3, 1),
    source_title="French MoD",
)


def audit_actions(engine, action: str) -> list[AuditEvent]:
    with read_session(engine) as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.action == action)).all())


def pledge_counts(engine) -> tuple[int, int]:
    with read_session(engine) as session:
        return tuple(
            session.exec(select(func.count()).select_from(t)).one()
            for t in (Pledge, PledgeRevision)
        )


def test_a_viewers_write_is_refused_audited_and_writes_nothing(engine):
    before = pledge_counts(engine)
    with pytest.raises(PermissionDenied), write_session(engine) as session:
        create_pledge(session, actor=Actor(VIEWER), values=PLEDGE, reason="try")
    assert pledge_counts(engine) == before
    (refusal,) = audit_actions(engine, "write.refused")
    assert refusal.actor == VIEWER
    assert refusal.details == {"attempted": "pledge.create", "role": "viewer", "required": "editor"}


def test_a_refusal_keeps_nothing_of_its_transaction_but_its_audit_entry(engine):
    """The refusal is not committed part-way: what the transaction wrote before it is rolled
    back, and the refusal is audited on its own afterwards."""
    before = pledge_counts(engine), len(audit_actions(engine, "pledge.create"))
    with pytest.raises(auth.RoleRefused), write_session(engine) as session:
        create_pledge(session, actor=Actor(LOCAL_EDITOR), values=PLEDGE, reason="first")
        auth.set_role(session, actor=Actor(LOCAL_EDITOR), email=LOCAL_EDITOR, role="admin")
    assert (pledge_counts(engine), len(audit_actions(engine, "pledge.create"))) == before
    (refusal,) = audit_actions(engine, "write.refused")
    assert refusal.actor == LOCAL_EDITOR and refusal.details["attempted"] == "account.set_role"


def test_strangers_and_disabled_accounts_cannot_write(engine):
    with write_session(engine) as session:
        auth.set_disabled(session, actor=Actor(ADMIN), email="a@example.org", disabled=True)
    for actor in (Actor("nobody@example.org"), Actor("a@example.org"), None):
        with pytest.raises(PermissionDenied), write_session(engine) as session:
            create_pledge(session, actor=actor, values=PLEDGE, reason="try")
    assert len(audit_actions(engine, "write.refused")) == 3


def test_only_an_admin_restores_a_withdrawn_pledge(engine):
    with write_session(engine) as session:
        pledge_id = create_pledge(
            session, actor=Actor("a@example.org"), values=PLEDGE, reason="first"
        ).id
    with write_session(engine) as session:
        update_pledge(
            session,
            actor=Actor("a@example.org"),
            pledge_id=pledge_id,
            expected_version=1,
            changes={"status": "withdrawn"},
            reason="gone",
        )
    with pytest.raises(PermissionDenied), write_session(engine) as session:
        update_pledge(
            session,
            actor=Actor("a@example.org"),
            pledge_id=pledge_id,
            expected_version=2,
            changes={"status": "announced"},
            reason="back",
        )
    with write_session(engine) as session:
        restored = update_pledge(
            session,
            actor=Actor(ADMIN),
            pledge_id=pledge_id,
            expected_version=2,
            changes={"status": "announced"},
            reason="Confirmed after all",
        )
        assert restored.version == 3


def test_a_role_change_takes_effect_at_once(engine):
    with write_session(engine) as session:
        auth.set_role(session, actor=Actor(ADMIN), email="b@example.org", role="viewer")
    with pytest.raises(PermissionDenied), write_session(engine) as session:
        create_pledge(session, actor=Actor("b@example.org"), values=PLEDGE, reason="try")


def test_only_admins_manage_accounts(engine):
    with pytest.raises(PermissionDenied), write_session(engine) as session:
        auth.set_role(session, actor=Actor(LOCAL_EDITOR), email=LOCAL_EDITOR, role="admin")
    with read_session(engine) as session:
        assert auth.role_of(session, Actor(LOCAL_EDITOR)) == "editor"


def sign_in(engine, email: str, password: str, address: str = "10.0.0.1") -> auth.SignedIn:
    with write_session(engine) as session:
        return auth.sign_in(session, email=email, password=password, address=address)


def test_sign_in_with_the_right_password(engine):
    assert sign_in(engine, " Editor@Example.org ", PASSWORD).email == LOCAL_EDITOR
    assert [e.entity_id for e in audit_actions(engine, "auth.sign_in")] == [LOCAL_EDITOR]


@pytest.mark.parametrize(
    ("email", "password", "reason"),
    [
        (LOCAL_EDITOR, "wrong password!!", "wrong password"),
        ("nobody@example.org", PASSWORD, "unknown account"),
        ("a@example.org", PASSWORD, "no local password"),
    ],
)
def test_every_failed_sign_in_reads_the_same_and_is_audited(engine, email, password, reason):
    with pytest.raises(PermissionDenied) as refusal:
        sign_in(engine, email, password)
    assert str(refusal.value) == auth.SIGN_IN_FAILED
    (failure,) = audit_actions(engine, "auth.sign_in_failed")
    assert failure.details == {"reason": reason, "address": "10.0.0.1"}
    if reason == "unknown account":  # whatever was typed is not stored: it may be a password
        assert failure.entity_id.startswith("unknown:") and email not in failure.entity_id
    else:
        assert failure.entity_id == email


def test_the_stand_in_hash_for_unknown_accounts_costs_what_a_real_one_does():
    """An unknown email is checked against a stored stand-in hash, so that it takes as long as
    a known one. It must carry the parameters the app hashes real passwords with (a library
    upgrade that changes them fails here: make a new one with ``PasswordHasher().hash``)."""
    app_hasher = PasswordHasher()  # the app's own; the tests' cheap one is patched over it
    assert not app_hasher.check_needs_rehash(passwords.DUMMY_HASH)
    assert not passwords.verify(passwords.DUMMY_HASH, PASSWORD)


def test_failures_slow_further_attempts_by_growing_delays_never_a_lock(engine):
    for _ in range(auth.PAIR.free):
        with pytest.raises(PermissionDenied):
            sign_in(engine, LOCAL_EDITOR, "not the password")
    # The next attempt from the same place comes too soon: not even the password is checked.
    with pytest.raises(auth.Throttled) as wait:
        sign_in(engine, LOCAL_EDITOR, PASSWORD)
    assert wait.value.seconds == 1 and str(wait.value).startswith(auth.SIGN_IN_FAILED)
    reasons = [e.details["reason"] for e in audit_actions(engine, "auth.sign_in_failed")]
    assert reasons == ["wrong password"] * auth.PAIR.free + ["throttled"]
    # Somebody else elsewhere, and this account from another place, are not held up.
    assert sign_in(engine, VIEWER, PASSWORD).email == VIEWER
    assert sign_in(engine, LOCAL_EDITOR, PASSWORD, address="10.0.0.2").email == LOCAL_EDITOR


@pytest.mark.parametrize(
    ("failures", "free", "waits"),
    [(2, 3, 0.0), (3, 3, 1.0), (4, 3, 2.0), (8, 3, 32.0), (30, 3, 900.0), (15, 10, 32.0)],
)
def test_delays_double_with_each_failure_up_to_their_cap(failures, free, waits):
    now = datetime.now(UTC)
    throttle = auth.Throttle(free=free, cap=timedelta(minutes=15))
    assert auth._wait([now] * failures, throttle, now) == waits


def checked_passwords(engine, address: str | None = None) -> int:
    """Sign-in attempts whose password was checked (a throttled one is not)."""
    with read_session(engine) as session:
        query = select(func.count()).select_from(SignInAttempt)
        if address is not None:
            query = query.where(SignInAttempt.address == address)
        return session.exec(query).one()


def test_a_thousand_quick_guesses_from_one_address_get_nowhere(engine):
    """Each account a guesser tries from one place is throttled, and so is the place: of 1,000
    quick guesses only a handful are checked against a hash."""
    for n in range(1_000):
        with pytest.raises(PermissionDenied):
            sign_in(engine, f"guess{n % 50}@example.org" if n % 2 else LOCAL_EDITOR, "nope nope")
    assert checked_passwords(engine) <= 15
    # The audit log holds the first of them one by one and counts the rest (a flood must
    # not bury other entries): see tests/access/test_audit_flood.py.
    assert len(audit_actions(engine, "auth.sign_in_failed")) == flood.FLOOD_GATE.limit
    # Not a lock: the editor signs in from their own place, and an admin can clear the delays.
    assert sign_in(engine, LOCAL_EDITOR, PASSWORD, address="192.0.2.7").email == LOCAL_EDITOR
    with write_session(engine) as session:
        assert auth.unlock(session, actor=Actor(ADMIN), email=LOCAL_EDITOR) > 0
    with read_session(engine) as session:
        assert auth.wait_before_next_attempt(session, LOCAL_EDITOR, "192.0.2.8") == 0


def test_passwords_are_argon2id_and_never_leave_the_database(engine):
    with read_session(engine) as session:
        stored = auth.find_account(session, LOCAL_EDITOR).password_hash
        listed = auth.list_accounts(session)
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    sign_in(engine, LOCAL_EDITOR, PASSWORD)
    with pytest.raises(PermissionDenied):
        sign_in(engine, LOCAL_EDITOR, "a guess that is wrong")
    with read_session(engine) as session:
        log = to_csv(queries.audit_frame(session)).decode()
    for secret in (PASSWORD, stored, "a guess that is wrong", "$argon2"):
        assert secret not in log
        assert secret not in repr(listed)


def test_short_passwords_and_bad_emails_are_refused(engine):
    with pytest.raises(auth.ValidationFailed) as caught, write_session(engine) as session:
        auth.add_account(
            session, actor=Actor(ADMIN), email="not-an-email", role="boss", password="short"
        )
    assert set(caught.value.by_field()) == {"email", "role"}
    with pytest.raises(auth.ValidationFailed) as caught, write_session(engine) as session:
        auth.add_account(
            session, actor=Actor(ADMIN), email="new@example.org", role="viewer", password="short"
        )
    assert caught.value.by_field() == {"password": ["must be at least 12 characters"]}


# A season or word of the app, a year and symbols: long enough, and among the first guesses.
GUESSABLE = (
    "Summer2025!!",
    "Welcome2025!!",
    "Winter2025!!",
    "Spring2026!!",
    "Qwerty2025!!",
    "Ukraine2025!!",
    "Coalition2025!",
    "ukraine-2025",
    "Admin@localhost1",
    "coalition tracker 2025",
    "new.person@example.org",
)


@pytest.mark.parametrize("password", GUESSABLE)
def test_guessable_passwords_are_refused_without_repeating_them(engine, password):
    with pytest.raises(auth.ValidationFailed) as caught, write_session(engine) as session:
        auth.add_account(
            session,
            actor=Actor(ADMIN),
            email="new.person@example.org",
            role="viewer",
            password=password,
        )
    (problem,) = caught.value.problems
    assert problem.field == "password" and problem.message.startswith("is too easy to guess")
    assert password.lower() not in str(caught.value).lower()
    with read_session(engine) as session:
        assert auth.find_account(session, "new.person@example.org") is None


def test_passphrases_of_unrelated_words_and_random_passwords_are_accepted(engine):
    for n, password in enumerate(
        (
            PASSWORD,
            "a long enough password",
            "purple monkey dishwasher",
            passwords.random_password(),
        )
    ):
        with write_session(engine) as session:
            auth.add_account(
                session,
                actor=Actor(ADMIN),
                email=f"p{n}@example.org",
                role="viewer",
                password=password,
            )
    assert sign_in(engine, "p3@example.org", password).role == "viewer"


def test_first_start_creates_one_admin_with_a_random_password(tmp_path):
    passwords = []
    for name in ("one", "two"):
        engine = create_db_engine(f"sqlite:///{tmp_path / name}.db")
        result = initialise_database(engine, FIXTURE_DATA, "chief@example.org")
        assert result.admin_email == "chief@example.org"
        passwords.append(result.admin_password)
        assert initialise_database(engine, FIXTURE_DATA).admin_password is None
        assert sign_in(engine, "chief@example.org", result.admin_password).role == "admin"
        engine.dispose()
    assert passwords[0] != passwords[1] and len(passwords[0]) >= 20


def test_the_users_command_line(sqlite_url):
    init = run_cli(sqlite_url, "init")
    assert init.returncode == 0 and "Created the first admin account admin@localhost" in init.stderr
    added = run_cli(
        sqlite_url,
        "users",
        "add",
        "Ed@Example.org",
        "--role",
        "editor",
        stdin="a long enough password\n",
    )
    assert added.returncode == 0, added.stderr
    assert run_cli(sqlite_url, "users", "set-role", "ed@example.org", "admin").returncode == 0
    assert run_cli(sqlite_url, "users", "disable", "ed@example.org").returncode == 0
    listing = run_cli(sqlite_url, "users", "list").stdout
    assert "ed@example.org\tadmin\tdisabled\tpassword" in listing
    assert "$argon2" not in listing and "a long enough password" not in listing
    short = run_cli(
        sqlite_url, "users", "add", "x@example.org", "--role", "viewer", stdin="short\n"
    )
    assert short.returncode == 2 and "password: must be at least 12 characters" in short.stderr
    # A password is never taken from the command line.
    assert (
        run_cli(
            sqlite_url, "users", "add", "y@example.org", "--role", "viewer", "--password", "x" * 20
        ).returncode
        == 2
    )
    assert run_cli(sqlite_url, "users", "enable", "ed@example.org").returncode == 0
    unlocked = run_cli(sqlite_url, "users", "unlock-address", "203.0.113.9")
    assert unlocked.returncode == 0
    assert unlocked.stdout.strip() == "Cleared 0 failed sign-in(s) from 203.0.113.9."
    not_an_address = run_cli(sqlite_url, "users", "unlock-address", "x" * 65)
    assert not_an_address.returncode == 2 and "is not an address" in not_an_address.stderr
    engine = create_db_engine(sqlite_url)
    with write_session(engine) as session:
        assert auth.sign_in(session, email="ed@example.org", password="a long enough password")
    engine.dispose()


def test_account_and_token_listings_show_old_control_characters_escaped(engine, database_url):
    """An email or token name stored before control characters were refused is listed with
    them escaped: a terminal never runs them, and a tab or line break never splits a line."""
    with write_session(engine) as session:
        tokens.create_token(session, actor=Actor(ADMIN), email=VIEWER, name="laptop")
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE user_account SET email = :email WHERE email = :old"),
            {"email": "old\x1b]0;owned\x07@example.org", "old": LOCAL_EDITOR},
        )
        connection.execute(text("UPDATE api_token SET name = :name"), {"name": "lap\x1b[2Jtop\n1"})
    users = run_cli(database_url, "users", "list")
    listed_tokens = run_cli(database_url, "tokens", "list", VIEWER)
    assert users.returncode == listed_tokens.returncode == 0, users.stderr + listed_tokens.stderr
    assert "old\\x1b]0;owned\\x07@example.org\teditor\tactive\tpassword\n" in users.stdout
    assert "\tlap\\x1b[2Jtop\\n1\tactive\t" in listed_tokens.stdout
    for control in "\x1b\x07":
        assert control not in users.stdout + listed_tokens.stdout


def test_parallel_guesses_cannot_outrun_the_throttle(engine):
    """Twelve wrong passwords at once from one place: counting and recording are serialised
    per account, so no more than the free attempts are checked against the real hash."""
    barrier = threading.Barrier(12)

    def guess() -> None:
        barrier.wait()
        with contextlib.suppress(PermissionDenied):
            sign_in(engine, LOCAL_EDITOR, "a wrong guess!")

    threads = [threading.Thread(target=guess) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    reasons = [e.details["reason"] for e in audit_actions(engine, "auth.sign_in_failed")]
    assert reasons.count("wrong password") == auth.PAIR.free
    assert reasons.count("throttled") == 12 - auth.PAIR.free


def test_parallel_guesses_at_many_accounts_from_one_place_cannot_outrun_its_throttle(engine):
    """Fifty sign-ins at once from one address, each naming another account: the count per
    address is serialised too, so exactly the address's free attempts are checked."""
    barrier = threading.Barrier(50)

    def guess(n: int) -> None:
        barrier.wait()
        with contextlib.suppress(PermissionDenied):
            sign_in(engine, f"someone{n}@example.org", "a wrong guess!", address="203.0.113.9")

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert checked_passwords(engine, "203.0.113.9") == auth.ADDRESS.free
    # An admin clears the address's delay: the next attempt from there is checked at once.
    with write_session(engine) as session:
        cleared = auth.unlock_address(session, actor=Actor(ADMIN), address="203.0.113.9")
    assert cleared == auth.ADDRESS.free
    assert sign_in(engine, VIEWER, PASSWORD, address="203.0.113.9").email == VIEWER
    (entry,) = audit_actions(engine, "account.unlock_address")
    assert entry.entity_id == "203.0.113.9" and entry.details == {"failures_cleared": 10}


def test_a_nul_byte_in_a_sign_in_email_is_a_failed_sign_in(engine):
    with pytest.raises(auth.SignInRefused) as refusal:
        sign_in(engine, "editor\x00@example.org", PASSWORD)
    assert str(refusal.value) == auth.SIGN_IN_FAILED
    (failure,) = audit_actions(engine, "auth.sign_in_failed")
    assert failure.details["reason"] == "unknown account"


def test_long_email_addresses_work(engine):
    email = "a.very.long.name.of.someone@ministry-of-foreign-affairs.example.org"
    with write_session(engine) as session:
        auth.add_account(session, actor=Actor(ADMIN), email=email, role="viewer", password=PASSWORD)
    assert sign_in(engine, email, PASSWORD).email == email


def test_every_kind_of_audit_entry_is_in_a_group_the_audit_log_can_filter_by():
    kinds = audit.event_classes()
    assert len(kinds) >= 24
    assert [k.__name__ for k in kinds if audit.group_of(k.action) is None] == []
    # A field may not hide what every entry answers (its name, details, ...).
    methods = {"name", "entity_name", "entity_id", "details", "changes"}
    assert [k.__name__ for k in kinds if methods & {f.name for f in fields(k)}] == []
