"""First start and every start: bring the schema to head, seed an empty database, and make
sure someone can sign in.

Idempotent, and safe when several processes start together: the whole step runs under a
cross-process lock (db.migrate.startup_lock), and seeding happens only while no participant
exists.
"""

from __future__ import annotations

import sys
import threading
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TextIO

from sqlalchemy import Engine, event, inspect, text

from coalition.access.auth import ensure_first_admin
from coalition.access.privacy import ensure_keys
from coalition.read.revisions import HISTORIES
from coalition.seed.files import seed_digest
from coalition.seed.load import apply_seed, load_seed
from coalition.seed.sync import SyncReport, seed_is_current, sync_seed
from core.settings import Settings, get_settings
from db.engine import (
    FILE_GONE,
    DatabaseFault,
    create_db_engine,
    database_fault,
    file_replaced,
    read_session,
    sqlite_path,
    write_session,
)
from db.migrate import startup_lock, upgrade_to_head


class InitOutcome(StrEnum):
    SEEDED = "seeded"
    ALREADY_SEEDED = "already seeded"
    SYNCED = "brought in line with corrected seed files"


@dataclass(frozen=True)
class InitResult:
    outcome: InitOutcome
    # Set when corrected seed files were applied to an existing database.
    sync: SyncReport | None = None
    # Set only on the start that created the first admin account: shown once, stored nowhere.
    admin_email: str | None = None
    admin_password: str | None = None


def _has_participants(engine: Engine) -> bool:
    path = sqlite_path(engine.url.render_as_string(hide_password=False))
    if path is not None and not path.exists():
        return False  # not even connecting: that would create the file
    with engine.connect() as connection:
        if not inspect(connection).has_table("participant"):
            return False
        return connection.execute(text("SELECT 1 FROM participant LIMIT 1")).first() is not None


def initialise_database(
    engine: Engine, data_dir: Path, admin_email: str = "admin@localhost"
) -> InitResult:
    """Migrate to head, seed if empty, create the first admin if there is no account. Broken
    seed files raise SeedError before the database is touched at all, so a failed first start
    leaves it exactly as it was. A database seeded from older seed files takes the corrections
    (coalition.seed.sync.sync_seed), once: the files' digest is recorded."""
    sync = None
    with startup_lock(engine):
        if _has_participants(engine):
            upgrade_to_head(engine)
            outcome = InitOutcome.ALREADY_SEEDED
            with read_session(engine) as session:
                current = seed_is_current(session, seed_digest(data_dir))
            if not current:
                bundle = load_seed(data_dir)
                with write_session(engine) as session:
                    sync = sync_seed(session, bundle)
                outcome = InitOutcome.SYNCED
        else:
            bundle = load_seed(data_dir)
            upgrade_to_head(engine)
            with write_session(engine) as session:
                apply_seed(session, bundle)
            outcome = InitOutcome.SEEDED
        with write_session(engine) as session:
            ensure_keys(session)
            password = ensure_first_admin(session, admin_email)
        if password is None:
            return InitResult(outcome, sync)
        return InitResult(outcome, sync, admin_email=admin_email, admin_password=password)


def announce_first_admin(result: InitResult, stream: TextIO | None = None) -> None:
    """The one time the first admin's password is ever shown (on standard error as it is
    when called, by default)."""
    stream = stream or sys.stderr
    if result.admin_password is None:
        return
    print(
        f"Created the first admin account {result.admin_email} with the password:\n"
        f"    {result.admin_password}\n"
        "It is shown only this once. Sign in and keep it safe, or set another with:\n"
        f"    python -m coalition users set-password {result.admin_email}",
        file=stream,
    )


def announce_sync(result: InitResult, stream: TextIO | None = None) -> None:
    """What corrected seed files changed in an existing database, and what they left for a
    person to review."""
    stream = stream or sys.stderr
    report = result.sync
    if report is None:
        return
    lines = ["Applied the corrected seed files (see data/CHANGELOG.md):"]
    lines.append(
        f"  pledges: {len(report.pledges_corrected)} corrected, {len(report.pledges_created)} added"
    )
    for table, counts in report.reference.items():
        if any(counts.values()):
            lines.append(
                f"  {table}: {counts['added']} added, {counts['updated']} updated, "
                f"{counts['removed']} removed"
            )
    for key in report.pledges_kept:
        lines.append(f"  kept staff's change, review against the seed: {key}")
    for item in report.reference_kept:
        lines.append(f"  kept an admin's change, review against the seed: {item}")
    for key in report.pledges_not_in_seed:
        lines.append(f"  no longer in the seed files, left as it is: {key}")
    print("\n".join(lines), file=stream)


def open_database(settings: Settings, data_dir: Path | None = None) -> tuple[Engine, InitResult]:
    """The one way a process starts on its database: an engine on it, migrated and seeded
    (seed files from ``data_dir``, or the settings'), the first admin's password and any seed
    corrections announced on the console. The caller owns the engine; the result says what
    the start did."""
    engine = create_db_engine(settings.database_url)
    HISTORIES.keep_on_disk(settings.cache_dir)
    try:
        result = initialise_database(engine, data_dir or settings.data_dir, settings.admin_email)
    except BaseException:
        engine.dispose()
        raise
    announce_first_admin(result)
    announce_sync(result)
    return engine, result


# One engine per database a process serves (tests point one process at many).
_app_engines: dict[tuple[str, str, str], Engine] = {}
_app_engines_lock = threading.RLock()
# Databases this process has served. A SQLite file that goes missing after is not created
# afresh (an empty file would hide the loss) until someone restores it or runs
# `coalition init`.
_served: set[tuple[str, str, str]] = set()


def _settings_key(settings: Settings) -> tuple[str, str, str]:
    return settings.database_url, str(settings.data_dir), settings.admin_email


def app_engine() -> Engine:
    """The server process's engine, shared by its pages and its HTTP routes: opened once
    (open_database) on first use, and again when the database was replaced under it (a SQLite
    file put in place of the old, a PostgreSQL database whose tables went missing), which is
    then migrated and seeded. While a SQLite file that was removed stays missing, every use
    is a DatabaseFault (FILE_GONE) and nothing is written anywhere."""
    settings = get_settings()
    key = _settings_key(settings)
    with _app_engines_lock:
        engine = _app_engines.get(key)
        if engine is not None and file_replaced(engine):
            del _app_engines[key]
            engine.dispose()
            engine = None
        if engine is None:
            path = sqlite_path(settings.database_url)
            if key in _served and path is not None and not path.exists():
                raise DatabaseFault(FILE_GONE)
            engine, _ = open_database(settings)
            _served.add(key)
            event.listen(engine, "handle_error", _forget_when_tables_missing(key, engine))
            _app_engines[key] = engine
        return engine


def _forget_when_tables_missing(key: tuple[str, str, str], engine: Engine):
    """A listener for the engine's errors: when its tables are missing (the database was
    dropped and created again, empty), the next app_engine() migrates and seeds it, whoever
    asks first (a sign-in, an anonymous page, the API), instead of waiting for a page."""

    def listener(context) -> None:
        fault = database_fault(context.sqlalchemy_exception)
        if fault is not None and fault.tables_missing:
            with _app_engines_lock:
                if _app_engines.get(key) is engine:
                    del _app_engines[key]
            engine.dispose()

    return listener


def forget_app_engine() -> None:
    """Drop the process's engine: the next use connects, migrates and seeds afresh (after the
    database was removed or replaced, it comes back by itself)."""
    with _app_engines_lock:
        engine = _app_engines.pop(_settings_key(get_settings()), None)
    if engine is not None:
        engine.dispose()


def close_app_engines() -> None:
    """Dispose of every engine the process opened (at shutdown; a test between databases)."""
    with _app_engines_lock:
        engines = list(_app_engines.values())
        _app_engines.clear()
        _served.clear()
    for engine in engines:
        engine.dispose()
