"""Fusion over HTTP: the API process's background worker groups what the API receives,
each report names its incident, the incident says who corroborates it, and only monitors of
its agreement regroup it."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from ceasefire.app import create_app
from ceasefire.db.context import ServiceContext
from ceasefire.fusion import service as fusion
from tests.factories.members import Cast, add_posts
from tests.factories.reports import shelling_body


@pytest.fixture
def client(ctx: ServiceContext) -> Iterator[TestClient]:
    """The app with its fusion worker on (the test settings turn it off elsewhere)."""
    ctx.settings.fusion_interval_s = 0.2
    with TestClient(create_app(ctx=ctx)) as test_client:
        yield test_client


def _wait_for_empty_queue(ctx: ServiceContext) -> None:
    deadline = time.monotonic() + 30
    while fusion.queue_length(ctx) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert fusion.queue_length(ctx) == 0


def test_the_worker_groups_what_the_api_receives(
    client: TestClient, ctx: ServiceContext, cast: Cast
) -> None:
    for who, narrative in (("tur", "Fourteen impacts."), ("rus", "About ten detonations.")):
        add_posts(ctx, f"post-{who}", owners=(who,))
        response = client.post(
            "/api/v1/reports",
            json=shelling_body(narrative=narrative, post_id=f"post-{who}"),
            headers=cast.bearer(who),
        )
        assert response.status_code == 201, response.text
        assert response.json()["incident_id"] is None  # the submission did not wait
    _wait_for_empty_queue(ctx)

    items = client.get("/api/v1/reports", headers=cast.bearer("tur")).json()["items"]
    (incident_id,) = {item["incident_id"] for item in items}
    assert incident_id is not None

    found = client.get(f"/api/v1/incidents/{incident_id}/fusion", headers=cast.bearer("tur"))
    assert found.status_code == 200, found.text
    body = found.json()
    assert body["independent_sources"] == 2
    assert body["by_kind"] == {"monitor": 2}
    assert [d["kind"] for d in body["decisions"]] == ["new_incident", "linked"]

    decision = body["decisions"][1]["id"]
    for outsider in ("arm", "fra"):  # a party liaison, an observer: they read, not regroup
        undo = client.post(
            f"/api/v1/fusion/decisions/{decision}/undo", json={}, headers=cast.bearer(outsider)
        )
        assert undo.status_code in (403, 404), undo.text
    undo = client.post(
        f"/api/v1/fusion/decisions/{decision}/undo",
        json={"reason": "a different barrage"},
        headers=cast.bearer("rus"),
    )
    assert undo.status_code == 201, undo.text
    assert undo.json()["undoes"] == decision
    incidents = {i["incident_id"] for i in client.get("/api/v1/reports").json()["items"]}
    assert incidents <= {None, incident_id}  # the public sees no more than before
