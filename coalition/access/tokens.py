"""Personal API tokens: how analysts' tools (curl, pandas) read the HTTP endpoints with their
own account's role. A token is shown once when made, kept only as a SHA-256 digest, and can
be revoked; an account that is disabled or loses its role takes its tokens' access with it.

A feed token is the secret in one feed's address (feed readers cannot send a header): it
reads the changes feed and nothing else, so an address that leaks (a shared reader, a proxy's
log) exposes only that, and revoking it ends only that feed."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import update
from sqlmodel import Session, col, select

from coalition.access import audit
from coalition.access.auth import Actor, find_account, require_role, role_of
from coalition.access.sessions import digest
from coalition.errors import Problem, ValidationFailed
from coalition.text.checks import check_text
from core.vocabulary import TOKEN_KINDS
from db.models import ApiToken, UserAccount, utc_now

PREFIX = "ct_"  # recognisable in a leaked log or a secret scanner
FEED_PREFIX = "cf_"
PREFIXES = {"api": PREFIX, "feed": FEED_PREFIX}


@dataclass(frozen=True)
class TokenHolder:
    email: str
    role: str


def create_token(
    session: Session, *, actor: Actor, email: str, name: str, kind: str = "api"
) -> str:
    """A new token of ``kind`` (TOKEN_KINDS) for ``email``'s account (one's own, or any as an
    admin). Returned once."""
    require_role(session, actor, audit.TokenCreated)
    account = find_account(session, email)
    if account is None:
        raise ValidationFailed([Problem("email", f"no account for {email}")])
    if account.email != actor.email and role_of(session, actor) != "admin":
        raise ValidationFailed([Problem("email", "only an admin makes tokens for others")])
    name = (name or "").strip()
    problem = check_text("name", name)
    if not name or len(name) > 100 or problem is not None:
        raise ValidationFailed([problem or Problem("name", "is required (at most 100 characters)")])
    if kind not in TOKEN_KINDS:
        raise ValidationFailed([Problem("kind", f"'{kind}' is not one of: api, feed")])
    assert account.id is not None  # a stored account
    token = PREFIXES[kind] + secrets.token_urlsafe(32)
    record = ApiToken(account_id=account.id, name=name, token_hash=digest(token), kind=kind)
    session.add(record)
    session.flush()
    assert record.id is not None  # given by the flush
    audit.record(
        session,
        actor=actor.email,
        event=audit.TokenCreated(token_id=record.id, account=account.email, label=name, kind=kind),
    )
    return token


def tokens_of(session: Session, email: str) -> list[dict]:
    """An account's tokens, without anything that would let one be used."""
    statement = (
        select(ApiToken)
        .join(UserAccount, col(UserAccount.id) == ApiToken.account_id)
        .where(UserAccount.email == email)
        .order_by(col(ApiToken.id))
    )
    return [
        {
            "id": t.id,
            "name": t.name,
            "kind": t.kind,
            "created_at": t.created_at,
            "last_used_at": t.last_used_at,
            "revoked": t.revoked_at is not None,
        }
        for t in session.exec(statement).all()
    ]


def revoke_token(session: Session, *, actor: Actor, token_id: int) -> None:
    require_role(session, actor, audit.TokenRevoked)
    row = session.exec(
        select(ApiToken, UserAccount)
        .join(UserAccount, col(UserAccount.id) == ApiToken.account_id)
        .where(ApiToken.id == token_id)
    ).first()
    if row is None or (row[1].email != actor.email and role_of(session, actor) != "admin"):
        raise ValidationFailed([Problem("token", f"no token {token_id} of yours")])
    session.exec(
        update(ApiToken)
        .where(col(ApiToken.id) == token_id, col(ApiToken.revoked_at).is_(None))
        .values(revoked_at=utc_now())
    )
    audit.record(session, actor=actor.email, event=audit.TokenRevoked(token_id=token_id))


def holder_of(session: Session, token: str | None, kind: str = "api") -> TokenHolder | None:
    """Whose role a presented token of ``kind`` carries, or None (unknown, revoked, account
    disabled, or a token of the other kind). Notes its use; the caller commits."""
    if not isinstance(token, str) or not token.startswith(PREFIXES[kind]) or len(token) > 200:
        return None
    row = session.exec(
        select(ApiToken, UserAccount)
        .join(UserAccount, col(UserAccount.id) == ApiToken.account_id)
        .where(ApiToken.token_hash == digest(token))
    ).first()
    if row is None:
        return None
    record, account = row
    if record.revoked_at is not None or account.disabled or record.kind != kind:
        return None
    record.last_used_at = utc_now()
    return TokenHolder(account.email, account.role)
