"""Citable CSV snapshots of the pledge record.

A snapshot is pinned by two times: ``as_of`` (the day whose state it shows, on the "as of" axis
of the rest of the app) and ``known_at`` (only revisions recorded by then count). With both
fixed, later edits and corrections cannot change it: the same pins and filters give a
byte-identical file, and its manifest says how to get it again.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from typing import Any, Protocol

import numpy as np
import pandas as pd
from sqlmodel import Session

from coalition import __version__
from coalition.access import audit
from coalition.errors import Problem, ValidationFailed
from coalition.read import queries
from coalition.read.columns import FRAME_COLUMN, SNAPSHOT_COLUMNS
from coalition.read.filters import PledgeFilter
from coalition.read.freshness import freshness
from coalition.text.file_names import file_name
from coalition.text.safe_csv import neutralise
from core import clock
from core.vocabulary import is_offer

BOM = "\ufeff"
# Number columns, with their fixed decimals (None: whole numbers without ".0").
NUMBER_COLUMNS = {
    "pledge_id": None,
    "version": None,
    "quantity": None,
    "amount_eur": 2,
    "eur_rate": None,
}


@dataclass(frozen=True)
class Snapshot:
    csv: bytes
    manifest: dict

    @property
    def file_name(self) -> str:
        return str(self.manifest["file_name"])

    @property
    def manifest_file_name(self) -> str:
        return self.file_name.removesuffix(".csv") + ".manifest.json"

    @property
    def manifest_json(self) -> bytes:
        return (json.dumps(self.manifest, indent=2, sort_keys=True) + "\n").encode("utf-8")


def _number(value: float | None, decimals: int | None = None) -> str:
    """Plain digits: no exponent, no thousands separator, whole numbers without '.0'."""
    if value is None or pd.isna(value):
        return ""
    if decimals is not None:
        return f"{value:.{decimals}f}"
    return f"{int(value)}" if float(value).is_integer() else repr(float(value))


def _cell(value) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, date):
        return value.isoformat()
    return str(neutralise(str(value)))


# A cell is quoted when it holds a separator, a quote or a line break, or starts or ends with
# white space (which spreadsheets would otherwise trim).
_NEEDS_QUOTES = re.compile(r'[,"\n\r]|^\s|\s$')


def _csv_line(values: Iterable[str]) -> str:
    return (
        ",".join(
            '"' + value.replace('"', '""') + '"' if _NEEDS_QUOTES.search(value) else value
            for value in values
        )
        + "\r\n"
    )


def _quoted(value: str) -> str:
    return '"' + value.replace('"', '""') + '"' if _NEEDS_QUOTES.search(value) else value


def _column_cells(values: pd.Series, column: str) -> list[str]:
    """A column's cells as CSV text (``_number`` or ``_cell``, then quoted where needed),
    each distinct value formatted once. Numbers are told apart by their bits, so 0.0 and -0.0
    (equal as numbers) keep their own text; a missing value is an empty cell."""
    text: Callable[[Any], str]
    if column in NUMBER_COLUMNS:
        decimals = NUMBER_COLUMNS[column]

        def text(value) -> str:
            return _number(value, decimals)
    else:
        text = _cell
    array = values.to_numpy()
    if array.dtype == np.float64:
        codes, _ = pd.factorize(array.view(np.int64))
        firsts = np.unique(codes, return_index=True)[1]
        uniques = array[firsts].tolist()  # in order of first appearance, as the codes are
    else:
        codes, found = pd.factorize(values)
        uniques = list(found.tolist())
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        # What _cell writes for a time, for all of them at once (one by one took seconds).
        times = pd.Series(found).dt.tz_convert(UTC).dt.strftime("%Y-%m-%dT%H:%M:%SZ")
        uniques = times.tolist()
        text = str
    formatted = np.array([_quoted(text(value)) for value in uniques] + [""], dtype=object)
    return formatted[codes].tolist()  # code -1 (missing) takes the final ""


def pin_known_at(session: Session, text: str | None) -> datetime:
    """The "known at" pin a snapshot is built with: the time given (ISO 8601, as a manifest
    writes it), or by default the record's last write (a change or a check of a pledge:
    queries.last_recorded), so every caller gets the same file until the next write. A time
    still to come is refused: the record up to it is not yet written, so a file pinned to it
    could change under the same pin."""
    text = (text or "").strip()
    if not text:
        return queries.last_recorded(session) or clock.now()
    shown = text[:40]
    try:
        pinned = datetime.fromisoformat(text.replace("Z", "+00:00"))
        pinned = (pinned if pinned.tzinfo else pinned.replace(tzinfo=UTC)).astimezone(UTC)
    except ValueError:
        raise ValidationFailed(
            [Problem("known_at", f"'{shown}' is not a date and time (e.g. 2026-01-31T12:00:00Z)")]
        ) from None
    except OverflowError:  # 9999-12-31T23:59:59-01:00 is past the last UTC time there is
        raise ValidationFailed(
            [Problem("known_at", f"'{shown}' is outside the times a record can be known at")]
        ) from None
    if pinned > clock.now():
        raise ValidationFailed(
            [
                Problem(
                    "known_at",
                    f"'{shown}' is in the future: a snapshot is pinned to a time that has "
                    "passed, so the same pin always gives the same file",
                )
            ]
        )
    return pinned


def snapshot_frame(session: Session, filters: PledgeFilter, known_at: datetime) -> pd.DataFrame:
    rows = queries.pledges_frame(session, filters, known_at=known_at)
    rows = rows.assign(counts_as_offer=rows["status"].map(lambda s: "yes" if is_offer(s) else "no"))
    return rows.sort_values("id", ignore_index=True)


def build_snapshot(
    session: Session,
    filters: PledgeFilter,
    known_at: datetime,
    excel_bom: bool = False,
    frame: pd.DataFrame | None = None,
) -> Snapshot:
    """The CSV (RFC 4180, UTF-8, CRLF) and its manifest. ``known_at`` is part of the pin: take
    it from the manifest to issue the same file again. ``frame``: the snapshot_frame for the
    same pins, when the caller has read it already (the workbook)."""
    # Full precision: a revision recorded later in the same second must stay out on re-issue.
    known_at = known_at.astimezone(UTC)
    if frame is None:
        frame = snapshot_frame(session, filters, known_at)
    # Column by column, each distinct value formatted and quoted once: formatting cell by cell
    # (or iterating the frame row by row) took most of the time on a large record.
    cells = [
        _column_cells(frame[FRAME_COLUMN.get(column, column)], column)
        for column in SNAPSHOT_COLUMNS
    ]
    lines = [
        _csv_line(list(SNAPSHOT_COLUMNS)),
        *(",".join(row) + "\r\n" for row in zip(*cells, strict=True)),
    ]
    text = "".join(lines)
    data = ((BOM if excel_bom else "") + text).encode("utf-8")
    fresh = freshness(session, filters.when.shown, known_at)
    manifest = {
        "file_name": file_name(
            "pledges", as_of=fresh.as_of, known_at=known_at, categories=filters.categories
        ),
        "freshness": fresh.as_dict(),
        "as_of": filters.as_of.isoformat() if filters.as_of else None,
        "known_at": known_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "filters": {k: list(v) for k, v in asdict(filters).items() if k != "as_of"},
        "rows": len(frame),
        "columns": list(SNAPSHOT_COLUMNS),
        "sha256": hashlib.sha256(data).hexdigest(),
        "excel_bom": excel_bom,
        "app_version": __version__,
    }
    return Snapshot(csv=data, manifest=manifest)


class Exported(Protocol):
    """A file made from a snapshot (the CSV, the workbook), described by its manifest."""

    @property
    def manifest(self) -> dict: ...


def log_snapshot(session: Session, *, actor: str, snapshot: Exported) -> None:
    """Record who took which snapshot, so it can be issued again (it changes no data)."""
    audit.record(session, actor=actor, event=audit.SnapshotExported(manifest=snapshot.manifest))
