"""How the record grew over time, rebuilt from pledge revisions (never from current values).

A pledge counts from the effective date of its first revision (its announcement); a revision
changes its figures from the revision's effective date; a withdrawal (or any status outside the
chosen ones) takes it out from that date.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots
from sqlmodel import Session

from coalition import queries
from coalition.charts import (
    BAR_OUTLINE,
    CATEGORY_COLOURS,
    STATUS_COLOURS,
    count_ticks,
    label,
    money_ticks,
    plain,
)
from coalition.filters import PledgeFilter
from coalition.formatting import UNITS
from coalition.metrics import amount_text
from coalition.periods import counted_from
from coalition.sizes import is_lending, measured_size
from db.models import (
    CATEGORIES,
    DATE_PRECISIONS,
    INSTRUMENTS,
    LENDING_INSTRUMENTS,
    SCOPES,
    STATUSES,
)

SIZE_CATEGORIES = ("funding", "troops", "aircraft", "ships")


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


def _meeting_markers(figure: go.Figure, events: pd.DataFrame, rows: int) -> None:
    # One full-height line per meeting, set in one go: add_vline per panel re-validates the
    # whole layout on every call (seconds with a dozen meetings and five panels).
    figure.update_layout(
        shapes=[
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": held_on,
                "x1": held_on,
                "y0": 0,
                "y1": 1,
                "line": {"width": 1, "dash": "dot", "color": "#999999"},
            }
            for held_on in events["held_on"]
        ]
    )
    figure.add_trace(
        go.Scatter(
            x=list(events["held_on"]),
            y=[0] * len(events),
            mode="markers",
            name="Meeting",
            marker={"symbol": "diamond", "size": 10, "color": "#444444"},
            hovertext=[
                f"{e.held_on:%d %b %Y}: {plain(e.title)} ({plain(e.location)})<br>"
                f"{e.named_attendees} participants named by sources"
                + (f"; reported: {plain(e.attendance_note)}" if e.attendance_note else "")
                for e in events.itertuples()
            ],
            hoverinfo="text",
        ),
        row=rows,
        col=1,
    )


def _until(values: np.ndarray, last=None) -> np.ndarray:
    """A step series carried on to the end of the chart: ``last``, or the final value again."""
    return np.append(values, values[-1] if last is None else last)


def series_for_display(series: pd.DataFrame) -> pd.DataFrame:
    """The figures the "Pledged over time" chart draws, one row per category and change."""
    frame = series.sort_values(["category", "date"])
    return pd.DataFrame(
        {
            "Category": frame["category"].map(label),
            "From": frame["date"],
            "Known total": [
                amount_text(c, v)
                for c, v in zip(frame["category"], frame["known_total"], strict=True)
            ],
            "Pledges": frame["pledges"].astype(int),
            "Of unknown size": frame["unknown_size"].astype(int),
        }
    ).reset_index(drop=True)


def _rgba(colour: str, alpha: float) -> str:
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},{alpha})"


def cumulative_figure(series: pd.DataFrame, events: pd.DataFrame, until: date) -> go.Figure:
    """One panel per sized category: the known total as a solid step line (left axis), and on
    the right axis the number of pledges (dashed) with those of unknown size as a shaded area
    of their own. A category whose sizes were never published shows its pledges, never a line
    at zero."""
    present = set(series["category"].unique())
    categories = [c for c in SIZE_CATEGORIES if c in present] or ["troops"]
    rows = len(categories) + 1
    figure = make_subplots(
        rows=rows,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.06,
        subplot_titles=[
            f"{label(c)}: known {'funding' if c == 'funding' else UNITS[c]} (solid), pledges "
            "(dashed), of unknown size (shaded)"
            for c in categories
        ]
        + ["Meetings"],
        row_heights=[1.0] * len(categories) + [0.25],
        specs=[[{"secondary_y": True}]] * len(categories) + [[{}]],
    )
    for row, category in enumerate(categories, start=1):
        own = series[series["category"] == category]
        if own.empty:
            continue
        # Arrays, not lists: plotly validates and copies them in bulk (lists go item by item).
        dates = _until(own["date"].to_numpy(dtype="datetime64[D]"), np.datetime64(until, "D"))
        known = _until(own["known_total"].to_numpy(dtype="float64"))
        pledges = _until(own["pledges"].to_numpy(dtype="float64"))
        unknown = _until(own["unknown_size"].to_numpy(dtype="float64"))
        hover = np.array(
            [
                f"{d.item():%d %b %Y}: {amount_text(category, k)} known; {int(n)} pledges, "
                f"{int(u)} of unknown size"
                for d, k, n, u in zip(dates, known, pledges, unknown, strict=True)
            ],
            dtype=object,
        )
        colour = CATEGORY_COLOURS[category]
        counts_on_right = bool(known.max() > 0)
        if counts_on_right:
            figure.add_trace(
                go.Scatter(
                    x=dates,
                    y=known,
                    mode="lines",
                    name=f"{label(category)} known",
                    line={"shape": "hv", "color": colour, "width": 2},
                    hovertext=hover,
                    hoverinfo="text",
                ),
                row=row,
                col=1,
                secondary_y=False,
            )
            axis = money_ticks(known.max()) if category == "funding" else {"tickformat": ",d"}
            title = "Known EUR" if category == "funding" else f"Known {UNITS[category]}"
            figure.update_yaxes(
                title_text=title,
                row=row,
                col=1,
                secondary_y=False,
                **({"rangemode": "tozero"} | axis),
            )
        else:
            # Counts alone, on the left axis: plotly draws an overlaying axis over the whole
            # figure when the axis it overlays holds no trace.
            figure.update_yaxes(visible=False, row=row, col=1, secondary_y=True)
            figure.add_annotation(
                text="No size published: only the number of pledges is known",
                xref="x domain",
                yref="y domain",
                x=0.01,
                y=0.95,
                showarrow=False,
                font={"size": 12, "color": "#444444"},
                row=row,
                col=1,
            )
        figure.add_trace(
            go.Scatter(
                x=dates,
                y=unknown,
                mode="lines",
                name=f"{label(category)} pledges of unknown size",
                line={"shape": "hv", "color": colour, "width": 0},
                fill="tozeroy",
                fillcolor=_rgba(colour, 0.25),
                hovertext=hover,
                hoverinfo="text",
            ),
            row=row,
            col=1,
            secondary_y=counts_on_right,
        )
        figure.add_trace(
            go.Scatter(
                x=dates,
                y=pledges,
                mode="lines",
                name=f"{label(category)} pledges",
                line={"shape": "hv", "color": colour, "width": 1.5, "dash": "dash"},
                hovertext=hover,
                hoverinfo="text",
            ),
            row=row,
            col=1,
            secondary_y=counts_on_right,
        )
        figure.update_yaxes(
            title_text="Pledges",
            showgrid=not counts_on_right,
            row=row,
            col=1,
            secondary_y=counts_on_right,
            **count_ticks(max(pledges)),
        )
    _meeting_markers(figure, events, rows)
    figure.update_yaxes(visible=False, row=rows, col=1)
    figure.update_xaxes(title_text="Date", row=rows, col=1)
    figure.update_layout(
        title="Pledged over time",
        template="plotly_white",
        height=220 * len(categories) + 180,
        showlegend=False,
        margin={"l": 10, "r": 10, "t": 70, "b": 10},
    )
    return figure


def status_figure(counts: pd.DataFrame, until: date, statuses: tuple[str, ...]) -> go.Figure:
    figure = go.Figure()
    for status in STATUSES:
        if status not in statuses or status not in counts or not counts[status].any():
            continue
        figure.add_trace(
            go.Scatter(
                x=_until(counts["date"].to_numpy(dtype="datetime64[D]"), np.datetime64(until, "D")),
                y=_until(counts[status].to_numpy(dtype="float64")),
                mode="lines",
                stackgroup="status",
                line={"shape": "hv", "color": STATUS_COLOURS[status]},
                name=label(status),
            )
        )
    largest = counts[[s for s in statuses if s in counts]].sum(axis=1).max() if len(counts) else 1
    figure.update_layout(
        title="Pledges by status over time",
        template="plotly_white",
        xaxis_title="Date",
        yaxis={"title": "Pledges (count)", **count_ticks(largest if largest > 0 else 1)},
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": -0.3},
    )
    return figure


GANTT_STATUSES = ("committed", "deployed", "delivered")
# More bars than this make a chart nobody can read (and megabytes to send): the page shows the
# most recent ones and says so.
GANTT_MAX_BARS = 60
GANTT_CATEGORIES = ("troops", "aircraft", "ships", "other")


def gantt_frame(pledges: pd.DataFrame, until: date) -> pd.DataFrame:
    """Committed and deployed forces and capabilities (funding has no period), from their start
    (or the day their announcement counts from) to their end date where one was published, cut
    at ``until``: the chart shows the record as of that day. Bars that start after it are left
    out (``gantt_later`` counts them)."""
    rows = pledges[
        pledges["status"].isin(GANTT_STATUSES) & pledges["category"].isin(GANTT_CATEGORIES)
    ]
    start = rows["start_on"].where(
        rows["start_on"].notna(), counted_from(rows["announced_on"], rows["announced_precision"])
    )
    end = rows["end_on"].where(rows["end_on"].notna(), until)
    frame = pd.DataFrame(
        {
            "label": [
                plain(f"{p}: {d[:60]}")
                for p, d in zip(rows["participant"], rows["description"], strict=True)
            ],
            "category": rows["category"],
            "status": rows["status"],
            "start": start,
            "end": [min(e, until) for e in end],
            "open_ended": rows["end_on"].isna() | (end > until),
        }
    )
    return frame[frame["start"] <= until].reset_index(drop=True)


def gantt_later(pledges: pd.DataFrame, until: date) -> int:
    """Commitments whose published start lies after ``until``."""
    rows = pledges[
        pledges["status"].isin(GANTT_STATUSES) & pledges["category"].isin(GANTT_CATEGORIES)
    ]
    return int((rows["start_on"].notna() & (rows["start_on"] > until)).sum())


def most_recent(frame: pd.DataFrame, limit: int = GANTT_MAX_BARS) -> pd.DataFrame:
    """The ``limit`` bars that started last, in their original order."""
    if len(frame) <= limit:
        return frame
    return frame.loc[frame["start"].sort_values(kind="stable").index[-limit:]].sort_index()


def gantt_figure(frame: pd.DataFrame, until: date | None = None) -> go.Figure:
    figure = go.Figure()
    for category in CATEGORIES:
        own = frame[frame["category"] == category]
        if own.empty:
            continue
        starts = pd.to_datetime(own["start"])
        ends = pd.to_datetime(own["end"])
        figure.add_trace(
            go.Bar(
                y=own["label"],
                x=(ends - starts).dt.total_seconds() * 1000,
                base=starts.dt.strftime("%Y-%m-%d"),
                orientation="h",
                name=label(category),
                marker_color=CATEGORY_COLOURS[category],
                marker_line=BAR_OUTLINE,
                hovertext=[
                    f"{r.label}<br>{label(r.status)}, from {r.start:%d %b %Y} "
                    + ("(still running)" if r.open_ended else f"to {r.end:%d %b %Y}")
                    for r in own.itertuples()
                ],
                hoverinfo="text",
            )
        )
    figure.update_layout(
        title="Commitments and deployments (bars run to the date shown where no end date is "
        "published)",
        template="plotly_white",
        xaxis={"type": "date", "title": "Date"}
        | ({"range": [frame["start"].min(), until]} if until and len(frame) else {}),
        height=max(250, 40 * len(frame) + 120),
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": -0.4},
    )
    return figure


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
    pledge: np.ndarray, day: np.ndarray, names: list, value_of: Callable[[object], np.ndarray]
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
    version and filters (the page caches this call): ``cumulative_by_category`` and
    ``status_counts_over_time`` over ``states_over_time``, on arrays. A long history is read
    as compact arrays and its states found by sorting, not as a frame of Python objects."""
    revisions = queries.revision_arrays(session, filters)
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
    if filters.categories:
        series = series[series["category"].isin(filters.categories)].reset_index(drop=True)

    in_scope = announced
    if filters.scopes:
        in_scope = in_scope & in_scopes
    if filters.categories:  # pledges that moved out of a chosen category leave it that day
        in_scope = in_scope & np.isin(category, [CATEGORIES.index(c) for c in filters.categories])
    counts = _sums_by_day(
        pledge,
        day,
        list(STATUSES),
        lambda name: ((status == STATUSES.index(name)) & in_scope).astype(float),
    )
    return series, counts.rename_axis("date").reset_index()
