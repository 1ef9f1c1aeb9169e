"""Bulk import of pledges from CSV: a preview that marks every row, then one all-or-nothing
transaction with one batch id.

The file format is the snapshot's (coalition.snapshots): our own export imports as it is.
A row with a pledge_id changes that pledge; a row without one is new, unless an identical
pledge is already recorded, so importing the same file twice changes nothing.
"""

from __future__ import annotations

import csv
import hashlib
import io
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from sqlmodel import Session, select

from coalition import audit
from coalition.auth import Actor, require_role
from coalition.errors import Problem, ValidationFailed
from coalition.exports import FORMULA_PREFIXES
from coalition.pledges import (
    PLEDGE_FIELD_NAMES,
    create_pledges,
    known_currencies,
    known_participant_codes,
    update_pledge,
)
from coalition.snapshots import SNAPSHOT_COLUMNS
from coalition.validation import validate_pledge
from db.models import Pledge

IMPORT_COLUMNS = ("pledge_id", *(c for c in PLEDGE_FIELD_NAMES))
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
# New pledges are written this many at a time, so the progress bar moves on a large file.
CREATE_CHUNK = 1_000


@dataclass
class PreviewRow:
    line: int  # in the file, header = 1
    status: str  # new, changed, unchanged, error
    values: dict[str, Any]
    pledge_id: int | None = None
    version: int | None = None
    changes: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    note: str = ""


@dataclass
class Preview:
    rows: list[PreviewRow]
    file_problems: list[Problem]
    sha256: str

    @property
    def problems(self) -> list[Problem]:
        return self.file_problems + [p for row in self.rows for p in row.problems]

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)


def template_csv() -> bytes:
    return (",".join(IMPORT_COLUMNS) + "\r\n").encode("utf-8")


def restore_text(cell: str) -> str:
    """Undo our export's formula guard: "'=x" was written for "=x"."""
    if len(cell) > 1 and cell[0] == "'" and cell[1:].startswith(FORMULA_PREFIXES):
        return cell[1:]
    return cell


def _decode(data: bytes, problems: list[Problem]) -> str | None:
    try:
        return data.decode("utf-8-sig")  # a byte-order mark (Excel's UTF-8) is fine
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        problems.append(
            Problem(
                "file",
                "is not UTF-8 text (it looks like Latin-1 or Windows-1252): save it as 'CSV UTF-8'",
                file="upload",
                row=line,
            )
        )
        return None


def _identity(values: dict[str, Any]) -> tuple:
    return (
        values.get("participant_code"),
        values.get("category"),
        str(values.get("description") or "").strip(),
        str(values.get("announced_on")),
    )


def _pledges_named_in(session: Session, records: list[list[str]], header: list[str]) -> dict:
    """The current state of the pledges a file changes (rows with a pledge_id), by id: only
    those, not the whole table."""
    if "pledge_id" not in header:
        return {}
    column = header.index("pledge_id")
    ids = sorted(
        {int(c[column]) for c in records if len(c) > column and c[column].strip().isdigit()}
    )
    current = {}
    for start in range(0, len(ids), 1_000):
        chunk = ids[start : start + 1_000]
        current |= {p.id: p for p in session.exec(select(Pledge).where(Pledge.id.in_(chunk)))}
    return current


def _recorded_identities(session: Session) -> dict[tuple, int]:
    """Every recorded pledge's identity (see _identity), to recognise a row already recorded."""
    statement = select(
        Pledge.participant_code,
        Pledge.category,
        Pledge.description,
        Pledge.announced_on,
        Pledge.id,
    )
    return {
        _identity(
            {
                "participant_code": code,
                "category": category,
                "description": text,
                "announced_on": on,
            }
        ): pledge_id
        for code, category, text, on, pledge_id in session.connection().execute(statement)
    }


def preview_import(session: Session, data: bytes) -> Preview:
    """Read and check a whole file without writing: every row marked new, changed,
    unchanged or error, every problem with its row and column."""
    digest = hashlib.sha256(data).hexdigest()
    problems: list[Problem] = []
    text = _decode(data, problems)
    if text is None:
        return Preview([], problems, digest)
    lines = text.splitlines()
    header_line = lines[0] if lines else ""
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
        return Preview([], problems, digest)
    reader = csv.reader(io.StringIO(text))
    header = [h.strip() for h in next(reader, [])]
    known = set(IMPORT_COLUMNS) | set(IGNORED_COLUMNS)
    for column in header:
        if column not in known:
            problems.append(Problem(column, "is not a known column", file="upload", row=1))
    for column in REQUIRED_COLUMNS:
        if column not in header:
            problems.append(Problem(column, "column is missing", file="upload", row=1))
    if problems:
        return Preview([], problems, digest)

    codes, currencies = known_participant_codes(session), known_currencies(session)
    records = list(reader)
    current = _pledges_named_in(session, records, header)
    recorded = _recorded_identities(session)
    rows: list[PreviewRow] = []
    seen_ids: dict[int, int] = {}
    seen_new: dict[tuple, int] = {}
    for line, cells in enumerate(records, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(rows) >= MAX_ROWS:
            problems.append(
                Problem(
                    "file", f"has more than {MAX_ROWS:,} rows; split it", file="upload", row=line
                )
            )
            break
        if len(cells) != len(header):
            row = PreviewRow(line, "error", {})
            row.problems.append(
                Problem(
                    "row",
                    f"has {len(cells)} values, the header has {len(header)}",
                    file="upload",
                    row=line,
                )
            )
            rows.append(row)
            continue
        raw = {h: restore_text(c) for h, c in zip(header, cells, strict=True)}
        values = {k: raw.get(k, "") for k in PLEDGE_FIELD_NAMES if k in raw}
        row = PreviewRow(line, "new", values)
        pledge_text = (raw.get("pledge_id") or "").strip()
        if pledge_text:
            try:
                row.pledge_id = int(pledge_text)
            except ValueError:
                row.problems.append(
                    Problem(
                        "pledge_id",
                        f"'{pledge_text}' is not a pledge number",
                        file="upload",
                        row=line,
                    )
                )
        try:
            typed = validate_pledge(values, participant_codes=codes, currencies=currencies)
        except ValidationFailed as failure:
            typed = None
            row.problems += [
                Problem(p.field, p.message, file="upload", row=line) for p in failure.problems
            ]
        if row.pledge_id is not None:
            if row.pledge_id in seen_ids:
                row.problems.append(
                    Problem(
                        "pledge_id",
                        f"duplicates row {seen_ids[row.pledge_id]}",
                        file="upload",
                        row=line,
                    )
                )
            seen_ids.setdefault(row.pledge_id, line)
            existing = current.get(row.pledge_id)
            if existing is None:
                row.problems.append(
                    Problem(
                        "pledge_id",
                        f"pledge {row.pledge_id} does not exist (leave it blank for a new pledge)",
                        file="upload",
                        row=line,
                    )
                )
            elif typed is not None:
                row.version = existing.version
                row.changes = {
                    k: getattr(typed, k)
                    for k in values
                    if getattr(typed, k) != getattr(existing, k)
                }
                row.status = "changed" if row.changes else "unchanged"
        elif typed is not None:
            identity = _identity(typed.model_dump())
            if identity in seen_new:
                row.problems.append(
                    Problem("row", f"duplicates row {seen_new[identity]}", file="upload", row=line)
                )
            seen_new.setdefault(identity, line)
            if identity in recorded:
                row.status, row.note = (
                    "unchanged",
                    f"already recorded as pledge {recorded[identity]}",
                )
        if row.problems:
            row.status = "error"
        rows.append(row)
    if not rows and not problems:
        problems.append(Problem("file", "has no rows below its header", file="upload", row=2))
    return Preview(rows, problems, digest)


def commit_import(
    session: Session,
    *,
    actor: Actor,
    data: bytes,
    reason: str,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Check the file again and write all of it in the caller's transaction, or nothing:
    any problem (or a pledge changed by someone since) raises before the commit."""
    require_role(session, actor, "editor", action="import.commit")
    preview = preview_import(session, data)
    if preview.problems:
        raise ValidationFailed(preview.problems)
    if not (reason or "").strip():
        raise ValidationFailed([Problem("reason", "is required: say where this file comes from")])
    batch_id = str(uuid.uuid4())
    new = [row for row in preview.rows if row.status == "new"]
    changed = [row for row in preview.rows if row.status == "changed"]
    total, done = len(new) + len(changed), 0
    for start in range(0, len(new), CREATE_CHUNK):
        chunk = new[start : start + CREATE_CHUNK]
        try:
            create_pledges(
                session,
                actor=actor,
                entries=[row.values for row in chunk],
                reason=reason,
                batch_id=batch_id,
            )
        except ValidationFailed as failure:
            raise ValidationFailed(
                [
                    replace(p, file="upload", row=chunk[p.row - 1].line) if p.row else p
                    for p in failure.problems
                ]
            ) from failure
        done += len(chunk)
        if progress:
            progress(done, total)
    for row in changed:
        try:
            update_pledge(
                session,
                actor=actor,
                pledge_id=row.pledge_id,
                expected_version=row.version,
                changes=row.changes,
                reason=reason,
                batch_id=batch_id,
            )
        except ValidationFailed as failure:  # e.g. a reason too long: name the row
            raise ValidationFailed(
                [Problem(p.field, p.message, file="upload", row=row.line) for p in failure.problems]
            ) from failure
        done += 1
        if progress:
            progress(done, total)
    summary = {
        "batch_id": batch_id,
        "new": preview.count("new"),
        "changed": preview.count("changed"),
        "unchanged": preview.count("unchanged"),
        "sha256": preview.sha256,
    }
    audit.record(
        session,
        actor=actor.email,
        action="import.commit",
        entity="batch",
        entity_id=batch_id,
        details=summary | {"reason": reason.strip()},
    )
    return summary
