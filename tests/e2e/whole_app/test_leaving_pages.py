"""Leaving a page before the browser has fetched all it asked for, in a real browser: what the
page asked for is still there. (The About page's screenshots were per-run media files, which
the next page's run deleted: on a busy machine the browser's late requests got 404s.)"""

from __future__ import annotations

from tests.support.accounts import VIEWER
from tests.support.browser import assert_clean, sign_in, wait_for_run_to_end


def test_the_about_pages_images_can_still_be_fetched_after_leaving_it(module_server, browser_page):
    page = browser_page
    sign_in(page, module_server, VIEWER, path="/snapshots", marker="Other tables")
    # Hold back every image request, as a slow browser would, until the page has been left.
    held = []
    page.route("**/*.png", lambda route: held.append(route))
    navigation = page.locator('[data-testid="stSidebarNav"]')
    navigation.get_by_role("link", name="About the data", exact=True).click()
    page.get_by_text("Planning figures for the force").first.wait_for(timeout=30_000)
    page.wait_for_function("() => document.querySelectorAll('img[alt^=\"Screenshot\"]').length")
    wait_for_run_to_end(page)
    navigation.get_by_role("link", name="Overview", exact=True).click()
    page.get_by_text("Pledges by region").first.wait_for(timeout=30_000)
    wait_for_run_to_end(page)
    assert held, "the About page asked for no image"
    with page.expect_response(lambda r: r.url == held[-1].request.url):
        for route in held:
            route.continue_()
    assert_clean(page)
