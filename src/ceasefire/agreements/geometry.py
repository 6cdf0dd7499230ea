"""Zone geometry: RFC 7946 GeoJSON checks and metric construction of buffers.

Shapely works in the units of its coordinates, so a "5 km wide corridor" cannot be buffered in
degrees. ``LocalProjection`` is a spherical azimuthal equidistant projection centred on the
area of interest: distances from the centre are exact on the sphere and, within a few tens of
kilometres of it, every distance is within about 0.5 % of the ellipsoidal one, which is far
below the precision of the zones it is used for.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy
import shapely
from shapely import validation
from shapely.geometry import LineString, Point, mapping, shape
from shapely.geometry.base import BaseGeometry

from ceasefire.errors import worded_text
from ceasefire.i18n.markers import N_

EARTH_RADIUS_M = 6_371_008.8
"""Mean Earth radius (IUGG), metres."""

GEOMETRY_TYPES = frozenset(
    {"Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon"}
)
"""Geometry types a zone may have (GeometryCollection is not accepted: use Multi*)."""

MAX_POSITIONS = 100_000
"""Most positions one zone's geometry may have. A district's boundary at 1 m has a few
thousand; every incident is tested against every zone, and Shapely's validity check is
O(n log n), so a zone of millions of positions would slow every evaluation."""

MAX_TOTAL_POSITIONS = 250_000
"""Most positions all of one agreement's zones may have together: every incident is tested
against every zone, so many zones just under :data:`MAX_POSITIONS` cost as much as one over."""

MAX_SHOWN = 80
"""Most characters of a refused value quoted in a problem."""

MAX_LISTED = 20
"""Most position problems listed for one geometry (then how many more)."""


def geojson_problems(geometry: Any) -> list[str]:
    """Everything that keeps ``geometry`` from being a valid RFC 7946 geometry.

    Checks the type, the nesting and number of positions, longitude/latitude ranges, closed
    rings, and finally Shapely's validity (self-intersections and the like).
    """
    if not isinstance(geometry, Mapping):
        return [worded_text(N_("geometry must be a GeoJSON object"))]
    kind = geometry.get("type")
    if kind not in GEOMETRY_TYPES:
        return [
            worded_text(
                N_("geometry type %(kind)s is not one of %(types)s"),
                kind=repr(kind),
                types=", ".join(sorted(GEOMETRY_TYPES)),
            )
        ]
    if "coordinates" not in geometry:
        return [worded_text(N_("%(kind)s has no coordinates"), kind=kind)]
    counted = position_count(geometry)
    if counted > MAX_POSITIONS:
        return [
            worded_text(
                N_("%(kind)s has more than %(limit)s positions; simplify it"),
                kind=kind,
                limit=MAX_POSITIONS,
            )
        ]
    problems: list[str] = []
    _check_positions(geometry["coordinates"], _DEPTH[kind], "coordinates", problems)
    if len(problems) > MAX_LISTED:
        more = worded_text(N_("and %(count)s more"), count=len(problems) - MAX_LISTED)
        return [*problems[:MAX_LISTED], more]
    if problems:
        return problems
    coordinates = geometry["coordinates"]
    if kind == "LineString":
        _check_line(coordinates, "coordinates", problems)
    elif kind == "MultiLineString":
        for index, line in enumerate(coordinates):
            _check_line(line, f"coordinates[{index}]", problems)
    elif kind == "Polygon":
        _check_polygon(coordinates, "coordinates", problems)
    elif kind == "MultiPolygon":
        for index, polygon in enumerate(coordinates):
            _check_polygon(polygon, f"coordinates[{index}]", problems)
    if problems:
        return problems
    shaped = shape(geometry)
    if not shaped.is_valid:
        problems.append(
            worded_text(
                N_("invalid %(kind)s: %(reason)s"),
                kind=kind,
                reason=validation.explain_validity(shaped),
            )
        )
    return problems


_DEPTH = {"Point": 0, "MultiPoint": 1, "LineString": 1, "MultiLineString": 2}
_DEPTH |= {"Polygon": 2, "MultiPolygon": 3}


def position_count(geometry: Any) -> int:
    """How many positions a geometry of a known type holds (0 for anything else), counted
    without looking at the positions and stopping once past :data:`MAX_POSITIONS`."""
    if not isinstance(geometry, Mapping) or geometry.get("type") not in _DEPTH:
        return 0
    return _count_positions(geometry.get("coordinates"), _DEPTH[geometry["type"]])


def _count_positions(value: Any, depth: int) -> int:
    """How many positions ``value`` holds at ``depth`` (what is not a list counts as one),
    stopping once past :data:`MAX_POSITIONS`."""
    if depth == 0 or not isinstance(value, list):
        return 1
    if depth == 1:
        return len(value)
    total = 0
    for item in value:
        total += _count_positions(item, depth - 1)
        if total > MAX_POSITIONS:
            break
    return total


def _check_positions(value: Any, depth: int, where: str, problems: list[str]) -> None:
    if depth == 0:
        if (
            not isinstance(value, list)
            or len(value) not in (2, 3)
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
        ):
            shown = repr(value)
            if len(shown) > MAX_SHOWN:
                shown = f"{shown[:MAX_SHOWN]}…"
            problems.append(
                worded_text(
                    N_("%(where)s: a position is [longitude, latitude], got %(value)s"),
                    where=where,
                    value=shown,
                )
            )
            return
        lon, lat = value[0], value[1]
        if not -180 <= lon <= 180:
            problems.append(
                worded_text(
                    N_("%(where)s: longitude %(lon)s outside -180..180"), where=where, lon=lon
                )
            )
        if not -90 <= lat <= 90:
            problems.append(
                worded_text(N_("%(where)s: latitude %(lat)s outside -90..90"), where=where, lat=lat)
            )
        return
    if not isinstance(value, list) or not value:
        problems.append(worded_text(N_("%(where)s: expected a non-empty array"), where=where))
        return
    for index, item in enumerate(value):
        _check_positions(item, depth - 1, f"{where}[{index}]", problems)


def _check_line(line: list[Any], where: str, problems: list[str]) -> None:
    if len(line) < 2:
        problems.append(
            worded_text(N_("%(where)s: a line needs at least 2 positions"), where=where)
        )


def _check_polygon(rings: list[Any], where: str, problems: list[str]) -> None:
    for index, ring in enumerate(rings):
        if len(ring) < 4:
            problems.append(
                worded_text(
                    N_("%(where)s: a ring needs at least 4 positions"), where=f"{where}[{index}]"
                )
            )
        elif ring[0] != ring[-1]:
            problems.append(
                worded_text(
                    N_("%(where)s: ring is not closed (first position != last)"),
                    where=f"{where}[{index}]",
                )
            )


@dataclass(frozen=True, slots=True)
class LocalProjection:
    """Spherical azimuthal equidistant projection around (``lon0``, ``lat0``), metres."""

    lon0: float
    lat0: float

    @classmethod
    def around(cls, points: Iterable[tuple[float, float]]) -> LocalProjection:
        """A projection centred on the mean of ``points`` (lon, lat)."""
        listed = list(points)
        return cls(
            lon0=sum(p[0] for p in listed) / len(listed),
            lat0=sum(p[1] for p in listed) / len(listed),
        )

    def forward(self, lon: float, lat: float) -> tuple[float, float]:
        phi0, lam0 = math.radians(self.lat0), math.radians(self.lon0)
        phi, lam = math.radians(lat), math.radians(lon)
        cos_c = math.sin(phi0) * math.sin(phi) + math.cos(phi0) * math.cos(phi) * math.cos(
            lam - lam0
        )
        c = math.acos(max(-1.0, min(1.0, cos_c)))
        k = 1.0 if c == 0 else c / math.sin(c)
        x = EARTH_RADIUS_M * k * math.cos(phi) * math.sin(lam - lam0)
        y = (
            EARTH_RADIUS_M
            * k
            * (
                math.cos(phi0) * math.sin(phi)
                - math.sin(phi0) * math.cos(phi) * math.cos(lam - lam0)
            )
        )
        return x, y

    def inverse(self, x: float, y: float) -> tuple[float, float]:
        phi0, lam0 = math.radians(self.lat0), math.radians(self.lon0)
        rho = math.hypot(x, y)
        if rho == 0:
            return self.lon0, self.lat0
        c = rho / EARTH_RADIUS_M
        phi = math.asin(math.cos(c) * math.sin(phi0) + y * math.sin(c) * math.cos(phi0) / rho)
        lam = lam0 + math.atan2(
            x * math.sin(c),
            rho * math.cos(phi0) * math.cos(c) - y * math.sin(phi0) * math.sin(c),
        )
        return math.degrees(lam), math.degrees(phi)

    def to_metres(self, geometry: BaseGeometry) -> BaseGeometry:
        """``geometry`` (lon, lat) in this projection's metres."""
        return _apply(geometry, self.forward)

    def to_degrees(self, geometry: BaseGeometry) -> BaseGeometry:
        """``geometry`` in this projection's metres back to (lon, lat)."""
        return _apply(geometry, self.inverse)


def _apply(geometry: BaseGeometry, func: Callable[[float, float], tuple[float, float]]) -> Any:
    def each(points: Any) -> Any:
        return numpy.array([func(float(x), float(y)) for x, y in points]).reshape(-1, 2)

    return shapely.transform(geometry, each)


def round_geometry(geometry: BaseGeometry, digits: int = 5) -> dict[str, Any]:
    """GeoJSON of ``geometry`` with coordinates rounded (5 digits ≈ 1 m), rings closed."""

    def rounded(value: Any) -> Any:
        if isinstance(value, int | float):
            return round(float(value), digits)
        return [rounded(v) for v in value]

    data = dict(mapping(geometry))
    return {"type": data["type"], "coordinates": rounded(data["coordinates"])}


def buffer_line(
    line: Sequence[tuple[float, float]], half_width_m: float, *, segments: int = 8
) -> BaseGeometry:
    """The area within ``half_width_m`` of the line through ``line`` (lon, lat) points."""
    projection = LocalProjection.around(line)
    metric = projection.to_metres(LineString(line))
    return projection.to_degrees(metric.buffer(half_width_m, quad_segs=segments))


def disc(centre: tuple[float, float], radius_m: float, *, segments: int = 8) -> BaseGeometry:
    """An approximate circle of ``radius_m`` around ``centre`` (lon, lat)."""
    projection = LocalProjection(*centre)
    return projection.to_degrees(Point(0.0, 0.0).buffer(radius_m, quad_segs=segments))
