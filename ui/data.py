"""What pages use of the database layer, in one place: sessions on the app's engine
(``reading()``, ``writing()``), the fault a write can meet, the pledge table and backups.
Pages import these from here, never from db/ (pages -> ui -> coalition -> db); the
vocabularies they import from core.vocabulary."""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlmodel import Session

from db.backup import PG_DUMP_HINT, backup_bytes
from db.engine import DatabaseFault, read_session, write_session
from ui.resources import get_engine


@contextmanager
def reading() -> Iterator[Session]:
    """A session for reads on the app's engine; it writes nothing."""
    with read_session(get_engine()) as session:
        yield session


@contextmanager
def writing() -> Iterator[Session]:
    """One transaction on the app's engine: committed once when the block ends, rolled back
    if it raises (the domain functions called inside never commit)."""
    with write_session(get_engine()) as session:
        yield session


__all__ = [
    "PG_DUMP_HINT",
    "DatabaseFault",
    "backup_bytes",
    "reading",
    "writing",
]
