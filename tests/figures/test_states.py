"""The app works out every pledge's states over time once, on arrays (coalition.read.states),
for the timeline and the delivery lines. These tests hold it to the same rules written plainly
on frames (tests/support/oracles.py), on a generated history with corrections, withdrawals,
restorations and month- and year-dated announcements."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine

from coalition.figures import delivery
from coalition.read import queries, timeline
from coalition.read.filters import PledgeFilter
from coalition.read.states import _sums_by_day, lexsort
from core.vocabulary import SCOPES, STATUSES
from db.engine import create_db_engine, read_session
from tests.support import oracles
from tests.support.data import generate_synthetic

FILTERS = (
    PledgeFilter(),
    PledgeFilter(scopes=SCOPES, statuses=()),
    PledgeFilter(categories=("funding", "ships")),
    PledgeFilter(statuses=("committed", "deployed", "delivered")),
    PledgeFilter(regions=("Europe",), scopes=("bilateral",)),
)


@pytest.fixture(scope="module")
def history(tmp_path_factory) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path_factory.mktemp('states') / 'history.db'}"
    generate_synthetic(url, 3_000)
    engine = create_db_engine(url)
    yield engine
    engine.dispose()


def same(app: pd.DataFrame, oracle: pd.DataFrame, keys: list[str]) -> None:
    app = app.sort_values(keys, ignore_index=True)
    oracle = oracle.sort_values(keys, ignore_index=True)
    pd.testing.assert_frame_equal(app, oracle[list(app.columns)], check_dtype=False)


@pytest.mark.parametrize("filters", FILTERS, ids=range(len(FILTERS)))
def test_the_timeline_follows_the_rules_on_frames(history, filters):
    with read_session(history) as session:
        series, counts = timeline.timeline_series(session, filters)
        states = oracles.states_over_time(queries.revisions_frame(session, filters))
    expected = oracles.cumulative_by_category(states, filters.offered_statuses, filters.scopes)
    expected = expected[expected["category"].map(filters.shows)]
    assert len(series) > 100
    same(series, expected, ["category", "date"])
    in_scope = states["announced"] & states["category"].map(filters.shows)
    if filters.scopes:
        in_scope &= states["scope"].isin(filters.scopes)
    expected_counts = oracles.status_counts_over_time(states, in_scope)
    same(counts, expected_counts[["date", *STATUSES]], ["date"])


@pytest.mark.parametrize("filters", FILTERS, ids=range(len(FILTERS)))
def test_the_delivery_lines_follow_the_rules_on_frames(history, filters):
    with read_session(history) as session:
        series = delivery.stages_over_time(session, filters)
        states = oracles.states_over_time(queries.revisions_frame(session, filters))
    expected = oracles.stage_series(states, filters)
    assert len(series) > 100
    same(series, expected, ["category", "stage", "date"])


def test_the_sort_of_pledges_days_and_versions_is_numpy_s_lexsort():
    """The states are ordered by one stable sort of a number made from pledge, day and
    version: the same order np.lexsort gives, ties, negative numbers and dates included,
    and keys too wide to share a number sorted by np.lexsort itself."""
    generator = np.random.default_rng(24)
    for size in (0, 1, 7, 5_000):
        pledge = generator.integers(-3, 40, size)
        day = generator.integers(20_000, 20_005, size).astype("datetime64[D]")
        version = generator.integers(1, 4, size)
        keys = (version, day, pledge)
        assert lexsort(keys).tolist() == np.lexsort(keys).tolist()
    wide = (np.array([1, 0, 1, 0]), np.array([2**62, 0, 5, 2**62]))
    assert lexsort(wide).tolist() == np.lexsort(wide).tolist() == [1, 2, 3, 0]


@pytest.mark.parametrize("later", [date(2025, 3, 1), date(2080, 3, 1)])
def test_running_totals_by_day_follow_each_pledge_s_changes(later):
    """Each state adds what it changed from the same pledge's previous state, on its day;
    days close together and days decades apart (summed another way) give the same totals."""
    pledge = np.array([1, 1, 2, 2])
    day = np.array(
        [date(2025, 1, 1), later, date(2025, 1, 1), date(2025, 2, 1)], dtype="datetime64[D]"
    )
    value = np.array([10.0, 4.0, 5.0, 7.0])
    totals = _sums_by_day(pledge, day, ["size"], lambda _name: value)
    assert totals.index.tolist() == [date(2025, 1, 1), date(2025, 2, 1), later]
    # 1 Jan: +10 and +5; 1 Feb: pledge 2 grows by 2; the later day: pledge 1 drops by 6.
    assert totals["size"].tolist() == [15.0, 17.0, 11.0]
    nothing = np.array([], dtype=np.int64)
    empty = _sums_by_day(nothing, nothing.astype("datetime64[D]"), ["size"], lambda _name: value)
    assert empty.empty and empty.columns.tolist() == ["size"]
