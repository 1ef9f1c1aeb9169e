"""The maps drawn as SVG by plotly (no WebGL): the Map page's and the Participant page's locator
(choropleth). Their colours, tooltips and first view come from figures.maps.

plotly.js fetches a topojson file for any map with a choropleth, from cdn.plot.ly unless its
``topojsonURL`` option says otherwise. It draws nothing from it here (no base map), so the app
serves an empty one at TOPOJSON_URL + TOPOJSON_FILE (entry/server.py): the map works offline
and no request leaves for another host. The outlines themselves are a file of the app's too
(OUTLINES_URL): each map names it rather than carrying 0.5 MB of coordinates, which Streamlit
turned into JSON on every rerun and the browser parsed on every visit; the browser fetches it
once and keeps it. Kept here, without plotly, for the server to import.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache

from coalition.figures.geometry import world_features

TOPOJSON_URL = "/assets/geo/"
# What plotly asks for on a world map: "<scope>_<resolution>m.json".
TOPOJSON_FILE = "world_110m.json"
TOPOLOGY_STUB = {"type": "Topology", "objects": {}, "arcs": []}
OUTLINES_PATH = TOPOJSON_URL + "outlines.geojson"


@cache
def outlines_file() -> bytes:
    """The shipped outlines as plotly reads them: each feature's id is its ISO code."""
    collection = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "id": f["properties"]["iso_a3"], "geometry": f["geometry"]}
            for f in world_features()
        ],
    }
    return json.dumps(collection, separators=(",", ":")).encode()


@cache
def outlines_url() -> str:
    """OUTLINES_PATH with the file's digest: a new file has a new address, so a browser may
    keep each one for good."""
    return f"{OUTLINES_PATH}?v={hashlib.sha256(outlines_file()).hexdigest()[:12]}"
