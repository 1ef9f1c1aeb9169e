"""Winding the record back: views as of a date come from revisions, never current values."""

from __future__ import annotations

from datetime import date

from coalition.access.auth import Actor
from coalition.figures.metrics import headline
from coalition.figures.view import build_view
from coalition.read import queries
from coalition.read.filters import PledgeFilter
from coalition.write.pledges import create_pledge, update_pledge
from db.engine import read_session, write_session
from tests.factories import pledge

BEFORE, REVISED, AFTER = date(2026, 2, 10), date(2026, 3, 1), date(2026, 4, 1)
COMPANY = pledge(
    status="committed",
    description="Mechanised company",
    quantity=200,
    announced_on=date(2026, 2, 1),
    source_title="UK MoD",
)


def add_and_revise(engine) -> int:
    with write_session(engine) as session:
        pledge_id = create_pledge(
            session, actor=Actor("a@example.org"), values=COMPANY, reason="first report"
        ).id
    with write_session(engine) as session:
        update_pledge(
            session,
            actor=Actor("b@example.org"),
            pledge_id=pledge_id,
            expected_version=1,
            changes={"quantity": 650},
            reason="Battalion",
            effective_on=REVISED,
        )
    return pledge_id


def company(engine, as_of: date | None):
    """The added pledge as it stood on ``as_of`` (the UK's seeded troops are another pledge)."""
    with read_session(engine) as session:
        frame = queries.pledges_frame(session, PledgeFilter(as_of=as_of))
    return frame[
        (frame["participant_code"] == "GBR") & (frame["description"] == COMPANY["description"])
    ]


def test_a_revised_figure_shows_old_before_and_new_after_the_revision(engine):
    add_and_revise(engine)
    assert company(engine, BEFORE)["quantity"].tolist() == [200]
    assert company(engine, AFTER)["quantity"].tolist() == [650]
    assert company(engine, None)["quantity"].tolist() == [650]
    # Before its announcement the pledge did not exist yet.
    assert company(engine, date(2026, 1, 15)).empty


def test_a_withdrawal_takes_the_pledge_out_from_its_date(engine):
    pledge_id = add_and_revise(engine)
    with write_session(engine) as session:
        pledge = update_pledge(
            session,
            actor=Actor("b@example.org"),
            pledge_id=pledge_id,
            expected_version=2,
            changes={"status": "withdrawn"},
            reason="Government fell",
            effective_on=date(2026, 5, 1),
        )
        assert pledge.version == 3
    assert company(engine, AFTER)["quantity"].tolist() == [650]
    assert company(engine, date(2026, 5, 2)).empty  # hidden by the default status filter
    with read_session(engine) as session:
        history = queries.pledge_revisions_frame(session, pledge_id)
    assert history["action"].tolist() == ["create", "update", "withdraw"]


def test_a_backdated_correction_wins_from_its_effective_date(engine):
    pledge_id = add_and_revise(engine)
    with write_session(engine) as session:
        update_pledge(
            session,
            actor=Actor("c@example.org"),
            pledge_id=pledge_id,
            expected_version=2,
            changes={"quantity": 250},
            reason="The first figure was misreported",
            effective_on=date(2026, 2, 5),
        )
    assert company(engine, BEFORE)["quantity"].tolist() == [250]
    assert company(engine, AFTER)["quantity"].tolist() == [250]


def test_seeded_record_as_of_the_london_summit(engine):
    with read_session(engine) as session:
        view = build_view(session, PledgeFilter(as_of=date(2025, 3, 2)))
    participants, pledges = view.participants, view.pledges
    assert len(participants) == 6  # all but New Zealand, first reported on 11 March
    figures = headline(participants, pledges)
    # The UK's troops and aircraft, announced that day; its £1.6bn is a guarantee, apart.
    assert (figures.category("troops").pledges, figures.category("aircraft").pledges) == (1, 1)
    assert figures.category("funding").pledges == 0 and figures.lending.pledges == 1
    assert set(pledges["announced_on"]) == {date(2025, 3, 2)}
