"""The edit page in the browser, where AppTest cannot look: a select box shows the label it was
last sent and sends it back, a link to an anchor scrolls the page, and a link to a pledge's
form survives signing in."""

from __future__ import annotations

import re
from urllib.parse import urljoin

from tests.support.accounts import LOCAL_EDITOR, PASSWORD
from tests.support.browser import (
    assert_clean,
    offline_page,
    open_pledge_for_editing,
    settle,
    sign_in,
    wait_for_input_value,
)


def picker_label(page) -> str:
    return page.get_by_role("combobox", name="Pledge", exact=True).input_value()


def test_after_a_save_the_picker_stays_on_the_pledge_as_saved(private_server, browser_page):
    page = browser_page
    open_pledge_for_editing(page, private_server, "New Zealand · Troops")
    wait_for_input_value(page, "What was pledged *", "Fixture trainers outside Ukraine")
    page.get_by_label("What was pledged *").fill("Trainers based in Britain")
    page.get_by_label("Reason for this change").fill("Wording from the embassy")
    page.get_by_role("button", name="Save pledge").click()
    page.get_by_text("Saved pledge").first.wait_for(timeout=30_000)
    saved = "New Zealand · Troops · Trainers based in Britain (committed)"
    page.wait_for_function(
        "label => document.querySelector('input[aria-label=\"Pledge\"]').value === label",
        arg=saved,
        timeout=30_000,
    )
    # Any later click (here a sidebar filter) keeps this pledge, not the first in the list.
    page.get_by_text("Include bilateral aid").click()
    wait_for_input_value(page, "What was pledged *", "Trainers based in Britain", settle_ms=2_000)
    assert picker_label(page) == saved
    # The notice, kept in view as a toast, links the pledge's history on its participant's page.
    link = page.get_by_test_id("stToast").get_by_role("link", name="its history")
    page.goto(urljoin(page.url, link.get_attribute("href")))
    page.get_by_text("Revision history").wait_for(timeout=30_000)
    settle(page)
    chosen = page.get_by_role("combobox", name="Pledge").input_value()
    assert chosen == "Troops: Trainers based in Britain"
    assert "/participant?code=NZL&pledge=" in page.url
    assert_clean(page)


def test_each_listed_problem_links_to_its_field(private_server, browser_page):
    page = browser_page
    sign_in(page, private_server, LOCAL_EDITOR, path="/edit_pledges", marker="What was pledged")
    page.get_by_label("Source link").fill("not a [link](#x)")
    page.get_by_role("button", name="Save pledge").click()
    page.get_by_text("problem(s): nothing was saved").wait_for(timeout=30_000)
    # Typed text is shown as typed, in the list and beside the field.
    quoted = "Source link 'not a [link](#x)' is not a web address"
    assert quoted in page.get_by_role("alert").inner_text()
    beside = page.locator('[data-testid="stCaptionContainer"]').filter(has_text=quoted)
    assert beside.count() == 1
    page.set_viewport_size({"width": 1400, "height": 700})
    field = page.get_by_role("textbox", name="Announced on *")
    message = page.locator('[data-testid="stCaptionContainer"]').filter(
        has_text="Announced on is required"
    )
    assert field.bounding_box()["y"] > 700  # below the fold, under the list
    page.get_by_role("link", name="Announced on").click()
    page.wait_for_function("location.hash === '#edit-announced-on'")
    page.wait_for_timeout(500)
    # The field's message just below the app's header, the field under it, both on screen.
    header = page.locator('[data-testid="stHeader"]').bounding_box()
    assert header["y"] + header["height"] <= message.bounding_box()["y"] < 200
    box = field.bounding_box()
    assert box["y"] + box["height"] < 700
    assert page.locator("#edit-participant-code").count() == 1
    assert_clean(page)


def test_a_link_to_a_pledge_being_changed_opens_the_form_on_it(
    private_server, browser_page, chromium
):
    page = browser_page
    open_pledge_for_editing(page, private_server, "New Zealand · Troops")
    wait_for_input_value(page, "What was pledged *", "Fixture trainers outside Ukraine")
    page.wait_for_url(re.compile(r"pledge=\d+"), timeout=30_000)
    address = page.url

    # A colleague follows the link: signs in, and lands on the same pledge's form.
    other = offline_page(chromium)
    other.goto(address)
    other.get_by_label("Email").fill(LOCAL_EDITOR)
    other.get_by_label("Password", exact=True).fill(PASSWORD)
    other.get_by_role("button", name="Sign in").click()
    wait_for_input_value(other, "What was pledged *", "Fixture trainers outside Ukraine")
    assert picker_label(other).startswith("New Zealand · Troops")
    assert_clean(other)
