"""Draw GeoJSON geometries as an SVG map, with no tiles and no JavaScript.

A local equirectangular projection (longitude scaled by the cosine of the central latitude)
is accurate enough for an area the size of a conflict zone and keeps the page offline.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

Position = Sequence[float]


@dataclass(frozen=True, slots=True)
class MapShape:
    """One drawable item: a path (polygon or line) or a point marker, with its label."""

    kind: str  # "area", "line" or "point"
    path: str
    x: float
    y: float
    label: str
    css_class: str
    title: str


@dataclass(frozen=True, slots=True)
class Projection:
    """Maps lon/lat into an SVG viewport of ``width`` × ``height`` pixels with a margin."""

    west: float
    south: float
    east: float
    north: float
    width: float
    height: float
    margin: float = 16.0

    @classmethod
    def fit(cls, positions: Iterable[Position], width: float = 720.0) -> Projection:
        points = list(positions)
        if not points:
            raise ValueError("nothing to draw")
        lons = [p[0] for p in points]
        lats = [p[1] for p in points]
        west, east = min(lons), max(lons)
        south, north = min(lats), max(lats)
        pad_lon = max((east - west) * 0.08, 0.02)
        pad_lat = max((north - south) * 0.08, 0.02)
        west, east, south, north = west - pad_lon, east + pad_lon, south - pad_lat, north + pad_lat
        kx = math.cos(math.radians((north + south) / 2))
        aspect = (north - south) / ((east - west) * kx)
        return cls(west, south, east, north, width, round(width * aspect, 1))

    def __call__(self, lon: float, lat: float) -> tuple[float, float]:
        inner_w = self.width - 2 * self.margin
        inner_h = self.height - 2 * self.margin
        x = self.margin + (lon - self.west) / (self.east - self.west) * inner_w
        y = self.margin + (self.north - lat) / (self.north - self.south) * inner_h
        return round(x, 1), round(y, 1)


def _rings(geometry: Mapping[str, Any]) -> list[tuple[str, list[list[Position]]]]:
    kind = geometry.get("type")
    coords = geometry.get("coordinates")
    if kind == "Polygon":
        return [("area", coords)]  # type: ignore[list-item]
    if kind == "MultiPolygon":
        return [("area", polygon) for polygon in coords]  # type: ignore[union-attr]
    if kind == "LineString":
        return [("line", [coords])]  # type: ignore[list-item]
    if kind == "MultiLineString":
        return [("line", list(coords))]  # type: ignore[arg-type]
    if kind == "Point":
        return [("point", [[coords]])]  # type: ignore[list-item]
    if kind == "MultiPoint":
        return [("point", [[p]]) for p in coords]  # type: ignore[union-attr]
    if kind == "GeometryCollection":
        return [r for g in geometry.get("geometries", []) for r in _rings(g)]
    return []


def positions(geometry: Mapping[str, Any]) -> list[Position]:
    """Every coordinate pair of a geometry."""
    return [p for _, rings in _rings(geometry) for ring in rings for p in ring]


def draw(
    projection: Projection, geometry: Mapping[str, Any], *, label: str, css_class: str, title: str
) -> list[MapShape]:
    """SVG shapes for one geometry; the label sits at the first shape's centre."""
    shapes = []
    for kind, rings in _rings(geometry):
        if kind == "point":
            x, y = projection(rings[0][0][0], rings[0][0][1])
            shapes.append(MapShape("point", "", x, y, label, css_class, title))
            continue
        parts = []
        xs: list[float] = []
        ys: list[float] = []
        for ring in rings:
            projected = [projection(p[0], p[1]) for p in ring]
            xs += [p[0] for p in projected]
            ys += [p[1] for p in projected]
            moves = " L".join(f"{x},{y}" for x, y in projected)
            parts.append(f"M{moves}{' Z' if kind == 'area' else ''}")
        cx = (min(xs) + max(xs)) / 2 if xs else 0.0
        cy = (min(ys) + max(ys)) / 2 if ys else 0.0
        shapes.append(MapShape(kind, " ".join(parts), cx, cy, label, css_class, title))
    return shapes
