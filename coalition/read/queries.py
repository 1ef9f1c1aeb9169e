"""Read-side queries for the pages. Each returns plain data (DataFrames or dataclasses)."""

from __future__ import annotations

import gc
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

import pandas as pd
from sqlalchemy import (
    ColumnElement,
    func,
    or_,
)
from sqlmodel import Session, col, select

from coalition.access.privacy import shown_names, staff_id
from coalition.money.exchange import RATE_COLUMNS, add_eur, newest_daily_rate
from coalition.read.as_of import AsOf, counted_from
from coalition.read.columns import PLEDGE_COLUMNS, REVISION_COLUMNS
from coalition.read.filters import MEMBERSHIP_COLUMNS, PledgeFilter
from coalition.read.review import last_checked
from db.models import (
    PLEDGE_FIELD_NAMES,
    AuditEvent,
    DataVersion,
    Event,
    EventAttendance,
    ExchangeRate,
    Participant,
    Pledge,
    PledgeCheck,
    PledgeFields,
    PledgeRevision,
    Target,
)

# Benchmark data says so in every pledge's source (bench/generate.py); the app shows a banner.
SYNTHETIC_SOURCE = "SYNTHETIC benchmark data"


def data_version(session: Session) -> int:
    """A number that grows with every committed write (see coalition.access.audit). Cached
    reads take it as an argument, which keeps every app process in step with the shared
    database."""
    return session.exec(select(DataVersion.version)).one()


def participant_conditions(filters: PledgeFilter) -> list[ColumnElement[bool]]:
    """The region and membership filters, as conditions on Participant."""
    conditions: list[ColumnElement[bool]] = []
    if filters.regions:
        conditions.append(col(Participant.region).in_(filters.regions))
    if filters.memberships:
        conditions.append(
            or_(*(getattr(Participant, MEMBERSHIP_COLUMNS[m]) for m in filters.memberships))
        )
    return conditions


def participants_frame(session: Session, filters: PledgeFilter | None = None) -> pd.DataFrame:
    """Participants matching the filters' region and membership, whatever the as-of day:
    which of them are on the record by then is AsOf.on_the_record's rule (the View applies
    it)."""
    statement = select(Participant).order_by(Participant.name)
    if filters is not None:
        statement = statement.where(*participant_conditions(filters))
    rows = [p.model_dump() for p in session.exec(statement).all()]
    return pd.DataFrame(rows, columns=list(Participant.model_fields))


def filter_options(session: Session) -> dict[str, list[str]]:
    regions = session.exec(select(Participant.region).distinct().order_by(Participant.region))
    return {"regions": list(regions.all())}


def exchange_rates_frame(session: Session) -> pd.DataFrame:
    """Every exchange rate, read once per process while the rates stay as they are (by
    rates_fingerprint): thousands of rows that every pledges_frame converts with, which a
    pledge's write does not change. Shared: treat it as read-only."""
    key = str(session.get_bind().engine.url)
    fingerprint = rates_fingerprint(session)
    with _RATES_LOCK:
        kept = _RATES.get(key)
    if kept is not None and kept[0] == fingerprint:
        return kept[1]
    # A column select: an ORM object per rate cost six times the query.
    columns = [getattr(ExchangeRate, name) for name in ExchangeRate.model_fields]
    frame = _frame(session, select(*columns))
    with _RATES_LOCK:
        _RATES[key] = (fingerprint, frame)
    return frame


_RATES: dict[str, tuple[tuple[Any, ...], pd.DataFrame]] = {}
_RATES_LOCK = threading.Lock()


def forget_rates() -> None:
    with _RATES_LOCK:
        _RATES.clear()


def rates_fingerprint(session: Session) -> tuple[Any, ...]:
    """What tells one set of exchange rates from another: how many, the newest id, and the
    sum of every rate and of each rate times its id (an edit of any rate moves them)."""
    return tuple(
        session.exec(
            select(
                func.count(),
                func.max(ExchangeRate.id),
                func.sum(ExchangeRate.units_per_eur),
                func.sum(col(ExchangeRate.units_per_eur) * col(ExchangeRate.id)),
            )
        ).one()
    )


@contextmanager
def collection_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a large result is read: every row is a
    new tuple, and the collector, triggered again and again by so many new objects, walked
    all of them each time (more than half the read at a million revisions). Rows hold plain
    values and make no reference cycles; it runs again afterwards as usual. The switch is
    process-wide: other sessions' threads run paused meanwhile, and the read that paused it
    (the one that found it on) turns it back on, so it is never left off."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _frame(session: Session, statement) -> pd.DataFrame:
    """The rows of a column select as a DataFrame: run on the connection, without the ORM's
    work per row."""
    with collection_paused():
        result = session.connection().execute(statement)
        columns = list(result.keys())
        # Column by column: pandas probes every Row object it is given, which costs more than
        # the query itself on a large history.
        values = list(zip(*result.all(), strict=True)) or [()] * len(columns)
        return pd.DataFrame(dict(zip(columns, values, strict=True)), columns=columns)


def latest_revisions(as_of: date | None, known_at: datetime | None = None):
    """Each pledge's state at the end of ``as_of``: the newest revision (by version) among
    those in effect by then. A backdated correction therefore wins from its effective date.
    With ``known_at``, only revisions recorded by then count: the record as the database held
    it at that moment, which later corrections cannot change (what makes a snapshot
    reproducible)."""
    conditions = AsOf(as_of).revisions()
    if known_at is not None:
        conditions.append(col(PledgeRevision.recorded_at) <= known_at)
    return (
        select(PledgeRevision.pledge_id, func.max(PledgeRevision.version).label("version"))
        .where(*conditions)
        .group_by(col(PledgeRevision.pledge_id))
        .subquery()
    )


def pledges_frame(
    session: Session, filters: PledgeFilter | None = None, known_at: datetime | None = None
) -> pd.DataFrame:
    """Pledges joined to their participant, with funding converted to EUR: the current state
    (kept by the process across writes, CURRENT_PLEDGES), or with ``filters.as_of`` (and/or
    ``known_at``) the state rebuilt from revisions. Shared: treat it as read-only."""
    filters = filters or PledgeFilter(statuses=(), scopes=())
    if filters.as_of is not None:
        return _pledges_frame(session, filters, known_at)
    return as_known_at(
        session,
        known_at,
        current=lambda: CURRENT_PLEDGES.frame(session, filters),
        recorded=lambda: _pledges_frame(session, filters, known_at),
    )


T = TypeVar("T")


def as_known_at(
    session: Session,
    known_at: datetime | None,
    *,
    current: Callable[[], T],
    recorded: Callable[[], T],
) -> T:
    """A read of the record as known at ``known_at``: ``current()``, the read of what this
    process keeps of today's record, when that is the same record (``known_at`` is None, or
    nothing committed was recorded after it: a snapshot pinned, as by default, to the last
    write), else ``recorded()``, the read of the revisions recorded by then. The data version
    and the last recorded time are read before ``current()`` and again after: a write
    committed in between (in another process, at any time) sends the read to ``recorded()``,
    so what was written after the pin never enters a file that cites it."""
    if known_at is None:
        return current()
    before = _record_mark(session)
    if before[1] is None or before[1] > known_at:
        return recorded()
    result = current()
    return result if _record_mark(session) == before else recorded()


def _record_mark(session: Session) -> tuple[int, datetime | None]:
    return data_version(session), last_recorded(session)


def _pledges_frame(
    session: Session,
    filters: PledgeFilter,
    known_at: datetime | None,
    only: list[int] | None = None,
) -> pd.DataFrame:
    """pledges_frame read from the database (``only``: of these pledges alone)."""
    source: type[PledgeFields]
    if filters.as_of is None and known_at is None:
        source = Pledge
        pledge_id = col(Pledge.id)
        state = [getattr(Pledge, name) for name in PLEDGE_FIELD_NAMES]
        # sqlmodel types select() for four columns at most, here and below.
        statement = select(  # type: ignore[call-overload]
            Pledge.id, *state, Pledge.version, Pledge.updated_at, Pledge.updated_by
        )
    else:
        source = PledgeRevision
        pledge_id = col(PledgeRevision.pledge_id)
        latest = latest_revisions(filters.as_of, known_at)
        state = [getattr(PledgeRevision, name) for name in PLEDGE_FIELD_NAMES]
        statement = select(  # type: ignore[call-overload]
            col(PledgeRevision.pledge_id).label("id"),
            *state,
            PledgeRevision.version,
            col(PledgeRevision.recorded_at).label("updated_at"),
            col(PledgeRevision.actor).label("updated_by"),
        ).join(
            latest,
            (PledgeRevision.pledge_id == latest.c.pledge_id)
            & (PledgeRevision.version == latest.c.version),
        )
        if filters.as_of is not None:
            # Nothing is on the record before it was announced, even where a correction that
            # moved the announcement later holds from the old, earlier date.
            statement = statement.where(PledgeRevision.announced_on <= filters.as_of)
    checks = last_checked(known_at)
    statement = (
        statement.add_columns(
            col(Participant.name).label("participant"), Participant.region, checks.c.checked_on
        )
        .join(Participant, col(Participant.code) == source.participant_code)
        .outerjoin(checks, checks.c.pledge_id == pledge_id)
    )
    statement = statement.where(*participant_conditions(filters))
    if filters.categories:
        statement = statement.where(col(source.category).in_(filters.categories))
    if filters.statuses:
        statement = statement.where(col(source.status).in_(filters.statuses))
    if filters.scopes:
        statement = statement.where(col(source.scope).in_(filters.scopes))
    if only is not None:
        statement = statement.where(pledge_id.in_(only))
    frame = add_eur(_frame(session, statement), exchange_rates_frame(session))
    if filters.as_of is not None and len(frame):
        start = counted_from(frame["announced_on"], frame["announced_precision"])
        frame = frame[start <= filters.as_of].copy()
    frame["updated_by"] = _staff_ids(session, frame["updated_by"])
    return frame[PLEDGE_COLUMNS].sort_values(
        ["announced_on", "participant", "id"], ignore_index=True
    )


def pledges_of(pledges: pd.DataFrame, code: str) -> pd.DataFrame:
    """One participant's rows of a pledge table."""
    return pledges[pledges["participant_code"] == code]


class CurrentPledges:
    """The current pledge table under each set of filters, kept by the process across writes:
    after a write, only the pledges written since are read again (their revisions say which,
    by the data version they committed as), so a write costs its own rows, not a read of
    every pledge on every page. Read afresh when any write since was not a pledge's (a
    participant, a check, an account: what the table joins), when the rates changed (amounts
    in EUR), when the database is another one, and whenever a patch is in doubt."""

    def __init__(self, size: int = 16) -> None:
        self._size = size
        self._kept: dict[tuple[str, PledgeFilter], tuple[str, int, tuple, pd.DataFrame]] = {}
        self._lock = threading.Lock()

    def forget(self) -> None:
        with self._lock:
            self._kept.clear()

    def frame(self, session: Session, filters: PledgeFilter) -> pd.DataFrame:
        version, database_id = session.exec(
            select(DataVersion.version, DataVersion.database_id)
        ).one()
        rates = rates_fingerprint(session)
        key = (str(session.get_bind().engine.url), filters)
        with self._lock:
            kept = self._kept.get(key)
        frame = None
        if kept is not None and kept[:3] == (database_id, version, rates):
            return kept[3]
        if kept is not None and kept[0] == database_id and kept[2] == rates and kept[1] < version:
            frame = _patched(session, filters, kept[3], kept[1], version)
        if frame is None:
            frame = _pledges_frame(session, filters, None)
        with self._lock:
            newest = self._kept.get(key)
            if newest is None or newest[1] <= version:  # never over a newer session's read
                self._kept.pop(key, None)
                self._kept[key] = (database_id, version, rates, frame)
                while len(self._kept) > self._size:  # the least recently read goes first
                    self._kept.pop(next(iter(self._kept)))
        return frame


def _patched(
    session: Session, filters: PledgeFilter, kept: pd.DataFrame, since: int, version: int
) -> pd.DataFrame | None:
    """``kept`` (the table at data version ``since``) with the pledges written after it read
    again, or None when a write in between was not a pledge's, or the rows read again are not
    of the kept table's column types."""
    written = session.exec(
        select(PledgeRevision.committed_version, PledgeRevision.pledge_id).where(
            col(PledgeRevision.committed_version) > since,
            col(PledgeRevision.committed_version) <= version,
        )
    ).all()
    # Each write moves the version by one: a version without a revision was another write.
    if len({committed for committed, _ in written}) != version - since:
        return None
    changed = sorted({pledge for _, pledge in written})
    fresh = _pledges_frame(session, filters, None, only=changed)
    unchanged = kept[~kept["id"].isin(changed)]
    if not len(unchanged):
        return None
    if not len(fresh):
        return _blank_columns_as_read(unchanged.reset_index(drop=True))
    # Column types are read from the values: a column of blanks alone reads as objects, where
    # beside a value it is text (or a number). Such a column takes the other side's type, as
    # a full read of the whole would; any other difference is read in full.
    fresh, unchanged = fresh.copy(), unchanged.copy()
    for column in fresh.columns:
        new, old = fresh[column], unchanged[column]
        if new.dtype == old.dtype:
            continue
        if new.dtype == object and new.isna().all():
            fresh[column] = new.astype(old.dtype)
        elif old.dtype == object and old.isna().all():
            unchanged[column] = old.astype(new.dtype)
        else:
            return None
    joined = pd.concat([unchanged, fresh], ignore_index=True)
    return _blank_columns_as_read(
        joined.sort_values(["announced_on", "participant", "id"], ignore_index=True)
    )


def _blank_columns_as_read(frame: pd.DataFrame) -> pd.DataFrame:
    """A text column left with nothing but blanks (the one value in it was written over), as a
    read of the database makes it: objects, each None."""
    for column in frame.columns:
        values = frame[column]
        if isinstance(values.dtype, pd.StringDtype) and values.isna().all():
            frame[column] = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    return frame


CURRENT_PLEDGES = CurrentPledges()


def _revisions_statement(filters: PledgeFilter, columns: list):
    """The revisions of the pledges of participants matching the filters (all statuses: a
    status filter applies to the state at each date, which is the caller's business)."""
    statement = select(*columns)
    if conditions := participant_conditions(filters):
        statement = statement.join(
            Participant, col(Participant.code) == PledgeRevision.participant_code
        ).where(*conditions)
    if filters.categories:
        # Every revision of a pledge that was ever in a chosen category: one that moved to
        # another category must leave the old line from that day, not stay in it for good.
        ever = select(PledgeRevision.pledge_id).where(
            col(PledgeRevision.category).in_(filters.categories)
        )
        statement = statement.where(col(PledgeRevision.pledge_id).in_(ever))
    return statement.where(*filters.when.revisions())


def revisions_frame(session: Session, filters: PledgeFilter | None = None) -> pd.DataFrame:
    """Every revision of the pledges of participants matching the filters (all statuses: a
    status filter applies to the state at each date, which is the caller's business), in no
    particular order: a scan of the history, not a walk along an index."""
    filters = filters or PledgeFilter(statuses=(), scopes=())
    columns = [getattr(PledgeRevision, c) for c in REVISION_COLUMNS if c not in RATE_COLUMNS]
    statement = _revisions_statement(filters, columns)
    frame = add_eur(_frame(session, statement), exchange_rates_frame(session))
    return frame[REVISION_COLUMNS]


def pledge_revisions_frame(
    session: Session, pledge_id: int, as_of: date | None = None
) -> pd.DataFrame:
    """One pledge's revisions (in effect by ``as_of``); ``actor`` as histories name people: a
    display name or a staff id, never an email (see privacy)."""
    statement = (
        select(PledgeRevision)
        .where(PledgeRevision.pledge_id == pledge_id, *AsOf(as_of).revisions())
        .order_by(col(PledgeRevision.version))
    )
    rows = [r.model_dump() for r in session.exec(statement).all()]
    frame = pd.DataFrame(rows, columns=list(PledgeRevision.model_fields))
    frame["actor"] = frame["actor"].map(shown_names(session, frame["actor"]))
    return frame


def _staff_ids(session: Session, actors: pd.Series) -> pd.Series:
    """Emails as pseudonymous staff ids, each distinct one digested once."""
    return actors.map({actor: staff_id(session, actor) for actor in actors.unique()})


def events_frame(session: Session, as_of: AsOf | None = None) -> pd.DataFrame:
    """Meetings in date order (with ``as_of``, those held by its day), with
    ``named_attendees``: how many participants the sources name as present (the reported
    count, often larger, is in ``attendance_note``)."""
    named = (
        select(EventAttendance.event_id, func.count().label("named_attendees"))
        .group_by(col(EventAttendance.event_id))
        .subquery()
    )
    statement = (
        # sqlmodel types select() for four columns at most.
        select(  # type: ignore[call-overload]
            *(getattr(Event, c) for c in Event.model_fields), named.c.named_attendees
        )
        .outerjoin(named, named.c.event_id == Event.id)
        .where(*(as_of.meetings() if as_of is not None else ()))
        .order_by(col(Event.held_on))
    )
    frame = _frame(session, statement)
    frame["named_attendees"] = frame["named_attendees"].fillna(0).astype("int64")
    return frame


def meetings_attended(session: Session, participant_code: str) -> pd.DataFrame:
    statement = (
        # sqlmodel types select() for four columns at most.
        select(  # type: ignore[call-overload]
            Event.held_on,
            Event.title,
            Event.location,
            EventAttendance.source_title,
            EventAttendance.source_url,
        )
        .join(EventAttendance, col(EventAttendance.event_id) == Event.id)
        .where(EventAttendance.participant_code == participant_code)
        .order_by(col(Event.held_on))
    )
    rows = [dict(r._mapping) for r in session.exec(statement).all()]
    return pd.DataFrame(
        rows, columns=["held_on", "title", "location", "source_title", "source_url"]
    )


def targets_frame(session: Session) -> pd.DataFrame:
    statement = select(Target).order_by(
        col(Target.category), col(Target.stated_on), col(Target.name)
    )
    rows = [t.model_dump() for t in session.exec(statement).all()]
    return pd.DataFrame(rows, columns=list(Target.model_fields))


def last_change(session: Session) -> datetime | None:
    """When the pledge record last changed, for freshness notes: the newest revision, whose
    time every pledge carries as updated_at (a table a tenth the size of the history)."""
    return session.exec(select(func.max(Pledge.updated_at))).one()


def last_recorded(session: Session) -> datetime | None:
    """When the pledge record, or a check of a pledge against its source, was last written:
    what a snapshot or a table download is pinned to by default, so a re-read ("I read its
    source today") shows in the next file, not only after the next change."""
    changed = last_change(session)
    checked = session.exec(select(func.max(PledgeCheck.recorded_at))).one()
    return max((t for t in (changed, checked) if t is not None), default=None)


def usd_per_eur(session: Session) -> float | None:
    """The newest EUR/USD rate, for comparing funding in EUR with GDP in US dollars."""
    return newest_daily_rate(exchange_rates_frame(session), "USD")


AUDIT_COLUMNS = ["id", "occurred_at", "actor", "action", "entity", "entity_id", "details"]


def audit_frame(
    session: Session,
    *,
    actor: str | None = None,
    action_prefix: str | None = None,
    since: date | None = None,
    until: date | None = None,
    limit: int = 5_000,
) -> pd.DataFrame:
    """Audit events, newest first, with optional filters (``until`` includes that day)."""
    statement = select(AuditEvent).order_by(col(AuditEvent.id).desc()).limit(limit)
    if actor:
        statement = statement.where(AuditEvent.actor == actor)
    if action_prefix:
        statement = statement.where(col(AuditEvent.action).startswith(action_prefix))
    if since:
        start = datetime.combine(since, datetime.min.time(), tzinfo=UTC)
        statement = statement.where(AuditEvent.occurred_at >= start)
    if until:
        end = datetime.combine(until + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
        statement = statement.where(AuditEvent.occurred_at < end)
    rows = []
    for event in session.exec(statement).all():
        row = event.model_dump()
        row["details"] = json.dumps(event.details, sort_keys=True, ensure_ascii=False)
        rows.append(row)
    return pd.DataFrame(rows, columns=AUDIT_COLUMNS)


def audit_actors(session: Session) -> list[str]:
    return list(session.exec(select(AuditEvent.actor).distinct().order_by(AuditEvent.actor)))


def has_synthetic_data(session: Session) -> bool:
    statement = select(Pledge.id).where(Pledge.source_title == SYNTHETIC_SOURCE).limit(1)
    return session.exec(statement).first() is not None
