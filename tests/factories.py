"""Test rows built from one valid default, so a test names only what it is about."""

from __future__ import annotations

from datetime import date
from typing import Any

# A pledge the write path accepts on the fixture data: a UK troop offer with its source.
PLEDGE_DEFAULTS: dict[str, Any] = {
    "participant_code": "GBR",
    "category": "troops",
    "status": "announced",
    "description": "Infantry company for the reassurance force",
    "announced_on": date(2025, 9, 4),
    "source_title": "Ministry of Defence press release",
    "confidence": "high",
}


def pledge(**fields: Any) -> dict[str, Any]:
    """A pledge's fields as the write path takes them: the default, with ``fields`` over it."""
    return PLEDGE_DEFAULTS | fields
