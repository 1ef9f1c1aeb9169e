"""The shipped country outlines (data/, built by scripts/build_geometry.py), the Web Mercator
view that fits given points on a map of a given size, and the box of longitudes and latitudes
such a view shows (the plotly map is given its first view as that box, see figures.geo)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import numpy as np

from core.settings import DATA_DIR

GEOMETRY_FILE = "world_110m.geojson"
# The map is drawn this high; a view is fitted for this width unless told otherwise (the map's
# column on a laptop screen).
MAP_HEIGHT = 560
FIT_WIDTH = 640
# A phone's width (390 px) less the page's margins.
PHONE_MAP_WIDTH = 358
FIT_PADDING = 40
WORLD_VIEW = (20.0, 20.0, 0.3)
# plotly.js widens a box's edges by this much before fitting it (its geo "clipPad").
_CLIP_PAD = 1e-3

# (west, east, south, north) in degrees.
Box = tuple[float, float, float, float]


@cache
def _world(path: Path) -> tuple[dict, ...]:
    return tuple(json.loads(path.read_text(encoding="utf-8"))["features"])


def world_features(data_dir: Path = DATA_DIR) -> tuple[dict, ...]:
    return _world(data_dir / GEOMETRY_FILE)


def _mercator(lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Web Mercator on a unit square: x from 0 (180°W) to 1, y from 0 (north) to 1."""
    phi = np.radians(np.clip(lat, -85.0, 85.0))
    return (lon + 180.0) / 360.0, (1 - np.log(np.tan(np.pi / 4 + phi / 2)) / np.pi) / 2


def fitted_view(
    lat: np.ndarray,
    lon: np.ndarray,
    *,
    width: float = FIT_WIDTH,
    height: float = MAP_HEIGHT,
    padding: float = FIT_PADDING,
) -> tuple[float, float, float]:
    """(latitude, longitude, zoom) that shows every given point inside a map of this size."""
    if len(lat) == 0:
        return WORLD_VIEW
    x, y = _mercator(np.asarray(lat, dtype=float), np.asarray(lon, dtype=float))
    span_x, span_y = max(np.ptp(x), 1e-3), max(np.ptp(y), 1e-3)
    # deck.gl draws the whole world 512 * 2**zoom pixels wide.
    zoom = float(
        np.log2(min((width - 2 * padding) / span_x, (height - 2 * padding) / span_y) / 512)
    )
    centre_x, centre_y = (x.min() + x.max()) / 2, (y.min() + y.max()) / 2
    latitude = float(np.degrees(np.arctan(np.sinh(np.pi * (1 - 2 * centre_y)))))
    return latitude, float(centre_x * 360 - 180), round(zoom, 2)


def view_box(view: tuple[float, float, float], width: float, height: float) -> Box:
    """The longitudes and latitudes a Web Mercator ``view`` shows on a map of this size."""
    latitude, longitude, zoom = view
    scale = 512 * 2**zoom
    cx, cy = _mercator(np.array([latitude]), np.array([longitude]))
    x = np.array([cx[0] - width / 2 / scale, cx[0] + width / 2 / scale])
    y = np.array([cy[0] + height / 2 / scale, cy[0] - height / 2 / scale])
    lon = x * 360 - 180
    lat = np.degrees(np.arctan(np.sinh(np.pi * (1 - 2 * y))))
    return (
        round(float(lon[0]), 3),
        round(float(lon[1]), 3),
        round(float(lat[0]), 3),
        round(float(lat[1]), 3),
    )


def fitted_box(
    lat: np.ndarray,
    lon: np.ndarray,
    *,
    width: float = FIT_WIDTH,
    height: float = MAP_HEIGHT,
    padding: float = FIT_PADDING,
) -> Box:
    """The box of a map of this size that shows every given point, ``padding`` pixels in."""
    return view_box(
        fitted_view(lat, lon, width=width, height=height, padding=padding), width, height
    )


def box_view(box: Box, width: float, height: float) -> tuple[float, float, float]:
    """The Web Mercator view (latitude, longitude, zoom) that shows the whole box on a map of
    this size (for deck.gl, which takes a view, not a box)."""
    west, east, south, north = box
    return fitted_view(
        np.array([south, north]), np.array([west, east]), width=width, height=height, padding=0
    )


def in_box(box: Box, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    west, east, south, north = box
    lat, lon = np.asarray(lat, dtype=float), np.asarray(lon, dtype=float)
    return (lon >= west) & (lon <= east) & (lat >= south) & (lat <= north)


def _poleward(latitude: float, half_step: float) -> float:
    """How far towards its pole a great-circle arc between two points on this parallel,
    ``2 * half_step`` radians of longitude apart, reaches (in degrees)."""
    bulge = np.degrees(np.arctan(np.tan(np.radians(abs(latitude))) / np.cos(half_step)))
    return float(np.copysign(bulge, latitude))


def _box_extent(box: Box) -> tuple[float, float, float, float]:
    """The box's extent on the unit Mercator square as plotly.js measures it: (left, top,
    right, bottom). Its edges along the parallels are four great-circle arcs each, which bulge
    towards the pole; plotly fits the map to that."""
    west, east, south, north = box
    west, east = west + _CLIP_PAD, east - _CLIP_PAD
    south, north = south + _CLIP_PAD, north - _CLIP_PAD
    half_step = np.radians((east - west) / 4 / 2)
    top = _poleward(north, half_step) if north > 0 else north
    bottom = _poleward(south, half_step) if south < 0 else south
    x, y = _mercator(np.array([top, bottom]), np.array([west, east]))
    return float(x[0]), float(y[0]), float(x[1]), float(y[1])


def box_centre(box: Box) -> tuple[float, float]:
    """(latitude, longitude) of the middle of the box's extent as plotly fits it: given as the
    map's centre, plotly draws exactly that extent (by default it centres on the middle
    latitude in degrees, which sits lower than the middle on the map)."""
    left, top, right, bottom = _box_extent(box)
    x, y = (left + right) / 2, (top + bottom) / 2
    latitude = float(np.degrees(np.arctan(np.sinh(np.pi * (1 - 2 * y)))))
    return latitude, x * 360 - 180


def box_frame(box: Box, width: float, height: float) -> tuple[float, float, float, float]:
    """Where on a map of this size plotly draws the box: (left, top, right, bottom) in pixels,
    the box scaled to fit and centred; outside it the map is blank."""
    left, top, right, bottom = _box_extent(box)
    scale = min(width / (right - left), height / (bottom - top))
    drawn_width, drawn_height = (right - left) * scale, (bottom - top) * scale
    x0, y0 = (width - drawn_width) / 2, (height - drawn_height) / 2
    return x0, y0, x0 + drawn_width, y0 + drawn_height


def on_screen(
    box: Box, lat: np.ndarray, lon: np.ndarray, width: float, height: float
) -> tuple[np.ndarray, np.ndarray]:
    """Pixel positions of points on a map of this size drawn with ``box`` as its view (for
    tests and checks of what is drawn); those outside ``box_frame`` are not drawn."""
    left, top, right, _ = _box_extent(box)
    x0, y0, x1, _ = box_frame(box, width, height)
    scale = (x1 - x0) / (right - left)
    x, y = _mercator(np.asarray(lat, dtype=float), np.asarray(lon, dtype=float))
    return (x - left) * scale + x0, (y - top) * scale + y0
