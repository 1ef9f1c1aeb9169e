"""Commitments against delivery: the stages of each category add up to the View's figures,
unknown sizes are counted apart, loans and guarantees stay out of funding, and the lines over
time stand on any date where the "as of" view of that date stands."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import pandas as pd
import pytest

from coalition.access.auth import Actor
from coalition.figures import delivery
from coalition.figures.view import build_view
from coalition.read import queries
from coalition.read.filters import PledgeFilter
from coalition.write.pledges import create_pledges, update_pledge
from core.vocabulary import CATEGORIES, SCOPES
from db.engine import read_session, write_session
from tests.factories import pledge
from tests.support import oracles
from tests.support.app import open_sections, pick_tab, start_app, table_with
from tests.support.data import plotly_array

EDITOR = Actor("e@example.org")
# Pledges added to the fixture seed (tests/fixtures/seed), each with a history of its own.
ENTRIES = {
    "grant": {  # announced, committed from July, delivered from October
        "participant_code": "FRA",
        "category": "funding",
        "status": "announced",
        "description": "Delivery test grant",
        "quantity": 500_000_000,
        "currency": "EUR",
        "instrument": "grant",
        "announced_on": date(2025, 5, 1),
        "source_title": "Delivery test source",
        "confidence": "high",
    },
    "loan": pledge(
        category="funding",
        status="committed",
        description="Delivery test loan",
        quantity=300_000_000,
        currency="EUR",
        instrument="loan",
        announced_on=date(2025, 6, 1),
        source_title="Delivery test source",
    ),
    "grant_then_loan": {  # a grant until September, then recorded as a loan
        "participant_code": "FRA",
        "category": "funding",
        "status": "committed",
        "description": "Delivery test grant that became a loan",
        "quantity": 100_000_000,
        "currency": "EUR",
        "instrument": "grant",
        "announced_on": date(2025, 5, 10),
        "source_title": "Delivery test source",
        "confidence": "high",
    },
    "company": {  # announced, deployed from November
        "participant_code": "FRA",
        "category": "troops",
        "status": "announced",
        "description": "Delivery test company",
        "quantity": 250,
        "announced_on": date(2025, 4, 10),
        "scope": "reassurance_force",
        "source_title": "Delivery test source",
        "confidence": "high",
    },
    "patrol_ships": {  # committed, size never published
        "participant_code": "GBR",
        "category": "ships",
        "status": "committed",
        "description": "Delivery test patrol ships of unknown number",
        "announced_on": date(2025, 5, 5),
        "source_title": "Delivery test source",
        "confidence": "high",
    },
    "jets": {  # announced, withdrawn from August
        "participant_code": "NZL",
        "category": "aircraft",
        "status": "announced",
        "description": "Delivery test jets",
        "quantity": 4,
        "announced_on": date(2025, 5, 1),
        "source_title": "Delivery test source",
        "confidence": "high",
    },
}
REVISIONS = (
    ("grant", {"status": "committed"}, date(2025, 7, 1)),
    ("grant", {"status": "delivered"}, date(2025, 10, 1)),
    ("grant_then_loan", {"instrument": "loan"}, date(2025, 9, 10)),
    ("company", {"status": "deployed"}, date(2025, 11, 1)),
    ("jets", {"status": "withdrawn"}, date(2025, 8, 1)),
)
DATES = (
    date(2025, 3, 1),
    date(2025, 3, 2),
    date(2025, 5, 1),
    date(2025, 6, 30),
    date(2025, 7, 1),
    date(2025, 8, 1),
    date(2025, 9, 9),
    date(2025, 9, 10),
    date(2025, 10, 1),
    date(2025, 11, 1),
    date(2026, 1, 6),
    date(2026, 6, 1),
)
FILTER_NAMES = ("default", "bilateral", "funding", "troops-ships", "from-committed", "europe")
FILTERS = (
    PledgeFilter(),
    PledgeFilter(scopes=SCOPES),
    PledgeFilter(categories=("funding",)),
    PledgeFilter(categories=("troops", "ships")),
    PledgeFilter(statuses=("committed", "deployed", "delivered", "withdrawn")),
    PledgeFilter(regions=("Europe",)),
)


def record_history(engine) -> dict[str, int]:
    with write_session(engine) as session:
        ids = create_pledges(
            session, actor=EDITOR, entries=list(ENTRIES.values()), reason="Delivery tests"
        )
    pledges = dict(zip(ENTRIES, ids, strict=True))
    versions = dict.fromkeys(pledges, 1)
    for name, changes, effective_on in REVISIONS:
        with write_session(engine) as session:
            update_pledge(
                session,
                actor=EDITOR,
                pledge_id=pledges[name],
                expected_version=versions[name],
                changes=changes,
                reason="Delivery tests",
                effective_on=effective_on,
            )
        versions[name] += 1
    return pledges


@pytest.fixture
def history(engine):
    record_history(engine)
    return engine


def stages(engine, filters: PledgeFilter) -> pd.DataFrame:
    with read_session(engine) as session:
        return delivery.by_stage(build_view(session, filters))


def cell(totals: pd.DataFrame, category: str, stage: str) -> pd.Series:
    (row,) = totals[(totals["category"] == category) & (totals["stage"] == stage)].index
    return totals.loc[row]


@pytest.mark.parametrize("filters", FILTERS, ids=FILTER_NAMES)
def test_the_stages_of_a_category_add_up_to_the_views_figures(history, filters):
    for as_of in (None, date(2025, 6, 30), date(2025, 10, 15)):
        on = replace(filters, as_of=as_of)
        with read_session(history) as session:
            view = build_view(session, on)
        totals = delivery.by_stage(view)
        assert set(totals["stage"]) <= set(delivery.stages_for(on))
        for group in delivery.groups_for(on):
            own = totals[totals["category"] == group]
            expected = (
                view.headline.lending
                if group == delivery.LENDING
                else view.headline.category(group)
            )
            assert own["pledges"].sum() == expected.pledges, (group, as_of)
            assert own["unknown_size"].sum() == expected.unknown_size, (group, as_of)
            assert own["known_total"].sum() == pytest.approx(expected.known_total), (group, as_of)


def test_each_pledge_is_in_the_stage_of_its_status(history):
    totals = stages(history, PledgeFilter())
    assert cell(totals, "funding", "delivered")["known_total"] == 500_000_000
    assert cell(totals, "troops", "delivered")["known_total"] == 250
    # The seed's New Zealand trainers (up to 100) are committed; the rest of the troops are
    # announced with no published size.
    assert cell(totals, "troops", "committed")["known_total"] == 100
    assert cell(totals, "troops", "announced")["pledges"] == 2
    # Withdrawn jets count nowhere.
    assert totals.loc[totals["category"] == "aircraft", "known_total"].sum() == 0
    assert list(delivery.stage_table(totals)["Stage"].unique()) == [
        "Considering",
        "Announced",
        "Committed",
        "Deployed or delivered",
    ]


def test_pledges_of_unknown_size_are_counted_apart_never_as_zero(history):
    totals = stages(history, PledgeFilter())
    ships = cell(totals, "ships", "committed")
    assert (ships["pledges"], ships["unknown_size"], ships["known_total"]) == (1, 1, 0)
    table = delivery.stage_table(totals)
    row = table[(table["Category"] == "Ships") & (table["Stage"] == "Committed")].iloc[0]
    assert row["Figure"] == "1 pledge, size not published"
    assert row["Known size"] == ""  # blank, not 0
    exact = delivery.stage_table(totals, exact=True)
    assert pd.isna(exact.loc[row.name, "Known size"])  # and in the file too
    # Published sums read as a reader reads them; the file keeps them whole.
    funding = table[(table["Category"] == "Funding") & (table["Stage"] == "Announced")].iloc[0]
    assert funding["Known size"].startswith("€")
    assert isinstance(exact.loc[funding.name, "Known size"], float)
    troops = table[(table["Category"] == "Troops") & (table["Stage"] == "Announced")].iloc[0]
    assert troops["Figure"] == "2 pledges, size not published"
    assert (troops["Pledges"], troops["Of unknown size"]) == (2, 2)
    nothing = table[(table["Category"] == "Other") & (table["Stage"] == "Committed")].iloc[0]
    assert nothing["Figure"] == "no pledge"
    # The chart hatches them, and writes the counts in the hatched bars.
    figure = json.loads(delivery.stage_figure(totals).to_json())
    hatched = [
        t for t in figure["data"] if t.get("marker", {}).get("pattern", {}).get("shape") == "/"
    ]
    written = [text for t in hatched for text in t["text"] if text]
    assert sum(int(text.removesuffix(" unknown")) for text in written) == (
        totals["unknown_size"].sum()
    )
    # No bar of published sizes where none was published: the panel says why, and the
    # pledges' panel counts them.
    sizes = [t for t in figure["data"] if t["xaxis"] == "x"]
    (note,) = [t for t in sizes if t["type"] == "scatter"]
    assert "Aircraft" in note["y"] and set(note["text"]) == {delivery.NO_SIZE}
    aircraft = [
        x
        for t in sizes
        if t["type"] == "bar"
        for y, x in zip(t["y"], plotly_array(t["x"]), strict=True)
        if y == "Aircraft"
    ]
    assert not any(aircraft)
    # Every category on one axis per panel, whatever the number of categories.
    assert {t["xaxis"] for t in figure["data"]} == {"x", "x2"}
    # The legend names the stages in their order, each with a plain swatch.
    legend = [t for t in figure["data"] if t.get("showlegend", True)]
    assert [t["name"] for t in legend] == [
        delivery.STAGE_LABELS[s]
        for s in delivery.STAGES
        if s in set(totals.loc[totals["pledges"] > 0, "stage"])
    ]
    assert not any(t["marker"].get("pattern") for t in legend)


def test_loans_and_guarantees_are_never_added_to_funding(history):
    totals = stages(history, PledgeFilter())
    funding = totals[totals["category"] == "funding"]
    lending = totals[totals["category"] == delivery.LENDING]
    # The French grant and the seed's French €2bn grant; the loan, the grant that became a
    # loan and the seed's British guarantee (£1.6bn at 0.8) are apart.
    assert funding["known_total"].sum() == 2_500_000_000
    assert lending["known_total"].sum() == pytest.approx(300_000_000 + 100_000_000 + 2e9)
    assert cell(totals, delivery.LENDING, "committed")["pledges"] == 3
    table = delivery.stage_table(totals)
    assert set(table.loc[table["Category"] == "Loans and guarantees", "Unit"]) == {"EUR"}
    # Before it became a loan, the grant was funding.
    before = stages(history, PledgeFilter(as_of=date(2025, 9, 9)))
    assert cell(before, "funding", "committed")["known_total"] == 600_000_000
    assert cell(before, delivery.LENDING, "committed")["known_total"] == pytest.approx(2.3e9)


def expected_on(engine, filters: PledgeFilter, on: date) -> pd.DataFrame:
    return stages(engine, replace(filters, as_of=on)).set_index(["category", "stage"])


@pytest.mark.parametrize("filters", FILTERS, ids=FILTER_NAMES)
def test_the_lines_on_any_date_equal_the_as_of_view_of_that_date(history, filters):
    with read_session(history) as session:
        series = delivery.stages_over_time(session, filters)
    for on in DATES:
        expected = expected_on(history, filters, on)
        drawn = (
            oracles.value_on(series, on)
            .set_index(["category", "stage"])
            .reindex(expected.index, fill_value=0)
        )
        for column in ("pledges", "unknown_size"):
            assert drawn[column].astype(int).to_dict() == expected[column].to_dict(), (on, column)
        assert drawn["known_total"].to_numpy() == pytest.approx(
            expected["known_total"].to_numpy()
        ), on
        # Lines drawn as of that day end where that day's view stands.
        with read_session(history) as session:
            as_of = delivery.stages_over_time(session, replace(filters, as_of=on))
        last = (
            oracles.value_on(as_of, on)
            .set_index(["category", "stage"])
            .reindex(expected.index, fill_value=0)
        )
        assert last["pledges"].astype(int).to_dict() == expected["pledges"].to_dict(), on


def test_the_lines_follow_a_pledge_from_stage_to_stage(history):
    with read_session(history) as session:
        series = delivery.stages_over_time(session, PledgeFilter())
    funding = series[series["category"] == "funding"]

    def on(stage: str, day: date) -> float:
        own = funding[(funding["stage"] == stage) & (funding["date"] <= day)]
        return float(own["known_total"].iloc[-1]) if len(own) else 0.0

    assert on("announced", date(2025, 6, 30)) == 2_500_000_000
    assert on("committed", date(2025, 7, 1)) == 600_000_000
    assert on("delivered", date(2025, 9, 30)) == 0
    assert on("delivered", date(2025, 10, 1)) == 500_000_000
    assert on("committed", date(2025, 10, 1)) == 0  # the other became a loan in September
    table = delivery.series_table(series)
    assert {"Category", "Stage", "From", "Figure", "Pledges", "Of unknown size"} <= set(table)
    delivered = table[
        (table["Category"] == "Funding") & (table["Stage"] == "Deployed or delivered")
    ]
    assert list(delivered["From"]) == [date(2025, 10, 1)]
    assert list(delivered["Figure"]) == ["€500m"]


def test_the_figures_draw_the_stages_in_the_status_blues(history):
    totals = stages(history, PledgeFilter())
    figure = json.loads(delivery.stage_figure(totals).to_json())
    # Each stage's bar of funding's published sizes: its colour, its share, the sum written.
    funding = {
        t["name"]: (t["marker"]["color"], x, text)
        for t in figure["data"]
        if t["xaxis"] == "x" and t["type"] == "bar"
        for y, x, text in zip(t["y"], plotly_array(t["x"]), t["text"], strict=True)
        if y == "Funding" and x
    }
    assert funding == {
        "Announced": (delivery.STAGE_COLOURS["announced"], pytest.approx(0.8), "€2bn"),
        "Deployed or delivered": (
            delivery.STAGE_COLOURS["delivered"],
            pytest.approx(0.2),
            "€500m",
        ),
    }
    with read_session(history) as session:
        series = delivery.stages_over_time(session, PledgeFilter())
    over_time = json.loads(delivery.over_time_figure(series, date(2026, 6, 1)).to_json())
    assert over_time["layout"]["title"]["text"] == "Each stage over time"
    assert all(t["line"]["shape"] == "hv" for t in over_time["data"])
    # Every line runs to the date shown.
    assert {plotly_array(t["x"])[-1][:10] for t in over_time["data"]} == {"2026-06-01"}
    # The legend names the stages in the ladder's order (plotly orders it by rank).
    legend = [t for t in over_time["data"] if t.get("showlegend", True)]
    drawn = {t["name"] for t in over_time["data"]}
    assert [t["name"] for t in sorted(legend, key=lambda t: t["legendrank"])] == [
        delivery.STAGE_LABELS[s] for s in delivery.STAGES if delivery.STAGE_LABELS[s] in drawn
    ]


def test_nothing_counted_gives_empty_figures_and_no_error(engine):
    filters = PledgeFilter(statuses=("withdrawn",))
    assert delivery.stages_for(filters) == ()
    totals = stages(engine, filters)
    assert totals.empty
    with read_session(engine) as session:
        assert delivery.stages_over_time(session, filters).empty
        states = oracles.states_over_time(queries.revisions_frame(session, PledgeFilter()))
    assert oracles.with_lending_apart(states.head(0)).empty
    for category in CATEGORIES:
        assert category in delivery.groups_for(PledgeFilter())


# The page, in the real Streamlit runtime.


def chart_titles(at) -> list[str]:
    return [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]


def test_the_delivery_page_shows_each_chart_metrics_and_tables(monkeypatch, database_url):
    at = start_app(monkeypatch, database_url).run()
    at.switch_page("../pages/delivery.py").run()
    assert not at.exception
    assert at.title[0].value == "Commitments against delivery"
    # At first the stages chart; the lines over time are neither built nor sent, nor the
    # figures behind the bars until their section is opened.
    assert chart_titles(at) == ["Where the pledges stand, by category"]
    labels = {m.label: m.value for m in at.metric}
    assert labels["Troops"] == "none"
    assert labels["Loans and guarantees"] == "none"
    assert [e.label for e in at.expander] == ["Figures behind the bars"]
    assert not at.dataframe
    assert not at.get("download_button")
    open_sections(at, "delivery_stages_section").run()
    assert not at.exception
    by_stage = next(d.value for d in at.dataframe if "Stage" in d.value.columns)
    row = by_stage[(by_stage["Category"] == "Troops") & (by_stage["Stage"] == "Committed")]
    assert list(row["Figure"]) == ["100 troops"]
    assert [b.key for b in at.get("download_button")] == ["delivery_stages_download"]
    pick_tab(at, "delivery_chart", "Each stage over time").run()
    assert not at.exception
    assert chart_titles(at) == ["Each stage over time"]
    assert {m.label: m.value for m in at.metric} == labels  # the metrics stay above the tabs
    # The figures behind the lines are built when their section is opened, not before.
    assert [e.label for e in at.expander] == ["Figures behind the lines"]
    assert not at.get("download_button")
    open_sections(at, "delivery_figures_section").run()
    assert not at.exception
    over_time = table_with(at, "From")
    assert len(over_time) > 0
    assert [b.key for b in at.get("download_button")] == ["delivery_over_time_download"]


def test_the_delivery_page_follows_the_sidebar_and_as_of(monkeypatch, sqlite_url):
    at = start_app(monkeypatch, sqlite_url).run()
    at.sidebar.multiselect(key="filter_categories").set_value(["troops"])
    at.sidebar.text_input(key="filter_as_of").input("2025-03-15")
    at.switch_page("../pages/delivery.py")
    open_sections(at, "delivery_stages_section").run()
    assert not at.exception
    assert any("as it stood on 15 March 2025" in i.value for i in at.info)
    by_stage = next(d.value for d in at.dataframe if "Stage" in d.value.columns)
    assert set(by_stage["Category"]) == {"Troops"}
    # On 15 March 2025 only the British troops of unknown size had been announced.
    announced = by_stage[by_stage["Stage"] == "Announced"].iloc[0]
    assert announced["Figure"] == "1 pledge, size not published"
    at.sidebar.multiselect(key="filter_statuses").set_value(["withdrawn"]).run()
    assert not at.exception
    assert any("never counted" in i.value for i in at.info)
