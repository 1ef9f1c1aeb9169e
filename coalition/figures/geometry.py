"""The shipped country outlines (data/, built by scripts/build_geometry.py) and the Web
Mercator view that fits given points on a map of a given size."""

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
# A phone's width (390 px) less the page's margins: the map opens on Europe fitted to it, so a
# phone shows all of Europe and a laptop more around it (maps.opening_view).
PHONE_MAP_WIDTH = 358
FIT_PADDING = 40
WORLD_VIEW = (20.0, 20.0, 0.3)


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


def on_screen(
    view: tuple[float, float, float], lat: np.ndarray, lon: np.ndarray, width: float, height: float
) -> tuple[np.ndarray, np.ndarray]:
    """Pixel positions of points on a map of this size showing ``view`` (for tests and
    checks of what is drawn)."""
    latitude, longitude, zoom = view
    scale = 512 * 2**zoom
    x, y = _mercator(np.asarray(lat, dtype=float), np.asarray(lon, dtype=float))
    cx, cy = _mercator(np.array([latitude]), np.array([longitude]))
    return (x - cx[0]) * scale + width / 2, (y - cy[0]) * scale + height / 2
