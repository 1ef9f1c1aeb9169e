"""Plotly figures. Pure functions of DataFrames, so tests can read the specs directly."""

from __future__ import annotations

import html
import math
import textwrap

import pandas as pd
import plotly.graph_objects as go

from coalition.text.formatting import money
from coalition.text.labels import label
from core.vocabulary import CATEGORIES, STATUSES

# One palette per meaning, and no colour in both. Statuses run from pledge to delivery, so
# they are shades of one blue (ColorBrewer Blues), darker as they advance; withdrawn and ruled
# out are greys. Categories are Okabe-Ito hues that are not blue or grey: distinguishable with
# the common forms of colour blindness.
STATUS_COLOURS = {
    "considering": "#9ECAE1",
    "announced": "#6BAED6",
    "committed": "#3182BD",
    "deployed": "#08519C",
    "delivered": "#08306B",
    "withdrawn": "#767676",
    "ruled_out": "#252525",
}
CATEGORY_COLOURS = {
    "funding": "#E69F00",
    "troops": "#D55E00",
    "aircraft": "#009E73",
    "ships": "#CC79A7",
    "other": "#8C6D31",
}
# Planning ranges and meetings: neither a status nor a category.
REFERENCE_COLOUR = "#8A8A8A"
# Bars get a dark outline: the light fills (sky blue, orange) are under 3:1 on white, which
# WCAG 1.4.11 asks of graphics.
BAR_OUTLINE = {"color": "#2f2d2b", "width": 1}


def plain(text: object) -> str:
    """Text from the database, made safe for plotly, which reads tags such as <a> in hover
    text and axis labels as markup."""
    return html.escape(str(text), quote=False)


def count_ticks(largest: float) -> dict:
    """Axis settings for a count: whole numbers only (never 0.5), from zero."""
    return {"rangemode": "tozero", "tickformat": ",d", "dtick": max(1, math.ceil(largest / 5))}


def money_ticks(largest: float, steps: int = 4) -> dict:
    """Axis settings for euros, in the format the pages use ("€5.11bn", not "5B")."""
    if not largest > 0:
        return {"rangemode": "tozero", "tickvals": [0], "ticktext": ["€0"]}
    raw = largest / steps
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    values = [step * i for i in range(math.ceil(largest / step) + 1)]
    return {"rangemode": "tozero", "tickvals": values, "ticktext": [money(v) for v in values]}


# About as many characters of a title as a phone's width (358 px) holds at plotly's title size.
TITLE_CHARACTERS = 44


def chart_title(text: str) -> dict:
    """A chart's title in lines a phone's width holds (plotly never wraps one: a long title ran
    off the right edge), the plot pushed down as far as its lines need."""
    return {
        "text": "<br>".join(textwrap.wrap(text, TITLE_CHARACTERS)),
        "automargin": True,
        # From the top of the figure down, so a second line is never cut off above it.
        "yref": "container",
        "y": 1,
        "yanchor": "top",
        "pad": {"t": 12},
    }


# About as many characters of a panel's title as a phone's plot width (about 230 px) holds.
PANEL_TITLE_CHARACTERS = 34


def wrapped(text: str, characters: int = PANEL_TITLE_CHARACTERS) -> str:
    """Text in lines of at most ``characters`` (plotly never wraps an annotation's text)."""
    return "<br>".join(textwrap.wrap(text, characters))


def panel_titles(figure: go.Figure) -> None:
    """The panels' titles (make_subplots' own annotations, for one column of panels) over the
    panels' left edge, in lines a phone's plot holds: centred on one line, plotly ran them past
    the chart's edges. Call it before adding other annotations."""
    figure.for_each_annotation(
        lambda title: title.update(text=wrapped(title.text), x=0, xanchor="left", align="left")
    )


def styled(figure: go.Figure, title: str, **kwargs) -> go.Figure:
    """The house style every chart shares: outlined bars, white template, legend below."""
    figure.update_traces(marker_line=BAR_OUTLINE, selector={"type": "bar"})
    figure.update_layout(
        title=chart_title(title),
        template="plotly_white",
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        # At the foot of the figure, the plot pushed up as far as its rows need: placed under
        # the plot in its own units, a legend that wrapped onto two rows (on a phone) covered
        # the axis title.
        legend={"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom"},
        **kwargs,
    )
    return figure


def pledges_by_category_and_status(pledges: pd.DataFrame) -> go.Figure:
    counts = pledges.groupby(["category", "status"]).size()
    largest = int(pledges.groupby("category").size().max()) if len(pledges) else 1
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
    return styled(
        figure,
        "Pledges by category and status",
        barmode="stack",
        xaxis_title="Category",
        yaxis={"title": "Pledges (count)", **count_ticks(largest)},
    )


def pledges_by_region(pledges: pd.DataFrame) -> go.Figure:
    counts = pledges.groupby(["region", "category"]).size()
    regions = sorted(pledges["region"].dropna().unique())
    largest = int(pledges.groupby("region").size().max()) if len(pledges) else 1
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
    return styled(
        figure,
        "Pledges by region",
        barmode="stack",
        xaxis_title="Region",
        yaxis={"title": "Pledges (count)", **count_ticks(largest)},
    )


def counts_table(pledges: pd.DataFrame, by: str, across: str) -> pd.DataFrame:
    """The figures a stacked bar chart draws, as a table: pledges counted per ``by`` (rows)
    and ``across`` (columns), with totals, under plain labels."""
    counts = pd.crosstab(pledges[by], pledges[across])
    counts = counts.rename(columns=label, index=label if by != "region" else str)
    counts.columns.name = None
    counts["Total"] = counts.sum(axis=1)
    return counts.reset_index(names=by.capitalize())
