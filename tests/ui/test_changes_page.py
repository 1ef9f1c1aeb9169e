"""The What changed page in the real Streamlit runtime (AppTest) over a real database: the
period in the address, its messages for bad dates, the filters and the download."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import update
from sqlmodel import select
from streamlit.testing.v1 import AppTest

from coalition.access.auth import Actor
from coalition.write.pledges import update_pledge
from db.engine import create_db_engine, read_session, write_session
from db.models import Pledge, PledgeRevision
from tests.support.app import start_app, table_with

PAGE = "../pages/changes.py"


def last_week() -> tuple[date, date]:
    """The default period, worked out when the page is read (a run may pass midnight)."""
    today = date.today()
    return today - timedelta(days=7), today


def day(value: date) -> str:
    return f"{value:%d %b %Y}"


def prepare(database_url: str) -> None:
    """The seed recorded on 1 June 2025, and one revision today: New Zealand's trainers from
    100 to 120, in effect from 1 October 2025."""
    engine = create_db_engine(database_url)
    with write_session(engine) as session:
        session.execute(
            update(PledgeRevision).values(recorded_at=datetime(2025, 6, 1, 12, tzinfo=UTC))
        )
    with read_session(engine) as session:
        nzl = session.exec(
            select(Pledge).where(Pledge.participant_code == "NZL", Pledge.category == "troops")
        ).one()
    with write_session(engine) as session:
        update_pledge(
            session,
            actor=Actor("a@example.org"),
            pledge_id=nzl.id,
            expected_version=nzl.version,
            changes={"quantity": 120},
            reason="Six more trainers",
            effective_on=date(2025, 10, 1),
        )
    engine.dispose()


def open_page(monkeypatch, database_url: str, **query: str) -> AppTest:
    at = start_app(monkeypatch, database_url)
    prepare(database_url)
    at.query_params.update(query)
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception
    return at


def subheader(at: AppTest) -> str:
    return next(s.value for s in at.subheader if s.value.startswith("What changed between"))


def summary(at: AppTest) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("**") and "new" in m.value)


def address(at: AppTest) -> dict[str, str]:
    return {
        key: value if isinstance(value, str) else value[-1]
        for key, value in at.query_params.items()
        if key in ("from", "to", "by")
    }


def test_the_page_opens_on_the_last_week_and_writes_it_into_the_address(monkeypatch, database_url):
    at = open_page(monkeypatch, database_url)
    week_ago, today = last_week()
    assert subheader(at) == f"What changed between {day(week_ago)} and {day(today)}"
    assert summary(at) == "**0 new, 1 revised, 0 withdrawn, 0 restored; 0 new meetings**"
    shown = table_with(at, "What changed")
    assert shown["What changed"].tolist() == ["Size: 100 → 120 troops"]
    assert shown["Role"].tolist() == ["editor"]
    assert shown["Reason"].tolist() == ["Six more trainers"]
    assert shown["In effect from"].tolist() == ["2025-10-01"]
    assert address(at) == {"from": week_ago.isoformat(), "to": today.isoformat(), "by": "recorded"}
    assert not at.error
    # Every table offers its download.
    assert any(b.label == "Download this table (CSV)" for b in at.get("download_button"))


def test_an_address_names_the_period_and_changing_it_changes_the_address(monkeypatch, sqlite_url):
    at = open_page(
        monkeypatch,
        sqlite_url,
        **{"from": "2025-09-28", "to": "2025-10-04", "by": "effective", "category": "troops"},
    )
    assert subheader(at) == "What changed between 28 Sep 2025 and 04 Oct 2025"
    assert at.text_input(key="changes_from").value == "2025-09-28"
    assert at.radio(key="changes_by").value == "effective"
    assert table_with(at, "What changed")["Participant"].tolist() == ["New Zealand"]
    # The sidebar's filters keep their own keys in the same address.
    assert at.sidebar.multiselect(key="filter_categories").value == ["troops"]

    at.text_input(key="changes_from").input("2025-03-01").run()
    assert subheader(at) == "What changed between 01 Mar 2025 and 04 Oct 2025"
    assert address(at) == {"from": "2025-03-01", "to": "2025-10-04", "by": "effective"}
    assert at.query_params["category"] in ("troops", ["troops"])
    # Troops announced then: the UK's and New Zealand's (Poland's refusal is not a default status).
    # The two pledges of the period are the seed's: the initial record, not new pledges.
    assert summary(at) == (
        "**0 new, 1 revised, 0 withdrawn, 0 restored; 3 new meetings. Not counted as changes: "
        "the initial record (2 pledges from public reporting), loaded in this period**"
    )
    at.radio(key="changes_by").set_value("recorded").run()
    assert address(at)["by"] == "recorded"
    # The three troop pledges seeded (recorded on 1 June); the revision was recorded today.
    assert summary(at) == (
        "**0 new, 0 revised, 0 withdrawn, 0 restored; 3 new meetings. Not counted as changes: "
        "the initial record (3 pledges from public reporting), loaded in this period**"
    )

    # The period survives a visit to another page (which drops it from the address) and is
    # written back on return.
    at.switch_page("../pages/overview.py").run()
    at.switch_page(PAGE).run()
    assert subheader(at) == "What changed between 01 Mar 2025 and 04 Oct 2025"
    assert address(at) == {"from": "2025-03-01", "to": "2025-10-04", "by": "recorded"}


@pytest.mark.parametrize(
    ("query", "messages"),
    [
        ({"from": "2023-06-01"}, ["before the record starts (01 Jan 2024)"]),
        ({"to": (date.today() + timedelta(days=3)).isoformat()}, ["is after today"]),
        ({"from": "2025-05-01", "to": "2025-04-01"}, ["the period runs backwards"]),
        ({"from": "", "to": "soon"}, ["**From**: is empty", "**To**: 'soon' is not a date"]),
        ({"by": "sideways"}, ["**by**: 'sideways' is not one of: recorded, effective"]),
    ],
    ids=["before-the-record", "future", "reversed", "empty-and-unreadable", "unknown-by"],
)
def test_a_bad_period_in_the_address_is_named_and_the_last_week_shown(
    monkeypatch, sqlite_url, query, messages
):
    at = open_page(monkeypatch, sqlite_url, **query)
    (error,) = at.error
    assert error.value.startswith("The period in this address could not be used")
    for message in messages:
        assert message in error.value
    week_ago, today = last_week()
    assert subheader(at) == f"What changed between {day(week_ago)} and {day(today)}"
    # The address now names the period shown.
    assert address(at) == {"from": week_ago.isoformat(), "to": today.isoformat(), "by": "recorded"}
    # Choosing a day clears the message.
    at.text_input(key="changes_from").input("2025-10-01").run()
    assert not at.error and not at.exception


def test_dates_chosen_on_the_page_that_make_no_period_say_why(monkeypatch, sqlite_url):
    at = open_page(monkeypatch, sqlite_url)
    at.text_input(key="changes_from").input("2025-05-01")
    at.text_input(key="changes_to").input("2025-04-01").run()
    assert not at.exception
    (error,) = at.error
    assert "From**: 01 May 2025 is after To (01 Apr 2025): the period runs backwards" in (
        error.value
    )
    assert not [s for s in at.subheader if s.value.startswith("What changed between")]
    at.text_input(key="changes_to").input("").run()
    assert not at.exception
    assert "**To**: is empty: choose a day" in at.error[0].value
    at.text_input(key="changes_to").input("2025-06-01").run()
    assert not at.error
    assert subheader(at) == "What changed between 01 May 2025 and 01 Jun 2025"
    # Text that is no day is named, and stays in its field to be corrected.
    at.text_input(key="changes_from").input("1 May").run()
    assert "**From**: '1 May' is not a date (expected YYYY-MM-DD)" in at.error[0].value
    assert at.text_input(key="changes_from").value == "1 May"
    assert not [s for s in at.subheader if s.value.startswith("What changed between")]
    at.text_input(key="changes_from").input("2025-05-02").run()
    assert not at.error
    assert subheader(at) == "What changed between 02 May 2025 and 01 Jun 2025"


def test_an_empty_period_says_so(monkeypatch, sqlite_url):
    at = open_page(monkeypatch, sqlite_url, **{"from": "2024-02-01", "to": "2024-02-10"})
    assert summary(at) == "**0 new, 0 revised, 0 withdrawn, 0 restored; 0 new meetings**"
    assert any(
        i.value.startswith("Nothing changed between 01 Feb 2024 and 10 Feb 2024") for i in at.info
    )
    assert not [d for d in at.dataframe if "What changed" in d.value.columns]


def test_the_period_follows_as_of_and_filters_apply(monkeypatch, sqlite_url):
    at = open_page(monkeypatch, sqlite_url, as_of="2025-10-03", by="effective")
    assert subheader(at) == "What changed between 26 Sep 2025 and 03 Oct 2025"
    assert table_with(at, "What changed")["What changed"].tolist() == ["Size: 100 → 120 troops"]
    at.sidebar.multiselect(key="filter_categories").set_value(["ships"]).run()
    assert any(i.value.startswith("Nothing changed between") for i in at.info)
    at.sidebar.multiselect(key="filter_categories").set_value([]).run()
    # A period running past "as of" says what it leaves out.
    at.text_input(key="changes_to").input(date.today().isoformat()).run()
    assert any("changes that took effect after that day are left out" in i.value for i in at.info)


def test_the_participants_in_the_address_choose_whose_changes_show(monkeypatch, sqlite_url):
    """As a digest or a feed links to it: ?participant=NZL,GBR shows those participants'
    changes; choosing others changes the address; a code the record lacks is named."""
    at = open_page(monkeypatch, sqlite_url, participant="NZL,XXX")
    assert at.multiselect(key="changes_participants").value == ["NZL"]
    assert [w.value for w in at.warning] == [
        "This address names XXX, which the record does not hold."
    ]
    assert table_with(at, "What changed")["What changed"].tolist() == ["Size: 100 → 120 troops"]

    at.multiselect(key="changes_participants").set_value(["FRA"]).run()
    assert at.query_params["participant"] in ("FRA", ["FRA"])
    assert summary(at) == "**0 new, 0 revised, 0 withdrawn, 0 restored; 0 new meetings**"

    at.multiselect(key="changes_participants").set_value([]).run()
    assert "participant" not in at.query_params
    assert table_with(at, "What changed")["What changed"].tolist() == ["Size: 100 → 120 troops"]
