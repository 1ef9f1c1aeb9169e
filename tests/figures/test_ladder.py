"""One ladder of commitment: considering → announced → committed → deployed or delivered,
with a refusal apart, and one meaning of an offer (announced or further up). Found by hand:
"Troops: 13 pledges" counted participants only considering; the web map painted considering
and announced alike; the ranking and the briefing pack disagreed on who offers troops."""

from __future__ import annotations

from sqlalchemy import Engine

from coalition.access.auth import Actor
from coalition.figures import maps, measures, ranking
from coalition.figures.geo import choropleth
from coalition.figures.geometry import world_features
from coalition.figures.ladder import Ladder
from coalition.figures.tiles import tiles
from coalition.figures.view import View, build_view
from coalition.output.briefing import content
from coalition.read.filters import PledgeFilter
from coalition.write.pledges import create_pledges
from core.vocabulary import LADDER, OFFER_STATUSES, SCOPES, STATUSES, is_offer
from db.engine import read_session, write_session
from tests.factories import pledge
from tests.support.data import map_colours, map_participants

EDITOR = Actor("a@example.org")


def considering(engine: Engine) -> None:
    """Two more participants only considering troops: the EU, and Poland (which had ruled
    troops out, and now considers them)."""
    with write_session(engine) as session:
        create_pledges(
            session,
            actor=EDITOR,
            entries=[
                pledge(participant_code="EUU", status="considering", description="EU monitors"),
                pledge(participant_code="POL", status="considering", description="Polish trainers"),
            ],
            reason="Ladder tests",
        )


def view_of(engine: Engine, filters: PledgeFilter | None = None) -> View:
    with read_session(engine) as session:
        return build_view(session, filters or PledgeFilter())


def test_the_vocabulary_decides_what_an_offer_is():
    assert OFFER_STATUSES == ("announced", "committed", "deployed", "delivered")
    assert [s for s in STATUSES if is_offer(s)] == list(OFFER_STATUSES)
    assert not is_offer("considering") and not is_offer("ruled_out") and not is_offer(None)
    assert LADDER[0] == "considering" and set(OFFER_STATUSES) <= set(LADDER)


def test_a_tile_counts_offers_and_shows_the_ladder_never_a_mix_of_rungs(engine):
    considering(engine)
    view = view_of(engine)
    troops = next(t for t in tiles(view) if t.category == "troops")
    # The United Kingdom and France announced, New Zealand committed; the EU and Poland only
    # consider troops: three offer, never five.
    assert troops.value == "3"
    assert "Ladder: 1 committed · 2 announced · 2 considering." in troops.notes
    assert view.headline.category("troops").pledges == 3
    ladder = view.headline.ladders["troops"]
    assert (ladder.offering, ladder.count("considering"), ladder.count("ruled_out")) == (3, 2, 0)
    assert Ladder("troops", ()).text() == "nothing reported"


def test_a_refusal_stands_apart_whatever_the_status_filter(engine):
    for filters in (
        PledgeFilter(),
        PledgeFilter(statuses=()),
        PledgeFilter(statuses=("announced",)),
    ):
        ladder = view_of(engine, filters).headline.ladders["troops"]
        assert ladder.count("ruled_out") == 1, filters  # Poland, in the fixture


def drawn(view: View, measure: str) -> tuple[dict, list]:
    """Each participant's colour on the map as drawn, and the map's legend."""
    figure, legend = choropleth.map_figure(
        view.by_participant,
        measures.MEASURES[measure],
        maps.opening_view(view.by_participant),
        world_features(),
    )
    spec = figure.to_plotly_json()
    opens = map_participants(spec)
    return {opens[iso]: c for iso, c in map_colours(spec).items() if opens[iso]}, legend


def test_the_map_paints_each_rung_its_own_colour(engine):
    considering(engine)
    with write_session(engine) as session:
        create_pledges(
            session,
            actor=EDITOR,
            entries=[pledge(participant_code="NZL", category="ships", status="considering")],
            reason="Ladder tests",
        )
    view = view_of(engine)
    fill, legend = drawn(view, "troops")
    assert fill["GBR"] == maps.UNKNOWN_SIZE  # announced, size not published
    assert fill["POL"] == maps.CONSIDERING  # considering: not the colour of an offer
    assert fill["GBR"] != fill["POL"]
    fill, _ = drawn(view, "ships")
    assert fill["NZL"] == maps.CONSIDERING
    assert {"offers, size not published", "considering, no offer", "ruled out"} <= {
        entry.text for entry in legend
    }


def test_a_refusal_has_its_own_colour_on_the_map_and_in_the_pack(engine):
    view = view_of(engine)
    fill, _ = drawn(view, "troops")
    assert fill["POL"] == maps.RULED_OUT
    classes = content.map_classes(view)
    assert (classes["POL"], classes["GBR"], classes["UKR"]) == (
        "ruled_out",
        "troops",
        "beneficiary",
    )


def test_ranking_coverage_and_pack_agree_on_who_offers_troops(engine):
    considering(engine)
    view = view_of(engine, PledgeFilter(scopes=SCOPES))
    order = ranking.ranking(view, "troops").set_index("code")
    offered = set(order.index[order["group"].isin((ranking.KNOWN, ranking.UNKNOWN))])
    assert offered == {"GBR", "FRA", "NZL"}
    assert order.loc["POL", "figure"] == "considering, no offer"
    matrix = ranking.coverage(view, ("troops",)).set_index("code")
    assert set(matrix.index[matrix["troops"].isin(ranking.OFFERED)]) == offered
    assert matrix.loc["POL", "troops"] == matrix.loc["EUU", "troops"] == "considering"
    classes = content.map_classes(view)
    assert {code for code, kind in classes.items() if kind == "troops"} == offered
    assert classes["POL"] == "considering"


def test_the_filters_read_in_words_never_codes():
    described = PledgeFilter(
        categories=("troops",), statuses=("ruled_out", "announced"), scopes=("bilateral",)
    ).describe()
    assert (
        described
        == "Troops; status: Ruled out, Announced; part of: Bilateral (outside the coalition)"
    )
    assert "_" not in PledgeFilter(scopes=SCOPES).describe()
    assert PledgeFilter().describe() == (
        "every category and participant; coalition pledges only (bilateral aid not counted)"
    )
