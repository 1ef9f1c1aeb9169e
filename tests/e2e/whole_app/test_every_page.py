"""Every page, for every role, in a real browser: it renders, raises nothing, asks no other
host for anything and logs no console error."""

from __future__ import annotations

import pytest

from tests.support.accounts import ADMIN, LOCAL_EDITOR, VIEWER
from tests.support.browser import NAVIGATION, RANK, assert_clean, sign_in

ACCOUNTS = {"viewer": VIEWER, "editor": LOCAL_EDITOR, "admin": ADMIN}


@pytest.mark.parametrize("role", ["viewer", "editor", "admin"])
def test_every_page_a_role_may_use_renders_cleanly(module_server, browser_page, role):
    page = browser_page
    sign_in(page, module_server, ACCOUNTS[role])
    navigation = page.locator('[data-testid="stSidebarNav"]')
    for label, marker, least in NAVIGATION:
        link = navigation.get_by_role("link", name=label, exact=True)
        if RANK[role] < RANK[least]:
            assert link.count() == 0, f"{role} must not see {label}"
            continue
        link.click()
        page.get_by_text(marker).first.wait_for(timeout=30_000)
        assert page.locator('[data-testid="stException"]').count() == 0, label
    assert_clean(page)
