"""Audit entries: small typed records written in the same transaction as what they describe.
Every write records one, so recording one is also where the data version moves. Each kind of
entry is a class below (as Datasette's events are), so what an entry holds is written once."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, ClassVar

from sqlalchemy import insert
from sqlmodel import Session

from coalition.access.flood import FLOOD_GATE, HeldBack, clipped
from db.data_version import bump_data_version
from db.models import AuditEvent, utc_now

# The kinds of entry, by the prefix of their action, as the audit log's filter offers them.
# Every action recorded anywhere falls in one (tests/access/test_auth.py checks the code for it).
ACTION_GROUPS = {
    "pledge.": "Pledge edits",
    "import.": "Imports",
    "reference.": "Reference data changes",
    "snapshot.": "Snapshot exports",
    "seed.": "Seeding",
    "auth.": "Sign-ins and sign-outs",
    "account.": "Account changes",
    "token.": "API tokens",
    "digest.": "Email digests",
    "api.refused": "Refused API requests",
    "write.refused": "Refused writes",
    "page.refused": "Refused pages",
    "flood.": "Refusals counted, not listed (floods)",
}


def group_of(action: str) -> str | None:
    return next(
        (label for prefix, label in ACTION_GROUPS.items() if action.startswith(prefix)), None
    )


class Event:
    """One kind of audit entry, one small class per action: its name (``action``, which may
    name fields, as "reference.{table}.update"), what it is about (``entity`` and the field
    whose value identifies it, ``subject``), whether it changes the tracked data, and its
    details: the dataclass's other fields."""

    action: ClassVar[str]
    entity: ClassVar[str | None] = None
    subject: ClassVar[str | None] = None
    changes_data: ClassVar[bool] = True
    # The least role that may make a write recorded as this kind of entry (auth.require_role).
    role_needed: ClassVar[str] = "admin"
    # Made by requests nobody signed (a refused sign-in, a cross-site post, an API call
    # without a valid token): anyone can cause these, so their size and number are bounded
    # (see record and FloodGate).
    unauthenticated: ClassVar[bool] = False

    @classmethod
    def needs(cls, **names: Any) -> tuple[str, str]:
        """(the action a write of this kind attempts, named by ``names``; the least role it
        needs)."""
        return cls.action.format(**names), cls.role_needed

    def name(self) -> str:
        return self.action.format(**self._fields())

    def entity_name(self) -> str | None:
        return None if self.entity is None else self.entity.format(**self._fields())

    def entity_id(self) -> str | None:
        value = None if self.subject is None else self._fields()[self.subject]
        return None if value is None else str(value)

    def details(self) -> dict[str, Any]:
        return {k: v for k, v in self._fields().items() if k != self.subject}

    def changes(self) -> bool:
        return self.changes_data

    def _fields(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}  # type: ignore[arg-type]


@dataclass(frozen=True)
class AccountEvent(Event):
    """About one account, named by its email; no tracked data changes (cached pages stay)."""

    entity = "account"
    subject = "email"
    changes_data = False
    email: str


@dataclass(frozen=True)
class TokenEvent(Event):
    """About one API token, by its id; no tracked data changes. Anyone signed in manages
    their own."""

    entity = "token"
    subject = "token_id"
    changes_data = False
    role_needed = "viewer"
    token_id: int


# Pledges (written by coalition/write/pledges.py, the one write path).
@dataclass(frozen=True)
class PledgeCreated(Event):
    action = "pledge.create"
    role_needed = "editor"
    entity = "pledge"
    subject = "pledge_id"
    pledge_id: int
    participant: str
    category: str
    reason: str
    batch_id: str | None = None

    def details(self) -> dict[str, Any]:
        details = super().details()
        if self.batch_id is None:
            del details["batch_id"]  # only a batch's pledges name it
        return details


@dataclass(frozen=True)
class PledgesChecked(Event):
    """Pledges read again against their sources on ``checked_on``, unchanged: a check, not a
    revision."""

    action = "pledge.check"
    role_needed = "editor"
    entity = "pledge"
    pledge_ids: list[int]
    checked_on: str


@dataclass(frozen=True)
class PledgeChanged(Event):
    """An update, withdrawal or restoration: ``change`` is the revision's action."""

    action = "pledge.{change}"
    entity = "pledge"
    subject = "pledge_id"
    role_needed = "editor"
    change: str
    pledge_id: int
    changed: list[str]
    version: int
    reason: str

    @classmethod
    def needs(cls, **names: Any) -> tuple[str, str]:
        action, role = super().needs(**names)
        # Restoring a withdrawn pledge is an admin's decision.
        return action, "admin" if names.get("change") == "restore" else role

    def details(self) -> dict[str, Any]:
        return {"changed": self.changed, "version": self.version, "reason": self.reason}


@dataclass(frozen=True)
class ImportCommitted(Event):
    action = "import.commit"
    role_needed = "editor"
    entity = "batch"
    subject = "batch_id"
    batch_id: str
    summary: dict[str, Any]

    def details(self) -> dict[str, Any]:
        return dict(self.summary)


# Reference data (admins, coalition/write/reference.py).
@dataclass(frozen=True)
class ReferenceRowAdded(Event):
    action = "reference.{table}.add"
    entity = "{table}"
    subject = "key"
    table: str
    key: str | int
    after: dict[str, Any]

    def details(self) -> dict[str, Any]:
        return {"after": self.after}


@dataclass(frozen=True)
class ReferenceRowUpdated(Event):
    action = "reference.{table}.update"
    entity = "{table}"
    subject = "key"
    table: str
    key: str | int
    before: dict[str, Any]
    after: dict[str, Any]

    def details(self) -> dict[str, Any]:
        return {"before": self.before, "after": self.after}


@dataclass(frozen=True)
class ReferenceRowDeleted(Event):
    action = "reference.{table}.delete"
    entity = "{table}"
    subject = "key"
    table: str
    key: str | int
    before: dict[str, Any]

    def details(self) -> dict[str, Any]:
        return {"before": self.before}


@dataclass(frozen=True)
class SnapshotExported(Event):
    """Who took which snapshot, so it can be issued again (it changes no data)."""

    action = "snapshot.export"
    entity = "snapshot"
    changes_data = False
    manifest: dict[str, Any]

    def entity_id(self) -> str | None:
        # A workbook is named by the CSV snapshot it matches.
        return str(self.manifest.get("sha256") or self.manifest["csv_sha256"])[:16]

    def details(self) -> dict[str, Any]:
        return dict(self.manifest)


@dataclass(frozen=True)
class SeedLoaded(Event):
    action = "seed.load"
    participants: int
    pledges: int
    events: int
    targets: int
    exchange_rates: int


@dataclass(frozen=True)
class SeedSynced(Event):
    """Corrected seed files applied; changes data only when something changed."""

    action = "seed.sync"
    report: dict[str, Any]
    changed: bool

    def details(self) -> dict[str, Any]:
        return dict(self.report)

    def changes(self) -> bool:
        return self.changed


# Signing in and out, and sessions (they change no tracked data).
@dataclass(frozen=True)
class SignedIn(AccountEvent):
    action = "auth.sign_in"
    address: str | None


@dataclass(frozen=True)
class SignInFailed(AccountEvent):
    action = "auth.sign_in_failed"
    unauthenticated = True
    reason: str
    address: str | None


@dataclass(frozen=True)
class SignedOut(AccountEvent):
    action = "auth.sign_out"


@dataclass(frozen=True)
class SessionsEnded(AccountEvent):
    action = "auth.sessions_ended"
    sessions: int
    tokens: int
    reason: str


@dataclass(frozen=True)
class CrossSiteRefused(Event):
    action = "auth.cross_site_refused"
    changes_data = False
    unauthenticated = True
    path: str
    origin: str | None


# Accounts (admins, coalition/access/auth.py).
@dataclass(frozen=True)
class AccountAdded(AccountEvent):
    action = "account.add"
    role: str
    local_password: bool


@dataclass(frozen=True)
class RoleSet(AccountEvent):
    action = "account.set_role"
    previous: str
    role: str

    def details(self) -> dict[str, Any]:
        return {"from": self.previous, "to": self.role}


@dataclass(frozen=True)
class AccountDisabled(AccountEvent):
    """Disabled, or (``disabled`` False) enabled again."""

    action = "account.{state}"
    disabled: bool

    def name(self) -> str:
        return "account.disable" if self.disabled else "account.enable"

    def details(self) -> dict[str, Any]:
        return {}


@dataclass(frozen=True)
class PasswordSet(AccountEvent):
    action = "account.set_password"


@dataclass(frozen=True)
class DisplayNameSet(AccountEvent):
    """Anyone signed in names their own account; histories show the name, so cached pages
    are rebuilt."""

    action = "account.set_display_name"
    changes_data = True
    role_needed = "viewer"
    previous: str | None
    display_name: str | None


@dataclass(frozen=True)
class SignedOutEverywhere(AccountEvent):
    action = "account.sign_out_everywhere"
    sessions: int


@dataclass(frozen=True)
class AccountUnlocked(AccountEvent):
    action = "account.unlock"
    failures_cleared: int


@dataclass(frozen=True)
class AddressUnlocked(Event):
    action = "account.unlock_address"
    entity = "address"
    subject = "address"
    changes_data = False
    address: str
    failures_cleared: int


# API tokens.
@dataclass(frozen=True)
class TokenCreated(TokenEvent):
    action = "token.create"
    account: str
    label: str  # the name its holder gave it
    kind: str = "api"

    def details(self) -> dict[str, Any]:
        return {"account": self.account, "name": self.label, "kind": self.kind}


@dataclass(frozen=True)
class TokenRevoked(TokenEvent):
    action = "token.revoke"


# Refusals.
@dataclass(frozen=True)
class WriteRefused(Event):
    action = "write.refused"
    changes_data = False
    attempted: str
    role: str | None
    required: str


@dataclass(frozen=True)
class PageRefused(Event):
    """Someone opened a page their role may not use (by its address: the navigation does not
    offer it). Bounded like the other refusals anyone can cause."""

    action = "page.refused"
    changes_data = False
    unauthenticated = True
    page: str
    role: str | None
    required: str


@dataclass(frozen=True)
class ApiRefused(Event):
    action = "api.refused"
    changes_data = False
    unauthenticated = True
    reason: str


@dataclass(frozen=True)
class NotRecorded(Event):
    """How many entries of one kind from unsigned requests were counted, not written, while
    more came than FloodGate lets through."""

    action = "flood.not_recorded"
    changes_data = False
    kind: str
    count: int
    since: str
    until: str


def event_classes() -> list[type[Event]]:
    """Every kind of entry: the classes that name an action (not the groups' base classes)."""
    found, waiting = [], list(Event.__subclasses__())
    while waiting:
        kind = waiting.pop(0)
        waiting += kind.__subclasses__()
        if "action" in vars(kind):
            found.append(kind)
    return found


def record(session: Session, *, actor: str, event: Event) -> AuditEvent | None:
    """Add an audit entry to the caller's transaction; the data version moves with it unless
    the event changes no tracked data (sign-ins: cached pages stay valid). An entry made by an
    unsigned request has its text clipped, and is only counted (None) while FLOOD_GATE holds
    that kind back."""
    details = event.details()
    if event.unauthenticated:
        gate = FLOOD_GATE.admit(str(session.get_bind().engine.url), event.action)
        if gate is False:
            return None
        if isinstance(gate, HeldBack):
            summary = NotRecorded(
                kind=event.action, count=gate.count, since=gate.since, until=gate.until
            )
            record(session, actor="system", event=summary)
        actor = clipped(actor)
        details = {key: clipped(value) for key, value in details.items()}
    entry = AuditEvent(
        actor=actor,
        action=event.name(),
        entity=event.entity_name(),
        entity_id=event.entity_id(),
        details=details,
    )
    session.add(entry)
    if event.changes():
        bump_data_version(session)
    return entry


def record_many(session: Session, *, actor: str, events: list[Event]) -> None:
    """The bulk form of ``record`` for a data change: one entry per event in one multi-row
    INSERT, and one step of the data version."""
    now = utc_now()
    session.execute(
        insert(AuditEvent),
        [
            {
                "occurred_at": now,
                "actor": actor,
                "action": event.name(),
                "entity": event.entity_name(),
                "entity_id": event.entity_id(),
                "details": event.details(),
            }
            for event in events
        ],
    )
    bump_data_version(session)
