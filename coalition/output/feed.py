"""What changed, as an Atom feed (RFC 4287) for feed readers: one entry per change recorded in
the last days, under the sidebar's filters and, optionally, for some participants only. Each
entry says what changed (old → new), when it took effect and was recorded, by whom in which
role, why, and links the pledge's history and its source.

The seed's initial record is where the record starts, not a change: it has no entries."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from html import escape
from urllib.parse import urlencode, urlsplit
from xml.etree import ElementTree

import pandas as pd
from sqlmodel import Session

from coalition.errors import Problem, ValidationFailed
from coalition.read import changes
from coalition.read.as_of import AS_OF_EARLIEST
from coalition.read.filters import PledgeFilter, filters_from_query, filters_to_query
from coalition.text.checks import xml_safe
from coalition.write.allowed_values import participant_codes
from core import clock

MEDIA_TYPE = "application/atom+xml; charset=utf-8"
ATOM = "http://www.w3.org/2005/Atom"
DEFAULT_DAYS = 30
MAX_DAYS = 366
MAX_ENTRIES = 200
# The feed's own parameters, beside the sidebar's filters (coalition.read.filters).
PARTICIPANT = "participant"
DAYS = "days"


@dataclass(frozen=True)
class FeedRequest:
    """Which changes a feed holds: the filters, the participants (codes; none: all) and how
    many days back from today."""

    filters: PledgeFilter
    participants: tuple[str, ...] = ()
    days: int = DEFAULT_DAYS

    def period(self, today: date) -> changes.Period:
        start = max(today - timedelta(days=self.days), AS_OF_EARLIEST)
        return changes.Period(start, today, changes.BY_RECORDED)

    def query(self) -> dict[str, str]:
        """The parameters that name this feed (the defaults left out)."""
        query = filters_to_query(self.filters)
        if self.participants:
            query[PARTICIPANT] = ",".join(self.participants)
        if self.days != DEFAULT_DAYS:
            query[DAYS] = str(self.days)
        return query


FEED_PATH = "/api/v1/changes.atom"


def feed_address(
    base_url: str, participants: Sequence[str], categories: Sequence[str], key: str
) -> str:
    """A feed's address for a feed reader: what it follows, and its own key (the reader
    cannot send a header)."""
    query = {PARTICIPANT: ",".join(participants), "category": ",".join(categories)}
    named = {name: value for name, value in query.items() if value}
    return f"{base_url.rstrip('/')}{FEED_PATH}?{urlencode({**named, 'key': key})}"


def _values(params: Mapping[str, Sequence[str]], key: str) -> list[str]:
    return [part.strip() for value in params.get(key, []) for part in value.split(",")]


def feed_request(session: Session, params: Mapping[str, Sequence[str]]) -> FeedRequest:
    """The feed an address names, or ValidationFailed naming every parameter that is wrong:
    a filter, a participant that is none (with the nearest), a number of days."""
    problems: list[Problem] = []
    filters = PledgeFilter()
    try:
        filters = filters_from_query(params)
    except ValidationFailed as failure:
        problems += failure.problems
    participants: tuple[str, ...] = ()
    try:
        participants = participant_codes(session, _values(params, PARTICIPANT), PARTICIPANT)
    except ValidationFailed as failure:
        problems += failure.problems
    days = DEFAULT_DAYS
    if DAYS in params:
        text = (_values(params, DAYS) or [""])[-1]
        if text.isdigit() and 1 <= int(text) <= MAX_DAYS:
            days = int(text)
        else:
            problems.append(Problem(DAYS, f"'{text[:20]}' is not a whole number from 1 to 366"))
    if problems:
        raise ValidationFailed(problems)
    return FeedRequest(filters, participants, days)


def feed_changes(session: Session, request: FeedRequest, today: date) -> pd.DataFrame:
    """The feed's changes, newest first, at most MAX_ENTRIES (the initial record left out)."""
    period = request.period(today)
    found = changes.changes_between(
        session,
        request.filters,
        period.start,
        period.end,
        changes.BY_RECORDED,
        participants=request.participants,
    )
    return found[found["kind"] != changes.INITIAL].head(MAX_ENTRIES)


def changes_link(
    base_url: str,
    period: changes.Period,
    filters: PledgeFilter,
    participants: Sequence[str] = (),
) -> str:
    """The What changed page for this period under these filters, for these participants
    (none: all); its address holds all three."""
    query = period.to_query() | filters_to_query(filters)
    if participants:
        query[PARTICIPANT] = ",".join(participants)
    return f"{base_url}/changes?{urlencode(query)}"


def _text(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def _when(change: Mapping[str, object]) -> datetime:
    recorded = change["recorded_at"]
    if isinstance(recorded, datetime) and not pd.isna(recorded):
        return recorded.astimezone(UTC)
    held = change["effective_on"]
    assert isinstance(held, date)  # a meeting: the day it was held
    return datetime.combine(held, time.min, tzinfo=UTC)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def entry_title(change: Mapping[str, object]) -> str:
    """'Revised: Germany, troops — Armoured brigade'; 'New meeting: Paris summit'."""
    kind = _text(change["kind"]).capitalize()
    if change["kind"] == changes.MEETING:
        return f"{kind}: {_text(change['description'])}"
    return (
        f"{kind}: {_text(change['participant'])}, {_text(change['category'])} — "
        f"{_text(change['description'])}"
    )


def entry_html(change: Mapping[str, object]) -> str:
    """What changed (old → new), when, by whom and why, and the source, as HTML."""
    parts = [f"<p><strong>{escape(_text(change['what_changed']))}</strong></p>"]
    effective = change["effective_on"]
    when = f"In effect from {effective:%d %b %Y}" if isinstance(effective, date) else ""
    if change["kind"] == changes.MEETING:
        when = f"Held on {effective:%d %b %Y}" if isinstance(effective, date) else ""
    else:
        recorded = _when(change)
        when += (
            f"; recorded {recorded:%d %b %Y %H:%M} UTC by {_text(change['actor'])} "
            f"({_text(change['role'])})"
        )
        if size := _text(change["size"]):
            when += f". Size now: {size}"
    parts.append(f"<p>{escape(when)}.</p>")
    if reason := _text(change["reason"]):
        parts.append(f"<p>Why: {escape(reason)}</p>")
    title, url = _text(change["source_title"]), _text(change["source_url"])
    if url:
        parts.append(f'<p>Source: <a href="{escape(url)}">{escape(title or url)}</a></p>')
    elif title:
        parts.append(f"<p>Source: {escape(title)}</p>")
    return "".join(parts)


def _tag(base_url: str, change: Mapping[str, object]) -> str:
    """A permanent id: the pledge's version, or the meeting's day and title."""
    host = urlsplit(base_url).hostname or "localhost"
    if change["kind"] == changes.MEETING:
        title = hashlib.sha256(_text(change["description"]).encode()).hexdigest()[:16]
        return f"tag:{host},2025:meeting/{change['effective_on']}/{title}"
    return f"tag:{host},2025:pledge/{change['pledge_id']}/version/{change['version']}"


def _add(parent: ElementTree.Element, name: str, text: str | None = None, **attributes: str):
    element = ElementTree.SubElement(parent, f"{{{ATOM}}}{name}", attributes)
    if text is not None:
        element.text = xml_safe(text)
    return element


def build_feed(session: Session, request: FeedRequest, *, base_url: str, self_url: str) -> bytes:
    """The Atom document for ``request``, its links under ``base_url`` (the app's address),
    ``self_url`` the address it is read at."""
    base_url = base_url.rstrip("/")
    today = clock.today()
    found = feed_changes(session, request, today)
    rows = found.to_dict("records")
    period = request.period(today)
    ElementTree.register_namespace("", ATOM)
    feed = ElementTree.Element(f"{{{ATOM}}}feed")
    host = urlsplit(base_url).hostname or "localhost"
    _add(feed, "id", f"tag:{host},2025:changes?{urlencode(sorted(request.query().items()))}")
    described = request.filters.describe()
    if request.participants:
        described = f"{', '.join(request.participants)}; {described}"
    _add(feed, "title", f"Coalition Tracker: what changed ({described})")
    _add(feed, "subtitle", f"Changes recorded in the last {request.days} days, newest first.")
    newest = max((_when(row) for row in rows), default=datetime.combine(period.start, time.min))
    _add(feed, "updated", _stamp(newest.replace(tzinfo=newest.tzinfo or UTC)))
    _add(feed, "link", rel="self", type="application/atom+xml", href=xml_safe(self_url))
    _add(
        feed,
        "link",
        rel="alternate",
        type="text/html",
        href=changes_link(base_url, period, request.filters, request.participants),
    )
    _add(_add(feed, "author"), "name", "Coalition Tracker")
    for row in rows:
        entry = _add(feed, "entry")
        _add(entry, "id", _tag(base_url, row))
        _add(entry, "title", entry_title(row))
        _add(entry, "updated", _stamp(_when(row)))
        if row["kind"] == changes.MEETING:
            day = changes.Period(row["effective_on"], row["effective_on"], changes.BY_EFFECTIVE)
            href = changes_link(base_url, day, request.filters, request.participants)
        else:
            query = urlencode({"code": row["participant_code"], "pledge": row["pledge_id"]})
            href = f"{base_url}/participant?{query}"
        _add(entry, "link", rel="alternate", type="text/html", href=href)
        if url := _text(row["source_url"]):
            _add(
                entry,
                "link",
                rel="related",
                href=xml_safe(url),
                title=xml_safe(_text(row["source_title"])),
            )
        if actor := _text(row["actor"]):
            _add(_add(entry, "author"), "name", actor)
        _add(entry, "content", entry_html(row), type="html")
    return ElementTree.tostring(feed, encoding="utf-8", xml_declaration=True)
