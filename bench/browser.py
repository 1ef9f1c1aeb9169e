"""Page switches and full page loads in a real browser (Debian's Chromium, offline).

    python bench/browser.py --revisions 100000
    python bench/browser.py --revisions 0        # the seeded data alone

Signed in as a viewer, against a warm server:

- **Page switch**: the time from a click on a page's link in the sidebar until that page is
  drawn and on screen: no running indicator, the page's own title, every plotly chart it has
  drawn as SVG (a plotly map once its outlines have their shapes), every deck.gl map's canvas
  drawn into by WebGL (the online base map only), nothing left over from the page before,
  and the browser's next frame (which waits for the GPU's drawing: with software WebGL the
  canvas is read back then). Every reading page in the navigation, in navigation order and in
  reverse; and every switch into and out of the Map, from and to each other reading page.
  3 rounds each (median).
- **Full page load**: a new tab opened on the page's address, until it is drawn as above; the
  first visit after the server starts (caches cold) and later visits (5 rounds, each the bare
  chart page and then every page in turn; each ratio paired with the same round's). With it,
  how long the tab's main thread was busy (Chromium's own count, through the DevTools
  protocol) and how much of that ran JavaScript.
- **The floor**: a bare Streamlit app (bench/bare_app/app.py: st.navigation, a plotly line
  chart page and a text page) served beside ours in the same run and measured the same way,
  its switches before and after ours. Every switch of ours is reported as a ratio to the bare
  app's switch to its chart page, every full load as a ratio to the bare chart page's load.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
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
# Full loads vary more than switches (a new tab compiles megabytes of chart code): more rounds.
LOAD_ROUNDS = 5
# The targets, as ratios to the bare app's chart page in the same run.
SWITCH_TARGET = 1.5
LOAD_TARGET = 1.2
BARE_APP = "bench/bare_app/app.py"
# (label, address, marker) of the bare app's pages, as PAGES.
# The default page is served at the root only, as ours.
BARE_PAGES = (("Text", "", "A page of text"), ("Chart", "chart", "A line chart"))
BARE_CHART = "Chart"
MAP = "Map"
# (navigation label, address below the server root, text that shows its content has
# rendered): every page a viewer reads, in the sidebar's order.
PAGES = (
    ("Overview", "", "Pledges by region"),
    ("What changed", "changes", "What changed between"),
    ("Map", "map", "Colour countries by"),
    ("Timeline", "timeline", "Pledged over time"),
    ("Delivery", "delivery", "Where the pledges stand"),
    ("Participant", "participant?code=GBR", "Meetings attended"),
    ("Ranking", "ranking", "Institutions and Ukraine"),
    ("Search", "search", "Search the record"),
    ("Snapshots", "snapshots", "Other tables"),
    ("About the data", "about", "Planning figures for the force"),
)

# Before any page script: mark each canvas WebGL has drawn into. A map's canvas exists before
# deck.gl has drawn anything (it sets up its device and layers first), so "a canvas" alone
# would count a map as drawn too early.
MARK_WEBGL_DRAWS = """(() => {
    for (const gl of [self.WebGLRenderingContext, self.WebGL2RenderingContext]) {
        if (!gl) continue;
        for (const name of ['drawArrays', 'drawElements', 'drawArraysInstanced',
                            'drawElementsInstanced']) {
            const draw = gl.prototype[name];
            if (!draw) continue;
            gl.prototype[name] = function (...args) {
                if (this.canvas) this.canvas.__drawn = true;
                return draw.apply(this, args);
            };
        }
    }
})();"""

# In the page: what is drawn in the main area now. ``stale`` counts elements left from the
# run before (Streamlit fades them until the run that replaces them ends).
DRAWN = """() => {
    const main = document.querySelector('[data-testid="stMain"]');
    if (!main) return null;
    const plots = [...main.querySelectorAll('[data-testid="stPlotlyChart"]')];
    // A plotly map draws its outlines after its topojson has come (from this server): drawn
    // once they have their shapes.
    const plotDrawn = p => {
        if (!p.querySelector('svg.main-svg')) return false;
        const graph = p.querySelector('.js-plotly-plot');
        const layout = graph && graph._fullLayout;
        if (!layout || !layout._has || !layout._has('geo')) return true;
        return [...p.querySelectorAll('path.choroplethlocation, .scattergeo path.point')]
            .some(path => (path.getAttribute('d') || '').length > 10
                || !!path.getAttribute('transform'));
    };
    const maps = [...main.querySelectorAll('[data-testid="stDeckGlJsonChart"]')];
    const title = main.querySelector('h1');
    return {
        running: !!document.querySelector('[data-testid="stStatusWidgetRunningIcon"]'),
        title: title ? title.textContent.trim() : null,
        plots: plots.length,
        plotsDrawn: plots.filter(plotDrawn).length,
        maps: maps.length,
        mapsDrawn: maps.filter(m => [...m.querySelectorAll('canvas')].some(c => c.__drawn))
            .length,
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
    // The next frame starts once this one is committed, which waits for the GPU to finish
    // what was drawn (deck.gl's shaders, compiled by a software GPU, took seconds).
    await new Promise(resolve => requestAnimationFrame(resolve));
    return performance.now() - started;
}"""
)

# The same test of "drawn" for a new tab: what the page must show, once known (``expected``,
# from a visit before), else whatever it shows once its run has ended.
LOADED = (
    """async (expected) => {
    const drawn = """
    + DRAWN
    + """;
    await new Promise(resolve => {
        const check = () => {
            const d = drawn();
            const ok = d && !d.running && d.stale === 0 && d.title
                && d.plotsDrawn === d.plots && d.mapsDrawn === d.maps
                && (!expected || (d.title === expected.title && d.plots >= expected.plots
                    && d.maps >= expected.maps && d.elements >= expected.elements
                    && d.text.includes(expected.marker)));
            if (ok) resolve(); else requestAnimationFrame(check);
        };
        requestAnimationFrame(check);
    });
    await new Promise(resolve => requestAnimationFrame(resolve));
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


def load(
    context, base: str, address: str, marker: str, expected: dict | None = None
) -> tuple[Load, dict]:
    """A full page load in a new tab, until the page is drawn (as ``expected`` says, when
    known); with what the page drew once settled."""
    page = context.new_page()
    devtools = context.new_cdp_session(page)
    devtools.send("Performance.enable")
    try:
        started = time.perf_counter()
        page.goto(f"{base}/{address}")
        page.get_by_text(marker).first.wait_for(timeout=120_000)
        page.evaluate(LOADED, expected)
        wall = time.perf_counter() - started
        metrics = {
            m["name"]: m["value"] for m in devtools.send("Performance.getMetrics")["metrics"]
        }
        drawn = expected or settled(page, marker)
        return Load(wall, metrics["TaskDuration"], metrics["ScriptDuration"]), drawn
    finally:
        page.close()


def loads(bare: tuple, ours: tuple) -> tuple[list, list]:
    """Per page, for the bare app's pages (``bare``: context, base) and ours: the first visit
    (what it draws is not known yet: until its run has ended and every chart it shows is
    drawn), then LOAD_ROUNDS later ones. Each round loads the bare chart page and then every
    page in turn, so drift in the machine's load meets the floor and ours alike; a page's
    ratio is the median of its loads against the same round's bare chart page.
    Returns [(label, first, median of later, ratio)] for the bare pages and for ours."""
    targets = [(*bare, page) for page in BARE_PAGES] + [(*ours, page) for page in PAGES]
    first: dict[str, Load] = {}
    drawn: dict[str, dict] = {}
    later: dict[str, list[Load]] = {}
    for context, base, (label, address, marker) in targets:
        first[label], drawn[label] = load(context, base, address, marker)
        later[label] = []
    for round_ in range(LOAD_ROUNDS):
        print(f"full loads, round {round_ + 1} of {LOAD_ROUNDS}", file=sys.stderr, flush=True)
        for context, base, (label, address, marker) in targets:
            later[label].append(load(context, base, address, marker, drawn[label])[0])

    def measured(pages) -> list:
        return [
            (
                label,
                first[label],
                median_load(later[label]),
                statistics.median(
                    mine.wall / floor.wall
                    for mine, floor in zip(later[label], later[BARE_CHART], strict=True)
                ),
            )
            for label, _, _ in pages
        ]

    return measured(BARE_PAGES), measured(PAGES)


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


def new_context(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1100})
    context.add_init_script(MARK_WEBGL_DRAWS)
    offline(context)
    return context


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


def visit_all(page, base: str, pages) -> dict[str, dict]:
    """One visit to each page: what it draws once its run has ended (what a switch must
    reach), and every cache warm."""
    page.goto(f"{base}/{pages[0][1]}")
    drawn = {pages[0][0]: settled(page, pages[0][2])}
    for label, _, marker in pages[1:]:
        page.locator('[data-testid="stSidebarNav"]').get_by_role(
            "link", name=label, exact=True
        ).click()
        drawn[label] = settled(page, marker)
    return drawn


def back_and_forth(page, drawn: dict, pages, one: str, other: str) -> tuple[list, list]:
    """Seconds per switch one → other and other → one, alternating, ROUNDS of each."""
    marker = {label: m for label, _, m in pages}
    page.evaluate(SWITCH, [one, drawn[one]])
    settled(page, marker[one])
    there, back = [], []
    for _ in range(ROUNDS):
        for times, label in ((there, other), (back, one)):
            times.append(page.evaluate(SWITCH, [label, drawn[label]]) / 1000)
            settled(page, marker[label])  # the next click comes after this run has ended
    return there, back


def bare_switches(context, base: str) -> tuple[list[float], list[float]]:
    """The bare app's text → chart and chart → text switches, in seconds."""
    page = context.new_page()
    drawn = visit_all(page, base, BARE_PAGES)
    times = back_and_forth(page, drawn, BARE_PAGES, "Text", "Chart")
    page.close()
    return times


def switches(context, base: str) -> tuple[dict, dict]:
    """Seconds per switch, each in one tab (one Streamlit session): {order: {page: [round 1,
    ...]}}, each page reached by a click from the page before it in that order; and {page:
    (page → Map, Map → page)}, for every other reading page."""
    page = context.new_page()
    drawn = visit_all(page, base, PAGES)
    results: dict[str, dict[str, list[float]]] = {}
    for order, sequence in (("navigation", PAGES), ("reverse", PAGES[::-1])):
        print(f"switches in {order} order", file=sys.stderr, flush=True)
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
    to_and_from_map = {}
    for label, _, _ in PAGES:
        if label != MAP:
            print(f"{label} <-> {MAP}", file=sys.stderr, flush=True)
            to_and_from_map[label] = back_and_forth(page, drawn, PAGES, label, MAP)
    page.close()
    return results, to_and_from_map


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    database_arguments(parser)
    parser.add_argument(
        "--switches-only", action="store_true", help="measure page switches, not full loads"
    )
    args = parser.parse_args()
    url, scratch = prepared_database(args, "browser")
    password = add_viewer(url)

    ours_loaded: list[tuple[str, Load, Load, float]] = []
    bare_loaded: list[tuple[str, Load, Load, float]] = []
    with (
        app_server(url, scratch / "server.log") as base,
        app_server(url, scratch / "bare.log", script=BARE_APP) as bare,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        bare_context, context = new_context(browser), new_context(browser)
        sign_in(context, base, password)
        if not args.switches_only:
            bare_loaded, ours_loaded = loads((bare_context, bare), (context, base))
        # The floor's switches before and after ours, so drift in the machine's load meets
        # both.
        to_chart, to_text = bare_switches(bare_context, bare)
        switched, map_pairs = switches(context, base)
        later_chart, later_text = bare_switches(bare_context, bare)
        to_chart, to_text = to_chart + later_chart, to_text + later_text
        browser.close()
    load_average = "{:.2f}, {:.2f}, {:.2f}".format(*os.getloadavg())
    print(
        report(args.revisions, url, load_average, (to_chart, to_text), switched, map_pairs),
        *(loads_report(ours_loaded, bare_loaded) if ours_loaded else ()),
        sep="\n",
    )
    if not args.switches_only:
        text = report(args.revisions, url, load_average, (to_chart, to_text), switched, map_pairs)
        text += "\n" + "\n".join(loads_report(ours_loaded, bare_loaded))
        write_section("browser" if args.revisions >= 100_000 else "browser-seeded", text)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def report(revisions: int, url: str, load_average: str, bare, switched, map_pairs) -> str:
    to_chart, to_text = bare
    floor = statistics.median(to_chart)

    def cell(times: list[float]) -> str:
        value = statistics.median(times)
        mark = "✓" if value <= SWITCH_TARGET * floor else "✗"
        return f"{ms(value)} ({value / floor:.1f}×) {mark}"

    data = (
        f"{revisions_in(url):,} revisions in the database"
        if revisions
        else f"the seed data alone ({revisions_in(url):,} revisions)"
    )
    return "\n".join(
        [
            f"## Page switches and full page loads in the browser ({data})",
            "",
            f"Run {machine()}, load average {load_average} at the end; Chromium (Debian, "
            f"software WebGL), {data}, signed in as a viewer, network to other hosts blocked. "
            f"Command: `python bench/browser.py --revisions {revisions}`.",
            "",
            "**The floor**: a bare Streamlit app (`bench/bare_app/app.py`: st.navigation, a "
            "plotly line chart page and a text page), served beside ours and measured the same "
            f"way in the same browser; its switches {ROUNDS} rounds before ours and {ROUNDS} "
            "after. Text → chart: "
            f"{ms(floor)}; chart → text: {ms(statistics.median(to_text))} (every switch, in "
            f"seconds: {'/'.join(f'{t:.2f}' for t in to_chart)} and "
            f"{'/'.join(f'{t:.2f}' for t in to_text)}).",
            "",
            "**Page switch**: a click on the page's link in the sidebar until the page is drawn "
            "and on screen (no running indicator, its title, every plotly chart as SVG, a plotly "
            "map's outlines drawn, a deck.gl map's canvas drawn into, nothing left of the page "
            "before, then the browser's next "
            f"frame, which waits for the GPU), median of {ROUNDS} rounds in one tab; in "
            "brackets the ratio to the bare app's text → chart switch. ✓/✗: ≤ "
            f"{SWITCH_TARGET}× that.",
            "",
            "| page | navigation order | reverse order |",
            "|---|---|---|",
            *(
                f"| {label} | {cell(switched['navigation'][label])} "
                f"| {cell(switched['reverse'][label])} |"
                for label, _, _ in PAGES
            ),
            "",
            "**Into and out of the Map**, from and to every other reading page (alternating, "
            f"{ROUNDS} rounds each way):",
            "",
            "| page | page → Map | Map → page |",
            "|---|---|---|",
            *(
                f"| {label} | {cell(there)} | {cell(back)} |"
                for label, (there, back) in map_pairs.items()
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
            + "; into and out of the Map: "
            + ", ".join(
                f"{label} {'/'.join(f'{t:.2f}' for t in there)} and "
                f"{'/'.join(f'{t:.2f}' for t in back)}"
                for label, (there, back) in map_pairs.items()
            )
            + ".",
        ]
    )


def loads_report(ours: list, bare: list) -> list[str]:
    return [
        "",
        "**Full page load**: a new tab on the page's address until it is drawn as above (the "
        "first visit: until its run has ended and every chart it shows is drawn). Then "
        f"{LOAD_ROUNDS} rounds, each loading the bare chart page and then every page in turn; "
        "a page's ratio is the median of its loads against the bare chart page's load in the "
        f"same round. ✓/✗: ≤ {LOAD_TARGET}×. The last two columns, for the later visits: how "
        "long the tab's main thread was busy meanwhile (Chromium's count), and how much of "
        "that ran JavaScript.",
        "",
        "| page | first visit (server caches cold) | later visits (warm, median) | against "
        "the bare chart page | browser busy | of it JavaScript |",
        "|---|---|---|---|---|---|",
        *(
            f"| bare app: {label.lower()} page | {ms(first.wall)} | {ms(again.wall)} "
            f"| {ratio:.2f}× | {ms(again.busy)} | {ms(again.script)} |"
            for label, first, again, ratio in bare
        ),
        *(
            f"| {label} | {ms(first.wall)} | {ms(again.wall)} "
            f"| {ratio:.2f}× {'✓' if ratio <= LOAD_TARGET else '✗'} | {ms(again.busy)} "
            f"| {ms(again.script)} |"
            for label, first, again, ratio in ours
        ),
    ]


if __name__ == "__main__":
    main()
