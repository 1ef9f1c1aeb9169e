"""Who may open which page under AppTest: signing in and out, roles, anonymous reading, the
identity provider, the audit page."""

from __future__ import annotations

import pytest
from sqlmodel import select

from coalition.access.auth import SIGN_IN_FAILED
from coalition.bootstrap import initialise_database
from db.engine import create_db_engine, read_session
from db.models import AuditEvent
from tests.support.accounts import ADMIN, LOCAL_EDITOR, VIEWER, add_accounts
from tests.support.app import start_app
from tests.support.data import FIXTURE_DATA


def page_titles(at) -> list[str]:
    return [t.value for t in at.title]


def test_a_viewer_has_no_edit_or_audit_page(monkeypatch, sqlite_url):
    at = start_app(monkeypatch, sqlite_url, email=VIEWER).run()
    for page in ("../pages/edit_pledges.py", "../pages/audit.py"):
        with pytest.raises(ValueError):
            at.switch_page(page)


def test_without_an_account_only_the_sign_in_page_exists(monkeypatch, sqlite_url):
    at = start_app(monkeypatch, sqlite_url, email=None).run()
    assert page_titles(at) == ["Sign in to the Coalition Tracker"]
    with pytest.raises(ValueError):
        at.switch_page("../pages/overview.py")


def test_anonymous_reading_when_the_setting_allows_it(monkeypatch, sqlite_url):
    monkeypatch.setenv("COALITION_ANONYMOUS_READ", "true")
    at = start_app(monkeypatch, sqlite_url, email=None).run()
    assert page_titles(at) == ["Coalition of the willing: pledges overview"]
    with pytest.raises(ValueError):
        at.switch_page("../pages/edit_pledges.py")


def test_the_sign_in_page_posts_to_the_server_and_keeps_where_it_was_going(monkeypatch, sqlite_url):
    at = start_app(monkeypatch, sqlite_url, email=None)
    at.query_params["next"] = '/participant?code=NZL&x="><script>'
    at.run()
    assert page_titles(at) == ["Sign in to the Coalition Tracker"]
    (form,) = [h.proto.body for h in at.get("html")]
    # A real HTTP post (only a response can set the HttpOnly cookie), back to the page asked for.
    assert '<form class="sign-in" method="post" action="/auth/sign-in">' in form
    assert 'value="/participant?code=NZL&amp;x=&quot;&gt;&lt;script&gt;"' in form
    assert "<script>" not in form


def test_a_failed_sign_in_comes_back_with_the_one_generic_message(monkeypatch, sqlite_url):
    at = start_app(monkeypatch, sqlite_url, email=None)
    at.query_params.update({"failed": "1", "next": "/"})
    at.run()
    assert [e.value for e in at.error] == [SIGN_IN_FAILED]
    at.query_params["wait"] = "8"
    at.run()
    assert [e.value for e in at.error] == [SIGN_IN_FAILED + " Try again in 8 seconds."]


def test_signing_out(monkeypatch, sqlite_url):
    at = start_app(monkeypatch, sqlite_url, email=LOCAL_EDITOR).run()
    assert any(f"Signed in as `{LOCAL_EDITOR}` (editor)" in c.value for c in at.sidebar.caption)
    at.switch_page("../pages/edit_pledges.py").run()
    assert page_titles(at) == ["Edit pledges"]
    at.sidebar.button(key="shell_sign_out").click().run()
    assert page_titles(at) == ["Sign in to the Coalition Tracker"]
    engine = create_db_engine(sqlite_url)
    with read_session(engine) as session:
        actions = session.exec(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-1] == "auth.sign_out"
    engine.dispose()


def test_the_admin_audit_page_lists_events_and_offers_csv(monkeypatch, sqlite_url):
    at = start_app(monkeypatch, sqlite_url, email=ADMIN).run()
    at.switch_page("../pages/audit.py").run()
    assert page_titles(at) == ["Audit log"]
    events = at.dataframe[0].value
    assert {"pledge.create", "seed.load", "account.add"} <= set(events["action"])
    at.selectbox(key="audit_action").set_value("account.").run()
    assert set(at.dataframe[0].value["action"]) == {"account.add"}
    # Imports, reference data, snapshots and tokens can be picked out too.
    assert {"Imports", "Reference data changes", "Snapshot exports", "API tokens"} <= set(
        at.selectbox(key="audit_action").options
    )
    at.selectbox(key="audit_action").set_value("seed.").run()
    assert set(at.dataframe[0].value["action"]) == {"seed.load"}
    # Days typed as everywhere else; one that is no day is named and not applied.
    at.text_input(key="audit_until").input("2024-01-01").run()
    assert at.dataframe[0].value.empty  # nothing was recorded by then
    at.text_input(key="audit_until").input("yesterday").run()
    assert [e.value for e in at.error] == [
        "'yesterday' is not a valid date (expected YYYY-MM-DD): not applied."
    ]
    assert set(at.dataframe[0].value["action"]) == {"seed.load"}
    at.text_input(key="audit_until").input("").run()
    assert len(at.get("download_button")) == 1
    at.button(key="audit_backup_prepare").click().run()
    assert len(at.get("download_button")) == 2  # the audit CSV and now the backup


def test_identity_provider_sign_in_maps_emails_to_our_roles(monkeypatch, sqlite_url):
    at = start_app(monkeypatch, sqlite_url, email=None)
    engine = create_db_engine(sqlite_url)
    initialise_database(engine, FIXTURE_DATA)
    add_accounts(engine)
    engine.dispose()
    at.secrets["auth"] = {
        "client_id": "x",
        "client_secret": "y",
        "redirect_uri": "http://l",
        "cookie_secret": "z",
        "server_metadata_url": "http://l/.well-known",
    }
    at.user = {"is_logged_in": True, "email": "A@example.org"}
    at.run()
    at.switch_page("../pages/edit_pledges.py").run()
    assert page_titles(at) == ["Edit pledges"]
    at.user = {"is_logged_in": True, "email": "stranger@example.org"}
    at.run()
    assert page_titles(at) == ["Sign in to the Coalition Tracker"]
    monkeypatch.setenv("COALITION_OIDC_DEFAULT_ROLE", "viewer")
    at.run()
    # Still at the editing page's address, now as a viewer: the page says it is not theirs.
    assert page_titles(at) == ["Edit pledges"]
    assert [e.value for e in at.error] == [
        "This page is for editors and admins: you are signed in as `stranger@example.org`, "
        "a viewer. If you need it, ask an admin for the editor role."
    ]
    assert not at.main.get("text_input")  # no form: the search box in the sidebar is all
