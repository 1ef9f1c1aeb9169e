"""Read-side queries for the pages. Each returns plain data (DataFrames or dataclasses)."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
from sqlalchemy import func, or_
from sqlmodel import Session, select

from coalition.filters import MEMBERSHIP_COLUMNS, PledgeFilter
from db.models import (
    AuditEvent,
    Event,
    EventAttendance,
    ExchangeRate,
    Participant,
    Pledge,
    PledgeRevision,
    Target,
)

PLEDGE_COLUMNS = [
    "id",
    "participant_code",
    "participant",
    "region",
    "category",
    "status",
    "description",
    "quantity",
    "quantity_qualifier",
    "currency",
    "amount_eur",
    "rate_date",
    "capability_type",
    "conditions",
    "announced_on",
    "announced_precision",
    "start_on",
    "end_on",
    "source_title",
    "source_url",
    "confidence",
    "notes",
    "version",
    "updated_at",
    "updated_by",
]


def data_version(session: Session) -> int:
    """A number that grows with every write: every write records an audit entry in its own
    transaction, so the newest audit id changes exactly when the data do. Cached reads take it
    as an argument, which keeps every app process in step with the shared database."""
    return session.exec(select(func.coalesce(func.max(AuditEvent.id), 0))).one()


def _participant_conditions(filters: PledgeFilter) -> list:
    conditions = []
    if filters.regions:
        conditions.append(Participant.region.in_(filters.regions))
    if filters.memberships:
        conditions.append(
            or_(*(getattr(Participant, MEMBERSHIP_COLUMNS[m]) for m in filters.memberships))
        )
    return conditions


def participants_frame(session: Session, filters: PledgeFilter | None = None) -> pd.DataFrame:
    statement = select(Participant).order_by(Participant.name)
    if filters is not None:
        statement = statement.where(*_participant_conditions(filters))
    rows = [p.model_dump() for p in session.exec(statement).all()]
    return pd.DataFrame(rows, columns=list(Participant.model_fields))


def filter_options(session: Session) -> dict[str, list[str]]:
    regions = session.exec(select(Participant.region).distinct().order_by(Participant.region))
    return {"regions": list(regions.all())}


def exchange_rates_frame(session: Session) -> pd.DataFrame:
    rows = [r.model_dump() for r in session.exec(select(ExchangeRate)).all()]
    return pd.DataFrame(rows, columns=list(ExchangeRate.model_fields))


def rate_for(rates: pd.DataFrame, currency: str | None, on: date) -> tuple[float, date | None]:
    """Units of ``currency`` per euro: the newest rate on or before ``on``, else the earliest
    after it (a pledge older than every rate we hold). EUR is 1 by definition."""
    if currency in (None, "EUR"):
        return 1.0, None
    own = rates[rates["currency"] == currency].sort_values("rate_date")
    if own.empty:
        raise LookupError(f"no exchange rate for {currency}")
    before = own[own["rate_date"] <= on]
    row = before.iloc[-1] if not before.empty else own.iloc[0]
    return float(row["units_per_eur"]), row["rate_date"]


def pledges_frame(session: Session, filters: PledgeFilter | None = None) -> pd.DataFrame:
    """Current pledges joined to their participant, with funding converted to EUR."""
    filters = filters or PledgeFilter(statuses=())
    statement = (
        select(Pledge, Participant.name, Participant.region)
        .join(Participant, Participant.code == Pledge.participant_code)
        .where(*_participant_conditions(filters))
        .order_by(Pledge.announced_on, Participant.name, Pledge.id)
    )
    if filters.categories:
        statement = statement.where(Pledge.category.in_(filters.categories))
    if filters.statuses:
        statement = statement.where(Pledge.status.in_(filters.statuses))
    rates = exchange_rates_frame(session)
    rows = []
    for pledge, name, region in session.exec(statement).all():
        row = pledge.model_dump()
        row.update(participant=name, region=region, amount_eur=None, rate_date=None)
        if pledge.category == "funding" and pledge.quantity is not None:
            units_per_eur, rate_date = rate_for(rates, pledge.currency, pledge.announced_on)
            row.update(amount_eur=pledge.quantity / units_per_eur, rate_date=rate_date)
        rows.append(row)
    frame = pd.DataFrame(rows, columns=PLEDGE_COLUMNS)
    return frame.astype({"quantity": "float64", "amount_eur": "float64"})


def pledge_revisions_frame(session: Session, pledge_id: int) -> pd.DataFrame:
    statement = (
        select(PledgeRevision)
        .where(PledgeRevision.pledge_id == pledge_id)
        .order_by(PledgeRevision.version)
    )
    rows = [r.model_dump() for r in session.exec(statement).all()]
    return pd.DataFrame(rows, columns=list(PledgeRevision.model_fields))


def events_frame(session: Session) -> pd.DataFrame:
    rows = [e.model_dump() for e in session.exec(select(Event).order_by(Event.held_on)).all()]
    return pd.DataFrame(rows, columns=list(Event.model_fields))


def meetings_attended(session: Session, participant_code: str) -> pd.DataFrame:
    statement = (
        select(Event.held_on, Event.title, Event.location, EventAttendance.source_title)
        .join(EventAttendance, EventAttendance.event_id == Event.id)
        .where(EventAttendance.participant_code == participant_code)
        .order_by(Event.held_on)
    )
    rows = [dict(r._mapping) for r in session.exec(statement).all()]
    return pd.DataFrame(rows, columns=["held_on", "title", "location", "source_title"])


def targets_frame(session: Session) -> pd.DataFrame:
    statement = select(Target).order_by(Target.category, Target.stated_on, Target.name)
    rows = [t.model_dump() for t in session.exec(statement).all()]
    return pd.DataFrame(rows, columns=list(Target.model_fields))


def last_change(session: Session) -> datetime | None:
    """When the pledge record last changed (the newest revision), for freshness notes."""
    return session.exec(select(func.max(PledgeRevision.recorded_at))).one()
