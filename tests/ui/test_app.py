"""The real Streamlit runtime (AppTest) over a real database: what an analyst sees."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import update
from sqlmodel import select
from streamlit.testing.v1 import AppTest

from coalition.access.auth import Actor
from coalition.figures.timeline_figures import GANTT_MAX_BARS
from coalition.read import queries
from coalition.read.filters import PledgeFilter
from coalition.write.checks import record_checks
from coalition.write.pledges import update_pledge
from core import clock
from db.engine import create_db_engine, read_session, write_session
from db.models import Event, EventAttendance, Participant, Pledge, Target
from tests.support.app import metric, open_sections, pick_tab, start_app, table_with, tile
from tests.support.data import generate_synthetic, run_cli_process
from ui.widgets.tables import ROWS_PER_PAGE

PAGES = (
    "../pages/overview.py",
    "../pages/map.py",
    "../pages/timeline.py",
    "../pages/participant.py",
    "../pages/about.py",
)


@pytest.fixture
def app(monkeypatch, database_url) -> AppTest:
    return start_app(monkeypatch, database_url).run()


def test_every_page_renders_without_exception(app):
    assert not app.exception
    for page in PAGES:
        app.switch_page(page).run()
        assert not app.exception, page
        assert app.title, page


def test_overview_shows_the_seeded_coalition(app):
    assert app.title[0].value == "Coalition of the willing: pledges overview"
    assert metric(app, "Participants") == "7"
    # A tile counts the participants that offer (announced or further up the ladder), never
    # a number that mixes rungs; the ladder is beneath it, refusals included though the
    # status filter hides them from the tables.
    value, notes = tile(app, "Troops")
    assert value == "3"
    assert "Ladder: 1 committed · 2 announced · 1 ruled out." in notes
    # One published size is said to be one, never read as a total; unknown is never zero.
    assert notes[0] == (
        "participants offer troops; one published size, not a total: 100 troops (New Zealand); "
        "2 offers of unknown size."
    )
    assert tile(app, "Aircraft") == (
        "1",
        ["participant offers aircraft; no size published.", "Ladder: 1 announced."],
    )
    assert tile(app, "Ships")[0] == "1"
    value, notes = tile(app, "Funding")
    assert value == "2"
    assert notes[0] == (
        "participants offer funding; one published amount, not a total: €2bn (France)."
    )
    assert notes[2] == "Apart, never added: loans and guarantees, €2bn."
    table = table_with(app, "Size")
    # The 9 fixture pledges less Poland's refusal and New Zealand's bilateral aid, both hidden
    # by default.
    assert len(table) == 7
    assert "size not published" in set(table["Size"])


def test_overview_charts_are_drawn_from_the_data(app):
    specs = {
        json.loads(c.proto.spec)["layout"]["title"]["text"]: json.loads(c.proto.spec)
        for c in app.get("plotly_chart")
    }
    assert set(specs) == {
        "Pledges by category and status",
        "Pledges by region",
        "Known troop offers against planning figures",
    }
    by_status = specs["Pledges by category and status"]["data"]
    assert sum(sum(t["y"]) for t in by_status) == 7


def test_sidebar_filters_change_the_figures_and_persist_across_pages(app):
    app.sidebar.multiselect(key="filter_regions").set_value(["Commonwealth"]).run()
    assert metric(app, "Participants") == "1"
    assert set(table_with(app, "Size")["Participant"]) == {"New Zealand"}
    app.switch_page("../pages/participant.py").run()
    assert app.sidebar.multiselect(key="filter_regions").value == ["Commonwealth"]
    app.switch_page("../pages/overview.py").run()
    assert metric(app, "Participants") == "1"


def test_no_match_says_so(app):
    app.sidebar.multiselect(key="filter_statuses").set_value(["delivered"]).run()
    assert not app.exception
    assert any("No pledges match" in i.value for i in app.info)


def test_participant_page_shows_profile_pledges_and_meetings(monkeypatch, sqlite_url):
    at = start_app(monkeypatch, sqlite_url)
    at.query_params["code"] = "NZL"
    at.run()
    at.switch_page("../pages/participant.py").run()
    assert at.title[0].value == "New Zealand"
    assert any(m.label.startswith("Population (2023)") for m in at.metric)
    assert set(table_with(at, "Size")["Size"]) == {"up to 100 troops"}
    # Beside each figure, the day a person last read it against its source.
    assert [str(d) for d in table_with(at, "Size")["Last verified"]] == ["2025-12-01"]
    # Its bilateral aid shows once bilateral aid is included.
    at.sidebar.toggle(key="filter_bilateral").set_value(True).run()
    assert set(table_with(at, "Size")["Size"]) == {"up to 100 troops", "NZ$152m"}
    meetings = table_with(at, "Meeting")
    assert "Fixture Paris meeting" in set(meetings["Meeting"])
    assert "Fixture London meeting" not in set(meetings["Meeting"])  # New Zealand was not there


def test_broken_seed_files_show_the_problems_and_write_nothing(monkeypatch, tmp_path, seed_copy):
    pledges = seed_copy / "pledges.csv"
    # France's grant, the fixture's only pledge announced on 26 March 2025.
    pledges.write_text(pledges.read_text().replace("2025-03-26", "2025-02-30", 1))
    database = tmp_path / "fresh.db"
    at = start_app(monkeypatch, f"sqlite:///{database}", seed_copy, email=None).run()
    assert not at.exception
    assert "nothing was written" in at.error[0].value
    assert "pledges.csv, row 5, column 'announced_on'" in at.code[0].value
    assert not database.exists()


def test_about_page_states_method_and_freshness(app):
    app.switch_page("../pages/about.py").run()
    text = " ".join(m.value for m in app.markdown)
    for topic in ("The ladder of commitment.", "Unknown sizes.", "Currencies.", "Sources."):
        assert topic in text
    # The ladder explained, and the one rule for an offer.
    assert "an offer is a pledge announced or further up" in text
    assert "5 announced · 8 considering · 3 ruled out" in text
    freshness = next(i.value for i in app.info if "Freshness" in i.value)
    assert "newest announcement 06 Jan 2026" in freshness
    # How current the checks are: the row read longest ago, and how many are due.
    checks = next(i.value for i in app.info if "Last verified" in i.value)
    assert "(events: 2025-03-02) was last read against its source on 01 Dec 2025" in checks
    assert "38 of 38 rows were not read against their sources in the last 90 days" in checks
    # A tab per view with the question it answers and its screenshot, each image named.
    assert [t.label for t in app.tabs] == [
        "What changed",
        "Ranking",
        "Coverage",
        "Delivery",
        "Force gap",
        "Briefing pack",
        "Search",
        "Email digest",
    ]
    images = [tab.children[1] for tab in app.tabs]
    assert all(image.proto.imgs[0].alt.startswith("Screenshot: ") for image in images)


def test_about_page_lists_every_funding_amount_with_its_euro_figure_in_words(app, engine):
    app.switch_page("../pages/about.py").run()
    conversions = table_with(app, "Converted at")
    with read_session(engine) as session:
        amounts = session.exec(
            select(Pledge.currency).where(Pledge.category == "funding", Pledge.quantity != None)  # noqa: E711
        ).all()
    assert len(conversions) == len(amounts)
    assert conversions["EUR"].str.startswith("€").all()
    # Each in its own currency first: the British guarantee in pounds.
    assert conversions["Amount"].str.contains("£").sum() == amounts.count("GBP")


def test_about_page_says_when_every_row_was_read_recently(monkeypatch, database_url, engine):
    today = clock.today()
    with write_session(engine) as session:
        for table in (Participant, Event, EventAttendance, Target):
            session.execute(update(table).values(checked_on=today))
        pledge_ids = session.exec(select(Pledge.id)).all()
        record_checks(session, actor=Actor("a@example.org"), pledge_ids=pledge_ids)
    at = start_app(monkeypatch, database_url).run()
    at.switch_page("../pages/about.py").run()
    checks = next(i.value for i in at.info if "Last verified" in i.value)
    assert f"was last read against its source on {today:%d %b %Y}" in checks
    assert "All 38 rows were read against their sources in the last 90 days." in checks


def deck_spec(at: AppTest, index: int = 0) -> dict:
    return json.loads(at.get("deck_gl_json_chart")[index].proto.json)


def plotly_specs(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def map_spec(at: AppTest) -> tuple[dict, dict]:
    """The map page's plotly map: its figure and its plotly config."""
    (chart,) = [c for c in at.get("plotly_chart") if '"choropleth"' in c.proto.spec]
    return json.loads(chart.proto.spec), json.loads(chart.proto.config)


@pytest.mark.parametrize(
    ("measure", "second", "region", "categories"),
    [
        ("funding_eur", None, [], []),
        ("troops", "ships", ["Europe"], []),
        ("funding_pct_gdp", "pledges", [], ["funding"]),
        ("pledges", None, ["Commonwealth"], ["troops", "ships"]),
    ],
)
def test_map_page_draws_countries_and_legend_and_lists_the_institutions(
    monkeypatch, sqlite_url, measure, second, region, categories
):
    at = start_app(monkeypatch, sqlite_url).run()
    at.sidebar.multiselect(key="filter_regions").set_value(region)
    at.sidebar.multiselect(key="filter_categories").set_value(categories)
    at.switch_page("../pages/map.py").run()
    at.selectbox(key="map_measure").set_value(measure)
    at.selectbox(key="map_second_measure").set_value(second).run()
    assert not at.exception
    spec, config = map_spec(at)
    traces = [trace["name"] for trace in spec["data"]]
    # No badges: they covered the UK and France.
    assert traces == (["countries", "bubbles"] if second else ["countries"])
    assert not at.get("deck_gl_json_chart")  # no WebGL without the online base map
    assert config["topojsonURL"] == "/assets/geo/"  # plotly asks the app, not its CDN
    assert len(json.dumps(spec).encode()) < 2_000_000
    legend = " ".join(m.value for m in at.markdown)
    assert "not a participant" in legend
    # What the map's first view (Europe) leaves out is listed beside it.
    beyond = {
        (): ["**New Zealand**", "**NATO (institution)**"],
        ("Commonwealth",): ["**New Zealand**"],
        ("Europe",): [],
    }[tuple(region)]
    assert all(name in legend for name in beyond)
    assert ("**Beyond this view**" in legend) == bool(beyond)


def test_a_troops_filter_colours_the_map_by_troops_not_funding(monkeypatch, sqlite_url):
    """Once the map stayed on funding under a Troops filter: every country came up grey."""
    at = start_app(monkeypatch, sqlite_url).run()
    at.sidebar.multiselect(key="filter_categories").set_value(["troops"])
    at.switch_page("../pages/map.py").run()
    measure = at.selectbox(key="map_measure")
    assert measure.value == "troops"
    assert measure.options == ["Troops", "Number of offers", "Troops per million inhabitants"]
    assert "Troops" in " ".join(m.value for m in at.markdown)  # the key names the measure


def test_a_shared_map_or_ranking_link_opens_on_the_same_choices(monkeypatch, sqlite_url):
    """The page's own choices are in the address with the filters, as the browser writes them
    (tests/e2e/reading/test_shared_links.py checks the browser does)."""
    at = start_app(monkeypatch, sqlite_url)
    at.query_params.update(
        {"map_measure": "Ships", "map_second_measure": "Troops", "map_online_base": "true"}
    )
    at.run().switch_page("../pages/map.py").run()
    assert at.selectbox(key="map_measure").value == "ships"
    assert at.selectbox(key="map_second_measure").value == "troops"
    assert at.toggle(key="map_online_base").value is True
    at = start_app(monkeypatch, sqlite_url)
    at.query_params["ranking_measure"] = "Ships"
    at.query_params["ranking_gap_category"] = "Ships"
    at.run().switch_page("../pages/ranking.py").run()
    assert at.selectbox(key="ranking_measure").value == "ships"
    assert at.selectbox(key="ranking_gap_category").value == "ships"
    assert not at.exception


def test_a_shared_participant_or_snapshot_link_opens_on_the_same_choices(monkeypatch, sqlite_url):
    """The pledge whose history is shown (?pledge=), and a snapshot's pin and Excel choice."""
    at = start_app(monkeypatch, sqlite_url).run()
    at.query_params.update({"code": "GBR"})
    at.switch_page("../pages/participant.py").run()
    choice = at.selectbox(key="participant_history_pledge_GBR")
    assert len(choice.options) > 1  # the last is not the one shown by default
    choice.select_index(len(choice.options) - 1).run()
    shown = at.query_params["pledge"]
    shown = shown[0] if isinstance(shown, list) else shown
    assert shown == str(at.selectbox(key="participant_history_pledge_GBR").value)
    again = start_app(monkeypatch, sqlite_url)
    again.query_params.update({"code": "GBR", "pledge": shown})
    again.run().switch_page("../pages/participant.py").run()
    assert str(again.selectbox(key="participant_history_pledge_GBR").value) == shown
    assert not again.exception
    snapshot = start_app(monkeypatch, sqlite_url)
    snapshot.query_params.update({"known_at": "2026-01-01T00:00:00Z", "excel_bom": "true"})
    snapshot.run().switch_page("../pages/snapshots.py").run()
    assert snapshot.text_input(key="known_at").value == "2026-01-01T00:00:00Z"
    assert snapshot.checkbox(key="excel_bom").value is True
    assert not snapshot.exception


def test_timeline_page_draws_the_chart_picked_and_only_that_one(app):
    app.switch_page("../pages/timeline.py").run()
    assert not app.exception
    # At first, the pledged lines with the meetings: the other charts are neither built nor sent.
    (cumulative,) = plotly_specs(app)
    assert cumulative["layout"]["title"]["text"] == "Pledged over time"
    assert sum(1 for t in cumulative["data"] if t.get("name") == "Meeting") == 1
    assert any(t.get("line", {}).get("shape") == "hv" for t in cumulative["data"])
    pick_tab(app, "timeline_chart", "By status").run()
    assert [s["layout"]["title"]["text"] for s in plotly_specs(app)] == [
        "Pledges by status over time"
    ]
    pick_tab(app, "timeline_chart", "Commitments and deployments").run()
    (gantt,) = plotly_specs(app)
    assert gantt["layout"]["title"]["text"].startswith("Commitments and deployments")
    assert {t["orientation"] for t in gantt["data"]} == {"h"}
    assert not app.exception


def test_a_link_opens_the_timeline_on_the_chart_it_names(monkeypatch, sqlite_url):
    at = start_app(monkeypatch, sqlite_url)
    at.query_params["timeline_chart"] = "By status"
    at.run().switch_page("../pages/timeline.py").run()
    assert [s["layout"]["title"]["text"] for s in plotly_specs(at)] == [
        "Pledges by status over time"
    ]


def test_timeline_with_filters_that_match_nothing_says_so(app):
    app.sidebar.multiselect(key="filter_statuses").set_value(["deployed"])
    app.sidebar.multiselect(key="filter_categories").set_value(["ships"])
    app.switch_page("../pages/timeline.py").run()
    assert not app.exception


def test_as_of_shows_the_figure_before_a_revision_and_today_the_new_one(monkeypatch, sqlite_url):
    at = start_app(monkeypatch, sqlite_url).run()
    engine = create_db_engine(sqlite_url)
    with write_session(engine) as session:
        nz = session.exec(
            select(Pledge).where(Pledge.participant_code == "NZL", Pledge.category == "troops")
        ).one()
        update_pledge(
            session,
            actor=Actor("e@example.org"),
            pledge_id=nz.id,
            expected_version=1,
            changes={"quantity": 150},
            reason="More trainers",
            effective_on=date(2026, 2, 1),
        )
    engine.dispose()
    at.run()
    assert "one published size, not a total: 150 troops" in tile(at, "Troops")[1][0]
    at.sidebar.text_input(key="filter_as_of").input("2026-01-15").run()
    assert "one published size, not a total: 100 troops" in tile(at, "Troops")[1][0]
    assert any("as it stood on 15 January 2026" in i.value for i in at.info)
    assert "up to 100 troops" in set(table_with(at, "Size")["Size"])


def test_a_mistyped_as_of_is_named_and_today_is_shown(app):
    """The sidebar's day is typed (applied on Enter, as the form's are); text that is no day
    of the record says so and the page shows today's record, never another day."""
    for typed, problem in (
        ("2025-13-01", "'2025-13-01' is not a valid date (expected YYYY-MM-DD)"),
        ("1 March", "'1 March' is not a valid date (expected YYYY-MM-DD)"),
        ("2023-12-31", "2023-12-31 is outside 2024-01-01 to"),
    ):
        app.sidebar.text_input(key="filter_as_of").input(typed).run()
        assert not app.exception
        (error,) = app.sidebar.error
        assert error.value.startswith(problem) and error.value.endswith(": showing today's record.")
        assert not any("as it stood on" in i.value for i in app.info)
        assert "as_of" not in app.query_params
    app.sidebar.text_input(key="filter_as_of").input(" 2025-03-01 ").run()
    assert not app.sidebar.error
    assert any("as it stood on 01 March 2025" in i.value for i in app.info)


def test_participant_page_ignores_region_filters(app):
    app.sidebar.multiselect(key="filter_regions").set_value(["Commonwealth"]).run()
    app.query_params["code"] = "FRA"
    app.switch_page("../pages/participant.py").run()
    assert app.title[0].value == "France"
    assert "€2bn" in set(table_with(app, "Size")["Size"])
    history_choice = app.selectbox(key="participant_history_pledge_FRA")
    assert history_choice.value is not None
    assert any(o.startswith("Funding:") for o in history_choice.options)
    assert table_with(app, "What changed")["What changed"].iloc[0] == "created"


def test_choosing_a_country_on_the_map_page_opens_its_page(app):
    app.switch_page("../pages/map.py").run()
    app.selectbox(key="map_open_participant").set_value("POL").run()
    assert not app.exception
    assert app.title[0].value == "Poland"
    assert app.query_params["code"] == "POL"


def test_the_network_base_map_is_opt_in(app):
    """Off, the map is plotly's SVG on the shipped outlines; on, deck.gl with map tiles."""
    app.switch_page("../pages/map.py").run()
    assert not app.get("deck_gl_json_chart")
    assert map_spec(app)[0]["layout"]["geo"]["visible"] is False
    app.toggle(key="map_online_base").set_value(True).run()
    assert deck_spec(app)["mapProvider"] == "carto"
    assert not [c for c in app.get("plotly_chart") if '"choropleth"' in c.proto.spec]


def test_every_table_offers_a_download(app):
    for page, expected, sections in (
        (
            "../pages/overview.py",
            5,
            (
                "overview_currencies_section",
                "overview_figures_section",
                "overview_force_gap_section",
            ),
        ),
        ("../pages/about.py", 3, ()),
        ("../pages/timeline.py", 2, ("timeline_figures_section", "timeline_meetings_section")),
        ("../pages/map.py", 1, ("map_figures_section",)),
    ):
        open_sections(app.switch_page(page), *sections).run()
        assert len(app.get("download_button")) >= expected, page


def test_a_write_from_another_process_shows_at_the_next_rerun(monkeypatch, postgres_url, tmp_path):
    """Cached reads are keyed by the shared data version: a write made by another process
    (here the import command) is on screen at this session's next interaction."""
    at = start_app(monkeypatch, postgres_url).run()
    assert "one published size, not a total: 100 troops" in tile(at, "Troops")[1][0]
    assert set(pledged_troops_bar(at)["x"]) == {100}
    at.run()  # a warm rerun, served from the cache
    update = tmp_path / "more-troops.csv"
    update.write_text(
        "participant_code,category,status,description,quantity,announced_on,source_title,"
        "confidence\nGBR,troops,committed,Mechanised company,200,2026-02-01,UK MoD,high\n"
    )
    result = run_cli_process(postgres_url, "import", str(update), "--reason", "another process")
    assert result.returncode == 0, result.stderr
    at.run()
    assert "300 troops published by 2 participants" in tile(at, "Troops")[1][0]
    # Figures are shared between sessions per data version: the chart moved on too.
    assert set(pledged_troops_bar(at)["x"]) == {300}


def pledged_troops_bar(at: AppTest) -> dict:
    """The force gap's known-offers bar, one per planning figure, all of the same length."""
    return next(
        trace
        for spec in plotly_specs(at)
        for trace in spec["data"]
        if trace.get("name") == "Known offers (published sizes)"
    )


def test_long_tables_show_one_page_of_rows_and_download_them_all(monkeypatch, sqlite_url):
    generate_synthetic(sqlite_url, 8_000)  # 800 labelled synthetic pledges beside the seed data
    engine = create_db_engine(sqlite_url)
    with read_session(engine) as session:
        expected = queries.pledges_frame(session, PledgeFilter())
    engine.dispose()
    at = start_app(monkeypatch, sqlite_url).run()
    assert len(table_with(at, "What")) == ROWS_PER_PAGE
    assert any(
        c.value.startswith(f"Rows 1–{ROWS_PER_PAGE} of {len(expected):,}.") for c in at.caption
    )
    at.number_input(key="overview_pledges_page").set_value(2).run()
    second_page = table_with(at, "What")
    assert list(second_page["What"]) == list(expected["description"][ROWS_PER_PAGE:1000])


def test_the_timeline_draws_the_most_recent_commitments_and_says_so(monkeypatch, sqlite_url):
    generate_synthetic(sqlite_url, 8_000)
    at = start_app(monkeypatch, sqlite_url).run()
    pick_tab(
        at.switch_page("../pages/timeline.py"), "timeline_chart", "Commitments and deployments"
    )
    at.run()
    assert not at.exception
    note = next(c.value for c in at.caption if "most recently started" in c.value)
    assert note.startswith(f"The chart below shows the {GANTT_MAX_BARS} most recently started of")
    gantt = next(s for s in plotly_specs(at) if "Commitments" in s["layout"]["title"]["text"])
    assert sum(len(trace["y"]) for trace in gantt["data"]) == GANTT_MAX_BARS


def test_an_address_names_the_view_and_the_view_writes_its_address(monkeypatch, sqlite_url):
    at = start_app(monkeypatch, sqlite_url)
    at.query_params.update({"category": "troops", "as_of": "2025-09-30", "scope": "all"})
    at.run()
    assert not at.exception and not at.warning
    assert at.sidebar.multiselect(key="filter_categories").value == ["troops"]
    assert at.sidebar.text_input(key="filter_as_of").value == "2025-09-30"
    assert at.sidebar.toggle(key="filter_bilateral").value is True
    # Changing a filter changes the address: copying it shares this view.
    at.sidebar.multiselect(key="filter_categories").set_value(["ships"]).run()
    assert at.query_params["category"] in ("ships", ["ships"])
    assert at.query_params["as_of"] in ("2025-09-30", ["2025-09-30"])


def test_an_address_with_filters_that_do_not_exist_says_so(monkeypatch, sqlite_url):
    at = start_app(monkeypatch, sqlite_url)
    at.query_params.update({"category": "tanks"})
    at.run()
    assert not at.exception
    (warning,) = at.sidebar.warning
    assert "category: 'tanks' is not one of" in warning.value


def test_amounts_read_as_money_on_screen(app):
    """Found by hand: a converted amount was cut to fit its column ("6,858,4" for
    €1,936,858,415.65). On screen an amount reads short; the table's file keeps it whole."""
    open_sections(app, "overview_currencies_section").run()
    currencies = table_with(app, "Converted to EUR")
    assert set(currencies["Converted to EUR"]) == {"€2bn"}
    assert set(currencies["Known amount (original currency)"]) == {"€2bn", "£1.6bn"}
    pledges = table_with(app, "EUR")
    assert {"€2bn", ""} >= set(pledges["EUR"]) - {None}
    assert "€2bn" in set(pledges["EUR"])
