"""The timeline's figures (plotly) and the table under them: the pledged-over-time panels, the
status counts, the Gantt chart of commitments, each from series the timeline module rebuilds
(or from the pledges as of a day, for the Gantt chart)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots
from sqlmodel import Session

from coalition.figures.charts import (
    BAR_OUTLINE,
    CATEGORY_COLOURS,
    STATUS_COLOURS,
    chart_title,
    count_ticks,
    label,
    money_ticks,
    panel_titles,
    plain,
    wrapped,
)
from coalition.figures.metrics import amount_text
from coalition.read import queries
from coalition.read.as_of import counted_from
from coalition.read.filters import PledgeFilter
from coalition.text.formatting import UNITS
from core.vocabulary import CATEGORIES, STATUSES

SIZE_CATEGORIES = ("funding", "troops", "aircraft", "ships")


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
        vertical_spacing=0.08,  # room for a panel's title in two lines
        subplot_titles=[
            f"{label(c)}: known (solid), pledges (dashed), of unknown size (shaded)"
            for c in categories
        ]
        + ["Meetings"],
        row_heights=[1.0] * len(categories) + [0.25],
        specs=[[{"secondary_y": True}]] * len(categories) + [[{}]],
    )
    panel_titles(figure)
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
                text=wrapped("No size published: only the number of pledges is known"),
                align="left",
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
        title=chart_title("Pledged over time"),
        template="plotly_white",
        height=220 * len(categories) + 180,
        showlegend=False,
        # The chart's title, and the first panel's in two lines under it.
        margin={"l": 10, "r": 10, "t": 100, "b": 10},
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
        title=chart_title("Pledges by status over time"),
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


def commitments(session: Session, filters: PledgeFilter) -> pd.DataFrame:
    """The pledges the commitments chart draws: the view's rows (figures.view) in
    GANTT_STATUSES and GANTT_CATEGORIES, read alone. The timeline needs no more of the view,
    whose whole pledge table cost a second of a cold start at a million revisions."""
    statuses = tuple(s for s in GANTT_STATUSES if not filters.statuses or s in filters.statuses)
    categories = tuple(c for c in GANTT_CATEGORIES if filters.shows(c))
    if not statuses or not categories:
        return pd.DataFrame(columns=queries.PLEDGE_COLUMNS)
    narrowed = replace(filters, statuses=statuses, categories=categories)
    return queries.pledges_frame(session, narrowed)


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
        title=chart_title(
            "Commitments and deployments (bars run to the date shown where no end date is "
            "published)"
        ),
        template="plotly_white",
        xaxis={"type": "date", "title": "Date"}
        | ({"range": [frame["start"].min(), until]} if until and len(frame) else {}),
        height=max(250, 40 * len(frame) + 120),
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": -0.4},
    )
    return figure
