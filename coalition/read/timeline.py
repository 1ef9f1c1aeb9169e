"""How the record grew over time, rebuilt from pledge revisions (never from current values).

A pledge counts from the effective date of its first revision (its announcement); a revision
changes its figures from the revision's effective date; a withdrawal (or any status outside the
chosen ones) takes it out from that date.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import TypeVar

import numpy as np
import pandas as pd
from sqlmodel import Session

from coalition.money.sizes import is_lending, measured_size
from coalition.read import queries
from coalition.read.filters import PledgeFilter
from coalition.read.periods import counted_from
from core.vocabulary import (
    CATEGORIES,
    DATE_PRECISIONS,
    INSTRUMENTS,
    LENDING_INSTRUMENTS,
    SCOPES,
    STATUSES,
)

# What _sums_by_day sums a column for: a status, or a (category, measure) pair.
Name = TypeVar("Name")


def states_over_time(revisions: pd.DataFrame) -> pd.DataFrame:
    """One row per pledge and date on which its state changed, holding the state from then on:
    the newest revision (by version) in effect by that date. Ordered by pledge, then date.

    ``announced`` is False while a state's announcement lies ahead (a correction that moved the
    announcement later holds from the earlier date): such a state counts in nothing until its
    announcement day, as in the "as of" views."""
    if revisions.empty:
        return revisions.assign(
            state_version=pd.Series(dtype="int64"), announced=pd.Series(dtype=bool)
        )
    # A date known to the month or year counts from the end of its period (see periods).
    if "announced_precision" in revisions:
        revisions = revisions.assign(
            announced_on=counted_from(revisions["announced_on"], revisions["announced_precision"])
        )
    ordered = revisions.sort_values(["pledge_id", "effective_on", "version"])
    ordered = ordered.assign(state_version=ordered.groupby("pledge_id")["version"].cummax())
    changes = ordered.groupby(["pledge_id", "effective_on"], as_index=False)["state_version"].last()
    states = changes.merge(
        revisions.drop(columns=["effective_on"]),
        left_on=["pledge_id", "state_version"],
        right_on=["pledge_id", "version"],
    ).sort_values(["pledge_id", "effective_on"], ignore_index=True)
    return _until_announced(states)


def _until_announced(states: pd.DataFrame) -> pd.DataFrame:
    early = states["announced_on"] > states["effective_on"]
    states = states.assign(announced=~early)
    if not early.any():
        return states
    # The same state again on its announcement day, counted from then, unless the pledge's
    # next state starts first.
    next_start = states.groupby("pledge_id")["effective_on"].shift(-1)
    shows = early & (next_start.isna() | (states["announced_on"] < next_start))
    later = states[shows].assign(effective_on=states["announced_on"][shows], announced=True)
    return pd.concat([states, later]).sort_values(
        ["pledge_id", "effective_on"], ignore_index=True, kind="stable"
    )


def _deltas(states: pd.DataFrame, values: pd.DataFrame) -> pd.DataFrame:
    """Per state row (ordered by pledge, then date), the change it makes to running totals of
    ``values``: the value minus the same pledge's previous one."""
    first_of_pledge = states["pledge_id"].ne(states["pledge_id"].shift()).to_numpy()
    previous = values.shift(1)
    previous[first_of_pledge] = 0.0
    return values - previous


def counted_states(
    states: pd.DataFrame, statuses: tuple[str, ...], scopes: tuple[str, ...]
) -> pd.Series:
    """Which states count in the totals: a chosen status and scope, and not a loan or a
    guarantee (never added into funding; the overview shows them apart)."""
    counted = states["announced"] & states["status"].isin(statuses) & ~is_lending(states)
    if scopes:
        counted &= states["scope"].isin(scopes)
    return counted


def cumulative_by_category(
    states: pd.DataFrame, statuses: tuple[str, ...], scopes: tuple[str, ...] = ()
) -> pd.DataFrame:
    """Step series per category from ``states_over_time``: date, known total, pledges counted,
    of which unknown size.

    Each state contributes to its own category only, so a revision that moves a pledge to
    another category (or out of the chosen statuses) takes it out of the old line that day."""
    columns = ["category", "date", "known_total", "pledges", "unknown_size"]
    if states.empty:
        return pd.DataFrame(columns=columns)
    counted = counted_states(states, statuses, scopes)
    size = measured_size(states)
    values = {}
    categories = sorted(states["category"].unique())  # not set(): iterating costs per row
    for category in categories:
        own = counted & (states["category"] == category)
        values[(category, "known_total")] = size.fillna(0.0).where(own, 0.0)
        values[(category, "pledges")] = own.astype(float)
        values[(category, "unknown_size")] = (own & size.isna()).astype(float)
    daily = _deltas(states, pd.DataFrame(values)).groupby(states["effective_on"]).sum().cumsum()
    daily.index.name = "date"
    parts = [daily[category].reset_index().assign(category=category) for category in categories]
    return pd.concat(parts, ignore_index=True)[columns]


def status_counts_over_time(
    states: pd.DataFrame, in_scope: pd.Series | None = None
) -> pd.DataFrame:
    """Number of pledges in each status on every date a status changed (from
    ``states_over_time``); with ``in_scope``, a state outside it counts in no status."""
    if states.empty:
        return pd.DataFrame(columns=["date", *STATUSES])
    one_hot = pd.get_dummies(states["status"]).reindex(columns=list(STATUSES), fill_value=False)
    if in_scope is None and "announced" in states:
        in_scope = states["announced"]
    if in_scope is not None:
        one_hot = one_hot.mul(in_scope, axis=0)
    deltas = _deltas(states, one_hot.astype(float))
    return deltas.groupby(states["effective_on"]).sum().cumsum().rename_axis("date").reset_index()


def _counted_from_days(revisions: queries.RevisionArrays) -> np.ndarray:
    """Each revision's announcement day as counted (periods.counted_from): the day itself for
    a date known to the day, the end of its month or year otherwise."""
    counted = revisions.announced_on.copy()
    rough = np.flatnonzero(revisions.announced_precision != DATE_PRECISIONS.index("day"))
    if len(rough):
        precisions = np.array(DATE_PRECISIONS, dtype=object)[revisions.announced_precision[rough]]
        days = counted_from(
            pd.Series(revisions.announced_on[rough].astype(object)), pd.Series(precisions)
        )
        counted[rough] = np.array(days.tolist(), dtype="datetime64[D]")
    return counted


def _state_rows(revisions: queries.RevisionArrays) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``states_over_time`` on arrays: per pledge and date on which its state changed, ordered
    by pledge then date, (pledge ids, dates, the index of the revision holding the state)."""
    order = np.lexsort((revisions.version, revisions.effective_on, revisions.pledge_id))
    pledge = revisions.pledge_id[order]
    day = revisions.effective_on[order]
    version = revisions.version[order]
    new_pledge = np.ones(len(order), dtype=bool)
    new_pledge[1:] = pledge[1:] != pledge[:-1]
    # One number per revision that orders by pledge, then version: its running maximum is the
    # newest version in effect by each revision's date, within its own pledge.
    span = int(version.max()) - int(version.min()) + 1
    key = (np.cumsum(new_pledge) - 1) * span + (version - version.min())
    newest = np.maximum.accumulate(key)
    # The state on a date is the one after the last revision in effect that day.
    last_of_day = np.ones(len(order), dtype=bool)
    last_of_day[:-1] = (pledge[1:] != pledge[:-1]) | (day[1:] != day[:-1])
    rows = np.flatnonzero(last_of_day)
    by_key = np.argsort(key, kind="stable")
    holding = order[by_key[np.searchsorted(key, newest[rows], sorter=by_key)]]
    return pledge[rows], day[rows], holding


def _sums_by_day(
    pledge: np.ndarray, day: np.ndarray, names: list[Name], value_of: Callable[[Name], np.ndarray]
) -> pd.DataFrame:
    """Running totals by day of per-state values (``value_of(name)`` for each of ``names``):
    each state's value minus the same pledge's previous one, summed by day, then accumulated
    (as ``_deltas`` does on frames)."""
    first_of_pledge = np.ones(len(pledge), dtype=bool)
    first_of_pledge[1:] = pledge[1:] != pledge[:-1]
    # One block of numbers, a row per value, each value made only when its row is filled:
    # pandas takes the block without copying (a frame built from a dict of columns copied
    # them all into such a block first, holding both).
    deltas = np.empty((len(names), len(pledge)))
    for row, name in enumerate(names):
        value = value_of(name)
        deltas[row, 0] = value[0]
        np.subtract(value[1:], value[:-1], out=deltas[row, 1:])
        deltas[row, first_of_pledge] = value[first_of_pledge]
    columns = pd.MultiIndex.from_tuples(names) if isinstance(names[0], tuple) else names
    frame = pd.DataFrame(deltas.T, columns=columns, copy=False)
    daily = frame.groupby(day.astype("int64")).sum().cumsum()
    daily.index = pd.Index(
        [date(1970, 1, 1) + timedelta(days=int(d)) for d in daily.index], dtype=object
    )
    return daily


def timeline_series(session: Session, filters: PledgeFilter) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The step series and the status counts for the timeline page, computed once per data
    version and filters (the page caches this call). A long history is read as compact arrays
    and its states found by sorting, not as a frame of Python objects."""
    return series_from_arrays(queries.revision_arrays(session, filters), filters)


def series_from_arrays(
    revisions: queries.RevisionArrays, filters: PledgeFilter
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``cumulative_by_category`` and ``status_counts_over_time`` over ``states_over_time``,
    on the revisions' arrays."""
    if not len(revisions):
        return (
            pd.DataFrame(columns=["category", "date", "known_total", "pledges", "unknown_size"]),
            pd.DataFrame(columns=["date", *STATUSES]),
        )
    pledge, day, holding = _state_rows(revisions)
    announced_on = _counted_from_days(revisions)[holding]
    # A state whose announcement lies ahead counts from its announcement day, unless the
    # pledge's next state starts first (``_until_announced``).
    early = announced_on > day
    same_pledge_next = np.append(pledge[1:] == pledge[:-1], False)
    next_day = np.append(day[1:], day[-1:])
    shows = early & (~same_pledge_next | (announced_on < next_day))
    copies = np.flatnonzero(shows)
    pledge = np.concatenate([pledge, pledge[copies]])
    day = np.concatenate([day, announced_on[copies]])
    holding = np.concatenate([holding, holding[copies]])
    announced = np.concatenate([~early, np.ones(len(copies), dtype=bool)])
    order = np.lexsort((day, pledge))
    pledge, day, holding, announced = pledge[order], day[order], holding[order], announced[order]

    category = revisions.category[holding]
    status = revisions.status[holding]
    scope = revisions.scope[holding]
    size = revisions.size[holding]
    lending = (category == CATEGORIES.index("funding")) & np.isin(
        revisions.instrument[holding], [INSTRUMENTS.index(i) for i in LENDING_INSTRUMENTS]
    )
    in_scopes = np.isin(scope, [SCOPES.index(s) for s in filters.scopes])
    counted = announced & np.isin(status, [STATUSES.index(s) for s in filters.counted_statuses])
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
    daily = _sums_by_day(pledge, day, [(n, m) for n in names for m in measures], value_of)
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
    counts = _sums_by_day(
        pledge,
        day,
        list(STATUSES),
        lambda name: ((status == STATUSES.index(name)) & in_scope).astype(float),
    )
    return series, counts.rename_axis("date").reset_index()
