"""A snapshot as an Excel workbook: the pledges with typed cells (numbers as numbers, dates as
dates, amounts in their currency's format), the meetings and who attended them, the
participants, the sources cited, and a sheet saying how it was made, with the pins and the
SHA-256 of the CSV snapshot it matches cell for cell.

The pledge rows are the CSV snapshot's for the same filters and pins, read once for both, and
formula-safe the same way: text a spreadsheet would run starts with an apostrophe.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from sqlmodel import Session, col, select

from coalition.output.snapshots import build_snapshot, snapshot_frame
from coalition.read import queries
from coalition.read.columns import FRAME_COLUMN, SNAPSHOT_COLUMNS
from coalition.read.filters import PledgeFilter
from coalition.text.checks import xml_safe
from coalition.text.formatting import meetings_for_display
from coalition.text.safe_csv import neutralise
from db.models import Event, EventAttendance, Participant

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEETS = ("Pledges", "Meetings", "Attendance", "Participants", "Sources", "About")
DATE_FORMAT = "yyyy-mm-dd"
TIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
DATE_COLUMNS = frozenset(
    {"eur_rate_date", "announced_on", "start_on", "end_on", "source_published_on", "checked_on"}
)
WHOLE_NUMBER_COLUMNS = frozenset({"pledge_id", "version"})
HEADER = Font(bold=True)

METHODOLOGY = (
    "Each row of Pledges is a pledge as it stood at the end of the as-of day, using only what "
    "was recorded by the known-at time: the same rows, columns and values as the CSV snapshot "
    "with the same pins, whose SHA-256 is below.",
    "A blank size was never published: it is unknown, never zero.",
    "Funding keeps its own currency (quantity, in that currency's format); amount_eur is its "
    "euro value at the ECB reference rate of eur_rate_date (eur_rate units per euro, "
    "eur_rate_kind daily or a monthly or annual mean).",
    "Dates are dates; recorded_at is UTC. A date given by the source only to the month or the "
    "year is stored as its first day, with announced_precision saying so.",
    "Text a spreadsheet would run as a formula (starting with =, +, -, @) starts with an "
    "apostrophe, as in the CSV; the importer removes it again.",
    "Meetings and Attendance list the meetings held by the as-of day; Participants those the "
    "region and membership filters choose; Sources every source the pledges and meetings "
    "cite.",
)


@dataclass(frozen=True)
class WorkbookFile:
    data: bytes
    manifest: dict

    @property
    def file_name(self) -> str:
        return str(self.manifest["file_name"])


def _text(value: str) -> str:
    return str(neutralise(xml_safe(value)))


def _missing(value: Any) -> bool:
    return value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value))


def typed(value: Any) -> Any:
    """A value as a cell holds it: numbers as numbers (whole ones as integers), days as
    dates, times as UTC to the second (as the CSV writes them), text formula-safe."""
    if _missing(value):
        return None
    if isinstance(value, datetime):  # pd.Timestamp included
        moment = value.astimezone(UTC) if value.tzinfo else value
        return moment.replace(tzinfo=None, microsecond=0)
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return int(value) if float(value).is_integer() and abs(value) < 2**53 else float(value)
    return _text(str(value))


def amount_format(currency: str | None, value: float | None) -> str:
    """An amount's number format: thousands grouped, cents where there are any, its
    currency's code after it."""
    digits = "#,##0" if value is None or float(value).is_integer() else "#,##0.00"
    return f'{digits} "{currency}"' if currency else digits


def _sheet(book: Workbook, title: str, header: Sequence[str]) -> WriteOnlyWorksheet:
    sheet = book.create_sheet(title)
    sheet.freeze_panes = "A2"
    for index, name in enumerate(header):
        sheet.column_dimensions[get_column_letter(index + 1)].width = max(
            10, min(40, len(name) + 4)
        )
    cells = []
    for name in header:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = HEADER
        cells.append(cell)
    sheet.append(cells)
    return sheet


def _cell(sheet: WriteOnlyWorksheet, value: Any, number_format: str | None = None):
    cell = WriteOnlyCell(sheet, value=typed(value))
    if number_format is None and isinstance(cell.value, datetime):
        number_format = TIME_FORMAT
    elif number_format is None and isinstance(cell.value, date):
        number_format = DATE_FORMAT
    if number_format is not None and cell.value is not None:
        cell.number_format = number_format
    return cell


def _frame_sheet(book: Workbook, title: str, frame: pd.DataFrame) -> None:
    sheet = _sheet(book, title, [str(c) for c in frame.columns])
    for row in frame.itertuples(index=False, name=None):
        sheet.append([_cell(sheet, value) for value in row])


def _pledges_sheet(book: Workbook, frame: pd.DataFrame) -> None:
    sheet = _sheet(book, "Pledges", SNAPSHOT_COLUMNS)
    columns = [FRAME_COLUMN.get(name, name) for name in SNAPSHOT_COLUMNS]
    for row in frame[columns].itertuples(index=False, name=None):
        values = dict(zip(SNAPSHOT_COLUMNS, row, strict=True))
        currency = None if _missing(values["currency"]) else str(values["currency"])
        cells = []
        for name, value in values.items():
            number_format = None
            if name == "quantity" and currency:
                number_format = amount_format(currency, None if _missing(value) else value)
            elif name == "amount_eur":
                number_format = '#,##0.00 "EUR"'
            elif name in WHOLE_NUMBER_COLUMNS or name == "quantity":
                number_format = "0" if name in WHOLE_NUMBER_COLUMNS else "#,##0.##"
            elif name in DATE_COLUMNS:
                number_format = DATE_FORMAT
            cells.append(_cell(sheet, value, number_format))
        sheet.append(cells)


def attendance_frame(session: Session, as_of: date) -> pd.DataFrame:
    """Who the sources name as present at each meeting held by ``as_of``."""
    statement = (
        # sqlmodel types select() for four columns at most.
        select(  # type: ignore[call-overload]
            Event.held_on,
            col(Event.title).label("meeting"),
            EventAttendance.participant_code,
            col(Participant.name).label("participant"),
            EventAttendance.source_title,
            EventAttendance.source_url,
            EventAttendance.source_published_on,
        )
        .join(Event, col(Event.id) == EventAttendance.event_id)
        .join(Participant, col(Participant.code) == EventAttendance.participant_code)
        .where(col(Event.held_on) <= as_of)
        .order_by(col(Event.held_on), col(Event.title), col(Participant.name))
    )
    rows = [dict(r._mapping) for r in session.exec(statement).all()]
    columns = ["held_on", "meeting", "participant_code", "participant"]
    return pd.DataFrame(
        rows, columns=[*columns, "source_title", "source_url", "source_published_on"]
    )


def sources_frame(pledges: pd.DataFrame, meetings: pd.DataFrame) -> pd.DataFrame:
    """Every source cited, once: its title, address and publication day, and how many of the
    workbook's pledges and meetings cite it."""
    keys = ["source_title", "source_url", "source_published_on"]
    parts = [
        pledges[keys].assign(pledges=1, meetings=0),
        meetings[keys].assign(pledges=0, meetings=1),
    ]
    cited = pd.concat([p for p in parts if len(p)], ignore_index=True)
    if cited.empty:
        return pd.DataFrame(columns=[*keys, "pledges", "meetings"])
    found = cited.groupby(keys, dropna=False, sort=False)[["pledges", "meetings"]].sum()
    return found.reset_index().sort_values(["source_title", "source_url"], ignore_index=True)


def _about_rows(manifest: dict) -> Iterable[tuple[str, Any]]:
    for n, line in enumerate(METHODOLOGY, start=1):
        yield f"method {n}", line
    for key in ("as_of", "known_at", "rows", "csv_file_name", "csv_sha256", "app_version"):
        yield key, manifest[key]
    for key, values in manifest["filters"].items():
        yield f"filter {key}", ", ".join(values) if values else "all"
    for key, value in manifest["freshness"].items():
        yield f"freshness {key}", value


def build_workbook(session: Session, filters: PledgeFilter, known_at: datetime) -> WorkbookFile:
    """The workbook for these filters and pins, and its manifest: the CSV snapshot's, naming
    the workbook, with the CSV's own name and SHA-256 beside them."""
    known_at = known_at.astimezone(UTC)
    frame = snapshot_frame(session, filters, known_at)
    csv = build_snapshot(session, filters, known_at, frame=frame)
    shown = filters.when.shown
    manifest = {
        **csv.manifest,
        "format": "xlsx",
        "file_name": csv.file_name.removesuffix(".csv") + ".xlsx",
        "csv_file_name": csv.file_name,
        "csv_sha256": csv.manifest["sha256"],
        "sheets": list(SHEETS),
    }
    del manifest["sha256"], manifest["excel_bom"]  # the CSV's, named as such above
    events = queries.events_frame(session, filters.when)
    book = Workbook(write_only=True)
    # The document's own dates: the known-at pin, not the moment it was written.
    book.properties.created = book.properties.modified = known_at.replace(tzinfo=None)
    _pledges_sheet(book, frame)
    _frame_sheet(book, "Meetings", meetings_for_display(events.drop(columns=["id", "host_codes"])))
    _frame_sheet(book, "Attendance", attendance_frame(session, shown))
    _frame_sheet(book, "Participants", queries.participants_frame(session, filters))
    _frame_sheet(book, "Sources", sources_frame(frame, events))
    about = _sheet(book, "About", ["item", "value"])
    for key, value in _about_rows(manifest):
        about.append([_cell(about, key), _cell(about, value)])
    out = io.BytesIO()
    book.save(out)
    return WorkbookFile(data=out.getvalue(), manifest=manifest)
