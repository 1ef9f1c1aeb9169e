"""The maps as plotly choropleths on the shipped outlines, drawn as SVG.

deck.gl draws with WebGL; a browser without a GPU (virtual desktops, remote sessions) compiles
its shaders in software on every visit to the map, which froze the tab for seconds. SVG paths
cost what any plotly chart costs. plotly draws no base map of its own here (``geo.visible``
off): only our outlines. Pass CONFIG to the chart, so plotly asks the app, not cdn.plot.ly, for
its topojson (figures.geo).
"""

from __future__ import annotations

import html
import math

import pandas as pd
import plotly.graph_objects as go

from coalition.figures.geo import TOPOJSON_URL, outlines_url
from coalition.figures.geometry import MAP_HEIGHT, Box, box_centre, view_box, world_features
from coalition.figures.maps import (
    BADGE,
    NO_PLEDGE,
    NOT_MEMBER,
    OUTLINE,
    Country,
    LegendEntry,
    badge_records,
    countries,
)
from coalition.figures.measures import Measure, measure_text

CONFIG = {"topojsonURL": TOPOJSON_URL, "displaylogo": False, "scrollZoom": True}

# The second measure's circles: their area is proportional to the value.
BUBBLE = "rgba(40, 40, 40, 0.7)"  # not a colour of the scale
BUBBLE_MAX_DIAMETER = 36
BUBBLE_MIN_DIAMETER = 5
# The locator: a participant's surroundings at deck.gl's zoom 3, in a box of this many pixels.
LOCATOR_ZOOM = 3.0
LOCATOR_WIDTH = 420
LOCATOR_HEIGHT = 260
HOVER_LABEL = {"bgcolor": "white", "bordercolor": "#6e6e6e", "font": {"color": "#262730"}}


def _rgb(colour: tuple[int, int, int]) -> str:
    return f"rgb({colour[0]}, {colour[1]}, {colour[2]})"


def _hover(lines: tuple[str, ...] | list[str]) -> str:
    # Names come from the record: escaped, as plotly reads its labels as HTML.
    return "<br>".join(html.escape(line) for line in lines)


def _countries_trace(shown: list[Country]) -> go.Choropleth:
    """Every outline filled with its own colour: each distinct colour gets one flat step of
    the colour scale, and each country a value in the middle of its colour's step (one trace,
    however many classes)."""
    palette = list(dict.fromkeys(country.fill for country in shown))
    steps = len(palette)
    scale = []
    for index, colour in enumerate(palette):
        scale += [[index / steps, _rgb(colour)], [(index + 1) / steps, _rgb(colour)]]
    return go.Choropleth(
        name="countries",
        geojson=outlines_url(),  # the shipped outlines (world_features), by address
        locations=[country.iso for country in shown],
        z=[palette.index(country.fill) + 0.5 for country in shown],
        zmin=0,
        zmax=steps,
        colorscale=scale,
        showscale=False,
        marker={"line": {"color": _rgb(OUTLINE), "width": 0.5}},
        customdata=[country.code for country in shown],
        hovertext=[_hover(country.tooltip) for country in shown],
        hovertemplate="%{hovertext}<extra></extra>",
        # A click selects; plotly would then fade every other country to a colour in no legend.
        selected={"marker": {"opacity": 1}},
        unselected={"marker": {"opacity": 1}},
    )


def bubble_records(figures: pd.DataFrame, measure: Measure) -> list[dict]:
    """A circle per country with a value above zero, its area proportional to the value."""
    values = figures[figures["kind"] == "country"][measure.key].dropna()
    values = values[values > 0]
    top = float(values.max()) if len(values) else 1.0
    return [
        {
            "code": code,
            "lat": float(figures.at[code, "centroid_lat"]),
            "lon": float(figures.at[code, "centroid_lon"]),
            "diameter": max(
                BUBBLE_MIN_DIAMETER, BUBBLE_MAX_DIAMETER * math.sqrt(float(value) / top)
            ),
            "tooltip": (
                str(figures.at[code, "name"]),
                f"{measure.label}: {measure_text(measure, float(value))}",
            ),
        }
        for code, value in values.items()
    ]


def _bubbles_trace(records: list[dict]) -> go.Scattergeo:
    return go.Scattergeo(
        name="bubbles",
        lat=[r["lat"] for r in records],
        lon=[r["lon"] for r in records],
        mode="markers",
        marker={
            "size": [r["diameter"] for r in records],
            "sizemode": "diameter",
            "color": BUBBLE,
            "line": {"color": "white", "width": 1},
        },
        customdata=[r["code"] for r in records],
        hovertext=[_hover(r["tooltip"]) for r in records],
        hovertemplate="%{hovertext}<extra></extra>",
        selected={"marker": {"opacity": 1}},
        unselected={"marker": {"opacity": 1}},
    )


def _layout(box: Box, height: float) -> dict:
    """A Mercator map of the box and nothing else: no base map, frame, axes or legend. plotly
    draws the whole box, scaled to fit the chart and centred; drag pans, the wheel zooms."""
    west, east, south, north = box
    latitude, longitude = box_centre(box)
    return {
        "geo": {
            "visible": False,
            "projection": {"type": "mercator"},
            "center": {"lat": latitude, "lon": longitude},
            "lonaxis": {"range": [west, east]},
            "lataxis": {"range": [south, north]},
            "bgcolor": "white",
        },
        "height": height,
        "margin": {"l": 0, "r": 0, "t": 0, "b": 0},
        "paper_bgcolor": "white",
        "showlegend": False,
        "dragmode": "pan",
        "hoverlabel": HOVER_LABEL,
    }


def map_figure(
    figures: pd.DataFrame,
    measure: Measure,
    view: Box,
    features: tuple[dict, ...] | None = None,
    *,
    second: Measure | None = None,
) -> tuple[go.Figure, list[LegendEntry]]:
    """The Map page's map: countries coloured by the measure, their outlines, and the second
    measure as circles; opening on ``view``. No badges for the EU and NATO (they covered the
    UK and France): they are listed beside the map (maps.beyond_the_frame)."""
    features = features or world_features()
    shown, legend = countries(figures, measure, features)
    traces: list = [_countries_trace(shown)]
    if second is not None:
        traces.append(_bubbles_trace(bubble_records(figures, second)))
    return go.Figure(traces, _layout(view, MAP_HEIGHT)), legend


def locator_figure(
    figures: pd.DataFrame, code: str, features: tuple[dict, ...] | None = None
) -> go.Figure:
    """A small map that finds one participant: it in the badge colour, other participants
    grey; an institution (no outline) as a labelled badge."""
    features = features or world_features()
    participants = set(figures.index)
    shown = [
        Country(
            iso,
            f["properties"]["name"],
            BADGE if iso == code else NO_PLEDGE if iso in participants else NOT_MEMBER,
            (f["properties"]["name"],),
            "",
        )
        for f in features
        for iso in [f["properties"]["iso_a3"]]
    ]
    traces: list = [_countries_trace(shown)]
    row = figures.loc[code]
    if row["kind"] != "country":
        badges = [b for b in badge_records(figures) if b["code"] == code]
        traces.append(
            go.Scattergeo(
                name="badge",
                lon=[b["position"][0] for b in badges],
                lat=[b["position"][1] for b in badges],
                mode="markers+text",
                text=[f"<b>{html.escape(b['label'])}</b>" for b in badges],
                textposition="top center",
                textfont={"color": _rgb(BADGE), "size": 13},
                marker={"size": 10, "color": _rgb(BADGE), "line": {"color": "white", "width": 1}},
                hovertext=[_hover(b["tooltip"].split("\n")) for b in badges],
                hovertemplate="%{hovertext}<extra></extra>",
            )
        )
    view = (float(row["centroid_lat"]), float(row["centroid_lon"]), LOCATOR_ZOOM)
    box = view_box(view, LOCATOR_WIDTH, LOCATOR_HEIGHT)
    return go.Figure(traces, _layout(box, LOCATOR_HEIGHT))
