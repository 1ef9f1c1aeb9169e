"""Loading the seed: every file checked in full before anything is written (load_seed), then
written into an empty database through the one pledge write path (apply_seed), which records
each pledge's first revision and audit entry."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlmodel import Session

from coalition.access import audit
from coalition.access.auth import Actor
from coalition.errors import Problem, ValidationFailed
from coalition.read.changes import INITIAL_RECORD_REASON
from coalition.seed.files import (
    ATTENDANCE_FIELDS,
    PLEDGE_COLUMNS,
    Row,
    SeedBundle,
    SeedError,
    as_date,
    read_csv,
    seed_digest,
)
from coalition.seed.rules import (
    aliases_rule,
    attendance_count_rule,
    attendance_rule,
    checked_rule,
    first_reported_rule,
    pledge_rules,
    require_sources,
    seed_key_problem,
    unique,
    validate_rows,
)
from coalition.write.pledges import create_pledges
from coalition.write.validation import validate_pledge
from db.models import (
    Event,
    EventAttendance,
    ExchangeRate,
    Participant,
    Pledge,
    PledgeFields,
    SeedPledge,
    SeedState,
    Target,
    utc_now,
)

SEED_ACTOR = Actor.for_system("seed")


SEED_REASON = INITIAL_RECORD_REASON


def load_seed(data_dir: Path) -> SeedBundle:
    """Read and check every seed file; raise SeedError listing every problem, file, row and
    column named. Nothing here touches a database."""
    problems: list[Problem] = []
    bundle = SeedBundle(digest=seed_digest(data_dir))

    path = data_dir / "participants.csv"
    participants, participant_rows = validate_rows(path, Participant, problems)
    require_sources(path, participant_rows, problems)
    checked_rule(path, participant_rows, problems)
    unique(path, participants, lambda p: p.code, "code", problems)
    unique(path, participants, lambda p: p.name, "name", problems)
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
    aliases_rule(data_dir / "aliases.csv", codes, problems)

    path = data_dir / "exchange_rates.csv"
    rates, rate_rows = validate_rows(path, ExchangeRate, problems)
    require_sources(path, rate_rows, problems)
    unique(path, rates, lambda r: (r.currency, r.kind, r.rate_date), "rate_date", problems)
    bundle.exchange_rates = [r for _, r in rates]
    dated_rates = {(r.currency, r.kind, r.rate_date) for r in bundle.exchange_rates}

    path = data_dir / "events.csv"
    events, event_rows = validate_rows(path, Event, problems)
    require_sources(path, event_rows, problems)
    checked_rule(path, event_rows, problems)
    # Attendance names a meeting by its date, so a date must not hold two meetings.
    unique(path, events, lambda e: e.held_on, "held_on", problems)
    bundle.events = [e for _, e in events]

    declared = {d for _, row in event_rows if (d := as_date(row["held_on"])) is not None}
    bundle.attendance = attendance_rule(
        data_dir / "attendance.csv", codes, events, declared, problems
    )
    first_reported_rule(participants, bundle.attendance, problems)
    attendance_count_rule(events, bundle.attendance, problems)

    path = data_dir / "targets.csv"
    targets, target_rows = validate_rows(path, Target, problems)
    require_sources(path, target_rows, problems)
    checked_rule(path, target_rows, problems)
    unique(path, targets, lambda t: t.name, "name", problems)
    bundle.targets = [t for _, t in targets]

    path = data_dir / "pledges.csv"
    currencies = {r.currency for r in bundle.exchange_rates}
    rows = read_csv(path, PLEDGE_COLUMNS, problems)
    require_sources(path, rows, problems)
    checked_rule(path, rows, problems)
    checked: list[tuple[int, Row, PledgeFields]] = []
    keys: dict[str, int] = {}
    for line, row in rows:
        key = row["seed_key"].strip()
        if message := seed_key_problem(key):
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
        if (checked_on := as_date(row["checked_on"])) is not None:
            bundle.pledge_checked_on[key] = checked_on
    pledge_rules(path, checked, dated_rates, problems)

    if problems:
        raise SeedError(problems)
    return bundle


def attendance_rows(bundle: SeedBundle, event_ids: dict[date, int]) -> list[EventAttendance]:
    return [
        EventAttendance(
            event_id=event_ids[row["held_on"]],
            participant_code=row["participant_code"],
            **{name: row[name] for name in ATTENDANCE_FIELDS},
        )
        for row in bundle.attendance
    ]


def mark_applied(session: Session, digest: str) -> None:
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
    session.add_all(attendance_rows(bundle, {e.held_on: stored_id(e) for e in bundle.events}))
    session.flush()
    ids = create_pledges(
        session,
        actor=SEED_ACTOR,
        entries=[values for _, values in bundle.pledges],
        reason=SEED_REASON,
        checked_on=[bundle.pledge_checked_on[key] for key, _ in bundle.pledges],
    )
    session.add_all(
        SeedPledge(seed_key=key, pledge_id=pledge_id)
        for (key, _), pledge_id in zip(bundle.pledges, ids, strict=True)
    )
    mark_applied(session, bundle.digest)
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


def stored_id(record: Event | Pledge) -> int:
    """The id of a row the database holds (the model allows None, for a row not yet added)."""
    assert record.id is not None
    return record.id
