"""Seed data: the CSV files under data/, checked in full before anything is written.

Seeding is a domain use case rather than a db/ helper because pledges must enter through the one
pledge write path (coalition.write.pledges), which records their first revision and audit entry.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TypeVar

from pydantic import TypeAdapter, ValidationError
from sqlmodel import Session, SQLModel, select

from coalition.access import audit
from coalition.access.auth import Actor
from coalition.errors import Problem, ValidationFailed
from coalition.money.exchange import AVERAGE_FOR_PRECISION, period_start
from coalition.text.checks import check_url
from coalition.write.pledges import (
    create_pledges,
    known_currencies,
    known_participant_codes,
    update_pledge,
)
from coalition.write.validation import validate_pledge, validate_reference_row
from db.models import (
    AuditEvent,
    Event,
    EventAttendance,
    ExchangeRate,
    Participant,
    Pledge,
    PledgeFields,
    SeedPledge,
    SeedState,
    Target,
    current_values,
    pledge_change,
    utc_now,
)

SEED_ACTOR = Actor.for_system("seed")
SEED_REASON = "Initial seed from public reporting"
SEED_FILES = (
    "participants.csv",
    "exchange_rates.csv",
    "events.csv",
    "attendance.csv",
    "targets.csv",
    "pledges.csv",
)
ATTENDANCE_COLUMNS = (
    "held_on",
    "participant_code",
    "source_title",
    "source_url",
    "source_published_on",
)
# The seed file's own column first: the stable key of a row, so a corrected row finds the
# pledge it became (see sync_seed).
PLEDGE_COLUMNS = ("seed_key", *PledgeFields.model_fields)
SEED_KEY = re.compile(r"[a-z0-9][a-z0-9-]{0,59}")

Row = dict[str, str]
_DATE = TypeAdapter(date)
M = TypeVar("M", bound=SQLModel)


class SeedError(ValidationFailed):
    """The seed files are broken; nothing was written."""


@dataclass
class SeedBundle:
    digest: str = ""
    participants: list[Participant] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    attendance: list[dict[str, Any]] = field(default_factory=list)  # parsed dates
    exchange_rates: list[ExchangeRate] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    # (seed key, the row's pledge fields as text)
    pledges: list[tuple[str, dict[str, str]]] = field(default_factory=list)


def _as_date(text: str) -> date | None:
    try:
        return _DATE.validate_python(text.strip())
    except ValidationError:
        return None


def read_csv(path: Path, columns: Iterable[str], problems: list[Problem]) -> list[tuple[int, Row]]:
    """Rows with their line numbers (header = line 1). Header or encoding faults become problems."""
    name = path.name
    expected = list(columns)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        problems.append(Problem("file", "is missing", file=name))
        return []
    except UnicodeDecodeError as error:
        line = path.read_bytes()[: error.start].count(b"\n") + 1
        problems.append(
            Problem("file", "is not UTF-8 text (save it as UTF-8)", file=name, row=line)
        )
        return []
    reader = csv.reader(text.splitlines())
    header = next(reader, None)
    if header is None:
        problems.append(Problem("file", "is empty", file=name))
        return []
    header = [h.strip() for h in header]
    missing = [c for c in expected if c not in header]
    unknown = [c for c in header if c not in expected]
    for column in missing:
        problems.append(Problem(column, "column is missing from the header", file=name, row=1))
    for column in unknown:
        problems.append(Problem(column, "is not a known column", file=name, row=1))
    if missing or unknown:
        return []
    rows: list[tuple[int, Row]] = []
    for line_number, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            problems.append(
                Problem(
                    "row",
                    f"has {len(values)} values, the header has {len(header)}",
                    file=name,
                    row=line_number,
                )
            )
            continue
        rows.append((line_number, dict(zip(header, values, strict=True))))
    return rows


def _validate_rows(
    path: Path,
    model: type[M],
    problems: list[Problem],
    columns: Iterable[str] | None = None,
) -> tuple[list[tuple[int, M]], list[tuple[int, Row]]]:
    """Valid instances with their line numbers, and every row as read (valid or not): other
    files are checked against all declared keys, so one bad row is reported once, not again
    in every row that refers to it."""
    columns = list(columns) if columns is not None else [c for c in model.model_fields if c != "id"]
    valid: list[tuple[int, M]] = []
    raw_rows: list[tuple[int, Row]] = []
    for line, row in read_csv(path, columns, problems):
        raw_rows.append((line, row))
        instance, row_problems = validate_reference_row(model, row)
        for p in row_problems:
            problems.append(Problem(p.field, p.message, file=path.name, row=line))
        if instance is not None and not row_problems:
            valid.append((line, instance))
    return valid, raw_rows


def _unique(
    path: Path,
    rows: list[tuple[int, Any]],
    key: Callable[[Any], Any],
    column: str,
    problems: list[Problem],
) -> None:
    first_seen: dict[Any, int] = {}
    for line, item in rows:
        k = key(item)
        if k in first_seen:
            problems.append(
                Problem(column, f"duplicates row {first_seen[k]}", file=path.name, row=line)
            )
        else:
            first_seen[k] = line


def _require_sources(
    path: Path, rows: list[tuple[int, Row]], problems: list[Problem], column: str = "source_url"
) -> None:
    """Seed rows are public facts: each links the public source it was checked against."""
    for line, row in rows:
        if not (row.get(column) or "").strip():
            problems.append(
                Problem(
                    column,
                    "is required: every seed row links the public source it was checked against",
                    file=path.name,
                    row=line,
                )
            )


# The ECB publishes no rate on weekends and TARGET holidays; Easter leaves a four-day gap.
RATE_LOOKBACK_DAYS = 4


def _has_dated_rate(
    rates: set[tuple[str, str, date]], currency: str, on: date, precision: str
) -> bool:
    if precision == "day":
        return any(
            (currency, "daily", on - timedelta(days=back)) in rates
            for back in range(RATE_LOOKBACK_DAYS + 1)
        )
    kind = AVERAGE_FOR_PRECISION[precision]
    return (currency, kind, period_start(on, precision)) in rates


def _seed_key_problem(key: str) -> str | None:
    if not key:
        return "is required: a stable key that names this row across corrections"
    if not SEED_KEY.fullmatch(key):
        return f"'{key}' must be lower-case letters, digits and hyphens (at most 60)"
    return None


def _pledge_rules(
    path: Path,
    rows: list[tuple[int, Row, PledgeFields]],
    rates: set[tuple[str, str, date]],
    problems: list[Problem],
) -> None:
    """What a seed pledge must meet beyond a form's rules: a dated rate for funding, and no
    figure recorded twice."""
    first_seen: dict[tuple, int] = {}
    for line, _row, fields in rows:
        if (
            fields.category == "funding"
            and fields.currency not in (None, "EUR")
            and not _has_dated_rate(
                rates, fields.currency, fields.announced_on, fields.announced_precision
            )
        ):
            wanted = {
                "day": f"an ECB daily rate on {fields.announced_on} or the "
                f"{RATE_LOOKBACK_DAYS} days before",
                "month": f"an ECB monthly average for {fields.announced_on:%Y-%m}",
                "year": f"an ECB annual average for {fields.announced_on:%Y}",
            }[fields.announced_precision]
            problems.append(
                Problem(
                    "currency",
                    f"{fields.currency} has no dated rate: exchange_rates.csv needs {wanted}",
                    file=path.name,
                    row=line,
                )
            )
        if fields.quantity is not None:
            same = (
                fields.participant_code,
                fields.announced_on,
                fields.category,
                fields.quantity,
                fields.currency,
            )
            if same in first_seen:
                problems.append(
                    Problem(
                        "quantity",
                        f"the same amount from {fields.participant_code} on "
                        f"{fields.announced_on} is already row {first_seen[same]}: "
                        "a figure counted twice",
                        file=path.name,
                        row=line,
                    )
                )
            else:
                first_seen[same] = line


def _attendance(
    path: Path,
    codes: set[str],
    events: list[tuple[int, Event]],
    event_dates: set[date],
    problems: list[Problem],
) -> list[dict[str, Any]]:
    """``event_dates`` are every date events.csv declares, valid row or not: one broken meeting
    is reported once, not again in each row of its attendance."""
    attendance: list[dict[str, Any]] = []
    seen: dict[tuple[date | None, str], int] = {}
    rows = read_csv(path, ATTENDANCE_COLUMNS, problems)
    _require_sources(path, rows, problems)
    for line, row in rows:
        held_on, code = _as_date(row["held_on"]), row["participant_code"].strip()
        published = row["source_published_on"].strip()
        if held_on is None:
            problems.append(
                Problem(
                    "held_on",
                    f"'{row['held_on']}' is not a valid date (expected YYYY-MM-DD)",
                    path.name,
                    line,
                )
            )
        elif held_on not in event_dates:
            problems.append(
                Problem("held_on", f"no meeting in events.csv on {held_on}", path.name, line)
            )
        if code not in codes:
            problems.append(
                Problem("participant_code", f"unknown participant '{code}'", path.name, line)
            )
        if (held_on, code) in seen:
            problems.append(
                Problem(
                    "participant_code", f"duplicates row {seen[held_on, code]}", path.name, line
                )
            )
        seen[held_on, code] = line
        url_problem = check_url("source_url", row["source_url"].strip() or None)
        if url_problem is not None:
            problems.append(replace(url_problem, file=path.name, row=line))
        if published and _as_date(published) is None:
            problems.append(
                Problem(
                    "source_published_on",
                    f"'{published}' is not a valid date (expected YYYY-MM-DD)",
                    path.name,
                    line,
                )
            )
        attendance.append(
            {
                "held_on": held_on,
                "participant_code": code,
                "source_title": row["source_title"].strip(),
                "source_url": row["source_url"].strip() or None,
                "source_published_on": _as_date(published) if published else None,
            }
        )
    # A meeting's hosts were there: a list without them is a list read wrongly.
    present = {(held_on, code) for held_on, code in seen}
    events_file = path.with_name("events.csv").name
    for line, event in events:
        for host in host_codes(event):
            if host not in codes:
                problems.append(
                    Problem("host_codes", f"unknown participant '{host}'", events_file, line)
                )
            elif (event.held_on, host) not in present:
                problems.append(
                    Problem(
                        "host_codes",
                        f"the host {host} is missing from this meeting's attendance list "
                        f"in {path.name}",
                        events_file,
                        line,
                    )
                )
    return attendance


def _first_reported_rule(
    participants: list[tuple[int, Participant]],
    attendance: list[dict[str, Any]],
    problems: list[Problem],
) -> None:
    """A participant seen at a meeting was reported as taking part by then at the latest."""
    first_seen: dict[str, date] = {}
    for row in attendance:
        if row["held_on"] is not None:
            code = row["participant_code"]
            first_seen[code] = min(first_seen.get(code, row["held_on"]), row["held_on"])
    for line, participant in participants:
        seen = first_seen.get(participant.code)
        if seen is not None and participant.first_reported_on > seen:
            problems.append(
                Problem(
                    "first_reported_on",
                    f"{participant.first_reported_on} is after {seen}, when attendance.csv "
                    "records it at a meeting",
                    "participants.csv",
                    line,
                )
            )


def host_codes(event: Event) -> list[str]:
    return [code.strip() for code in (event.host_codes or "").split(";") if code.strip()]


def load_seed(data_dir: Path) -> SeedBundle:
    """Read and check every seed file; raise SeedError listing every problem, file, row and
    column named. Nothing here touches a database."""
    problems: list[Problem] = []
    bundle = SeedBundle(digest=seed_digest(data_dir))

    path = data_dir / "participants.csv"
    participants, participant_rows = _validate_rows(path, Participant, problems)
    _require_sources(path, participant_rows, problems)
    _unique(path, participants, lambda p: p.code, "code", problems)
    _unique(path, participants, lambda p: p.name, "name", problems)
    for line, participant in participants:
        for figure, column in (
            ("population", "population_source_url"),
            ("gdp_usd", "gdp_source_url"),
        ):
            if getattr(participant, figure) is not None and not getattr(participant, column):
                problems.append(
                    Problem(column, f"is required with a {figure} figure", path.name, line)
                )
    bundle.participants = [p for _, p in participants]
    codes = {row["code"].strip() for _, row in participant_rows}

    path = data_dir / "exchange_rates.csv"
    rates, rate_rows = _validate_rows(path, ExchangeRate, problems)
    _require_sources(path, rate_rows, problems)
    _unique(path, rates, lambda r: (r.currency, r.kind, r.rate_date), "rate_date", problems)
    bundle.exchange_rates = [r for _, r in rates]
    dated_rates = {(r.currency, r.kind, r.rate_date) for r in bundle.exchange_rates}

    path = data_dir / "events.csv"
    events, event_rows = _validate_rows(path, Event, problems)
    _require_sources(path, event_rows, problems)
    # Attendance names a meeting by its date, so a date must not hold two meetings.
    _unique(path, events, lambda e: e.held_on, "held_on", problems)
    bundle.events = [e for _, e in events]

    declared = {d for _, row in event_rows if (d := _as_date(row["held_on"])) is not None}
    bundle.attendance = _attendance(data_dir / "attendance.csv", codes, events, declared, problems)
    _first_reported_rule(participants, bundle.attendance, problems)

    path = data_dir / "targets.csv"
    targets, target_rows = _validate_rows(path, Target, problems)
    _require_sources(path, target_rows, problems)
    _unique(path, targets, lambda t: t.name, "name", problems)
    bundle.targets = [t for _, t in targets]

    path = data_dir / "pledges.csv"
    currencies = {r.currency for r in bundle.exchange_rates}
    rows = read_csv(path, PLEDGE_COLUMNS, problems)
    _require_sources(path, rows, problems)
    checked: list[tuple[int, Row, PledgeFields]] = []
    keys: dict[str, int] = {}
    for line, row in rows:
        key = row["seed_key"].strip()
        if message := _seed_key_problem(key):
            problems.append(Problem("seed_key", message, path.name, line))
        elif key in keys:
            problems.append(Problem("seed_key", f"duplicates row {keys[key]}", path.name, line))
        keys.setdefault(key, line)
        values = {name: row[name] for name in PledgeFields.model_fields}
        try:
            fields = validate_pledge(values, participant_codes=codes, currencies=currencies)
        except ValidationFailed as failure:
            problems.extend(Problem(p.field, p.message, path.name, line) for p in failure.problems)
            continue
        checked.append((line, row, fields))
        bundle.pledges.append((key, values))
    _pledge_rules(path, checked, dated_rates, problems)

    if problems:
        raise SeedError(problems)
    return bundle


def seed_digest(data_dir: Path) -> str:
    """One digest of every seed file: unchanged files need no comparison with the database."""
    digest = hashlib.sha256()
    for name in SEED_FILES:
        path = data_dir / name
        digest.update(name.encode() + b"\0")
        digest.update(path.read_bytes() if path.exists() else b"")
        digest.update(b"\0")
    return digest.hexdigest()


def _attendance_rows(bundle: SeedBundle, event_ids: dict[date, int]) -> list[EventAttendance]:
    return [
        EventAttendance(
            event_id=event_ids[row["held_on"]],
            participant_code=row["participant_code"],
            source_title=row["source_title"],
            source_url=row["source_url"],
            source_published_on=row["source_published_on"],
        )
        for row in bundle.attendance
    ]


def _mark_applied(session: Session, digest: str) -> None:
    state = session.get(SeedState, 1)
    if state is None:
        session.add(SeedState(id=1, digest=digest))
    else:
        state.digest, state.applied_at = digest, utc_now()


def apply_seed(session: Session, bundle: SeedBundle) -> None:
    """Write a checked bundle into an empty database, in the caller's transaction."""
    session.add_all(bundle.participants)
    session.add_all(bundle.exchange_rates)
    session.add_all(bundle.targets)
    session.add_all(bundle.events)
    session.flush()
    session.add_all(_attendance_rows(bundle, {e.held_on: _stored_id(e) for e in bundle.events}))
    session.flush()
    ids = create_pledges(
        session,
        actor=SEED_ACTOR,
        entries=[values for _, values in bundle.pledges],
        reason=SEED_REASON,
    )
    session.add_all(
        SeedPledge(seed_key=key, pledge_id=pledge_id)
        for (key, _), pledge_id in zip(bundle.pledges, ids, strict=True)
    )
    _mark_applied(session, bundle.digest)
    audit.record(
        session,
        actor=SEED_ACTOR.email,
        event=audit.SeedLoaded(
            participants=len(bundle.participants),
            pledges=len(bundle.pledges),
            events=len(bundle.events),
            targets=len(bundle.targets),
            exchange_rates=len(bundle.exchange_rates),
        ),
    )
    session.flush()


CORRECTION_REASON = "Correction from the re-checked seed files (see data/CHANGELOG.md)"


@dataclass
class SyncReport:
    """What bringing a database in line with corrected seed files did, and what it left."""

    pledges_created: list[str] = field(default_factory=list)
    pledges_corrected: list[str] = field(default_factory=list)
    # Seed rows whose pledge staff have changed since: their change stands; named for review.
    pledges_kept: list[str] = field(default_factory=list)
    # Keys the database knows that the seed files no longer hold: left as they are.
    pledges_not_in_seed: list[str] = field(default_factory=list)
    reference: dict[str, dict[str, int]] = field(default_factory=dict)
    reference_kept: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(
            self.pledges_created
            or self.pledges_corrected
            or any(any(counts.values()) for counts in self.reference.values())
        )

    def as_details(self) -> dict[str, Any]:
        return {
            "pledges_created": self.pledges_created,
            "pledges_corrected": self.pledges_corrected,
            "pledges_kept": self.pledges_kept,
            "pledges_not_in_seed": self.pledges_not_in_seed,
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
        (_stored_id(events[row["held_on"]]), row["participant_code"]): row
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
        values = {k: row[k] for k in ("source_title", "source_url", "source_published_on")}
        if any(getattr(record, k) != v for k, v in values.items()):
            for name, value in values.items():
                setattr(record, name, value)
            counts["updated"] += 1
    for (event_id, code), row in wanted.items():
        session.add(
            EventAttendance(
                event_id=event_id,
                participant_code=code,
                source_title=row["source_title"],
                source_url=row["source_url"],
                source_published_on=row["source_published_on"],
            )
        )
        counts["added"] += 1
    session.flush()


def _sync_pledges(session: Session, report: SyncReport, bundle: SeedBundle) -> None:
    mapped = {m.seed_key: m.pledge_id for m in session.exec(select(SeedPledge)).all()}
    wanted = dict(bundle.pledges)
    report.pledges_not_in_seed = sorted(set(mapped) - set(wanted))
    new = [(key, values) for key, values in bundle.pledges if key not in mapped]
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
            continue
        if pledge.updated_by != SEED_ACTOR.email:
            changed = ", ".join(sorted(changes.as_dict()))
            report.pledges_kept.append(f"{key} (pledge {pledge.id}: {changed})")
            continue
        update_pledge(
            session,
            actor=SEED_ACTOR,
            pledge_id=_stored_id(pledge),
            expected_version=pledge.version,
            changes=changes,
            reason=CORRECTION_REASON,
            # A correction holds from the earlier of the two dates, so the wrong state is
            # nowhere left standing in the "as of" views.
            effective_on=min(pledge.announced_on, fields.announced_on),
        )
        report.pledges_corrected.append(key)
    if new:
        ids = create_pledges(
            session, actor=SEED_ACTOR, entries=[values for _, values in new], reason=SEED_REASON
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
    _mark_applied(session, bundle.digest)
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


def _stored_id(record: Event | Pledge) -> int:
    """The id of a row the database holds (the model allows None, for a row not yet added)."""
    assert record.id is not None
    return record.id


def change_log(data_dir: Path) -> str:
    """The dated log of corrections to the seed data (data/CHANGELOG.md), as Markdown."""
    path = data_dir / "CHANGELOG.md"
    return path.read_text(encoding="utf-8") if path.exists() else ""
