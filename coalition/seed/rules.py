"""The seed's own rules, beyond each field's type: unique keys, a source for every row, a rate for
every converted amount, attendance that names known participants and meetings, first-reported
dates that agree with the record."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TypeVar

from sqlmodel import SQLModel

from coalition.errors import Problem
from coalition.money.exchange import AVERAGE_FOR_PRECISION, period_start
from coalition.seed.files import ATTENDANCE_COLUMNS, SEED_KEY, Row, as_date, read_csv
from coalition.text.checks import check_url
from coalition.write.validation import validate_reference_row
from core import clock
from db.models import Event, Participant, PledgeFields

M = TypeVar("M", bound=SQLModel)


def validate_rows(
    path: Path,
    model: type[M],
    problems: list[Problem],
    columns: Iterable[str] | None = None,
) -> tuple[list[tuple[int, M]], list[tuple[int, Row]]]:
    """Valid instances with their line numbers, and every row as read (valid or not): other
    files are checked against all declared keys, so one bad row is reported once, not again
    in every row that refers to it."""
    columns = list(columns) if columns is not None else [c for c in model.model_fields if c != "id"]
    valid: list[tuple[int, M]] = []
    raw_rows: list[tuple[int, Row]] = []
    for line, row in read_csv(path, columns, problems):
        raw_rows.append((line, row))
        instance, row_problems = validate_reference_row(model, row)
        for p in row_problems:
            problems.append(Problem(p.field, p.message, file=path.name, row=line))
        if instance is not None and not row_problems:
            valid.append((line, instance))
    return valid, raw_rows


def unique(
    path: Path,
    rows: list[tuple[int, Any]],
    key: Callable[[Any], Any],
    column: str,
    problems: list[Problem],
) -> None:
    first_seen: dict[Any, int] = {}
    for line, item in rows:
        k = key(item)
        if k in first_seen:
            problems.append(
                Problem(column, f"duplicates row {first_seen[k]}", file=path.name, row=line)
            )
        else:
            first_seen[k] = line


def require_sources(
    path: Path, rows: list[tuple[int, Row]], problems: list[Problem], column: str = "source_url"
) -> None:
    """Seed rows are public facts: each links the public source it was checked against."""
    for line, row in rows:
        if not (row.get(column) or "").strip():
            problems.append(
                Problem(
                    column,
                    "is required: every seed row links the public source it was checked against",
                    file=path.name,
                    row=line,
                )
            )


def checked_rule(path: Path, rows: list[tuple[int, Row]], problems: list[Problem]) -> None:
    """Every row says when a person last read it against its source: a day, not in the future,
    and not before the source was published."""
    today = clock.today()
    for line, row in rows:
        text = (row.get("checked_on") or "").strip()
        checked = as_date(text)
        published = as_date(row.get("source_published_on") or "")
        if not text:
            message = "is required: the day a person last read this row against its source"
        elif checked is None:
            message = f"'{text}' is not a valid date (expected YYYY-MM-DD)"
        elif checked > today:
            message = f"{checked} is in the future (today is {today})"
        elif published is not None and checked < published:
            message = f"{checked} is before the source was published ({published})"
        else:
            continue
        problems.append(Problem("checked_on", message, file=path.name, row=line))


def attendance_count_rule(
    events: list[tuple[int, Event]], attendance: list[dict[str, Any]], problems: list[Problem]
) -> None:
    """A meeting whose list is shorter than the count its source reports says why in
    ``notes``: the list is what sources name, and a gap nobody explained is a list unfinished."""
    listed: dict[date, int] = {}
    for row in attendance:
        if row["held_on"] is not None:
            listed[row["held_on"]] = listed.get(row["held_on"], 0) + 1
    for line, event in events:
        named = listed.get(event.held_on, 0)
        short = event.reported_count is not None and named < event.reported_count
        if short and not (event.notes or "").strip():
            problems.append(
                Problem(
                    "reported_count",
                    f"the source reports {event.reported_count} participants and "
                    f"attendance.csv lists {named}: complete the list, or say in notes "
                    "why it cannot be",
                    file="events.csv",
                    row=line,
                )
            )


# The ECB publishes no rate on weekends and TARGET holidays; Easter leaves a four-day gap.
RATE_LOOKBACK_DAYS = 4


def _has_dated_rate(
    rates: set[tuple[str, str, date]], currency: str, on: date, precision: str
) -> bool:
    if precision == "day":
        return any(
            (currency, "daily", on - timedelta(days=back)) in rates
            for back in range(RATE_LOOKBACK_DAYS + 1)
        )
    kind = AVERAGE_FOR_PRECISION[precision]
    return (currency, kind, period_start(on, precision)) in rates


def seed_key_problem(key: str) -> str | None:
    if not key:
        return "is required: a stable key that names this row across corrections"
    if not SEED_KEY.fullmatch(key):
        return f"'{key}' must be lower-case letters, digits and hyphens (at most 60)"
    return None


def pledge_rules(
    path: Path,
    rows: list[tuple[int, Row, PledgeFields]],
    rates: set[tuple[str, str, date]],
    problems: list[Problem],
) -> None:
    """What a seed pledge must meet beyond a form's rules: a dated rate for funding, and no
    figure recorded twice."""
    first_seen: dict[tuple, int] = {}
    for line, _row, fields in rows:
        if (
            fields.category == "funding"
            and fields.currency not in (None, "EUR")
            and not _has_dated_rate(
                rates, fields.currency, fields.announced_on, fields.announced_precision
            )
        ):
            wanted = {
                "day": f"an ECB daily rate on {fields.announced_on} or the "
                f"{RATE_LOOKBACK_DAYS} days before",
                "month": f"an ECB monthly average for {fields.announced_on:%Y-%m}",
                "year": f"an ECB annual average for {fields.announced_on:%Y}",
            }[fields.announced_precision]
            problems.append(
                Problem(
                    "currency",
                    f"{fields.currency} has no dated rate: exchange_rates.csv needs {wanted}",
                    file=path.name,
                    row=line,
                )
            )
        if fields.quantity is not None:
            same = (
                fields.participant_code,
                fields.announced_on,
                fields.category,
                fields.quantity,
                fields.currency,
            )
            if same in first_seen:
                problems.append(
                    Problem(
                        "quantity",
                        f"the same amount from {fields.participant_code} on "
                        f"{fields.announced_on} is already row {first_seen[same]}: "
                        "a figure counted twice",
                        file=path.name,
                        row=line,
                    )
                )
            else:
                first_seen[same] = line


def attendance_rule(
    path: Path,
    codes: set[str],
    events: list[tuple[int, Event]],
    event_dates: set[date],
    problems: list[Problem],
) -> list[dict[str, Any]]:
    """``event_dates`` are every date events.csv declares, valid row or not: one broken meeting
    is reported once, not again in each row of its attendance."""
    attendance: list[dict[str, Any]] = []
    seen: dict[tuple[date | None, str], int] = {}
    rows = read_csv(path, ATTENDANCE_COLUMNS, problems)
    require_sources(path, rows, problems)
    checked_rule(path, rows, problems)
    for line, row in rows:
        held_on, code = as_date(row["held_on"]), row["participant_code"].strip()
        published = row["source_published_on"].strip()
        if held_on is None:
            problems.append(
                Problem(
                    "held_on",
                    f"'{row['held_on']}' is not a valid date (expected YYYY-MM-DD)",
                    path.name,
                    line,
                )
            )
        elif held_on not in event_dates:
            problems.append(
                Problem("held_on", f"no meeting in events.csv on {held_on}", path.name, line)
            )
        if code not in codes:
            problems.append(
                Problem("participant_code", f"unknown participant '{code}'", path.name, line)
            )
        if (held_on, code) in seen:
            problems.append(
                Problem(
                    "participant_code", f"duplicates row {seen[held_on, code]}", path.name, line
                )
            )
        seen[held_on, code] = line
        url_problem = check_url("source_url", row["source_url"].strip() or None)
        if url_problem is not None:
            problems.append(replace(url_problem, file=path.name, row=line))
        if published and as_date(published) is None:
            problems.append(
                Problem(
                    "source_published_on",
                    f"'{published}' is not a valid date (expected YYYY-MM-DD)",
                    path.name,
                    line,
                )
            )
        attendance.append(
            {
                "held_on": held_on,
                "participant_code": code,
                "source_title": row["source_title"].strip(),
                "source_url": row["source_url"].strip() or None,
                "source_published_on": as_date(published) if published else None,
                "checked_on": as_date(row["checked_on"]),
            }
        )
    # A meeting's hosts were there: a list without them is a list read wrongly.
    present = {(held_on, code) for held_on, code in seen}
    events_file = path.with_name("events.csv").name
    for line, event in events:
        for host in host_codes(event):
            if host not in codes:
                problems.append(
                    Problem("host_codes", f"unknown participant '{host}'", events_file, line)
                )
            elif (event.held_on, host) not in present:
                problems.append(
                    Problem(
                        "host_codes",
                        f"the host {host} is missing from this meeting's attendance list "
                        f"in {path.name}",
                        events_file,
                        line,
                    )
                )
    return attendance


def first_reported_rule(
    participants: list[tuple[int, Participant]],
    attendance: list[dict[str, Any]],
    problems: list[Problem],
) -> None:
    """A participant seen at a meeting was reported as taking part by then at the latest."""
    first_seen: dict[str, date] = {}
    for row in attendance:
        if row["held_on"] is not None:
            code = row["participant_code"]
            first_seen[code] = min(first_seen.get(code, row["held_on"]), row["held_on"])
    for line, participant in participants:
        seen = first_seen.get(participant.code)
        if seen is not None and participant.first_reported_on > seen:
            problems.append(
                Problem(
                    "first_reported_on",
                    f"{participant.first_reported_on} is after {seen}, when attendance.csv "
                    "records it at a meeting",
                    "participants.csv",
                    line,
                )
            )


def host_codes(event: Event) -> list[str]:
    return [code.strip() for code in (event.host_codes or "").split(";") if code.strip()]


def aliases_rule(path: Path, codes: set[str], problems: list[Problem]) -> None:
    """The other names participants go by (for search): each names a participant, once."""
    if not path.exists():
        return
    seen: dict[str, int] = {}
    for line, row in read_csv(path, ("code", "alias"), problems):
        code, alias = row["code"].strip(), row["alias"].strip()
        if code not in codes:
            problems.append(Problem("code", f"'{code}' is not a participant", path.name, line))
        if not alias:
            problems.append(Problem("alias", "is required", path.name, line))
        elif alias.casefold() in seen:
            problems.append(
                Problem("alias", f"duplicates row {seen[alias.casefold()]}", path.name, line)
            )
        seen.setdefault(alias.casefold(), line)
