"""The one clock. Every "now" (a record's time) and every "today" (the day a view shows when
none is chosen) comes from here, in UTC, so the app never mixes the server's local day with
the day its records are stamped with, and a test can fix the time (``fixed_at``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime

_fixed: datetime | None = None


def now() -> datetime:
    """The current time, timezone-aware UTC."""
    return _fixed if _fixed is not None else datetime.now(UTC)


def today() -> date:
    """The current day in UTC: the day records are stamped with."""
    return now().date()


@contextmanager
def fixed_at(moment: datetime) -> Iterator[datetime]:
    """Within the block, the clock reads ``moment`` (made UTC if it has no time zone)."""
    global _fixed
    previous = _fixed
    _fixed = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    try:
        yield _fixed
    finally:
        _fixed = previous
