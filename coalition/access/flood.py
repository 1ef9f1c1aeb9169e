"""Bounds on what unsigned requests can write to the audit log: each entry's quoted text
clipped, and at most so many entries of a kind a minute, the rest counted (coalition.access.audit
writes the count as one entry)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from db.models import utc_now

# What one entry from an unsigned request may hold of any text it quotes (an Origin header, a
# reason): enough to recognise it, never a way to grow the log by megabytes.
MAX_UNAUTHENTICATED_TEXT = 200


@dataclass(frozen=True)
class HeldBack:
    """How many entries of one kind were counted, not written, and over what time."""

    count: int
    since: str
    until: str


@dataclass
class _Count:
    window_start: datetime
    written: int = 0
    held_back: int = 0
    held_back_since: datetime | None = None


class FloodGate:
    """At most ``limit`` entries of each unauthenticated kind per ``window`` for each database;
    beyond that, entries are only counted, and the count is written as one audit.NotRecorded entry
    with the first entry of that kind let through afterwards. The counts live in the process
    (each replica bounds its own): a flood is kept out of the database without a write per
    request."""

    def __init__(self, limit: int = 30, window: timedelta = timedelta(minutes=1)):
        self.limit, self.window = limit, window
        self._counts: dict[tuple[str, str], _Count] = {}
        self._lock = threading.Lock()

    def admit(self, database: str, kind: str) -> HeldBack | bool:
        """False when this entry is only counted; else True, or what was held back before it
        (written as one audit.NotRecorded entry)."""
        now = utc_now()
        with self._lock:
            count = self._counts.setdefault((database, kind), _Count(now))
            if now - count.window_start >= self.window:
                count.window_start, count.written = now, 0
            if count.written >= self.limit:
                count.held_back += 1
                count.held_back_since = count.held_back_since or now
                return False
            count.written += 1
            if not count.held_back:
                return True
            held = HeldBack(
                count=count.held_back,
                since=(count.held_back_since or now).isoformat(timespec="seconds"),
                until=now.isoformat(timespec="seconds"),
            )
            count.held_back, count.held_back_since = 0, None
            return held


FLOOD_GATE = FloodGate()


def clipped(value: Any) -> Any:
    if isinstance(value, str) and len(value) > MAX_UNAUTHENTICATED_TEXT:
        return f"{value[:MAX_UNAUTHENTICATED_TEXT]}… ({len(value):,} characters in all)"
    return value
