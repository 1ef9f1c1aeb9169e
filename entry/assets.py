"""The files the maps ask the app for (coalition.figures.geo): plotly's topojson, empty, and the
shipped outlines. Served by the app, so a map works offline and asks no other host."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from coalition.figures.geo import (
    OUTLINES_PATH,
    TOPOJSON_FILE,
    TOPOJSON_URL,
    TOPOLOGY_STUB,
    outlines_file,
)

# The outlines' address carries their digest (geo.outlines_url): a browser may keep them.
KEPT = {"Cache-Control": "public, max-age=31536000, immutable"}


async def topojson_stub(_request: Request) -> Response:
    """The topojson plotly.js asks for before it draws a map: empty, as the maps draw only the
    app's own outlines."""
    return JSONResponse(TOPOLOGY_STUB, headers={"Cache-Control": "public, max-age=86400"})


async def outlines(_request: Request) -> Response:
    return Response(outlines_file(), media_type="application/geo+json", headers=KEPT)


ROUTES = [
    Route(TOPOJSON_URL + TOPOJSON_FILE, topojson_stub),
    Route(OUTLINES_PATH, outlines),
]
