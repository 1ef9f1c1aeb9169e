"""Map: who contributes what, and where. Works with no network: geometry ships in data/."""

import pandas as pd
import streamlit as st

from coalition.figures import geometry, maps, measures
from coalition.figures.geo import choropleth
from coalition.figures.view import build_view
from coalition.read import queries
from ui.resources import read, shared
from ui.run_context import this_run
from ui.shell import page
from ui.widgets.as_of import as_of_banner
from ui.widgets.legend import map_legend
from ui.widgets.sections import opened
from ui.widgets.tables import table

filters = this_run().filters
st.title("Map of pledges")
as_of_banner(filters)

# The page's own choices live in the address (bound by key) with the sidebar's filters, so a
# shared link or a reload shows the same map; the measures follow the category filter.
choices = measures.measures_for(filters)
left, middle, right = st.columns([2, 2, 1])
measure_key = left.selectbox(
    "Colour countries by",
    choices,
    format_func=lambda key: measures.MEASURES[key].label,
    key="map_measure",
    bind="query-params",
)
second_key = middle.selectbox(
    "Second measure by size",
    [None, *choices],
    format_func=lambda key: "None" if key is None else measures.MEASURES[key].label,
    key="map_second_measure",
    bind="query-params",
)
network_base_map = right.toggle(
    "Online base map",
    value=False,
    key="map_online_base",
    bind="query-params",
    help="Off by default: the map needs no internet. On, it loads map tiles from the web "
    "and is drawn with WebGL, which is slow in a browser without a graphics card.",
)

figures = read(build_view, filters).by_participant
measure = measures.MEASURES[measure_key]
second = measures.MEASURES[second_key] if second_key else None
view = maps.opening_view(read(queries.participants_frame))

map_column, legend_column = st.columns([4, 1])
with map_column:
    # SVG by default (coalition/figures/geo); deck.gl, which draws with WebGL, only with tiles.
    if network_base_map:
        deck, legend = shared(
            maps.build_deck, figures, measure, second=second, network_base_map=True, focus=view
        )
        event = st.pydeck_chart(
            deck,
            height=geometry.MAP_HEIGHT,
            on_select="rerun",
            selection_mode="single-object",
            key="map_deck",
        )
        selected = [
            obj.get("code")
            for layer in ("countries", "columns")
            for obj in event.selection.get("objects", {}).get(layer, [])
            if obj.get("code")
        ]
    else:
        figure, legend = shared(choropleth.map_figure, figures, measure, view, second=second)
        chosen = st.plotly_chart(
            figure,
            theme=None,
            config=choropleth.CONFIG,
            on_select="rerun",
            selection_mode="points",
            key="map_chart",
            alt=f"Map of {measure.label} by country; the same figures are in the table "
            "'Figures behind the map' below.",
        )
        selected = [point.get("customdata") for point in chosen.selection.get("points", [])]
        selected = [code for code in selected if code]
with legend_column:
    map_legend(measure.label, legend)
    if second is not None:
        shape = "Columns" if network_base_map else "Circles"
        size = "height" if network_base_map else "area"
        st.caption(f"{shape}: {second.label}, {size} relative to the largest value.")
    if measure_key == "funding_pct_gdp":
        st.caption("GDP in current US$ (World Bank, with its year); EUR converted at the ECB rate.")
    if beyond := shared(maps.beyond_the_frame, figures, measure, view):
        st.markdown(
            f"**Beyond this view** ({measure.label})\n\n"
            + "\n".join(f"- **{name}**: {offers}" for name, offers in beyond)
        )

if selected:
    st.switch_page(page("participant"), query_params={"code": selected[0]})

names = dict(zip(figures.index, figures["name"], strict=True))
choice = st.selectbox(
    "Open a participant's page",
    [None, *sorted(names, key=lambda code: names[code])],
    format_func=lambda code: "Choose a participant…" if code is None else names[code],
    key="map_open_participant",
    help="Or click a country on the map.",
)
if choice:
    st.switch_page(page("participant"), query_params={"code": choice})

if section := opened("Figures behind the map", key="map_figures_section"):
    with section:
        table(
            measures.figures_for_display(figures, measure),
            file_name=f"map-{measure_key}.csv",
            key="map_figures",
        )
        if pd.isna(figures[measure_key]).all():
            st.caption("No published sizes for this measure under the current filters.")
