"""Schema upgrades on start, safe when several processes start at once."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

from db.engine import file_fault, sqlite_path

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# Any fixed 64-bit number works; it only has to be the same in every replica.
POSTGRES_ADVISORY_LOCK_KEY = 7_405_213_981


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


@contextmanager
def startup_lock(engine: Engine) -> Iterator[None]:
    """Serialise migrate-and-seed across processes: a file lock beside a SQLite database, a
    session advisory lock on PostgreSQL. In-memory SQLite is private to one process."""
    url = engine.url.render_as_string(hide_password=False)
    if engine.dialect.name == "sqlite":
        path = sqlite_path(url)
        if path is None:
            yield
            return
        lock_path = path.with_name(path.name + ".lock")
        try:
            descriptor = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as error:  # a read-only or full file system: said plainly
            raise file_fault(error) from error
        with open(descriptor, "a+") as lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock_file, fcntl.LOCK_UN)
        return
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.execute(
                text("SELECT pg_advisory_lock(:key)"), {"key": POSTGRES_ADVISORY_LOCK_KEY}
            )
            connection.commit()
            try:
                yield
            finally:
                connection.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": POSTGRES_ADVISORY_LOCK_KEY}
                )
                connection.commit()
        return
    yield


def upgrade_to_head(engine: Engine) -> None:
    """Bring the schema to the newest migration; a no-op when it is there already."""
    migrate_to(engine, "head")


def migrate_to(engine: Engine, revision: str, *, downgrade: bool = False) -> None:
    """Upgrade (or downgrade) the schema to ``revision``, in one transaction.

    On SQLite a migration that changes a table rebuilds it (batch mode), which SQLite refuses
    for a table others reference while foreign keys are enforced. They are switched off for the
    migration (the pragma only works outside a transaction) and every reference is checked
    before it commits."""
    config = alembic_config()
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        raw = connection.connection.driver_connection if sqlite else None
        if raw is not None:
            raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                config.attributes["connection"] = connection
                (command.downgrade if downgrade else command.upgrade)(config, revision)
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"the upgrade would break references: {broken[:5]}")
        finally:
            if raw is not None:
                raw.execute("PRAGMA foreign_keys=ON")
