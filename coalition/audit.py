"""Audit entries: small typed records written in the same transaction as what they describe."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from db.models import AuditEvent


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    entity: str | None = None,
    entity_id: str | int | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    entry = AuditEvent(
        actor=actor,
        action=action,
        entity=entity,
        entity_id=None if entity_id is None else str(entity_id),
        details=details or {},
    )
    session.add(entry)
    return entry
