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

A second server runs the app as users get it with the bare app's two pages added to its
navigation (bench/bare_app/our_frame.py), signed in as a viewer as bench/browser.py is: in
another tab, in the same rounds, the switches between those two pages time what our frame (the
sidebar's filters, search and account boxes, the navigation, the stylesheet) costs around the
floor's own chart and text.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys

from playwright.sync_api import sync_playwright

from bench.browser import (
    CHROMIUM,
    SWITCH,
    SWITCH_TARGET,
    add_viewer,
    ms,
    new_context,
    settled,
    sign_in,
)
from bench.report import database_arguments, machine, prepared_database, write_section
from bench.server import app_server

ROUNDS = 5
APP = "bench/bare_app/our_charts.py"
TEXT = ("Text", "A page of text")
FLOOR = "Chart"
FRAME_APP = "bench/bare_app/our_frame.py"
# (navigation label, text that shows it is drawn): the bare app's pages inside our frame.
FRAME_TEXT = ("Bare text in our frame", "A page of text")
FRAME_CHART = ("Bare chart in our frame", "A line chart")
FRAME_SWITCHES = {
    f"{FRAME_TEXT[0]} → {FRAME_CHART[0]}": (FRAME_TEXT, FRAME_CHART),
    f"{FRAME_CHART[0]} → {FRAME_TEXT[0]}": (FRAME_CHART, FRAME_TEXT),
}
BARE_TEXT_SWITCH = "Chart → Text"


def chart_pages(page) -> list[str]:
    """The navigation's labels after the text page: the floor first, then ours."""
    labels = page.locator('[data-testid="stSidebarNav"] a').all_inner_texts()
    return [label.strip().splitlines()[-1].strip() for label in labels][1:]


def click_link(page, label: str) -> None:
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=label, exact=True).click()


def measure(base: str, frame: str, password: str) -> dict[str, list[float]]:
    """Seconds per switch from the text page to each chart page, and back from the bare chart
    page; and between the bare pages in our frame (``frame``, signed in with ``password``);
    ROUNDS each."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        framed_context = new_context(browser)
        sign_in(framed_context, frame, password)
        framed = framed_context.new_page()
        framed.goto(frame)
        framed_drawn = {}
        for label, marker in (FRAME_TEXT, FRAME_CHART):  # one visit each, as below
            click_link(framed, label)
            framed_drawn[label] = settled(framed, marker)
        page = new_context(browser).new_page()
        page.goto(base)
        drawn = {TEXT[0]: settled(page, TEXT[1])}
        labels = chart_pages(page)
        for label in labels:  # one visit each: what each draws, and its figures built
            click_link(page, label)
            drawn[label] = settled(page, label if label != FLOOR else "A line chart")
            drawn[label]["marker"] = drawn[label]["title"]
        times: dict[str, list[float]] = {
            label: [] for label in (*labels, BARE_TEXT_SWITCH, *FRAME_SWITCHES)
        }
        for round_ in range(ROUNDS):
            print(f"round {round_ + 1} of {ROUNDS}", file=sys.stderr, flush=True)
            page.bring_to_front()
            for label in labels:
                page.evaluate(SWITCH, [TEXT[0], drawn[TEXT[0]]])
                settled(page, TEXT[1])
                times[label].append(page.evaluate(SWITCH, [label, drawn[label]]) / 1000)
                settled(page, drawn[label]["marker"])
                if label == FLOOR:
                    times[BARE_TEXT_SWITCH].append(
                        page.evaluate(SWITCH, [TEXT[0], drawn[TEXT[0]]]) / 1000
                    )
                    settled(page, TEXT[1])
            framed.bring_to_front()
            for name, (start, end) in FRAME_SWITCHES.items():
                framed.evaluate(SWITCH, [start[0], framed_drawn[start[0]]])
                settled(framed, start[1])
                times[name].append(framed.evaluate(SWITCH, [end[0], framed_drawn[end[0]]]) / 1000)
                settled(framed, end[1])
        browser.close()
    return times


def report(revisions: int, url: str, times: dict[str, list[float]]) -> str:
    floor = statistics.median(times[FLOOR])

    def row(label: str, shown_as: str | None = None, judged: bool = True) -> str:
        seconds = statistics.median(times[label])
        mark = (" ✓" if seconds / floor <= SWITCH_TARGET else " ✗") if judged else ""
        return f"| {shown_as or label} | {ms(seconds)} | {seconds / floor:.1f}×{mark} |"

    frameless = (FLOOR, BARE_TEXT_SWITCH, *FRAME_SWITCHES)
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
            *(row(label) for label in times if label not in frameless),
            "",
            "**Our frame around the floor**: the bare app's two pages added to our app's "
            "navigation (`bench/bare_app/our_frame.py`: the app as users get it, signed in as a "
            "viewer, its sidebar's filters, search and account boxes, navigation, stylesheet and "
            "print script around them), switched between in another tab of the same rounds. The "
            "bare app's own switch back to its text page is beside them. Ratios to the bare "
            "chart page's switch above.",
            "",
            "| switch | median | ratio to the bare chart |",
            "|---|---|---|",
            row(BARE_TEXT_SWITCH, "bare app: chart → text", judged=False),
            *(row(label) for label in FRAME_SWITCHES),
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    database_arguments(parser)
    args = parser.parse_args()
    url, scratch = prepared_database(args, "charts")
    password = add_viewer(url)
    with (
        app_server(url, scratch / "server.log", script=APP) as base,
        app_server(url, scratch / "frame.log", script=FRAME_APP) as frame,
    ):
        times = measure(base, frame, password)
    text = report(args.revisions, url, times)
    print(text)
    write_section("charts-alone" if args.revisions else "charts-alone-seeded", text)


if __name__ == "__main__":
    main()
