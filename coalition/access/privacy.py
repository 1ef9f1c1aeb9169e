"""What viewers see of the staff: the display name a person chose, else a stable pseudonymous
id, never an email.

Emails stay in the admin-only audit log and the accounts list. Every id is an HMAC of the
email under a key the application generates once and keeps in the database, so every replica
gives a person the same id and nobody can recover an email from it without the key. The same
key digests anything typed that must not be stored as typed (an unknown sign-in email, which
may be a password typed into the wrong box)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable

from sqlmodel import Session, col, select

from db.models import AppSecret, UserAccount

STAFF_KEY = "staff_pseudonyms"


def ensure_keys(session: Session) -> None:
    """Create the application's keys on first start (called under the start-up lock)."""
    if session.get(AppSecret, STAFF_KEY) is None:
        session.add(AppSecret(name=STAFF_KEY, value=secrets.token_hex(32)))
        session.flush()


def _key(session: Session) -> bytes:
    if STAFF_KEY not in session.info:
        secret = session.get(AppSecret, STAFF_KEY)
        if secret is None:
            raise RuntimeError("the application keys are missing: run `python -m coalition init`")
        session.info[STAFF_KEY] = bytes.fromhex(secret.value)
    return session.info[STAFF_KEY]


def keyed_digest(session: Session, text: str, length: int = 16) -> str:
    return hmac.new(_key(session), text.encode("utf-8"), hashlib.sha256).hexdigest()[:length]


def staff_id(session: Session, actor: str | None) -> str:
    """'staff-3f9a1c2e7b' for a person; a system actor (the seed loader) keeps its name."""
    if not actor or "@" not in actor:
        return actor or ""
    return "staff-" + keyed_digest(session, actor.strip().lower(), 10)


def shown_names(session: Session, actors: Iterable[str | None]) -> dict[str | None, str]:
    """How histories name each actor: the account's display name where one is set ("Baltic
    desk"), else its staff id. Snapshots keep staff ids: a file pinned to a moment must read
    the same whenever it is made again, and display names change."""
    named = dict(
        session.exec(
            select(UserAccount.email, UserAccount.display_name).where(
                col(UserAccount.display_name).is_not(None)
            )
        ).all()
    )
    return {
        actor: named.get((actor or "").strip().lower()) or staff_id(session, actor)
        for actor in set(actors)
    }
