"""Sign-in that survives: a server-side session behind an HttpOnly cookie, checked with the
real server (HTTP and Chromium). Forged, revoked and cross-site attempts sign nobody in."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from sqlmodel import select

from coalition.access import auth
from coalition.access.auth import Actor
from db.engine import create_db_engine, read_session, write_session
from db.models import AuditEvent, WebSession
from tests.support.accounts import ADMIN, LOCAL_EDITOR, PASSWORD, VIEWER
from tests.support.browser import assert_clean

# Sessions, sign-in attempts and audit entries live in the database: these run on both.
pytestmark = pytest.mark.both_databases


def post_sign_in(base: str, email: str, password: str, **headers: str) -> requests.Response:
    return requests.post(
        f"{base}/auth/sign-in",
        data={"email": email, "password": password, "next": "/participant?code=NZL"},
        headers={"Origin": base, **headers},
        allow_redirects=False,
        timeout=30,
    )


def page_status(base: str, path: str, cookie: str | None) -> tuple[int, str]:
    response = requests.get(
        f"{base}{path}",
        cookies={"coalition_session": cookie} if cookie else {},
        allow_redirects=False,
        timeout=30,
    )
    return response.status_code, response.headers.get("location", "")


def test_signing_in_sets_a_private_cookie_that_goes_back_where_it_was_going(private_server):
    response = post_sign_in(private_server, VIEWER, PASSWORD)
    assert response.status_code == 303
    assert response.headers["location"] == "/participant?code=NZL"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("coalition_session=")
    flags = {part.strip().lower() for part in cookie.split(";")}
    assert {"httponly", "samesite=lax", "path=/"} <= flags
    assert "secure" not in flags  # plain http here; over https (or behind one) it is Secure
    secure = post_sign_in(private_server, VIEWER, PASSWORD, **{"X-Forwarded-Proto": "https"})
    assert "secure" in {p.strip().lower() for p in secure.headers["set-cookie"].split(";")}


def test_a_signed_out_link_goes_to_sign_in_and_a_bad_cookie_signs_nobody_in(private_server):
    status, location = page_status(private_server, "/participant?code=NZL", None)
    assert (status, location) == (303, "/?next=%2Fparticipant%3Fcode%3DNZL")
    for forged in ("x" * 43, "", "../../etc", "a" * 500):
        assert page_status(private_server, "/timeline", forged) == (303, "/?next=%2Ftimeline")
    # The first page lives at the root; its own name goes there, keeping the query.
    assert page_status(private_server, "/overview?as_of=2025-06-01", None) == (
        303,
        "/?as_of=2025-06-01",
    )
    # The sign-in page itself, the health check and Streamlit's files are open to all.
    assert page_status(private_server, "/", None)[0] == 200
    assert requests.get(f"{private_server}/healthz", timeout=30).text == "ok"


def test_a_cross_site_post_is_refused_and_audited(private_server, database_url):
    for headers in ({"Origin": "https://evil.example"}, {"Origin": "null"}, {"Origin": ""}):
        response = requests.post(
            f"{private_server}/auth/sign-in",
            data={"email": VIEWER, "password": PASSWORD},
            headers=headers,
            allow_redirects=False,
            timeout=30,
        )
        assert response.status_code == 403
        assert "set-cookie" not in response.headers
    engine = create_db_engine(database_url)
    with read_session(engine) as session:
        refused = session.exec(
            select(AuditEvent).where(AuditEvent.action == "auth.cross_site_refused")
        ).all()
        sign_ins = session.exec(select(AuditEvent).where(AuditEvent.action == "auth.sign_in"))
        assert len(refused) == 3 and not sign_ins.all()
    engine.dispose()


def test_quick_wrong_passwords_are_slowed_and_say_so(private_server):
    waits = []
    for _ in range(6):
        response = post_sign_in(private_server, LOCAL_EDITOR, "not the password at all")
        assert response.status_code == 303 and "set-cookie" not in response.headers
        query = parse_qs(urlsplit(response.headers["location"]).query)
        assert query["failed"] == ["1"] and query["next"] == ["/participant?code=NZL"]
        waits.append(query.get("wait", [None])[0])
    assert waits[:3] == [None, None, None] and all(w is not None for w in waits[3:])


def test_signing_out_or_a_role_change_ends_the_session_everywhere(private_server, database_url):
    cookie = post_sign_in(private_server, LOCAL_EDITOR, PASSWORD).cookies["coalition_session"]
    assert page_status(private_server, "/timeline", cookie)[0] == 200
    engine = create_db_engine(database_url)
    with write_session(engine) as session:
        auth.set_role(session, actor=Actor(ADMIN), email=LOCAL_EDITOR, role="viewer")
    # The copied cookie no longer works.
    assert page_status(private_server, "/timeline", cookie) == (303, "/?next=%2Ftimeline")
    with read_session(engine) as session:
        (ended,) = session.exec(select(WebSession)).all()
        assert ended.revoked_reason == "role changed"
        assert len(ended.token_hash) == 64 and cookie not in ended.token_hash  # stored hashed
    engine.dispose()


def test_reload_new_tab_and_deep_link_keep_the_session(private_server, browser_page):
    page = browser_page
    page.goto(f"{private_server}/participant?code=NZL")
    # Signed out: the sign-in form, which then returns to the page asked for.
    page.get_by_label("Email").fill(VIEWER)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="New Zealand").wait_for(timeout=30_000)
    # Back on the page asked for (the address may also name the pledge whose history shows).
    landed = urlsplit(page.url)
    assert (landed.path, parse_qs(landed.query)["code"]) == ("/participant", ["NZL"])
    page.reload()
    page.get_by_role("heading", name="New Zealand").wait_for(timeout=30_000)
    # Another tab of the same browser: a page that has this browser's cookies.
    other = page.context.browser.new_context()
    other.add_cookies(page.context.cookies())
    tab = other.new_page()
    tab.goto(f"{private_server}/timeline")
    tab.get_by_text("Pledged over time").wait_for(timeout=30_000)
    cookie = next(c for c in page.context.cookies() if c["name"] == "coalition_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    # Signing out in one tab ends the session: the other tab's next load asks to sign in.
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("heading", name="Sign in to the Coalition Tracker").wait_for(timeout=30_000)
    tab.goto(f"{private_server}/timeline")
    tab.get_by_role("heading", name="Sign in to the Coalition Tracker").wait_for(timeout=30_000)
    assert_clean(page)
