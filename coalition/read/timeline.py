"""How the record grew over time, rebuilt from pledge revisions (never from current values):
the timeline's step series per category and its status counts, from every pledge's states
(coalition.read.states)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sqlmodel import Session

from coalition.read import revisions
from coalition.read.filters import PledgeFilter
from coalition.read.revisions import RevisionArrays
from coalition.read.states import StateRows
from core.vocabulary import CATEGORIES, SCOPES, STATUSES


def timeline_series(session: Session, filters: PledgeFilter) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The step series and the status counts for the timeline page, computed once per data
    version and filters (the page caches this call). A long history is read as compact arrays
    and its states found by sorting, not as a frame of Python objects."""
    return series_from_arrays(revisions.revision_arrays(session, filters), filters)


def series_from_arrays(
    revisions: RevisionArrays, filters: PledgeFilter
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per category, from each day: the published sizes summed, the pledges counted and those
    of unknown size; and the pledges in each status (tests/support/oracles.py holds the same
    rules on frames)."""
    if not len(revisions):
        return (
            pd.DataFrame(columns=["category", "date", "known_total", "pledges", "unknown_size"]),
            pd.DataFrame(columns=["date", *STATUSES]),
        )
    states = StateRows.of(revisions)
    announced = states.announced
    category = states.column("category")
    status = states.column("status")
    scope = states.column("scope")
    size = states.column("size")
    lending = states.lending()
    in_scopes = np.isin(scope, [SCOPES.index(s) for s in filters.scopes])
    counted = announced & np.isin(status, [STATUSES.index(s) for s in filters.offered_statuses])
    counted &= ~lending
    if filters.scopes:
        counted &= in_scopes
    names = sorted(CATEGORIES[c] for c in np.unique(category))
    known = np.nan_to_num(size, nan=0.0)
    unknown = np.isnan(size)

    def value_of(column: tuple[str, str]) -> np.ndarray:
        name, measure = column
        own = counted & (category == CATEGORIES.index(name))
        if measure == "known_total":
            return np.where(own, known, 0.0)
        return (own & unknown if measure == "unknown_size" else own).astype(float)

    measures = ("known_total", "pledges", "unknown_size")
    daily = states.sums_by_day([(n, m) for n in names for m in measures], value_of)
    daily.index.name = "date"
    columns = ["category", "date", "known_total", "pledges", "unknown_size"]
    parts = [daily[name].reset_index().assign(category=name) for name in names]
    series = pd.concat(parts, ignore_index=True)[columns]
    series = series[series["category"].map(filters.shows)].reset_index(drop=True)

    in_scope = announced
    if filters.scopes:
        in_scope = in_scope & in_scopes
    # Pledges that moved out of a chosen category leave it that day.
    in_scope = in_scope & np.isin(
        category, [CATEGORIES.index(c) for c in CATEGORIES if filters.shows(c)]
    )
    counts = states.sums_by_day(
        list(STATUSES),
        lambda name: ((status == STATUSES.index(name)) & in_scope).astype(float),
    )
    return series, counts.rename_axis("date").reset_index()
