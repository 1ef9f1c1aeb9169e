"""What changed between two dates, on SQLite and PostgreSQL: each kind of change with its old
and new values, selected by when it was recorded or when it took effect, under the sidebar's
filters and "as of", with the role the person held at the time."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest
from sqlalchemy import update
from sqlmodel import select

from coalition.access.auth import Actor, set_role
from coalition.access.privacy import staff_id
from coalition.errors import ValidationFailed
from coalition.read import changes
from coalition.read.as_of import AS_OF_EARLIEST
from coalition.read.filters import PledgeFilter
from coalition.read.history import describe_changes, field_changes
from coalition.text.safe_csv import to_csv
from coalition.write.pledges import create_pledge
from core.vocabulary import SCOPES
from db.engine import read_session, write_session
from db.models import Pledge, PledgeRevision
from tests.conftest import FIXED_NOW
from tests.factories import pledge
from tests.support.accounts import ADMIN
from tests.support.pledges import EDITOR, backdate_seed, change

TODAY = FIXED_NOW.date()
pytestmark = pytest.mark.usefixtures("fixed_clock")
LAST_WEEK = (TODAY - timedelta(days=7), TODAY)
NEW_PLEDGE = pledge(
    category="ships",
    description="Two patrol boats",
    quantity=2,
    announced_on=date(2025, 10, 10),
    source_title="Ministry statement",
)


@pytest.fixture
def record(engine):
    backdate_seed(engine)
    return engine


def between(engine, start, end, by="recorded", **filters) -> pd.DataFrame:
    with read_session(engine) as session:
        return changes.changes_between(session, PledgeFilter(**filters), start, end, by)


def one(frame: pd.DataFrame, **match) -> pd.Series:
    rows = frame
    for column, value in match.items():
        rows = rows[rows[column] == value]
    assert len(rows) == 1, (match, frame[["kind", "participant_code", "category"]])
    return rows.iloc[0]


def test_each_kind_of_change_with_its_old_and_new_values(record):
    change(record, "NZL", "troops", {"quantity": 120}, reason="Six more trainers")
    change(record, "FRA", "ships", {"status": "withdrawn"}, reason="Minehunters recalled")
    change(record, "FRA", "ships", {"status": "announced"}, who=ADMIN, reason="Offer renewed")
    with write_session(record) as session:
        create_pledge(session, actor=Actor(EDITOR), values=NEW_PLEDGE, reason="New offer")

    found = between(record, *LAST_WEEK)
    assert changes.counts(found) == {
        "new": 1,
        "revised": 1,
        "withdrawn": 1,
        "restored": 1,
        "new meeting": 0,
        "initial record": 0,
    }
    assert changes.summary(found) == "1 new, 1 revised, 1 withdrawn, 1 restored; 0 new meetings"
    revised = one(found, kind="revised")
    assert (revised["participant"], revised["what_changed"]) == (
        "New Zealand",
        "Size: 100 → 120 troops",
    )
    assert revised["reason"] == "Six more trainers"
    assert revised["size"] == "up to 120 troops"
    assert revised["effective_on"] == TODAY
    assert revised["recorded_at"].date() == TODAY
    assert one(found, kind="withdrawn")["what_changed"] == "Status: Announced → Withdrawn"
    restored = one(found, kind="restored")
    assert restored["what_changed"] == "Status: Withdrawn → Announced"
    assert restored["role"] == "admin"
    new = one(found, kind="new")
    assert (new["what_changed"], new["size"], new["version"]) == ("created", "2 ships", 1)
    # Newest first: the creation was recorded last.
    assert found["kind"].tolist() == ["new", "restored", "withdrawn", "revised"]
    # Nobody's email is in what viewers see or download, only staff ids.
    assert set(found["actor"]) == {
        staff_id_of(record, EDITOR),
        staff_id_of(record, ADMIN),
    }
    download = to_csv(changes.changes_for_display(found)).decode()
    assert "@" not in download
    assert "Size: 100 → 120 troops" in download and "Six more trainers" in download


def staff_id_of(engine, email: str) -> str:
    with read_session(engine) as session:
        return staff_id(session, email)


def test_new_meetings_are_placed_by_the_day_they_were_held(record):
    march = between(record, date(2025, 3, 1), date(2025, 3, 12), "effective")
    meetings = march[march["kind"] == "new meeting"]
    assert meetings["description"].tolist() == [
        "Fixture Paris meeting",
        "Fixture London meeting",
    ]
    assert meetings["what_changed"].iloc[0] == (
        "In-person meeting in Paris: The second fixture meeting."
    )
    # Meetings carry no recording time, so they count by the day held either way.
    by_recorded = between(record, date(2025, 3, 1), date(2025, 3, 12))
    assert changes.counts(by_recorded)["new meeting"] == 2
    assert changes.counts(by_recorded)["new"] == 0  # the seed was recorded in June


def test_by_recorded_and_by_effective_select_different_changes(record):
    # Recorded today, in effect from 1 October 2025 (a late report).
    change(record, "NZL", "troops", {"quantity": 120}, effective_on=date(2025, 10, 1))
    october = (date(2025, 9, 28), date(2025, 10, 4))
    assert len(between(record, *LAST_WEEK, "recorded")) == 1
    assert len(between(record, *october, "effective")) == 1
    assert between(record, *LAST_WEEK, "effective").empty
    assert between(record, *october, "recorded").empty
    # The seeded pledges were announced (and took effect) in March 2025, recorded in June:
    # the initial record, never counted as new pledges of its week.
    seeded = between(record, date(2025, 3, 1), date(2025, 3, 31), "effective")
    assert (changes.counts(seeded)["new"], changes.counts(seeded)["initial record"]) == (0, 4)
    loaded = between(record, date(2025, 6, 1), date(2025, 6, 1))
    assert (changes.counts(loaded)["new"], changes.counts(loaded)["initial record"]) == (0, 7)
    assert "Not counted as changes: the initial record (7 pledges" in changes.summary(loaded)
    # Both ends of a period are whole days, included.
    assert len(between(record, date(2025, 10, 1), date(2025, 10, 1), "effective")) == 1


def test_the_sidebar_filters_choose_the_pledges(record):
    change(record, "NZL", "troops", {"quantity": 120})
    change(record, "FRA", "ships", {"quantity": 3})
    change(record, "NZL", "funding", {"quantity": 160_000_000})  # bilateral aid
    change(record, "GBR", "troops", {"status": "withdrawn"})
    week = between(record, *LAST_WEEK)
    # Bilateral aid is left out by default, like everywhere else.
    assert sorted(week["participant_code"] + "-" + week["category"]) == [
        "FRA-ships",
        "GBR-troops",
        "NZL-troops",
    ]
    everything = between(record, *LAST_WEEK, scopes=SCOPES)
    assert len(everything) == 4
    troops = between(record, *LAST_WEEK, categories=("troops",))
    assert set(troops["participant_code"]) == {"NZL", "GBR"}
    commonwealth = between(record, *LAST_WEEK, regions=("Commonwealth",))
    assert commonwealth["participant_code"].tolist() == ["NZL"]
    eu = between(record, *LAST_WEEK, memberships=("EU",))
    assert eu["participant_code"].tolist() == ["FRA"]
    # A withdrawal leaves the default statuses and is still seen leaving them: a change is
    # listed when the pledge matched the filters before it or after it.
    assert one(week, participant_code="GBR")["kind"] == "withdrawn"
    withdrawn_only = between(record, *LAST_WEEK, statuses=("withdrawn",))
    assert withdrawn_only["participant_code"].tolist() == ["GBR"]
    assert between(record, *LAST_WEEK, statuses=("delivered",)).empty


def test_a_pledge_that_moved_category_is_seen_by_both_categories(record):
    change(record, "GBR", "aircraft", {"category": "other"})
    for category in ("aircraft", "other"):
        found = between(record, *LAST_WEEK, categories=(category,))
        assert found["what_changed"].tolist() == ["Category: Aircraft → Other"]
    assert between(record, *LAST_WEEK, categories=("ships",)).empty


def test_as_of_leaves_out_what_took_effect_later(record):
    change(record, "NZL", "troops", {"quantity": 120}, effective_on=date(2025, 10, 1))
    change(record, "FRA", "ships", {"quantity": 3}, effective_on=date(2025, 10, 20))
    found = between(record, *LAST_WEEK, as_of=date(2025, 10, 10))
    assert found["participant_code"].tolist() == ["NZL"]
    assert changes.default_period(TODAY, date(2025, 10, 10)) == changes.Period(
        date(2025, 10, 3), date(2025, 10, 10), "recorded"
    )
    note = changes.as_of_note(changes.Period(*LAST_WEEK), date(2025, 10, 10))
    assert note is not None and "10 Oct 2025" in note
    assert changes.as_of_note(changes.Period(date(2025, 10, 1), date(2025, 10, 9)), None) is None
    # Meetings held after "as of" are not on that record either.
    held = between(record, date(2025, 9, 1), date(2025, 9, 30), "effective", as_of=date(2025, 9, 3))
    assert held.empty


def test_role_is_the_one_held_when_the_change_was_made(record):
    target = change(record, "NZL", "troops", {"quantity": 120})
    with write_session(record) as session:
        set_role(session, actor=Actor(ADMIN), email=EDITOR, role="admin")
    change(record, "NZL", "troops", {"quantity": 130})
    found = between(record, *LAST_WEEK)
    by_version = dict(zip(found["version"], found["role"], strict=True))
    assert by_version == {2: "editor", 3: "admin"}
    # A revision recorded before roles were kept says so; it is not given today's role.
    with write_session(record) as session:
        session.execute(
            update(PledgeRevision)
            .where(PledgeRevision.pledge_id == target, PledgeRevision.version == 2)
            .values(actor_role=None)
        )
    found = between(record, *LAST_WEEK)
    assert dict(zip(found["version"], found["role"], strict=True))[2] == "not recorded"
    shown = changes.changes_for_display(found)
    assert set(shown["Role"]) == {"admin", "not recorded"}
    # The seed loader acts for the application: its revisions say so.
    seeded = between(record, date(2025, 6, 1), date(2025, 6, 1))
    assert set(seeded["role"]) == {"system"}


def test_an_empty_period_is_an_empty_table_and_says_nothing_changed(record):
    found = between(record, date(2024, 1, 1), date(2024, 12, 31), "effective")
    assert found.empty and list(found.columns) == changes.CHANGE_COLUMNS
    assert changes.summary(found) == "0 new, 0 revised, 0 withdrawn, 0 restored; 0 new meetings"
    assert changes.changes_for_display(found).empty


@pytest.mark.parametrize(
    ("start", "end", "by", "expected"),
    [
        (None, TODAY, "recorded", ["From: is empty: choose a day"]),
        (TODAY, None, "recorded", ["To: is empty: choose a day"]),
        (
            date(2023, 12, 31),
            TODAY,
            "recorded",
            ["From: 31 Dec 2023 is before the record starts (01 Jan 2024)"],
        ),
        (
            TODAY,
            TODAY + timedelta(days=1),
            "recorded",
            [f"To: {TODAY + timedelta(days=1):%d %b %Y} is after today ({TODAY:%d %b %Y})"],
        ),
        (
            date(2025, 3, 10),
            date(2025, 3, 1),
            "effective",
            [
                "From: 10 Mar 2025 is after To (01 Mar 2025): the period runs backwards; "
                "swap the two days"
            ],
        ),
        (TODAY, TODAY, "sideways", ["by: 'sideways' is not one of: recorded, effective"]),
    ],
)
def test_bad_periods_are_refused_naming_what_is_wrong(start, end, by, expected):
    assert [str(p) for p in changes.period_problems(start, end, by, today=TODAY)] == expected
    with pytest.raises(ValidationFailed) as failure:
        changes.check_period(start, end, by, today=TODAY)
    assert [str(p) for p in failure.value.problems] == expected


def test_the_query_refuses_a_bad_period_before_reading(record):
    with pytest.raises(ValidationFailed) as failure:
        between(record, TODAY, TODAY - timedelta(days=1))
    assert "the period runs backwards" in str(failure.value)
    with pytest.raises(ValidationFailed, match="before the record starts"):
        between(record, date(2023, 1, 1), TODAY, "effective")


def test_a_period_reads_from_an_address_and_writes_back_to_it():
    default = changes.default_period(TODAY)
    assert default == changes.Period(TODAY - timedelta(days=7), TODAY, "recorded")
    period = changes.period_from_query(
        {"from": "2025-03-01", "to": ["2025-03-31"], "by": "effective"},
        today=TODAY,
        default=default,
    )
    assert period == changes.Period(date(2025, 3, 1), date(2025, 3, 31), "effective")
    assert period.to_query() == {"from": "2025-03-01", "to": "2025-03-31", "by": "effective"}
    assert period.describe() == "01 Mar 2025 and 31 Mar 2025"
    # What the address leaves out keeps the default.
    assert changes.period_from_query({"from": "2025-03-01"}, today=TODAY, default=default) == (
        changes.Period(date(2025, 3, 1), TODAY, "recorded")
    )
    assert changes.default_period(date(2024, 1, 3)).start == AS_OF_EARLIEST


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"from": "yesterday"}, ["From: 'yesterday' is not a date (expected YYYY-MM-DD)"]),
        ({"from": "2025-02-30"}, ["From: '2025-02-30' is not a date (expected YYYY-MM-DD)"]),
        ({"from": ""}, ["From: is empty: choose a day"]),
        (
            {"from": "2023-05-01", "to": "bad"},
            [
                "To: 'bad' is not a date (expected YYYY-MM-DD)",
                "From: 01 May 2023 is before the record starts (01 Jan 2024)",
            ],
        ),
        (
            {"from": "2025-04-01", "to": "2025-03-01"},
            [
                "From: 01 Apr 2025 is after To (01 Mar 2025): the period runs backwards; "
                "swap the two days"
            ],
        ),
        ({"by": "when"}, ["by: 'when' is not one of: recorded, effective"]),
    ],
)
def test_an_address_with_a_bad_period_names_each_problem(query, expected):
    with pytest.raises(ValidationFailed) as failure:
        changes.period_from_query(query, today=TODAY, default=changes.default_period(TODAY))
    assert [str(p) for p in failure.value.problems] == expected


def test_the_differ_compares_rows_and_plain_dicts_alike(record):
    with read_session(record) as session:
        before = session.exec(select(Pledge).where(Pledge.participant_code == "NZL")).first()
        old = before.model_dump()
    new = old | {"quantity": 120.0, "conditions": None, "end_on": date(2027, 1, 31)}
    expected = (
        "Size: 100 → 120 troops; Conditions: outside Ukraine → none; Ends: 2026-12-31 → 2027-01-31"
    )
    assert describe_changes(old, new) == expected
    assert describe_changes(pd.Series(old), pd.Series(new)) == expected
    assert [c.field for c in field_changes(old, new)] == ["quantity", "conditions", "end_on"]
    assert describe_changes(old, dict(old)) == "no field changed"
    assert describe_changes(None, new) == "created"
