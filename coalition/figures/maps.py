"""The map's colour classes, tooltips and first view, and its deck.gl layers (pydeck) for the
online base map. The map drawn by default, without WebGL, is built from the same classes in
figures.geo. The outlines ship in data/ (see geometry).

Countries are coloured by the chosen measure (see measures). Ukraine (the beneficiary), the EU
and NATO are not pledging countries like the others: they get badges, not a measure colour.
"""

from __future__ import annotations

import json
import weakref
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import pandas as pd
import pydeck as pdk
from pydeck.bindings.json_tools import default_serialize

from coalition.figures.geometry import (
    MAP_HEIGHT,
    PHONE_MAP_WIDTH,
    Box,
    box_view,
    fitted_box,
    fitted_view,
    in_box,
    world_features,
)
from coalition.figures.ladder import RULED_OUT as RULED_OUT_RUNG
from coalition.figures.ladder import RUNG_WORDS
from coalition.figures.measures import CATEGORY_OF, Measure, measure_text

# viridis in five classes: readable with the common colour-vision deficiencies, and no class
# is a grey that could pass for "nothing recorded".
SCALE = [(68, 1, 84), (59, 82, 139), (33, 145, 140), (94, 201, 98), (253, 231, 37)]
UNKNOWN_SIZE = (204, 121, 167)  # Okabe-Ito reddish purple: offered, size never published
# Below the offers on the ladder (core.vocabulary.is_offer): still considering, and ruled out.
CONSIDERING = (230, 159, 0)  # Okabe-Ito orange
RULED_OUT = (90, 90, 90)
NO_PLEDGE = (200, 200, 200)
LOWER_RUNGS = {"considering": CONSIDERING, RULED_OUT_RUNG: RULED_OUT}
NOT_MEMBER = (245, 245, 245)
BENEFICIARY = (198, 226, 245)  # pale sky blue: outside the scale
OUTLINE = (110, 110, 110)
BADGE = (0, 90, 140)


# A deck's JSON, made once: a built deck is never changed, and shared decks are sent on every
# rerun. Kept beside the deck, not in it, because pydeck serialises every attribute it has.
_JSON_OF: weakref.WeakKeyDictionary[pdk.Deck, str] = weakref.WeakKeyDictionary()


class CompactDeck(pdk.Deck):
    """A deck whose JSON has no indentation: pydeck indents it, which is five times the bytes
    Streamlit sends for the map."""

    def to_json(self) -> str:
        if self not in _JSON_OF:
            _JSON_OF[self] = json.dumps(
                self, sort_keys=True, default=default_serialize, separators=(",", ":")
            )
        return _JSON_OF[self]


def class_breaks(values: pd.Series) -> list[float]:
    """Five equal-width classes from zero to the largest known value; none when no value is
    above zero (a scale of "€0 – €0" would say nothing)."""
    top = float(values.max()) if len(values) else 0.0
    if not top > 0:
        return []
    return [top * i / len(SCALE) for i in range(len(SCALE) + 1)]


def _colour(value: float, breaks: list[float]) -> tuple[int, int, int]:
    index = int(np.searchsorted(breaks[1:-1], value, side="right"))
    return SCALE[min(index, len(SCALE) - 1)]


@dataclass(frozen=True)
class LegendEntry:
    colour: tuple[int, int, int]
    text: str


@dataclass(frozen=True)
class Country:
    """One outline on the map: its ISO code and name, its colour, its tooltip's lines, and the
    participant it opens ("" when it is not one)."""

    iso: str
    name: str
    fill: tuple[int, int, int]
    tooltip: tuple[str, ...]
    code: str


def countries(
    figures: pd.DataFrame, measure: Measure, features: tuple[dict, ...]
) -> tuple[list[Country], list[LegendEntry]]:
    """Every outline with its colour in the measure and a plain-text tooltip, and the legend."""
    category = CATEGORY_OF.get(measure.key)
    breaks = _breaks(figures, measure)
    shown = []
    for feature in features:
        code = feature["properties"]["iso_a3"]
        name = feature["properties"]["name"]
        if code in figures.index:
            fill, lines = _fill_and_lines(figures.loc[code], measure, breaks)
            shown.append(Country(code, name, fill, tuple(lines), code))
        else:
            shown.append(Country(code, name, NOT_MEMBER, (name, "Not a coalition participant"), ""))
    legend = [
        LegendEntry(colour, f"{measure_text(measure, low)} – {measure_text(measure, high)}")
        for colour, low, high in zip(SCALE, breaks[:-1], breaks[1:], strict=False)
    ]
    if category:
        legend += [
            LegendEntry(UNKNOWN_SIZE, "offers, size not published"),
            LegendEntry(CONSIDERING, "considering, no offer"),
            LegendEntry(RULED_OUT, "ruled out"),
        ]
    legend += [
        LegendEntry(NO_PLEDGE, "participant, no offer in this measure"),
        LegendEntry(BENEFICIARY, "Ukraine (beneficiary)"),
        LegendEntry(NOT_MEMBER, "not a participant"),
    ]
    return shown, legend


def country_records(
    figures: pd.DataFrame, measure: Measure, features: tuple[dict, ...]
) -> tuple[list[dict], list[LegendEntry]]:
    """One record per polygon ring set, with its fill colour and a plain-text tooltip (the
    deck's polygons)."""
    shown, legend = countries(figures, measure, features)
    records = [
        {
            "polygon": polygon,
            "fill": list(country.fill),
            "tooltip": "\n".join(country.tooltip),
            "code": country.code,
        }
        for country, feature in zip(shown, features, strict=True)
        for polygon in feature["geometry"]["coordinates"]
    ]
    return records, legend


def _breaks(figures: pd.DataFrame, measure: Measure) -> list[float]:
    """The colour classes of a measure, over the countries' known values."""
    return class_breaks(figures.loc[figures["kind"] == "country", measure.key].dropna())


def _fill_and_lines(row: pd.Series, measure: Measure, breaks: list[float]):
    """A participant's colour on the map and what its tooltip says: name, statuses, and the
    measure (or why there is none)."""
    category = CATEGORY_OF.get(measure.key)
    value = row[measure.key]
    unknown = int(row[f"{category}_unknown"]) if category else 0
    rung = row[f"{category}_rung"] if category else ""
    lines = [f"{row['name']}", f"Status: {row['status_breakdown']}"]
    if row["kind"] == "beneficiary":
        fill, lines[0] = BENEFICIARY, f"{row['name']} (beneficiary of the guarantees)"
    elif row["kind"] == "institution":
        fill, lines[0] = BADGE, f"{row['name']} (institution)"
    elif pd.notna(value) and value > 0:
        fill = _colour(float(value), breaks) if breaks else NO_PLEDGE
        lines.append(f"{measure.label}: {measure_text(measure, float(value))}")
    elif unknown:
        fill = UNKNOWN_SIZE
    elif rung in LOWER_RUNGS:
        fill = LOWER_RUNGS[rung]
        lines.append(f"{measure.label}: {RUNG_WORDS.get(rung, rung)}, no offer")
    else:
        fill = NO_PLEDGE
        lines.append(f"{measure.label}: no offer recorded")
    if unknown:
        plural = "offer" if unknown == 1 else "offers"
        lines.append(f"+ {unknown} {plural} of unknown size")
    return fill, lines


def opening_view(participants: pd.DataFrame) -> Box:
    """The map's first view, as the box of longitudes and latitudes it shows: Europe, whatever
    the filters, so the map keeps its place between views. The map draws this box whole at
    any width (scaled to fit), so a phone shows what a laptop shows."""
    europe = participants[participants["region"] == "Europe"]
    return fitted_box(europe["centroid_lat"].to_numpy(), europe["centroid_lon"].to_numpy())


def beyond_the_frame(figures: pd.DataFrame, measure: Measure, view: Box) -> list[tuple[str, str]]:
    """What the first view leaves out, as (name, what it offers in the measure): the
    participants outside it (Canada, Japan, Australia, New Zealand) and the EU and NATO, which
    have no outline to colour. Listed beside the map, so nobody pans to find them."""
    inside = in_box(view, figures["centroid_lat"], figures["centroid_lon"])
    listed = figures[~inside | (figures["kind"] == "institution").to_numpy()]
    breaks = _breaks(figures, measure)
    shown = []
    for _, row in listed.sort_values(["kind", "name"]).iterrows():
        _, lines = _fill_and_lines(row, measure, breaks)
        offers = [line.removeprefix(f"{measure.label}: ") for line in lines[2:]]
        shown.append((lines[0], "; ".join(offers) or lines[1].removeprefix("Status: ")))
    return shown


def badge_records(figures: pd.DataFrame) -> list[dict]:
    """Labels for the institutions (EU, NATO) and Ukraine, which pledge unlike countries."""
    special = figures[figures["kind"] != "country"]
    return [
        {
            "position": [float(row.centroid_lon), float(row.centroid_lat)],
            "label": "UA" if code == "UKR" else code.replace("EUU", "EU"),
            "code": code,
            "tooltip": f"{row.name} ({row.kind})\nStatus: {row.status_breakdown}",
        }
        for code, row in special.iterrows()
    ]


def column_records(figures: pd.DataFrame, measure: Measure) -> list[dict]:
    values = figures[figures["kind"] == "country"][measure.key].dropna()
    top = float(values.max()) if len(values) and values.max() > 0 else 1.0
    return [
        {
            "position": [
                float(figures.at[code, "centroid_lon"]),
                float(figures.at[code, "centroid_lat"]),
            ],
            "height": float(value) / top,
            "code": code,
            "tooltip": f"{figures.at[code, 'name']}\n"
            f"{measure.label}: {measure_text(measure, value)}",
        }
        for code, value in values.items()
        if value > 0
    ]


def outline_segments(features: tuple[dict, ...]) -> list[dict]:
    """Every edge of every country's rings, as a segment for a LineLayer; a border two
    countries share once (it is a third of the bytes sent for the map)."""
    seen: set[tuple] = set()
    segments = []
    for feature in features:
        for polygon in feature["geometry"]["coordinates"]:
            for ring in polygon:
                for start, end in pairwise(ring):
                    edge = tuple(sorted((tuple(start), tuple(end))))
                    if edge not in seen:
                        seen.add(edge)
                        segments.append({"s": start, "t": end})
    return segments


def _country_layers(layer_id: str, records: list[dict], features: tuple[dict, ...]) -> list:
    """Country shapes filled with each record's own colour, and their outlines.

    The outlines are a LineLayer, not the polygon layer's own stroke: that stroke is deck.gl's
    PathLayer, whose shaders a software GPU (browsers without hardware WebGL: virtual
    desktops, remote sessions) compiles in 1.5-2 s each time the map is drawn afresh, which
    froze the tab on every visit to the map. The LineLayer's take about a third of that."""
    return [
        pdk.Layer(
            "PolygonLayer",
            id=layer_id,
            data=records,
            get_polygon="polygon",
            get_fill_color="fill",
            stroked=False,
            pickable=True,
        ),
        pdk.Layer(
            "LineLayer",
            id=f"{layer_id}-outlines",
            data=outline_segments(features),
            get_source_position="s",
            get_target_position="t",
            get_color=list(OUTLINE),
            get_width=0.5,
            width_units="pixels",
        ),
    ]


def build_deck(
    figures: pd.DataFrame,
    measure: Measure,
    features: tuple[dict, ...] | None = None,
    *,
    second: Measure | None = None,
    network_base_map: bool = False,
    focus: Box | None = None,
) -> tuple[pdk.Deck, list[LegendEntry]]:
    """The map on deck.gl (WebGL), for the online base map: countries, optional columns. No
    base map unless asked for, so no request leaves the machine. ``focus``: the box to show,
    fitted to a phone's width (a laptop shows more around it)."""
    features = features or world_features()
    records, legend = country_records(figures, measure, features)
    # No hover highlight: deck.gl's would paint a colour that is not in the legend, and keep it
    # on the last country when the pointer leaves the map. The tooltip names the country.
    # No badges for the EU and NATO (they covered the UK and France): they are listed beside
    # the map with the participants beyond its first view (beyond_the_frame).
    layers = _country_layers("countries", records, features)
    pitch = 0
    if second is not None:
        layers.append(
            pdk.Layer(
                "ColumnLayer",
                id="columns",
                data=column_records(figures, second),
                get_position="position",
                get_elevation="height",
                elevation_scale=600_000,
                radius=45_000,
                get_fill_color=[40, 40, 40, 220],  # not a colour of the scale
                pickable=True,
                extruded=True,
            )
        )
        pitch = 40
    latitude, longitude, zoom = (
        box_view(focus, PHONE_MAP_WIDTH, MAP_HEIGHT)
        if focus
        else fitted_view(figures["centroid_lat"].to_numpy(), figures["centroid_lon"].to_numpy())
    )
    # map_provider=None alone draws no base map and asks no server for anything; passing
    # map_style=None as well would let Streamlit pick a (remote) themed style.
    base_map = {"map_provider": "carto", "map_style": "light"} if network_base_map else {}
    deck = CompactDeck(
        layers=layers,
        initial_view_state=pdk.ViewState(
            latitude=latitude, longitude=longitude, zoom=zoom, pitch=pitch
        ),
        tooltip={"text": "{tooltip}"},
        **({"map_provider": None} | base_map),
    )
    return deck, legend
