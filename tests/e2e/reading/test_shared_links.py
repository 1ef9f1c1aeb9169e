"""A link copied from the address bar opens, in another browser, on the same view: the sidebar's
filters and each page's own choices (the map's measures, the ranking's measure and gap question,
the overview's "changes since", the pledge whose history the participant page shows, a
snapshot's pin). What changed and Search are checked in their own files."""

from __future__ import annotations

import re

import pytest

from tests.support.browser import offline_page, settle


def choose(page, label: str, option: str) -> None:
    box = page.get_by_role("combobox", name=label)
    box.scroll_into_view_if_needed()  # its list opens below it, on screen
    box.click()
    page.get_by_role("option", name=option, exact=True).click()


def chosen(page, label: str) -> str:
    """The option a select box shows (its combobox's value)."""
    return page.get_by_role("combobox", name=label).input_value()


def open_in_a_new_browser(chromium, address: str):
    """The address as a colleague opens it: another browser context, nothing carried over."""
    page = offline_page(chromium)
    page.goto(address)
    return page


def test_the_maps_choices_travel_in_a_copied_link(server, browser_page, chromium):
    page = browser_page
    page.goto(f"{server}/map?category=troops,ships")
    page.get_by_text("Colour countries by").wait_for(timeout=30_000)
    # The map follows the category filter: troops first, funding not offered.
    assert chosen(page, "Colour countries by") == "Troops"
    choose(page, "Colour countries by", "Ships")
    choose(page, "Second measure by size", "Troops")
    page.wait_for_url(re.compile(r"map_measure=Ships"), timeout=30_000)
    page.wait_for_url(re.compile(r"map_second_measure=Troops"), timeout=30_000)
    settle(page)
    address = page.url
    assert "category=troops%2Cships" in address  # the filters travel with them

    other = open_in_a_new_browser(chromium, address)
    other.get_by_text("Colour countries by").wait_for(timeout=30_000)
    settle(other)
    assert chosen(other, "Colour countries by") == "Ships"
    assert chosen(other, "Second measure by size") == "Troops"
    # And a reload keeps them too.
    other.reload()
    other.get_by_text("Colour countries by").wait_for(timeout=30_000)
    settle(other)
    assert chosen(other, "Colour countries by") == "Ships"


@pytest.mark.parametrize(
    ("label", "param"),
    [("Rank by", "ranking_measure"), ("Who has not offered", "ranking_gap_category")],
)
def test_the_rankings_choices_travel_in_a_copied_link(server, browser_page, chromium, label, param):
    page = browser_page
    page.goto(f"{server}/ranking")
    page.get_by_text(label).wait_for(timeout=30_000)
    choose(page, label, "Ships")
    page.wait_for_url(re.compile(rf"{param}=Ships"), timeout=30_000)
    settle(page)

    other = open_in_a_new_browser(chromium, page.url)
    other.get_by_text(label).wait_for(timeout=30_000)
    settle(other)
    assert chosen(other, label) == "Ships"


def test_the_overviews_changes_since_travels_in_a_copied_link(server, browser_page, chromium):
    page = browser_page
    page.goto(f"{server}/")
    since = page.get_by_role("textbox", name="Briefing pack: changes since")
    since.wait_for(timeout=30_000)
    # A day typed, then Enter: applied as typed (a date picker opened its calendar instead).
    since.fill("2026-01-02")
    since.press("Enter")
    page.wait_for_url(re.compile(r"briefing_since=2026-01-02"), timeout=30_000)
    settle(page)

    other = open_in_a_new_browser(chromium, page.url)
    shown = other.get_by_role("textbox", name="Briefing pack: changes since")
    shown.wait_for(timeout=30_000)
    settle(other)
    assert shown.input_value() == "2026-01-02"


def test_the_pledge_whose_history_is_shown_travels_in_a_copied_link(server, browser_page, chromium):
    page = browser_page
    page.goto(f"{server}/participant?code=GBR")
    page.get_by_text("Revision history").wait_for(timeout=30_000)
    settle(page)
    before = chosen(page, "Pledge")
    page.get_by_role("combobox", name="Pledge").scroll_into_view_if_needed()
    page.get_by_role("combobox", name="Pledge").click()
    options = page.get_by_role("option")
    picked = next(t for t in options.all_inner_texts() if t != before)
    options.filter(has_text=picked).first.click()
    page.wait_for_url(re.compile(r"pledge=\d+"), timeout=30_000)
    settle(page)
    assert chosen(page, "Pledge") == picked

    other = open_in_a_new_browser(chromium, page.url)
    other.get_by_text("Revision history").wait_for(timeout=30_000)
    settle(other)
    assert chosen(other, "Pledge") == picked


def test_a_snapshots_pin_travels_in_a_copied_link(server, browser_page, chromium):
    page = browser_page
    page.goto(f"{server}/snapshots")
    known_at = page.get_by_role("textbox", name=re.compile("^Known at"))
    known_at.wait_for(timeout=30_000)
    known_at.fill("2026-01-01T00:00:00+00:00")
    known_at.press("Enter")
    page.wait_for_url(re.compile(r"known_at=2026-01-01"), timeout=30_000)
    page.get_by_text("For Excel (UTF-8 byte-order mark)").click()
    page.wait_for_url(re.compile(r"excel_bom=true"), timeout=30_000)
    settle(page)

    other = open_in_a_new_browser(chromium, page.url)
    shown = other.get_by_role("textbox", name=re.compile("^Known at"))
    shown.wait_for(timeout=30_000)
    settle(other)
    assert shown.input_value() == "2026-01-01T00:00:00+00:00"
    assert other.get_by_role("checkbox", name="For Excel (UTF-8 byte-order mark)").is_checked()
