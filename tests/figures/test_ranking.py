"""The ranking and the coverage matrix on the fixture seed, as a reader sees them: the order,
unknown sizes after every published figure (never as zero), the institutions and Ukraine apart,
and each participant's offer in each category in words."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import pandas as pd
import pytest
from sqlalchemy import Engine

from coalition.figures import ranking
from coalition.figures.view import View, build_view
from coalition.read.filters import PledgeFilter
from db.engine import read_session
from tests.support.app import start_app


def view_of(engine: Engine, filters: PledgeFilter | None = None) -> View:
    with read_session(engine) as session:
        return build_view(session, filters or PledgeFilter())


def shown(engine: Engine, measure: str, filters: PledgeFilter | None = None):
    """(countries table, institutions and Ukraine table) as the page shows them."""
    order = ranking.ranking(view_of(engine, filters), measure)
    return (
        ranking.ranking_for_display(ranking.countries(order), measure, ranked=True),
        ranking.ranking_for_display(ranking.institutions_and_ukraine(order), measure, ranked=False),
    )


def rows(table, column: str) -> list[tuple[str, str]]:
    return list(zip(table["Participant"], table[column], strict=True))


def test_troops_rank_published_figures_first_then_unknown_sizes_then_nothing(engine):
    countries, others = shown(engine, "troops")
    assert rows(countries, "Troops offered") == [
        ("New Zealand", "100 troops"),
        # Sizes never published: listed after every published figure, and never as 0.
        ("France", "1 offer, size not published"),
        ("United Kingdom", "1 offer, size not published"),
        # Poland's refusal is not an offer: said as such, last (the default status filter
        # hides refusals from the tables, not from where each participant stands).
        ("Poland", "ruled out"),
    ]
    assert countries["Rank"].tolist()[0] == 1
    assert countries["Rank"].isna().tolist() == [False, True, True, True]
    assert countries["Of unknown size"].tolist() == [0, 1, 1, 0]
    assert list(others["Participant"]) == ["European Union", "NATO", "Ukraine"]
    assert "Rank" not in others.columns


def test_institutions_and_ukraine_are_never_among_the_countries(engine):
    for measure in ranking.RANK_MEASURES:
        countries, others = shown(engine, measure)
        assert set(countries["Participant"]) == {
            "France",
            "New Zealand",
            "Poland",
            "United Kingdom",
        }, measure
        assert set(others["Participant"]) == {"European Union", "NATO", "Ukraine"}, measure


def test_funding_counts_grants_and_names_lending_apart(engine):
    countries, _ = shown(engine, "funding_eur")
    assert rows(countries, "Funding (EUR, known)") == [
        ("France", "€2bn"),
        # A loan guarantee is offered money, but no funding total adds it.
        ("United Kingdom", "loans or guarantees only (not counted)"),
        ("New Zealand", "nothing reported"),  # bilateral aid, not counted by default
        ("Poland", "nothing reported"),
    ]
    with_bilateral = replace(PledgeFilter(), scopes=())
    countries, _ = shown(engine, "funding_eur", with_bilateral)
    # 152m NZD at the annual average of 2.0 NZD per EUR.
    assert rows(countries, "Funding (EUR, known)")[:2] == [
        ("France", "€2bn"),
        ("New Zealand", "€76m"),
    ]
    assert countries["Rank"].tolist()[:2] == [1, 2]


def test_ratios_say_what_they_are_worked_out_from(engine):
    countries, _ = shown(engine, "funding_pct_gdp")
    # €2bn at the newest daily rate, 1.25 US$ per EUR, over a GDP of US$3tn.
    assert rows(countries, "Funding as % of GDP")[0] == ("France", "0.083% of GDP")
    assert countries["Worked out from"][0] == "€2bn of a GDP of US$3tn (2023)"
    countries, others = shown(engine, "troops_per_million")
    assert rows(countries, "Troops per million inhabitants")[0] == (
        "New Zealand",
        "20.0 troops per million",
    )
    assert countries["Worked out from"][0] == "100 troops for 5,000,000 people (2023)"
    assert rows(countries, "Troops per million inhabitants")[1] == (
        "France",
        "1 offer, size not published",
    )
    # Nothing known to divide: no basis, and the institutions have no population anyway.
    assert countries["Worked out from"][1] == ""
    assert set(others["Troops per million inhabitants"]) == {"nothing reported"}


def test_a_known_sum_beside_unknown_sizes_is_a_lower_bound_ranked_by_what_is_known(engine):
    order = ranking.ranking(view_of(engine), "ships")
    assert ranking.countries(order)[["name", "figure"]].values.tolist()[0] == ["France", "2 ships"]
    chart = ranking.ranking_chart(order, "ships").to_plotly_json()
    (bars,) = chart["data"]
    assert list(bars["y"]) == ["France"] and list(bars["x"]) == [2.0]
    assert list(bars["text"]) == ["2 ships"]
    layout = chart["layout"]
    assert layout["xaxis"]["title"]["text"] == "Ships (count)"
    assert layout["xaxis"]["tickformat"] == ",d"


def test_the_chart_draws_published_figures_only_with_money_in_the_pages_format(engine):
    view = view_of(engine, replace(PledgeFilter(), scopes=()))
    chart = json.loads(
        ranking.ranking_chart(ranking.ranking(view, "funding_eur"), "funding_eur").to_json()
    )
    (bars,) = chart["data"]
    assert bars["y"] == ["France", "New Zealand"]  # no bar for an unknown size, no zero bar
    assert bars["text"] == ["€2bn", "€76m"]
    assert "€1bn" in chart["layout"]["xaxis"]["ticktext"]
    troops = ranking.ranking_chart(ranking.ranking(view, "troops"), "troops").to_plotly_json()
    assert list(troops["data"][0]["y"]) == ["New Zealand"]


def test_coverage_matrix_says_what_each_participant_has_offered(engine):
    matrix = ranking.coverage(view_of(engine, PledgeFilter()))
    table = ranking.coverage_for_display(matrix)
    assert list(table.columns) == [
        "Participant",
        "Kind",
        "Funding",
        "Troops",
        "Aircraft",
        "Ships",
        "Other",
    ]
    # Countries first, then the institutions, then Ukraine.
    assert list(table["Participant"]) == [
        "France",
        "New Zealand",
        "Poland",
        "United Kingdom",
        "European Union",
        "NATO",
        "Ukraine",
    ]
    cells = table.set_index("Participant")
    assert cells.loc["France"].tolist()[1:] == [
        "size known",
        "size unknown",
        "nothing reported",
        "size known",
        "nothing reported",
    ]
    assert cells.loc["United Kingdom", "Funding"] == "size known"  # a guarantee, offered
    assert cells.loc["United Kingdom", "Aircraft"] == "size unknown"
    assert cells.loc["New Zealand", "Troops"] == "size known"
    assert cells.loc["New Zealand", "Funding"] == "nothing reported"  # bilateral, not counted
    assert cells.loc["Poland", "Troops"] == "ruled out"
    assert set(cells.loc["NATO"].tolist()[1:]) == {"nothing reported"}
    assert set(table.iloc[:, 2:].stack()) <= set(ranking.COVERAGE_STATES)
    assert ranking.not_offered(matrix, "troops") == (
        "1 of 4 countries has not offered troops: Poland (ruled out)."
    )
    assert ranking.not_offered(matrix, "ships") == (
        "3 of 4 countries have not offered ships: New Zealand, Poland, United Kingdom."
    )


def test_coverage_precedence_known_unknown_considering_ruled_out_nothing(engine):
    view = view_of(engine, PledgeFilter(statuses=()))
    pledges = view.pledges
    poland = pledges["participant_code"] == "POL"
    template = pledges[poland].iloc[0]

    def with_pledges(*entries: tuple[str, float | None]):
        extra = pd.DataFrame(
            [
                template.to_dict() | {"id": 9000 + n, "status": status, "quantity": size}
                for n, (status, size) in enumerate(entries)
            ],
            columns=pledges.columns,
        )
        frame = pd.concat([pledges[~poland], extra], ignore_index=True)
        refusals = frame[frame["status"] == "ruled_out"]
        matrix = ranking.coverage(replace(view, pledges=frame, refusals=refusals), ("troops",))
        return matrix.set_index("code").loc["POL", "troops"]

    assert with_pledges(("ruled_out", None)) == "ruled out"
    assert with_pledges(("ruled_out", None), ("considering", 500.0)) == "considering"
    assert with_pledges(("considering", 500.0), ("announced", None)) == "size unknown"
    assert with_pledges(("announced", None), ("committed", 200.0)) == "size known"
    assert with_pledges(("withdrawn", 300.0)) == "nothing reported"
    assert with_pledges() == "nothing reported"


def test_the_coverage_matrix_keeps_the_chosen_categories_and_refusals(engine):
    filters = PledgeFilter(categories=("troops", "ships"))
    assert "ruled_out" not in filters.statuses  # hidden from the tables by default...
    matrix = ranking.coverage(view_of(engine, filters), ("troops",))
    assert list(ranking.coverage_for_display(matrix).columns) == ["Participant", "Kind", "Troops"]
    # ... and still the matrix's answer for a participant that ruled troops out.
    assert matrix.set_index("code").loc["POL", "troops"] == "ruled out"
    assert ranking.measures_for(filters) == ["troops", "troops_per_million", "ships"]


def test_before_anyone_took_part_everything_is_empty_and_says_so(engine):
    view = view_of(engine, PledgeFilter(as_of=date(2025, 3, 1)))
    order = ranking.ranking(view, "troops")
    assert order.empty
    assert list(ranking.ranking_chart(order, "troops").to_plotly_json()["data"][0]["y"]) == []
    matrix = ranking.coverage(view)
    assert matrix.empty
    assert ranking.not_offered(matrix, "troops") == (
        "No country is on the record under these filters."
    )


@pytest.fixture
def ranking_page(monkeypatch, database_url):
    at = start_app(monkeypatch, database_url).run()
    return at.switch_page("../pages/ranking.py").run()


def test_the_ranking_page_renders_today_and_as_of_the_first_day(ranking_page):
    at = ranking_page
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Ranking of participants"
    headings = [h.value for h in at.main.subheader]
    assert headings == [
        "Contributing countries",
        "Institutions and Ukraine",
        "Coverage: who has offered what",
    ]
    assert at.selectbox(key="ranking_measure").value == "funding_eur"
    assert any("has not offered troops: Poland (ruled out)" in m.value for m in at.markdown)
    at.selectbox(key="ranking_measure").set_value("troops").run()
    assert not at.exception
    countries = at.dataframe[0].value
    assert countries["Participant"].tolist()[0] == "New Zealand"
    assert countries["Troops offered"].tolist()[0] == "100 troops"
    at.sidebar.text_input(key="filter_as_of").input("2025-03-01").run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error
    assert any("01 March 2025" in i.value for i in at.info)
    assert any("No country is on the record" in m.value for m in at.markdown)
