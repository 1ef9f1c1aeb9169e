"""The app works out every pledge's states over time once, on arrays (coalition.read.states),
for the timeline and the delivery lines. These tests hold it to the same rules written plainly
on frames (tests/support/oracles.py), on a generated history with corrections, withdrawals,
restorations and month- and year-dated announcements."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pytest
from sqlalchemy import Engine

from coalition.figures import delivery
from coalition.read import queries, timeline
from coalition.read.filters import PledgeFilter
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
