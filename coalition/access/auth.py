"""Accounts, roles and sign-in. Every write checks its actor's role here, against the database,
so a page hidden from a role is not the only thing standing between it and a write."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from coalition.access import audit, passwords
from coalition.access.privacy import keyed_digest
from coalition.access.sessions import end_access_of
from coalition.errors import Problem, ValidationFailed
from coalition.text.checks import check_text
from core.vocabulary import ROLES
from db.engine import Refusal
from db.models import SignInAttempt, UserAccount, utc_now

ROLE_RANK = {role: rank for rank, role in enumerate(ROLES)}
# Failures older than this no longer slow anyone down.
FAILURE_WINDOW = timedelta(minutes=15)
SIGN_IN_FAILED = "Email or password is incorrect."
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


class PermissionDenied(Refusal):
    """The actor may not do this. Nothing the refused transaction wrote is kept; the refusal's
    own record is (see db.engine.Refusal: write_session commits it)."""


class RoleRefused(PermissionDenied):
    """A write by an actor without the role it needs. Its audit entry is written by the write
    path after the refused transaction is rolled back."""

    def __init__(self, actor: Actor | None, *, action: str, role: str | None, minimum: str):
        super().__init__(f"{action} needs the {minimum} role")
        self.actor = actor.email if actor else "anonymous"
        self.event = audit.WriteRefused(attempted=action, role=role, required=minimum)

    def record(self, session: Session) -> None:
        audit.record(session, actor=self.actor, event=self.event)


@dataclass(frozen=True)
class Actor:
    """Who is acting. A person's role is read from the database at every write; a system
    actor (the seed loader) acts for the application itself."""

    email: str
    system: bool = False

    @classmethod
    def for_system(cls, name: str) -> Actor:
        if name not in SYSTEM_NAMES:
            raise ValueError(f"{name!r} is not one of SYSTEM_NAMES")
        return cls(email=name, system=True)


# The names the application acts under (histories show them as they are): listed, so that no
# person can take one as a display name.
SYSTEM_NAMES = frozenset(
    {"seed", "system", "bootstrap", "command line", "bench", "benchmark", "anonymous"}
    | {"tests", "screenshots"}  # the test suite's and the screenshot script's fixtures
)


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def find_account(session: Session, email: str) -> UserAccount | None:
    if check_text("email", email) is not None:
        return None  # no account has such an address, and PostgreSQL cannot compare NUL
    return session.exec(
        select(UserAccount).where(UserAccount.email == normalise_email(email))
    ).first()


def role_of(session: Session, actor: Actor | None) -> str | None:
    """The actor's current role, or None for a stranger or a disabled account."""
    if actor is None:
        return None
    if actor.system:
        return "admin"
    # Memoised for the transaction (a bulk import writes thousands of pledges).
    roles = session.info.setdefault("roles", {})
    if actor.email not in roles:
        account = find_account(session, actor.email)
        roles[actor.email] = None if account is None or account.disabled else account.role
    return roles[actor.email]


def allows(role: str | None, minimum: str) -> bool:
    return role is not None and ROLE_RANK[role] >= ROLE_RANK[minimum]


def require_role(
    session: Session, actor: Actor | None, event: type[audit.Event], **names: Any
) -> None:
    """Call first in every write, with the kind of audit entry it makes (and what names its
    action): that entry's class says the least role the write needs. A refusal raises
    RoleRefused and commits nothing: the caller's transaction is rolled back and the refusal
    audited on its own (write_session)."""
    action, minimum = event.needs(**names)
    role = role_of(session, actor)
    if not allows(role, minimum):
        raise RoleRefused(actor, action=action, role=role, minimum=minimum)


def refuse_page(
    session: Session, *, email: str | None, role: str | None, page: str, required: str
) -> None:
    """Record that someone opened a page their role may not use (the page says why)."""
    audit.record(
        session,
        actor=email or "anonymous",
        event=audit.PageRefused(page=page, role=role, required=required),
    )


def _check_new_account(session: Session, email: str, role: str) -> None:
    problems = []
    if check_text("email", email) is not None or not EMAIL.match(email) or len(email) > 254:
        problems.append(Problem("email", f"'{email}' is not an email address"))
    elif find_account(session, email) is not None:
        problems.append(Problem("email", f"an account for {email} exists already"))
    if role not in ROLES:
        problems.append(Problem("role", f"'{role}' is not one of: {', '.join(ROLES)}"))
    if problems:
        raise ValidationFailed(problems)


def add_account(
    session: Session, *, actor: Actor, email: str, role: str, password: str | None
) -> UserAccount:
    """A new account. Without a password it can only sign in through the identity provider."""
    require_role(session, actor, audit.AccountAdded)
    email = normalise_email(email)
    _check_new_account(session, email, role)
    if password is not None:
        passwords.check(password, email)
    account = UserAccount(
        email=email,
        role=role,
        password_hash=passwords.password_hasher.hash(password) if password is not None else None,
    )
    session.add(account)
    try:
        session.flush()
    except IntegrityError:
        # Another admin added the same email a moment ago. Raised without the database's
        # error, whose statement parameters hold the new password's hash.
        raise ValidationFailed(
            [Problem("email", f"an account for {email} exists already")]
        ) from None
    audit.record(
        session,
        actor=actor.email,
        event=audit.AccountAdded(email=email, role=role, local_password=password is not None),
    )
    session.flush()
    return account


def existing_account(session: Session, email: str) -> UserAccount:
    account = find_account(session, email)
    if account is None:
        raise ValidationFailed([Problem("email", f"no account for {normalise_email(email)}")])
    return account


def set_role(session: Session, *, actor: Actor, email: str, role: str) -> UserAccount:
    require_role(session, actor, audit.RoleSet)
    account = existing_account(session, email)
    if role not in ROLES:
        raise ValidationFailed([Problem("role", f"'{role}' is not one of: {', '.join(ROLES)}")])
    previous, account.role = account.role, role
    session.info.pop("roles", None)
    if previous != role:
        end_access_of(session, account, reason="role changed")
    audit.record(
        session,
        actor=actor.email,
        event=audit.RoleSet(email=account.email, previous=previous, role=role),
    )
    session.flush()
    return account


def set_disabled(session: Session, *, actor: Actor, email: str, disabled: bool) -> UserAccount:
    require_role(session, actor, audit.AccountDisabled, state="disable")
    account = existing_account(session, email)
    account.disabled = disabled
    session.info.pop("roles", None)
    if disabled:
        end_access_of(session, account, reason="account disabled")
    audit.record(
        session,
        actor=actor.email,
        event=audit.AccountDisabled(email=account.email, disabled=disabled),
    )
    session.flush()
    return account


def set_password(session: Session, *, actor: Actor, email: str, password: str) -> UserAccount:
    require_role(session, actor, audit.PasswordSet)
    account = existing_account(session, email)
    passwords.check(password, account.email)
    account.password_hash = passwords.password_hasher.hash(password)
    end_access_of(session, account, reason="password changed")
    audit.record(session, actor=actor.email, event=audit.PasswordSet(email=account.email))
    session.flush()
    return account


def list_accounts(session: Session) -> list[dict]:
    """Accounts without their hashes: nothing that lists accounts ever sees one."""
    return [
        {
            "email": a.email,
            "role": a.role,
            "disabled": a.disabled,
            "local_password": a.password_hash is not None,
            "display_name": a.display_name,
            "created_at": a.created_at,
        }
        for a in session.exec(select(UserAccount).order_by(UserAccount.email)).all()
    ]


@dataclass(frozen=True)
class Throttle:
    """Failures allowed before delays start, and the longest delay: each further failure
    doubles the wait (1 s, 2 s, 4 s ...). Delays never become a lock: once waited out, the
    next attempt is checked as usual, and an admin can clear them (unlock)."""

    free: int
    cap: timedelta


# Per account and client address together (a person mistyping, or a guesser at one place),
# and per address whatever the account (one place trying many accounts). Deliberately not per
# account alone: a guesser anywhere could then hold the real person up for good. Guessers
# spread over many places meet zxcvbn-strong passwords and the audit log instead.
PAIR, ADDRESS = (
    Throttle(free=3, cap=timedelta(minutes=15)),
    Throttle(free=10, cap=timedelta(minutes=15)),
)


def _wait(failures: list[datetime], throttle: Throttle, now: datetime) -> float:
    """Seconds still to wait after these failures (oldest first), or 0."""
    if len(failures) < throttle.free:
        return 0.0
    doubling = min(len(failures) - throttle.free, 30)  # past any cap long before 2**30 s
    delay = min(timedelta(seconds=2**doubling), throttle.cap)
    return max(0.0, (_aware(failures[-1]) + delay - now).total_seconds())


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _failures(session: Session, *conditions) -> list[datetime]:
    since = utc_now() - FAILURE_WINDOW
    return list(
        session.exec(
            select(SignInAttempt.occurred_at)
            .where(*conditions, SignInAttempt.occurred_at >= since, ~col(SignInAttempt.succeeded))
            .order_by(col(SignInAttempt.occurred_at))
        ).all()
    )


def wait_before_next_attempt(session: Session, subject: str, address: str) -> float:
    """How long this account and address must wait before a password is checked again."""
    now = utc_now()
    by_subject = SignInAttempt.subject == subject
    by_address = SignInAttempt.address == address
    return max(
        _wait(_failures(session, by_subject, by_address), PAIR, now),
        _wait(_failures(session, by_address), ADDRESS, now),
    )


@dataclass(frozen=True)
class SignedIn:
    email: str
    role: str
    account: UserAccount


class SignInRefused(PermissionDenied):
    """A failed sign-in. The attempt and its audit entry are the sign-in's outcome, recorded
    in its own transaction under the lock that counts attempts: write_session commits that
    transaction as it stands (a sign-in is a transaction of its own), then raises this."""

    keeps_transaction = True

    def __init__(self, message: str = SIGN_IN_FAILED):
        super().__init__(message)


class Throttled(SignInRefused):
    """Too many recent failures from here or for this account: wait ``seconds``."""

    def __init__(self, seconds: float):
        self.seconds = max(1, math.ceil(seconds))
        super().__init__(f"{SIGN_IN_FAILED} Try again in {self.seconds} seconds.")


def sign_in(session: Session, *, email: str, password: str, address: str = "unknown") -> SignedIn:
    """Check a local account's password. Every failure reads the same to the person signing in
    (SIGN_IN_FAILED) and is audited with its real reason. Failures slow further attempts by
    growing delays (see Throttle), checked before the password is. A failure raises
    SignInRefused; the caller's write_session commits its attempt and audit entry. Nothing here
    commits: a right password's audit entry (and rehash) go with the caller's transaction."""
    email = normalise_email(email)[:254]
    address = (address or "unknown")[:64]
    _serialise_attempts(session, email, address)
    account = find_account(session, email)
    # What someone typed as an email is not recorded unless it is an account: it may be a
    # password typed into the wrong box.
    subject = email if account is not None else "unknown:" + keyed_digest(session, email)
    reason, wait = None, wait_before_next_attempt(session, subject, address)
    if wait > 0:
        reason = "throttled"
    elif account is None or account.password_hash is None:
        passwords.verify(passwords.DUMMY_HASH, password)
        reason = "unknown account" if account is None else "no local password"
    elif account.disabled:
        passwords.verify(passwords.DUMMY_HASH, password)  # as slow as the other refusals
        reason = "disabled"
    elif not passwords.verify(account.password_hash, password):
        reason = "wrong password"
    if wait == 0:  # only checked passwords count: refusals while waiting add no delay
        session.add(SignInAttempt(subject=subject, address=address, succeeded=reason is None))
    if reason is not None:
        audit.record(
            session,
            actor=subject,
            event=audit.SignInFailed(email=subject, reason=reason, address=address),
        )
        if wait > 0:
            raise Throttled(wait)
        raise SignInRefused()
    # Every refusal above raised: the account is there, with a password.
    assert account is not None and account.password_hash is not None
    if passwords.password_hasher.check_needs_rehash(account.password_hash):
        account.password_hash = passwords.password_hasher.hash(password)
    signed_in = SignedIn(email=account.email, role=account.role, account=account)
    audit.record(session, actor=email, event=audit.SignedIn(email=email, address=address))
    return signed_in


def sign_out_everywhere(session: Session, *, actor: Actor, email: str) -> int:
    """End every session of an account (a lost laptop, a leaver); how many were open."""
    require_role(session, actor, audit.SignedOutEverywhere)
    account = existing_account(session, email)
    ended = end_access_of(session, account, reason="signed out everywhere")
    audit.record(
        session,
        actor=actor.email,
        event=audit.SignedOutEverywhere(email=account.email, sessions=ended),
    )
    return ended


def unlock(session: Session, *, actor: Actor, email: str) -> int:
    """Clear an account's recent failures, so its delays end now; how many were cleared."""
    require_role(session, actor, audit.AccountUnlocked)
    account = existing_account(session, email)
    result = session.exec(
        delete(SignInAttempt).where(
            col(SignInAttempt.subject) == account.email, ~col(SignInAttempt.succeeded)
        )
    )
    audit.record(
        session,
        actor=actor.email,
        event=audit.AccountUnlocked(email=account.email, failures_cleared=result.rowcount),
    )
    return result.rowcount


def unlock_address(session: Session, *, actor: Actor, address: str) -> int:
    """Clear a client address's recent failures (whatever accounts they named), so its delay
    ends now; how many were cleared."""
    require_role(session, actor, audit.AddressUnlocked)
    address = (address or "").strip()
    problem = check_text("address", address)
    if problem is not None or not address or len(address) > 64:
        raise ValidationFailed(
            [problem or Problem("address", f"'{address[:64]}' is not an address")]
        )
    result = session.exec(
        delete(SignInAttempt).where(
            col(SignInAttempt.address) == address, ~col(SignInAttempt.succeeded)
        )
    )
    audit.record(
        session,
        actor=actor.email,
        event=audit.AddressUnlocked(address=address, failures_cleared=result.rowcount),
    )
    return result.rowcount


def _serialise_attempts(session: Session, email: str, address: str) -> None:
    """Count and record failures one attempt at a time per address, then per email, so
    parallel guesses cannot all read a count under either limit (many emails from one place
    included). Always in that order, so two attempts never wait for each other's lock.
    SQLite's write transactions are serial already."""
    if session.get_bind().dialect.name == "postgresql":
        for namespace, key in ((ADDRESS_LOCKS, address), (EMAIL_LOCKS, email)):
            session.execute(
                text("SELECT pg_advisory_xact_lock(:namespace, hashtext(:key))"),
                # PostgreSQL text cannot hold NUL: such an email is no account's anyway.
                {"namespace": namespace, "key": key.replace("\x00", "\ufffd")},
            )


# The two-key advisory locks' first key: which kind of thing the second one hashes.
ADDRESS_LOCKS, EMAIL_LOCKS = 7405, 7406


def sign_out(session: Session, *, email: str) -> None:
    audit.record(session, actor=email, event=audit.SignedOut(email=email))


def ensure_first_admin(session: Session, email: str) -> str | None:
    """On a database with no accounts, create an admin with a random password and return the
    password (to be shown once). Never a fixed default password."""
    if session.exec(select(UserAccount.id).limit(1)).first() is not None:
        return None
    password = passwords.random_password()
    add_account(
        session, actor=Actor.for_system("bootstrap"), email=email, role="admin", password=password
    )
    return password
