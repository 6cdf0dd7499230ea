"""The map's data: the same access rule as the API (points and grid counts alike), a party
liaison never sees internal records, and counts add up to the points they stand for."""

from __future__ import annotations

import html
import json
import re
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert, select

from ceasefire.access import Classification, Viewer
from ceasefire.app import create_app
from ceasefire.db.context import ServiceContext
from ceasefire.errors import InvalidInput
from ceasefire.ids import new_id
from ceasefire.incidents import service as incidents
from ceasefire.incidents.tables import IncidentRow
from ceasefire.members.grid import grid_cells
from ceasefire.members.scope import ReadScope
from ceasefire.reports import service as reports
from ceasefire.reports.model import Category
from ceasefire.web import map as map_page
from ceasefire.web import mapdata
from ceasefire.web.mapdata import TimeWindow, map_data, parse_bbox
from ceasefire.web.session import SESSION_COOKIE
from tests.factories.members import Cast
from tests.factories.reports import shelling_body

WINDOW = TimeWindow(until=date(2020, 12, 31))


@pytest.fixture
def cast(cast: Cast, ctx: ServiceContext) -> Cast:
    turkey = cast.viewer(ctx, "tur")
    made = [
        ("internal note on Aghdam", Classification.INTERNAL, "internal", {}),
        ("shelling near Aghdam", Classification.PUBLIC, "public", {}),
        (
            "shared with Armenia only",
            Classification.SHARED,
            "shared",
            {"concerns": ["ARM"], "event_position": {"lat": 40.1, "lon": 46.0, "precision": 2}},
        ),
    ]
    for title, classification, report_class, extra in made:
        body = shelling_body(classification=report_class, **extra)
        report_id = reports.submit_report(ctx, turkey, body).report.id
        incidents.create_incident(
            ctx, turkey, report_ids=[report_id], title=title, classification=classification
        )
    return cast


def titles(data: dict[str, object]) -> set[str]:
    layer = data["incidents"]
    assert isinstance(layer, dict)
    return {p["title"] for p in layer["points"]}


def test_each_viewer_sees_on_the_map_what_the_api_gives_it(ctx: ServiceContext, cast: Cast) -> None:
    def seen(viewer: Viewer) -> set[str]:
        return titles(map_data(ctx, viewer, bbox=None, zoom=8, window=WINDOW))

    everything = {"internal note on Aghdam", "shelling near Aghdam", "shared with Armenia only"}
    assert seen(cast.viewer(ctx, "rus")) == everything
    assert seen(cast.viewer(ctx, "aze")) == {"shelling near Aghdam"}
    assert seen(cast.viewer(ctx, "arm")) == {"shelling near Aghdam", "shared with Armenia only"}
    assert seen(Viewer.public()) == {"shelling near Aghdam"}
    for member in ("rus", "aze", "arm"):
        api = incidents.list_incidents(ctx, cast.viewer(ctx, member), limit=50)
        assert seen(cast.viewer(ctx, member)) == {i.title for i in api.items}


def test_grid_counts_follow_the_rule_too(
    ctx: ServiceContext, cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(mapdata, "POINT_LIMIT", 0)  # every box is "too many": cells
    for member, expected in (("rus", 3), ("aze", 1), ("arm", 2)):
        data = map_data(ctx, cast.viewer(ctx, member), bbox=None, zoom=6, window=WINDOW)
        layer = data["incidents"]
        assert layer["mode"] == "cells"
        assert layer["points"] == []
        assert sum(c["count"] for c in layer["cells"]) == layer["total"] == expected
        reports_layer = data["reports"]
        assert reports_layer["mode"] == "cells"
        assert reports_layer["total"] == expected
    # The Aghdam incidents share a cell; the one at 46.0 E lies in another.
    cells = map_data(ctx, cast.viewer(ctx, "rus"), bbox=None, zoom=8, window=WINDOW)
    counts = sorted(c["count"] for c in cells["incidents"]["cells"])
    assert counts == [1, 2]
    for cell in cells["incidents"]["cells"]:
        west, south, east, north = cell["bounds"]
        assert west <= cell["lon"] <= east
        assert south <= cell["lat"] <= north


def test_the_time_window_and_the_box_filter(ctx: ServiceContext, cast: Cast) -> None:
    before = TimeWindow(until=date(2020, 11, 1))
    assert titles(map_data(ctx, cast.viewer(ctx, "rus"), bbox=None, zoom=8, window=before)) == set()
    rus = cast.viewer(ctx, "rus")
    # A narrow box goes through the position index, a wide one scans: same answers.
    for box in ("30,30,31,31", "30,30,45,35", "46.8,39.9,47.1,40.1", "40,38,50,41"):
        expected = (
            {"internal note on Aghdam", "shelling near Aghdam"}
            if box.startswith("46.8")
            else {"internal note on Aghdam", "shelling near Aghdam", "shared with Armenia only"}
            if box.startswith("40,")
            else set()
        )
        seen = titles(map_data(ctx, rus, bbox=parse_bbox(box), zoom=8, window=WINDOW))
        assert seen == expected, box


def test_the_liaison_gets_no_internal_record_over_http(ctx: ServiceContext, cast: Cast) -> None:
    client = TestClient(create_app(ctx=ctx))
    client.cookies.set(SESSION_COOKIE, cast.tokens["aze"])
    data = client.get("/map/data.json", params={"until": "2020-12-31"}).json()
    assert {p["title"] for p in data["incidents"]["points"]} == {"shelling near Aghdam"}
    table = client.get("/map/table", params={"until": "2020-12-31"}).text
    assert "shelling near Aghdam" in table
    assert "internal note" not in table
    assert "shared with Armenia" not in table
    assert client.get("/map/data.json", params={"bbox": "1,2,3"}).status_code == 422


@pytest.mark.parametrize(
    "text", ["1,2,3", "a,b,c,d", "10,0,5,1", "0,-91,1,1", "nan,0,1,1", "0,0,inf,1"]
)
def test_a_bad_bbox_is_refused_naming_the_field(text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_bbox(text)
    assert caught.value.details[0]["loc"] == "bbox"


def test_the_category_filter(ctx: ServiceContext, cast: Cast) -> None:
    rus = cast.viewer(ctx, "rus")
    shelling = map_data(ctx, rus, bbox=None, zoom=8, window=WINDOW, category=Category.SHELLING)
    assert len(titles(shelling)) == 3
    assert shelling["reports"]["total"] == 3
    drones = map_data(ctx, rus, bbox=None, zoom=8, window=WINDOW, category=Category.DRONE_STRIKE)
    assert titles(drones) == set()
    assert drones["reports"]["total"] == 0
    client = TestClient(create_app(ctx=ctx))
    refused = client.get("/map/data.json", params={"category": "bogus"})
    assert refused.status_code == 422
    assert refused.json()["error"]["details"][0]["loc"] == "category"


def test_grid_counts_match_the_rule_row_by_row_with_records_of_no_agreement(
    ctx: ServiceContext, cast: Cast
) -> None:
    """Rows of no agreement (NULL in an access column) in one cell with internal ones: each
    viewer's count is exactly the rows the rule admits one by one, with and without the
    list's SQL pre-filter."""
    with ctx.engine.begin() as conn:
        template = conn.execute(select(IncidentRow.__table__)).mappings().first()
        assert template is not None
        rows = [
            {
                **template,
                "id": new_id("inc"),
                "classification": klass,
                "concerns": concerns,
                "agreement_id": agreement,
                "owner_member": owner,
            }
            for klass, concerns, agreement, owner in (
                ("internal", ",ARM,", None, "tur"),
                ("internal", ",ARM,AZE,", None, "aze"),
                ("shared", ",ARM,", None, "tur"),
                ("shared", ",AZE,", None, "tur"),
                ("public", ",AZE,", None, "rus"),
            )
        ]
        conn.execute(insert(IncidentRow), rows)
    everything = incidents.IncidentFilters(end=WINDOW.end)
    for viewer in (*(cast.viewer(ctx, m) for m in ("rus", "aze", "arm")), Viewer.public()):
        with ctx.reader() as session:
            scope = ReadScope.load(session, viewer)
            access = select(
                IncidentRow.classification,
                IncidentRow.concerns,
                IncidentRow.owner_member,
                IncidentRow.agreement_id,
            )
            expected = [
                klass
                for klass, concerns, owner, agreement in session.execute(access)
                if scope.can_read(
                    klass, concerns=concerns, owner_member=owner, agreement_id=agreement
                )
            ]
            # The grid alone, without the list's SQL pre-filter: the judged groups decide.
            alone = grid_cells(session, scope, IncidentRow, [], cell_deg=90.0)
            assert sum(c.count for c in alone) == len(expected)
        cells = incidents.incident_cells(ctx, viewer, everything, cell_deg=90.0)
        assert sum(c.count for c in cells) == len(expected)
        if viewer.member_id == "arm" or viewer.is_public:
            assert "internal" not in expected


def test_the_map_page_defers_its_scripts_and_leaflet_is_cached_by_version(
    ctx: ServiceContext,
) -> None:
    client = TestClient(create_app(ctx=ctx))
    page = client.get("/map").text
    assert f'<script src="{mapdata.LEAFLET_URL}/leaflet.js" defer></script>' in page
    assert '<link rel="preload" href="/map/towns.json" as="fetch"' in page
    assert mapdata.LEAFLET_URL.endswith("-1.9.3.0")
    script = client.get(f"{mapdata.LEAFLET_URL}/leaflet.js")
    assert script.status_code == 200
    assert "immutable" in script.headers["cache-control"]
    unversioned = client.get("/static/leaflet/leaflet.js")  # the area picker's page
    assert unversioned.status_code == 200
    assert "immutable" not in unversioned.headers.get("cache-control", "")
    towns = client.get("/map/towns.json")
    assert towns.headers["content-type"] == "application/json"
    assert "Yerevan" in {t["name"] for t in towns.json()}


def test_the_map_page_asks_for_its_opening_data_first_and_versions_its_files(
    ctx: ServiceContext, cast: Cast
) -> None:
    client = TestClient(create_app(ctx=ctx))
    client.cookies.set(SESSION_COOKIE, cast.tokens["tur"])
    page = client.get("/map", params={"until": "2020-12-31", "category": "shelling"}).text
    first = re.search(r'<link rel="preload" href="(/map/data.json\?[^"]+)" as="fetch"', page)
    assert first is not None
    url = html.unescape(first.group(1))
    # The preload comes before the stylesheets and scripts, and map.js reads the same URL.
    assert page.index(first.group(0)) < page.index('rel="stylesheet" href="/static/leaflet-')
    config = re.search(r"data-config='([^']+)'", page)
    assert config is not None
    assert json.loads(html.unescape(config.group(1)))["first"]["url"] == url
    data = client.get(url).json()
    assert data["bbox"] == list(map_page.FIRST_BOX)
    assert data["zoom"] == map_page.FIRST_ZOOM
    assert data["category"] == "shelling"
    assert titles(data) == {
        "internal note on Aghdam",
        "shelling near Aghdam",
        "shared with Armenia only",
    }
    # The web area's files carry their content's hash: kept a year; without it, revalidated.
    script = re.search(r'<script src="(/static/web/map\.js\?v=[0-9a-f]{12})" defer>', page)
    assert script is not None
    assert "immutable" in client.get(script.group(1)).headers["cache-control"]
    assert client.get("/static/web/map.js").headers["cache-control"] == "no-cache"
    assert re.search(r'href="/static/web/style\.css\?v=[0-9a-f]{12}"', page)


def test_the_map_cache_repeats_an_answer_until_the_next_write(
    ctx: ServiceContext, cast: Cast
) -> None:
    turkey, azerbaijan = cast.viewer(ctx, "tur"), cast.viewer(ctx, "aze")
    window = TimeWindow(until=date(2020, 12, 31))

    def ask(viewer: Viewer) -> dict[str, object]:
        return mapdata.cached_map_data(ctx, viewer, bbox=None, zoom=8, window=window)

    once = ask(turkey)
    assert ask(turkey) is once  # nothing written since: the same answer
    # Another viewer never gets it: the liaison's own answer, by the access rule.
    assert titles(ask(azerbaijan)) == {"shelling near Aghdam"}
    assert "internal note on Aghdam" in titles(once)
    # A write (its ledger entry) makes the next answer a new one, with the new incident.
    body = shelling_body(classification="internal")
    report_id = reports.submit_report(ctx, turkey, body).report.id
    incidents.create_incident(
        ctx, turkey, report_ids=[report_id], title="later", classification=Classification.INTERNAL
    )
    after = ask(turkey)
    assert after is not once
    assert "later" in titles(after)
    # And an answer older than the time limit is computed again, written or not.
    cache = ctx.caches[mapdata.CACHE_KEY]
    cache.ttl_s = 0.0
    assert ask(turkey) is not after
