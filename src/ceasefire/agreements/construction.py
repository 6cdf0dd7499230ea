"""How an approximate zone was drawn, so its polygon can be re-derived and checked.

A zone may carry a ``construction`` block next to its ``geometry``. The geometry in the file is
what counts; the construction says how it was computed, and the tests recompute it and compare.
Methods:

- ``buffer_line``: every point within ``half_width_m`` of the line through ``line``
  ([[lon, lat], ...]), buffered in a local metric projection.
- ``disc``: a circle of ``radius_m`` around ``centre`` [lon, lat], optionally minus the
  zones listed in ``minus`` (e.g. a district without the corridor through it).

``python -m ceasefire.agreements.construction FILE`` prints each constructed zone's geometry
as JSON, to paste into the file after changing a construction.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from typing import Any

from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from ceasefire.agreements.geometry import buffer_line, disc, round_geometry

DIGITS = 5
"""Coordinates are written with 5 decimals (about 1 m), far finer than any zone's precision."""


def construct(
    construction: Mapping[str, Any], others: Mapping[str, Mapping[str, Any]]
) -> BaseGeometry:
    """The geometry ``construction`` describes; ``others`` are the file's zones by id."""
    method = construction.get("method")
    if method == "buffer_line":
        line = [(float(lon), float(lat)) for lon, lat in construction["line"]]
        return buffer_line(line, float(construction["half_width_m"]))
    if method == "disc":
        lon, lat = construction["centre"]
        geometry = disc((float(lon), float(lat)), float(construction["radius_m"]))
        for zone_id in construction.get("minus", []):
            geometry = geometry.difference(shape(others[zone_id]["geometry"]))
        return geometry
    raise ValueError(f"unknown construction method {method!r}")


def constructed_geometries(document: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Zone id → GeoJSON geometry recomputed from its construction (zones that have one)."""
    zones = {z["id"]: z for z in document.get("zones", [])}
    return {
        zone_id: round_geometry(construct(zone["construction"], zones), DIGITS)
        for zone_id, zone in zones.items()
        if isinstance(zone.get("construction"), Mapping)
    }


def main(argv: list[str]) -> int:
    from ceasefire.agreements.yamlmap import load_located

    with open(argv[0], encoding="utf-8") as handle:
        document = load_located(handle.read()).data
    for zone_id, geometry in constructed_geometries(document).items():
        sys.stdout.write(f"{zone_id}: {json.dumps(geometry)}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
