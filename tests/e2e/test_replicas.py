"""Two app processes on one PostgreSQL database, as replicas behind a load balancer: a write
through one is on screen in the other's open session at its next interaction."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from coalition.bootstrap import initialise_database
from coalition.settings import DATA_DIR
from db.engine import create_db_engine
from tests.conftest import LOCAL_EDITOR, PASSWORD, VIEWER, add_accounts
from tests.e2e.conftest import assert_clean, offline_page, start_server


@pytest.fixture
def two_replicas(postgres_url: str, tmp_path: Path) -> Iterator[tuple[str, str]]:
    engine = create_db_engine(postgres_url)
    initialise_database(engine, DATA_DIR)
    add_accounts(engine)
    engine.dispose()
    with ExitStack() as stack:
        bases = []
        for name in ("a", "b"):
            folder = tmp_path / name
            folder.mkdir()
            servers = start_server(postgres_url, folder)
            stack.callback(servers.close)
            bases.append(next(servers))
        yield bases[0], bases[1]


def sign_in(page, base: str, email: str) -> None:
    page.goto(base)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Pledges by region").wait_for(timeout=30_000)


def known_troops(page) -> str:
    metric = page.locator('[data-testid="stMetric"]').filter(has_text="Troops (known sizes)")
    return metric.locator('[data-testid="stMetricValue"]').inner_text()


@pytest.mark.postgres
def test_a_write_through_one_replica_shows_in_the_other_at_the_next_click(
    two_replicas, browser_page
):
    replica_a, replica_b = two_replicas
    reader = offline_page(browser_page.context.browser)
    sign_in(reader, replica_b, VIEWER)
    assert known_troops(reader) == "100"

    editor = browser_page
    sign_in(editor, replica_a, LOCAL_EDITOR)
    editor.get_by_role("link", name="Edit pledges").click()
    editor.get_by_text("What was pledged").wait_for(timeout=30_000)
    editor.get_by_label("What was pledged").fill("Engineer company")
    editor.get_by_label("Number of troops").fill("150")
    editor.get_by_label("Source *", exact=True).fill("Ministry statement")
    editor.get_by_label("Reason for this change").fill("Announced today")
    editor.get_by_role("button", name="Save pledge").click()
    editor.get_by_text("Saved pledge").wait_for(timeout=30_000)

    # The reader's session on the other process, still open: its next click shows the write.
    reader.get_by_role("link", name="Overview").click()
    reader.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid="stMetric"]')]
            .some(m => m.innerText.includes('Troops (known sizes)')
                       && m.innerText.includes('250'))""",
        timeout=30_000,
    )
    assert known_troops(reader) == "250"
    assert_clean(reader)
    assert_clean(editor)
