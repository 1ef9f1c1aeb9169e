"""Signing in, roles in the navigation, and editing pledges through the real Streamlit runtime."""

from __future__ import annotations

import pytest
from sqlalchemy import func
from sqlmodel import select

from coalition.auth import SIGN_IN_FAILED, Actor
from coalition.bootstrap import initialise_database
from coalition.pledges import update_pledge
from db.engine import create_db_engine, read_session, write_session
from db.models import AuditEvent, Pledge
from tests.conftest import ADMIN, FIXTURE_DATA, LOCAL_EDITOR, VIEWER, add_accounts
from tests.test_app import metric, start_app


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


def open_editor(monkeypatch, database_url, email=LOCAL_EDITOR):
    at = start_app(monkeypatch, database_url, email=email).run()
    return at.switch_page("../pages/edit_pledges.py").run()


def field(at, kind: str, name: str):
    """The edit form's widget for a field, whatever generation of the form is showing (its
    keys are renewed whenever the form is filled for another pledge)."""
    return next(w for w in getattr(at, kind) if (w.key or "").split(":")[0] == f"edit_field_{name}")


def fill_new_pledge(at, **overrides):
    values = {
        "description": "Frigate for Black Sea patrols",
        "source": "Danish Ministry of Defence",
        "reason": "Announced at the press conference",
        "url": "https://example.org/press",
        "announced": "2025-09-04",
    } | overrides
    for name, value in values.items():
        field(at, "text_input", name).input(value)
    return at


def count(engine, table) -> int:
    with read_session(engine) as session:
        return session.exec(select(func.count()).select_from(table)).one()


def test_an_editor_records_a_pledge_and_the_overview_shows_it(monkeypatch, database_url):
    at = open_editor(monkeypatch, database_url)
    field(at, "selectbox", "category").set_value("troops")
    at.run()
    fill_new_pledge(at)
    field(at, "selectbox", "participant").set_value("FRA")
    field(at, "selectbox", "status").set_value("committed")
    field(at, "number_input", "quantity").set_value(400)
    at.button[0].click().run()
    assert not at.exception
    assert at.success and at.success[0].value.startswith("Saved pledge")
    at.switch_page("../pages/overview.py").run()
    assert metric(at, "Troops (known sizes)") == "500"  # New Zealand's 100 + these 400


def test_every_problem_shows_on_its_field_and_nothing_is_written(monkeypatch, sqlite_url):
    at = open_editor(monkeypatch, sqlite_url)
    fill_new_pledge(at, description="", url="not a link", reason="")
    field(at, "number_input", "quantity").set_value(-5)
    engine = create_db_engine(sqlite_url)
    before = count(engine, Pledge)
    at.button[0].click().run()
    messages = [c.value for c in at.caption if c.value.startswith(":red[")]
    assert ":red[What was pledged is required]" in messages
    assert ":red[Quantity cannot be negative]" in messages
    assert any("Source link 'not a link' is not a web address" in m for m in messages)
    assert any(m.startswith(":red[Reason is required") for m in messages)
    assert at.error[0].value.startswith("4 problem(s): nothing was saved")
    assert count(engine, Pledge) == before
    engine.dispose()


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("9999-01-01", "9999-01-01 is outside 2025-01-01 to 2035-12-31"),
        ("1899/01/01", "'1899/01/01' is not a valid date (expected YYYY-MM-DD)"),
        ("2025-02-30", "'2025-02-30' is not a valid date (expected YYYY-MM-DD)"),
        ("", "is required"),
    ],
)
def test_a_date_is_saved_exactly_as_typed_or_not_at_all(monkeypatch, sqlite_url, typed, message):
    at = open_editor(monkeypatch, sqlite_url)
    fill_new_pledge(at, announced=typed)
    field(at, "number_input", "quantity").set_value(40)
    engine = create_db_engine(sqlite_url)
    before = count(engine, Pledge)
    at.button[0].click().run()
    messages = [c.value for c in at.caption if c.value.startswith(":red[")]
    assert f":red[Announcement date {message}]" in messages
    assert at.error[0].value.startswith("1 problem(s): nothing was saved"), messages
    assert count(engine, Pledge) == before
    engine.dispose()


def test_a_mistyped_day_to_take_effect_is_named_and_nothing_is_written(monkeypatch, sqlite_url):
    at = open_editor(monkeypatch, sqlite_url)
    fill_new_pledge(at, effective="2025-13-01")
    field(at, "number_input", "quantity").set_value(40)
    engine = create_db_engine(sqlite_url)
    before = count(engine, Pledge)
    at.button[0].click().run()
    messages = [c.value for c in at.caption if c.value.startswith(":red[")]
    assert ":red[Effective on '2025-13-01' is not a valid date (expected YYYY-MM-DD)]" in messages
    assert count(engine, Pledge) == before
    engine.dispose()


def test_a_conflicting_save_shows_both_and_reapplies_without_losing_either(
    monkeypatch, database_url
):
    at = open_editor(monkeypatch, database_url)
    engine = create_db_engine(database_url)
    with read_session(engine) as session:
        pledge = session.exec(
            select(Pledge).where(Pledge.participant_code == "NZL", Pledge.category == "troops")
        ).one()
        pledge_id = pledge.id
    at.radio(key="edit_mode").set_value("Change an existing pledge").run()
    at.selectbox(key="edit_pledge_id").set_value(pledge_id).run()
    # Meanwhile another editor changes the conditions.
    with write_session(engine) as session:
        update_pledge(
            session,
            actor=Actor("b@example.org"),
            pledge_id=pledge_id,
            expected_version=1,
            changes={"conditions": "UK-led programme"},
            reason="Detail from the embassy",
        )
    field(at, "number_input", "quantity").set_value(120)
    field(at, "text_input", "reason").input("Six more trainers")
    at.button[0].click().run()
    assert "Someone saved this pledge while you were editing it" in at.warning[0].value
    table = at.dataframe[0].value.set_index("field")
    assert table.loc["conditions", "they saved"] == "UK-led programme"
    assert table.loc["quantity", "you want"] == "120"
    at.button(key="edit_reapply").click().run()
    assert at.success[0].value.startswith(f"Saved pledge {pledge_id} (version 3)")
    with read_session(engine) as session:
        saved = session.get(Pledge, pledge_id)
        assert (saved.quantity, saved.conditions) == (120, "UK-led programme")
    engine.dispose()


def test_the_admin_audit_page_lists_events_and_offers_csv(monkeypatch, sqlite_url):
    at = start_app(monkeypatch, sqlite_url, email=ADMIN).run()
    at.switch_page("../pages/audit.py").run()
    assert page_titles(at) == ["Audit log"]
    events = at.dataframe[0].value
    assert {"pledge.create", "seed.load", "account.add"} <= set(events["action"])
    at.selectbox(key="audit_action").set_value("account.").run()
    assert set(at.dataframe[0].value["action"]) == {"account.add"}
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
    assert page_titles(at) == ["Coalition of the willing: pledges overview"]
