"""Email digests through a real SMTP server started here, read back: one message per account
whose day has passed and whose followed changes are new, its one link to What changed for
the period, its unsubscribe link; nothing sent when nothing changed; a failure to send
(a server down, an address that bounces, a bad setting) named and left to the next run."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func
from sqlmodel import select

from coalition.access.auth import Actor
from coalition.errors import ValidationFailed
from coalition.notify import subscriptions
from coalition.notify.digest import send_digests
from core import clock
from core.settings import Settings
from db.engine import read_session, write_session
from db.models import AuditEvent, DigestSubscription
from tests.conftest import FIXED_NOW
from tests.support.accounts import VIEWER
from tests.support.data import run_cli
from tests.support.mail import free_port, mail_server, text_of
from tests.support.pledges import backdate_seed, change

BASE = "https://tracker.example.org"
TOMORROW = FIXED_NOW + timedelta(days=1)
pytestmark = pytest.mark.usefixtures("fixed_clock")


def subscribe(engine, email=VIEWER, frequency="daily", **follows):
    with write_session(engine) as session:
        return subscriptions.subscribe(session, actor=Actor(email), frequency=frequency, **follows)


def subscription(engine, email=VIEWER):
    with read_session(engine) as session:
        return subscriptions.subscription_of(session, email)


def send(engine, url, *, when=TOMORROW, **options):
    settings = Settings(database_url="unused", smtp_url=url, base_url=BASE)
    with clock.fixed_at(when):
        return send_digests(engine, settings, **options)


def link_to_changes(text: str) -> dict[str, list[str]]:
    (link,) = re.findall(r"See them in the app: (\S+)", text)
    assert link.startswith(f"{BASE}/changes?")
    return parse_qs(urlsplit(link).query)


def test_one_digest_tells_the_followed_changes_and_links_their_period(engine):
    backdate_seed(engine)
    subscribe(engine, participants=["NZL"], categories=["troops"])
    change(engine, "NZL", "troops", {"quantity": 150}, reason="More trainers")
    change(engine, "FRA", "troops", {"quantity": 50})  # not followed
    with mail_server() as (url, inbox):
        report = send(engine, url)
    assert report.sent == [VIEWER] and report.failed == []
    (message,) = inbox.messages
    assert message["To"] == VIEWER
    assert message["Subject"] == "What changed: 1 change for NZL; Troops"
    text = text_of(message)
    assert "Revised: New Zealand, troops — Fixture trainers outside Ukraine" in text
    assert "Size: 100 → 150 troops" in text and "Why: More trainers" in text
    assert "France" not in text
    assert link_to_changes(text) == {
        "from": [FIXED_NOW.date().isoformat()],
        "to": [TOMORROW.date().isoformat()],
        "by": ["recorded"],
        "category": ["troops"],
        "status": ["all"],
        "scope": ["all"],
        "participant": ["NZL"],  # What changed shows the followed participants only
    }
    # One click unsubscribes (RFC 8058), and the same link is in the text.
    unsubscribe = message["List-Unsubscribe"].strip("<>")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"Unsubscribe (no sign-in needed): {unsubscribe}" in text
    assert message.get_body(preferencelist=("html",)) is not None
    # Told once: the next digest starts where this one ended.
    assert subscription(engine).sent_until >= TOMORROW
    with mail_server() as (url, inbox):
        assert send(engine, url).not_due == 1
        assert send(engine, url, every=True).quiet == [VIEWER]
    assert inbox.messages == []


def test_nothing_is_sent_when_nothing_changed(engine):
    backdate_seed(engine)
    subscribe(engine, frequency="weekly", categories=["ships"])
    change(engine, "NZL", "troops", {"quantity": 150})
    with mail_server() as (url, inbox):
        assert send(engine, url).not_due == 1  # a weekly digest, a day later
        report = send(engine, url, when=FIXED_NOW + timedelta(days=7))
    assert inbox.messages == [] and report.quiet == [VIEWER]
    assert subscription(engine).sent_until.date() == (FIXED_NOW + timedelta(days=7)).date()


def test_an_address_that_bounces_is_named_and_told_again_whole_next_time(engine):
    backdate_seed(engine)
    before = subscribe(engine, participants=["France"]).sent_until
    subscribe(engine, email="a@example.org", participants=["FRA"])
    change(engine, "FRA", "ships", {"quantity": 3})
    with mail_server(refused=(VIEWER,)) as (url, inbox):
        report = send(engine, url)
    assert [m["To"] for m in inbox.messages] == ["a@example.org"]
    (failure,) = report.failed
    assert failure.startswith(f"{VIEWER}: the mail server refused the address {VIEWER}: 550")
    kept = subscription(engine)
    assert kept.sent_until == before
    assert "refused the address" in (kept.failure or "")
    change(engine, "FRA", "funding", {"quantity": 2_500_000_000})
    with mail_server() as (url, inbox):
        report = send(engine, url, when=TOMORROW + timedelta(hours=1))
    (message,) = inbox.messages
    assert report.sent == [VIEWER] and message["Subject"].startswith("What changed: 2 changes")
    assert subscription(engine).failure is None


def test_a_server_that_cannot_be_reached_marks_nothing_sent(engine):
    backdate_seed(engine)
    subscribe(engine, participants=["FRA"])
    change(engine, "FRA", "ships", {"quantity": 3})
    before = subscription(engine).sent_until
    report = send(engine, f"smtp://127.0.0.1:{free_port()}")
    (failure,) = report.failed
    assert "the mail server smtp://127.0.0.1:" in failure and "could not be used" in failure
    assert subscription(engine).sent_until == before


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        (None, "COALITION_SMTP_URL: is not set"),
        ("smtx://mail.example.org", "COALITION_SMTP_URL: 'smtx' is not one of"),
        ("smtp://", "COALITION_SMTP_URL: 'smtp://' names no host"),
        ("smtp://mail.example.org:99999", "COALITION_SMTP_URL: 'smtp://mail.example.org:99999' is"),
        ("smtps://user:secret@mail.example.org/x", "COALITION_SMTP_URL: '…mail.example.org/x' has"),
    ],
)
def test_a_bad_mail_setting_is_named_before_anything_is_done(engine, url, problem):
    subscribe(engine, participants=["FRA"])
    before = subscription(engine)
    with pytest.raises(ValidationFailed) as refused:
        send(engine, url)
    assert any(str(p).startswith(problem) for p in refused.value.problems), refused.value
    assert "secret" not in str(refused.value)
    assert subscription(engine) == before


def test_subscriptions_name_what_is_wrong_and_write_nothing(engine):
    with pytest.raises(ValidationFailed) as refused:
        subscribe(
            engine, frequency="hourly", participants=["Atlantis", "Frnace"], categories=["tanks"]
        )
    assert [str(p) for p in refused.value.problems] == [
        "frequency: 'hourly' is not one of: daily, weekly",
        "participants: 'Atlantis' is not a participant code or name (the allowed values file "
        "lists them all)",
        "participants: 'Frnace' is not a participant code; did you mean FRA (France)?",
        "categories: 'tanks' is not one of: funding, troops, aircraft, ships, other",
    ]
    with pytest.raises(ValidationFailed, match="choose at least one participant"):
        subscribe(engine)
    with read_session(engine) as session:
        assert session.exec(select(func.count()).select_from(DigestSubscription)).one() == 0
        logged = session.exec(select(AuditEvent).where(AuditEvent.action.startswith("digest.")))
        assert logged.all() == []
    # A change of what is followed keeps its place: nothing is skipped or told twice.
    first = subscribe(engine, participants=["France", "GBR"])
    with clock.fixed_at(TOMORROW):
        again = subscribe(engine, frequency="weekly", categories=["troops"])
    assert (again.id, again.sent_until) == (first.id, first.sent_until)
    assert (first.participants, again.categories) == (("FRA", "GBR"), ("troops",))


def test_the_unsubscribe_link_needs_its_token_and_works_once(engine):
    made = subscribe(engine, participants=["FRA"])
    with read_session(engine) as session:
        token = subscriptions.unsubscribe_token(session, made.id, VIEWER)
    with write_session(engine) as session:
        wrong = token[:-1] + ("1" if token.endswith("0") else "0")  # one character off
        assert subscriptions.unsubscribe_by_link(session, str(made.id), wrong) is None
        assert subscriptions.unsubscribe_by_link(session, "x" * 40, token) is None
    with write_session(engine) as session:
        assert subscriptions.unsubscribe_by_link(session, str(made.id), token) == VIEWER
    with write_session(engine) as session:
        assert subscriptions.unsubscribe_by_link(session, str(made.id), token) is None
    assert subscription(engine) is None
    with read_session(engine) as session:
        actions = session.exec(
            select(AuditEvent.action, AuditEvent.details).where(
                AuditEvent.action.startswith("digest.")
            )
        ).all()
    assert actions == [
        ("digest.subscribe", {"frequency": "daily", "participants": ["FRA"], "categories": []}),
        ("digest.unsubscribe", {"by": "the link in a digest"}),
    ]


def test_the_send_command_for_cron(engine, database_url):
    backdate_seed(engine)
    subscribe(engine, participants=["FRA"])
    change(engine, "FRA", "ships", {"quantity": 3})
    bad = run_cli(database_url, "digest", "send", env={"COALITION_SMTP_URL": "smtx://x"})
    assert bad.returncode == 2
    assert "COALITION_SMTP_URL: 'smtx' is not one of" in bad.stderr
    assert "COALITION_BASE_URL: is not set" in bad.stderr
    settings = {"COALITION_BASE_URL": BASE}
    down = run_cli(
        database_url,
        "digest",
        "send",
        "--every",
        env=settings | {"COALITION_SMTP_URL": f"smtp://127.0.0.1:{free_port()}"},
    )
    assert down.returncode == 1, down.stderr
    assert "0 failed" not in down.stdout and "not sent, and left to the next run" in down.stderr
    with mail_server() as (url, inbox):
        # Not yet due (subscribed "today" as the command sees it), then sent when asked.
        due = run_cli(database_url, "digest", "send", env=settings | {"COALITION_SMTP_URL": url})
        assert due.returncode == 0, due.stderr
        assert "Sent 0 digest(s)" in due.stdout
        every = ["digest", "send", "--every"]
        sent = run_cli(database_url, *every, env=settings | {"COALITION_SMTP_URL": url})
    assert sent.returncode == 0, sent.stderr
    assert "Sent 1 digest(s)" in sent.stdout
    (message,) = inbox.messages
    assert "Revised: France, ships — Fixture minehunters" in text_of(message)
