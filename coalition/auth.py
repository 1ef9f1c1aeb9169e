"""Accounts, roles and sign-in. Every write checks its actor's role here, against the database,
so a page hidden from a role is not the only thing standing between it and a write."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from coalition import audit
from coalition.errors import Problem, ValidationFailed
from coalition.privacy import keyed_digest
from coalition.validation import check_text
from db.models import ROLES, AuditEvent, UserAccount, utc_now

ROLE_RANK = {role: rank for rank, role in enumerate(ROLES)}
MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 12
SIGN_IN_FAILED = "Email or password is incorrect, or the account is locked for now."
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")

_hasher = PasswordHasher()  # Argon2id with the library's current parameters
# Verified against when the email is unknown, so both paths cost the same time.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class PermissionDenied(Exception):
    """The actor may not do this; the refusal was audited and nothing else was written."""


@dataclass(frozen=True)
class Actor:
    """Who is acting. A person's role is read from the database at every write; a system
    actor (the seed loader) acts for the application itself."""

    email: str
    system: bool = False

    @classmethod
    def for_system(cls, name: str) -> Actor:
        return cls(email=name, system=True)


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


def require_role(session: Session, actor: Actor | None, minimum: str, *, action: str) -> None:
    """Call first in every write. A refusal is audited and committed on its own (nothing else
    is in the session yet), then raised, so the caller's transaction writes nothing more."""
    role = role_of(session, actor)
    if allows(role, minimum):
        return
    audit.record(
        session,
        actor=actor.email if actor else "anonymous",
        action="write.refused",
        details={"attempted": action, "role": role, "required": minimum},
        changes_data=False,
    )
    session.commit()
    raise PermissionDenied(f"{action} needs the {minimum} role")


def _check_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(
            [Problem("password", f"must be at least {MIN_PASSWORD_LENGTH} characters")]
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
    require_role(session, actor, "admin", action="account.add")
    email = normalise_email(email)
    _check_new_account(session, email, role)
    if password is not None:
        _check_password(password)
    account = UserAccount(
        email=email,
        role=role,
        password_hash=_hasher.hash(password) if password is not None else None,
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
        action="account.add",
        entity="account",
        entity_id=email,
        details={"role": role, "local_password": password is not None},
        changes_data=False,
    )
    session.flush()
    return account


def _existing(session: Session, email: str) -> UserAccount:
    account = find_account(session, email)
    if account is None:
        raise ValidationFailed([Problem("email", f"no account for {normalise_email(email)}")])
    return account


def set_role(session: Session, *, actor: Actor, email: str, role: str) -> UserAccount:
    require_role(session, actor, "admin", action="account.set_role")
    account = _existing(session, email)
    if role not in ROLES:
        raise ValidationFailed([Problem("role", f"'{role}' is not one of: {', '.join(ROLES)}")])
    previous, account.role = account.role, role
    session.info.pop("roles", None)
    audit.record(
        session,
        actor=actor.email,
        action="account.set_role",
        entity="account",
        entity_id=account.email,
        details={"from": previous, "to": role},
        changes_data=False,
    )
    session.flush()
    return account


def set_disabled(session: Session, *, actor: Actor, email: str, disabled: bool) -> UserAccount:
    require_role(session, actor, "admin", action="account.disable")
    account = _existing(session, email)
    account.disabled = disabled
    session.info.pop("roles", None)
    audit.record(
        session,
        actor=actor.email,
        action="account.disable" if disabled else "account.enable",
        entity="account",
        entity_id=account.email,
        changes_data=False,
    )
    session.flush()
    return account


def set_password(session: Session, *, actor: Actor, email: str, password: str) -> UserAccount:
    require_role(session, actor, "admin", action="account.set_password")
    account = _existing(session, email)
    _check_password(password)
    account.password_hash = _hasher.hash(password)
    audit.record(
        session,
        actor=actor.email,
        action="account.set_password",
        entity="account",
        entity_id=account.email,
        changes_data=False,
    )
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
            "created_at": a.created_at,
        }
        for a in session.exec(select(UserAccount).order_by(UserAccount.email)).all()
    ]


def recent_failures(session: Session, email: str) -> int:
    since = utc_now() - FAILURE_WINDOW
    return session.exec(
        select(func.count())
        .select_from(AuditEvent)
        .where(
            AuditEvent.action == "auth.sign_in_failed",
            AuditEvent.entity_id == email,
            AuditEvent.occurred_at >= since,
        )
    ).one()


@dataclass(frozen=True)
class SignedIn:
    email: str
    role: str


def sign_in(session: Session, *, email: str, password: str) -> SignedIn:
    """Check a local account's password. Every failure reads the same to the person signing in
    (SIGN_IN_FAILED) and is audited with its real reason; after MAX_FAILURES failures within
    FAILURE_WINDOW the account refuses even the right password until the window passes."""
    email = normalise_email(email)[:254]
    _serialise_attempts(session, email)
    account = find_account(session, email)
    # What someone typed as an email is not recorded unless it is an account: it may be a
    # password typed into the wrong box.
    subject = email if account is not None else "unknown:" + keyed_digest(session, email)
    reason = None
    if recent_failures(session, subject) >= MAX_FAILURES:
        reason = "rate limited"
        _verify(_DUMMY_HASH, password)
    elif account is None or account.password_hash is None:
        _verify(_DUMMY_HASH, password)
        reason = "unknown account" if account is None else "no local password"
    elif account.disabled:
        _verify(_DUMMY_HASH, password)  # as slow as the other refusals
        reason = "disabled"
    elif not _verify(account.password_hash, password):
        reason = "wrong password"
    if reason is not None:
        audit.record(
            session,
            actor=subject,
            action="auth.sign_in_failed",
            entity="account",
            entity_id=subject,
            details={"reason": reason},
            changes_data=False,
        )
        session.commit()
        raise PermissionDenied(SIGN_IN_FAILED)
    if _hasher.check_needs_rehash(account.password_hash):
        account.password_hash = _hasher.hash(password)
    signed_in = SignedIn(email=account.email, role=account.role)
    audit.record(
        session,
        actor=email,
        action="auth.sign_in",
        entity="account",
        entity_id=email,
        changes_data=False,
    )
    session.commit()
    return signed_in


def _serialise_attempts(session: Session, email: str) -> None:
    """Count and record failures one attempt at a time per email, so parallel guesses cannot
    all read a count under the limit. SQLite's write transactions are serial already."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:email))"), {"email": email})


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password or "")
    except (VerificationError, InvalidHashError):
        return False


def sign_out(session: Session, *, email: str) -> None:
    audit.record(
        session,
        actor=email,
        action="auth.sign_out",
        entity="account",
        entity_id=email,
        changes_data=False,
    )
    session.commit()


def random_password() -> str:
    return secrets.token_urlsafe(18)


def ensure_first_admin(session: Session, email: str) -> str | None:
    """On a database with no accounts, create an admin with a random password and return the
    password (to be shown once). Never a fixed default password."""
    if session.exec(select(UserAccount.id).limit(1)).first() is not None:
        return None
    password = random_password()
    add_account(
        session, actor=Actor.for_system("bootstrap"), email=email, role="admin", password=password
    )
    return password
