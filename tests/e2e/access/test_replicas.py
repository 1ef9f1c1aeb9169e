"""Two app processes on one PostgreSQL database, as replicas behind a load balancer: a write
through one is on screen in the other's open session at its next interaction."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from coalition.bootstrap import initialise_database
from db.engine import create_db_engine
from tests.support.accounts import LOCAL_EDITOR, VIEWER, add_accounts
from tests.support.browser import (
    assert_clean,
    offline_page,
    record_engineer_company,
    sign_in,
    start_server,
    tile_text,
    wait_for_tile,
)
from tests.support.data import FIXTURE_DATA


@pytest.fixture
def two_replicas(postgres_url: str, tmp_path: Path) -> Iterator[tuple[str, str]]:
    engine = create_db_engine(postgres_url)
    initialise_database(engine, FIXTURE_DATA)
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


@pytest.mark.postgres
def test_a_write_through_one_replica_shows_in_the_other_at_the_next_click(
    two_replicas, browser_page
):
    replica_a, replica_b = two_replicas
    reader = offline_page(browser_page.context.browser)
    sign_in(reader, replica_b, VIEWER)
    assert "one published size, not a total: 100 troops" in tile_text(reader, "Troops")

    editor = browser_page
    sign_in(editor, replica_a, LOCAL_EDITOR)
    record_engineer_company(editor)

    # The reader's session on the other process, still open: its next click shows the write.
    reader.get_by_role("link", name="Overview").click()
    wait_for_tile(reader, "Troops", "250 troops published by 2 participants")
    assert_clean(reader)
    assert_clean(editor)
