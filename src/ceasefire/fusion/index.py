"""An index over time and space: which open incidents could a new report belong to?

Without it every report would be compared with every open incident (quadratic). Each
report of an incident is filed under

- its **time buckets**: the buckets its window, widened by its own time slack, touches.
  Buckets come in three sizes so that a month-long window does not fill hundreds of hourly
  buckets: 1 hour for windows up to 12 hours, 1 day up to 10 days, 1 week beyond;
- its **place**: a grid cell of 0.1° × 0.1° (about 11 × 8.5 km here) for reports with a
  usable point (precision 1-2), or its district / region for coarse reports (3-4).

A query widens the new report's window by its own slack and its point by its radius plus the
largest radius another report can have, so every pair the gates of ``compare`` could accept
is found (two windows can be one event when their gap is at most the sum of the slacks; two
points when their distance is at most the sum of the radii). The cost of a query depends on
the density of reports in its neighbourhood, not on how many reports there are: matching is
near-linear in the stream (bench/fusion.py).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterator

from ceasefire.fusion.model import EARTH_RADIUS_M, MAX_POINT_RADIUS_M, FusionReport

CELL_DEG = 0.1
"""Grid cell size in degrees of latitude and longitude."""

TIERS: tuple[tuple[float, float], ...] = (
    (12 * 3_600.0, 3_600.0),
    (10 * 86_400.0, 86_400.0),
    (math.inf, 7 * 86_400.0),
)
"""(longest widened window, bucket size) in seconds, per tier."""

_METRES_PER_DEG = math.pi * EARTH_RADIUS_M / 180.0

AreaKey = tuple[str, str]
Cell = tuple[int, int]


def _tier(length: float) -> int:
    for index, (longest, _) in enumerate(TIERS):
        if length <= longest:
            return index
    return len(TIERS) - 1  # pragma: no cover - the last tier has no bound


def cell_of(lat: float, lon: float) -> Cell:
    """The grid cell of a point."""
    return math.floor(lat / CELL_DEG), math.floor(lon / CELL_DEG)


def _area_keys(report: FusionReport) -> list[AreaKey]:
    """The area keys a report is filed under (see ``_query_area_keys``)."""
    keys: list[AreaKey] = []
    precision = report.where_precision
    if precision <= 2:
        if report.district:
            keys.append(("d*", report.district))
        if report.region:
            keys.append(("r*", report.region))
    elif precision == 3:
        if report.district:
            keys.append(("d3", report.district))
        if report.region:
            keys.append(("r3", report.region))
    elif precision == 4 and report.region:
        keys.append(("r4", report.region))
    return keys


def _query_area_keys(report: FusionReport) -> list[AreaKey]:
    """The area keys a report looks in: a precise report meets coarse ones by their area,
    a district report meets anything in its district and region-level reports, a region
    report meets anything in its region. Precise reports meet each other on the grid."""
    keys: list[AreaKey] = []
    precision, district, region = report.where_precision, report.district, report.region
    if precision <= 2:
        if district:
            keys.append(("d3", district))
        if region:
            keys.append(("r4", region))
    elif precision == 3:
        if district:
            keys += [("d*", district), ("d3", district)]
        if region:
            keys.append(("r4", region))
    elif precision == 4 and region:
        keys += [("r*", region), ("r3", region), ("r4", region)]
    return keys


class SpaceTimeIndex:
    """Incident numbers filed by time bucket and grid cell or administrative area."""

    def __init__(self) -> None:
        self._grid: dict[tuple[int, int], dict[Cell, list[int]]] = {}
        self._areas: dict[tuple[int, int], dict[AreaKey, list[int]]] = {}

    def __len__(self) -> int:
        """How many time buckets hold something (for tests of ``forget_before``)."""
        return len(self._grid.keys() | self._areas.keys())

    def add(self, report: FusionReport, incident: int) -> None:
        """File ``report`` as a member of incident number ``incident``."""
        low, high = report.start - report.slack, report.end + report.slack
        tier = _tier(high - low)
        size = TIERS[tier][1]
        cell = cell_of(report.lat, report.lon) if report.has_point else None  # type: ignore[arg-type]
        areas = _area_keys(report)
        for bucket in range(math.floor(low / size), math.floor(high / size) + 1):
            key = (tier, bucket)
            if cell is not None:
                cells = self._grid.get(key)
                if cells is None:
                    cells = self._grid[key] = defaultdict(list)
                cells[cell].append(incident)
            if areas:
                by_area = self._areas.get(key)
                if by_area is None:
                    by_area = self._areas[key] = defaultdict(list)
                for area in areas:
                    by_area[area].append(incident)

    def candidates(self, report: FusionReport) -> set[int]:
        """Numbers of the incidents with a member the gates might pair with ``report``."""
        found: set[int] = set()
        low, high = report.start - report.slack, report.end + report.slack
        box = self._box(report)
        areas = _query_area_keys(report)
        for key in self._buckets(low, high):
            if box is not None:
                inner = self._grid.get(key)
                if inner:
                    self._collect_cells(inner, box, found)
            if areas:
                by_area = self._areas.get(key)
                if by_area:
                    for area in areas:
                        members = by_area.get(area)
                        if members:
                            found.update(members)
        return found

    def forget_before(self, instant: float) -> None:
        """Drop every bucket that ends before ``instant`` (POSIX seconds).

        A stream processed in about the order of time calls this now and then with the
        earliest instant a new report could still reach back to.
        """
        for index in (self._grid, self._areas):
            stale = [key for key in index if (key[1] + 1) * TIERS[key[0]][1] < instant]
            for key in stale:
                del index[key]

    @staticmethod
    def _buckets(low: float, high: float) -> Iterator[tuple[int, int]]:
        for tier, (_, size) in enumerate(TIERS):
            for bucket in range(math.floor(low / size), math.floor(high / size) + 1):
                yield tier, bucket

    @staticmethod
    def _box(report: FusionReport) -> tuple[int, int, int, int] | None:
        if not report.has_point:
            return None
        assert report.lat is not None
        assert report.lon is not None
        reach = report.radius + MAX_POINT_RADIUS_M
        dlat = reach / _METRES_PER_DEG
        # Longitude degrees shrink with latitude; take the wider end of the box.
        widest = min(89.0, abs(report.lat) + dlat)
        dlon = dlat / math.cos(math.radians(widest))
        return (
            math.floor((report.lat - dlat) / CELL_DEG),
            math.floor((report.lat + dlat) / CELL_DEG),
            math.floor((report.lon - dlon) / CELL_DEG),
            math.floor((report.lon + dlon) / CELL_DEG),
        )

    @staticmethod
    def _collect_cells(
        inner: dict[Cell, list[int]], box: tuple[int, int, int, int], found: set[int]
    ) -> None:
        row0, row1, col0, col1 = box
        cells = (row1 - row0 + 1) * (col1 - col0 + 1)
        if len(inner) < cells:
            # Fewer occupied cells in this bucket than cells in the box: scan them.
            for (row, col), members in inner.items():
                if row0 <= row <= row1 and col0 <= col <= col1:
                    found.update(members)
            return
        for row in range(row0, row1 + 1):
            for col in range(col0, col1 + 1):
                listed = inner.get((row, col))
                if listed:
                    found.update(listed)
