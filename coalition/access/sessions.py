"""Server-side sessions: what a browser's sign-in cookie stands for.

The cookie holds a random 256-bit token; the database holds only its SHA-256 digest (a token
that random needs no slow hash), so a copy of the database signs nobody in. A session ends
when idle too long, when too old, at sign-out, and when its account is disabled or has its
role or password changed (its API tokens are revoked with them); an admin can end all of an
account's sessions at once."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from coalition.access import audit
from db.models import ApiToken, UserAccount, WebSession, utc_now

COOKIE = "coalition_session"
# How often a session's last visit is written down: a visit a minute must not be a write.
SEEN_EVERY = timedelta(minutes=5)
# Open sessions one account may hold (browsers, devices); signing in once more ends the oldest.
# Without a bound, every sign-in from a script or a cleared cookie left one more row open.
MAX_OPEN_SESSIONS = 20


@dataclass(frozen=True)
class SessionPolicy:
    idle: timedelta
    lifetime: timedelta

    @classmethod
    def of(cls, settings) -> SessionPolicy:
        return cls(
            idle=timedelta(hours=settings.session_idle_hours),
            lifetime=timedelta(days=settings.session_max_days),
        )


@dataclass(frozen=True)
class SignedInSession:
    email: str
    role: str
    token_hash: str
    # The last visit was noted long enough ago to note this one (see touch).
    stale: bool


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start_session(session: Session, account: UserAccount, policy: SessionPolicy) -> str:
    """A new session for a signed-in account; returns the token for the cookie (shown to
    nobody else, stored nowhere)."""
    assert account.id is not None  # a signed-in account is a stored one
    token = secrets.token_urlsafe(32)
    now = utc_now()
    session.add(
        WebSession(
            token_hash=digest(token),
            account_id=account.id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + policy.lifetime,
        )
    )
    session.flush()
    _end_oldest_sessions(session, account.id, now)
    return token


def _end_oldest_sessions(session: Session, account_id: int, now: datetime) -> None:
    """Keep at most MAX_OPEN_SESSIONS open for the account: the newest."""
    kept = (
        select(WebSession.id)
        .where(WebSession.account_id == account_id, col(WebSession.revoked_at).is_(None))
        .order_by(col(WebSession.created_at).desc(), col(WebSession.id).desc())
        .limit(MAX_OPEN_SESSIONS)
    )
    session.exec(
        update(WebSession)
        .where(
            col(WebSession.account_id) == account_id,
            col(WebSession.revoked_at).is_(None),
            col(WebSession.id).not_in(kept.scalar_subquery()),
        )
        .values(revoked_at=now, revoked_reason="too many open sessions")
    )


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=utc_now().tzinfo)


def find_session(
    session: Session, token: str | None, policy: SessionPolicy
) -> tuple[SignedInSession | None, str]:
    """The signed-in account a cookie's token stands for, or None with the reason why not
    (unknown, revoked, idle, expired, disabled). Reads only: see touch."""
    if not isinstance(token, str) or not token or len(token) > 200:
        return None, "no session"
    row = session.exec(
        select(WebSession, UserAccount)
        .join(UserAccount, col(UserAccount.id) == WebSession.account_id)
        .where(WebSession.token_hash == digest(token))
    ).first()
    if row is None:
        return None, "unknown session"
    web, account = row
    now = utc_now()
    if web.revoked_at is not None:
        return None, "revoked session"
    if _aware(web.expires_at) <= now:
        return None, "expired session"
    if _aware(web.last_seen_at) + policy.idle <= now:
        return None, "idle session"
    if account.disabled:
        return None, "disabled account"
    stale = now - _aware(web.last_seen_at) >= SEEN_EVERY
    return SignedInSession(account.email, account.role, web.token_hash, stale), "ok"


def touch(session: Session, token_hash: str) -> None:
    """Note a visit: the idle time counts from now."""
    session.exec(
        update(WebSession)
        .where(col(WebSession.token_hash) == token_hash)
        .values(last_seen_at=utc_now())
    )


def end_session(session: Session, token: str | None, *, reason: str = "signed out") -> bool:
    """Revoke one session (sign-out); True when there was one to end."""
    if not token:
        return False
    result = session.exec(
        update(WebSession)
        .where(col(WebSession.token_hash) == digest(token), col(WebSession.revoked_at).is_(None))
        .values(revoked_at=utc_now(), revoked_reason=reason)
    )
    return result.rowcount > 0


def end_access_of(session: Session, account: UserAccount, *, reason: str) -> int:
    """Revoke every open session of an account and every API token it holds: whatever ends
    its sessions (sign-out everywhere, a new password, a new role, disabling) ends the access
    a token carries too. Returns how many sessions were open."""
    now = utc_now()
    ended = session.exec(
        update(WebSession)
        .where(col(WebSession.account_id) == account.id, col(WebSession.revoked_at).is_(None))
        .values(revoked_at=now, revoked_reason=reason)
    ).rowcount
    revoked = session.exec(
        update(ApiToken)
        .where(col(ApiToken.account_id) == account.id, col(ApiToken.revoked_at).is_(None))
        .values(revoked_at=now)
    ).rowcount
    if ended or revoked:
        audit.record(
            session,
            actor="system",
            event=audit.SessionsEnded(
                email=account.email, sessions=ended, tokens=revoked, reason=reason
            ),
        )
    return ended
