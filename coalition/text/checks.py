"""Checks every typed value passes, wherever it was typed (a form, a CSV file, the address, the
command line): text that reads back as stored, a choice among the allowed, a web address, a
date exactly as typed within the record's range. Each returns the problem, or raises it once."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from coalition.errors import Problem, ValidationFailed
from core.vocabulary import EARLIEST_DATE, LATEST_DATE

# Characters that make text display differently from what is stored: explicit bidirectional
# embeddings, overrides and isolates. (Plain right-to-left text needs none of them.)
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
# C0 controls but line feed and tab (which multi-line fields hold), DEL and C1 controls: a
# terminal runs them (ESC and CSI start escape sequences, CR and backspace overwrite).
CONTROLS = re.compile("[\x01-\x08\x0b-\x1f\x7f-\x9f]")
# Zero-width space, direction marks, byte-order mark, line and paragraph separators: unseen, so
# text that looks the same compares and searches differently. (Joiners are kept: scripts and
# emoji need them.)
INVISIBLES = re.compile("[\u200b\u200e\u200f\u061c\ufeff\u2028\u2029]")


def check_choice(field: str, value: Any, allowed: Iterable[str]) -> Problem | None:
    allowed = tuple(allowed)
    if value is None:
        return Problem(field, "is required")
    if value not in allowed:
        return Problem(field, f"'{value}' is not one of: {', '.join(allowed)}")
    return None


def check_url(field: str, value: str | None) -> Problem | None:
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in value:
        return Problem(field, f"'{value}' is not a web address (expected http:// or https://)")
    return None


def check_date_range(
    field: str,
    value: date | None,
    today: date | None = None,
    within: tuple[date, date] = (EARLIEST_DATE, LATEST_DATE),
) -> Problem | None:
    """Within the one range every pledge date shares (db.models EARLIEST_DATE, LATEST_DATE),
    or the range given."""
    earliest, latest = within
    if value is None:
        return None
    if not earliest <= value <= latest:
        return Problem(
            field, f"{value.isoformat()} is outside {earliest.isoformat()} to {latest.isoformat()}"
        )
    return None


def check_text(field: str, value: Any) -> Problem | None:
    """Text that can be stored and read back as typed: no NUL byte (PostgreSQL refuses it,
    other tools cut the text there), no bidirectional control characters, no other control
    character but line feed and tab, and no invisible marks."""
    if not isinstance(value, str):
        return None
    if "\x00" in value:
        return Problem(field, "contains a NUL character (byte 0), which cannot be stored")
    if BIDI_CONTROLS.search(value):
        return Problem(
            field,
            "contains a bidirectional control character (U+202A-U+202E or U+2066-U+2069), "
            "which can make text read differently from what is stored",
        )
    if found := CONTROLS.search(value):
        return Problem(
            field,
            f"contains a control character (U+{ord(found.group()):04X}), which cannot be stored",
        )
    if found := INVISIBLES.search(value):
        return Problem(
            field,
            f"contains an invisible character (U+{ord(found.group()):04X}), which can make "
            "text read differently from what is stored",
        )
    return None


# What XML 1.0 cannot carry (a workbook's cells, an Atom feed), which rows stored before such
# text was refused may hold.
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """The text with every character XML cannot carry written escaped (\\x1b)."""
    return XML_ILLEGAL.sub(lambda found: found.group().encode("unicode_escape").decode(), text)


def text_problems(raw: Mapping[str, Any]) -> list[Problem]:
    return [p for name, value in raw.items() if (p := check_text(name, value)) is not None]


def parse_date(
    field: str,
    text: str | date | None,
    within: tuple[date, date] = (EARLIEST_DATE, LATEST_DATE),
) -> date | None:
    """A date exactly as typed (YYYY-MM-DD), within the shared range, or None for a blank:
    a date that does not parse is a problem, never quietly another date."""
    if text is None or isinstance(text, date):
        value = text
    else:
        text = text.strip()
        if not text:
            return None
        try:
            value = date.fromisoformat(text) if DATE_TEXT.fullmatch(text) else None
        except ValueError:
            value = None
        if value is None:
            raise ValidationFailed(
                [Problem(field, f"'{text}' is not a valid date (expected {DATE_FORMAT})")]
            )
    problem = check_date_range(field, value, within=within)
    if problem is not None:
        raise ValidationFailed([problem])
    return value


DATE_FORMAT = "YYYY-MM-DD"  # how every day is typed: form, sidebar, importer, addresses
DATE_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}")


def check_published_on(field: str, value: date | None, today: date) -> Problem | None:
    """A source's publication day: within the record's dates, and not in the future."""
    if value is not None and value > today:
        return Problem(field, f"{value.isoformat()} is in the future")
    return check_date_range(field, value, today)
