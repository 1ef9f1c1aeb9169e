"""Headline figures, formatting and chart builders over the fixture seed data."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest

from coalition.figures import charts, force_gap
from coalition.figures.metrics import CategoryFigures, headline
from coalition.money import exchange
from coalition.read import queries
from coalition.read.filters import PledgeFilter
from coalition.text import formatting, labels
from core.vocabulary import SCOPES
from db.engine import read_session


@pytest.fixture
def seeded(engine):
    with read_session(engine) as session:
        yield session


def test_known_totals_are_shown_with_the_count_of_unknown_sizes(seeded):
    figures = headline(queries.participants_frame(seeded), queries.pledges_frame(seeded))
    troops = figures.category("troops")
    # New Zealand's "up to 100" trainers is the fixture's only published troop figure.
    assert troops.known_total == 100
    assert troops.unknown_size == troops.pledges - 1 > 0
    assert troops.figure() == "≥ 100 troops"
    assert troops.summary() == f"≥ 100 troops, + {troops.unknown_size} offers of unknown size"
    aircraft = figures.category("aircraft")
    assert aircraft.known_total == 0 and aircraft.unknown_size == aircraft.pledges == 1
    # Unknown is never zero: no size published reads as such, not as "0 aircraft".
    assert aircraft.figure() == aircraft.summary() == "1 offer, size not published"
    # The tile's caption counts its participants in words that agree with the number.
    assert aircraft.caption() == "1 offer, size not published; from 1 participant"
    assert troops.caption().endswith(f"from {troops.participants} participants")
    assert troops.participants > 1
    ships = CategoryFigures("ships", pledges=0, participants=0, known_total=0, unknown_size=0)
    assert ships.caption() == "No ships offer in this view."


def test_funding_is_converted_to_eur_at_the_stored_rate(seeded):
    pledges = queries.pledges_frame(seeded, PledgeFilter(scopes=SCOPES))
    # Announced on Sunday 2 March 2025: the daily rate of Friday 28 February, not Monday's.
    uk = pledges[(pledges["participant_code"] == "GBR") & (pledges["category"] == "funding")]
    assert uk["amount_eur"].iloc[0] == pytest.approx(1.6e9 / 0.8)
    assert (uk["rate_date"].iloc[0], uk["rate_kind"].iloc[0]) == (date(2025, 2, 28), "daily")
    # Dated only to the year 2025: that year's average rate.
    nz = pledges[(pledges["participant_code"] == "NZL") & (pledges["category"] == "funding")]
    assert nz["amount_eur"].iloc[0] == pytest.approx(152e6 / 2.0)
    assert (nz["rate_date"].iloc[0], nz["rate_kind"].iloc[0]) == (
        date(2025, 1, 1),
        "annual_average",
    )
    france = pledges[(pledges["participant_code"] == "FRA") & (pledges["category"] == "funding")]
    assert france["amount_eur"].iloc[0] == 2e9
    coalition = queries.pledges_frame(seeded, PledgeFilter())
    figures = headline(queries.participants_frame(seeded), coalition)
    # France's grant; the UK's guarantee is lending, counted apart and never in the total, and
    # New Zealand's aid is bilateral, outside the default view.
    assert figures.category("funding").known_total == 2e9
    assert figures.lending.known_total == pytest.approx(1.6e9 / 0.8)
    by_currency = figures.funding_by_currency.set_index("currency")
    assert by_currency.loc["GBP", "known_amount"] == 1.6e9
    assert by_currency.loc["EUR", "known_amount"] == 2e9
    assert "NZD" not in by_currency.index  # bilateral aid, hidden by default


def test_rate_lookup_takes_the_newest_rate_on_or_before_the_date():
    rates = pd.DataFrame(
        {
            "currency": ["USD", "USD", "USD", "USD", "USD"],
            "rate_date": [
                date(2025, 1, 1),
                date(2025, 6, 1),
                date(2025, 9, 1),
                date(2025, 7, 1),
                date(2025, 1, 1),
            ],
            "kind": ["daily", "daily", "daily", "monthly_average", "annual_average"],
            "units_per_eur": [1.0, 1.1, 1.2, 1.15, 1.12],
        }
    )
    assert exchange.rate_for(rates, "USD", date(2025, 7, 1)) == (1.1, date(2025, 6, 1), "daily")
    assert exchange.rate_for(rates, "USD", date(2024, 7, 1)) == (1.0, date(2025, 1, 1), "daily")
    assert exchange.rate_for(rates, "EUR", date(2025, 7, 1)) == (1.0, None, None)
    # A date known only to its month or year takes that period's average.
    assert exchange.rate_for(rates, "USD", date(2025, 7, 1), "month") == (
        1.15,
        date(2025, 7, 1),
        "monthly_average",
    )
    assert exchange.rate_for(rates, "USD", date(2025, 1, 1), "year") == (
        1.12,
        date(2025, 1, 1),
        "annual_average",
    )
    with pytest.raises(LookupError):
        exchange.rate_for(rates, "JPY", date(2025, 7, 1))


def test_filters_narrow_participants_and_pledges(seeded):
    commonwealth_region = PledgeFilter(regions=("Commonwealth",), statuses=())
    participants = queries.participants_frame(seeded, commonwealth_region)
    assert set(participants["code"]) == {"NZL"}
    pledges = queries.pledges_frame(seeded, commonwealth_region)
    assert set(pledges["participant_code"]) == {"NZL"}
    eu_troops = queries.pledges_frame(
        seeded, PledgeFilter(categories=("troops",), memberships=("EU",))
    )
    assert set(eu_troops["category"]) == {"troops"}
    assert set(eu_troops["participant_code"]) == {"FRA"}  # Poland's refusal is hidden
    assert "GBR" not in set(eu_troops["participant_code"])
    # Refusals are hidden by default and shown when asked for.
    assert "ruled_out" not in set(queries.pledges_frame(seeded, PledgeFilter())["status"])
    ruled_out = queries.pledges_frame(seeded, PledgeFilter(statuses=("ruled_out",)))
    assert list(ruled_out["participant_code"]) == ["POL"]


def test_charts_carry_the_data(seeded):
    pledges = queries.pledges_frame(seeded, PledgeFilter())
    by_status = json.loads(charts.pledges_by_category_and_status(pledges).to_json())
    total = sum(sum(trace["y"]) for trace in by_status["data"])
    assert total == len(pledges)
    assert {t["name"] for t in by_status["data"]} <= {labels.label(s) for s in pledges["status"]}
    by_region = json.loads(charts.pledges_by_region(pledges).to_json())
    assert sum(sum(t["y"]) for t in by_region["data"]) == len(pledges)

    figures = headline(queries.participants_frame(seeded), pledges)
    troops = figures.category("troops")
    gaps = force_gap.force_gap(troops, queries.targets_frame(seeded))
    troop_chart = force_gap.chart(gaps, troops)
    ranges = next(t for t in troop_chart.data if t.name == force_gap.RANGE_TRACE)
    pledged = next(t for t in troop_chart.data if t.name == force_gap.KNOWN_TRACE)
    assert "Fixture planning range" in ranges.y
    planned = list(ranges.y).index("Fixture planning range")
    assert (ranges.base[planned], ranges.base[planned] + ranges.x[planned]) == (15000, 30000)
    assert set(pledged.x) == {100}


@pytest.mark.parametrize(
    ("category", "quantity", "qualifier", "currency", "expected"),
    [
        ("funding", 1.6e9, "exact", "GBP", "£1.6bn"),
        ("funding", 1e9, "at_least", "CAD", "at least C$1bn"),
        ("funding", 152e6, None, "NZD", "NZ$152m"),
        ("funding", 2500, None, "JPY", "2,500 JPY"),
        ("troops", 100, "up_to", None, "up to 100 troops"),
        ("ships", None, None, None, "size not published"),
        ("aircraft", float("nan"), None, None, "size not published"),
    ],
)
def test_pledge_sizes_read_as_words(category, quantity, qualifier, currency, expected):
    assert formatting.pledge_size(category, quantity, qualifier, currency) == expected


def test_dates_show_only_the_precision_the_source_gave():
    assert formatting.partial_date(date(2025, 3, 1), "month") == "Mar 2025"
    assert formatting.partial_date(date(2025, 1, 1), "year") == "2025"
    assert formatting.partial_date(date(2025, 3, 2), "day") == "2025-03-02"


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (999_999_999, "€1bn"),
        (999_994_999, "€999.99m"),
        (999_000_000, "€999m"),
        (3.34e12, "€3.34tn"),
        (2500, "€2,500"),
        (None, "size not published"),
    ],
)
def test_money_rounds_before_choosing_the_unit(amount, expected):
    assert formatting.money(amount) == expected


def test_refusals_never_count_as_pledges_even_with_every_status_shown(seeded):
    everything = PledgeFilter(statuses=())
    pledges = queries.pledges_frame(seeded, everything)
    assert "ruled_out" in set(pledges["status"])
    troops = headline(queries.participants_frame(seeded, everything), pledges).category("troops")
    default = headline(
        queries.participants_frame(seeded), queries.pledges_frame(seeded, PledgeFilter())
    ).category("troops")
    assert troops == default
    assert "POL" not in set(
        pledges[(pledges["category"] == "troops") & (pledges["status"] != "ruled_out")][
            "participant_code"
        ]
    )
