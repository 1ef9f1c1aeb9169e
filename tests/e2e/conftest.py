"""Browser fixtures: the real server (`streamlit run app.py`) and Debian's Chromium, offline.

Every request to a host other than this machine is aborted and recorded, so a page that
needs the internet fails here.

Browser tests run on SQLite, except those marked ``both_databases``, which run on PostgreSQL
too: the ones whose flow writes (saves, imports, sign-ins and their sessions, audit entries).
What a page reads is checked on both databases below the browser (the AppTest and domain
tests), and the browser draws the same page from either.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright import sync_api as playwright_api

from tests.support.browser import ARTIFACTS, CHROMIUM, offline_page, seeded_sqlite, start_server


@pytest.hookimpl(tryfirst=True)
def pytest_generate_tests(metafunc) -> None:
    if "database_url" in metafunc.fixturenames and not metafunc.definition.get_closest_marker(
        "both_databases"
    ):
        # As a mark, as if written on the test, so that it replaces the fixture's own params.
        metafunc.definition.add_marker(
            pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
        )


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[str]:
    """The app open to anonymous readers, for a module's tests that only read: one server
    per module (a start costs seconds; what these tests do changes nothing stored)."""
    folder = tmp_path_factory.mktemp("reading-server")
    yield from start_server(seeded_sqlite(folder), folder, COALITION_ANONYMOUS_READ="true")


@pytest.fixture
def private_server(engine, database_url: str, tmp_path: Path) -> Iterator[str]:
    """The default: viewing needs an account. The test accounts exist before it starts."""
    yield from start_server(database_url, tmp_path)


@pytest.fixture(scope="module")
def module_server(tmp_path_factory) -> Iterator[str]:
    """One server with the test accounts for a module whose tests only read: it starts once."""
    folder = tmp_path_factory.mktemp("module-server")
    yield from start_server(seeded_sqlite(folder), folder)


@pytest.fixture(scope="session")
def chromium() -> Iterator:
    """One Chromium per test process; each test gets fresh contexts of its own (cookies and
    storage apart), closed after it."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}; the README's test command installs it")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def browser_page(request, chromium) -> Iterator:
    page = offline_page(chromium)
    yield page
    if request.node.rep_call.failed if hasattr(request.node, "rep_call") else False:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=ARTIFACTS / f"{request.node.name}.png", full_page=True)
    # Every context the test opened, its other tabs and browsers-within included.
    for context in list(chromium.contexts):
        context.close()
