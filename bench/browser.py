"""Page switches and full page loads in a real browser (Debian's Chromium, offline).

    python bench/browser.py --revisions 100000
    python bench/browser.py --revisions 0        # the seeded data alone

Signed in as a viewer, against a warm server:

- **Page switch**: the time from a click on a page's link in the sidebar until that page is
  drawn: no running indicator, the page's own title, every plotly chart it has drawn as SVG,
  every map as a canvas, and nothing left over from the page before. Every reading page in the
  navigation, in navigation order and in reverse, 3 rounds each (median). The baseline is the
  switch to the About page in the same run, which reads almost nothing: what Streamlit and the
  browser cost on their own.
- **Full page load**: a new tab opened on the page's address, until its content is on screen;
  the first visit after the server starts (caches cold) and later visits (median of 3). With
  it, how long the tab's main thread was busy (Chromium's own count, through the DevTools
  protocol) and how much of that ran JavaScript: what the browser costs of the load, apart
  from the server.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import time
from typing import NamedTuple

from playwright.sync_api import sync_playwright

from bench.report import (
    database_arguments,
    machine,
    prepared_database,
    revisions_in,
    write_section,
)
from bench.server import app_server

CHROMIUM = "/usr/bin/chromium"
VIEWER = "bench-browser-viewer@example.org"
ROUNDS = 3
SWITCH_TARGET_MS = {"seeded": 400, "large": 700}
LOAD_TARGET_MS = 1500
# (navigation label, address below the server root, text that shows its content has
# rendered): every page a viewer reads, in the sidebar's order.
PAGES = (
    ("Overview", "", "Pledges by region"),
    ("What changed", "changes", "What changed between"),
    ("Map", "map", "Colour countries by"),
    ("Timeline", "timeline", "Pledges by status over time"),
    ("Delivery", "delivery", "Announced, committed, delivered"),
    ("Participant", "participant?code=GBR", "Meetings attended"),
    ("Ranking", "ranking", "Institutions and Ukraine"),
    ("Search", "search", "Search the record"),
    ("Snapshots", "snapshots", "Other tables"),
    ("About the data", "about", "Planning figures for the force"),
)
BASELINE = "About the data"

# In the page: what is drawn in the main area now. ``stale`` counts elements left from the
# run before (Streamlit fades them until the run that replaces them ends).
DRAWN = """() => {
    const main = document.querySelector('[data-testid="stMain"]');
    if (!main) return null;
    const plots = [...main.querySelectorAll('[data-testid="stPlotlyChart"]')];
    const maps = [...main.querySelectorAll('[data-testid="stDeckGlJsonChart"]')];
    const title = main.querySelector('h1');
    return {
        running: !!document.querySelector('[data-testid="stStatusWidgetRunningIcon"]'),
        title: title ? title.textContent.trim() : null,
        plots: plots.length,
        plotsDrawn: plots.filter(p => p.querySelector('svg.main-svg')).length,
        maps: maps.length,
        mapsDrawn: maps.filter(m => m.querySelector('canvas')).length,
        stale: main.querySelectorAll('[data-stale="true"]').length,
        elements: main.querySelectorAll('[data-testid="stElementContainer"]').length,
        text: main.textContent,
    };
}"""

# Click the link and wait, frame by frame, until the page is drawn as ``expected`` says;
# resolves to the milliseconds that took.
SWITCH = (
    """async ([label, expected]) => {
    const drawn = """
    + DRAWN
    + """;
    const link = [...document.querySelectorAll('[data-testid="stSidebarNav"] a')]
        .find(a => a.innerText.trim().split('\\n').pop().trim() === label);
    if (!link) throw new Error('no link ' + label);
    const done = () => {
        const d = drawn();
        return d && !d.running && d.title === expected.title && d.stale === 0
            && d.plots >= expected.plots && d.plotsDrawn === d.plots
            && d.maps >= expected.maps && d.mapsDrawn === d.maps
            && d.elements >= expected.elements
            && d.text.includes(expected.marker);
    };
    const started = performance.now();
    link.click();
    await new Promise((resolve, reject) => {
        const give_up = started + 120000;
        const check = () => {
            if (done()) resolve();
            else if (performance.now() > give_up) reject(new Error('not drawn: ' + label));
            else requestAnimationFrame(check);
        };
        requestAnimationFrame(check);
    });
    return performance.now() - started;
}"""
)


def settled(page, marker: str) -> dict:
    """Wait for the page's content and for its run to end, then say what it drew."""
    page.get_by_text(marker).first.wait_for(timeout=120_000)
    quiet_since = None
    while True:
        state = page.evaluate(DRAWN)
        ready = (
            state
            and not state["running"]
            and state["stale"] == 0
            and state["plotsDrawn"] == state["plots"]
            and state["mapsDrawn"] == state["maps"]
        )
        now = time.perf_counter()
        if not ready:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = now
        elif now - quiet_since > 1.0:
            return {
                "title": state["title"],
                "plots": state["plots"],
                "maps": state["maps"],
                "elements": state["elements"],
                "marker": marker,
            }
        time.sleep(0.05)


class Load(NamedTuple):
    """One full page load, in seconds."""

    wall: float  # until the content is on screen
    busy: float  # the tab's main thread busy meanwhile
    script: float  # of which running JavaScript


def load(context, base: str, address: str, marker: str) -> Load:
    """A full page load in a new tab."""
    page = context.new_page()
    devtools = context.new_cdp_session(page)
    devtools.send("Performance.enable")
    try:
        started = time.perf_counter()
        page.goto(f"{base}/{address}")
        page.get_by_text(marker).first.wait_for(timeout=120_000)
        wall = time.perf_counter() - started
        metrics = {
            m["name"]: m["value"] for m in devtools.send("Performance.getMetrics")["metrics"]
        }
        return Load(wall, metrics["TaskDuration"], metrics["ScriptDuration"])
    finally:
        page.close()


def median_load(loads: list[Load]) -> Load:
    return Load(*(statistics.median(values) for values in zip(*loads, strict=True)))


def offline(context) -> None:
    context.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:"))
            else route.abort()
        ),
    )


def add_viewer(url: str) -> str:
    """A viewer account to sign in with (the pages as staff see them); its password."""
    from coalition.access.auth import Actor, add_account, find_account, set_password
    from db.engine import create_db_engine, write_session

    password = secrets.token_urlsafe(18)
    actor = Actor.for_system("bench")
    engine = create_db_engine(url)
    with write_session(engine) as session:
        if find_account(session, VIEWER) is None:
            add_account(session, actor=actor, email=VIEWER, role="viewer", password=password)
        else:  # a database kept from an earlier run (--reuse)
            set_password(session, actor=actor, email=VIEWER, password=password)
    engine.dispose()
    return password


def sign_in(context, base: str, password: str) -> None:
    page = context.new_page()
    page.goto(base)
    page.get_by_label("Email").fill(VIEWER)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Pledges by region").first.wait_for(timeout=120_000)
    page.close()


def switches(context, base: str) -> dict[str, dict[str, list[float]]]:
    """Seconds per switch: {order: {page: [round 1, round 2, ...]}}, each page reached by a
    click from the page before it in that order, in one tab (one Streamlit session)."""
    page = context.new_page()
    page.goto(base)
    # One visit to each page first: what it draws once its run has ended (what a switch must
    # reach), and every cache warm.
    drawn = {PAGES[0][0]: settled(page, PAGES[0][2])}
    for label, _, marker in PAGES[1:]:
        page.locator('[data-testid="stSidebarNav"]').get_by_role(
            "link", name=label, exact=True
        ).click()
        drawn[label] = settled(page, marker)
    results: dict[str, dict[str, list[float]]] = {}
    for order, sequence in (("navigation", PAGES), ("reverse", PAGES[::-1])):
        times: dict[str, list[float]] = {label: [] for label, _, _ in sequence}
        # Start on the last page of the order, so the first switch measured comes from the
        # page before it, as in every later round.
        last = sequence[-1]
        page.evaluate(SWITCH, [last[0], drawn[last[0]]])
        settled(page, last[2])
        for _ in range(ROUNDS):
            for label, _, marker in sequence:
                times[label].append(page.evaluate(SWITCH, [label, drawn[label]]) / 1000)
                settled(page, marker)  # the next click comes after this run has ended
        results[order] = times
    page.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    database_arguments(parser)
    parser.add_argument(
        "--switches-only", action="store_true", help="measure page switches, not full loads"
    )
    args = parser.parse_args()
    url, scratch = prepared_database(args, "browser")
    password = add_viewer(url)

    loads = []
    with (
        app_server(url, scratch / "server.log") as base,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        context = browser.new_context(viewport={"width": 1400, "height": 1100})
        offline(context)
        sign_in(context, base, password)
        for label, address, marker in () if args.switches_only else PAGES:
            first = load(context, base, address, marker)
            again = median_load([load(context, base, address, marker) for _ in range(3)])
            loads.append((label, first, again))
        switched = switches(context, base)
        browser.close()
    load_average = "{:.2f}, {:.2f}, {:.2f}".format(*os.getloadavg())

    large = args.revisions >= 100_000
    switch_target = SWITCH_TARGET_MS["large" if large else "seeded"] / 1000
    median = {
        order: {label: statistics.median(times) for label, times in by_page.items()}
        for order, by_page in switched.items()
    }

    def switch_cell(order: str, label: str) -> str:
        value, floor = median[order][label], median[order][BASELINE]
        ok = value <= switch_target and (large or value <= 2 * floor)
        mark = "" if label == BASELINE else (" ✓" if ok else " ✗")
        return f"{value * 1000:.0f} ms ({value / floor:.1f}×){mark}"

    about_load = next((again for label, _, again in loads if label == BASELINE), None)
    data = (
        f"{revisions_in(url):,} revisions in the database"
        if args.revisions
        else f"the seed data alone ({revisions_in(url):,} revisions)"
    )
    switch_rule = (
        f"≤ {switch_target * 1000:.0f} ms"
        if large
        else f"≤ {switch_target * 1000:.0f} ms and ≤ 2× the About page's switch in the same order"
    )
    lines = [
        f"## Page switches and full page loads in the browser ({data})",
        "",
        f"Run {machine()}, load average {load_average} at the end; Chromium (Debian), "
        f"{data}, signed in as a viewer, network to other hosts blocked. Command: "
        f"`python bench/browser.py --revisions {args.revisions}`.",
        "",
        f"**Page switch**: a click on the page's link in the sidebar until the page is drawn "
        f"(no running indicator, its title, every plotly chart as SVG, every map as a canvas, "
        f"nothing left of the page before), median of {ROUNDS} rounds in one tab; in brackets "
        f"the ratio to the About page's switch in the same order. ✓/✗: {switch_rule}.",
        "",
        "| page | navigation order | reverse order |",
        "|---|---|---|",
        *(
            f"| {label} | {switch_cell('navigation', label)} | {switch_cell('reverse', label)} |"
            for label, _, _ in PAGES
        ),
        "",
        "Every switch, in seconds: "
        + "; ".join(
            f"{order}: "
            + ", ".join(
                f"{label} " + "/".join(f"{t:.2f}" for t in times)
                for label, times in by_page.items()
            )
            for order, by_page in switched.items()
        )
        + ".",
    ]
    if loads:
        lines += [
            "",
            f"**Full page load**: a new tab on the page's address until its content is on "
            f"screen. ✓/✗ (warm, at 100,000 revisions): ≤ {LOAD_TARGET_MS} ms. The last two "
            "columns, for the warm visit: how long the tab's main thread was busy meanwhile "
            "(Chromium's count), and how much of that ran JavaScript.",
            "",
            "| page | first visit (server caches cold) | later visit (warm) | warm / About page "
            "| browser busy | of it JavaScript |",
            "|---|---|---|---|---|---|",
            *(
                f"| {label} | {first.wall * 1000:.0f} ms | {again.wall * 1000:.0f} ms"
                + (" ✓" if again.wall * 1000 <= LOAD_TARGET_MS else " ✗")
                * (large and label != BASELINE)
                + f" | {again.wall / about_load.wall:.1f}× | {again.busy * 1000:.0f} ms "
                f"| {again.script * 1000:.0f} ms |"
                for label, first, again in loads
            ),
        ]
    report = "\n".join(lines)
    print(report)
    if not args.switches_only:
        write_section("browser" if large else "browser-seeded", report)


if __name__ == "__main__":
    main()
