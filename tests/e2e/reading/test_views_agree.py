"""What a reader sees agrees with itself, in a real browser: every viewer page as of the
coalition's first days and today shows no error, the overview's headline figures are what its
own table adds up to, and the map's first view holds every participant."""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from coalition.bootstrap import initialise_database
from coalition.figures import geometry
from coalition.read import queries
from db.engine import create_db_engine, read_session
from tests.support.browser import (
    assert_clean,
    drawn_map,
    hover_text,
    metric_value,
    start_server,
    wait_for_run_to_end,
    where_drawn,
)
from tests.support.data import FIXTURE_DATA

# (link in the sidebar, text that shows the page has rendered)
VIEWER_PAGES = (
    ("Map", "Colour countries by"),
    ("Timeline", "Pledged over time"),
    ("Participant", "Meetings attended"),
    ("Snapshots", "Other tables"),
    ("About the data", "Planning figures for the force"),
    ("Overview", "pledges overview"),
)
DAYS = (date(2025, 3, 1), date(2025, 3, 3), None)


def open_server(tmp_path_factory, name: str, data_dir) -> Iterator[tuple[str, str]]:
    """(address, database URL) of a server open to anonymous readers."""
    folder = tmp_path_factory.mktemp(name)
    url = f"sqlite:///{folder / 'app.db'}"
    engine = create_db_engine(url)
    initialise_database(engine, data_dir)
    engine.dispose()
    for base in start_server(
        url, folder, COALITION_ANONYMOUS_READ="true", COALITION_DATA_DIR=str(data_dir)
    ):
        yield base, url


OFFERS = ("Announced", "Committed", "Deployed", "Delivered")


def expected_figure(rows: list[dict], category: str) -> str:
    """The tile a reader would work out from the table: how many participants offer in the
    category (announced or further up the ladder), never counting those only considering."""
    offering = {
        r["Participant"]
        for r in rows
        if r["Category"] == category.capitalize() and r["Status"] in OFFERS
    }
    return f"{len(offering)}" if offering else "none"


@pytest.mark.parametrize("day", DAYS, ids=["1-mar-2025", "3-mar-2025", "today"])
def test_every_page_as_of_a_day_shows_no_error_and_the_headline_matches_the_table(
    server, browser_page, day
):
    page = browser_page
    query = f"?as_of={day.isoformat()}" if day else ""
    # The day comes in the address; the sidebar keeps it from page to page (one page load,
    # then clicks, as a reader moves: a load costs seconds of the browser's time, a click not).
    page.goto(f"{server}/{query}")
    page.get_by_text("pledges overview").wait_for(timeout=30_000)
    navigation = page.locator('[data-testid="stSidebarNav"]')
    for link, marker in VIEWER_PAGES:
        navigation.get_by_role("link", name=link, exact=True).click()
        page.get_by_text(marker).first.wait_for(timeout=30_000)
        if day is not None and link != "About the data":
            page.get_by_text(f"as it stood on {day:%d %B %Y}").first.wait_for(timeout=30_000)
        wait_for_run_to_end(page)
        assert page.locator('[data-testid="stException"]').count() == 0, (link, day)
        assert page.locator('[data-testid="stAlertContentError"]').count() == 0, (link, day)
    rows = []
    if page.get_by_text("No pledges match the current filters").count() == 0:
        with page.expect_download() as download:
            page.locator(".st-key-overview_pledges_download button").click()
        rows = list(csv.DictReader(io.StringIO(download.value.path().read_text("utf-8"))))
    for category in ("troops", "aircraft", "ships"):
        assert metric_value(page, category.capitalize()) == expected_figure(rows, category)
    assert_clean(page)


# Made-up participants far apart, as the coalition's are (Canada to New Zealand), to make the
# fixture's seven up to the coalition's 37.
MORE = [
    "CAN",
    "AUS",
    "JPN",
    "ISL",
    "NOR",
    "TUR",
    "FIN",
    "SWE",
    "DNK",
    "EST",
    "LVA",
    "LTU",
    "DEU",
    "NLD",
    "BEL",
    "LUX",
    "IRL",
    "PRT",
    "ESP",
    "ITA",
    "GRC",
    "CYP",
    "CZE",
    "SVK",
    "SVN",
    "HRV",
    "ROU",
    "BGR",
    "AUT",
    "ALB",
]


FAR_REGIONS = {"CAN": "Commonwealth", "AUS": "Commonwealth", "JPN": "Asia-Pacific"}


def world_fixture(folder: Path) -> Path:
    """The fixture data with 30 more participants, each placed at the middle of its largest
    outline in the shipped geometry."""
    data = folder / "seed"
    shutil.copytree(FIXTURE_DATA, data)
    outlines = {f["properties"]["iso_a3"]: f for f in geometry.world_features()}
    path = data / "participants.csv"
    with path.open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    for code in MORE:
        largest = max(outlines[code]["geometry"]["coordinates"], key=lambda p: len(p[0]))
        longitudes, latitudes = zip(*largest[0], strict=True)
        rows.append(
            rows[0]
            | {
                "code": code,
                "name": outlines[code]["properties"]["name"],
                "region": FAR_REGIONS.get(code, "Europe"),
                "eu_member": "false",
                "commonwealth_member": "false",
                "centroid_lat": f"{sum(latitudes) / len(latitudes):.2f}",
                "centroid_lon": f"{sum(longitudes) / len(longitudes):.2f}",
                "source_url": f"https://example.org/fixture/{code.lower()}",
            }
        )
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return data


@pytest.fixture(scope="module")
def world_server(tmp_path_factory) -> Iterator[tuple[str, str]]:
    folder = tmp_path_factory.mktemp("map-world")
    yield from open_server(tmp_path_factory, "map-world-server", world_fixture(folder))


def test_the_map_opens_on_europe_and_lists_every_participant_beyond_it(world_server, browser_page):
    """All 37 participants: Europe's on the map as first drawn, on a laptop as on a phone
    (tests/e2e/whole_app/test_phone.py); the others (Canada, Japan, Australia, New Zealand)
    and the EU and NATO named beside it, so nobody pans to find them."""
    page = browser_page
    base, url = world_server
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{base}/map")
    chart = drawn_map(page)
    box = chart.bounding_box()
    engine = create_db_engine(url)
    with read_session(engine) as session:
        participants = queries.participants_frame(session)
    engine.dispose()
    assert len(participants) == 37
    x, y, drawn = where_drawn(participants, box)
    outside = list(participants.loc[~drawn, "name"])
    points = dict(zip(participants["code"], zip(x, y, strict=True), strict=True))
    europe = set(participants.loc[participants["region"] == "Europe", "name"])
    assert not europe & set(outside), f"off the map as first drawn: {europe & set(outside)}"
    listed = page.get_by_text("Beyond this view").locator("xpath=ancestor::*[3]").inner_text()
    for name in [*outside, "European Union", "NATO"]:
        assert name in listed, name
    # What is drawn is where the projection says: hovering Europe's far corners names them.
    for code, name in (("ISL", "Iceland"), ("PRT", "Portugal"), ("TUR", "Turkey")):
        said = hover_text(page, box["x"] + points[code][0], box["y"] + points[code][1])
        assert said.startswith(name), (code, said)
    assert_clean(page)
