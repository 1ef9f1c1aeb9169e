"""The one clock. Every "now" (a record's time) and every "today" (the day a view shows when
none is chosen) comes from here, in UTC, so the app never mixes the server's local day with
the day its records are stamped with, and a test can fix the time (``fixed_at``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from itertools import count

_fixed: datetime | None = None
_ticks = count()
# A fixed clock still moves forward a little at each reading, so records made one after the
# other keep their order.
_TICK = timedelta(microseconds=1)


def now() -> datetime:
    """The current time, timezone-aware UTC."""
    if _fixed is not None:
        return _fixed + next(_ticks) * _TICK
    return datetime.now(UTC)


def today() -> date:
    """The current day in UTC: the day records are stamped with."""
    return now().date()


@contextmanager
def fixed_at(moment: datetime) -> Iterator[datetime]:
    """Within the block, the clock reads ``moment`` (made UTC if it has no time zone), a
    microsecond later at each reading."""
    global _fixed, _ticks
    previous = _fixed
    _fixed = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    _ticks = count()
    try:
        yield _fixed
    finally:
        _fixed = previous


def aware(moment: datetime) -> datetime:
    """A time read from the database as UTC-aware: SQLite gives it back naive, in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
