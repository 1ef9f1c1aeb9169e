"""Search in a real browser: typed into the sidebar, the results are grouped on the Search
page, a result opens its participant's page, and an over-long search is refused."""

from __future__ import annotations

from tests.support.accounts import VIEWER
from tests.support.browser import assert_clean, settle, sign_in

# Any page has the sidebar's search; this one draws no chart and sends no file with the page,
# so a new tab opens it quickly.
LIGHT_PAGE = "/search"


def search_from_the_sidebar(page, text: str) -> None:
    box = page.locator('[data-testid="stSidebar"]').get_by_label("Search", exact=True)
    box.fill(text)
    box.press("Enter")


def test_a_search_from_the_sidebar_lists_results_that_open_the_participant(
    private_server, browser_page
):
    page = browser_page
    sign_in(page, private_server, VIEWER, path=LIGHT_PAGE, marker="Search the record")
    search_from_the_sidebar(page, "MINEHUNTERS")
    page.get_by_text("Search the record").wait_for(timeout=30_000)
    main = page.locator('[data-testid="stMain"]')
    main.get_by_role("heading", name="Pledges (1)").wait_for(timeout=30_000)
    main.get_by_role("heading", name="Meetings (0)").wait_for()
    main.get_by_role("heading", name="Participants (0)").wait_for()
    settle(page)
    # The search is in the address: a link that can be shared.
    assert "q=MINEHUNTERS" in page.url
    main.get_by_text("Matched in description").wait_for()

    main.get_by_role("link", name="France: Fixture minehunters").click()
    page.get_by_role("heading", name="Meetings attended").wait_for(timeout=30_000)
    page.get_by_role("heading", name="France", exact=True).wait_for()
    assert "/participant" in page.url and "code=FRA" in page.url

    # A participant found by name, whatever the case.
    search_from_the_sidebar(page, "zealand")
    page.get_by_role("heading", name="Participants (1)").wait_for(timeout=30_000)
    # Its pledges are listed too, each linking to it; the participant's own link first.
    page.locator('[data-testid="stMain"]').get_by_role(
        "link", name="New Zealand", exact=True
    ).click()
    page.get_by_role("heading", name="New Zealand", exact=True).wait_for(timeout=30_000)
    assert "code=NZL" in page.url
    assert page.locator('[data-testid="stException"]').count() == 0
    assert_clean(page)


def test_a_search_of_more_than_a_thousand_characters_is_refused(private_server, browser_page):
    page = browser_page
    sign_in(page, private_server, VIEWER, path=LIGHT_PAGE, marker="Search the record")
    search_from_the_sidebar(page, "x" * 1_001)
    page.get_by_text("is 1,001 characters long; a search may be at most 1,000").wait_for(
        timeout=30_000
    )
    assert page.locator('[data-testid="stMain"] [data-testid="stPageLink"]').count() == 0
    assert page.locator('[data-testid="stException"]').count() == 0
    assert_clean(page)
