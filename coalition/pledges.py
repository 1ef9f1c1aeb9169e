"""The one place that writes a pledge: every write stores the pledge's full new state as a
revision and an audit entry, in the caller's transaction (see db.engine.write_session)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlmodel import Session, select

from coalition import audit
from coalition.auth import Actor, require_role
from coalition.errors import NotFound, Problem, ValidationFailed, VersionConflict
from coalition.validation import validate_pledge
from db.models import ExchangeRate, Participant, Pledge, PledgeFields, PledgeRevision, utc_now

PLEDGE_FIELD_NAMES = tuple(PledgeFields.model_fields)


def known_participant_codes(session: Session) -> set[str]:
    # Memoised for the transaction: a bulk import validates thousands of rows against it.
    if "participant_codes" not in session.info:
        session.info["participant_codes"] = set(session.exec(select(Participant.code)).all())
    return session.info["participant_codes"]


def known_currencies(session: Session) -> set[str]:
    if "currencies" not in session.info:
        session.info["currencies"] = set(
            session.exec(select(ExchangeRate.currency).distinct()).all()
        )
    return session.info["currencies"]


def _reason_problems(reason: str | None) -> list[Problem]:
    reason = (reason or "").strip()
    if not reason:
        return [Problem("reason", "is required: say why this change is made")]
    if len(reason) > 500:
        return [Problem("reason", "is longer than 500 characters")]
    return []


def _validated(session: Session, raw: Mapping[str, Any], reason: str | None) -> PledgeFields:
    """The pledge's fields checked, and the reason with them: every problem raised at once."""
    problems = _reason_problems(reason)
    try:
        fields = validate_pledge(
            raw,
            participant_codes=known_participant_codes(session),
            currencies=known_currencies(session),
        )
    except ValidationFailed as failure:
        problems = failure.problems + problems
    if problems:
        raise ValidationFailed(problems)
    return fields


def _append_revision(
    session: Session,
    pledge: Pledge,
    *,
    action: str,
    actor: str,
    reason: str,
    effective_on: date,
    batch_id: str | None,
) -> PledgeRevision:
    revision = PledgeRevision(
        **{name: getattr(pledge, name) for name in PLEDGE_FIELD_NAMES},
        pledge_id=pledge.id,
        version=pledge.version,
        action=action,
        actor=actor,
        reason=reason,
        recorded_at=pledge.updated_at,
        effective_on=effective_on,
        batch_id=batch_id,
    )
    session.add(revision)
    return revision


def _action_for(previous_status: str, status: str) -> str:
    if status == "withdrawn" and previous_status != "withdrawn":
        return "withdraw"
    if previous_status == "withdrawn" and status != "withdrawn":
        return "restore"
    return "update"


def create_pledge(
    session: Session,
    *,
    actor: Actor,
    values: Mapping[str, Any],
    reason: str,
    effective_on: date | None = None,
    batch_id: str | None = None,
) -> Pledge:
    """Validate and add a new pledge with its first revision. ``effective_on`` (the day from
    which the pledge holds, for "as of" views) defaults to its announcement date."""
    require_role(session, actor, "editor", action="pledge.create")
    fields = _validated(session, values, reason)
    reason = reason.strip()
    now = utc_now()
    pledge = Pledge(
        **fields.model_dump(), version=1, created_at=now, updated_at=now, updated_by=actor.email
    )
    session.add(pledge)
    session.flush()  # assigns pledge.id for the revision and the audit entry
    _append_revision(
        session,
        pledge,
        action="create",
        actor=actor.email,
        reason=reason,
        effective_on=effective_on or fields.announced_on,
        batch_id=batch_id,
    )
    audit.record(
        session,
        actor=actor.email,
        action="pledge.create",
        entity="pledge",
        entity_id=pledge.id,
        details={
            "participant": pledge.participant_code,
            "category": pledge.category,
            "reason": reason,
            **({"batch_id": batch_id} if batch_id else {}),
        },
    )
    session.flush()
    return pledge


def update_pledge(
    session: Session,
    *,
    actor: Actor,
    pledge_id: int,
    expected_version: int,
    changes: Mapping[str, Any],
    reason: str,
    effective_on: date | None = None,
    batch_id: str | None = None,
) -> Pledge:
    """Apply only the given fields on top of the current state, if nobody saved since
    ``expected_version``. The version check and the bump are one UPDATE, so two writers racing
    from the same version cannot both win on any database. Restoring a withdrawn pledge is an
    admin's decision."""
    require_role(session, actor, "editor", action="pledge.update")
    pledge = session.get(Pledge, pledge_id)
    if pledge is None:
        raise NotFound(f"pledge {pledge_id} does not exist")
    unknown = sorted(set(changes) - set(PLEDGE_FIELD_NAMES))
    if unknown:
        raise ValidationFailed([Problem(name, "is not a pledge field") for name in unknown])
    previous_status = pledge.status
    merged = {name: getattr(pledge, name) for name in PLEDGE_FIELD_NAMES} | dict(changes)
    fields = _validated(session, merged, reason)
    reason = reason.strip()
    changed = {
        name: getattr(fields, name)
        for name in PLEDGE_FIELD_NAMES
        if getattr(fields, name) != getattr(pledge, name)
    }
    if pledge.version != expected_version:
        raise VersionConflict(expected_version=expected_version, current_version=pledge.version)
    if not changed:
        return pledge  # nothing to record: re-saving the same values is not a revision
    if _action_for(previous_status, fields.status) == "restore":
        require_role(session, actor, "admin", action="pledge.restore")

    now = utc_now()
    result = session.execute(
        Pledge.__table__.update()
        .where(Pledge.__table__.c.id == pledge_id, Pledge.__table__.c.version == expected_version)
        .values(**changed, version=expected_version + 1, updated_at=now, updated_by=actor.email)
    )
    if result.rowcount != 1:
        current_version = session.scalar(select(Pledge.version).where(Pledge.id == pledge_id))
        raise VersionConflict(
            expected_version=expected_version, current_version=current_version or expected_version
        )
    session.refresh(pledge)
    action = _action_for(previous_status, pledge.status)
    _append_revision(
        session,
        pledge,
        action=action,
        actor=actor.email,
        reason=reason,
        effective_on=effective_on or now.date(),
        batch_id=batch_id,
    )
    audit.record(
        session,
        actor=actor.email,
        action=f"pledge.{action}",
        entity="pledge",
        entity_id=pledge.id,
        details={"changed": sorted(changed), "version": pledge.version, "reason": reason},
    )
    session.flush()
    return pledge
