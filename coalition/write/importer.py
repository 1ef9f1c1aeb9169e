"""Bulk import of pledges from CSV: a preview that marks every row, then one all-or-nothing
transaction with one batch id.

The file format is the snapshot's (coalition.output.snapshots): our own export imports as it is.
A row with a pledge_id changes that pledge; a row without one is new, unless an identical
pledge is already recorded, so importing the same file twice changes nothing.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from sqlmodel import Session, col, select

from coalition.access import audit
from coalition.access.privacy import shown_names
from coalition.errors import Problem, ValidationFailed
from coalition.read import queries
from coalition.text.checks import check_text
from coalition.write.allowed_values import to_codes
from coalition.write.command import Command, runner
from coalition.write.import_file import (
    MAX_ROWS,
    example_column,
    number,
    read_file,
    restore_text,
)
from coalition.write.pledges import (
    PLEDGE_FIELD_NAMES,
    CheckedEntry,
    check_entries,
    create_pledges,
    update_pledge,
)
from db.models import Pledge, PledgeFields, PledgeRevision, pledge_change

# What to do with a conflicting row (see commit_import).
APPLY, DROP = "apply", "drop"
# New pledges are written this many at a time, so the progress bar moves on a large file.
CREATE_CHUNK = 1_000


@dataclass
class PreviewRow:
    line: int  # in the file, header = 1
    status: str  # new, changed, unchanged, conflict, error
    values: dict[str, Any]
    pledge_id: int | None = None
    version: int | None = None  # the version the row starts from, as the file says
    base_version: int | None = None  # the pledge's version now, which a write must find
    checked: CheckedEntry | None = None  # the row's fields, checked by the write path
    changes: dict[str, Any] = field(default_factory=dict)
    # For a conflict: what the changed fields hold now, and who changed the pledge since.
    current: dict[str, Any] = field(default_factory=dict)
    since: list[dict[str, Any]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    note: str = ""


@dataclass
class Preview:
    rows: list[PreviewRow]
    file_problems: list[Problem]
    sha256: str
    # The record the rows were compared with: a commit at the same data version takes the
    # preview as it is; after any other write it checks the file again.
    data_version: int = 0

    @property
    def problems(self) -> list[Problem]:
        return self.file_problems + [p for row in self.rows for p in row.problems]

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)

    @property
    def conflicts(self) -> list[PreviewRow]:
        return [row for row in self.rows if row.status == "conflict"]


def _identity(values: dict[str, Any]) -> tuple:
    return (
        values.get("participant_code"),
        values.get("category"),
        str(values.get("description") or "").strip(),
        str(values.get("announced_on")),
    )


def _pledges_by_id(session: Session, ids: list[int]) -> dict[int, Pledge]:
    """The current state of the pledges a file names, by id: only those, not the whole table."""
    ids = sorted(set(ids))
    current: dict[int, Pledge] = {}
    for start in range(0, len(ids), 1_000):
        chunk = ids[start : start + 1_000]
        for pledge in session.exec(select(Pledge).where(col(Pledge.id).in_(chunk))):
            assert pledge.id is not None  # a stored pledge
            current[pledge.id] = pledge
    return current


def _recorded_identities(session: Session) -> dict[tuple, int]:
    """Every recorded pledge's identity (see _identity), to recognise a row already recorded."""
    # sqlmodel types select() for four columns at most.
    statement = select(  # type: ignore[call-overload]
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
    unchanged, conflict or error, every problem with its row and column. Memory stays
    bounded: the file's size and row count are capped, and rows are read one at a time."""
    digest = hashlib.sha256(data).hexdigest()
    problems: list[Problem] = []
    found = read_file(data, problems)
    if found is None:
        return Preview([], problems, digest, queries.data_version(session))
    header, records = found
    rows: list[PreviewRow] = []
    for line, cells in records:
        if not any(c.strip() for c in cells):
            continue
        if len(rows) >= MAX_ROWS:
            problems.append(
                Problem(
                    "file", f"has more than {MAX_ROWS:,} rows; split it", file="upload", row=line
                )
            )
            break
        rows.append(_read_row(session, line, cells, header))
    _compare_with_the_record(session, rows)
    if not rows and not problems:
        problems.append(Problem("file", "has no rows below its header", file="upload", row=2))
    return Preview(rows, problems, digest, queries.data_version(session))


def _read_row(session: Session, line: int, cells: list[str], header: list[str]) -> PreviewRow:
    """One row checked on its own: its cells, its pledge and version numbers, its fields."""
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
        return row
    raw = {h: restore_text(c) for h, c in zip(header, cells, strict=True)}
    values = {k: raw[k] for k in PLEDGE_FIELD_NAMES if k in raw}
    if (marked := example_column(raw)) is not None:
        row = PreviewRow(line, "error", values)
        row.problems.append(
            Problem(
                marked,
                "is the template's example row: delete it and write your pledges on rows of "
                "their own",
                file="upload",
                row=line,
            )
        )
        return row
    row = PreviewRow(line, "new", values)
    unsafe = [p for h, c in raw.items() if h not in values and (p := check_text(h, c))]
    row.problems += [replace(p, file="upload", row=line) for p in unsafe]
    row.pledge_id = number(raw.get("pledge_id", ""), "pledge_id", line, row.problems)
    file_version = number(raw.get("version", ""), "version", line, row.problems)
    if row.pledge_id is not None:
        if file_version is None and not row.problems:
            row.problems.append(
                Problem(
                    "version",
                    "is required with a pledge_id: the version this change starts from",
                    file="upload",
                    row=line,
                )
            )
        row.version = file_version
    # Words mapped to codes first; a cell naming no value is named once, with its hint.
    refused = to_codes(session, values)
    checked, problems = check_entries(session, [values])
    row.checked = checked[0] if checked else None
    problems = refused + [p for p in problems if p.field not in {r.field for r in refused}]
    row.problems += [replace(p, file="upload", row=line) for p in problems]
    return row


def _compare_with_the_record(session: Session, rows: list[PreviewRow]) -> None:
    """Mark each row against what is recorded now: new, changed, unchanged, a conflict (the
    pledge changed since the version the row starts from), or an error."""
    named = [row.pledge_id for row in rows if row.pledge_id is not None]
    current = _pledges_by_id(session, named)
    recorded = _recorded_identities(session)
    seen_ids: dict[int, int] = {}
    seen_new: dict[tuple, int] = {}
    for row in rows:
        if row.pledge_id is not None:
            if row.pledge_id in seen_ids:
                row.problems.append(
                    Problem(
                        "pledge_id",
                        f"duplicates row {seen_ids[row.pledge_id]}",
                        file="upload",
                        row=row.line,
                    )
                )
            seen_ids.setdefault(row.pledge_id, row.line)
            existing = current.get(row.pledge_id)
            if existing is None:
                row.problems.append(
                    Problem(
                        "pledge_id",
                        f"pledge {row.pledge_id} does not exist (leave it blank for a new pledge)",
                        file="upload",
                        row=row.line,
                    )
                )
            elif row.checked is not None and row.version is not None:
                _compare_with_pledge(session, row, existing)
        elif row.checked is not None:
            identity = _identity(row.checked.fields.model_dump())
            if identity in seen_new:
                row.problems.append(
                    Problem(
                        "row", f"duplicates row {seen_new[identity]}", file="upload", row=row.line
                    )
                )
            seen_new.setdefault(identity, row.line)
            if identity in recorded:
                row.status, row.note = (
                    "unchanged",
                    f"already recorded as pledge {recorded[identity]}",
                )
        if row.problems:
            row.status = "error"


def _compare_with_pledge(session: Session, row: PreviewRow, existing: Pledge) -> None:
    # Only rows that parsed, with a version, are compared, and only with a stored pledge.
    assert row.checked is not None and row.version is not None and existing.id is not None
    typed, line = row.checked.fields, row.line
    if "participant_code" in row.values and typed.participant_code != existing.participant_code:
        row.problems.append(
            Problem(
                "participant_code",
                f"pledge {existing.id} is {existing.participant_code}'s: a row may not move it to "
                f"{typed.participant_code} (record a new pledge instead)",
                file="upload",
                row=line,
            )
        )
        return
    if row.version > existing.version:
        row.problems.append(
            Problem(
                "version",
                f"pledge {existing.id} is at version {existing.version}; there is no version "
                f"{row.version} yet",
                file="upload",
                row=line,
            )
        )
        return
    if row.version == existing.version:
        row.changes = changed_values(typed, existing, row.values)
        row.status = "changed" if row.changes else "unchanged"
        row.base_version = existing.version
        return
    # Someone saved this pledge after the version the file starts from: only what the file
    # itself changed travels, and only if the person importing says so.
    started_from = session.exec(
        select(PledgeRevision).where(
            PledgeRevision.pledge_id == existing.id, PledgeRevision.version == row.version
        )
    ).one()
    row.changes = changed_values(typed, started_from, row.values)
    row.base_version = existing.version
    if not row.changes:
        row.status, row.note = (
            "unchanged",
            (f"changed by others since version {row.version}; this row changes nothing"),
        )
        return
    row.status = "conflict"
    row.current = {name: getattr(existing, name) for name in row.changes}
    row.since = revisions_since(session, existing.id, row.version)


def changed_values(typed: PledgeFields, before: Any, given: Mapping[str, Any]) -> dict[str, Any]:
    """The fields a row sets to something other than ``before`` (a pledge or a revision),
    among the columns the file has: the form and the importer decide "changed" alike, with
    db.models.pledge_change."""
    change = pledge_change(
        {name: getattr(before, name) for name in given},
        {name: getattr(typed, name) for name in given},
    )
    return change.as_dict()


def revisions_since(session: Session, pledge_id: int, version: int) -> list[dict[str, Any]]:
    """Who changed a pledge after ``version`` (as histories name people, never by email),
    when, why."""
    statement = (
        select(PledgeRevision)
        .where(PledgeRevision.pledge_id == pledge_id, PledgeRevision.version > version)
        .order_by(col(PledgeRevision.version))
    )
    revisions = session.exec(statement).all()
    names = shown_names(session, (r.actor for r in revisions))
    return [
        {
            "version": r.version,
            "by": names[r.actor],
            "recorded_at": r.recorded_at,
            "reason": r.reason,
        }
        for r in revisions
    ]


def _still_current(session: Session, preview: Preview | None, data: bytes) -> bool:
    """Whether ``preview`` is of this file and the record has not changed since."""
    return (
        preview is not None
        and preview.sha256 == hashlib.sha256(data).hexdigest()
        and preview.data_version == queries.data_version(session)
    )


@dataclass(kw_only=True)
class CommitImport(Command[dict[str, Any]]):
    """Write all of a file in the caller's transaction, or nothing: any problem raises
    before the commit. ``preview``, of this file, is taken as it is while the record has not
    changed since it was made; otherwise (or without one) the file is checked again.

    A conflict (a row starting from a version someone has changed since) is written only as
    its row's entry in ``resolutions`` says, by line: APPLY the file's own changes on top of
    the current version, or DROP the row. A conflict with no choice stops the import."""

    event = audit.ImportCommitted
    data: bytes
    reason: str
    resolutions: Mapping[int, str] = field(default_factory=dict)
    progress: Callable[[int, int], None] | None = None
    preview: Preview | None = None

    def validate(self, session: Session) -> list[Problem]:
        if not _still_current(session, self.preview, self.data):
            self.preview = preview_import(session, self.data)
        assert self.preview is not None  # made just above when not given
        if self.preview.problems:
            return self.preview.problems
        problems = []
        if not (self.reason or "").strip():
            problems.append(Problem("reason", "is required: say where this file comes from"))
        for row in self.preview.conflicts:
            if self.resolutions.get(row.line) not in (APPLY, DROP):
                problems.append(
                    Problem(
                        "version",
                        f"pledge {row.pledge_id} changed since version {row.version}: choose "
                        "to apply this row's changes on top of the current version, or drop "
                        "the row",
                        file="upload",
                        row=row.line,
                    )
                )
        return problems

    def write(self, session: Session) -> dict[str, Any]:
        assert self.preview is not None  # validated
        batch_id = str(uuid.uuid4())
        new = [row for row in self.preview.rows if row.status == "new"]
        changed = [
            row
            for row in self.preview.rows
            if row.status == "changed"
            or (row.status == "conflict" and self.resolutions.get(row.line) == APPLY)
        ]
        total = len(new) + len(changed)
        for start in range(0, len(new), CREATE_CHUNK):
            self._create(session, new[start : start + CREATE_CHUNK], batch_id)
            self._progress(min(start + CREATE_CHUNK, len(new)), total)
        for done, row in enumerate(changed, start=len(new) + 1):
            self._change(session, row, batch_id)
            self._progress(done, total)
        summary = self._summary(batch_id)
        audit.record(
            session,
            actor=self.actor.email,
            event=audit.ImportCommitted(
                batch_id=batch_id, summary=summary | {"reason": self.reason.strip()}
            ),
        )
        return summary

    def _progress(self, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(done, total)

    def _create(self, session: Session, rows: list[PreviewRow], batch_id: str) -> None:
        try:
            create_pledges(
                session,
                actor=self.actor,
                entries=[row.checked or row.values for row in rows],
                reason=self.reason,
                batch_id=batch_id,
            )
        except ValidationFailed as failure:
            raise ValidationFailed(
                [
                    replace(p, file="upload", row=rows[p.row - 1].line) if p.row else p
                    for p in failure.problems
                ]
            ) from failure

    def _change(self, session: Session, row: PreviewRow, batch_id: str) -> None:
        # A changed row names its pledge, at the version found when it was previewed.
        assert row.pledge_id is not None and row.base_version is not None
        # A row in conflict applies its changes on top of a state it was not checked with:
        # that mix is checked by the write path; any other row is its whole, checked state.
        changes = row.changes if row.status == "conflict" or row.checked is None else row.checked
        try:
            update_pledge(
                session,
                actor=self.actor,
                pledge_id=row.pledge_id,
                expected_version=row.base_version,
                changes=changes,
                reason=self.reason,
                batch_id=batch_id,
            )
        except ValidationFailed as failure:  # e.g. a reason too long: name the row
            raise ValidationFailed(
                [Problem(p.field, p.message, file="upload", row=row.line) for p in failure.problems]
            ) from failure

    def _summary(self, batch_id: str) -> dict[str, Any]:
        assert self.preview is not None
        conflicts = self.preview.conflicts
        return {
            "batch_id": batch_id,
            "new": self.preview.count("new"),
            "changed": self.preview.count("changed"),
            "unchanged": self.preview.count("unchanged"),
            "conflicts_applied": sum(self.resolutions.get(r.line) == APPLY for r in conflicts),
            "conflicts_dropped": sum(self.resolutions.get(r.line) == DROP for r in conflicts),
            "sha256": self.preview.sha256,
        }


commit_import = runner(CommitImport)
