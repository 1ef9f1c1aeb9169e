"""The one engine factory. Caching the engine is the caller's business (Streamlit caches it in
ui/, tests build their own), so this module holds no globals."""

from __future__ import annotations

import errno
import random
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import ClassVar
from urllib.parse import unquote, urlsplit

from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import InterfaceError, OperationalError, ProgrammingError
from sqlmodel import Session, create_engine

# How long one attempt waits for SQLite's write lock, and how long a writer queues in all
# (attempt after attempt) before giving up: concurrent imports and saves wait their turn.
SQLITE_BUSY_TIMEOUT_MS = 30_000
WRITE_QUEUE_SECONDS = 600
# Session option asking for a write transaction: on SQLite, BEGIN IMMEDIATE takes the write lock
# up front, so two writers queue on the busy timeout instead of failing mid-transaction.
WRITE_OPTION = "coalition_write"


def sqlite_path(url: str) -> Path | None:
    """The database file of a SQLite URL (a plain path, or a ``file:`` URI with ``uri=true``),
    or None for in-memory databases and other backends."""
    parsed = make_url(url)
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or database in (None, "", ":memory:"):
        return None
    if database.startswith("file:"):
        database = unquote(urlsplit(database).path)
        if not database or database == ":memory:":
            return None
    return Path(database)


def create_db_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = sqlite_path(url)
        if path is not None and not path.parent.exists():
            # The database holds password hashes: a folder of its own, private to its owner.
            try:
                path.parent.mkdir(parents=True, mode=0o700)
            except OSError as error:
                raise file_fault(error) from error
        engine = create_engine(url, connect_args={"check_same_thread": False})
        _configure_sqlite(engine, path)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


def private(path: Path) -> None:
    """Readable and writable by its owner only (the file holds password hashes)."""
    if path.exists() and path.stat().st_mode & 0o077:
        path.chmod(0o600)


# Each SQLite engine's file, as (device, inode) when it first connected.
_opened_files: weakref.WeakKeyDictionary[Engine, list[tuple[int, int] | None]] = (
    weakref.WeakKeyDictionary()
)


def _file_identity(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return stat.st_dev, stat.st_ino


def _configure_sqlite(engine: Engine, path: Path | None) -> None:
    # The file this engine opened first. A file removed under a running process keeps taking
    # writes through open connections, and all of them are lost at the next start; a file put
    # in its place is another database. Either way this engine stops (FILE_GONE) before any
    # transaction begins, and the process opens the file that is there (bootstrap.app_engine).
    opened: list[tuple[int, int] | None] = [None]
    _opened_files[engine] = opened

    def check_file() -> None:
        if path is not None and opened[0] is not None and _file_identity(path) != opened[0]:
            raise DatabaseFault(FILE_GONE)

    @event.listens_for(engine, "do_connect")
    def _before_connect(_dialect, _record, _args, _kwargs):
        check_file()  # connecting to a removed file would create an empty one

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        if path is not None:
            if opened[0] is None:
                opened[0] = _file_identity(path)
            for part in (
                path,
                path.with_name(path.name + "-wal"),
                path.with_name(path.name + "-shm"),
            ):
                private(part)
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        check_file()
        immediate = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def file_replaced(engine: Engine) -> bool:
    """True when the SQLite file the engine opened was removed, or another put in its place."""
    opened = _opened_files.get(engine)
    if opened is None or opened[0] is None:
        return False
    path = sqlite_path(engine.url.render_as_string(hide_password=False))
    return path is not None and _file_identity(path) != opened[0]


class DatabaseFault(Exception):
    """The database could not do what was asked for a reason outside the data: it is full,
    read-only, unreachable or gone. The message is plain and quotes no statement or value."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)

    @property
    def tables_missing(self) -> bool:
        return self.reason == TABLES_MISSING

    @property
    def file_gone(self) -> bool:
        return self.reason == FILE_GONE


TABLES_MISSING = "its tables are missing (the database was removed or replaced)"
READ_ONLY = "the database is read-only"
DISK_FULL = "the disk is full"
FILE_GONE = "its file was removed or replaced while the app was running"
_FAULTS = (
    (("disk is full", "no space left"), DISK_FULL),
    (("readonly database", "read-only file system", "read only"), READ_ONLY),
    (("no such table", "undefinedtable"), TABLES_MISSING),
    (("database is locked",), "it is busy with other writes for too long"),
    (
        (
            "unable to open database",
            "could not connect",
            "connection refused",
            "connection is closed",
            "server closed the connection",
            "terminating connection",
            "disk i/o error",
            "fatal:",
        ),
        "it cannot be reached",
    ),
)


def file_fault(error: OSError) -> DatabaseFault:
    """The plain reason a file beside the database (its folder, its lock) cannot be made."""
    if error.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return DatabaseFault(READ_ONLY)
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return DatabaseFault(DISK_FULL)
    return DatabaseFault(f"its folder cannot be used ({error.strerror or 'unknown error'})")


def database_fault(error: BaseException) -> DatabaseFault | None:
    """The plain reason behind a database error that is not about the data, or None."""
    if not isinstance(error, OperationalError | ProgrammingError | InterfaceError):
        return None
    orig = getattr(error, "orig", error)
    text = f"{type(orig).__name__} {orig}".lower()
    for markers, reason in _FAULTS:
        if any(marker in text for marker in markers):
            return DatabaseFault(reason)
    return None


def _queue_for_the_write_lock(session: Session) -> None:
    """Begin the write transaction now (BEGIN IMMEDIATE on SQLite), waiting in turn while
    other writers hold the lock, rather than failing the moment the busy timeout passes."""
    deadline = time.monotonic() + WRITE_QUEUE_SECONDS
    while True:
        try:
            session.connection()
            return
        except OperationalError as error:
            if "database is locked" not in str(error) or time.monotonic() > deadline:
                raise
            session.rollback()
            time.sleep(random.uniform(0.05, 0.5))


class Refusal(Exception):
    """A use case said no, and the refusal must leave a record however its transaction ends.

    ``write_session`` rolls the refused transaction back, so nothing the use case wrote is
    kept, then calls ``record`` in a fresh transaction of its own, commits that, and raises the
    refusal on. A refusal that ``keeps_transaction`` is the use case's own outcome (a failed
    sign-in's attempt and audit entry, recorded under the lock that counts attempts): its
    transaction is committed as it stands instead, then the refusal is raised."""

    keeps_transaction: ClassVar[bool] = False

    def record(self, session: Session) -> None:
        """Add the refusal's own record (an audit entry) to ``session``; nothing by default."""


def _settle(session: Session, refusal: Refusal) -> None:
    """Commit what a refusal leaves behind, in the one place that commits (write_session)."""
    if not refusal.keeps_transaction:
        session.rollback()
        if session.get_bind().dialect.name == "sqlite":
            _queue_for_the_write_lock(session)
        refusal.record(session)
    session.commit()


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """A session for one write use case: commits once at the end, rolls back on any error.
    A Refusal's record is committed on its own after the rollback (see Refusal). A database
    fault (full, read-only, unreachable, gone) comes out as DatabaseFault."""
    with Session(engine.execution_options(**{WRITE_OPTION: True})) as session:
        try:
            if engine.dialect.name == "sqlite":
                _queue_for_the_write_lock(session)
            try:
                yield session
            except Refusal as refusal:
                _settle(session, refusal)
                raise
            session.commit()
        except BaseException as error:
            session.rollback()
            fault = database_fault(error)
            if fault is not None:
                raise fault from error
            raise


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    with Session(engine) as session:
        try:
            yield session
        except BaseException as error:
            fault = database_fault(error)
            if fault is not None:
                raise fault from error
            raise
