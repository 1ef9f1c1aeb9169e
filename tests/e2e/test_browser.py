"""End to end: the real server (`streamlit run app.py`) in Debian's Chromium, offline.

Every request to a host other than this machine is aborted and recorded, so a page that
needs the internet fails here.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from playwright import sync_api as playwright_api

from coalition import maps
from coalition.bootstrap import initialise_database
from coalition.settings import DATA_DIR, PROJECT_ROOT
from db.engine import create_db_engine
from tests.conftest import LOCAL_EDITOR, PASSWORD, add_accounts

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
LOCAL_HOSTS = ("127.0.0.1", "localhost", "[::1]")
# Streamlit's front end probes these relative to a deep link's path before the server root.
KNOWN_PROBE = re.compile(r"/[^/]+/_stcore/(health|host-config)$")
ARTIFACTS = PROJECT_ROOT / "test-artifacts"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(database_url: str, tmp_path: Path, **settings: str) -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, **settings}
    log = open(tmp_path / "server.log", "w")  # noqa: SIM115 (closed below)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
        ],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as response:
                    if response.read() == b"ok":
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail("server did not start:\n" + (tmp_path / "server.log").read_text())
            time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[str]:
    """The app open to anonymous readers, for the read-only pages."""
    yield from start_server(database_url, tmp_path, COALITION_ANONYMOUS_READ="true")


@pytest.fixture
def private_server(database_url: str, tmp_path: Path) -> Iterator[str]:
    """The default: viewing needs an account. The test accounts exist before it starts."""
    engine = create_db_engine(database_url)
    initialise_database(engine, DATA_DIR)
    add_accounts(engine)
    engine.dispose()
    yield from start_server(database_url, tmp_path)


@pytest.fixture
def browser_page(request) -> Iterator:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}; the README's test command installs it")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        page = browser.new_page(viewport={"width": 1400, "height": 1100})
        page.external_requests = []
        page.console_errors = []
        page.failed_responses = []

        def route(route):
            host = route.request.url.split("/")[2].rsplit(":", 1)[0]
            if host in LOCAL_HOSTS or route.request.url.startswith("data:"):
                route.continue_()
            else:
                page.external_requests.append(route.request.url)
                route.abort()

        page.route("**/*", route)
        page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
        page.on(
            "response",
            lambda r: (
                r.status >= 400
                and not KNOWN_PROBE.search(r.url)
                and page.failed_responses.append(f"{r.status} {r.url}")
            ),
        )
        yield page
        if request.node.rep_call.failed if hasattr(request.node, "rep_call") else False:
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=ARTIFACTS / f"{request.node.name}.png", full_page=True)
        browser.close()


def assert_clean(page) -> None:
    assert page.external_requests == []
    assert page.failed_responses == []
    unexplained = [e for e in page.console_errors if "404 (Not Found)" not in e]
    assert unexplained == []


def test_overview_opens_on_the_seeded_database_without_network(server, browser_page):
    page = browser_page
    page.goto(server)
    page.get_by_text("Coalition of the willing: pledges overview").wait_for(timeout=30_000)
    page.get_by_text("Pledges by region").wait_for(timeout=30_000)
    participants = page.locator('[data-testid="stMetric"]').filter(has_text="Participants")
    assert participants.locator('[data-testid="stMetricValue"]').inner_text() == "37"
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
    page.goto(f"{server}/map")
    page.get_by_text("Colour countries by").wait_for(timeout=30_000)
    canvas = page.locator('[data-testid="stDeckGlJsonChart"] canvas').first
    canvas.wait_for(timeout=30_000)
    page.wait_for_timeout(2_000)  # let deck.gl finish its first frames
    image = Image.open(io.BytesIO(canvas.screenshot())).convert("RGB")
    colours = Counter({colour: n for n, colour in image.getcolors(image.width * image.height)})
    painted = sum(n for colour, n in colours.items() if colour != (255, 255, 255))
    assert painted / (image.width * image.height) > 0.2, "the map canvas is nearly empty"
    # Participants with nothing recorded in the measure are drawn in their own grey.
    assert colours[maps.NO_PLEDGE] > 500
    assert page.get_by_text("pledged, size not published").is_visible()
    assert_clean(page)


def test_timeline_draws_lines_and_meeting_markers(server, browser_page):
    page = browser_page
    page.goto(f"{server}/timeline")
    page.get_by_text("Pledges by status over time").wait_for(timeout=30_000)
    page.wait_for_timeout(1_000)
    lines = page.locator(".js-plotly-plot .scatterlayer path.js-line")
    assert lines.count() >= 8  # known and pledge lines for four categories
    markers = page.locator(".js-plotly-plot .scatterlayer path.point")
    assert markers.count() >= 14  # one diamond per meeting
    assert_clean(page)


def test_an_editor_signs_in_records_a_pledge_and_sees_it_on_the_overview(
    private_server, browser_page
):
    page = browser_page
    page.goto(private_server)
    page.get_by_label("Email").fill(LOCAL_EDITOR)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Coalition of the willing: pledges overview").wait_for(timeout=30_000)
    troops = page.locator('[data-testid="stMetric"]').filter(has_text="Troops (known sizes)")
    assert troops.locator('[data-testid="stMetricValue"]').inner_text() == "100"

    page.get_by_role("link", name="Edit pledges").click()
    page.get_by_text("What was pledged").wait_for(timeout=30_000)
    page.get_by_label("What was pledged").fill("Engineer company")
    page.get_by_label("Number of troops").fill("150")
    page.get_by_label("Source *", exact=True).fill("Ministry statement")
    page.get_by_label("Reason for this change").fill("Announced today")
    page.get_by_role("button", name="Save pledge").click()
    page.get_by_text("Saved pledge").wait_for(timeout=30_000)

    page.get_by_role("link", name="Overview").click()
    page.get_by_text("Pledges by region").wait_for(timeout=30_000)
    troops = page.locator('[data-testid="stMetric"]').filter(has_text="Troops (known sizes)")
    assert troops.locator('[data-testid="stMetricValue"]').inner_text() == "250"
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
