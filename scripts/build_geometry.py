"""Extract the country outlines the maps need into data/world_110m.geojson.

Source: Natural Earth 1:110m admin-0 countries (public domain), as shipped inside the
geopandas 0.14.4 wheel ("naturalearth_lowres"), taken from the package registry so the app
never fetches geometry at run time. Needs `pyshp` (pip install pyshp).

    python scripts/build_geometry.py            # downloads the wheel with pip
    python scripts/build_geometry.py WHEEL.whl  # or reads a wheel already on disk

Coordinates are rounded to 0.01° (about 1 km), which keeps the file small and is far finer
than the 1:110m source.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import shapefile  # pyshp

OUT = Path(__file__).resolve().parent.parent / "data" / "world_110m.geojson"
MEMBER = "geopandas/datasets/naturalearth_lowres/naturalearth_lowres"
# Natural Earth leaves these codes as -99 in this edition.
CODE_BY_NAME = {
    "France": "FRA",
    "Norway": "NOR",
    "Kosovo": "XKX",
    "N. Cyprus": "CYN",
    "Somaliland": "SOL",
}
DECIMALS = 2


def wheel_path(argv: list[str]) -> Path:
    if len(argv) > 1:
        return Path(argv[1])
    folder = Path(tempfile.mkdtemp())
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--quiet",
            "-d",
            str(folder),
            "geopandas==0.14.4",
        ],
        check=True,
    )
    return next(folder.glob("geopandas-0.14.4-*.whl"))


def rounded_ring(points: list[list[float]]) -> list[list[float]]:
    ring: list[list[float]] = []
    for x, y in points:
        point = [round(x, DECIMALS), round(y, DECIMALS)]
        if not ring or ring[-1] != point:
            ring.append(point)
    return ring


def main(argv: list[str]) -> None:
    with zipfile.ZipFile(wheel_path(argv)) as wheel:
        files = {ext: io.BytesIO(wheel.read(f"{MEMBER}.{ext}")) for ext in ("shp", "shx", "dbf")}
    reader = shapefile.Reader(**files, encoding="latin-1")  # the .cpg says ISO-8859-1
    features = []
    for record in reader.iterShapeRecords():
        properties = record.record.as_dict()
        code = properties["iso_a3"]
        if code == "-99":
            code = CODE_BY_NAME.get(properties["name"], "")
        geometry = record.shape.__geo_interface__
        if geometry["type"] == "Polygon":
            polygons = [geometry["coordinates"]]
        else:
            polygons = geometry["coordinates"]
        cleaned = [[rounded_ring(ring) for ring in polygon] for polygon in polygons]
        cleaned = [p for p in cleaned if len(p[0]) >= 4]
        features.append(
            {
                "type": "Feature",
                "properties": {"iso_a3": code, "name": properties["name"]},
                "geometry": {"type": "MultiPolygon", "coordinates": cleaned},
            }
        )
    collection = {
        "type": "FeatureCollection",
        "source": "Natural Earth 1:110m admin-0 countries (public domain), via geopandas 0.14.4",
        "features": features,
    }
    OUT.write_text(json.dumps(collection, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {len(features)} countries, {OUT.stat().st_size:,} bytes to {OUT}")


if __name__ == "__main__":
    main(sys.argv)
