"""Every viewer page renders, without an exception, as of any day from 2024-01-01 to today
(before the first pledge, on the coalition's first days, and now), in the real runtime."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from tests.conftest import FIXED_NOW
from tests.support.app import start_app

PAGES = (
    "../pages/overview.py",
    "../pages/map.py",
    "../pages/timeline.py",
    "../pages/participant.py",
    "../pages/ranking.py",
    "../pages/snapshots.py",
    "../pages/about.py",
)


@pytest.fixture
def signed_in(monkeypatch, sqlite_url) -> AppTest:
    return start_app(monkeypatch, sqlite_url).run()


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(day=st.dates(min_value=date(2024, 1, 1), max_value=FIXED_NOW.date()))
@example(day=date(2024, 1, 1))
@example(day=date(2025, 3, 1))
@example(day=date(2025, 3, 3))
@example(day=FIXED_NOW.date())  # today, on the fixed clock
def test_every_page_renders_as_of_any_day(signed_in, fixed_clock, day):
    at = signed_in
    at.sidebar.text_input(key="filter_as_of").input(day.isoformat()).run()
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception, (page, day, [e.value for e in at.exception])
        assert not at.error, (page, day, [e.value for e in at.error])
        assert at.title, page
        assert any(f"{day:%d %B %Y}" in i.value for i in at.info) or page.endswith(
            ("snapshots.py", "about.py")
        ), (page, "the date shown is said")
