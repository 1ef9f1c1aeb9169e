"""Freshness in view wherever figures are: the day shown, the newest announcement the record
holds by then, when the record was last checked against its sources, and a plain warning when
the newest announcement is older than the configured age. Found by hand: the pack said "(today's
record)" and the overview "Record last changed today" while the newest announcement in the
record was eleven months old."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, date, datetime

from sqlmodel import select

from coalition.output.snapshots import build_snapshot, pin_known_at
from coalition.read.filters import PledgeFilter
from coalition.read.freshness import (
    Freshness,
    _newest_recorded,
    freshness,
    last_checked,
    newest_announcement,
)
from db.engine import read_session
from db.models import Pledge
from tests.support.app import start_app
from tests.support.data import FIXTURE_DATA
from tests.support.pledges import add_pledge, change
from tests.support.statements import statements_sent

CHANGE_LOG = """# Data change log

## 2026-03-02: a later review

- Checked again.

## 2025-12-31: the first review

- Every row checked.
"""


def test_the_last_check_is_the_newest_dated_entry_of_the_change_log(tmp_path):
    assert last_checked(tmp_path) is None  # no change log: never checked
    (tmp_path / "CHANGELOG.md").write_text(CHANGE_LOG, encoding="utf-8")
    assert last_checked(tmp_path) == date(2026, 3, 2)


def test_the_newest_announcement_is_the_record_s_as_of_the_day(engine):
    with read_session(engine) as session:
        # The fixture's newest announcement is France's troops of 6 Jan 2026; on 3 Sep 2025
        # it was New Zealand's trainers of 1 Apr 2025.
        assert newest_announcement(session, date(2026, 12, 6)) == date(2026, 1, 6)
        assert newest_announcement(session, date(2025, 9, 3)) == date(2025, 4, 1)
        assert newest_announcement(session, date(2024, 6, 1)) is None


def test_the_kept_history_and_the_revisions_give_the_same_newest_announcement(engine):
    """Pages read it from the process's copy of the history, a file pinned before the last
    write from the revisions recorded by its pin: the same day either way, after corrections
    that move an announcement, backdate a change or announce ahead of the day shown."""
    days = [
        date(2024, 6, 1),
        date(2025, 4, 1),
        date(2025, 9, 3),
        date(2026, 1, 6),
        date(2026, 12, 6),
    ]

    def both() -> list[tuple[date | None, date | None]]:
        with read_session(engine) as session:
            return [
                (newest_announcement(session, day), _newest_recorded(session, day, None))
                for day in days
            ]

    assert [kept for kept, _ in both()] == [
        None,
        date(2025, 4, 1),
        date(2025, 4, 1),
        date(2026, 1, 6),
        date(2026, 1, 6),
    ]
    # The announcement moved later, from a past day.
    change(
        engine,
        "FRA",
        "troops",
        {"announced_on": date(2026, 3, 2)},
        effective_on=date(2025, 9, 1),
        reason="The announcement was a later one",
    )
    add_pledge(engine)  # announced 1 Feb 2026
    for kept, recorded in both():
        assert kept == recorded
    # On 6 Jan 2026 France's troops are not yet announced: the newest is of 4 Sep 2025.
    assert both()[3][0] == date(2025, 9, 4)
    assert both()[4][0] == date(2026, 3, 2)


def test_a_snapshot_pinned_to_the_last_write_is_issued_again_the_same_after_more_writes(engine):
    """By default a snapshot is pinned to the last write and made from what this process
    keeps of today's record, without reading the revisions; issued again with that pin after
    a later write, it is made from the revisions recorded by then, and is the same file."""
    add_pledge(engine)
    everything = PledgeFilter(statuses=(), scopes=())
    with read_session(engine) as session, revision_reads(engine) as reads:
        known_at = pin_known_at(session, "")
        first = build_snapshot(session, everything, known_at)
    assert reads == []
    change(engine, "FRA", "troops", {"quantity": 999}, reason="A later report")
    with read_session(engine) as session, revision_reads(engine) as reads:
        again = build_snapshot(
            session, everything, pin_known_at(session, first.manifest["known_at"])
        )
    assert reads  # pinned before the last write: read from the revisions
    assert again.csv == first.csv and again.manifest == first.manifest
    with read_session(engine) as session:  # every pledge, the one added too
        assert first.manifest["rows"] == len(session.exec(select(Pledge.id)).all())


def revision_reads(engine):
    """The reads of a state or an announcement from the revisions made meanwhile."""
    return statements_sent(engine, lambda statement: "max(pledge_revision.version)" in statement)


def test_an_old_newest_announcement_is_said_plainly():
    fresh = Freshness(date(2026, 12, 6), date(2026, 1, 12), date(2026, 11, 28), 60)
    assert fresh.stale and fresh.age_days == 328
    assert fresh.facts() == (
        "As of 06 Dec 2026 · newest announcement 12 Jan 2026 · sources last checked 28 Nov 2026"
    )
    assert fresh.warning().startswith(
        "The newest announcement in the record is 328 days older than the date shown"
    )
    recent = Freshness(date(2026, 2, 1), date(2026, 1, 12), None, 60)
    assert not recent.stale and recent.warning() is None
    assert "sources not yet checked" in recent.facts()


def test_the_overview_says_how_fresh_the_record_is(monkeypatch, sqlite_url, tmp_path):
    data = tmp_path / "seed"
    shutil.copytree(FIXTURE_DATA, data)
    (data / "CHANGELOG.md").write_text(CHANGE_LOG, encoding="utf-8")
    at = start_app(monkeypatch, sqlite_url, data_dir=data).run()
    captions = " ".join(c.value for c in at.caption)
    assert "newest announcement 06 Jan 2026 · sources last checked 02 Mar 2026" in captions
    assert any("older than the date shown" in w.value for w in at.warning)
    # A longer allowed age (a setting, read at start), and the warning goes; the facts stay.
    monkeypatch.setenv("COALITION_STALE_AFTER_DAYS", "3000")
    at = start_app(monkeypatch, sqlite_url, data_dir=data).run()
    assert not any("older than the date shown" in w.value for w in at.warning)
    assert "newest announcement 06 Jan 2026" in " ".join(c.value for c in at.caption)


def test_a_snapshot_names_its_freshness_and_is_named_for_what_it_holds(engine):
    september = PledgeFilter(as_of=date(2025, 9, 30))
    with read_session(engine) as session:
        pinned = pin_known_at(session, "")
        snapshot = build_snapshot(session, september, pinned)
        troops = build_snapshot(session, PledgeFilter(categories=("troops",)), pinned)
        fresh = freshness(session, date(2025, 9, 30), pinned)
        named = build_snapshot(session, september, datetime(2026, 1, 1, 17, 10, tzinfo=UTC))
    manifest = json.loads(snapshot.manifest_json)
    # The fixture has no change log: its sources were never checked.
    assert (
        manifest["freshness"]
        == fresh.as_dict()
        == {
            "as_of": "2025-09-30",
            "newest_announcement": "2025-09-04",
            "sources_last_checked": None,
            "may_be_out_of_date": "no",
        }
    )
    assert named.file_name == "coalition-pledges_as-of-2025-09-30_known-2026-01-01T1710Z.csv"
    assert named.manifest_file_name == (
        "coalition-pledges_as-of-2025-09-30_known-2026-01-01T1710Z.manifest.json"
    )
    # Another day or another choice of categories: another name.
    assert troops.file_name.startswith("coalition-pledges-troops_as-of-")
    assert len({troops.file_name, snapshot.file_name}) == 2
