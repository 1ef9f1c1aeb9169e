"""What changed in a real browser: an editor changes a pledge, the page shows the change with
its old and new values, the download holds it, and the page's address opens the same period
in a fresh browser."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from tests.support.accounts import LOCAL_EDITOR, PASSWORD
from tests.support.browser import assert_clean, offline_page, open_pledge_for_editing, settle


def heading(page, text: str):
    return page.get_by_role("heading", name=text)


def test_an_edit_shows_in_what_changed_and_its_address_shares_the_period(
    private_server, browser_page
):
    page = browser_page
    open_pledge_for_editing(page, private_server, "New Zealand · Troops")
    page.get_by_label("Number of troops").fill("120")
    page.get_by_label("Reason for this change").fill("Six more trainers")
    page.get_by_role("button", name="Save pledge").click()
    page.get_by_text("Saved pledge").first.wait_for(timeout=30_000)

    page.get_by_role("link", name="What changed").click()
    today = date.today()  # here, not on import: a run may pass midnight
    week = f"What changed between {today - timedelta(days=7):%d %b %Y} and {today:%d %b %Y}"
    heading(page, week).wait_for(timeout=30_000)
    # The seed was recorded when the server first started, today: seven pledges under the
    # default filters, and the edit.
    # The seed's seven pledges are the initial record, not new pledges of the week.
    page.get_by_text("0 new, 1 revised, 0 withdrawn, 0 restored; 0 new meetings").wait_for(
        timeout=30_000
    )
    settle(page)
    grid = page.locator('[data-testid="stDataFrame"]')
    assert grid.count() == 1
    # The grid draws on a canvas; its cells are also in the page for screen readers (not in
    # the hidden table for paper, which is outside the grid).
    grid.locator('td[role="gridcell"]', has_text="Size: 100 → 120 troops").first.wait_for(
        state="attached", timeout=30_000
    )

    with page.expect_download() as download:
        page.locator(".st-key-changes_table_download button").click()
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text("utf-8"))))
    (revised,) = [row for row in rows if row["Kind"] == "Revised"]
    assert revised["Participant"] == "New Zealand"
    assert revised["What changed"] == "Size: 100 → 120 troops"
    assert revised["Reason"] == "Six more trainers"
    assert revised["Role"] == "editor"
    assert revised["By"].startswith("staff-")
    assert len(rows) == 8

    # Another period: from 1 March 2025, by when changes took effect.
    start = page.get_by_role("textbox", name="From")
    start.fill("2025-03-01")
    start.press("Enter")  # typed days apply on Enter
    period = f"What changed between 01 Mar 2025 and {today:%d %b %Y}"
    heading(page, period).wait_for(timeout=30_000)
    page.get_by_text("When it took effect").click()
    page.wait_for_url("**by=effective**", timeout=30_000)
    settle(page)
    address = page.url
    assert "from=2025-03-01" in address and f"to={today.isoformat()}" in address
    summary = page.get_by_text("new meetings").inner_text()

    # The address in a fresh browser: sign in, then the same period and the same changes.
    fresh = offline_page(page.context.browser)
    fresh.goto(address)
    fresh.get_by_label("Email").fill(LOCAL_EDITOR)
    fresh.get_by_label("Password", exact=True).fill(PASSWORD)
    fresh.get_by_role("button", name="Sign in").click()
    heading(fresh, period).wait_for(timeout=30_000)
    settle(fresh)
    assert fresh.get_by_text("new meetings").inner_text() == summary
    assert fresh.get_by_role("radio", name="When it took effect").is_checked()
    assert_clean(page)
    assert_clean(fresh)
