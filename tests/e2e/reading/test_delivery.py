"""The Delivery page in a real browser: both charts drawn, and a figure on screen equal to the
one in the downloaded table behind them."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from coalition.access.auth import Actor
from coalition.bootstrap import initialise_database
from coalition.write.pledges import create_pledge
from db.engine import create_db_engine, write_session
from tests.factories import pledge
from tests.support.accounts import add_accounts
from tests.support.browser import assert_clean, metric_value, settle, start_server
from tests.support.data import FIXTURE_DATA

DEPLOYED = pledge(
    participant_code="FRA",
    status="deployed",
    description="Engineer company in theatre",
    quantity=250,
    scope="reassurance_force",
    source_title="Ministry statement",
)


@pytest.fixture
def delivery_server(database_url: str, tmp_path: Path) -> Iterator[str]:
    """The fixture record and one deployed company, open to anonymous readers."""
    engine = create_db_engine(database_url)
    initialise_database(engine, FIXTURE_DATA)
    add_accounts(engine)
    with write_session(engine) as session:
        create_pledge(session, actor=Actor("e@example.org"), values=DEPLOYED, reason="Deployed")
    engine.dispose()
    yield from start_server(database_url, tmp_path, COALITION_ANONYMOUS_READ="true")


def test_the_delivery_page_draws_its_charts_and_its_figures_match_the_table(
    delivery_server, browser_page
):
    page = browser_page
    page.goto(f"{delivery_server}/delivery")
    page.get_by_text("Where the pledges stand").wait_for(timeout=30_000)
    settle(page)
    titles = page.locator('[data-testid="stPlotlyChart"] .gtitle')
    # One chart at a time: the stages first, the lines over time when their tab is picked.
    assert titles.all_text_contents() == ["Where the pledges stand, by category"]
    page.get_by_role("tab", name="Each stage over time").click()
    page.locator(".gtitle", has_text="Each stage over time").wait_for(timeout=30_000)
    settle(page)
    assert titles.all_text_contents() == ["Each stage over time"]
    assert page.locator('[data-testid="stException"]').count() == 0
    page.get_by_role("tab", name="Announced, committed, delivered").click()
    page.locator(".gtitle", has_text="Where the pledges stand").wait_for(timeout=30_000)
    settle(page)

    on_screen = metric_value(page, "Troops")
    assert on_screen == "250 troops"
    # The figures behind the bars are sent once their section is opened.
    assert page.locator(".st-key-delivery_stages_download").count() == 0
    page.locator('[data-testid="stExpander"] summary', has_text="Figures behind the bars").click()
    page.locator(".st-key-delivery_stages_download button").wait_for(timeout=30_000)
    settle(page)
    with page.expect_download() as download:
        page.locator(".st-key-delivery_stages_download button").click()
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text("utf-8"))))
    (troops,) = [
        row
        for row in rows
        if row["Category"] == "Troops" and row["Stage"] == "Deployed or delivered"
    ]
    assert troops["Figure"] == on_screen
    assert (troops["Known size"], troops["Pledges"], troops["Of unknown size"]) == (
        "250",
        "1",
        "0",
    )
    # Sizes never published are counted as such, never as zero.
    (aircraft,) = [
        row for row in rows if row["Category"] == "Aircraft" and row["Stage"] == "Announced"
    ]
    assert (aircraft["Figure"], aircraft["Known size"]) == ("1 pledge, size not published", "")
    assert_clean(page)
