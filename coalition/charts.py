"""Plotly figures. Pure functions of DataFrames, so tests can read the specs directly."""

from __future__ import annotations

import html

import pandas as pd
import plotly.graph_objects as go

from coalition.metrics import CategoryFigures
from db.models import CATEGORIES, STATUSES

# Okabe-Ito: distinguishable with the common forms of colour blindness.
STATUS_COLOURS = {
    "considering": "#56B4E9",
    "announced": "#0072B2",
    "committed": "#009E73",
    "deployed": "#E69F00",
    "delivered": "#D55E00",
    "withdrawn": "#999999",
    "ruled_out": "#000000",
}
CATEGORY_COLOURS = {
    "funding": "#0072B2",
    "troops": "#D55E00",
    "aircraft": "#56B4E9",
    "ships": "#009E73",
    "other": "#CC79A7",
}
LABELS = {
    "ruled_out": "ruled out",
}


def label(value: str) -> str:
    return LABELS.get(value, value).capitalize()


def plain(text: object) -> str:
    """Text from the database, made safe for plotly, which reads tags such as <a> in hover
    text and axis labels as markup."""
    return html.escape(str(text), quote=False)


def _layout(figure: go.Figure, title: str, **kwargs) -> go.Figure:
    figure.update_layout(
        title=title,
        template="plotly_white",
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": -0.3},
        **kwargs,
    )
    return figure


def pledges_by_category_and_status(pledges: pd.DataFrame) -> go.Figure:
    counts = pledges.groupby(["category", "status"]).size()
    figure = go.Figure()
    for status in STATUSES:
        values = [int(counts.get((c, status), 0)) for c in CATEGORIES]
        if not any(values):
            continue
        figure.add_bar(
            name=label(status),
            x=[label(c) for c in CATEGORIES],
            y=values,
            marker_color=STATUS_COLOURS[status],
            hovertemplate="%{x}: %{y} " + label(status).lower() + "<extra></extra>",
        )
    return _layout(figure, "Pledges by category and status", barmode="stack", yaxis_title="Pledges")


def pledges_by_region(pledges: pd.DataFrame) -> go.Figure:
    counts = pledges.groupby(["region", "category"]).size()
    regions = sorted(pledges["region"].dropna().unique())
    figure = go.Figure()
    for category in CATEGORIES:
        values = [int(counts.get((r, category), 0)) for r in regions]
        if not any(values):
            continue
        figure.add_bar(
            name=label(category),
            x=regions,
            y=values,
            marker_color=CATEGORY_COLOURS[category],
            hovertemplate="%{x}: %{y} " + category + " pledges<extra></extra>",
        )
    return _layout(figure, "Pledges by region", barmode="stack", yaxis_title="Pledges")


def troops_against_targets(troops: CategoryFigures, targets: pd.DataFrame) -> go.Figure:
    """Known pledged troops beside each planning range. Unknown sizes are stated in the bar's
    label, because a short bar would otherwise read as a small commitment."""
    figure = go.Figure()
    troop_targets = targets[targets["category"] == "troops"].sort_values("stated_on")
    names, bases, spans, hover = [], [], [], []
    for row in troop_targets.itertuples():
        low = row.low if pd.notna(row.low) else 0.0
        high = row.high if pd.notna(row.high) else low
        names.append(plain(row.name))
        bases.append(low)
        # A single figure still needs a visible sliver.
        spans.append(max(high - low, 400.0))
        if pd.isna(row.low):
            shown = f"up to {high:,.0f}"
        elif pd.isna(row.high):
            shown = f"at least {low:,.0f}"
        else:
            shown = f"{low:,.0f}–{high:,.0f}" if high != low else f"{high:,.0f}"
        hover.append(
            f"{plain(row.name)}: {shown} troops<br>{plain(row.source_title)}, {row.stated_on}"
        )
    figure.add_bar(
        name="Planning figure (range)",
        y=names,
        x=spans,
        base=bases,
        orientation="h",
        marker_color="#BBBBBB",
        hovertext=hover,
        hoverinfo="text",
    )
    pledged_label = "Pledged (known sizes)"
    figure.add_bar(
        name=pledged_label,
        y=[pledged_label],
        x=[troops.known_total],
        orientation="h",
        marker_color=CATEGORY_COLOURS["troops"],
        text=[troops.summary()],
        textposition="outside",
        hovertext=[troops.summary()],
        hoverinfo="text",
    )
    return _layout(
        figure,
        "Troops pledged against planning figures",
        xaxis_title="Troops",
        barmode="overlay",
        showlegend=True,
    )
