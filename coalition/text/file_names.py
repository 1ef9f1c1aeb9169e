"""File names that say what a file holds: what it is, which categories, the day its record is
shown as of, and when that record was known, e.g.
coalition-pledges-troops_as-of-2025-09-30_known-2026-12-06T1710Z.csv. Two files of different
days or pins never share a name; the same content always gets the same one."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, date, datetime

_UNSAFE = re.compile(r"[^a-z0-9-]+")


def _part(text: str) -> str:
    return _UNSAFE.sub("-", text.lower()).strip("-")


def file_name(
    what: str,
    *,
    as_of: date,
    known_at: datetime | None = None,
    categories: Sequence[str] = (),
    extension: str = "csv",
) -> str:
    stem = "-".join(_part(p) for p in ("coalition", what, *categories) if _part(p))
    parts = [stem, f"as-of-{as_of:%Y-%m-%d}"]
    if known_at is not None:
        parts.append(f"known-{known_at.astimezone(UTC):%Y-%m-%dT%H%MZ}")
    return "_".join(parts) + f".{extension}"
