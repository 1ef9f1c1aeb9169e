"""An import file as it is read: the columns it may hold, its size limits, the template, and
reading it (UTF-8 lines one at a time, the header checked, then each row with its line
number), every problem named by row and column. Nothing here knows the record."""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator

from coalition.errors import Problem
from coalition.read.columns import SNAPSHOT_COLUMNS
from coalition.text.safe_csv import FORMULA_PREFIXES
from db.models import PLEDGE_FIELD_NAMES

IMPORT_COLUMNS = ("pledge_id", "version", *PLEDGE_FIELD_NAMES)
REQUIRED_COLUMNS = (
    "participant_code",
    "category",
    "status",
    "description",
    "announced_on",
    "source_title",
    "confidence",
)
# Columns our export writes that describe a row rather than set it; accepted and ignored.
IGNORED_COLUMNS = tuple(c for c in SNAPSHOT_COLUMNS if c not in IMPORT_COLUMNS)
MAX_ROWS = 20_000
# Well above 20,000 rows of our own export (about 1 KB a row at most), well below what would
# strain the server: a larger file is refused before it is read. In megabytes of 10^6 bytes,
# as the upload widget counts server.maxUploadSize (.streamlit/config.toml holds the same
# number), so the widget, the page, the importer and the command line keep one limit.
MB = 10**6
MAX_FILE_MB = 32
MAX_FILE_BYTES = MAX_FILE_MB * MB


def too_large(size: int) -> str:
    """Why a file of ``size`` bytes is refused, in the words the page states the limit in."""
    shown = f"{size / MB:,.1f} MB"
    if round(size / MB, 1) <= MAX_FILE_MB:  # rounded, it would read as the limit itself
        shown = f"{size:,} bytes"
    return f"is {shown}, over the limit of {MAX_FILE_MB} MB ({MAX_ROWS:,} rows): split it"


# The template's one example row: values the importer takes, its text marked, so that a file
# still holding it is refused (example_column) rather than recording a made-up pledge.
EXAMPLE_MARK = "EXAMPLE: delete this row"
EXAMPLE_ROW = {
    "participant_code": "GBR",
    "category": "troops",
    "status": "announced",
    "description": f"{EXAMPLE_MARK}. Infantry company for the reassurance force",
    "quantity": "150",
    "quantity_qualifier": "up_to",
    "announced_on": "2025-09-04",
    "announced_precision": "day",
    "instrument": "in_kind",
    "scope": "reassurance_force",
    "source_title": f"{EXAMPLE_MARK}. Ministry of Defence press release",
    "source_url": "https://example.org/press-release",
    "confidence": "high",
}


def template_csv() -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=IMPORT_COLUMNS, restval="", lineterminator="\r\n")
    writer.writeheader()
    writer.writerow(EXAMPLE_ROW)
    return out.getvalue().encode("utf-8")


def example_column(cells: dict[str, str]) -> str | None:
    """The first column of a row that still holds the template's example mark, if any."""
    mark = EXAMPLE_MARK.casefold()
    return next((name for name, cell in cells.items() if mark in cell.casefold()), None)


def restore_text(cell: str) -> str:
    """Undo our export's formula guard: "'=x" was written for "=x". A line break inside a
    cell of a file saved on Windows is the line feed a form stores (carriage returns are
    refused in text)."""
    cell = cell.replace("\r\n", "\n")
    if len(cell) > 1 and cell[0] == "'" and cell[1:].startswith(FORMULA_PREFIXES):
        return cell[1:]
    return cell


def text_lines(data: bytes, problems: list[Problem]) -> Iterator[str]:
    """The file's lines as text, decoded one at a time (never the whole file at once: a large
    upload would be held twice over). A line that is not UTF-8 ends the file with a problem
    naming it. A byte-order mark (Excel's "CSV UTF-8") is fine."""
    start = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    number = 0
    while start < len(data):
        end = data.find(b"\n", start)
        end = len(data) if end == -1 else end + 1
        number += 1
        try:
            yield data[start:end].decode("utf-8")
        except UnicodeDecodeError:
            problems.append(
                Problem(
                    "file",
                    "is not UTF-8 text (it looks like Latin-1 or Windows-1252): save it as "
                    "'CSV UTF-8'",
                    file="upload",
                    row=number,
                )
            )
            return
        start = end


# A pledge number as our exports write it: plain ASCII digits, in the database's integer range.
PLEDGE_ID = re.compile(r"[0-9]{1,10}")
MAX_PLEDGE_ID = 2**31 - 1


def number(text: str, column: str, line: int, problems: list[Problem]) -> int | None:
    text = text.strip()
    if not text:
        return None
    if PLEDGE_ID.fullmatch(text) and 0 < int(text) <= MAX_PLEDGE_ID:
        return int(text)
    what = "a pledge number" if column == "pledge_id" else "a version number"
    problems.append(
        Problem(column, f"'{text[:40]}' is not {what} (digits 0-9 only)", file="upload", row=line)
    )
    return None


def records(lines: Iterator[str], problems: list[Problem]) -> Iterator[tuple[int, list[str]]]:
    """The rows after the header (already taken from ``lines``), one at a time, with their
    line numbers. A row the CSV reader cannot read (a cell past the size limit, a stray
    quote) ends the file with a problem naming where."""
    reader = csv.reader(lines)
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            message = str(error)
            if "field larger than field limit" in message:
                message = f"has a cell longer than {csv.field_size_limit():,} characters"
            problems.append(
                Problem("row", f"cannot be read: {message}", file="upload", row=reader.line_num + 1)
            )
            return
        yield reader.line_num + 1, cells


def read_file(
    data: bytes, problems: list[Problem]
) -> tuple[list[str], Iterator[tuple[int, list[str]]]] | None:
    """The file's header and its rows, read one at a time as they are asked for; None, with
    ``problems`` saying why, when it is not a CSV file of ours (too large, not UTF-8, another
    separator, unknown or missing columns)."""
    if len(data) > MAX_FILE_BYTES:
        problems.append(Problem("file", too_large(len(data)), file="upload"))
        return None
    lines = text_lines(data, problems)
    header_line = next(lines, "").rstrip("\r\n")
    if problems:
        return None
    if "," not in header_line and any(d in header_line for d in (";", "\t", "|")):
        used = next(d for d in (";", "\t", "|") if d in header_line)
        name = {";": "semicolons", "\t": "tabs", "|": "vertical bars"}[used]
        problems.append(
            Problem(
                "file",
                f"separates columns with {name}; use commas (save as 'CSV UTF-8, comma-delimited')",
                file="upload",
                row=1,
            )
        )
        return None
    try:
        header = [h.strip() for h in next(csv.reader(io.StringIO(header_line)), [])]
    except csv.Error as error:
        problems.append(Problem("file", f"header cannot be read: {error}", file="upload", row=1))
        return None
    known = set(IMPORT_COLUMNS) | set(IGNORED_COLUMNS)
    for column in header:
        if column not in known:
            problems.append(Problem(column[:60], "is not a known column", file="upload", row=1))
    for column in REQUIRED_COLUMNS:
        if column not in header:
            problems.append(Problem(column, "column is missing", file="upload", row=1))
    if "pledge_id" in header and "version" not in header:
        problems.append(
            Problem(
                "version",
                "column is missing: rows that change a pledge say which version they start "
                "from (export a snapshot to get it)",
                file="upload",
                row=1,
            )
        )
    if problems:
        return None
    return header, records(lines, problems)
