"""An email digest from start to end: a viewer follows France on "Your account", an editor
records France's new pledge, `python -m coalition digest send` (as cron runs it) mails one
message through a real SMTP server, and its link opens What changed for that period."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.support.accounts import LOCAL_EDITOR, VIEWER
from tests.support.browser import (
    assert_clean,
    offline_page,
    record_engineer_company,
    sign_in,
)
from tests.support.data import run_cli
from tests.support.mail import mail_server, text_of

# The digest, its subscription and the editor's save are writes: on both databases.
pytestmark = pytest.mark.both_databases


def test_a_digest_tells_a_followed_change_and_links_its_period(
    private_server, database_url, browser_page, chromium
):
    page = browser_page
    sign_in(page, private_server, VIEWER, path="/account", marker="Email digest")
    form = page.locator('[data-testid="stForm"]').filter(has_text="Save digest")
    form.locator('[data-testid="stMultiSelect"]').filter(has_text="Participants").click()
    page.get_by_role("option", name="France (FRA)", exact=True).click()
    page.keyboard.press("Escape")
    form.get_by_role("button", name="Save digest").click()
    page.get_by_text("You will get a daily digest for FRA.").first.wait_for(timeout=30_000)

    editor = offline_page(chromium)
    sign_in(editor, private_server, LOCAL_EDITOR)
    record_engineer_company(editor)
    assert_clean(editor)

    with mail_server() as (url, inbox):
        # As cron would, but now: the day of the subscription has not passed yet.
        sent = run_cli(
            database_url,
            "digest",
            "send",
            "--every",
            env={"COALITION_SMTP_URL": url, "COALITION_BASE_URL": private_server},
        )
    assert sent.returncode == 0, sent.stderr
    (message,) = inbox.messages
    assert message["To"] == VIEWER
    text = text_of(message)
    assert "New: France, troops — Engineer company" in text
    (link,) = re.findall(r"See them in the app: (\S+)", text)
    assert link.startswith(f"{private_server}/changes?from=")

    page.goto(link)
    page.get_by_text("What changed between").first.wait_for(timeout=30_000)
    (start, end) = re.findall(r"(?:from|to)=(\d{4}-\d{2}-\d{2})", link)
    # The fields are drawn a moment after the heading: waited for, as a reader would.
    expect(page.get_by_role("textbox", name="From")).to_have_value(start, timeout=30_000)
    expect(page.get_by_role("textbox", name="To")).to_have_value(end, timeout=30_000)
    # Only the followed participant's changes, as the address says.
    expect(page.get_by_role("combobox", name="Participants")).to_be_visible()
    page.get_by_text("France", exact=True).first.wait_for(timeout=30_000)
    # The editor's pledge is the period's one change (the seed's first load is named apart).
    page.get_by_text("1 new, 0 revised", exact=False).first.wait_for(timeout=30_000)
    assert_clean(page)
