"""The most used pages on a phone (390x844 in Chromium): nothing drawn over anything else (the
title, tables' and charts' toolbars, chart titles, legends and axis titles), nothing wider than
the screen, no chart text cut off at the chart's edges, tables leading with what a reader
looks for, the map opening on Europe with the participants beyond it listed. Found by hand: a
title that filled half the first screen, plotly's toolbar on chart titles, the map on the
whole world with Europe tiny and the EU and NATO badges over the UK and France, tables showing
"What" and dates off-screen, the Timeline's panel titles running past the chart's edge."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.support.accounts import LOCAL_EDITOR
from tests.support.browser import (
    ARTIFACTS,
    assert_clean,
    drawn_map,
    hover_text,
    settle,
    sign_in,
    where_drawn,
)
from tests.support.data import FIXTURE_DATA

PHONE = {"width": 390, "height": 844}

# Every element the page drew (the innermost of Streamlit's element boxes), each toolbar, and
# inside each plotly chart its title, legend and axis titles: which of them overlap, and which
# reach past the screen's edges.
LAYOUT = """() => {
  const main = document.querySelector('[data-testid="stMainBlockContainer"]');
  const shown = (element) => {
    const box = element.getBoundingClientRect();
    const style = getComputedStyle(element);
    return box.width > 0 && box.height > 0 && style.visibility !== "hidden"
      && style.display !== "none" && element.closest('[hidden]') === null
      && element.closest("details:not([open])") === null;  // inside a closed expander
  };
  const name = (element) => {
    const inner = element.firstElementChild;
    const kind = (inner && inner.getAttribute("data-testid")) || element.getAttribute("class");
    return `${kind} "${element.textContent.trim().slice(0, 40)}"`;
  };
  const boxes = [];
  for (const element of main.querySelectorAll('[data-testid="stElementContainer"]')) {
    if (shown(element) && !element.querySelector('[data-testid="stElementContainer"]')) {
      boxes.push({name: name(element), element, box: element.getBoundingClientRect()});
    }
  }
  for (const toolbar of main.querySelectorAll('[data-testid="stElementToolbar"]')) {
    if (shown(toolbar)) {
      boxes.push({name: "toolbar", element: toolbar, box: toolbar.getBoundingClientRect(),
                  owner: toolbar.closest('[data-testid="stElementContainer"]')});
    }
  }
  const inside = [];
  for (const chart of main.querySelectorAll('[data-testid="stPlotlyChart"]')) {
    const parts = [".gtitle", ".legend", ".xtitle", ".ytitle"]
      .flatMap((selector) => [...chart.querySelectorAll(selector)])
      .filter(shown)
      .map((element) => ({name: element.getAttribute("class"), box: element.getBoundingClientRect(),
                          title: chart.querySelector(".gtitle")?.textContent}));
    for (let i = 0; i < parts.length; i++) {
      for (let j = i + 1; j < parts.length; j++) inside.push([parts[i], parts[j]]);
    }
  }
  const overlap = (a, b) => Math.max(0, Math.min(a.right, b.right) - Math.max(a.left, b.left))
    * Math.max(0, Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top));
  const overlaps = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const [a, b] = [boxes[i], boxes[j]];
      if (a.owner === b.element || b.owner === a.element) continue;  // a toolbar and its own
      if (overlap(a.box, b.box) > 1) overlaps.push(`${a.name} / ${b.name}`);
    }
  }
  for (const [a, b] of inside) {
    if (overlap(a.box, b.box) > 1) overlaps.push(`chart "${a.title}": ${a.name} / ${b.name}`);
  }
  const wide = boxes.filter((b) => b.box.left < -0.5 || b.box.right > innerWidth + 0.5)
    .map((b) => b.name);
  // Text in a chart (its title, its panels' titles, notes on it) that runs past the chart's
  // edges: cut off there, as the Timeline's panel titles were.
  const cut = [];
  for (const chart of main.querySelectorAll('[data-testid="stPlotlyChart"]')) {
    const edge = chart.getBoundingClientRect();
    for (const text of [...chart.querySelectorAll(".gtitle, .annotation-text")].filter(shown)) {
      const box = text.getBoundingClientRect();
      if (box.left < edge.left - 0.5 || box.right > edge.right + 0.5) {
        cut.push(`"${text.textContent.trim().slice(0, 50)}"`);
      }
    }
  }
  const modebars = [...main.querySelectorAll(".modebar-container")].filter(shown).length;
  const title = main.querySelector("h1").getBoundingClientRect();
  return {overlaps, wide, cut, modebars, titleHeight: title.height, titleTop: title.top};
}"""

HEADERS = """() => [...document.querySelectorAll('[data-testid="stDataFrame"]')].map(
  (table) => [...table.querySelectorAll("th")].map((th) => th.textContent.trim()))"""


def pledge_headers_once_wider(page, columns: int) -> list[list[str]]:
    """The pledge tables' headers once the grid has redrawn for a wider window: it does so
    after its own resize observer fires, which on a busy machine comes after the page is still
    (a single read found the phone's three columns)."""
    for _ in range(50):
        wide = [h for h in page.evaluate(HEADERS) if h[:1] == ["Participant"] and "Size" in h]
        if wide and len(wide[0]) >= columns:
            break
        page.wait_for_timeout(200)
    return wide


def check_layout(page, name: str) -> None:
    settle(page)
    page.wait_for_timeout(1_000)  # charts and the map draw after their elements
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"phone-{name}.png")
    layout = page.evaluate(LAYOUT)
    assert layout["overlaps"] == [], (name, layout["overlaps"])
    assert layout["wide"] == [], name
    assert layout["cut"] == [], (name, layout["cut"])
    assert layout["modebars"] == 0, name
    # A compact title (it filled half the first screen): at most two short lines, near the top.
    assert layout["titleHeight"] < 90, (name, layout["titleHeight"])
    assert layout["titleTop"] < PHONE["height"] / 4, (name, layout["titleTop"])


@pytest.mark.parametrize(
    ("name", "path", "marker"),
    [
        ("overview", "/", "Pledges by region"),
        ("map", "/map", "Colour countries by"),
        ("what-changed", "/changes?from=2025-01-01&to=2026-06-01&by=effective", "between"),
        ("ranking", "/ranking", "Coverage: who has offered what"),
        ("edit-pledges", "/edit_pledges", "What was pledged"),
        ("timeline", "/timeline", "Pledged over time"),
        ("timeline-by-status", "/timeline?timeline_chart=By+status", "Pledges by status over time"),
        (
            "timeline-commitments",
            "/timeline?timeline_chart=Commitments+and+deployments",
            "deployments (bars run",
        ),
        ("delivery", "/delivery", "Where the pledges stand"),
        ("delivery-over-time", "/delivery?delivery_chart=Each+stage+over+time", "by stage"),
        ("participant", "/participant?code=GBR", "Revision history"),
    ],
)
def test_a_page_on_a_phone_draws_nothing_over_anything_else(
    module_server, browser_page, name, path, marker
):
    page = browser_page
    page.set_viewport_size(PHONE)
    sign_in(page, module_server, LOCAL_EDITOR, path=path, marker=marker)
    check_layout(page, name)
    assert_clean(page)


def test_tables_on_a_phone_lead_with_participant_what_size_date_and_source(
    module_server, browser_page
):
    page = browser_page
    page.set_viewport_size(PHONE)
    sign_in(page, module_server, LOCAL_EDITOR, marker="Pledges by region")
    settle(page)
    tables = page.evaluate(HEADERS)
    pledges = [h for h in tables if h[:1] == ["Participant"] and "Size" in h]
    # The grid writes out only the columns in view: on a phone, the first three.
    assert pledges and pledges[0][:3] == ["Participant", "What", "Size"], tables
    # On a laptop, when and where from follow at once (they were off to the right).
    page.set_viewport_size({"width": 1440, "height": 900})
    settle(page)
    wide = pledge_headers_once_wider(page, columns=6)
    assert wide[0][:6] == ["Participant", "What", "Size", "Announced", "Source", "Link"], wide
    page.set_viewport_size(PHONE)
    sign_in(
        page,
        module_server,
        LOCAL_EDITOR,
        path="/changes?from=2025-01-01&to=2026-06-01&by=effective",
        marker="between",
    )
    settle(page)
    changes = [h for h in page.evaluate(HEADERS) if h[:1] == ["Participant"]]
    assert changes and changes[0][:3] == ["Participant", "What", "What changed"], changes


def test_the_map_on_a_phone_opens_on_europe_and_lists_who_is_beyond_it(module_server, browser_page):
    page = browser_page
    page.set_viewport_size(PHONE)
    sign_in(page, module_server, LOCAL_EDITOR, path="/map", marker="Colour countries by")
    settle(page)
    box = drawn_map(page).bounding_box()
    assert box["width"] <= PHONE["width"]
    participants = pd.read_csv(FIXTURE_DATA / "participants.csv").set_index("code")
    x, y, drawn = where_drawn(participants, box)
    europe = participants["region"] == "Europe"
    assert drawn[europe.to_numpy()].all()
    # What is drawn is where the projection says: touching a European country names it.
    for code in ("FRA", "POL"):
        at = participants.index.get_loc(code)
        said = hover_text(page, box["x"] + x[at], box["y"] + y[at])
        assert said.startswith(participants.at[code, "name"]), (code, said)
    # The participants beyond the first view, and the institutions, are listed beside it.
    listed = page.get_by_text("Beyond this view").locator("xpath=ancestor::*[3]").inner_text()
    for code in participants.index[~drawn | (participants["kind"] == "institution").to_numpy()]:
        assert participants.at[code, "name"] in listed, code
    assert "New Zealand" in listed
    assert_clean(page)
