"""Exports and publications over HTTP: who gets what, streamed exports, stored reports."""

from __future__ import annotations

import csv
import hashlib
import io

from fastapi.testclient import TestClient

from ceasefire.db.context import ServiceContext
from tests.factories.members import Cast
from tests.factories.publish import make_day


def test_exports_and_publications_over_http(
    ctx: ServiceContext, cast: Cast, client: TestClient
) -> None:
    day = make_day(ctx, cast)
    public = client.get("/api/v1/exports/incidents", params={"format": "acled", "hxl": "true"})
    assert public.status_code == 200
    assert public.headers["content-type"].startswith("text/csv")
    as_of = public.headers["x-export-as-of"]
    assert as_of
    rows = list(csv.DictReader(io.StringIO(public.text)))[1:]  # the HXL row first
    assert day.ids["clash"] not in {r["event_id_cnty"] for r in rows}
    liaison = client.get(
        "/api/v1/exports/incidents", params={"format": "jsonl"}, headers=cast.bearer("arm")
    )
    assert day.ids["clash"] in liaison.text
    assert day.ids["checkpoint"] not in liaison.text
    since = client.get("/api/v1/exports/incidents", params={"format": "jsonl", "since": as_of})
    assert since.status_code == 200
    assert since.text.count("\n") == 1  # the header: nothing changed
    wrong = client.get("/api/v1/exports/reports", params={"format": "geojson"})
    assert wrong.status_code == 422
    assert wrong.json()["error"]["details"][0]["loc"] == "format"

    query = {"date": "2020-11-26", "format": "html", "edition": "public"}
    assert client.post("/api/v1/publications/daily", params=query).status_code == 401
    made = client.post("/api/v1/publications/daily", params=query, headers=cast.bearer("tur"))
    assert made.status_code == 200
    assert made.headers["x-content-sha256"] == hashlib.sha256(made.content).hexdigest()
    listed = client.get("/api/v1/publications").json()
    assert [p["id"] for p in listed] == [made.headers["x-publication-id"]]
    served = client.get(f"/api/v1/publications/{listed[0]['id']}/content")
    assert served.content == made.content
    internal = client.post(
        "/api/v1/publications/daily",
        params={**query, "edition": "internal"},
        headers=cast.bearer("arm"),
    )
    assert internal.status_code == 200
    hidden = internal.headers["x-publication-id"]
    assert client.get(f"/api/v1/publications/{hidden}/content").status_code == 404
    mine = client.get(f"/api/v1/publications/{hidden}/content", headers=cast.bearer("arm"))
    assert mine.status_code == 200
