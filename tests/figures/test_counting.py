"""What the totals count: the coalition's own pledges by default, bilateral aid only when asked
for, loans and guarantees never inside a grant total; and funding converted at the ECB rate of
its day, or of its month or year when that is all the source gave."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from coalition.figures import measures
from coalition.figures.metrics import headline
from coalition.money.exchange import rate_for
from coalition.read import queries, timeline
from coalition.read.filters import PledgeFilter
from core.vocabulary import SCOPES
from db.engine import read_session

# The fixture's funding (tests/fixtures/seed): FRA €2bn grant (coalition support), GBR £1.6bn
# guarantee announced Sunday 2 Mar 2025 (the rate of Friday 28 Feb is 0.8), NZL NZ$152m
# bilateral dated only to 2025 (the 2025 mean is 2.0).
GBR_EUR = 1_600_000_000 / 0.8
NZL_EUR = 152_000_000 / 2.0


def frames(engine, filters: PledgeFilter):
    with read_session(engine) as session:
        return queries.participants_frame(session, filters), queries.pledges_frame(session, filters)


def test_loans_and_guarantees_are_a_figure_of_their_own(engine):
    figures = headline(*frames(engine, PledgeFilter()))
    assert figures.category("funding").known_total == 2_000_000_000
    assert figures.category("funding").pledges == 1
    assert figures.lending.pledges == 1
    assert figures.lending.known_total == pytest.approx(GBR_EUR)


def test_bilateral_aid_counts_only_when_asked_for(engine):
    coalition_only = headline(*frames(engine, PledgeFilter()))
    with_bilateral = headline(*frames(engine, PledgeFilter(scopes=SCOPES)))
    assert coalition_only.category("funding").known_total == 2_000_000_000
    assert with_bilateral.category("funding").known_total == pytest.approx(2_000_000_000 + NZL_EUR)
    _, pledges = frames(engine, PledgeFilter())
    assert "bilateral" not in set(pledges["scope"])


def test_funding_carries_the_rate_its_date_and_kind(engine):
    _, pledges = frames(engine, PledgeFilter(scopes=SCOPES))
    funding = pledges[pledges["category"] == "funding"].set_index("participant_code")
    gbr, nzl, fra = funding.loc["GBR"], funding.loc["NZL"], funding.loc["FRA"]
    assert (gbr["eur_rate"], gbr["rate_date"], gbr["rate_kind"]) == (
        0.8,
        date(2025, 2, 28),
        "daily",
    )
    assert gbr["amount_eur"] == pytest.approx(GBR_EUR)
    assert (nzl["eur_rate"], nzl["rate_date"], nzl["rate_kind"]) == (
        2.0,
        date(2025, 1, 1),
        "annual_average",
    )
    assert (fra["eur_rate"], fra["amount_eur"]) == (1.0, 2_000_000_000)


def test_rate_lookup_by_date_precision():
    rates = pd.DataFrame(
        {
            "currency": ["GBP"] * 4,
            "rate_date": [date(2025, 2, 28), date(2025, 3, 3), date(2025, 3, 1), date(2025, 1, 1)],
            "kind": ["daily", "daily", "monthly_average", "annual_average"],
            "units_per_eur": [0.8, 0.82, 0.84, 0.85],
        }
    )
    assert rate_for(rates, "GBP", date(2025, 3, 2)) == (0.8, date(2025, 2, 28), "daily")
    assert rate_for(rates, "GBP", date(2025, 3, 3)) == (0.82, date(2025, 3, 3), "daily")
    assert rate_for(rates, "GBP", date(2025, 3, 1), "month") == (
        0.84,
        date(2025, 3, 1),
        "monthly_average",
    )
    assert rate_for(rates, "GBP", date(2025, 1, 1), "year") == (
        0.85,
        date(2025, 1, 1),
        "annual_average",
    )
    # No average for that month: the daily rule, which says which rate it took.
    assert rate_for(rates, "GBP", date(2025, 4, 1), "month") == (0.82, date(2025, 3, 3), "daily")
    assert rate_for(rates, "EUR", date(2025, 4, 1)) == (1.0, None, None)
    with pytest.raises(LookupError):
        rate_for(rates, "JPY", date(2025, 4, 1))


def test_the_map_and_the_timeline_count_what_the_headline_counts(engine):
    filters = PledgeFilter()
    participants, pledges = frames(engine, filters)
    figures = headline(participants, pledges)
    per_participant = measures.participant_figures(participants, pledges, usd_per_eur=1.25)
    assert per_participant["funding_eur"].sum() == figures.category("funding").known_total
    assert pd.isna(per_participant.loc["GBR", "funding_eur"])  # a guarantee, not funding
    with read_session(engine) as session:
        series, _ = timeline.timeline_series(session, filters)
    funding = series[series["category"] == "funding"]
    assert funding["known_total"].iloc[-1] == figures.category("funding").known_total
    assert funding["pledges"].iloc[-1] == figures.category("funding").pledges
    troops = series[series["category"] == "troops"]
    assert troops["known_total"].iloc[-1] == figures.category("troops").known_total
