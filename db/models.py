"""Tables. The pledge fields live in one base class shared by the current-state table and the
append-only revision table, so a revision is always the pledge's full state, column for column.

Vocabularies (core/vocabulary.py) are plain strings checked by the domain layer and by CHECK
constraints, not database enums: adding a status must not need an ALTER TYPE dance on
PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any
from uuid import uuid4

from pydantic import BaseModel, ConfigDict, create_model
from sqlalchemy import JSON, CheckConstraint, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from core import clock
from core.vocabulary import (
    CATEGORIES,
    CONFIDENCES,
    DATE_PRECISIONS,
    DIGEST_FREQUENCIES,
    EARLIEST_DATE,
    INSTRUMENTS,
    LATEST_DATE,
    PARTICIPANT_KINDS,
    PLEDGE_DATE_FIELDS,
    RATE_KINDS,
    REVISION_ACTIONS,
    ROLES,
    SCOPES,
    STATUSES,
    SYSTEM_ROLE,
    TOKEN_KINDS,
)


def utc_now() -> datetime:
    return clock.now()


def _in(column: str, values: tuple[str, ...]) -> str:
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({quoted})"


class Participant(SQLModel, table=True):
    __table_args__ = (
        CheckConstraint(_in("kind", PARTICIPANT_KINDS), name="ck_participant_kind"),
        CheckConstraint(_in("confidence", CONFIDENCES), name="ck_participant_confidence"),
    )

    code: str = Field(primary_key=True, max_length=4)
    name: str = Field(max_length=100, unique=True)
    kind: str = Field(max_length=20)
    region: str = Field(max_length=40)
    eu_member: bool = False
    nato_member: bool = False
    commonwealth_member: bool = False
    # When the participant was first reported taking part, and the public source saying so.
    first_reported_on: date
    source_title: str | None = Field(default=None, max_length=300)
    source_url: str | None = Field(default=None, max_length=500)
    source_published_on: date | None = None
    confidence: str = Field(max_length=10)
    centroid_lat: float
    centroid_lon: float
    population: int | None = None
    population_year: int | None = None
    # Float, not integer: GDP in US$ passes 2**31 and SQLite/PostgreSQL integers differ in width.
    gdp_usd: float | None = None
    gdp_year: int | None = None
    # Where the population and GDP figures come from: a description, and each series' copy.
    reference_source: str = Field(max_length=300)
    population_source_url: str | None = Field(default=None, max_length=500)
    gdp_source_url: str | None = Field(default=None, max_length=500)
    # The day a person last read the row against its sources (check-seed requires it).
    checked_on: date | None = None


class PledgeFields(SQLModel):
    """What a pledge says. Shared by Pledge (current state) and PledgeRevision (history)."""

    participant_code: str = Field(foreign_key="participant.code", max_length=4, index=True)
    category: str = Field(max_length=12)
    status: str = Field(max_length=12)
    description: str = Field(max_length=500)
    # NULL means "size never published": never 0, never a guess.
    quantity: float | None = None
    quantity_qualifier: str | None = Field(default=None, max_length=10)
    currency: str | None = Field(default=None, max_length=3)
    capability_type: str | None = Field(default=None, max_length=100)
    conditions: str | None = Field(default=None, max_length=500)
    announced_on: date
    announced_precision: str = Field(default="day", max_length=5)
    start_on: date | None = None
    end_on: date | None = None
    instrument: str = Field(default="unspecified", max_length=12)
    scope: str = Field(default="coalition_support", max_length=20)
    source_title: str = Field(max_length=300)
    source_url: str | None = Field(default=None, max_length=500)
    # The day the cited source was published (the announcement may be older).
    source_published_on: date | None = None
    confidence: str = Field(max_length=10)
    notes: str | None = Field(default=None, max_length=2000)


def _pledge_checks(prefix: str) -> tuple[CheckConstraint, ...]:
    return (
        CheckConstraint(_in("category", CATEGORIES), name=f"ck_{prefix}_category"),
        CheckConstraint(_in("status", STATUSES), name=f"ck_{prefix}_status"),
        CheckConstraint(_in("confidence", CONFIDENCES), name=f"ck_{prefix}_confidence"),
        CheckConstraint(_in("announced_precision", DATE_PRECISIONS), name=f"ck_{prefix}_precision"),
        CheckConstraint(_in("instrument", INSTRUMENTS), name=f"ck_{prefix}_instrument"),
        CheckConstraint(_in("scope", SCOPES), name=f"ck_{prefix}_scope"),
        CheckConstraint("quantity IS NULL OR quantity >= 0", name=f"ck_{prefix}_quantity"),
        *(
            CheckConstraint(_date_range(column), name=f"ck_{prefix}_{column}_range")
            for column in PLEDGE_DATE_FIELDS
        ),
    )


def _date_range(column: str) -> str:
    return (
        f"{column} IS NULL OR ({column} >= '{EARLIEST_DATE.isoformat()}' "
        f"AND {column} <= '{LATEST_DATE.isoformat()}')"
    )


PLEDGE_FIELD_NAMES = tuple(PledgeFields.model_fields)


class Pledge(PledgeFields, table=True):
    """Current state: a cache of each pledge's newest revision, kept for fast reads."""

    __table_args__ = _pledge_checks("pledge")

    id: int | None = Field(default=None, primary_key=True)
    version: int = 1
    created_at: datetime = Field(default_factory=utc_now)
    updated_at: datetime = Field(default_factory=utc_now)
    updated_by: str = Field(max_length=254)


class PledgeRevision(PledgeFields, table=True):
    """Append-only history: one row per write of a pledge, holding its full new state."""

    __tablename__ = "pledge_revision"
    __table_args__ = (
        *_pledge_checks("pledge_revision"),
        CheckConstraint(_in("action", REVISION_ACTIONS), name="ck_pledge_revision_action"),
        CheckConstraint(
            f"actor_role IS NULL OR {_in('actor_role', (*ROLES, SYSTEM_ROLE))}",
            name="ck_pledge_revision_actor_role",
        ),
        UniqueConstraint("pledge_id", "version", name="uq_pledge_revision_version"),
        Index("ix_pledge_revision_effective_on", "effective_on"),
        # "What changed" between two days of recording reads a window of this.
        Index("ix_pledge_revision_recorded_at", "recorded_at"),
        # "As of" reads take each pledge's newest version in effect by a date: covered here.
        Index("ix_pledge_revision_state", "pledge_id", "effective_on", "version"),
        # What a process has not read yet: the revisions committed since its last read.
        Index("ix_pledge_revision_committed", "committed_version"),
    )

    id: int | None = Field(default=None, primary_key=True)
    pledge_id: int = Field(foreign_key="pledge.id", index=True)
    version: int
    action: str = Field(max_length=10)
    actor: str = Field(max_length=254)
    # The actor's role when the revision was made (an account's role may change later); NULL
    # for revisions recorded before roles were kept with them.
    actor_role: str | None = Field(default=None, max_length=10)
    reason: str = Field(max_length=500)
    # When we recorded it (system time) and from when it holds in the world (the "as of" axis).
    recorded_at: datetime = Field(default_factory=utc_now)
    effective_on: date
    batch_id: str | None = Field(default=None, max_length=36, index=True)
    # The data version the writing transaction committed as (db.data_version): the
    # row lock on that counter orders versions as the commits, so a process that has read
    # every revision up to version V reads only those above V after a write.
    committed_version: int = 0


class Event(SQLModel, table=True):
    """A dated meeting or summit: the timeline's markers."""

    __table_args__ = (UniqueConstraint("held_on", "title", name="uq_event_date_title"),)

    id: int | None = Field(default=None, primary_key=True)
    held_on: date = Field(index=True)
    title: str = Field(max_length=200)
    location: str = Field(max_length=100)
    format: str = Field(max_length=20)
    summary: str = Field(max_length=1000)
    attendance_note: str | None = Field(default=None, max_length=200)
    # Participant codes of the hosts or chairs, ";"-separated: their attendance is checked.
    host_codes: str | None = Field(default=None, max_length=60)
    source_title: str = Field(max_length=300)
    source_url: str | None = Field(default=None, max_length=500)
    source_published_on: date | None = None
    # How many participants the source reports taking part (None: it gives no count); the
    # attendance list is checked against it (check-seed).
    reported_count: int | None = None
    # Why the attendance list is shorter than the reported count, and other caveats.
    notes: str | None = Field(default=None, max_length=1000)
    checked_on: date | None = None


class EventAttendance(SQLModel, table=True):
    """A participant a public source names as present (in person or by video) at a meeting."""

    __tablename__ = "event_attendance"

    event_id: int = Field(foreign_key="event.id", primary_key=True)
    participant_code: str = Field(foreign_key="participant.code", primary_key=True, max_length=4)
    source_title: str = Field(max_length=300)
    source_url: str | None = Field(default=None, max_length=500)
    source_published_on: date | None = None
    checked_on: date | None = None


class PledgeCheck(SQLModel, table=True):
    """A day a person read a pledge against its source: append-only, so a snapshot pinned to
    a moment shows the checks recorded by then, and a re-check is not a change to the pledge
    (What changed and the histories list revisions, not checks)."""

    __tablename__ = "pledge_check"
    __table_args__ = (Index("ix_pledge_check_pledge", "pledge_id", "recorded_at"),)

    id: int | None = Field(default=None, primary_key=True)
    pledge_id: int = Field(foreign_key="pledge.id")
    checked_on: date
    recorded_at: datetime = Field(default_factory=utc_now)
    recorded_by: str = Field(max_length=254)


class ExchangeRate(SQLModel, table=True):
    """ECB-style reference rate: how many units of ``currency`` one euro buys on ``rate_date``."""

    __tablename__ = "exchange_rate"
    __table_args__ = (
        UniqueConstraint("currency", "rate_date", "kind", name="uq_exchange_rate_currency_date"),
        CheckConstraint("units_per_eur > 0", name="ck_exchange_rate_positive"),
        CheckConstraint(_in("kind", RATE_KINDS), name="ck_exchange_rate_kind"),
    )

    id: int | None = Field(default=None, primary_key=True)
    currency: str = Field(max_length=3)
    # For an average, the first day of its month or year.
    rate_date: date
    kind: str = Field(default="daily", max_length=16)
    units_per_eur: float
    source_title: str = Field(max_length=300)
    source_url: str | None = Field(default=None, max_length=500)


class Target(SQLModel, table=True):
    """A planning figure (e.g. a 15,000-30,000-troop force) for "pledged vs needed" views."""

    __table_args__ = (
        CheckConstraint(_in("category", CATEGORIES), name="ck_target_category"),
        CheckConstraint("low IS NULL OR high IS NULL OR low <= high", name="ck_target_range"),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    category: str = Field(max_length=12)
    low: float | None = None
    high: float | None = None
    stated_on: date
    source_title: str = Field(max_length=300)
    source_url: str | None = Field(default=None, max_length=500)
    source_published_on: date | None = None
    notes: str | None = Field(default=None, max_length=1000)
    checked_on: date | None = None


class AuditEvent(SQLModel, table=True):
    """Append-only log of who did what; written in the same transaction as the change."""

    __tablename__ = "audit_event"
    # Sign-in rate limiting counts recent failures per account.
    __table_args__ = (Index("ix_audit_event_subject", "action", "entity_id", "occurred_at"),)

    id: int | None = Field(default=None, primary_key=True)
    occurred_at: datetime = Field(default_factory=utc_now, index=True)
    actor: str = Field(max_length=254)
    action: str = Field(max_length=40, index=True)
    entity: str | None = Field(default=None, max_length=40)
    entity_id: str | None = Field(default=None, max_length=254)  # e.g. an account's email
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class DataVersion(SQLModel, table=True):
    """A single counter that every write increments in its own transaction.

    Cached reads are keyed by it. Unlike max(id) of an append-only table, it cannot be passed
    by a transaction that commits late: the row lock orders the increments as the commits."""

    __tablename__ = "data_version"
    __table_args__ = (CheckConstraint("id = 1", name="ck_data_version_single_row"),)

    id: int = Field(default=1, primary_key=True)
    version: int = 0
    # Random, set once when the database is created: a process's reads kept from another
    # database at the same address (replaced, restored) are never taken for this one's.
    database_id: str = Field(default_factory=lambda: uuid4().hex, max_length=32)


class UserAccount(SQLModel, table=True):
    """A person who may sign in. Local accounts carry an Argon2id hash; accounts that sign in
    through the organisation's identity provider (OIDC) have none."""

    __tablename__ = "user_account"
    __table_args__ = (
        CheckConstraint(_in("role", ROLES), name="ck_user_account_role"),
        UniqueConstraint("display_name", name="uq_user_account_display_name"),
    )

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)  # stored lower-case
    role: str = Field(max_length=10)
    password_hash: str | None = Field(default=None, max_length=200)
    disabled: bool = False
    created_at: datetime = Field(default_factory=utc_now)
    # Shown in histories instead of the staff id when set (coalition.access.privacy); never
    # an email.
    display_name: str | None = Field(default=None, max_length=60)


class SeedPledge(SQLModel, table=True):
    """Which pledge each row of the seed file became, by the row's stable key, so that a
    corrected seed file reaches a database seeded from an older one (coalition.seed.load)."""

    __tablename__ = "seed_pledge"

    seed_key: str = Field(primary_key=True, max_length=60)
    pledge_id: int = Field(foreign_key="pledge.id", unique=True)


class SeedState(SQLModel, table=True):
    """The digest of the seed files last applied: a start with unchanged files skips the
    comparison altogether."""

    __tablename__ = "seed_state"
    __table_args__ = (CheckConstraint("id = 1", name="ck_seed_state_single_row"),)

    id: int = Field(default=1, primary_key=True)
    digest: str = Field(max_length=64)
    applied_at: datetime = Field(default_factory=utc_now)


class AppSecret(SQLModel, table=True):
    """Keys the application generates once and every replica shares: e.g. the key that turns
    staff emails into stable pseudonymous ids for what viewers see. Never shown."""

    __tablename__ = "app_secret"

    name: str = Field(primary_key=True, max_length=40)
    value: str = Field(max_length=128)


class WebSession(SQLModel, table=True):
    """A signed-in browser: its cookie carries a random 256-bit token, stored here only as a
    SHA-256 digest. Valid until idle too long, too old, or revoked (sign-out, an account
    disabled or its role or password changed, an admin's "sign out everywhere")."""

    __tablename__ = "web_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    account_id: int = Field(foreign_key="user_account.id", index=True)
    created_at: datetime = Field(default_factory=utc_now)
    last_seen_at: datetime = Field(default_factory=utc_now)
    expires_at: datetime
    revoked_at: datetime | None = None
    revoked_reason: str | None = Field(default=None, max_length=40)


class SignInAttempt(SQLModel, table=True):
    """Each password check, for throttling per account, per client address and per pair."""

    __tablename__ = "sign_in_attempt"
    __table_args__ = (
        Index("ix_sign_in_attempt_subject", "subject", "occurred_at"),
        Index("ix_sign_in_attempt_address", "address", "occurred_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    occurred_at: datetime = Field(default_factory=utc_now)
    # The account's email, or a keyed digest of what was typed when no account has it.
    subject: str = Field(max_length=254)
    address: str = Field(max_length=64)
    succeeded: bool = False


class ApiToken(SQLModel, table=True):
    """A personal token for analysts' tools (curl, pandas) to read the HTTP endpoints with the
    account's role. Shown once when made; stored only as a SHA-256 digest; revocable."""

    __tablename__ = "api_token"
    __table_args__ = (CheckConstraint(_in("kind", TOKEN_KINDS), name="ck_api_token_kind"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="user_account.id", index=True)
    name: str = Field(max_length=100)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utc_now)
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None
    # "feed": it reads the changes feed only, carried in the feed's address.
    kind: str = Field(default="api", max_length=4)


class DigestSubscription(SQLModel, table=True):
    """An account's email digest of what changed, daily or weekly, for the participants and
    categories it follows. Each digest covers the changes recorded from ``sent_until`` to the
    moment it is made; only a digest the mail server accepted (or one with nothing in it)
    moves ``sent_until`` on, so a failed one is covered again by the next run."""

    __tablename__ = "digest_subscription"
    __table_args__ = (
        CheckConstraint(_in("frequency", DIGEST_FREQUENCIES), name="ck_digest_frequency"),
    )

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="user_account.id", unique=True)
    frequency: str = Field(max_length=6)
    # Participant codes and categories followed, ";"-separated (one of them at least).
    participants: str = Field(default="", max_length=400)
    categories: str = Field(default="", max_length=100)
    created_at: datetime = Field(default_factory=utc_now)
    sent_until: datetime = Field(default_factory=utc_now)
    # The last run that could not send it, and why (shown on "Your account").
    failed_at: datetime | None = None
    failure: str | None = Field(default=None, max_length=500)


# The pledge's change shape (convention 1 of the design: a base, its create and update shapes,
# the table): what an editor or an imported row changed, as the write path takes it.
def _comparable(value: Any) -> Any:
    """A field's value as the form and the database both give it: blanks as None, dates as
    their ISO text, whole numbers as numbers."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


class _Change(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def as_dict(self) -> dict[str, Any]:
        """The fields set, and only those: what travels to the write path."""
        return self.model_dump(exclude_unset=True)

    def __bool__(self) -> bool:
        return bool(self.model_fields_set)


# A change to a pledge: any of its fields, holding only those that were set (a field set to
# None is a change to "none"; a field not set is left as it stands). Values are as submitted:
# the write path checks them.
_CHANGE_FIELDS: dict[str, Any] = {name: (Any, None) for name in PledgeFields.model_fields}
PledgeChange = create_model("PledgeChange", __base__=_Change, __module__=__name__, **_CHANGE_FIELDS)


def pledge_change(before: Mapping[str, Any], after: Mapping[str, Any]) -> PledgeChange:
    """The fields of ``after`` that differ from ``before``: what an editor (or a row of an
    imported file) changed, and only that, travels to the write path (a conflict re-applies
    just these). Blanks and None, a date and its ISO text, 3.0 and 3 are the same value."""
    return PledgeChange(
        **{k: v for k, v in after.items() if _comparable(before.get(k)) != _comparable(v)}
    )


def current_values(pledge: Pledge) -> dict[str, Any]:
    return {name: getattr(pledge, name) for name in PledgeFields.model_fields}
