"""Test oracles: the rules of coalition.read.states and the timeline and delivery series on
frames, written plainly with pandas. The app computes them once, on arrays; tests compare the
two (the app's is fast, this one is easy to read)."""

from __future__ import annotations

from datetime import date

import pandas as pd

from coalition.figures import delivery
from coalition.money.sizes import is_lending, measured_size
from coalition.read.as_of import counted_from
from coalition.read.filters import PledgeFilter
from core.vocabulary import STATUSES


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


def with_lending_apart(states: pd.DataFrame) -> pd.DataFrame:
    """States (from ``timeline.states_over_time``) with loans and guarantees as a category of
    their own, sized in EUR: a pledge that becomes a loan leaves the funding line that day and
    joins this one, as a pledge that changes category does on the timeline."""
    if states.empty:
        return states
    lending = is_lending(states)
    return states.assign(
        category=states["category"].where(~lending, delivery.LENDING),
        quantity=states["quantity"].where(~lending, measured_size(states)),
    )


def stage_series(states: pd.DataFrame, filters: PledgeFilter) -> pd.DataFrame:
    """Per category and stage, a step series from ``timeline.states_over_time``: from each
    date, the published sizes summed, the pledges counted and those of unknown size."""
    states = with_lending_apart(states)
    counted = filters.ladder_statuses
    parts = []
    for stage in delivery.stages_for(filters):
        statuses = tuple(s for s in delivery.STAGE_STATUSES[stage] if s in counted)
        series = cumulative_by_category(states, statuses, filters.scopes)
        parts.append(series.assign(stage=stage))
    if not parts:
        return pd.DataFrame(columns=delivery.SERIES_COLUMNS)
    series = pd.concat(parts, ignore_index=True)
    series = series[series["category"].isin(delivery.groups_for(filters))]
    order = {group: i for i, group in enumerate(delivery.GROUPS)}
    rank = {stage: i for i, stage in enumerate(delivery.STAGES)}
    series = series.assign(
        _group=series["category"].map(order), _stage=series["stage"].map(rank)
    ).sort_values(["_group", "_stage", "date"], kind="stable")
    return series[delivery.SERIES_COLUMNS].reset_index(drop=True)


def value_on(series: pd.DataFrame, on: date) -> pd.DataFrame:
    """What the lines stand at at the end of ``on``: per category and stage present in the
    series, the last step on or before that day (zero before the first)."""
    rows = []
    for (category, stage), own in series.groupby(["category", "stage"], sort=False):
        before = own[own["date"] <= on]
        last = before.iloc[-1] if len(before) else None
        rows.append(
            {
                "category": category,
                "stage": stage,
                "pledges": 0 if last is None else int(last["pledges"]),
                "known_total": 0.0 if last is None else float(last["known_total"]),
                "unknown_size": 0 if last is None else int(last["unknown_size"]),
            }
        )
    return pd.DataFrame(
        rows, columns=["category", "stage", "pledges", "known_total", "unknown_size"]
    )
