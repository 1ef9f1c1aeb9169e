"""Each account's email digest subscription: daily or weekly, for the participants and/or
categories it follows (changes of those participants in those categories). Managed on "Your
account"; ended there or by the unsubscribe link in every digest, which works without
signing in: it carries the subscription's id and an HMAC of it under the app's key, so it
cannot be guessed or made for another subscription, and dies with its subscription."""

from __future__ import annotations

import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, col, select

from coalition.access import audit
from coalition.access.auth import Actor, find_account, require_role
from coalition.access.privacy import keyed_digest
from coalition.errors import Problem, ValidationFailed
from coalition.read.filters import PledgeFilter
from coalition.text.labels import label
from coalition.write.allowed_values import participant_codes
from core import clock
from core.vocabulary import CATEGORIES, DIGEST_FREQUENCIES
from db.models import DigestSubscription, UserAccount

SEPARATOR = ";"
BY_PAGE = "Your account"
BY_LINK = "the link in a digest"


@dataclass(frozen=True)
class DigestSubscribed(audit.AccountEvent):
    """Anyone signed in chooses their own digest (no tracked data changes)."""

    action = "digest.subscribe"
    role_needed = "viewer"
    frequency: str
    participants: list[str]
    categories: list[str]


@dataclass(frozen=True)
class DigestUnsubscribed(audit.AccountEvent):
    action = "digest.unsubscribe"
    role_needed = "viewer"
    by: str  # BY_PAGE or BY_LINK


@dataclass(frozen=True)
class Subscription:
    id: int
    email: str
    frequency: str
    participants: tuple[str, ...]
    categories: tuple[str, ...]
    sent_until: datetime
    failed_at: datetime | None = None
    failure: str | None = None

    @property
    def filters(self) -> PledgeFilter:
        """Every status and scope of the categories followed: a digest tells of withdrawals
        and bilateral aid too."""
        return PledgeFilter(categories=self.categories, statuses=(), scopes=())

    def describe(self) -> str:
        """'France, Germany; troops' (codes for participants, words for categories)."""
        parts = [", ".join(self.participants), ", ".join(label(c) for c in self.categories)]
        return "; ".join(part for part in parts if part)

    @classmethod
    def of(cls, row: DigestSubscription, email: str) -> Subscription:
        assert row.id is not None  # a stored row
        return cls(
            id=row.id,
            email=email,
            frequency=row.frequency,
            participants=_split(row.participants),
            categories=_split(row.categories),
            sent_until=clock.aware(row.sent_until),
            failed_at=None if row.failed_at is None else clock.aware(row.failed_at),
            failure=row.failure,
        )


def _split(text: str) -> tuple[str, ...]:
    return tuple(part for part in text.split(SEPARATOR) if part)


def _subscriptions(session: Session, *conditions: Any) -> list[Subscription]:
    """The subscriptions meeting ``conditions`` (on them and their accounts), oldest first."""
    rows = session.exec(
        select(DigestSubscription, UserAccount)
        .join(UserAccount, col(UserAccount.id) == DigestSubscription.account_id)
        .where(*conditions)
        .order_by(col(DigestSubscription.id))
    ).all()
    return [Subscription.of(row, account.email) for row, account in rows]


def subscription_of(session: Session, email: str) -> Subscription | None:
    found = _subscriptions(session, UserAccount.email == email.strip().lower())
    return found[0] if found else None


def all_subscriptions(session: Session) -> list[Subscription]:
    """Every subscription of an account that may still sign in, oldest first."""
    return _subscriptions(session, col(UserAccount.disabled).is_(False))


def _checked(
    session: Session, frequency: str, participants: Sequence[str], categories: Sequence[str]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The participants' codes and the categories, or ValidationFailed naming every problem:
    an unknown frequency, participant (with the nearest) or category, or nothing chosen."""
    problems: list[Problem] = []
    if frequency not in DIGEST_FREQUENCIES:
        problems.append(
            Problem("frequency", f"'{str(frequency)[:20]}' is not one of: daily, weekly")
        )
    codes: tuple[str, ...] = ()
    try:
        codes = participant_codes(session, participants, "participants")
    except ValidationFailed as failure:
        problems += failure.problems
    unknown = [c for c in categories if c not in CATEGORIES]
    problems += [
        Problem("categories", f"'{str(c)[:40]}' is not one of: {', '.join(CATEGORIES)}")
        for c in unknown
    ]
    if not participants and not categories:
        problems.append(
            Problem("participants", "choose at least one participant or one category to follow")
        )
    if problems:
        raise ValidationFailed(problems)
    return codes, tuple(dict.fromkeys(categories))


def subscribe(
    session: Session,
    *,
    actor: Actor,
    frequency: str,
    participants: Sequence[str] = (),
    categories: Sequence[str] = (),
) -> Subscription:
    """Start or change the actor's own digest. A new one covers what is recorded from now on;
    a changed one keeps its place, so nothing is skipped or told twice."""
    require_role(session, actor, DigestSubscribed)
    codes, chosen = _checked(session, frequency, participants, categories)
    account = find_account(session, actor.email)
    if account is None or account.id is None:
        raise ValidationFailed([Problem("account", f"no account for {actor.email}")])
    row = session.exec(
        select(DigestSubscription).where(DigestSubscription.account_id == account.id)
    ).first()
    if row is None:
        row = DigestSubscription(account_id=account.id, frequency=frequency)
    row.frequency = frequency
    row.participants = SEPARATOR.join(codes)
    row.categories = SEPARATOR.join(chosen)
    session.add(row)
    session.flush()
    event: Any = DigestSubscribed(
        email=account.email,
        frequency=frequency,
        participants=list(codes),
        categories=list(chosen),
    )
    audit.record(session, actor=actor.email, event=event)
    return Subscription.of(row, account.email)


def unsubscribe(session: Session, *, actor: Actor) -> bool:
    """End the actor's own digest; False when there was none."""
    require_role(session, actor, DigestUnsubscribed)
    found = subscription_of(session, actor.email)
    if found is None:
        return False
    _end(session, found, by=BY_PAGE)
    return True


def _end(session: Session, found: Subscription, *, by: str) -> None:
    session.execute(delete(DigestSubscription).where(col(DigestSubscription.id) == found.id))
    event = DigestUnsubscribed(email=found.email, by=by)
    audit.record(session, actor=found.email, event=event)


def unsubscribe_token(session: Session, subscription_id: int, email: str) -> str:
    """The secret of a subscription's unsubscribe link: 128 bits of an HMAC under the app's
    key, of the subscription (a new one after unsubscribing gets a new link)."""
    return keyed_digest(session, f"digest-unsubscribe\x00{subscription_id}\x00{email}", 32)


def subscription_by_link(session: Session, subscription_id: str, token: str) -> Subscription | None:
    """The subscription an unsubscribe link names, when its token is right; else None."""
    if not subscription_id.isdigit() or len(subscription_id) > 18 or len(token) > 100:
        return None
    named = _subscriptions(session, DigestSubscription.id == int(subscription_id))
    if not named:
        return None
    found = named[0]
    expected = unsubscribe_token(session, found.id, found.email)
    return found if hmac.compare_digest(expected, token) else None


def unsubscribe_by_link(session: Session, subscription_id: str, token: str) -> str | None:
    """End the subscription the link names (no sign-in: the token is the proof); the email it
    went to, or None for a link that names none (wrong, or already used)."""
    found = subscription_by_link(session, subscription_id, token)
    if found is None:
        return None
    _end(session, found, by=BY_LINK)
    return found.email
