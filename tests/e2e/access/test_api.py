"""The read-only HTTP endpoints, on the real server: the same roles as the pages, the same
bytes as the Snapshots page for the same parameters, clear refusals, audited."""

from __future__ import annotations

import io
from datetime import date

import feedparser
import openpyxl
import pandas as pd
import pytest
import requests
from sqlmodel import select

from coalition.access import auth, tokens
from coalition.access.auth import Actor
from coalition.notify import digest, subscriptions
from coalition.output import feed, workbook
from coalition.output.snapshots import build_snapshot, pin_known_at
from coalition.read.filters import PledgeFilter, filters_from_query, filters_to_query
from db.engine import create_db_engine, read_session, write_session
from db.models import AuditEvent
from tests.support.accounts import ADMIN, VIEWER
from tests.support.data import run_cli
from tests.support.pledges import change

# Sessions, sign-in attempts and audit entries live in the database: these run on both.
pytestmark = pytest.mark.both_databases


@pytest.fixture
def token(private_server, database_url) -> str:
    engine = create_db_engine(database_url)
    with write_session(engine) as session:
        made = tokens.create_token(session, actor=Actor(VIEWER), email=VIEWER, name="notebook")
    engine.dispose()
    return made


def get(base: str, path: str, token: str | None = None, **params) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.get(f"{base}{path}", params=params, headers=headers, timeout=60)


def test_the_snapshot_endpoint_gives_the_pages_bytes_for_the_pages_parameters(
    private_server, database_url, token
):
    # A view as the Snapshots page would hold it, and the address that shares it.
    view = PledgeFilter(categories=("troops", "funding"), as_of=date(2025, 9, 30))
    query = filters_to_query(view)
    assert filters_from_query(query) == view
    engine = create_db_engine(database_url)
    with read_session(engine) as session:
        known_at = pin_known_at(session, "")
        expected = build_snapshot(session, view, known_at).csv
    engine.dispose()
    response = get(private_server, "/api/v1/snapshot.csv", token, **query)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.content == expected
    assert response.headers["x-snapshot-known-at"].startswith(known_at.strftime("%Y-%m-%dT%H"))
    # Named for what it holds, and saying how fresh the record is.
    assert response.headers["content-disposition"] == (
        'attachment; filename="coalition-pledges-troops-funding_as-of-2025-09-30_known-'
        f'{known_at:%Y-%m-%dT%H%M}Z.csv"'
    )
    assert response.headers["x-record-as-of"] == "2025-09-30"
    assert response.headers["x-record-newest-announcement"] == "2025-09-04"
    assert response.headers["x-record-may-be-out-of-date"] == "no"
    assert response.headers["x-record-sources-last-checked"] == "never"  # the fixture's
    # pandas reads it as the README shows.
    frame = pd.read_csv(io.BytesIO(response.content))
    assert set(frame["category"]) <= {"troops", "funding"} and len(frame) > 0
    # Issued again with the manifest's pin: the identical file.
    again = get(
        private_server,
        "/api/v1/snapshot.csv",
        token,
        known_at=response.headers["x-snapshot-known-at"],
        **query,
    )
    assert again.content == expected
    assert again.headers["x-snapshot-sha256"] == response.headers["x-snapshot-sha256"]


def test_the_workbook_endpoint_matches_the_csv_for_the_same_parameters_and_is_logged(
    private_server, database_url, token
):
    query = filters_to_query(PledgeFilter(categories=("troops",), as_of=date(2025, 9, 30)))
    csv_file = get(private_server, "/api/v1/snapshot.csv", token, **query)
    response = get(
        private_server,
        "/api/v1/snapshot.xlsx",
        token,
        known_at=csv_file.headers["x-snapshot-known-at"],
        **query,
    )
    assert response.status_code == 200, response.text[:300]
    assert response.headers["content-type"] == workbook.MEDIA_TYPE
    assert response.headers["content-disposition"] == csv_file.headers[
        "content-disposition"
    ].replace(".csv", ".xlsx")
    assert response.headers["x-snapshot-csv-sha256"] == csv_file.headers["x-snapshot-sha256"]
    opened = openpyxl.load_workbook(io.BytesIO(response.content))
    assert opened.sheetnames == list(workbook.SHEETS)
    pledges = list(opened["Pledges"].iter_rows(values_only=True))
    table = pd.read_csv(io.BytesIO(csv_file.content))
    assert [row[0] for row in pledges[1:]] == table["pledge_id"].tolist()
    about = dict(list(opened["About"].iter_rows(values_only=True))[1:])
    assert about["csv_sha256"] == csv_file.headers["x-snapshot-sha256"]
    engine = create_db_engine(database_url)
    with read_session(engine) as session:
        logged = session.exec(
            select(AuditEvent).where(AuditEvent.action == "snapshot.export")
        ).all()
    engine.dispose()
    assert [entry.details.get("format") for entry in logged] == [None, "xlsx"]
    assert {entry.actor for entry in logged} == {VIEWER}


def test_the_changes_feed_reads_in_a_feed_reader_with_a_token(private_server, database_url, token):
    engine = create_db_engine(database_url)
    ships = change(engine, "FRA", "ships", {"quantity": 3}, reason="A third minehunter")
    change(engine, "NZL", "troops", {"quantity": 150})
    engine.dispose()
    response = get(private_server, "/api/v1/changes.atom", token, participant="FRA")
    assert response.status_code == 200, response.text[:300]
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo and parsed.version == "atom10"
    (entry,) = parsed.entries
    assert entry.title == "Revised: France, ships — Fixture minehunters"
    assert "Why: A third minehunter" in entry.summary
    # Its links are this server's: the pledge's history.
    assert entry.link == f"{private_server}/participant?code=FRA&pledge={ships}"
    assert get(private_server, "/api/v1/changes.atom").status_code == 401
    wrong = get(private_server, "/api/v1/changes.atom", token, participant="Atlantis")
    assert wrong.status_code == 400
    assert wrong.json()["problems"][0].startswith("participant: 'Atlantis' is not a participant")


def test_a_feed_reads_with_its_own_key_in_its_address_and_nothing_else(
    private_server, database_url, token
):
    engine = create_db_engine(database_url)
    with write_session(engine) as session:
        key = tokens.create_token(
            session, actor=Actor(VIEWER), email=VIEWER, name="reader", kind="feed"
        )
    address = feed.feed_address(private_server, ["FRA"], ["ships"], key)
    assert requests.get(address, timeout=60).status_code == 200
    # The key reads the feed only, and an API token is no feed's key.
    assert get(private_server, "/api/v1/pledges.json", key).status_code == 401
    assert get(private_server, "/api/v1/changes.atom", key=token).status_code == 401
    with write_session(engine) as session:
        (made,) = [t for t in tokens.tokens_of(session, VIEWER) if t["kind"] == "feed"]
        tokens.revoke_token(session, actor=Actor(VIEWER), token_id=made["id"])
    engine.dispose()
    revoked = requests.get(address, timeout=60)
    assert revoked.status_code == 401
    assert revoked.json() == {
        "error": "this feed's key is unknown, revoked or its account disabled"
    }


def test_the_unsubscribe_link_works_without_signing_in(private_server, database_url):
    engine = create_db_engine(database_url)
    with write_session(engine) as session:
        made = subscriptions.subscribe(
            session, actor=Actor(VIEWER), frequency="daily", participants=["FRA"]
        )
        token = subscriptions.unsubscribe_token(session, made.id, VIEWER)
    link = digest.unsubscribe_url(private_server, made.id, token)
    # Opening it (as a mail scanner does) changes nothing: it asks.
    asked = requests.get(link, timeout=60)
    assert asked.status_code == 200 and "<button>Unsubscribe</button>" in asked.text
    wrong = link[:-1] + ("1" if link.endswith("0") else "0")  # one character off
    assert requests.get(wrong, timeout=60).status_code == 404
    # A mail program's one-click unsubscribe (RFC 8058) posts to the link itself.
    done = requests.post(link, data={"List-Unsubscribe": "One-Click"}, timeout=60)
    assert done.status_code == 200 and "No more digests will be sent" in done.text
    with read_session(engine) as session:
        assert subscriptions.subscription_of(session, VIEWER) is None
    engine.dispose()
    again = requests.post(link, data={"List-Unsubscribe": "One-Click"}, timeout=60)
    assert again.status_code == 404 and "names no digest" in again.text


def test_the_json_endpoints(private_server, token):
    pledges = get(private_server, "/api/v1/pledges.json", token, scope="all").json()
    assert pledges["columns"][:3] == ["pledge_id", "version", "participant_code"]
    assert pledges["columns"][-2:] == ["counts_as_offer", "checked_on"]
    assert set(pledges["freshness"]) == {
        "as_of",
        "newest_announcement",
        "sources_last_checked",
        "may_be_out_of_date",
    }
    assert {p["participant_code"] for p in pledges["pledges"]} >= {"GBR", "NZL"}
    assert all("@" not in (p["recorded_by"] or "") for p in pledges["pledges"])
    participants = get(private_server, "/api/v1/participants.json", token).json()
    assert len(participants["participants"]) == 7


def test_anonymous_revoked_and_disabled_callers_are_refused_and_audited(
    private_server, database_url, token
):
    assert get(private_server, "/api/v1/pledges.json").status_code == 401
    assert get(private_server, "/api/v1/pledges.json", "ct_forged").status_code == 401
    engine = create_db_engine(database_url)
    with write_session(engine) as session:
        auth.set_disabled(session, actor=Actor(ADMIN), email=VIEWER, disabled=True)
    refused = get(private_server, "/api/v1/snapshot.csv", token)
    assert refused.status_code == 401
    assert refused.json() == {"error": "that token is unknown, revoked or its account disabled"}
    with write_session(engine) as session:
        auth.set_disabled(session, actor=Actor(ADMIN), email=VIEWER, disabled=False)
    # Enabled again, the account's old token stays revoked: a new one works.
    assert get(private_server, "/api/v1/pledges.json", token).status_code == 401
    with write_session(engine) as session:
        fresh = tokens.create_token(session, actor=Actor(VIEWER), email=VIEWER, name="again")
    assert get(private_server, "/api/v1/pledges.json", fresh).status_code == 200
    with write_session(engine) as session:
        mine = [t for t in tokens.tokens_of(session, VIEWER) if not t["revoked"]]
        tokens.revoke_token(session, actor=Actor(VIEWER), token_id=mine[0]["id"])
    assert get(private_server, "/api/v1/pledges.json", fresh).status_code == 401
    with read_session(engine) as session:
        reasons = session.exec(
            select(AuditEvent.details).where(AuditEvent.action == "api.refused")
        ).all()
    assert len(reasons) == 5
    engine.dispose()


@pytest.mark.parametrize("lockdown", ["sign-out-everywhere", "set-password"])
def test_a_token_dies_with_its_accounts_sessions(private_server, database_url, token, lockdown):
    """Signing an account out everywhere, or giving it a new password, ends its tokens too:
    a leaked token must not outlive the lockdown its cookie gets."""
    assert get(private_server, "/api/v1/pledges.json", token).status_code == 200
    args = ["users", lockdown, VIEWER]
    result = run_cli(database_url, *args, stdin="another long passphrase for the viewer\n")
    assert result.returncode == 0, result.stderr
    refused = get(private_server, "/api/v1/pledges.json", token)
    assert refused.status_code == 401
    assert refused.json() == {"error": "that token is unknown, revoked or its account disabled"}


def test_bad_parameters_are_named(private_server, token):
    response = get(
        private_server, "/api/v1/pledges.json", token, category="tanks", as_of="2025-13-01"
    )
    assert response.status_code == 400
    assert response.json()["problems"] == [
        "as_of: '2025-13-01' is not a valid date (expected YYYY-MM-DD)",
        "category: 'tanks' is not one of: funding, troops, aircraft, ships, other",
    ]
    bad_pin = get(private_server, "/api/v1/snapshot.csv", token, known_at="yesterday")
    assert bad_pin.status_code == 400
    # Once each a 500 with a traceback: a NUL byte in a region (PostgreSQL cannot compare
    # it), times past the calendar in UTC, and a time still to come (a file that could change).
    for params, problem in (
        ({"region": "Europe\x00"}, "region: contains a NUL character"),
        (
            {"known_at": "9999-12-31T23:59:59-01:00"},
            "known_at: '9999-12-31T23:59:59-01:00' is out",
        ),
        (
            {"known_at": "0001-01-01T00:00:00+01:00"},
            "known_at: '0001-01-01T00:00:00+01:00' is out",
        ),
        ({"known_at": "2099-01-01T00:00:00Z"}, "known_at: '2099-01-01T00:00:00Z' is in the future"),
    ):
        for path in ("/api/v1/snapshot.csv", "/api/v1/snapshot.xlsx", "/api/v1/pledges.json"):
            response = get(private_server, path, token, **params)
            assert response.status_code == 400, (path, params, response.text[:200])
            (named,) = response.json()["problems"]
            assert named.startswith(problem)
