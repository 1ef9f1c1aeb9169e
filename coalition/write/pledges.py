"""The one place that writes a pledge: every write stores the pledge's full new state as a
revision and an audit entry, in the caller's transaction (see db.engine.write_session)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Table, insert, update
from sqlmodel import Session, col, select

from coalition.access import audit
from coalition.access.auth import Actor, RoleRefused, require_role, role_of
from coalition.errors import NotFound, Problem, ValidationFailed, VersionConflict
from coalition.read.queries import SYNTHETIC_SOURCE
from coalition.text.checks import check_text, parse_date
from coalition.write.checks import checked_today, insert_checks
from coalition.write.command import Command, runner
from coalition.write.validation import validate_pledge
from core.vocabulary import SYSTEM_ROLE
from db.data_version import bump_data_version
from db.models import (
    PLEDGE_FIELD_NAMES,
    ExchangeRate,
    Participant,
    Pledge,
    PledgeChange,
    PledgeFields,
    PledgeRevision,
    current_values,
    pledge_change,
    utc_now,
)


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
    unsafe = check_text("reason", reason)
    return [unsafe] if unsafe else []


def _effective_on(value: date | str | None, problems: list[Problem]) -> date | None:
    """The day a change holds from, as typed (YYYY-MM-DD) or given; a problem, never another
    day, when it does not parse or lies outside the shared range."""
    try:
        return parse_date("effective_on", value)
    except ValidationFailed as failure:
        problems.extend(failure.problems)
        return None


@dataclass(frozen=True)
class CheckedEntry:
    """A pledge's fields as check_entries left them, in this transaction: the write path
    takes one without checking it again (the importer's preview makes them)."""

    fields: PledgeFields


def check_entries(
    session: Session, entries: Sequence[Mapping[str, Any] | CheckedEntry]
) -> tuple[list[CheckedEntry], list[Problem]]:
    """The one check of a pledge's fields, against the record's participants and currencies:
    every entry checked (problems name their entry by number, ``row``, from 1), an entry
    already checked taken as it is."""
    checked: list[CheckedEntry] = []
    problems: list[Problem] = []
    for number, entry in enumerate(entries, start=1):
        if isinstance(entry, CheckedEntry):
            checked.append(entry)
            continue
        try:
            fields = validate_pledge(
                entry,
                participant_codes=known_participant_codes(session),
                currencies=known_currencies(session),
            )
        except ValidationFailed as failure:
            problems += [replace(problem, row=number) for problem in failure.problems]
        else:
            checked.append(CheckedEntry(fields))
    return checked, problems


def _write_problems(
    reason: str | None, effective_on: date | str | None
) -> tuple[list[Problem], date | None]:
    """What every write checks besides the pledge: its reason and the day it holds from."""
    problems = _reason_problems(reason)
    return problems, _effective_on(effective_on, problems)


def _role_at_write(session: Session, actor: Actor) -> str | None:
    """The role the actor holds as this write is made (just checked by require_role), kept
    with the revision: the account's role may change later, and the revision must still say
    in which role the change was made."""
    return SYSTEM_ROLE if actor.system else role_of(session, actor)


def revision_row(
    state: Mapping[str, Any],
    *,
    pledge_id: int,
    version: int,
    action: str,
    actor: str,
    actor_role: str | None,
    reason: str,
    recorded_at: datetime,
    effective_on: date,
    batch_id: str | None,
    committed_version: int,
) -> dict[str, Any]:
    """The one shape of a revision: the pledge's full state with who, when, why and from
    when (every write inserts these rows with insert(PledgeRevision)), and the data version
    its transaction commits as (bump_data_version)."""
    return {name: state[name] for name in PLEDGE_FIELD_NAMES} | {
        "pledge_id": pledge_id,
        "version": version,
        "action": action,
        "actor": actor,
        "actor_role": actor_role,
        "reason": reason,
        "recorded_at": recorded_at,
        "effective_on": effective_on,
        "batch_id": batch_id,
        "committed_version": committed_version,
    }


def _action_for(previous_status: str, status: str) -> str:
    if status == "withdrawn" and previous_status != "withdrawn":
        return "withdraw"
    if previous_status == "withdrawn" and status != "withdrawn":
        return "restore"
    return "update"


@dataclass(kw_only=True)
class CreatePledges(Command[list[int]]):
    """Add new pledges, each with its first revision and audit entry; writes return their
    ids in order. ``effective_on`` (the day from which a pledge holds, for "as of" views)
    defaults to each pledge's announcement date.

    One role check and three multi-row INSERTs however many pledges: a bulk import is as fast
    as the database allows. Every entry is checked before anything is written; a problem names
    its entry by number (``row``, counting from 1)."""

    event = audit.PledgeCreated
    entries: Sequence[Mapping[str, Any] | CheckedEntry]
    reason: str
    effective_on: date | str | None = None
    batch_id: str | None = None
    # The day each was read against its source (one day for all, or one per entry); a person
    # writing reads it that day (checks.checked_today).
    checked_on: date | Sequence[date] | None = None
    checked: list[CheckedEntry] = field(init=False, default_factory=list)
    holds_from: date | None = field(init=False, default=None)

    def validate(self, session: Session) -> list[Problem]:
        self.checked, problems = check_entries(session, self.entries)
        write_problems, self.holds_from = _write_problems(self.reason, self.effective_on)
        return problems + write_problems

    def write(self, session: Session) -> list[int]:
        if not self.checked:
            return []
        actor, reason, batch_id = self.actor, self.reason.strip(), self.batch_id
        actor_role = _role_at_write(session, actor)
        now = utc_now()
        states = [entry.fields.model_dump() for entry in self.checked]
        rows = [
            state | {"version": 1, "created_at": now, "updated_at": now, "updated_by": actor.email}
            for state in states
        ]
        returned = insert(Pledge).returning(col(Pledge.id), sort_by_parameter_order=True)
        # The ids the database gave: never None, whatever the model's "int | None" allows.
        ids = cast("Sequence[int]", session.scalars(returned, rows).all())
        committed = bump_data_version(session)
        session.execute(
            insert(PledgeRevision),
            [
                revision_row(
                    state,
                    pledge_id=pledge_id,
                    version=1,
                    action="create",
                    actor=actor.email,
                    actor_role=actor_role,
                    reason=reason,
                    recorded_at=now,
                    effective_on=self.holds_from or state["announced_on"],
                    batch_id=batch_id,
                    committed_version=committed,
                )
                for pledge_id, state in zip(ids, states, strict=True)
            ],
        )
        insert_checks(
            session,
            pledge_ids=ids,
            checked_on=self.checked_on if self.checked_on is not None else checked_today(actor),
            actor=actor,
            recorded_at=now,
        )
        audit.record_many(
            session,
            actor=actor.email,
            events=[
                audit.PledgeCreated(
                    pledge_id=pledge_id,
                    participant=state["participant_code"],
                    category=state["category"],
                    reason=reason,
                    batch_id=batch_id or None,
                )
                for pledge_id, state in zip(ids, states, strict=True)
            ],
        )
        return list(ids)


create_pledges = runner(CreatePledges)


def create_pledge(
    session: Session,
    *,
    actor: Actor,
    values: Mapping[str, Any],
    reason: str,
    effective_on: date | str | None = None,
    batch_id: str | None = None,
) -> Pledge:
    """One new pledge (see create_pledges), with problems named by field alone."""
    try:
        (pledge_id,) = create_pledges(
            session,
            actor=actor,
            entries=[values],
            reason=reason,
            effective_on=effective_on,
            batch_id=batch_id,
        )
    except ValidationFailed as failure:
        raise ValidationFailed([replace(p, row=None) for p in failure.problems]) from failure
    return session.get_one(Pledge, pledge_id)


@dataclass(kw_only=True)
class UpdatePledge(Command[Pledge]):
    """Apply only the given fields (those a PledgeChange holds, or a mapping's) on top of the
    current state, if nobody saved since ``expected_version``; a CheckedEntry is the whole new
    state, already checked. The version check and the bump are one UPDATE, so two writers
    racing from the same version cannot both win on any database. Restoring a withdrawn
    pledge is an admin's decision."""

    event = audit.PledgeChanged
    pledge_id: int
    expected_version: int
    changes: PledgeChange | Mapping[str, Any] | CheckedEntry
    reason: str
    effective_on: date | str | None = None
    batch_id: str | None = None
    checked_on: date | None = None
    pledge: Pledge = field(init=False)
    checked: list[CheckedEntry] = field(init=False, default_factory=list)
    holds_from: date | None = field(init=False, default=None)

    def action_names(self) -> dict[str, Any]:
        return {"change": "update"}

    def validate(self, session: Session) -> list[Problem]:
        pledge = session.get(Pledge, self.pledge_id)
        if pledge is None:
            raise NotFound(f"pledge {self.pledge_id} does not exist")
        self.pledge = pledge
        changes = self.changes
        if isinstance(changes, PledgeChange):
            changes = changes.as_dict()
        if isinstance(changes, CheckedEntry):
            entry: Mapping[str, Any] | CheckedEntry = changes
        else:
            unknown = sorted(set(changes) - set(PLEDGE_FIELD_NAMES))
            if unknown:  # nothing else is checked against fields that do not exist
                return [Problem(name, "is not a pledge field") for name in unknown]
            entry = current_values(pledge) | dict(changes)
        self.checked, problems = check_entries(session, [entry])
        write_problems, self.holds_from = _write_problems(self.reason, self.effective_on)
        return [replace(p, row=None) for p in problems] + write_problems

    def write(self, session: Session) -> Pledge:
        pledge, actor, expected = self.pledge, self.actor, self.expected_version
        fields, reason = self.checked[0].fields, self.reason.strip()
        previous_status = pledge.status
        changed = pledge_change(current_values(pledge), fields.model_dump()).as_dict()
        if pledge.version != expected:
            raise VersionConflict(expected_version=expected, current_version=pledge.version)
        if not changed:
            return pledge  # nothing to record: re-saving the same values is not a revision
        if _action_for(previous_status, fields.status) == "restore":
            require_role(session, actor, audit.PledgeChanged, change="restore")
        now = utc_now()
        pledges: Table = Pledge.__table__  # type: ignore[attr-defined]  # sqlmodel leaves it undeclared
        result = session.exec(
            pledges.update()
            .where(pledges.c.id == pledge.id, pledges.c.version == expected)
            .values(**changed, version=expected + 1, updated_at=now, updated_by=actor.email)
        )
        if result.rowcount != 1:
            current_version = session.scalar(select(Pledge.version).where(Pledge.id == pledge.id))
            raise VersionConflict(
                expected_version=expected, current_version=current_version or expected
            )
        session.refresh(pledge)
        action = _action_for(previous_status, pledge.status)
        session.execute(
            insert(PledgeRevision),
            [
                revision_row(
                    current_values(pledge),
                    pledge_id=self.pledge_id,
                    version=pledge.version,
                    action=action,
                    actor=actor.email,
                    actor_role=_role_at_write(session, actor),
                    reason=reason,
                    recorded_at=now,
                    effective_on=self.holds_from or now.date(),
                    batch_id=self.batch_id,
                    committed_version=bump_data_version(session),
                )
            ],
        )
        insert_checks(
            session,
            pledge_ids=[self.pledge_id],
            checked_on=self.checked_on or checked_today(actor),
            actor=actor,
            recorded_at=now,
        )
        audit.record(
            session,
            actor=actor.email,
            event=audit.PledgeChanged(
                change=action,
                pledge_id=self.pledge_id,
                changed=sorted(changed),
                version=pledge.version,
                reason=reason,
            ),
        )
        session.flush()
        return pledge


update_pledge = runner(UpdatePledge)


def add_synthetic_history(
    session: Session,
    *,
    actor: Actor,
    revisions: Sequence[tuple[int, date, Mapping[str, Any]]],
    reason: str,
) -> None:
    """For synthetic benchmark data only, and called by nothing but bench/generate.py: the
    later revisions of pledges it created through create_pledges, in a few multi-row
    statements. update_pledge, one revision at a time, writes about 200 a second, so a
    benchmark history of a million revisions would take well over an hour.

    Each entry is (pledge id, effective_on, changes), applied in order on top of the pledge's
    state as update_pledge applies them: the merged state is validated, stored as the pledge's
    next version with its audit entry and the action update_pledge would give it, and the
    pledge takes its last state; the data version moves once. recorded_at is now, as in every
    write. Two differences, both for the generated history's fixed shape: no expected version
    (the pledges were created in the same transaction), and a revision is recorded even when
    it changes nothing. Only a system actor may call it, and only on pledges whose source, before
    and after, is SYNTHETIC_SOURCE: it cannot touch a real pledge."""
    if not actor.system:
        raise RoleRefused(
            actor, action="pledge.synthetic", role=role_of(session, actor), minimum=SYSTEM_ROLE
        )
    problems = _reason_problems(reason)
    ids = sorted({pledge_id for pledge_id, _, _ in revisions})
    states: dict[int, dict[str, Any]] = {}
    versions: dict[int, int] = {}
    for start in range(0, len(ids), 1_000):
        rows = session.execute(
            select(
                Pledge.id, Pledge.version, *(getattr(Pledge, n) for n in PLEDGE_FIELD_NAMES)
            ).where(col(Pledge.id).in_(ids[start : start + 1_000]))
        ).all()
        for pledge_id, version, *values in rows:
            states[pledge_id] = dict(zip(PLEDGE_FIELD_NAMES, values, strict=True))
            versions[pledge_id] = version
    reason = reason.strip()
    actor_role = _role_at_write(session, actor)
    now = utc_now()
    committed = bump_data_version(session)
    history: list[dict[str, Any]] = []
    events: list[audit.Event] = []
    for number, (pledge_id, effective_on, changes) in enumerate(revisions, start=1):
        before = states.get(pledge_id)
        if before is None or before["source_title"] != SYNTHETIC_SOURCE:
            problems.append(Problem("pledge_id", f"{pledge_id} is no synthetic pledge", row=number))
            continue
        checked, row_problems = check_entries(session, [before | dict(changes)])
        effective = _effective_on(effective_on, row_problems)
        if row_problems:
            problems += [replace(problem, row=number) for problem in row_problems]
            continue
        after = checked[0].fields.model_dump()
        if after["source_title"] != SYNTHETIC_SOURCE:
            problems.append(Problem("source_title", "must stay synthetic", row=number))
            continue
        version = versions[pledge_id] = versions[pledge_id] + 1
        action = _action_for(before["status"], after["status"])
        states[pledge_id] = after
        history.append(
            revision_row(
                after,
                pledge_id=pledge_id,
                version=version,
                action=action,
                actor=actor.email,
                actor_role=actor_role,
                reason=reason,
                recorded_at=now,
                effective_on=effective or now.date(),
                batch_id=None,
                committed_version=committed,
            )
        )
        events.append(
            audit.PledgeChanged(
                change=action,
                pledge_id=pledge_id,
                changed=sorted(pledge_change(before, after).as_dict()),
                version=version,
                reason=reason,
            )
        )
    if problems:
        raise ValidationFailed(problems)
    if not history:
        return
    session.execute(insert(PledgeRevision), history)
    session.execute(
        update(Pledge),
        [
            states[pledge_id]
            | {
                "id": pledge_id,
                "version": versions[pledge_id],
                "updated_at": now,
                "updated_by": actor.email,
            }
            for pledge_id in ids
        ],
    )
    audit.record_many(session, actor=actor.email, events=events)
