"""The Atom feed of What changed, read back with a feed parser as a feed reader would: one entry
per change, old → new, when, by whom, why and the source; per participant and category; every
wrong parameter named."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import feedparser
import pytest
from sqlalchemy import update

from coalition.access import tokens
from coalition.errors import ValidationFailed
from coalition.output.feed import build_feed, feed_request
from coalition.read import changes
from coalition.read.filters import PledgeFilter
from db.engine import read_session, write_session
from db.models import PledgeRevision
from tests.conftest import FIXED_NOW
from tests.support.accounts import VIEWER
from tests.support.data import run_cli
from tests.support.pledges import backdate_seed, change

pytestmark = pytest.mark.usefixtures("fixed_clock")
BASE = "https://tracker.example.org"


def read_feed(engine, **params: str):
    with read_session(engine) as session:
        wanted = feed_request(session, {key: [value] for key, value in params.items()})
        document = build_feed(session, wanted, base_url=BASE, self_url=f"{BASE}/api/v1/x.atom")
    parsed = feedparser.parse(document)
    assert not parsed.bozo, parsed.bozo_exception
    return parsed


def test_each_change_is_an_entry_with_old_new_when_who_why_and_source(engine):
    backdate_seed(engine)
    troops = change(engine, "NZL", "troops", {"quantity": 150}, reason="More trainers")
    change(engine, "FRA", "ships", {"status": "committed"}, reason="Ships sailed")
    parsed = read_feed(engine)
    assert parsed.version == "atom10"
    assert parsed.feed.title.startswith("Coalition Tracker: what changed")
    titles = [entry.title for entry in parsed.entries]
    assert titles == [
        "Revised: France, ships — Fixture minehunters",
        "Revised: New Zealand, troops — Fixture trainers outside Ukraine",
    ]
    entry = parsed.entries[1]
    assert "Size: 100 → 150 troops" in entry.summary
    assert "Why: More trainers" in entry.summary
    assert "In effect from" in entry.summary and "(editor)" in entry.summary
    assert entry.author.startswith("staff-")  # never an email
    assert "@" not in "".join(e.summary + e.author for e in parsed.entries)
    updated = datetime(*entry.updated_parsed[:6], tzinfo=UTC)
    assert abs(updated - FIXED_NOW) < timedelta(seconds=1)
    links = {link.rel: link.href for link in entry.links}
    assert links["alternate"] == f"{BASE}/participant?code=NZL&pledge={troops}"
    assert links["related"].startswith("https://example.org/fixture/")
    assert entry.id == f"tag:tracker.example.org,2025:pledge/{troops}/version/2"
    # The feed's page: What changed for the same period and filters.
    alternate = next(link.href for link in parsed.feed.links if link.rel == "alternate")
    start = (FIXED_NOW - timedelta(days=30)).date()
    assert alternate == f"{BASE}/changes?from={start}&to={FIXED_NOW.date()}&by=recorded"


def test_a_feed_per_participant_and_category(engine):
    backdate_seed(engine)
    change(engine, "NZL", "troops", {"quantity": 150})
    change(engine, "FRA", "ships", {"quantity": 3})
    france = read_feed(engine, participant="FRA")
    assert [e.title for e in france.entries] == ["Revised: France, ships — Fixture minehunters"]
    # By name or other name too, as an import cell names one.
    assert [e.id for e in read_feed(engine, participant="France").entries] == [
        e.id for e in france.entries
    ]
    troops = read_feed(engine, category="troops")
    assert [e.title for e in troops.entries] == [
        "Revised: New Zealand, troops — Fixture trainers outside Ukraine"
    ]
    assert read_feed(engine, participant="FRA", category="troops").entries == []
    alternate = next(link.href for link in troops.feed.links if link.rel == "alternate")
    assert alternate.endswith("&by=recorded&category=troops")


def test_the_initial_record_and_changes_older_than_the_window_are_not_entries(engine):
    with write_session(engine) as session:  # the seed, loaded yesterday
        session.execute(update(PledgeRevision).values(recorded_at=FIXED_NOW - timedelta(days=1)))
    with read_session(engine) as session:
        loaded = changes.changes_between(
            session, PledgeFilter(), FIXED_NOW.date() - timedelta(days=1), FIXED_NOW.date()
        )
    assert set(loaded["kind"]) == {changes.INITIAL}
    assert read_feed(engine).entries == []
    backdate_seed(engine)
    change(engine, "NZL", "troops", {"quantity": 150})
    assert len(read_feed(engine, days="1").entries) == 1
    # A year back reaches the fixture's September meeting: meetings are entries too.
    year = read_feed(engine, days="366")
    assert [e.title for e in year.entries][-1] == "New meeting: Fixture hybrid meeting"


def test_the_participants_of_what_changed_choose_their_pledges_and_meetings(engine):
    backdate_seed(engine)
    change(engine, "NZL", "troops", {"quantity": 150})
    change(engine, "FRA", "ships", {"quantity": 3})
    with read_session(engine) as session:
        found = changes.changes_between(
            session, PledgeFilter(), FIXED_NOW.date(), FIXED_NOW.date(), participants=("FRA",)
        )
        meetings = changes.changes_between(
            session,
            PledgeFilter(),
            datetime(2025, 3, 1).date(),
            datetime(2025, 3, 31).date(),
            changes.BY_EFFECTIVE,
            participants=("NZL",),
        )
    assert found["participant_code"].tolist() == ["FRA"]
    assert found["source_url"].tolist() == ["https://example.org/fixture/e"]
    # New Zealand is named at the Paris meeting of March, not the London one.
    assert meetings["description"].tolist() == ["Fixture Paris meeting"]


def test_every_wrong_parameter_is_named(engine):
    with read_session(engine) as session, pytest.raises(ValidationFailed) as refused:
        feed_request(
            session,
            {"participant": ["Frnace,Atlantis"], "category": ["tanks"], "days": ["0"]},
        )
    assert [str(p) for p in refused.value.problems] == [
        "category: 'tanks' is not one of: funding, troops, aircraft, ships, other",
        "participant: 'Frnace' is not a participant code; did you mean FRA (France)?",
        "participant: 'Atlantis' is not a participant code or name (the allowed values file "
        "lists them all)",
        "days: '0' is not a whole number from 1 to 366",
    ]


def test_the_command_line_makes_a_feeds_key(engine, database_url):
    made = run_cli(database_url, "tokens", "create", VIEWER, "--name", "reader", "--feed")
    assert made.returncode == 0, made.stderr
    key = made.stdout.strip()
    assert key.startswith("cf_") and "&key=..." in made.stderr
    with read_session(engine) as session:
        assert tokens.holder_of(session, key, "feed").email == VIEWER
        assert tokens.holder_of(session, key) is None
    listed = run_cli(database_url, "tokens", "list", VIEWER)
    assert "\tfeed\treader\tactive\t" in listed.stdout
