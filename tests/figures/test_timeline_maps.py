"""Timeline series, map figures and decks, and pledge histories, on the fixture seed data."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pandas as pd
import pydeck as pdk
import pytest

from coalition.access.auth import Actor
from coalition.access.privacy import staff_id
from coalition.figures import geo, geometry, maps, measures, timeline_figures
from coalition.figures.geo import choropleth
from coalition.read import queries
from coalition.read.filters import DEFAULT_STATUSES, PledgeFilter
from coalition.read.history import revision_history
from coalition.write.pledges import create_pledge, update_pledge
from db.engine import read_session, write_session
from tests.factories import pledge
from tests.support import oracles
from tests.support.data import map_colours, map_participants, plotly_array

TODAY = date(2026, 11, 28)


def revisions_table(rows: list[tuple]) -> pd.DataFrame:
    """(pledge_id, version, effective_on, category, status, quantity) rows of in-kind pledges
    for the reassurance force, each announced on its first revision's date."""
    frame = pd.DataFrame(
        rows, columns=["pledge_id", "version", "effective_on", "category", "status", "quantity"]
    )
    announced_on = frame.groupby("pledge_id")["effective_on"].transform("min")
    return frame.assign(
        amount_eur=None,
        announced_on=announced_on,
        instrument="in_kind",
        scope="reassurance_force",
    ).astype({"quantity": "float64", "amount_eur": "float64"})


def test_cumulative_steps_follow_creation_revision_and_withdrawal():
    revisions = revisions_table(
        [
            (1, 1, date(2025, 3, 1), "troops", "announced", 100.0),
            (2, 1, date(2025, 4, 1), "troops", "committed", None),
            (1, 2, date(2025, 5, 1), "troops", "committed", 300.0),
            (1, 3, date(2025, 6, 1), "troops", "withdrawn", 300.0),
        ]
    )
    series = oracles.cumulative_by_category(
        oracles.states_over_time(revisions), ("announced", "committed")
    )
    steps = series.set_index("date")[["known_total", "pledges", "unknown_size"]]
    assert steps.loc[date(2025, 3, 1)].tolist() == [100, 1, 0]
    assert steps.loc[date(2025, 4, 1)].tolist() == [100, 2, 1]
    assert steps.loc[date(2025, 5, 1)].tolist() == [300, 2, 1]
    assert steps.loc[date(2025, 6, 1)].tolist() == [0, 1, 1]


def test_a_pledge_moved_to_another_category_leaves_the_old_line():
    revisions = revisions_table(
        [
            (1, 1, date(2025, 3, 1), "troops", "announced", 100.0),
            (1, 2, date(2025, 4, 1), "other", "announced", 100.0),
        ]
    )
    series = oracles.cumulative_by_category(oracles.states_over_time(revisions), ("announced",))
    last = series.sort_values("date").groupby("category").last()
    assert last.loc["troops", "known_total"] == 0 and last.loc["troops", "pledges"] == 0
    assert last.loc["other", "known_total"] == 100


def test_status_counts_move_with_each_revision():
    revisions = revisions_table(
        [
            (1, 1, date(2025, 3, 1), "troops", "considering", None),
            (1, 2, date(2025, 5, 1), "troops", "committed", None),
            (2, 1, date(2025, 4, 1), "ships", "announced", None),
        ]
    )
    counts = oracles.status_counts_over_time(oracles.states_over_time(revisions)).set_index("date")
    assert counts.loc[date(2025, 4, 1), ["considering", "announced", "committed"]].tolist() == [
        1,
        1,
        0,
    ]
    assert counts.loc[date(2025, 5, 1), ["considering", "announced", "committed"]].tolist() == [
        0,
        1,
        1,
    ]


def test_timeline_figures_carry_lines_and_meeting_markers(engine):
    with read_session(engine) as session:
        revisions = queries.revisions_frame(session, PledgeFilter())
        events = queries.events_frame(session)
        pledges = queries.pledges_frame(session, PledgeFilter())
    series = oracles.cumulative_by_category(
        oracles.states_over_time(revisions), DEFAULT_STATUSES, PledgeFilter().scopes
    )
    figure = json.loads(timeline_figures.cumulative_figure(series, events, TODAY).to_json())
    # A right-hand axis overlays its panel's left one. When that left axis held no trace (a
    # panel with no published size) or was hidden, plotly drew the right one over the whole
    # figure, one panel over the others: such a panel draws its counts on the left axis.
    layout = figure["layout"]
    used = {trace.get("yaxis", "y") for trace in figure["data"]}
    for name, axis in layout.items():
        if name.startswith("yaxis") and axis.get("overlaying") and axis.get("visible", True):
            base = layout["yaxis" + axis["overlaying"][1:]]
            assert base.get("visible", True) is not False, name
            assert axis["overlaying"] in used, f"{name} overlays an empty axis"
    names = [trace.get("name") for trace in figure["data"]]
    assert {"Funding known", "Troops known", "Aircraft pledges", "Ships pledges"} <= set(names)
    meetings = next(t for t in figure["data"] if t.get("name") == "Meeting")
    assert len(meetings["x"]) == len(events) == 3
    # Each meeting with the number of participants its sources name (the fixture's lists).
    assert list(events["named_attendees"]) == [6, 4, 7]
    assert meetings["hovertext"][1] == (
        "11 Mar 2025: Fixture Paris meeting (Paris)<br>4 participants named by sources; "
        "reported: 4 fixture participants"
    )
    funding = next(t for t in figure["data"] if t.get("name") == "Funding known")
    assert funding["line"]["shape"] == "hv"
    # France's grant: the UK's guarantee is lending and New Zealand's aid bilateral.
    assert plotly_array(funding["y"])[-1] == pytest.approx(2e9)
    assert set(pledges["participant_code"][pledges["category"] == "funding"]) == {"FRA", "GBR"}
    later = date(2027, 1, 31)
    gantt = timeline_figures.gantt_frame(pledges, later)
    assert list(gantt["status"]) == ["committed"]  # New Zealand's trainers; funding has no period
    assert gantt.loc[0, "end"] == date(2026, 12, 31) and not gantt.loc[0, "open_ended"]
    # As of a day inside the deployment, the bar stops there: the chart shows that day.
    inside = date(2026, 6, 30)
    gantt = timeline_figures.gantt_frame(pledges, inside)
    assert gantt.loc[0, "end"] == inside and gantt.loc[0, "open_ended"]
    start = gantt.loc[0, "start"]
    assert timeline_figures.gantt_frame(pledges, start - timedelta(days=1)).empty


@pytest.fixture
def figures(engine) -> pd.DataFrame:
    with read_session(engine) as session:
        participants = queries.participants_frame(session, PledgeFilter())
        pledges = queries.pledges_frame(session, PledgeFilter(statuses=()))
        return measures.participant_figures(participants, pledges, queries.usd_per_eur(session))


def test_map_figures_keep_unknown_sizes_apart_from_zero(figures):
    assert figures.loc["NZL", "troops"] == 100
    assert pd.isna(figures.loc["GBR", "troops"]) and figures.loc["GBR", "troops_unknown"] == 1
    # Poland's refusal is in the status breakdown but is no troop pledge of unknown size.
    assert figures.loc["POL", "troops_unknown"] == 0
    assert figures.loc["POL", "status_breakdown"] == "1 ruled out"
    # France's €2bn grant, in US dollars at the newest daily rate, against its GDP.
    assert figures.loc["FRA", "funding_pct_gdp"] == pytest.approx(2e9 * 1.25 / 3e12 * 100)
    assert figures.loc["NZL", "troops_per_million"] == pytest.approx(
        100 / figures.loc["NZL", "population"] * 1e6
    )


def test_map_colours_unknown_sizes_distinctly_and_lists_what_it_does_not_draw(figures):
    view = maps.opening_view(figures)
    figure, legend = choropleth.map_figure(
        figures,
        measures.MEASURES["troops"],
        view,
        geometry.world_features(),
        second=measures.MEASURES["ships"],
    )
    spec = figure.to_plotly_json()
    # No badges: they covered the UK and France.
    assert [trace["name"] for trace in spec["data"]] == ["countries", "bubbles"]
    opens = map_participants(spec)
    fill_of = {opens[iso]: colour for iso, colour in map_colours(spec).items() if opens[iso]}
    assert fill_of["GBR"] == maps.UNKNOWN_SIZE
    assert fill_of["NZL"] == maps.SCALE[-1]
    assert fill_of["UKR"] == maps.BENEFICIARY
    assert fill_of["POL"] == maps.NO_PLEDGE  # a refusal is no troop pledge
    assert "NATO" not in fill_of and "EUU" not in fill_of  # institutions have no outline
    # The first view is Europe; what it does not show is listed beside it with its troops.
    assert maps.beyond_the_frame(figures, measures.MEASURES["troops"], view) == [
        ("New Zealand", "100 troops"),
        ("European Union (institution)", "nothing reported"),
        ("NATO (institution)", "nothing reported"),
    ]
    # Europe's participants, Ukraine included, are drawn in it, on a phone as on a laptop.
    europe = figures[figures["region"] == "Europe"]
    for width in (geometry.PHONE_MAP_WIDTH, 800):
        left, top, right, bottom = geometry.box_frame(view, width, geometry.MAP_HEIGHT)
        x, y = geometry.on_screen(
            view, europe["centroid_lat"], europe["centroid_lon"], width, geometry.MAP_HEIGHT
        )
        assert ((x >= left) & (x <= right) & (y >= top) & (y <= bottom)).all()
    countries = spec["data"][0]
    tooltip = dict(zip(countries["locations"], countries["hovertext"], strict=True))["GBR"]
    assert "+ 1 offer of unknown size" in tooltip and "Status: 2 announced, 1 committed" in tooltip
    assert "offers, size not published" in [entry.text for entry in legend]
    # The second measure: a circle per country that offers ships, opening its page.
    bubbles = spec["data"][1]
    assert list(bubbles["customdata"]) == [
        code for code in figures.index if figures.at[code, "ships"] > 0
    ]


def test_the_map_paints_each_class_its_own_colour_from_the_legend(figures):
    """Every participant with a known value in a class of the scale, the rest in their own
    colours, and every colour drawn is one the legend explains."""
    measure = measures.MEASURES["funding_eur"]
    figure, legend = choropleth.map_figure(
        figures, measure, maps.opening_view(figures), geometry.world_features()
    )
    spec = figure.to_plotly_json()
    drawn, opens = map_colours(spec), map_participants(spec)
    breaks = maps.class_breaks(figures.loc[figures["kind"] == "country", "funding_eur"].dropna())
    for iso, code in opens.items():
        value = figures.at[code, "funding_eur"] if code else None
        if not code:
            assert drawn[iso] == maps.NOT_MEMBER, iso
        elif figures.at[code, "kind"] == "beneficiary":
            assert drawn[iso] == maps.BENEFICIARY, iso
        elif pd.notna(value) and value > 0:
            step = sum(value >= edge for edge in breaks[1:-1])
            assert drawn[iso] == maps.SCALE[step], iso
        else:
            assert drawn[iso] in {
                maps.UNKNOWN_SIZE,
                maps.CONSIDERING,
                maps.RULED_OUT,
                maps.NO_PLEDGE,
            }
    assert set(drawn.values()) <= {entry.colour for entry in legend}
    assert maps.SCALE[-1] in drawn.values()  # the largest known value, top class


def test_the_maps_draw_svg_only_and_ask_no_other_host_for_anything(figures):
    """deck.gl's WebGL cost seconds per visit in a browser without a GPU; the maps are plotly
    SVG traces (no "gl" trace, no tile map) with no base map of plotly's own, and plotly's
    topojson comes from the app, not its CDN."""
    view = maps.opening_view(figures)
    for figure in (
        choropleth.map_figure(
            figures, measures.MEASURES["troops"], view, second=measures.MEASURES["ships"]
        )[0],
        choropleth.locator_figure(figures, "GBR"),
        choropleth.locator_figure(figures, "NATO"),
    ):
        spec = figure.to_plotly_json()
        assert {trace["type"] for trace in spec["data"]} <= {"choropleth", "scattergeo"}
        assert spec["layout"]["geo"]["visible"] is False
        assert spec["data"][0]["marker"]["line"]["width"] > 0  # the outlines
        # The outlines by address (the app's own file), not 0.5 MB of coordinates per rerun.
        assert spec["data"][0]["geojson"] == geo.outlines_url()
        assert len(json.dumps(spec, default=list).encode()) < 50_000
    assert choropleth.CONFIG["topojsonURL"].startswith("/")
    assert geo.outlines_url().startswith(geo.OUTLINES_PATH + "?v=")
    served = json.loads(geo.outlines_file())
    assert [f["id"] for f in served["features"]] == [
        f["properties"]["iso_a3"] for f in geometry.world_features()
    ]


def test_the_locator_finds_one_participant(figures):
    spec = choropleth.locator_figure(figures, "POL", geometry.world_features()).to_plotly_json()
    drawn, names = (
        map_colours(spec),
        dict(zip(spec["data"][0]["locations"], spec["data"][0]["hovertext"], strict=True)),
    )
    assert drawn["POL"] == maps.BADGE and names["POL"] == "Poland"
    assert drawn["FRA"] == maps.NO_PLEDGE  # another participant
    assert drawn["DEU"] == maps.NOT_MEMBER
    west, east, south, north = (
        spec["layout"]["geo"]["lonaxis"]["range"] + spec["layout"]["geo"]["lataxis"]["range"]
    )
    assert west < figures.at["POL", "centroid_lon"] < east
    assert south < figures.at["POL", "centroid_lat"] < north
    # An institution has no outline: a labelled badge where it sits.
    spec = choropleth.locator_figure(figures, "NATO").to_plotly_json()
    badge = spec["data"][1]
    assert badge["type"] == "scattergeo" and "NATO" in badge["text"][0]


def test_country_outlines_are_plain_lines_not_the_polygon_stroke(figures):
    """The polygon layer's stroke is deck.gl's PathLayer, whose shaders a software GPU compiles
    in seconds on every visit to the map (the tab froze); the outlines are a LineLayer (the
    deck is drawn only with the online base map)."""
    deck = maps.build_deck(figures, measures.MEASURES["troops"], geometry.world_features())[0]
    spec = json.loads(deck.to_json())
    polygons = [layer for layer in spec["layers"] if layer["@@type"] == "PolygonLayer"]
    assert polygons and all(layer["stroked"] is False for layer in polygons)
    assert not [layer for layer in spec["layers"] if layer["@@type"] == "PathLayer"]
    (outlines,) = [layer for layer in spec["layers"] if layer["@@type"] == "LineLayer"]
    # Every border drawn, a shared one once: France and Spain meet in one set of edges.
    edges = {tuple(map(tuple, (s["s"], s["t"]))) for s in outlines["data"]}
    assert len(edges) == len(outlines["data"]) > 5_000
    assert not edges & {(t, s) for s, t in edges}


def test_the_deck_opens_on_the_same_view_and_colours(figures):
    """With the online base map, the deck: the same colours, and the first view's box inside
    its view on a phone."""
    view = maps.opening_view(figures)
    deck, _ = maps.build_deck(
        figures,
        measures.MEASURES["troops"],
        geometry.world_features(),
        second=measures.MEASURES["ships"],
        network_base_map=True,
        focus=view,
    )
    spec = json.loads(deck.to_json())
    assert spec["mapProvider"] == "carto"
    layers = {layer["id"]: layer for layer in spec["layers"]}
    assert set(layers) == {"countries", "countries-outlines", "columns"}
    assert not layers["countries"].get("autoHighlight")
    fill_of = {r["code"]: tuple(r["fill"]) for r in layers["countries"]["data"] if r["code"]}
    assert fill_of["GBR"] == maps.UNKNOWN_SIZE and fill_of["NZL"] == maps.SCALE[-1]
    state = spec["initialViewState"]
    shown = geometry.view_box(
        (state["latitude"], state["longitude"], state["zoom"]),
        geometry.PHONE_MAP_WIDTH,
        geometry.MAP_HEIGHT,
    )
    west, east, south, north = view
    assert shown[0] <= west + 0.01 and shown[1] >= east - 0.01
    assert shown[2] <= south + 0.01 and shown[3] >= north - 0.01


def test_deck_payload_stays_small(figures):
    deck, _ = maps.build_deck(
        figures,
        measures.MEASURES["funding_eur"],
        geometry.world_features(),
        second=measures.MEASURES["troops"],
    )
    assert len(deck.to_json().encode()) < 2_000_000


def test_history_says_what_changed(engine):
    with write_session(engine) as session:
        pledge_id = create_pledge(
            session,
            actor=Actor("a@example.org"),
            reason="first report",
            values=pledge(
                category="ships",
                description="Frigate",
                announced_on=date(2026, 2, 1),
                source_title="UK MoD",
                confidence="medium",
            ),
        ).id
    with write_session(engine) as session:
        update_pledge(
            session,
            actor=Actor("b@example.org"),
            pledge_id=pledge_id,
            expected_version=1,
            changes={"quantity": 2, "status": "committed"},
            reason="Confirmed",
        )
    with read_session(engine) as session:
        history = revision_history(queries.pledge_revisions_frame(session, pledge_id))
        editors = [staff_id(session, email) for email in ("a@example.org", "b@example.org")]
    assert history["What changed"].tolist() == [
        "created",
        "Status: Announced → Committed; Size: not published → 2 ships",
    ]
    # Staff by their pseudonymous ids: viewers see this history, emails stay with the admin.
    assert history["By"].tolist() == editors and all(e.startswith("staff-") for e in editors)


def test_the_map_goes_to_the_browser_as_compact_json_with_the_same_content(figures):
    deck, _ = maps.build_deck(figures, measures.MEASURES["troops"], geometry.world_features())
    compact = deck.to_json()
    assert "\n" not in compact
    assert json.loads(compact) == json.loads(pdk.Deck.to_json(deck))
    assert deck.to_json() is compact  # made once per deck
