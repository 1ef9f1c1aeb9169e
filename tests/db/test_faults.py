"""When the database cannot do its part, and what staff would otherwise leak: a plain message
(never a traceback or a secret), nothing written, and the app recovering by itself; emails
only in the admin's audit log; private files."""

from __future__ import annotations

import hashlib
import shutil
import stat
import subprocess
import sys
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlmodel import select

from coalition.access.auth import Actor, PermissionDenied, sign_in
from coalition.access.privacy import keyed_digest, staff_id
from coalition.bootstrap import app_engine, close_app_engines, initialise_database
from coalition.output.snapshots import build_snapshot
from coalition.read.filters import PledgeFilter
from coalition.write.pledges import create_pledge, update_pledge
from core.settings import PROJECT_ROOT
from core.vocabulary import SCOPES
from db.backup import backup_sqlite
from db.engine import FILE_GONE, DatabaseFault, create_db_engine, read_session, write_session
from db.models import AuditEvent, Pledge
from tests.factories import pledge
from tests.support.accounts import ADMIN, add_accounts
from tests.support.app import start_app
from tests.support.data import FIXTURE_DATA, POSTGRES_ADMIN_URL, cli_env

EDITOR = Actor("a@example.org")
NEW_PLEDGE = pledge(
    description="Engineer company",
    quantity="150",
    announced_on="2025-09-04",
    source_title="Ministry statement",
)


def record(engine) -> None:
    with write_session(engine) as session:
        create_pledge(session, actor=EDITOR, values=NEW_PLEDGE, reason="Announced today")


def pledges(engine) -> int:
    with read_session(engine) as session:
        return len(session.exec(select(Pledge.id)).all())


def test_a_read_only_database_gives_a_plain_message_and_writes_nothing(sqlite_url):
    engine = create_db_engine(sqlite_url)
    initialise_database(engine, FIXTURE_DATA)
    add_accounts(engine)
    path = engine.url.database
    before = pledges(engine)
    read_only = create_db_engine(f"sqlite:///file:{path}?mode=ro&uri=true")
    with pytest.raises(DatabaseFault) as caught:
        record(read_only)
    assert str(caught.value) == "the database is read-only"
    assert pledges(engine) == before
    read_only.dispose()
    engine.dispose()


def remove(path: Path) -> None:
    for part in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        part.unlink(missing_ok=True)


def test_a_removed_or_replaced_sqlite_file_takes_no_writes(sqlite_url, tmp_path):
    """Connections opened before a file was removed kept writing into it, and everything
    written was gone at the next start."""
    engine = create_db_engine(sqlite_url)
    initialise_database(engine, FIXTURE_DATA)
    add_accounts(engine)
    path = Path(engine.url.database)
    record(engine)
    saved = backup_sqlite(engine, tmp_path / "backup.db")
    remove(path)
    with pytest.raises(DatabaseFault) as caught:
        record(engine)
    assert caught.value.file_gone and str(caught.value) == FILE_GONE
    assert not path.exists()  # not even an empty file made in its place
    # The backup put back: another file than the one this engine opened, so still refused.
    shutil.copyfile(saved, path)
    with pytest.raises(DatabaseFault):
        record(engine)
    engine.dispose()


def test_the_app_stops_while_its_file_is_missing_and_takes_the_one_put_back(
    monkeypatch, sqlite_url, tmp_path
):
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    try:
        engine = app_engine()
        add_accounts(engine)
        record(engine)
        path = Path(engine.url.database)
        saved = backup_sqlite(engine, tmp_path / "backup.db")
        remove(path)
        for _ in range(2):  # every use, until the file is back
            with pytest.raises(DatabaseFault) as caught:
                app_engine()
            assert caught.value.file_gone
        assert not path.exists()
        shutil.copyfile(saved, path)
        restored = app_engine()
        assert restored is not engine
        before = pledges(restored)
        record(restored)
        assert pledges(restored) == before + 1
    finally:
        close_app_engines()


def test_a_full_disk_gives_a_plain_message_and_writes_nothing(sqlite_url):
    engine = create_db_engine(sqlite_url)
    initialise_database(engine, FIXTURE_DATA)
    add_accounts(engine)
    before = pledges(engine)
    with pytest.raises(DatabaseFault) as caught, write_session(engine) as session:
        pages = session.connection().exec_driver_sql("PRAGMA page_count").scalar()
        session.connection().exec_driver_sql(f"PRAGMA max_page_count = {pages}")
        for n in range(500):  # more than the file may now hold
            create_pledge(
                session,
                actor=EDITOR,
                values=NEW_PLEDGE | {"description": f"Company {n} " + "x" * 400},
                reason="Filling the disk",
            )
    assert str(caught.value) == "the disk is full"
    engine.dispose()
    assert pledges(create_db_engine(sqlite_url)) == before


@pytest.mark.postgres
def test_a_dropped_database_is_named_and_the_app_comes_back_by_itself(monkeypatch, postgres_url):
    at = start_app(monkeypatch, postgres_url, email=ADMIN).run()
    at.switch_page("../pages/overview.py").run()
    schema = postgres_url.rsplit("%3D", 1)[1]
    admin = create_engine(POSTGRES_ADMIN_URL)
    with admin.begin() as connection:  # dropped and re-created, empty
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    at.run()
    banners = [e.value for e in at.error] + [w.value for w in at.warning]
    assert any("tables are missing" in b for b in banners), banners
    assert not at.exception
    # The next click finds the engine forgotten: migrated and seeded again, it serves pages.
    at.run()
    assert not at.exception
    at.run()
    assert not at.exception and not at.error
    # A fresh database, migrated and seeded, with no accounts yet: its sign-in page.
    assert at.title[0].value == "Sign in to the Coalition Tracker"
    admin.dispose()


def test_a_write_fault_on_a_page_is_one_banner_and_the_form_keeps_its_values(
    monkeypatch, sqlite_url
):
    at = start_app(monkeypatch, sqlite_url, email="editor@example.org").run()
    at.switch_page("../pages/edit_pledges.py").run()
    engine = create_db_engine(sqlite_url)
    with engine.begin() as connection:  # the table the save needs is gone
        connection.execute(text("DROP TABLE pledge_revision"))
    for widget in at.text_input:
        name = (widget.key or "").split(":")[0]
        values = {
            "edit_field_description": "Engineer company",
            "edit_field_source": "Ministry statement",
            "edit_field_reason": "Announced today",
            "edit_field_announced": "2025-09-04",
        }
        if name in values:
            widget.input(values[name])
    next(w for w in at.number_input if (w.key or "").startswith("edit_field_quantity")).set_value(
        150
    )
    next(w for w in at.selectbox if (w.key or "").startswith("edit_field_participant")).set_value(
        "FRA"
    )
    at.button[0].click().run()
    assert not at.exception
    (banner,) = at.error
    assert banner.value.startswith(
        "The database cannot be written: its tables are missing (the database was removed or "
        "replaced); your change was not saved."
    )
    engine.dispose()


@pytest.mark.postgres
def test_four_admins_adding_one_email_at_once_get_a_message_not_a_hash(postgres_url):
    engine = create_db_engine(postgres_url)
    initialise_database(engine, FIXTURE_DATA)
    engine.dispose()

    def add() -> subprocess.CompletedProcess:
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "coalition",
                "users",
                "add",
                "same@example.org",
                "--role",
                "viewer",
            ],
            input="a long enough password\n",
            capture_output=True,
            text=True,
            cwd=PROJECT_ROOT,
            env=cli_env(postgres_url),
            timeout=120,
        )

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: add(), range(4)))
    assert sorted(r.returncode for r in results) == [0, 2, 2, 2]
    for result in results:
        assert "$argon2" not in result.stderr + result.stdout
        assert "Traceback" not in result.stderr
        if result.returncode == 2:
            assert "an account for same@example.org exists already" in result.stderr


def test_an_unreachable_database_is_one_line_on_the_command_line(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "coalition", "users", "list"],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        env=cli_env("postgresql+psycopg://nobody@127.0.0.1:9/nowhere?connect_timeout=2"),
        timeout=120,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "The database could not be used: it cannot be reached. Nothing was written."
    )


def test_snapshots_name_staff_by_a_stable_id_never_an_email(engine):
    with write_session(engine) as session:
        saved = create_pledge(session, actor=EDITOR, values=NEW_PLEDGE, reason="Announced")
        update_pledge(
            session,
            actor=Actor("b@example.org"),
            pledge_id=saved.id,
            expected_version=1,
            changes={"quantity": 160},
            reason="Corrected",
        )
    with read_session(engine) as session:
        csv = build_snapshot(
            session, filters=PledgeFilter(statuses=(), scopes=SCOPES), known_at=datetime.now(UTC)
        ).csv.decode()
        expected = staff_id(session, "b@example.org")
    assert "@" not in csv
    assert expected.startswith("staff-") and expected in csv
    with read_session(engine) as session:  # the same person, the same id, every time
        assert staff_id(session, "B@Example.org ") == expected


def test_an_unknown_sign_in_email_is_kept_only_as_a_keyed_digest(engine):
    typed = "my secret password typed in the wrong box"
    with pytest.raises(PermissionDenied), write_session(engine) as session:
        sign_in(session, email=typed, password="whatever")
    with read_session(engine) as session:
        failure = session.exec(
            select(AuditEvent).where(AuditEvent.action == "auth.sign_in_failed")
        ).one()
        keyed = keyed_digest(session, typed)
    unsalted = hashlib.sha256(typed.encode()).hexdigest()[:16]
    assert failure.entity_id == f"unknown:{keyed}" and unsalted not in failure.entity_id


def test_the_database_its_folder_and_backups_are_private(tmp_path):
    folder = tmp_path / f"instance-{uuid.uuid4().hex[:6]}"
    engine = create_db_engine(f"sqlite:///{folder / 'coalition.db'}")
    initialise_database(engine, FIXTURE_DATA)
    backup = backup_sqlite(engine, tmp_path / "backups" / "copy.db")
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for path in (folder / "coalition.db", folder / "coalition.db.lock", backup):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    engine.dispose()
