"""End to end: the real server in Debian's Chromium, offline (fixtures in conftest.py)."""

from __future__ import annotations

import io
from collections import Counter

import pandas as pd
import pytest
from PIL import Image

from coalition.figures import geometry, maps
from coalition.figures.geo import OUTLINES_PATH, TOPOJSON_FILE, TOPOJSON_URL
from tests.support.accounts import LOCAL_EDITOR
from tests.support.browser import (
    assert_clean,
    drawn_map,
    hover_text,
    record_engineer_company,
    sign_in_with_the_form,
    tile_text,
)
from tests.support.data import FIXTURE_DATA


def test_overview_opens_on_the_seeded_database_without_network(server, browser_page):
    page = browser_page
    page.goto(server)
    page.get_by_text("Coalition of the willing: pledges overview").wait_for(timeout=30_000)
    page.get_by_text("Pledges by region").wait_for(timeout=30_000)
    participants = page.locator('[data-testid="stMetric"]').filter(has_text="Participants")
    assert participants.locator('[data-testid="stMetricValue"]').inner_text() == "7"
    assert page.locator(".js-plotly-plot").count() == 3
    assert_clean(page)


def test_participant_deep_link_shows_the_profile(server, browser_page):
    page = browser_page
    page.goto(f"{server}/participant?code=NZL")
    page.get_by_role("heading", name="New Zealand").wait_for(timeout=30_000)
    page.get_by_text("Meetings attended").wait_for()
    # The sidebar filters come from the entry script: their presence proves it ran.
    assert page.locator('[data-testid="stSidebar"]').get_by_text("Filters").is_visible()
    assert_clean(page)


def test_map_draws_the_participants_geometry_offline(server, browser_page):
    page = browser_page
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{server}/map")
    page.get_by_text("Colour countries by").wait_for(timeout=30_000)
    chart = drawn_map(page)
    image = Image.open(io.BytesIO(chart.screenshot())).convert("RGB")
    colours = Counter({colour: n for n, colour in image.getcolors(image.width * image.height)})
    painted = sum(n for colour, n in colours.items() if colour != (255, 255, 255))
    assert painted / (image.width * image.height) > 0.2, "the map is nearly empty"
    # Participants with nothing recorded in the measure are drawn in their own grey, the
    # others in theirs (France's €2bn, the largest, in the top class).
    assert colours[maps.NO_PLEDGE] > 500
    assert colours[maps.SCALE[-1]] > 500
    assert colours[maps.NOT_MEMBER] > 500
    assert page.get_by_text("offers, size not published").is_visible()
    # Drawn as SVG: no deck.gl map, no canvas in the chart.
    assert page.locator('[data-testid="stDeckGlJsonChart"]').count() == 0
    assert chart.locator("canvas").count() == 0
    # plotly asked this server for its topojson, and nothing else elsewhere.
    assert any(url.endswith(TOPOJSON_URL + TOPOJSON_FILE) for url in requests)
    assert not [url for url in requests if "plot.ly" in url]
    assert_clean(page)


def test_a_click_on_a_country_opens_its_page(server, browser_page):
    page = browser_page
    page.goto(f"{server}/map")
    chart = drawn_map(page)
    box = chart.bounding_box()
    participants = pd.read_csv(FIXTURE_DATA / "participants.csv").set_index("code")
    x, y = geometry.on_screen(
        maps.opening_view(participants),
        participants["centroid_lat"],
        participants["centroid_lon"],
        box["width"],
        box["height"],
    )
    at = participants.index.get_loc("POL")
    assert hover_text(page, box["x"] + x[at], box["y"] + y[at]).startswith("Poland")
    page.mouse.click(box["x"] + x[at], box["y"] + y[at])
    page.get_by_role("heading", name="Poland").wait_for(timeout=30_000)
    assert "code=POL" in page.url
    page.get_by_text("Meetings attended").wait_for(timeout=30_000)
    # The participant's page finds it on a small map, drawn the same way.
    locator = drawn_map(page)
    image = Image.open(io.BytesIO(locator.screenshot())).convert("RGB")
    colours = Counter({colour: n for n, colour in image.getcolors(image.width * image.height)})
    assert colours[maps.BADGE] > 500
    assert page.locator('[data-testid="stDeckGlJsonChart"]').count() == 0
    assert_clean(page)


def test_the_maps_ask_no_other_host_for_anything(server, chromium):
    """Not even with the network open: every request the Map and a Participant page make goes
    to this server (plotly.js would fetch its topojson from cdn.plot.ly)."""
    context = chromium.new_context()
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    try:
        page.goto(f"{server}/map")
        drawn_map(page)
        page.goto(f"{server}/participant?code=NATO")
        page.get_by_text("Meetings attended").wait_for(timeout=30_000)
        drawn_map(page)
    finally:
        context.close()
    origin = server.rstrip("/")
    assert any(url.startswith(origin + OUTLINES_PATH) for url in requests)  # our outlines
    assert requests and all(
        url.startswith(origin) or url.startswith("data:") for url in requests
    ), [url for url in requests if not url.startswith(origin)]


def test_timeline_draws_lines_and_meeting_markers(server, browser_page):
    page = browser_page
    page.goto(f"{server}/timeline")
    page.get_by_text("Pledged over time").wait_for(timeout=30_000)
    page.wait_for_timeout(1_000)
    lines = page.locator(".js-plotly-plot .scatterlayer path.js-line")
    assert lines.count() >= 8  # known and pledge lines for four categories
    markers = page.locator(".js-plotly-plot .scatterlayer path.point")
    assert markers.count() >= 3  # one diamond per meeting
    assert_clean(page)


@pytest.mark.both_databases
def test_an_editor_signs_in_records_a_pledge_and_sees_it_on_the_overview(
    private_server, browser_page
):
    page = browser_page
    sign_in_with_the_form(page, private_server, LOCAL_EDITOR)
    assert "one published size, not a total: 100 troops" in tile_text(page, "Troops")
    record_engineer_company(page)
    page.get_by_role("link", name="Overview").click()
    page.get_by_text("Pledges by region").wait_for(timeout=30_000)
    assert "250 troops published by 2 participants" in tile_text(page, "Troops")
    assert_clean(page)


def test_a_wrong_password_is_told_generically(private_server, browser_page):
    page = browser_page
    page.goto(private_server)
    page.get_by_label("Email").fill(LOCAL_EDITOR)
    page.get_by_label("Password", exact=True).fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Email or password is incorrect").wait_for(timeout=30_000)
    assert page.get_by_role("link", name="Edit pledges").count() == 0
    assert_clean(page)
