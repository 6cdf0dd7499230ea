"""The map pages: ``/map`` (Leaflet), ``/map/data.json`` (its layers), ``/map/table`` (the
same data as tables, for screen readers and keyboards) and ``/map/towns.json``."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Annotated, Any, NamedTuple
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from ceasefire import i18n
from ceasefire.api.deps import ContextDep
from ceasefire.errors import InvalidInput, problem
from ceasefire.i18n.labels import NEWS_EVENT_LABELS
from ceasefire.i18n.markers import N_
from ceasefire.reports.model import Category
from ceasefire.web import forms
from ceasefire.web.mapdata import (
    ADMIN1_URL,
    BASEMAP_URL,
    CATEGORY_LABELS,
    CHANNEL_LABELS,
    INCIDENT_STATUSES,
    LEAFLET_URL,
    MARKERCLUSTER_URL,
    MAX_ZOOM,
    MIN_ZOOM,
    REGION,
    ZONE_STATUSES,
    TimeWindow,
    cached_map_data,
    parse_bbox,
    towns_json,
)
from ceasefire.web.pages import environment, language_of, render, static_url
from ceasefire.web.session import WebViewer

router = APIRouter(include_in_schema=False)

FIRST_DAY = date(2020, 11, 10)
"""The slider's first day: the 2020 statement took effect (00:00 Moscow time)."""

FOCUS = (45.2, 38.9, 47.9, 40.7)
"""The view the map opens on: the 2020 statement's zones (Karabakh, Lachin, Kalbajar, Aghdam)."""

FIRST_BOX = (41.0, 36.5, 52.0, 43.0)
FIRST_ZOOM = 8
"""The data the map page asks for before its scripts run (a ``<link rel="preload">``). It
cannot depend on the browser's window, which the server does not know, so it is chosen to
serve the usual one: fitted to :data:`FOCUS`, a 1280–2560 px wide window opens at zoom 8,
its view inside this box. The script draws it first whatever the window, then asks for its
own view's data when the view reaches outside that box, is farther out (a 390 px phone opens
at zoom 7: these cells would crowd) or more than one zoom level closer."""

WINDOWS: dict[int, str] = {
    0: N_("everything until then"),
    1: N_("that day"),
    7: N_("the 7 days before"),
    30: N_("the 30 days before"),
    365: N_("the year before"),
}


def _day(text: str | None, field: str) -> date:
    if not text:
        return datetime.now(UTC).date()
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise InvalidInput.worded(
            N_("%(field)s: not a date (YYYY-MM-DD): %(text)s"),
            details=[problem(field, N_("not a date (YYYY-MM-DD)"))],
            field=field,
            text=repr(text),
        ) from exc


def _window(until: str | None, days: int) -> TimeWindow:
    if days < 0 or days > 36600:
        raise InvalidInput.worded(
            N_("days: 0 (all) to 36600"), details=[problem("days", N_("0 to 36600"))]
        )
    return TimeWindow(until=_day(until, "until"), days=days)


def _category(text: str | None) -> Category | None:
    if not text:
        return None
    try:
        return Category(text)
    except ValueError as exc:
        raise InvalidInput.worded(
            N_("category: unknown category %(text)s"),
            details=[problem("category", N_("not one of the report categories"))],
            text=repr(text),
        ) from exc


def _tile_policy(tile_url: str | None) -> dict[str, str]:
    """The map page's policy: the configured tile server's images are allowed, nothing else."""
    if not tile_url:
        return {}
    parts = urlsplit(tile_url.replace("{s}", "a"))
    origin = f"{parts.scheme}://{parts.netloc}"
    if "{s}" in tile_url:
        origin = f"{parts.scheme}://*.{parts.netloc.split('.', 1)[-1]}"
    return {
        "Content-Security-Policy": (
            f"default-src 'self'; img-src 'self' data: {origin}; object-src 'none'; "
            "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
        )
    }


Until = Annotated[str | None, Query(description="Last day shown (YYYY-MM-DD); today if unset")]
Days = Annotated[int, Query(description="Days before `until` shown; 0 = all")]
Bbox = Annotated[str | None, Query(description="minlon,minlat,maxlon,maxlat")]
CategoryQuery = Annotated[
    str | None, Query(alias="category", description="Only incidents and reports of this category")
]


def _translated(lang: str, labels: Mapping[str, str]) -> dict[str, str]:
    """``labels`` (code → English label) with each label in ``lang``."""
    return {code: i18n.gettext(lang, label) for code, label in labels.items()}


MAP_FILTER = forms.FormLabels(
    {"until": N_("Shown up to"), "days": N_("Period"), "category": N_("Category")}
)
"""The map's and its tables' filter form: its fields by their labels."""


@router.get("/map", response_class=HTMLResponse)
@forms.labelled(MAP_FILTER)
def map_page(
    request: Request,
    ctx: ContextDep,
    viewer: WebViewer,
    until: Until = None,
    days: Days = 0,
    category: CategoryQuery = None,
) -> HTMLResponse:
    """The map: zones, posts, incidents, reports and news events over the offline base layer."""
    window = _window(until, days)
    tile_url = ctx.settings.map_tile_url
    lang = language_of(request)
    first: dict[str, str | int] = {
        "bbox": ",".join(str(v) for v in FIRST_BOX),
        "zoom": FIRST_ZOOM,
        "until": window.until.isoformat(),
        "days": window.days,
        "lang": lang,
    }
    chosen = _category(category)
    if chosen is not None:
        first["category"] = chosen.value
    response = render(
        "map.html",
        first_url=f"/map/data.json?{urlencode(first)}",
        first_box=FIRST_BOX,
        first_zoom=FIRST_ZOOM,
        request=request,
        viewer=viewer,
        window=window,
        category=chosen,
        category_labels=CATEGORY_LABELS,
        category_names=_translated(lang, CATEGORY_LABELS),
        channel_names=_translated(lang, CHANNEL_LABELS),
        news_event_names=_translated(lang, NEWS_EVENT_LABELS),
        first_day=FIRST_DAY,
        last_day=max(datetime.now(UTC).date(), window.until),
        windows=WINDOWS,
        region=REGION,
        focus=FOCUS,
        zone_statuses=ZONE_STATUSES,
        incident_statuses=INCIDENT_STATUSES,
        status_labels=_translated(lang, INCIDENT_STATUSES),
        zone_labels=_translated(lang, ZONE_STATUSES),
        leaflet_url=LEAFLET_URL,
        markercluster_url=MARKERCLUSTER_URL,
        basemap_url=static_url(BASEMAP_URL.removeprefix("/static/web/")),
        admin1_url=static_url(ADMIN1_URL.removeprefix("/static/web/")),
        tile_url=tile_url or "",
        min_zoom=MIN_ZOOM,
        max_zoom=MAX_ZOOM,
    )
    response.headers.update(_tile_policy(tile_url))
    return response


class _Selection(NamedTuple):
    window: TimeWindow
    data: dict[str, Any]


def _selection(
    ctx: ContextDep,
    viewer: WebViewer,
    bbox: Bbox = None,
    zoom: Annotated[int, Query(description="Leaflet zoom level")] = 8,
    until: Until = None,
    days: Days = 0,
    category: CategoryQuery = None,
) -> _Selection:
    """The window and the layers the query string asks for, as the viewer may see them (the
    API's access rule), aggregated at low zoom: what the map's data and its table show."""
    window = _window(until, days)
    data = cached_map_data(
        ctx, viewer, bbox=parse_bbox(bbox), zoom=zoom, window=window, category=_category(category)
    )
    return _Selection(window, data)


Selection = Annotated[_Selection, Depends(_selection)]


def with_display_titles(data: dict[str, Any], lang: str) -> dict[str, Any]:
    """The map's ``data`` with each incident point's ``display_title``: its title as the
    pages show it in ``lang`` (fusion's titles in the reader's words; the ``incident_title``
    filter), beside the stored ``title``. A copy: the cached answer is every language's."""
    layer = data.get("incidents")
    if not isinstance(layer, dict) or not layer.get("points"):
        return data
    shown = environment(lang).filters["incident_title"]
    points = [{**p, "display_title": shown(p["title"])} for p in layer["points"]]
    return {**data, "incidents": {**layer, "points": points}}


@router.get("/map/data.json")
def map_json(request: Request, selection: Selection) -> JSONResponse:
    """The layers for the viewer (the API's access rule), aggregated at low zoom; incident
    titles also as the reader's language words them (``?lang=``, as the pages)."""
    return JSONResponse(
        with_display_titles(selection.data, language_of(request)),
        headers={"Cache-Control": "private, no-store"},
    )


@router.get("/map/towns.json")
def map_towns() -> Response:
    """The region's towns from the gazetteer (the base layer's labels), computed at build time
    (``scripts/make_towns.py``) and shipped with the package."""
    return Response(
        towns_json(),
        media_type="application/json",
        headers={"Cache-Control": "public, max-age=86400"},
    )


@router.get("/map/table", response_class=HTMLResponse)
@forms.labelled(MAP_FILTER)
def map_table(request: Request, viewer: WebViewer, selection: Selection) -> HTMLResponse:
    """The map's data as tables (the accessible alternative to the map)."""
    window, data = selection
    return render(
        "map_table.html",
        request=request,
        viewer=viewer,
        data=data,
        window=window,
        zone_statuses=ZONE_STATUSES,
        incident_statuses=INCIDENT_STATUSES,
        category_labels=CATEGORY_LABELS,
        channel_labels=CHANNEL_LABELS,
    )
