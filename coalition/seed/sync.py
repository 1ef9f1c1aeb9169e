"""Bringing a seeded database in line with corrected seed files: each change becomes a new
revision through the write path, and a row staff have edited since is left as they left it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from sqlmodel import Session, SQLModel, select

from coalition.access import audit
from coalition.read.review import last_checked_on
from coalition.seed.files import ATTENDANCE_FIELDS, SeedBundle
from coalition.seed.load import SEED_ACTOR, mark_applied, stored_id
from coalition.write.checks import insert_checks
from coalition.write.pledges import (
    create_pledges,
    known_currencies,
    known_participant_codes,
    update_pledge,
)
from coalition.write.validation import validate_pledge
from db.models import (
    AuditEvent,
    Event,
    EventAttendance,
    ExchangeRate,
    Participant,
    Pledge,
    SeedPledge,
    SeedState,
    Target,
    current_values,
    pledge_change,
    utc_now,
)

M = TypeVar("M", bound=SQLModel)
CORRECTION_REASON = "Correction from the re-checked seed files (see data/CHANGELOG.md)"
ADDITION_REASON = "Added from the re-checked seed files (see data/CHANGELOG.md)"


@dataclass
class SyncReport:
    """What bringing a database in line with corrected seed files did, and what it left."""

    pledges_created: list[str] = field(default_factory=list)
    pledges_corrected: list[str] = field(default_factory=list)
    # Seed rows whose pledge staff have changed since: their change stands; named for review.
    pledges_kept: list[str] = field(default_factory=list)
    # Keys the database knows that the seed files no longer hold: left as they are.
    pledges_not_in_seed: list[str] = field(default_factory=list)
    # Unchanged seed rows read again against their sources since: a newer check each.
    pledges_rechecked: list[str] = field(default_factory=list)
    reference: dict[str, dict[str, int]] = field(default_factory=dict)
    reference_kept: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(
            self.pledges_created
            or self.pledges_corrected
            or self.pledges_rechecked
            or any(any(counts.values()) for counts in self.reference.values())
        )

    def as_details(self) -> dict[str, Any]:
        return {
            "pledges_created": self.pledges_created,
            "pledges_corrected": self.pledges_corrected,
            "pledges_kept": self.pledges_kept,
            "pledges_not_in_seed": self.pledges_not_in_seed,
            "pledges_rechecked": self.pledges_rechecked,
            "reference": self.reference,
            "reference_kept": self.reference_kept,
        }


def _edited_by_staff(session: Session, table: str) -> set[str]:
    """Keys of the rows of a reference table that an admin added or changed: the seed leaves
    them alone (reference.py audits every such edit with the row's key)."""
    statement = select(AuditEvent.entity_id).where(
        AuditEvent.action.startswith(f"reference.{table}."),
        AuditEvent.actor != SEED_ACTOR.email,
    )
    return {key for key in session.exec(statement).all() if key is not None}


def _fields(record: SQLModel) -> dict[str, Any]:
    return {k: v for k, v in record.model_dump().items() if k != "id"}


def _sync_rows(
    session: Session,
    report: SyncReport,
    table: str,
    seeded: list[M],
    key: Callable[[Any], Any],
    entity_key: Callable[[Any], str],
) -> dict[Any, M]:
    """Make the rows the seed owns match the seed: add what is missing, update what differs,
    remove what the seed no longer holds. Rows an admin added or changed are left as they are
    and named in the report. Returns the database rows by key, after the sync."""
    model = type(seeded[0]) if seeded else None
    counts = {"added": 0, "updated": 0, "removed": 0}
    report.reference[table] = counts
    if model is None:
        return {}
    edited = _edited_by_staff(session, table)
    current: dict[Any, M] = {}
    for record in session.exec(select(model)).all():
        current.setdefault(key(record), record)
    wanted = {key(record): record for record in seeded}
    for k, record in current.items():
        if k in wanted:
            continue
        if entity_key(record) in edited:
            report.reference_kept.append(f"{table} {entity_key(record)} (not in the seed files)")
            continue
        if isinstance(record, Event):
            for attended in session.exec(
                select(EventAttendance).where(EventAttendance.event_id == record.id)
            ):
                session.delete(attended)
            session.flush()
        session.delete(record)
        counts["removed"] += 1
    session.flush()
    result: dict[Any, M] = {}
    for k, record in wanted.items():
        existing = current.get(k)
        if existing is None:
            session.add(record)
            result[k] = record
            counts["added"] += 1
            continue
        result[k] = existing
        if _fields(existing) == _fields(record):
            continue
        if entity_key(existing) in edited:
            report.reference_kept.append(f"{table} {entity_key(existing)} (changed by an admin)")
            continue
        for name, value in _fields(record).items():
            setattr(existing, name, value)
        counts["updated"] += 1
    session.flush()
    return result


def _sync_attendance(
    session: Session, report: SyncReport, bundle: SeedBundle, events: dict[date, Event]
) -> None:
    """Attendance is not edited in the app: each seeded meeting's list is the seed's."""
    counts = {"added": 0, "updated": 0, "removed": 0}
    report.reference["attendance"] = counts
    wanted = {
        (stored_id(events[row["held_on"]]), row["participant_code"]): row
        for row in bundle.attendance
    }
    event_ids = {event.id for event in events.values()}
    for record in session.exec(select(EventAttendance)).all():
        if record.event_id not in event_ids:
            continue
        row = wanted.pop((record.event_id, record.participant_code), None)
        if row is None:
            session.delete(record)
            counts["removed"] += 1
            continue
        values = {k: row[k] for k in ATTENDANCE_FIELDS}
        if any(getattr(record, k) != v for k, v in values.items()):
            for name, value in values.items():
                setattr(record, name, value)
            counts["updated"] += 1
    for (event_id, code), row in wanted.items():
        session.add(
            EventAttendance(
                event_id=event_id,
                participant_code=code,
                **{k: row[k] for k in ATTENDANCE_FIELDS},
            )
        )
        counts["added"] += 1
    session.flush()


def _sync_pledges(session: Session, report: SyncReport, bundle: SeedBundle) -> None:
    mapped = {m.seed_key: m.pledge_id for m in session.exec(select(SeedPledge)).all()}
    wanted = dict(bundle.pledges)
    report.pledges_not_in_seed = sorted(set(mapped) - set(wanted))
    new = [(key, values) for key, values in bundle.pledges if key not in mapped]
    checked_on = bundle.pledge_checked_on
    last_checks = last_checked_on(session, mapped.values())
    rechecked: list[tuple[str, int]] = []
    for key, values in bundle.pledges:
        if key not in mapped:
            continue
        pledge = session.get(Pledge, mapped[key])
        assert pledge is not None  # a seeded pledge's row stays (foreign key)
        fields = validate_pledge(
            values,
            participant_codes=known_participant_codes(session),
            currencies=known_currencies(session),
        )
        changes = pledge_change(current_values(pledge), fields.model_dump())
        if not changes:
            seen = last_checks.get(stored_id(pledge))
            if key in checked_on and (seen is None or seen < checked_on[key]):
                rechecked.append((key, stored_id(pledge)))
            continue
        if pledge.updated_by != SEED_ACTOR.email:
            changed = ", ".join(sorted(changes.as_dict()))
            report.pledges_kept.append(f"{key} (pledge {pledge.id}: {changed})")
            continue
        update_pledge(
            session,
            actor=SEED_ACTOR,
            pledge_id=stored_id(pledge),
            expected_version=pledge.version,
            changes=changes,
            reason=CORRECTION_REASON,
            # A correction holds from the earlier of the two dates, so the wrong state is
            # nowhere left standing in the "as of" views.
            effective_on=min(pledge.announced_on, fields.announced_on),
            checked_on=checked_on.get(key),
        )
        report.pledges_corrected.append(key)
    if rechecked:
        insert_checks(
            session,
            pledge_ids=[pledge_id for _, pledge_id in rechecked],
            checked_on=[checked_on[key] for key, _ in rechecked],
            actor=SEED_ACTOR,
            recorded_at=utc_now(),
        )
        report.pledges_rechecked = [key for key, _ in rechecked]
    if new:
        ids = create_pledges(
            session,
            actor=SEED_ACTOR,
            entries=[values for _, values in new],
            reason=ADDITION_REASON,
            checked_on=[checked_on[key] for key, _ in new],
        )
        session.add_all(
            SeedPledge(seed_key=key, pledge_id=pledge_id)
            for (key, _), pledge_id in zip(new, ids, strict=True)
        )
        report.pledges_created = [key for key, _ in new]
    session.flush()


def seed_is_current(session: Session, digest: str) -> bool:
    state = session.get(SeedState, 1)
    return state is not None and state.digest == digest


def sync_seed(session: Session, bundle: SeedBundle) -> SyncReport:
    """Bring a database seeded from older seed files in line with these, in the caller's
    transaction. Corrections go through the one pledge write path, so each is a revision with
    its reason and the old figure stays in the history; staff's own changes always win."""
    report = SyncReport()
    _sync_rows(session, report, "participants", bundle.participants, _code, _code)
    _sync_rows(
        session,
        report,
        "exchange_rates",
        bundle.exchange_rates,
        lambda r: (r.currency, r.kind, r.rate_date),
        _id,
    )
    _sync_rows(session, report, "targets", bundle.targets, lambda t: t.name, _id)
    events = _sync_rows(session, report, "events", bundle.events, lambda e: e.held_on, _id)
    _sync_attendance(session, report, bundle, events)
    session.info.pop("participant_codes", None)
    session.info.pop("currencies", None)
    _sync_pledges(session, report, bundle)
    mark_applied(session, bundle.digest)
    audit.record(
        session,
        actor=SEED_ACTOR.email,
        event=audit.SeedSynced(report=report.as_details(), changed=report.changed),
    )
    session.flush()
    return report


def _code(participant: Participant) -> str:
    return participant.code


def _id(record: ExchangeRate | Target | Event) -> str:
    return str(record.id)
