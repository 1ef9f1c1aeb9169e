"""What changed between two dates: pledges created, revised, withdrawn and restored, and
meetings held, each change with its old and new values, when it took effect, when it was
recorded, in which role and why.

A period selects changes by when they were *recorded* (the default: "what changed since my
last briefing") or by when they *took effect* (``effective_on``, the axis "as of" views
follow). Days are whole and both ends are included; recording times are UTC.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import pandas as pd
from sqlalchemy import and_, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from coalition.access.privacy import shown_names
from coalition.errors import Problem, ValidationFailed
from coalition.read import queries
from coalition.read.as_of import AS_OF_EARLIEST, AsOf
from coalition.read.filters import PledgeFilter
from coalition.read.history import describe_changes
from coalition.text.formatting import pledge_size
from core import clock
from core.vocabulary import SYSTEM_ROLE
from db.models import PLEDGE_FIELD_NAMES, Event, EventAttendance, Participant, PledgeRevision

BY_RECORDED = "recorded"
BY_EFFECTIVE = "effective"
BY_CHOICES = (BY_RECORDED, BY_EFFECTIVE)
BY_LABELS = {
    BY_RECORDED: "When it was recorded (what changed since my last briefing)",
    BY_EFFECTIVE: "When it took effect",
}
# The query-string names of a period: a copied address shares it.
QUERY_KEYS = ("from", "to", "by")
DEFAULT_DAYS = 7
DAY_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}")

# Each revision action is one kind of change; meetings are the fifth kind.
KIND_OF_ACTION = {
    "create": "new",
    "update": "revised",
    "withdraw": "withdrawn",
    "restore": "restored",
}
MEETING = "new meeting"
# The seed's first load of the public record: the record's start, never a change of its week.
INITIAL = "initial record"
INITIAL_RECORD_REASON = "Initial seed from public reporting"
KINDS = (*KIND_OF_ACTION.values(), MEETING, INITIAL)
# A revision recorded before roles were kept with revisions.
ROLE_NOT_RECORDED = "not recorded"

CHANGE_COLUMNS = [
    "kind",
    "pledge_id",
    "version",
    "participant_code",
    "participant",
    "category",
    "status",
    "description",
    "size",
    "what_changed",
    "effective_on",
    "recorded_at",
    "actor",
    "role",
    "reason",
    "source_title",
    "source_url",
]


def _day(value: date) -> str:
    return f"{value:%d %b %Y}"


@dataclass(frozen=True)
class Period:
    """From ``start`` to ``end``, both days included, selecting changes ``by`` when they were
    recorded or when they took effect."""

    start: date
    end: date
    by: str = BY_RECORDED

    def describe(self) -> str:
        """'21 Nov 2026 and 28 Nov 2026'."""
        return f"{_day(self.start)} and {_day(self.end)}"

    def to_query(self) -> dict[str, str]:
        return {"from": self.start.isoformat(), "to": self.end.isoformat(), "by": self.by}


def default_period(today: date, as_of: date | None = None, by: str = BY_RECORDED) -> Period:
    """The week up to today, or up to the sidebar's "as of" day when one is set (never
    starting before the record does)."""
    end = AsOf(as_of).shown_on(today)
    return Period(max(end - timedelta(days=DEFAULT_DAYS), AS_OF_EARLIEST), end, by)


def period_problems(start: date | None, end: date | None, by: str, *, today: date) -> list[Problem]:
    """Everything wrong with a period, each problem naming its end: empty, outside the record
    (before AS_OF_EARLIEST or after today), reversed, or an unknown way of selecting."""
    problems = []
    for name, value in (("From", start), ("To", end)):
        if value is None:
            problems.append(Problem(name, "is empty: choose a day"))
        elif value < AS_OF_EARLIEST:
            problems.append(
                Problem(
                    name,
                    f"{_day(value)} is before the record starts ({_day(AS_OF_EARLIEST)})",
                )
            )
        elif value > today:
            problems.append(Problem(name, f"{_day(value)} is after today ({_day(today)})"))
    if start is not None and end is not None and start > end:
        problems.append(
            Problem(
                "From",
                f"{_day(start)} is after To ({_day(end)}): the period runs backwards; "
                "swap the two days",
            )
        )
    if by not in BY_CHOICES:
        problems.append(Problem("by", f"'{str(by)[:40]}' is not one of: {', '.join(BY_CHOICES)}"))
    return problems


def check_period(
    start: date | None, end: date | None, by: str = BY_RECORDED, *, today: date
) -> Period:
    """The period, or ValidationFailed naming every problem with it."""
    if problems := period_problems(start, end, by, today=today):
        raise ValidationFailed(problems)
    assert start is not None and end is not None  # period_problems names an empty end
    return Period(start, end, by)


def _one(params: Mapping[str, str | Sequence[str]], key: str) -> str | None:
    raw = params.get(key)
    if raw is None:
        return None
    values = [raw] if isinstance(raw, str) else list(raw)
    return values[-1].strip() if values else ""


def period_from_query(
    params: Mapping[str, str | Sequence[str]], *, today: date, default: Period
) -> Period:
    """The period an address names (``from``, ``to``, ``by``; a missing one keeps
    ``default``'s), or ValidationFailed naming every value that is wrong."""
    problems: list[Problem] = []
    unreadable: set[str] = set()
    days: dict[str, date | None] = {}
    for key, name, fallback in (("from", "From", default.start), ("to", "To", default.end)):
        text = _one(params, key)
        if text is None:
            days[key] = fallback
        elif not text:
            days[key] = None  # an empty value: period_problems names it
        else:
            try:
                days[key] = date.fromisoformat(text) if DAY_TEXT.fullmatch(text) else None
            except ValueError:
                days[key] = None
            if days[key] is None:
                unreadable.add(name)
                problems.append(Problem(name, f"'{text[:40]}' is not a date (expected YYYY-MM-DD)"))
    by = _one(params, "by")
    by = default.by if by is None else by
    problems += [
        p
        for p in period_problems(days["from"], days["to"], by, today=today)
        if p.field not in unreadable
    ]
    if problems:
        raise ValidationFailed(problems)
    start, end = days["from"], days["to"]
    assert start is not None and end is not None  # period_problems names an empty end
    return Period(start, end, by)


def as_of_note(period: Period, as_of: date | None) -> str | None:
    """What the sidebar's "as of" day leaves out of this period, if anything."""
    if as_of is None or period.end <= as_of:
        return None
    return (
        f"The record is shown as it stood on {_day(as_of)} (“As of” in the sidebar): changes "
        f"that took effect after that day are left out, although the period runs to "
        f"{_day(period.end)}."
    )


def _matching(state, filters: PledgeFilter):
    """The condition that a pledge state (a revision row) matches the filters, or None when
    the filters leave everything in."""
    conditions = []
    if filters.categories:
        conditions.append(state.category.in_(filters.categories))
    if filters.statuses:
        conditions.append(state.status.in_(filters.statuses))
    if filters.scopes:
        conditions.append(state.scope.in_(filters.scopes))
    if participants := queries.participant_conditions(filters):
        conditions.append(state.participant_code.in_(select(Participant.code).where(*participants)))
    return and_(*conditions) if conditions else None


def _pledge_changes(
    session: Session, filters: PledgeFilter, period: Period, participants: Sequence[str] = ()
) -> list[dict[str, object]]:
    after = PledgeRevision
    before = aliased(PledgeRevision, name="before")
    statement = (
        # sqlmodel types select() for four columns at most.
        select(  # type: ignore[call-overload]
            *(getattr(after, name) for name in PLEDGE_FIELD_NAMES),
            after.pledge_id,
            after.version,
            after.action,
            after.actor,
            after.actor_role,
            after.reason,
            after.recorded_at,
            after.effective_on,
            col(before.id).label("before_id"),
            *(getattr(before, name).label(f"before_{name}") for name in PLEDGE_FIELD_NAMES),
            col(Participant.name).label("participant"),
        )
        .join(Participant, col(Participant.code) == after.participant_code)
        # The state this revision changed: the version before it (each write adds one).
        .outerjoin(
            before,
            and_(
                col(before.pledge_id) == after.pledge_id,
                col(before.version) == after.version - 1,
            ),
        )
    )
    if period.by == BY_RECORDED:
        statement = statement.where(
            after.recorded_at >= datetime.combine(period.start, time.min, tzinfo=UTC),
            after.recorded_at
            < datetime.combine(period.end + timedelta(days=1), time.min, tzinfo=UTC),
        )
    else:
        statement = statement.where(col(after.effective_on).between(period.start, period.end))
    # The record as it stood on that day holds nothing that took effect later.
    statement = statement.where(*filters.when.revisions(after))
    if participants:  # a pledge never moves to another participant
        statement = statement.where(col(after.participant_code).in_(participants))
    now_matches, then_matches = _matching(after, filters), _matching(before, filters)
    if now_matches is not None:
        # A change concerns the chosen pledges if the pledge matched before it or after it:
        # a withdrawal leaves the default statuses, and must still be seen leaving.
        statement = statement.where(
            or_(now_matches, and_(col(before.id).is_not(None), then_matches))
        )
    result = session.connection().execute(statement)
    keys = list(result.keys())
    first_before = keys.index("before_id") + 1
    earlier = slice(first_before, first_before + len(PLEDGE_FIELD_NAMES))
    # Plain dicts made in one step per row: a differ over every row of a busy week must not
    # spend its time in the database driver's row objects.
    rows = [(dict(zip(keys, row, strict=True)), row) for row in result.all()]
    ids = shown_names(session, (row["actor"] for row, _ in rows))
    changes = []
    for row, values in rows:
        previous = (
            None
            if row["before_id"] is None
            else dict(zip(PLEDGE_FIELD_NAMES, values[earlier], strict=True))
        )
        initial = (
            row["action"] == "create"
            and row["reason"] == INITIAL_RECORD_REASON
            and row["actor_role"] == SYSTEM_ROLE
        )
        changes.append(
            {
                "kind": INITIAL if initial else KIND_OF_ACTION[row["action"]],
                "pledge_id": row["pledge_id"],
                "version": row["version"],
                "participant_code": row["participant_code"],
                "participant": row["participant"],
                "category": row["category"],
                "status": row["status"],
                "description": row["description"],
                "size": pledge_size(
                    row["category"], row["quantity"], row["quantity_qualifier"], row["currency"]
                ),
                "what_changed": describe_changes(previous, row),
                "effective_on": row["effective_on"],
                "recorded_at": row["recorded_at"],
                "actor": ids[row["actor"]],
                "role": row["actor_role"] or ROLE_NOT_RECORDED,
                "reason": row["reason"],
                "source_title": row["source_title"],
                "source_url": row["source_url"],
            }
        )
    return changes


def _meetings(
    session: Session, filters: PledgeFilter, period: Period, participants: Sequence[str] = ()
) -> list[dict[str, object]]:
    """Meetings held in the period (on or before "as of"). A meeting has no recording time,
    so it is placed by the day it was held whichever way the period selects; the pledge
    filters do not apply to it. With ``participants`` chosen, the meetings the sources name
    one of them at."""
    # sqlmodel types select() for four columns at most.
    statement = select(  # type: ignore[call-overload]
        Event.id,
        Event.held_on,
        Event.title,
        Event.location,
        Event.format,
        Event.summary,
        Event.source_title,
        Event.source_url,
    ).where(col(Event.held_on).between(period.start, period.end))
    statement = statement.where(*filters.when.meetings())
    if participants:
        attended = select(EventAttendance.event_id).where(
            col(EventAttendance.participant_code).in_(participants)
        )
        statement = statement.where(col(Event.id).in_(attended))
    return [
        {
            "kind": MEETING,
            "description": row.title,
            "what_changed": f"{row.format.capitalize()} meeting in {row.location}: {row.summary}",
            "effective_on": row.held_on,
            "source_title": row.source_title,
            "source_url": row.source_url,
        }
        for row in session.connection().execute(statement)
    ]


def changes_between(
    session: Session,
    filters: PledgeFilter,
    start: date,
    end: date,
    by: str = BY_RECORDED,
    participants: Sequence[str] = (),
) -> pd.DataFrame:
    """Every change in the period from ``start`` to ``end`` (both included), one row each, the
    newest first: pledge revisions whose pledge matches ``filters`` before or after the change
    (and in effect by ``filters.as_of``), and meetings held in the period. Columns:
    CHANGE_COLUMNS; ``what_changed`` reads "quantity: 100 → 150", ``actor`` is a display name
    or a staff id, ``role`` the role held when the change was made (or "not recorded"). Raises
    ValidationFailed for a period that is empty, reversed or outside the record. With
    ``participants`` (codes), only their pledges and the meetings they attended."""
    period = check_period(start, end, by, today=clock.today())
    rows = _pledge_changes(session, filters, period, participants)
    rows += _meetings(session, filters, period, participants)
    frame = pd.DataFrame(rows, columns=CHANGE_COLUMNS)
    if frame.empty:
        return frame
    frame["pledge_id"] = frame["pledge_id"].astype("Int64")
    frame["version"] = frame["version"].astype("Int64")
    # UTC on either database (one returns aware times, the other naive ones in UTC).
    frame["recorded_at"] = pd.to_datetime(frame["recorded_at"], utc=True)
    effective = pd.to_datetime(frame["effective_on"]).dt.tz_localize(UTC)
    # Newest first along the chosen axis (a meeting by the day it was held), then by when
    # each was recorded.
    on = (
        frame["recorded_at"].dt.normalize().fillna(effective)
        if period.by == BY_RECORDED
        else effective
    )
    order = frame.assign(_on=on).sort_values(
        ["_on", "recorded_at", "pledge_id", "version"],
        ascending=[False, False, True, True],
        na_position="last",
        kind="stable",
    )
    return order[CHANGE_COLUMNS].reset_index(drop=True)


def counts(changes: pd.DataFrame) -> dict[str, int]:
    """How many changes of each kind, every kind named (0 where none)."""
    found = changes["kind"].value_counts()
    return {kind: int(found.get(kind, 0)) for kind in KINDS}


def summary(changes: pd.DataFrame) -> str:
    """'3 new, 5 revised, 1 withdrawn, 0 restored; 1 new meeting', and the initial record
    named apart when it was loaded in the period (it is where the record starts, not a
    change)."""
    number = counts(changes)
    pledges = ", ".join(f"{number[kind]:,} {kind}" for kind in KIND_OF_ACTION.values())
    meetings = number[MEETING]
    said = f"{pledges}; {meetings:,} new meeting{'' if meetings == 1 else 's'}"
    if number[INITIAL]:
        said += (
            f". Not counted as changes: the initial record ({number[INITIAL]:,} pledges from "
            "public reporting), loaded in this period"
        )
    return said


def _recorded(value) -> str:
    if value is None or pd.isna(value):
        return ""
    return pd.Timestamp(value).strftime("%Y-%m-%d %H:%M")


def changes_for_display(changes: pd.DataFrame) -> pd.DataFrame:
    """The changes as the page and its download show them."""
    is_meeting = changes["kind"] == MEETING
    return pd.DataFrame(
        {
            "Kind": changes["kind"].str.capitalize(),
            "Participant": changes["participant"].fillna(""),
            "Category": changes["category"].fillna("").str.capitalize(),
            "Status": changes["status"].fillna("").str.replace("_", " ").str.capitalize(),
            "What": changes["description"],
            "Size": changes["size"].fillna(""),
            "What changed": changes["what_changed"],
            "In effect from": [d.isoformat() for d in changes["effective_on"]],
            "Recorded at (UTC)": [_recorded(v) for v in changes["recorded_at"]],
            "Role": changes["role"].where(~is_meeting, "").fillna(""),
            "By": changes["actor"].fillna(""),
            "Reason": changes["reason"].fillna(""),
            "Pledge": changes["pledge_id"],
            "Version": changes["version"],
        }
    )
