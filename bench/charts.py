"""Each chart a reading page opens with, drawn alone on a bare page, against the bare app's
chart: what our charts cost by themselves in a page switch, before anything else a page shows.

    python bench/charts.py --revisions 0          # the seeded data alone
    python bench/charts.py --revisions 100000

One server runs bench/bare_app/our_charts.py: the bare app's text and chart pages, one page per
chart of ours (built by the project's builders from the database measured, default filters) and
one with the Overview's three charts laid out as the Overview lays them out. In one tab, each
chart page is reached from the text page and left for it, ROUNDS times, the pages taken in turn
each round, and timed as bench/browser.py times a switch (until every chart is drawn and on
screen). Ratios are to the bare chart page's switch from the same text page, in the same run:
the floor bench/browser.py's switch target is set against.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys

from playwright.sync_api import sync_playwright

from bench.browser import CHROMIUM, SWITCH, SWITCH_TARGET, ms, new_context, settled
from bench.report import database_arguments, machine, prepared_database, write_section
from bench.server import app_server

ROUNDS = 5
APP = "bench/bare_app/our_charts.py"
TEXT = ("Text", "A page of text")
FLOOR = "Chart"


def chart_pages(page) -> list[str]:
    """The navigation's labels after the text page: the floor first, then ours."""
    labels = page.locator('[data-testid="stSidebarNav"] a').all_inner_texts()
    return [label.strip().splitlines()[-1].strip() for label in labels][1:]


def measure(base: str) -> dict[str, list[float]]:
    """Seconds per switch from the text page to each chart page, ROUNDS each."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = new_context(browser).new_page()
        page.goto(base)
        drawn = {TEXT[0]: settled(page, TEXT[1])}
        labels = chart_pages(page)
        for label in labels:  # one visit each: what each draws, and its figures built
            page.locator('[data-testid="stSidebarNav"]').get_by_role(
                "link", name=label, exact=True
            ).click()
            drawn[label] = settled(page, label if label != FLOOR else "A line chart")
            drawn[label]["marker"] = drawn[label]["title"]
        times: dict[str, list[float]] = {label: [] for label in labels}
        for round_ in range(ROUNDS):
            print(f"round {round_ + 1} of {ROUNDS}", file=sys.stderr, flush=True)
            for label in labels:
                page.evaluate(SWITCH, [TEXT[0], drawn[TEXT[0]]])
                settled(page, TEXT[1])
                times[label].append(page.evaluate(SWITCH, [label, drawn[label]]) / 1000)
                settled(page, drawn[label]["marker"])
        browser.close()
    return times


def report(revisions: int, url: str, times: dict[str, list[float]]) -> str:
    floor = statistics.median(times[FLOOR])
    rows = []
    for label, seconds in times.items():
        if label == FLOOR:
            continue
        ratio = statistics.median(seconds) / floor
        mark = "✓" if ratio <= SWITCH_TARGET else "✗"
        rows.append(f"| {label} | {ms(statistics.median(seconds))} | {ratio:.1f}× {mark} |")
    where = "the seed data alone" if revisions == 0 else f"{revisions:,} synthetic revisions"
    load = "{:.2f}, {:.2f}, {:.2f}".format(*os.getloadavg())
    return "\n".join(
        [
            f"## Our charts alone, against the bare chart page ({where})",
            "",
            f"`python bench/charts.py --revisions {revisions}` on {machine()} ("
            f"{url.split(':', 1)[0]}; load average {load} at the end). Each row is a bare page "
            "holding that chart alone (title and chart), "
            "reached from a text page; the bare chart page (one plotly line) took "
            f"{ms(floor)} from the same text page. Median of {ROUNDS} rounds; ✓/✗: within the "
            f"switch target ({SWITCH_TARGET}×) for a page that showed nothing else.",
            "",
            "| chart alone | text → chart | ratio to the bare chart |",
            "|---|---|---|",
            *rows,
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    database_arguments(parser)
    args = parser.parse_args()
    url, scratch = prepared_database(args, "charts")
    with app_server(url, scratch / "server.log", script=APP) as base:
        times = measure(base)
    text = report(args.revisions, url, times)
    print(text)
    write_section("charts-alone" if args.revisions else "charts-alone-seeded", text)


if __name__ == "__main__":
    main()
