"""The front door: a freshly started server's very first visitor gets the sign-in form, never
Streamlit's legacy list of page files, and the first admin's password is on the console
before anyone visits."""

from __future__ import annotations

from sqlmodel import select

from bench.server import app_server
from db.engine import create_db_engine, read_session
from db.models import AuditEvent
from tests.support.accounts import VIEWER
from tests.support.browser import assert_clean, sign_in
from tests.support.data import FIXTURE_DATA

# The page files' names as Streamlit's legacy multipage sidebar would list them.
LEGACY_NAMES = ("audit", "edit pledges", "import pledges", "reference data", "sign in")


def test_the_first_visit_after_each_of_five_fresh_starts_is_the_sign_in_form(
    tmp_path, browser_page
):
    page = browser_page
    for start in range(5):
        url = f"sqlite:///{tmp_path / f'start-{start}.db'}"
        log = tmp_path / f"server-{start}.log"
        with app_server(url, log, COALITION_DATA_DIR=str(FIXTURE_DATA)) as base:
            page.console_errors.clear()
            page.failed_responses.clear()
            # Printed at start-up, before the first visitor.
            assert "Created the first admin account admin@localhost" in log.read_text()
            page.goto(base)
            page.get_by_role("heading", name="Sign in to the Coalition Tracker").wait_for(
                timeout=30_000
            )
            page.get_by_label("Email").wait_for(timeout=30_000)
            # No list of page files: a signed-out visitor has one page and no navigation.
            links = page.locator('[data-testid="stSidebarNavLink"]').all_inner_texts()
            assert not any(name in link.lower() for link in links for name in LEGACY_NAMES)
            assert links == []
            assert not page.locator('[data-testid="stException"]').count()
            assert_clean(page)
            page.goto("about:blank")  # leave before this server stops


def test_a_copied_address_opens_the_same_view(server, browser_page):
    page = browser_page
    page.goto(f"{server}/overview")
    page.get_by_text("Pledges by region").wait_for(timeout=30_000)
    page.locator('[data-testid="stSidebar"]').get_by_text("Include bilateral aid").click()
    page.wait_for_function("() => location.search.includes('scope=')", timeout=30_000)
    shared = page.url
    assert "scope=reassurance_force%2Ccoalition_support%2Cbilateral" in shared or "scope=" in shared
    other = page.context.browser.new_context().new_page()
    other.goto(shared)
    other.get_by_text("Pledges by region").wait_for(timeout=30_000)
    caption = other.get_by_text("Showing ").first.inner_text()
    assert "bilateral aid not counted" not in caption and "bilateral aid included" in caption


def test_a_page_beyond_ones_role_says_so_and_is_audited(private_server, database_url, browser_page):
    """A viewer following an editor's link to the Edit page: once Streamlit's "Page not
    found", now the page's own refusal, naming the role it needs and who is asking."""
    page = browser_page
    sign_in(page, private_server, VIEWER)
    page.goto(f"{private_server}/edit_pledges")
    page.get_by_text("This page is for editors and admins").wait_for(timeout=30_000)
    assert page.get_by_text(f"you are signed in as {VIEWER}, a viewer").count() == 1
    assert page.get_by_text("Page not found").count() == 0
    assert page.get_by_label("What was pledged").count() == 0  # no form
    # Not offered in the navigation either.
    links = page.locator('[data-testid="stSidebarNavLink"]').all_inner_texts()
    assert not any("Edit pledges" in link for link in links)
    page.get_by_role("link", name="Go to the overview").click()
    page.get_by_text("Pledges by region").wait_for(timeout=30_000)
    engine = create_db_engine(database_url)
    with read_session(engine) as session:
        refused = session.exec(select(AuditEvent).where(AuditEvent.action == "page.refused")).all()
    engine.dispose()
    assert [(e.actor, e.details) for e in refused] == [
        (VIEWER, {"page": "edit_pledges", "role": "viewer", "required": "editor"})
    ]
    assert_clean(page)
