"""The Excel workbook of a snapshot: opened with openpyxl, its pledge cells typed and equal to
the CSV snapshot's for the same pins, formula-safe, and its other sheets and manifest right."""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import UTC, date, datetime

import openpyxl
import pytest

from coalition.output.snapshots import build_snapshot
from coalition.output.workbook import SHEETS, amount_format, build_workbook
from coalition.read.filters import PledgeFilter
from db.engine import read_session
from tests.support.pledges import add_described, pin_seed_times

PINNED = datetime(2026, 1, 1, tzinfo=UTC)
VIEWS = {
    "funding and ships on 4 Sep 2025": PledgeFilter(
        categories=("funding", "ships"), statuses=(), as_of=date(2025, 9, 4)
    ),
    "everything": PledgeFilter(statuses=(), scopes=()),
    "the default view": PledgeFilter(),
}


def made(engine, filters, known_at=PINNED):
    with read_session(engine) as session:
        book = build_workbook(session, filters, known_at)
        snapshot = build_snapshot(session, filters, known_at)
    return openpyxl.load_workbook(io.BytesIO(book.data)), book, snapshot


def as_csv_text(value, column: str) -> str:
    """A workbook cell written as the CSV writes the same value (a time with its time of
    day, a day as a day)."""
    if value is None:
        return ""
    if column == "recorded_at":
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(value)


def rows(sheet) -> list[list]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


@pytest.mark.parametrize("view", VIEWS.values(), ids=VIEWS.keys())
def test_the_pledge_cells_are_the_csv_snapshots_for_the_same_pins(engine, view):
    pin_seed_times(engine)
    opened, book, snapshot = made(engine, view)
    assert opened.sheetnames == list(SHEETS)
    table = list(csv.reader(io.StringIO(snapshot.csv.decode("utf-8"))))
    sheet = rows(opened["Pledges"])
    assert sheet[0] == table[0]
    assert len(sheet) == len(table) == snapshot.manifest["rows"] + 1
    header = table[0]
    for row, line in zip(sheet[1:], table[1:], strict=True):
        for name, cell, text in zip(header, row, line, strict=True):
            if name == "amount_eur" and cell is not None:
                assert f"{cell:.2f}" == text, name  # the CSV writes euros to the cent
            else:
                assert as_csv_text(cell, name) == text, name
    # The workbook names the CSV it matches, by its name and digest.
    assert book.manifest["csv_sha256"] == hashlib.sha256(snapshot.csv).hexdigest()
    assert book.manifest["csv_file_name"] == snapshot.file_name
    assert book.file_name == snapshot.file_name.removesuffix(".csv") + ".xlsx"
    about = dict(rows(opened["About"])[1:])
    assert about["csv_sha256"] == book.manifest["csv_sha256"]
    assert about["known_at"] == "2026-01-01T00:00:00.000000Z"
    assert about["rows"] == snapshot.manifest["rows"]


def test_numbers_dates_and_amounts_are_typed(engine):
    pin_seed_times(engine)
    opened, _, _ = made(engine, VIEWS["funding and ships on 4 Sep 2025"])
    sheet = opened["Pledges"]
    header = [cell.value for cell in sheet[1]]
    by_id = {row[0].value: dict(zip(header, row, strict=True)) for row in sheet.iter_rows(2)}
    guarantee = by_id[1]  # the UK's, in pounds
    assert guarantee["quantity"].value == 1_600_000_000
    assert guarantee["quantity"].data_type == "n"
    assert guarantee["quantity"].number_format == '#,##0 "GBP"'
    assert guarantee["amount_eur"].value == 2_000_000_000
    assert guarantee["amount_eur"].number_format == '#,##0.00 "EUR"'
    assert guarantee["eur_rate"].value == 0.8
    assert guarantee["announced_on"].value == datetime(2025, 3, 2)
    assert guarantee["announced_on"].is_date
    assert guarantee["announced_on"].number_format == "yyyy-mm-dd"
    assert guarantee["recorded_at"].value == datetime(2025, 12, 31)
    assert guarantee["pledge_id"].value == 1 and guarantee["pledge_id"].data_type == "n"
    ships = by_id[6]
    assert ships["quantity"].value == 2 and ships["quantity"].number_format == "#,##0.##"
    assert ships["currency"].value is None and ships["amount_eur"].value is None


def test_amount_formats():
    assert amount_format("GBP", 1_600_000_000.0) == '#,##0 "GBP"'
    assert amount_format("USD", 12.5) == '#,##0.00 "USD"'
    assert amount_format(None, 3) == "#,##0"


def test_formula_text_is_neutralised_as_in_the_csv(engine):
    hostile = ['=HYPERLINK("http://x","y")', "+1+1", "@SUM(A1)", "-2 troops"]
    add_described(engine, hostile, source_title="=cmd|' /C calc'!A0")
    opened, _, snapshot = made(engine, PledgeFilter(statuses=()), datetime.now(UTC))
    sheet = opened["Pledges"]
    header = [cell.value for cell in sheet[1]]
    mine = [
        dict(zip(header, row, strict=True))
        for row in sheet.iter_rows(2)
        if row[header.index("source_title")].value.startswith("'=cmd")
    ]
    assert sorted(r["description"].value for r in mine) == sorted("'" + h for h in hostile)
    # Stored as text, never as a formula.
    assert {r["description"].data_type for r in mine} == {"s"}
    assert {r["source_title"].data_type for r in mine} == {"s"}
    sources = rows(opened["Sources"])
    assert ["'=cmd|' /C calc'!A0", None, None, 4, 0] in sources
    assert snapshot.manifest["rows"] == len(list(sheet.iter_rows(2)))


def test_meetings_attendance_participants_and_sources(engine):
    pin_seed_times(engine)
    view = PledgeFilter(categories=("funding", "ships"), statuses=(), as_of=date(2025, 3, 11))
    opened, _, snapshot = made(engine, view)
    meetings = rows(opened["Meetings"])
    assert meetings[0][:3] == ["Date", "Meeting", "Where"]
    # Those held by the day shown, and no later one.
    assert [m[1] for m in meetings[1:]] == ["Fixture London meeting", "Fixture Paris meeting"]
    assert meetings[1][0] == datetime(2025, 3, 2)
    attendance = rows(opened["Attendance"])
    assert attendance[0] == [
        "held_on",
        "meeting",
        "participant_code",
        "participant",
        "source_title",
        "source_url",
        "source_published_on",
    ]
    london = [a for a in attendance[1:] if a[1] == "Fixture London meeting"]
    assert len(london) == meetings[1][4]  # as many as the meeting says the sources name
    assert {a[1] for a in attendance[1:]} == {"Fixture London meeting", "Fixture Paris meeting"}
    participants = rows(opened["Participants"])
    assert participants[0][:2] == ["code", "name"]
    assert {"GBR", "FRA", "NZL"} <= {p[0] for p in participants[1:]}
    sources = {s[0]: s for s in rows(opened["Sources"])[1:]}
    pledged = list(csv.DictReader(io.StringIO(snapshot.csv.decode("utf-8"))))
    for row in pledged:
        assert sources[row["source_title"]][1] == row["source_url"]
    assert sum(s[3] for s in sources.values()) == len(pledged)
    assert sum(s[4] for s in sources.values()) == len(meetings) - 1
