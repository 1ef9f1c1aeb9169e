"""Audit entries: small typed records written in the same transaction as what they describe.
Every write records one, so recording one is also where the data version moves."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, update
from sqlmodel import Session

from db.models import AuditEvent, DataVersion, utc_now

# The kinds of entry, by the prefix of their action, as the audit log's filter offers them.
# Every action recorded anywhere falls in one (tests/test_auth.py checks the code for it).
ACTION_GROUPS = {
    "pledge.": "Pledge edits",
    "import.": "Imports",
    "reference.": "Reference data changes",
    "snapshot.": "Snapshot exports",
    "seed.": "Seeding",
    "auth.": "Sign-ins and sign-outs",
    "account.": "Account changes",
    "token.": "API tokens",
    "api.refused": "Refused API requests",
    "write.refused": "Refused writes",
}


def group_of(action: str) -> str | None:
    return next(
        (label for prefix, label in ACTION_GROUPS.items() if action.startswith(prefix)), None
    )


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    entity: str | None = None,
    entity_id: str | int | None = None,
    details: dict[str, Any] | None = None,
    changes_data: bool = True,
) -> AuditEvent:
    """Add an audit entry to the caller's transaction. ``changes_data`` is False for events
    such as sign-ins that leave the tracked data as they were (cached pages stay valid)."""
    entry = AuditEvent(
        actor=actor,
        action=action,
        entity=entity,
        entity_id=None if entity_id is None else str(entity_id),
        details=details or {},
    )
    session.add(entry)
    if changes_data:
        bump_data_version(session)
    return entry


def record_many(
    session: Session,
    *,
    actor: str,
    action: str,
    entity: str,
    entries: dict[str | int, dict[str, Any]],
) -> None:
    """The bulk form of ``record`` for a data change: one entry per entity id (with its details)
    in one multi-row INSERT, and one step of the data version."""
    now = utc_now()
    session.execute(
        insert(AuditEvent),
        [
            {
                "occurred_at": now,
                "actor": actor,
                "action": action,
                "entity": entity,
                "entity_id": str(entity_id),
                "details": details,
            }
            for entity_id, details in entries.items()
        ],
    )
    bump_data_version(session)


def bump_data_version(session: Session) -> None:
    """Tell every app process that the data changed; commits with the caller's transaction."""
    session.execute(update(DataVersion).values(version=DataVersion.version + 1))
