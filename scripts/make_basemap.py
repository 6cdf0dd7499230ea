#!/usr/bin/env python3
"""Makes the map's offline base layer: the region's country boundaries, as small GeoJSON.

Source: the npm package world-atlas 2.0.2 (ISC, Mike Bostock), TopoJSON of Natural Earth's
1:10m Admin 0 countries (public domain). Run from the repository root:

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    .venv/bin/python scripts/make_basemap.py package/countries-10m.json

It decodes the TopoJSON, clips each country to the region below, simplifies the lines to
about 200 m (enough for a map at regional zoom) and writes
src/ceasefire/web/static/basemap/caucasus.geojson, whose properties say where it came from.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from shapely.geometry import box, mapping, shape

REGION = (43.0, 37.5, 51.0, 42.5)  # min_lon, min_lat, max_lon, max_lat: the South Caucasus
TOLERANCE_DEG = 0.002
OUT = Path("src/ceasefire/web/static/basemap/caucasus.geojson")
SOURCE = (
    "Natural Earth 1:10m Admin 0 countries (public domain), from the npm package "
    "world-atlas 2.0.2 (countries-10m.json, ISC); clipped and simplified by "
    "scripts/make_basemap.py"
)


def decode_arcs(topology: dict[str, Any]) -> list[list[tuple[float, float]]]:
    """The topology's arcs as absolute lon/lat (quantized, delta-encoded in the file)."""
    scale = topology["transform"]["scale"]
    translate = topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * scale[0] + translate[0], y * scale[1] + translate[1]))
        arcs.append(points)
    return arcs


def ring(arcs: list[list[tuple[float, float]]], indexes: list[int]) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        points.extend(arc[1:] if points else arc)
    return points


def geometry(arcs: list[list[tuple[float, float]]], geom: dict[str, Any]) -> dict[str, Any]:
    # Quantization leaves a few tiny islands with fewer than 4 points: not rings, dropped.
    polygons = [geom["arcs"]] if geom["type"] == "Polygon" else geom["arcs"]
    coordinates = []
    for polygon in polygons:
        rings = [ring(arcs, r) for r in polygon]
        if len(rings[0]) >= 4:
            coordinates.append([r for r in rings if len(r) >= 4])
    return {"type": "MultiPolygon", "coordinates": coordinates}


def main(path: str) -> None:
    topology = json.loads(Path(path).read_text())
    arcs = decode_arcs(topology)
    region = box(*REGION)
    features = []
    for geom in topology["objects"]["countries"]["geometries"]:
        if geom.get("type") is None:
            continue
        country = shape(geometry(arcs, geom)).buffer(0)
        if not country.intersects(region):
            continue
        clipped = country.intersection(region).simplify(TOLERANCE_DEG, preserve_topology=True)
        if clipped.is_empty:
            continue
        features.append(
            {
                "type": "Feature",
                "id": geom.get("id"),
                "properties": {"name": geom["properties"]["name"], "layer": "country"},
                "geometry": mapping(clipped),
            }
        )
    features.sort(key=lambda f: f["properties"]["name"])
    collection = {
        "type": "FeatureCollection",
        "properties": {"source": SOURCE, "licence": "public domain (Natural Earth)"},
        "bbox": list(REGION),
        "features": features,
    }
    text = json.dumps(collection, separators=(",", ":"))
    # Five decimals (about 1 m) are more than the source's precision.
    OUT.write_text(
        json.dumps(
            json.loads(text, parse_float=lambda v: round(float(v), 5)), separators=(",", ":")
        )
        + "\n"
    )
    print(f"{OUT}: {len(features)} countries, {OUT.stat().st_size} bytes")


if __name__ == "__main__":
    main(sys.argv[1])
