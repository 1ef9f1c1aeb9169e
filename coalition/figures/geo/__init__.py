"""The maps drawn as SVG by plotly (no WebGL): the Map page's and the Participant page's locator
(choropleth). Their colours, tooltips and first view come from figures.maps.

plotly.js fetches a topojson file for any map with a choropleth, from cdn.plot.ly unless its
``topojsonURL`` option says otherwise. It draws nothing from it here (no base map), so the app
serves an empty one at TOPOJSON_URL + TOPOJSON_FILE (entry/server.py): the map works offline
and no request leaves for another host. Kept here, without plotly, for the server to import.
"""

TOPOJSON_URL = "/assets/geo/"
# What plotly asks for on a world map: "<scope>_<resolution>m.json".
TOPOJSON_FILE = "world_110m.json"
TOPOLOGY_STUB = {"type": "Topology", "objects": {}, "arcs": []}
