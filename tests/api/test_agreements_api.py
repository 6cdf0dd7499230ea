"""The agreement register over HTTP: lists, versions, provisions as of T, zones, errors."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ceasefire.actor import Actor
from ceasefire.agreements import service as agreements
from ceasefire.app import create_app
from ceasefire.db.context import ServiceContext
from tests.factories.agreements import MEMO_ID, NK_ID, edited, shipped_text


@pytest.fixture
def client(ctx: ServiceContext) -> Iterator[TestClient]:
    agreements.load_shipped(ctx)
    with TestClient(create_app(ctx=ctx)) as test_client:
        yield test_client


def by_id(items: list[dict[str, Any]], pid: str) -> dict[str, Any]:
    return next(item for item in items if item["id"] == pid)


def test_list_and_show(client: TestClient) -> None:
    listed = client.get("/api/v1/agreements").json()["agreements"]
    assert [a["id"] for a in listed] == [NK_ID, MEMO_ID]
    body = client.get(f"/api/v1/agreements/{NK_ID}").json()
    assert len(body["provisions"]) == 9
    point6 = by_id(body["provisions"], "p6-districts-and-corridor")
    kalbajar = by_id(point6["parts"], "p6-kalbajar")
    assert kalbajar["deadline"]["due"] == "2020-11-25"
    assert [a["previous"] for a in kalbajar["deadline"]["amendments"]] == ["2020-11-15"]
    assert body["term"]["notice_deadline"] == "2025-05-10"
    assert body["effective"] == {
        "at": "2020-11-09T21:00:00Z",
        "local": "2020-11-10T00:00",
        "time_zone": "Europe/Moscow",
        "precision": "minute",
        "note": body["effective"]["note"],
    }
    assert body["version"]["number"] == 1


def test_provisions_as_of(client: TestClient) -> None:
    url = f"/api/v1/agreements/{NK_ID}/provisions"
    before = client.get(url, params={"as_of": "2020-11-21T00:00:00Z"}).json()
    statuses = {p["id"]: p["status"] for p in before["provisions"]}
    assert statuses["p2-aghdam"] == "fulfilled"
    assert statuses["p6-kalbajar"] == "pending"
    assert statuses["p6-lachin"] == "pending"
    assert before["term"]["notice_deadline"] == "2025-05-10"
    after = client.get(url, params={"as_of": "2020-11-26"}).json()
    assert by_id(after["provisions"], "p6-kalbajar")["status"] == "fulfilled"
    # Before the extension was decided, the deadline in force was the original one.
    early = client.get(url, params={"as_of": "2020-11-14T00:00:00Z"}).json()
    assert by_id(early["provisions"], "p6-kalbajar")["deadline"]["due"] == "2020-11-15"
    due = client.get(url, params={"as_of": "2020-11-21T00:00:00Z", "due_within_days": 7}).json()
    assert [p["id"] for p in due["provisions"]] == ["p6-kalbajar"]


def test_versions_stay_readable(client: TestClient, ctx: ServiceContext) -> None:
    changed = edited(shipped_text(MEMO_ID), "in equal numbers.", "in equal numbers (parity).")
    agreements.load_text(ctx, changed, source_name="memo.yaml", actor=Actor.centre())
    current = client.get(f"/api/v1/agreements/{MEMO_ID}").json()
    first = client.get(f"/api/v1/agreements/{MEMO_ID}", params={"version": 1}).json()
    assert current["version"]["number"] == 2
    assert "(parity)" in by_id(current["provisions"], "m2-parity-staffing")["text"]
    assert "(parity)" not in by_id(first["provisions"], "m2-parity-staffing")["text"]
    versions = client.get(f"/api/v1/agreements/{MEMO_ID}/versions").json()["versions"]
    assert [v["version"] for v in versions] == [1, 2]
    assert versions[1]["changes"]["provisions"]["changed"] == {"m2-parity-staffing": ["text"]}


def test_zones_feature_collection(client: TestClient) -> None:
    response = client.get("/api/v1/zones")
    assert response.headers["content-type"].startswith("application/geo+json")
    body = response.json()
    assert body["type"] == "FeatureCollection"
    kinds = {f["properties"]["zone"]: f["properties"]["kind"] for f in body["features"]}
    assert kinds["lachin-corridor"] == "corridor"
    assert kinds["kalbajar-district"] == "handover_area"
    assert client.get("/api/v1/zones", params={"agreement": MEMO_ID}).json()["features"] == []


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/agreements/nope",
        "/api/v1/agreements/nope/provisions",
        "/api/v1/agreements/nope/versions",
        f"/api/v1/agreements/{NK_ID}?version=9",
        "/api/v1/zones?agreement=nope",
    ],
)
def test_unknown_ids_are_404(client: TestClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "E404"


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        (f"/api/v1/agreements/{NK_ID}/provisions?as_of=yesterday", "as_of"),
        (f"/api/v1/agreements/{NK_ID}?as_of=2020-13-01", "as_of"),
        (f"/api/v1/agreements/{NK_ID}?version=0", "version"),
        (f"/api/v1/agreements/{NK_ID}?version=two", "version"),
        (f"/api/v1/agreements/{NK_ID}/provisions?due_within_days=-1", "due_within_days"),
        ("/api/v1/zones?as_of=soon", "as_of"),
    ],
)
def test_malformed_values_are_422_naming_the_parameter(
    client: TestClient, url: str, parameter: str
) -> None:
    response = client.get(url)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "E422"
    assert [d["loc"] for d in error["details"]] == [parameter]
    assert parameter in error["message"]


def test_openapi_documents_the_routes(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert "/api/v1/agreements/{agreement_id}/provisions" in paths
    assert "/api/v1/zones" in paths
