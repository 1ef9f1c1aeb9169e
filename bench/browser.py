"""Navigation-to-content time per page in a real browser (Debian's Chromium, offline).

    python bench/browser.py --revisions 100000

For each reading page: the time from starting the navigation until the page's own content is
on screen, on the first visit after the server starts (its caches cold) and on a second visit
(warm). The baseline, measured in the same run, is the About page, which reads almost nothing:
what the server and the browser cost on their own.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from bench.report import (  # noqa: E402
    database_arguments,
    machine,
    prepared_database,
    revisions_in,
    write_section,
)
from bench.server import app_server  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
# (page, address below the server root, text that shows its content has rendered)
PAGES = (
    ("overview", "", "Pledges by region"),
    ("map", "map", "Colour countries by"),
    ("timeline", "timeline", "Pledges by status over time"),
    ("participant", "participant?code=GBR", "Meetings attended"),
    ("snapshots", "snapshots", "Other tables"),
    ("about", "about", "Planning figures for the force"),
)


def visit(page, base: str, address: str, marker: str) -> float:
    started = time.perf_counter()
    page.goto(f"{base}/{address}")
    page.get_by_text(marker).first.wait_for(timeout=120_000)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    database_arguments(parser)
    args = parser.parse_args()
    url, scratch = prepared_database(args, "browser")

    rows = []
    with (
        app_server(url, scratch / "server.log", COALITION_ANONYMOUS_READ="true") as base,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(viewport={"width": 1400, "height": 1100})
        page.route(
            "**/*",
            lambda route: (
                route.continue_()
                if route.request.url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:"))
                else route.abort()
            ),
        )
        for name, address, marker in PAGES:
            first = visit(page, base, address, marker)
            again = statistics.median(visit(page, base, address, marker) for _ in range(3))
            rows.append((name, first, again))
        browser.close()

    about_warm = next(again for name, _, again in rows if name == "about")
    lines = [
        "## Navigation to content in the browser",
        "",
        f"Run {machine()}; Chromium (Debian), {revisions_in(url):,} revisions in the database, "
        f"network to other hosts blocked. Command: `python bench/browser.py --revisions "
        f"{args.revisions}`.",
        "",
        "| page | first visit (server caches cold) | later visit (warm) | warm / About page |",
        "|---|---|---|---|",
        *(
            f"| {name} | {first * 1000:.0f} ms | {again * 1000:.0f} ms | "
            f"{again / about_warm:.1f}× |"
            for name, first, again in rows
        ),
        "",
        "Each visit is a full page load: a new Streamlit session, its websocket, the page's "
        "script run and the browser drawing the result.",
    ]
    report = "\n".join(lines)
    print(report)
    write_section("browser", report)


if __name__ == "__main__":
    main()
