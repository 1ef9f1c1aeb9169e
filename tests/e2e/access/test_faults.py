"""The real server when its database goes away and comes back, starts on a read-only disk, or
is flooded by requests nobody signed: one plain banner, never a 500, nothing saved into a
file that is gone, recovery without a restart, and an audit log that stays small."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import pytest
import requests
from sqlalchemy import create_engine, func, text
from sqlmodel import select

from coalition.access import flood, tokens
from coalition.access.auth import Actor
from coalition.bootstrap import initialise_database
from core.settings import PROJECT_ROOT
from db.engine import FILE_GONE, READ_ONLY, create_db_engine, read_session, write_session
from db.models import AuditEvent, Participant
from tests.support.accounts import ADMIN, LOCAL_EDITOR, PASSWORD, VIEWER, add_accounts
from tests.support.browser import seeded_sqlite, sign_in, start_server
from tests.support.data import FIXTURE_DATA, POSTGRES_ADMIN_URL, cli_env

server = contextmanager(start_server)
BANNER = "The database cannot be used: {}"


def signed_in(base: str, email: str, password: str = PASSWORD) -> requests.Session:
    """An HTTP client holding the session cookie of ``email``."""
    client = requests.Session()
    response = client.post(
        f"{base}/auth/sign-in",
        data={"email": email, "password": password, "next": "/"},
        headers={"Origin": base},
        allow_redirects=False,
        timeout=60,
    )
    assert response.status_code == 303 and response.headers["location"] == "/", response.headers
    return client


def sign_in_location(base: str, email: str, password: str = "not the password") -> str:
    response = requests.post(
        f"{base}/auth/sign-in",
        data={"email": email, "password": password, "next": "/"},
        headers={"Origin": base},
        allow_redirects=False,
        timeout=120,
    )
    assert response.status_code == 303, response.text[:500]
    return response.headers["location"]


def make_token(database_url: str) -> str:
    engine = create_db_engine(database_url)
    with write_session(engine) as session:
        token = tokens.create_token(session, actor=Actor(VIEWER), email=VIEWER, name="notebook")
    engine.dispose()
    return token


def api(base: str, token: str) -> requests.Response:
    return requests.get(
        f"{base}/api/v1/participants.json",
        headers={"Authorization": f"Bearer {token}"},
        timeout=60,
    )


def no_server_errors(page) -> None:
    assert [r for r in page.failed_responses if r.startswith("5")] == []


def test_a_removed_sqlite_file_is_one_banner_takes_nothing_and_init_brings_it_back(
    tmp_path, browser_page
):
    url = seeded_sqlite(tmp_path)
    path = tmp_path / "app.db"
    token = make_token(url)
    with server(url, tmp_path) as base:
        editor = signed_in(base, LOCAL_EDITOR)
        assert api(base, token).status_code == 200
        sign_in(browser_page, base, LOCAL_EDITOR)
        for part in (path, path.with_name("app.db-wal"), path.with_name("app.db-shm")):
            part.unlink(missing_ok=True)

        # Once, saves went on "succeeding" into the removed file and /healthz said ok.
        browser_page.reload()
        browser_page.get_by_text(BANNER.format(FILE_GONE)).wait_for(timeout=30_000)
        assert browser_page.get_by_text("The database cannot be used").count() == 1
        assert requests.get(f"{base}/healthz", timeout=60).status_code == 503
        refused = api(base, token)
        assert refused.status_code == 503 and FILE_GONE in refused.json()["error"]
        assert "unavailable=1" in sign_in_location(base, LOCAL_EDITOR, PASSWORD)
        cross_site = requests.post(
            f"{base}/auth/sign-in", headers={"Origin": "https://elsewhere.example"}, timeout=60
        )
        assert cross_site.status_code == 403  # refused all the same, though not audited
        page = editor.get(f"{base}/timeline", allow_redirects=False, timeout=60)
        assert page.status_code == 200 and "Traceback" not in page.text
        assert not path.exists()  # no empty database made in its place to hide the loss
        no_server_errors(browser_page)

        # The operator makes a new database (or restores one): the running app takes it.
        init = subprocess.run(
            [sys.executable, "-m", "coalition", "init"],
            cwd=PROJECT_ROOT,
            env=cli_env(url),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert init.returncode == 0, init.stderr
        password = re.search(r"with the password:\n\s+(\S+)", init.stderr)[1]
        assert requests.get(f"{base}/healthz", timeout=60).text == "ok"
        browser_page.reload()  # the old session is not in the new database
        browser_page.get_by_text("Sign in to the Coalition Tracker").wait_for(timeout=30_000)
        admin = signed_in(base, "admin@localhost", password)
        assert admin.get(f"{base}/api/v1/participants.json", timeout=60).status_code == 200
        assert api(base, token).status_code == 401  # the old file's token is not in the new
        no_server_errors(browser_page)


@pytest.mark.postgres
def test_a_recreated_postgres_database_is_migrated_by_whoever_comes_first(postgres_url, tmp_path):
    engine = create_db_engine(postgres_url)
    initialise_database(engine, FIXTURE_DATA)
    add_accounts(engine)
    engine.dispose()
    schema = postgres_url.rsplit("%3D", 1)[1]
    with server(postgres_url, tmp_path) as base:
        viewer = signed_in(base, VIEWER)
        admin = create_engine(POSTGRES_ADMIN_URL)
        with admin.begin() as connection:  # dropped and created again, empty
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        admin.dispose()
        # A page request holding a cookie: once an HTTP 500 with a traceback.
        page = viewer.get(f"{base}/timeline", allow_redirects=False, timeout=60)
        assert page.status_code in (200, 303) and "Traceback" not in page.text
        # Anonymous sign-ins alone bring it back: once, the tables stayed missing until a
        # browser holding a cookie loaded the front page.
        first = sign_in_location(base, "nobody@example.org")
        second = sign_in_location(base, "nobody@example.org")
        assert "failed=1" in second and "unavailable" not in second, (first, second)
        engine = create_db_engine(postgres_url)
        with read_session(engine) as session:
            assert session.exec(select(func.count()).select_from(Participant)).one() > 0
        engine.dispose()
        assert requests.get(f"{base}/healthz", timeout=60).text == "ok"


def test_a_read_only_file_system_at_start_is_a_plain_message(tmp_path, browser_page):
    """Once the server exited at start (OSError on the lock file beside the database)."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    url = seeded_sqlite(folder)
    token = make_token(url)
    # The server in a mount namespace of its own where the database's folder is read-only.
    read_only = [
        "unshare",
        "--map-root-user",
        "--mount",
        "sh",
        "-c",
        'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"',
        str(folder),
    ]
    with server(url, tmp_path, wrapper=read_only) as base:
        assert requests.get(f"{base}/healthz", timeout=60).status_code == 503
        refused = api(base, token)
        assert refused.status_code == 503 and READ_ONLY in refused.json()["error"]
        assert "unavailable=1" in sign_in_location(base, LOCAL_EDITOR, PASSWORD)
        browser_page.goto(base)
        browser_page.get_by_text(BANNER.format(READ_ONLY)).wait_for(timeout=30_000)
        assert browser_page.get_by_text("The database cannot be used").count() == 1
        no_server_errors(browser_page)
    log = (tmp_path / "server.log").read_text()
    assert "Traceback" not in log and "could not be prepared at start-up" in log


def database_bytes(database_url: str) -> int:
    """What the database takes on disk: a SQLite file with its log folded in, or the sum of
    this schema's tables and indexes on PostgreSQL."""
    if database_url.startswith("sqlite"):
        path = database_url.removeprefix("sqlite:///")
        with sqlite3.connect(path) as connection:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            pages = connection.execute("PRAGMA page_count").fetchone()[0]
            size = connection.execute("PRAGMA page_size").fetchone()[0]
        return pages * size
    engine = create_db_engine(database_url)
    with engine.connect() as connection:
        total = connection.execute(
            text(
                "SELECT sum(pg_total_relation_size(format('%I.%I', schemaname, tablename)"
                "::regclass)) FROM pg_tables WHERE schemaname = current_schema()"
            )
        ).scalar_one()
    engine.dispose()
    return int(total)


def test_a_flood_of_unsigned_requests_grows_the_database_by_under_a_megabyte(
    private_server, database_url
):
    """10,000 requests nobody signed: cross-site sign-ins with a 60,000-character Origin,
    API calls with forged tokens, and wrong passwords for accounts that do not exist. Once,
    each wrote an audit row (60 KB for each cross-site one). On SQLite, where each row also
    took the write lock; the bound itself is the same code on both (tests/access/
    test_audit_flood.py runs on both)."""
    base = private_server
    before = database_bytes(database_url)
    local = threading.local()

    def request(n: int) -> int:
        client = local.__dict__.setdefault("client", requests.Session())
        if n % 3 == 0:
            response = client.post(
                f"{base}/auth/sign-in",
                data={"email": "x@example.org", "password": "x"},
                headers={"Origin": "https://" + "x" * 60_000},
                allow_redirects=False,
                timeout=120,
            )
        elif n % 3 == 1:
            response = client.get(
                f"{base}/api/v1/pledges.json",
                headers={"Authorization": f"Bearer ct_forged{n}"},
                timeout=120,
            )
        else:
            response = client.post(
                f"{base}/auth/sign-in",
                data={"email": f"guess{n}@example.org", "password": "a guess!"},
                headers={"Origin": base},
                allow_redirects=False,
                timeout=120,
            )
        return response.status_code

    with ThreadPoolExecutor(8) as pool:
        statuses = Counter(pool.map(request, range(10_000)))
    assert statuses == {403: 3334, 401: 3333, 303: 3333}
    growth = database_bytes(database_url) - before
    assert growth < 1_000_000, f"the database grew by {growth:,} bytes"
    engine = create_db_engine(database_url)
    with read_session(engine) as session:
        rows = Counter(session.exec(select(AuditEvent.action)).all())
        origins = session.exec(
            select(AuditEvent.details).where(AuditEvent.action == "auth.cross_site_refused")
        ).all()
    engine.dispose()
    # The first of each kind one by one (per minute); the rest counted, not lost.
    for kind in ("auth.cross_site_refused", "api.refused", "auth.sign_in_failed"):
        assert 0 < rows[kind] <= 3 * flood.FLOOD_GATE.limit, (kind, rows)
    assert all(len(d["origin"]) < 300 for d in origins)


def test_streamlits_metrics_are_for_admins_only(module_server):
    """They name the app's caches and time them; once they answered anyone."""
    metrics = "/_stcore/metrics"
    assert requests.get(f"{module_server}{metrics}", timeout=60).status_code == 403
    viewer = signed_in(module_server, VIEWER)
    assert viewer.get(f"{module_server}{metrics}", timeout=60).status_code == 403
    admin = signed_in(module_server, ADMIN)
    shown = admin.get(f"{module_server}{metrics}", timeout=60)
    assert shown.status_code == 200 and "active_sessions" in shown.text
