"""The Ranking page in a real browser: it opens at its own address, today and as of a past
day, with its tables and no error."""

from __future__ import annotations

import pytest

from tests.support.browser import assert_clean


@pytest.mark.parametrize("query", ["", "?as_of=2025-03-03"], ids=["today", "3-mar-2025"])
def test_the_ranking_page_opens_with_its_tables_and_no_error(server, browser_page, query):
    page = browser_page
    page.goto(f"{server}/ranking{query}")
    page.get_by_role("heading", name="Institutions and Ukraine").wait_for(timeout=30_000)
    page.get_by_role("heading", name="Coverage: who has offered what").wait_for(timeout=30_000)
    if query:
        page.get_by_text("as it stood on 03 March 2025").first.wait_for(timeout=30_000)
    page.get_by_text("not offered troops").first.wait_for(timeout=30_000)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.locator('[data-testid="stAlertContentError"]').count() == 0
    # The rankings of the countries and of the institutions and Ukraine, and the coverage.
    tables = page.locator('[data-testid="stDataFrame"]')
    tables.nth(2).wait_for(timeout=30_000)
    assert tables.count() == 3
    assert_clean(page)
