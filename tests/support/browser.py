"""What browser tests share besides their fixtures: the pages in the navigation, starting the real
server, Chromium offline, signing in, and waiting for a page to settle."""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from bench.server import ServerDidNotStart, app_server
from coalition.bootstrap import initialise_database
from coalition.figures import geometry, maps
from core.settings import PROJECT_ROOT
from db.engine import create_db_engine
from tests.support.accounts import LOCAL_EDITOR, PASSWORD, add_accounts
from tests.support.data import FIXTURE_DATA

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


LOCAL_HOSTS = ("127.0.0.1", "localhost", "[::1]")


# Streamlit's front end probes these relative to a deep link's path before the server root.
KNOWN_PROBE = re.compile(r"/[^/]+/_stcore/(health|host-config)$")


ARTIFACTS = PROJECT_ROOT / "test-artifacts"


# Every page in the navigation: (label, text that shows the page has rendered, least role).
NAVIGATION = (
    ("Overview", "Pledges by region", "viewer"),
    ("What changed", "What changed between", "viewer"),
    ("Map", "Colour countries by", "viewer"),
    ("Timeline", "Pledged over time", "viewer"),
    ("Delivery", "Where the pledges stand", "viewer"),
    ("Participant", "Meetings attended", "viewer"),
    ("Ranking", "Institutions and Ukraine", "viewer"),
    ("Search", "Search the record", "viewer"),
    ("Snapshots", "Other tables", "viewer"),
    ("About the data", "Planning figures for the force", "viewer"),
    ("Edit pledges", "What was pledged", "editor"),
    ("Import pledges", "Download the template", "editor"),
    ("Reference data", "Save changes", "admin"),
    ("Audit log", "Backup", "admin"),
    ("Your account", "Personal API tokens", "viewer"),
)


RANK = {"viewer": 0, "editor": 1, "admin": 2}


def start_server(
    database_url: str, tmp_path: Path, *, wrapper: Sequence[str] = (), **settings: str
) -> Iterator[str]:
    """The real server on this database, seeding (if it does) from the fixture data."""
    settings = {"COALITION_DATA_DIR": str(FIXTURE_DATA), **settings}
    try:
        with app_server(database_url, tmp_path / "server.log", wrapper=wrapper, **settings) as base:
            yield base
    except ServerDidNotStart as failure:
        pytest.fail(f"server did not start:\n{failure}")


def seeded_sqlite(folder: Path) -> str:
    """The URL of a new SQLite database in ``folder`` holding the fixture data and the test
    accounts."""
    url = f"sqlite:///{folder / 'app.db'}"
    engine = create_db_engine(url)
    initialise_database(engine, FIXTURE_DATA)
    add_accounts(engine)
    engine.dispose()
    return url


def offline_page(browser):
    """A new tab that may reach only this machine, recording what else it tried and every
    console error and failed response (for assert_clean)."""
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
    return page


def sign_in_with_the_form(page, base: str, email: str) -> None:
    """Sign in as a person does: the form on the front page, then the overview."""
    page.goto(base)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Pledges by region").wait_for(timeout=30_000)


def sign_in(
    page, base: str, email: str, *, path: str = "/", marker: str | None = "Pledges by region"
) -> None:
    """Signed in and on ``path`` once ``marker`` shows: for tests about what comes after. It
    posts to the endpoint the sign-in form posts to, from the page's own browser (so the
    cookie is set there), and saves loading the form's page (the form itself is driven by
    sign_in_with_the_form and the session and keyboard tests)."""
    response = page.request.post(
        f"{base}/auth/sign-in",
        form={"email": email, "password": PASSWORD, "next": path},
        headers={"Origin": base},
        max_redirects=0,
    )
    assert response.status == 303, response.status
    assert response.headers["location"] == path, response.headers["location"]
    page.goto(f"{base}{path}")
    if marker is not None:
        page.get_by_text(marker).first.wait_for(timeout=30_000)


def record_engineer_company(page) -> None:
    """On the Edit page, record France's new 150-troop pledge (the form's default category)."""
    page.get_by_role("link", name="Edit pledges").click()
    page.get_by_text("What was pledged").wait_for(timeout=30_000)
    page.get_by_role("combobox", name="Participant *").click()
    page.get_by_role("option", name="France", exact=True).click()
    page.get_by_label("What was pledged").fill("Engineer company")
    page.get_by_label("Number of troops").fill("150")
    page.get_by_role("textbox", name="Announced on *").fill("2025-09-04")
    page.get_by_label("Source *", exact=True).fill("Ministry statement")
    page.get_by_label("Reason for this change").fill("Announced today")
    page.get_by_role("button", name="Save pledge").click()
    page.get_by_text("Saved pledge").first.wait_for(timeout=30_000)


def metric_value(page, label: str) -> str:
    metric = page.locator('[data-testid="stMetric"]').filter(has_text=label)
    return metric.locator('[data-testid="stMetricValue"]').inner_text()


def wait_for_metric(page, label: str, value: str) -> None:
    """Until the metric shows ``value`` (a rerun replaces it in place)."""
    page.wait_for_function(
        """([label, value]) => [...document.querySelectorAll('[data-testid="stMetric"]')]
            .some(m => m.innerText.includes(label)
                && m.querySelector('[data-testid="stMetricValue"]').innerText === value)""",
        arg=[label, value],
        timeout=30_000,
    )


def wait_for_input_value(page, label: str, value: str, settle_ms: int = 1_000) -> None:
    """Until the one text field labelled ``label`` has held ``value`` for ``settle_ms``: a rerun
    that renews a form shows the old and the new field side by side for a moment, and the new
    one empty, so one look could catch the old field before it goes."""
    script = """([label, value]) => {
        const fields = [...document.querySelectorAll('input')]
            .filter(f => f.getAttribute('aria-label') === label);
        return fields.length === 1 && fields[0].value === value;
    }"""
    deadline = time.monotonic() + 30
    held_since = None
    while True:
        now = time.monotonic()
        if page.evaluate(script, [label, value]):
            held_since = now if held_since is None else held_since
            if now - held_since >= settle_ms / 1000:
                return
        else:
            held_since = None
        if now > deadline:
            raise AssertionError(f"the field {label!r} never settled on {value!r}")
        page.wait_for_timeout(50)


# The script has finished, nothing is faded as stale and every chart has drawn.
SETTLED = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
    if (document.querySelector('[data-stale="true"], [data-testid="stSkeleton"]')) return false;
    return [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
        .every(chart => chart.querySelector('.main-svg'));
}"""


RUN_ENDED = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    return app && app.getAttribute('data-test-script-state') === 'notRunning'
        && !document.querySelector('[data-stale="true"]');
}"""


def wait_for_run_to_end(page) -> None:
    """Until the page's script has finished and nothing of the page before is left."""
    page.wait_for_function(RUN_ENDED, timeout=30_000)


def settle(page) -> None:
    """Until the page is drawn and still: colours and sizes are then final."""
    page.wait_for_function(SETTLED, timeout=30_000)
    page.wait_for_timeout(600)  # Streamlit fades elements back in after a rerun
    page.wait_for_function(SETTLED, timeout=30_000)


# A plotly map (coalition/figures/geo): its chart element, and its outlines once drawn (plotly
# adds the paths first and gives them their shapes once its topojson has come).
MAP_CHART = '[data-testid="stPlotlyChart"]:has(.choroplethlayer)'
MAP_DRAWN = """(selector) => {
    const chart = document.querySelector(selector);
    return !!chart && [...chart.querySelectorAll('path.choroplethlocation')]
        .some(p => (p.getAttribute('d') || '').length > 10);
}"""
# The hover label plotly shows, one line of it a line of text.
HOVER_TEXT = """() => {
    const label = document.querySelector('.hoverlayer .hovertext text');
    if (!label) return null;
    const lines = [...label.querySelectorAll('tspan.line')];
    return lines.length ? lines.map(t => t.textContent).join('\\n') : label.textContent;
}"""


def drawn_map(page, nth: int = 0):
    """The page's plotly map once its outlines are drawn, and still."""
    chart = page.locator(MAP_CHART).nth(nth)
    chart.wait_for(timeout=30_000)
    page.wait_for_function(MAP_DRAWN, arg=MAP_CHART, timeout=30_000)
    page.wait_for_timeout(300)
    return chart


def hover_text(page, x: float, y: float) -> str:
    """What the map's hover label says with the pointer at (x, y) on the page (after the
    label of any point before it has gone)."""
    page.mouse.move(1, 1)
    page.wait_for_function("() => !document.querySelector('.hoverlayer .hovertext')")
    page.mouse.move(x, y)
    handle = page.wait_for_function(HOVER_TEXT, timeout=10_000)
    return handle.json_value()


def assert_clean(page) -> None:
    assert page.external_requests == []
    assert page.failed_responses == []
    unexplained = [e for e in page.console_errors if "404 (Not Found)" not in e]
    assert unexplained == []


def open_pledge_for_editing(page, base: str, pledge_label: str) -> None:
    sign_in(page, base, LOCAL_EDITOR, path="/edit_pledges", marker="Change an existing pledge")
    page.get_by_text("Change an existing pledge").click()
    page.get_by_text("Pledge", exact=True).wait_for(timeout=30_000)
    chooser = page.locator('[data-testid="stSelectbox"]').filter(has_text="Pledge").first
    chooser.click()
    page.keyboard.type(pledge_label)
    page.keyboard.press("Enter")
    # While the form is renewed for the chosen pledge, the old one shows beside it for a
    # moment: wait until only the new one is left.
    wait_for_input_value(page, "Reason for this change *", "")


def tile_text(page, label: str) -> str:
    """All an overview tile says: its value and the notes beneath it."""
    metric = page.locator('[data-testid="stMetric"]').filter(has_text=label)
    column = page.locator('[data-testid="stColumn"]').filter(has=metric)
    return " ".join(column.first.inner_text().split())


def wait_for_tile(page, label: str, text: str) -> None:
    """Until the overview tile ``label`` says ``text`` (a rerun replaces it in place)."""
    page.wait_for_function(
        """([label, text]) => [...document.querySelectorAll('[data-testid="stColumn"]')]
            .some(c => c.querySelector('[data-testid="stMetric"]')?.innerText.includes(label)
                && c.innerText.replace(/\\s+/g, " ").includes(text))""",
        arg=[label, text],
        timeout=30_000,
    )


def where_drawn(participants, box: dict):
    """Where the map's first view (maps.opening_view) puts each participant's centroid in a
    map element of ``box``'s size: its x and y in the element, and whether that is inside the
    drawn frame."""
    view = maps.opening_view(participants)
    left, top, right, bottom = geometry.box_frame(view, box["width"], box["height"])
    x, y = geometry.on_screen(
        view,
        participants["centroid_lat"],
        participants["centroid_lon"],
        box["width"],
        box["height"],
    )
    return x, y, (x >= left) & (x <= right) & (y >= top) & (y <= bottom)
