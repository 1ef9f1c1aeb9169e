"""Every page, for every role, in a real browser: it renders, raises nothing, asks no other
host for anything and logs no console error."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from coalition.bootstrap import initialise_database
from db.engine import create_db_engine
from tests.conftest import ADMIN, FIXTURE_DATA, LOCAL_EDITOR, PASSWORD, VIEWER, add_accounts
from tests.e2e.conftest import NAVIGATION, RANK, assert_clean, start_server

ACCOUNTS = {"viewer": VIEWER, "editor": LOCAL_EDITOR, "admin": ADMIN}


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("every-page")
    url = f"sqlite:///{folder / 'app.db'}"
    engine = create_db_engine(url)
    initialise_database(engine, FIXTURE_DATA)
    add_accounts(engine)
    engine.dispose()
    yield from start_server(url, folder)


@pytest.mark.parametrize("role", ["viewer", "editor", "admin"])
def test_every_page_a_role_may_use_renders_cleanly(shared_server, browser_page, role):
    page = browser_page
    page.goto(shared_server)
    page.get_by_label("Email").fill(ACCOUNTS[role])
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Pledges by region").wait_for(timeout=30_000)
    navigation = page.locator('[data-testid="stSidebarNav"]')
    for label, marker, least in NAVIGATION:
        link = navigation.get_by_role("link", name=label, exact=True)
        if RANK[role] < RANK[least]:
            assert link.count() == 0, f"{role} must not see {label}"
            continue
        link.click()
        page.get_by_text(marker).first.wait_for(timeout=30_000)
        assert page.locator('[data-testid="stException"]').count() == 0, label
    assert_clean(page)
