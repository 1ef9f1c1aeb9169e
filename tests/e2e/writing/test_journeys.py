"""The analysts' main journeys in the browser, beyond those in test_browser.py: filter, look
back with "As of", resolve an edit conflict, import a file and download a snapshot."""

from __future__ import annotations

import csv
import io
import time

import pytest
from sqlmodel import select

from db.engine import create_db_engine, read_session
from db.models import AuditEvent, Pledge
from tests.support.accounts import LOCAL_EDITOR
from tests.support.browser import (
    assert_clean,
    offline_page,
    open_pledge_for_editing,
    sign_in,
    tile_text,
    wait_for_input_value,
    wait_for_metric,
    wait_for_run_to_end,
    wait_for_tile,
)


def choose_in_sidebar(page, label: str, option: str) -> None:
    """Pick ``option`` in the sidebar multiselect labelled ``label``."""
    box = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]')
    box.filter(has_text=label).click()
    page.get_by_role("option", name=option, exact=True).click()
    page.keyboard.press("Escape")


def test_a_category_filter_narrows_every_figure(server, browser_page):
    page = browser_page
    page.goto(server)
    page.get_by_text("Pledges by region").wait_for(timeout=30_000)
    assert "one published amount, not a total: €2bn" in tile_text(page, "Funding")
    choose_in_sidebar(page, "Category", "Troops")
    # Funding left out by the filter says so; it does not read as €0.
    wait_for_metric(page, "Funding", "not shown")
    assert "one published size, not a total: 100 troops" in tile_text(page, "Troops")
    page.get_by_text("Showing Troops;").wait_for()
    assert_clean(page)


def test_as_of_rebuilds_the_page_for_an_earlier_day(server, browser_page):
    page = browser_page
    page.goto(server)
    page.get_by_text("Pledges by region").wait_for(timeout=30_000)
    # Typed and applied on Enter (a date picker opened its calendar on Enter instead).
    as_of = page.locator('[data-testid="stSidebar"]').get_by_role("textbox", name="As of")
    as_of.fill("2025-03-01")
    as_of.press("Enter")
    page.get_by_text("Showing the record as it stood on 01 March 2025").wait_for(timeout=30_000)
    # Before the first troop pledge was announced there was none to count.
    wait_for_metric(page, "Troops", "none")
    assert_clean(page)


def test_a_shared_as_of_address_keeps_its_day_from_page_to_page(server, browser_page):
    """A link with ?as_of= and a few clicks in the sidebar: every page stays on that day.
    (Found by hand: from a tab's second page on, the date field showed empty and the next
    click dropped the day and the status filter. The first session on a server did not show
    it, hence two tabs.)"""
    first = browser_page
    for page in (first, offline_page(first.context.browser)):
        page.goto(f"{server}/?as_of=2025-03-03")
        page.get_by_text("pledges overview").wait_for(timeout=30_000)
        navigation = page.locator('[data-testid="stSidebarNav"]')
        for link, marker in (
            ("Map", "Colour countries by"),
            ("Timeline", "Pledged over time"),
            ("Overview", "pledges overview"),
        ):
            navigation.get_by_role("link", name=link, exact=True).click()
            page.get_by_text(marker).first.wait_for(timeout=30_000)
            wait_for_run_to_end(page)
            assert page.get_by_text("as it stood on 03 March 2025").count() == 1, link
            as_of = page.locator('[data-testid="stSidebar"]').get_by_role("textbox", name="As of")
            assert as_of.input_value() == "2025-03-03", link
            assert "as_of=2025-03-03" in page.url and "status=all" not in page.url, link
        assert_clean(page)


@pytest.mark.both_databases
def test_an_edit_conflict_shows_both_sides_and_keeps_both_changes(
    private_server, database_url, browser_page
):
    engine = create_db_engine(database_url)
    with read_session(engine) as session:
        recorded = session.exec(
            select(Pledge).where(Pledge.participant_code == "NZL", Pledge.category == "troops")
        ).one()
    first = browser_page
    second = offline_page(first.context.browser)
    for page in (first, second):
        open_pledge_for_editing(page, private_server, "New Zealand · Troops")
        # The form holds the chosen pledge's values, not what it showed before (once the rerun
        # that the choice started has finished: until then the first pledge's form shows).
        wait_for_input_value(page, "Source *", recorded.source_title)
        assert page.get_by_label("Source *", exact=True).input_value() == recorded.source_title

    first.get_by_label("Conditions").fill("UK-led programme")
    first.get_by_label("Reason for this change").fill("Detail from the embassy")
    first.get_by_role("button", name="Save pledge").click()
    first.get_by_text("Saved pledge").first.wait_for(timeout=30_000)

    second.get_by_label("Number of troops").fill("120")
    second.get_by_label("Reason for this change").fill("Six more trainers")
    second.get_by_role("button", name="Save pledge").click()
    second.get_by_text("Someone saved this pledge while you were editing it").wait_for(
        timeout=30_000
    )
    second.get_by_role("button", name="Re-apply my changes on the current version").click()
    second.get_by_test_id("stAlertContentSuccess").get_by_text("(version 3)").wait_for(
        timeout=30_000
    )

    with read_session(engine) as session:
        saved = session.exec(
            select(Pledge).where(Pledge.participant_code == "NZL", Pledge.category == "troops")
        ).one()
    engine.dispose()
    assert (saved.quantity, saved.conditions, saved.version) == (120, "UK-led programme", 3)
    assert_clean(first)
    assert_clean(second)


@pytest.mark.both_databases
def test_an_editor_imports_a_file_and_the_overview_counts_it(
    private_server, browser_page, tmp_path
):
    page = browser_page
    sign_in(
        page, private_server, LOCAL_EDITOR, path="/import_pledges", marker="Download the template"
    )
    upload = tmp_path / "pledges.csv"
    upload.write_text(
        "participant_code,category,status,description,quantity,announced_on,source_title,"
        "confidence\r\nGBR,troops,committed,Mechanised company,200,2026-02-01,UK MoD,high"
        "\r\n",
        encoding="utf-8",
    )
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(upload)
    page.get_by_text("1 new · 0 changed").wait_for(timeout=30_000)
    page.get_by_label("Reason (where this file comes from) *").fill("UK MoD release")
    page.get_by_role("button", name="Import 1 new and 0 changed pledges").click()
    page.get_by_test_id("stAlertContentSuccess").get_by_text("Imported batch").wait_for(
        timeout=30_000
    )
    page.get_by_role("link", name="Overview").click()
    wait_for_tile(page, "Troops", "300 troops published by 2 participants")
    assert_clean(page)


@pytest.mark.both_databases
def test_a_snapshot_downloads_as_its_manifest_describes_and_is_logged(
    private_server, database_url, browser_page
):
    page = browser_page
    sign_in(page, private_server, LOCAL_EDITOR, path="/snapshots", marker="Other tables")
    summary = page.get_by_text("pledges · as of today").inner_text()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the snapshot (CSV)").click()
    data = download.value.path().read_bytes()
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    assert summary.startswith(f"{len(rows)} pledges")
    assert {"New Zealand", "France"} <= {row["participant"] for row in rows}
    # The download is logged by the rerun its click starts, which may end after the file
    # has arrived.
    engine = create_db_engine(database_url)
    deadline = time.monotonic() + 30
    while True:
        with read_session(engine) as session:
            logged = session.exec(
                select(AuditEvent).where(AuditEvent.action == "snapshot.export")
            ).all()
        if logged or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    engine.dispose()
    assert [entry.actor for entry in logged] == [LOCAL_EDITOR]
    assert_clean(page)
