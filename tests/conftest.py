"""Shared fixtures: real databases only. Every test gets its own SQLite file or its own
PostgreSQL schema or database, created and dropped around it.

A test that asks for ``engine`` gets a copy of a database migrated, seeded and given the test
accounts once per test session (a file copy on SQLite, CREATE DATABASE ... TEMPLATE on
PostgreSQL): the same state as running initialise_database and add_accounts itself, a tenth
of the time."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine, create_engine, make_url, text

from coalition.access import passwords
from coalition.bootstrap import initialise_database
from core import clock
from db.engine import create_db_engine
from tests.support.accounts import add_accounts
from tests.support.data import FIXTURE_DATA, IN_CI, POSTGRES_ADMIN_URL

# The app reads its seed folder (and the data change log beside it) from the settings: in tests
# it is the made-up fixture, never data/, unless a test names another folder itself.
os.environ["COALITION_DATA_DIR"] = str(FIXTURE_DATA)
# Copies of revision histories (coalition.read.revisions.DiskCopies) go to a folder of this
# run, never the checkout's instance/ (servers the tests start inherit it).
os.environ["COALITION_CACHE_DIR"] = tempfile.mkdtemp(prefix="coalition-test-cache-")
atexit.register(shutil.rmtree, os.environ["COALITION_CACHE_DIR"], ignore_errors=True)

# Cheap Argon2 parameters for the passwords tests set. A hash carries its own parameters, so
# the app verifies these as it would any other; the app itself keeps the library's defaults.
passwords.password_hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def _postgres_reachable() -> str | None:
    try:
        engine = create_engine(POSTGRES_ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as error:  # any failure to connect means "not available"
        return str(error).splitlines()[0]


@pytest.fixture(scope="session")
def postgres_available() -> None:
    problem = _postgres_reachable()
    if problem is None:
        return
    message = f"PostgreSQL at {POSTGRES_ADMIN_URL} is unreachable: {problem}"
    if IN_CI:
        pytest.fail(message + " (CI requires it)")
    pytest.skip(message)


def _seeded(url: str) -> None:
    engine = create_db_engine(url)
    initialise_database(engine, FIXTURE_DATA)
    add_accounts(engine)
    engine.dispose()


def _wants_seeded(request) -> bool:
    return "engine" in request.fixturenames


@pytest.fixture(scope="session")
def seeded_sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "seeded.db"
    _seeded(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def seeded_postgres_template(postgres_available) -> Iterator[str]:
    """The name of a PostgreSQL database to copy for each test that asks for ``engine``."""
    name = f"template_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        _seeded(_database_url(name))
        yield name
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _database_url(name: str) -> str:
    return make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


@pytest.fixture
def sqlite_url(request, tmp_path: Path) -> str:
    path = tmp_path / "coalition.db"
    if _wants_seeded(request):
        shutil.copyfile(request.getfixturevalue("seeded_sqlite_template"), path)
    return f"sqlite:///{path}"


@pytest.fixture
def postgres_url(request, postgres_available) -> Iterator[str]:
    """A URL whose connections see only a fresh schema of their own, or, for a test that asks
    for ``engine``, a fresh copy of the seeded template database."""
    if _wants_seeded(request):
        yield from _seeded_postgres_copy(request.getfixturevalue("seeded_postgres_template"))
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_ADMIN_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{POSTGRES_ADMIN_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _seeded_postgres_copy(template: str) -> Iterator[str]:
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(
            text(f'CREATE DATABASE "{name}" TEMPLATE "{template}" STRATEGY FILE_COPY')
        )
    try:
        yield _database_url(name)
    finally:
        # FORCE: an app under test may still hold connections in its cached engine.
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request) -> str:
    """Runs the test once on SQLite and once on PostgreSQL."""
    fixture = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return request.getfixturevalue(fixture)


@pytest.fixture
def empty_engine(database_url: str) -> Iterator[Engine]:
    engine = create_db_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def engine(empty_engine: Engine) -> Engine:
    """A migrated database holding the fixture seed data and the test accounts (database_url
    and its fixtures copy it from the session's template when a test asks for this)."""
    return empty_engine


@pytest.fixture
def seed_copy(tmp_path: Path) -> Path:
    """A private copy of the fixture seed data that a test may corrupt."""
    target = tmp_path / "seed"
    shutil.copytree(FIXTURE_DATA, target)
    return target


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Expose each phase's report on the test item, so fixtures can keep a screenshot of a
    failed browser test."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


# The moment a test with ``fixed_clock`` runs at: every "now" and "today" of the app (and of
# the test, through FIXED_NOW) is this, however long the run takes and whenever it starts.
FIXED_NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def fixed_clock() -> Iterator[datetime]:
    with clock.fixed_at(FIXED_NOW) as moment:
        yield moment


def pytest_collection_modifyitems(items) -> None:
    """Every test under tests/e2e drives a real browser: marked ``e2e``, so the domain and
    AppTest tests run alone with ``-m "not e2e"``."""
    for item in items:
        if "e2e" in item.path.relative_to(Path(__file__).parent).parts:
            item.add_marker(pytest.mark.e2e)
