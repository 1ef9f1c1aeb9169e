"""What pages use of the database layer, in one place: its sessions (opened on the engine from
ui.resources), the fault a write can meet, the vocabularies and backups. Pages import these
from here, never from db/ (pages -> ui -> coalition -> db)."""

from db.backup import PG_DUMP_HINT, backup_bytes
from db.engine import DatabaseFault, read_session, write_session
from db.models import (
    CATEGORIES,
    CONFIDENCES,
    DATE_PRECISIONS,
    EARLIEST_DATE,
    INSTRUMENTS,
    LATEST_DATE,
    QUANTITY_QUALIFIERS,
    SCOPES,
    STATUSES,
    Pledge,
)

__all__ = [
    "CATEGORIES",
    "CONFIDENCES",
    "DATE_PRECISIONS",
    "EARLIEST_DATE",
    "INSTRUMENTS",
    "LATEST_DATE",
    "PG_DUMP_HINT",
    "QUANTITY_QUALIFIERS",
    "SCOPES",
    "STATUSES",
    "DatabaseFault",
    "Pledge",
    "backup_bytes",
    "read_session",
    "write_session",
]
