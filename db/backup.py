"""Consistent backups. SQLite: the online backup API, never a file copy (a copy taken during a
write, or without the WAL file, can be corrupt). PostgreSQL: pg_dump, outside the app."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import Engine

from db.engine import private, sqlite_path

PG_DUMP_HINT = (
    "This database is PostgreSQL: back it up with pg_dump, e.g. "
    'pg_dump --format=custom --file=coalition.dump "$DATABASE_URL" '
    "(use the URL without '+psycopg')."
)


def backup_sqlite(engine: Engine, out: Path) -> Path:
    path = sqlite_path(engine.url.render_as_string(hide_password=False))
    if engine.dialect.name != "sqlite":
        raise NotImplementedError(PG_DUMP_HINT)
    if path is None:
        raise NotImplementedError("An in-memory database cannot be backed up.")
    out.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    # Created private before anything is written to it: a backup holds password hashes.
    out.touch(mode=0o600, exist_ok=True)
    private(out)
    source = sqlite3.connect(path)
    target = sqlite3.connect(out)
    try:
        with target:
            source.backup(target)
    finally:
        target.close()
        source.close()
    return out


def backup_bytes(engine: Engine, scratch: Path) -> bytes:
    """The backup as bytes, for a download: written to ``scratch`` first, then read."""
    return backup_sqlite(engine, scratch).read_bytes()
