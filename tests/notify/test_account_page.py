"""The digest and the feeds on "Your account", under AppTest: chosen, changed and stopped;
what is wrong named on the page with nothing saved; a feed's address shown once, with a key
that reads that feed and nothing else."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import select

from coalition.access import tokens
from coalition.notify import subscriptions
from db.engine import read_session
from db.models import DigestSubscription
from tests.support.accounts import VIEWER
from tests.support.app import start_app


def account_page(monkeypatch, database_url):
    at = start_app(monkeypatch, database_url, email=VIEWER).run()
    at.switch_page("../pages/account.py").run()
    assert not at.exception
    return at


def click(at, label: str):
    at.button[[b.label for b in at.button].index(label)].click().run()
    assert not at.exception
    return at


def test_a_digest_is_chosen_changed_and_stopped(monkeypatch, database_url, engine):
    at = account_page(monkeypatch, database_url)
    assert "You get no digest." in [i.value for i in at.info]
    click(at, "Save digest")  # nothing followed
    assert any("choose at least one participant or one category" in e.value for e in at.error)
    with read_session(engine) as session:
        assert session.exec(select(func.count()).select_from(DigestSubscription)).one() == 0
    at.radio(key="account_digest_frequency").set_value("weekly")
    at.multiselect(key="account_digest_participants").set_value(["FRA", "NZL"])
    at.multiselect(key="account_digest_categories").set_value(["troops"])
    click(at, "Save digest")
    assert [s.value for s in at.success] == ["You will get a weekly digest for FRA, NZL; Troops."]
    assert any("weekly digest for FRA, NZL; Troops" in c.value for c in at.caption)
    with read_session(engine) as session:
        chosen = subscriptions.subscription_of(session, VIEWER)
    assert (chosen.frequency, chosen.participants, chosen.categories) == (
        "weekly",
        ("FRA", "NZL"),
        ("troops",),
    )
    click(at, "Stop the digest")
    assert [s.value for s in at.success] == ["You will get no more digests."]
    with read_session(engine) as session:
        assert subscriptions.subscription_of(session, VIEWER) is None


def test_a_feed_address_is_shown_once_with_its_own_key(monkeypatch, database_url, engine):
    at = account_page(monkeypatch, database_url)
    click(at, "Make a feed address")  # no name
    assert any("is required" in e.value for e in at.error)
    at.text_input(key="account_feed_name").input("Feed reader, troops")
    at.multiselect(key="account_feed_categories").set_value(["troops"])
    at.multiselect(key="account_feed_participants").set_value(["FRA"])
    click(at, "Make a feed address")
    (address,) = [c.value for c in at.code if "/api/v1/changes.atom" in c.value]
    assert address.startswith("http://localhost:8501/api/v1/changes.atom?participant=FRA")
    assert "&category=troops&key=cf_" in address
    key = address.rsplit("key=", 1)[1]
    with read_session(engine) as session:
        assert tokens.holder_of(session, key, "feed").email == VIEWER
        assert tokens.holder_of(session, key) is None  # not an API token
        (made,) = tokens.tokens_of(session, VIEWER)
    assert (made["kind"], made["name"]) == ("feed", "Feed reader, troops")
    # Shown once: the next run shows it no more.
    at.run()
    assert not [c.value for c in at.code if "/api/v1/changes.atom" in c.value]
