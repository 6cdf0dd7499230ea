"""Alerts through the HTTP API: subscriptions and their permissions, the alerts and
deliveries a caller may read, and the served application's background worker."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ceasefire.alerts import service as alerts
from ceasefire.app import create_app
from ceasefire.db.context import ServiceContext
from tests.factories.members import Cast
from tests.factories.reports import internal_incident, shelling_body

SUBSCRIPTIONS = "/api/v1/alerts/subscriptions"


def internal_casualty_incident(ctx: ServiceContext, cast: Cast) -> str:
    return internal_incident(
        ctx,
        cast.viewer(ctx, "tur"),
        shelling_body(casualties={"injured_military": 3}, classification="internal"),
    )


def test_subscriptions_through_the_api(client: TestClient, cast: Cast) -> None:
    body = {
        "channel": "webhook",
        "target": "https://hooks.arm.example.org/ceasefire",
        "secret": "a-secret-of-at-least-16",
        "kinds": ["casualties", "spike"],
        "min_severity": "warning",
    }
    assert client.post(SUBSCRIPTIONS, json=body).status_code == 401
    created = client.post(SUBSCRIPTIONS, json=body, headers=cast.bearer("arm"))
    assert created.status_code == 201, created.text
    shown = created.json()
    assert shown["has_secret"] is True
    assert "secret" not in shown
    assert shown["member_id"] == "arm"
    assert shown["user_id"] == cast.users["arm"]

    bad = client.post(
        SUBSCRIPTIONS, json={**body, "target": "file:///etc/passwd"}, headers=cast.bearer("arm")
    )
    assert bad.status_code == 422
    assert bad.json()["error"]["details"][0]["loc"] == "target"
    other = client.post(
        SUBSCRIPTIONS, json={**body, "user_id": cast.users["aze"]}, headers=cast.bearer("arm")
    )
    assert other.status_code == 403

    listed = client.get(SUBSCRIPTIONS, headers=cast.bearer("arm")).json()
    assert [s["id"] for s in listed] == [shown["id"]]
    assert client.get(SUBSCRIPTIONS, headers=cast.bearer("aze")).json() == []
    gone = client.delete(f"{SUBSCRIPTIONS}/{shown['id']}", headers=cast.bearer("aze"))
    assert gone.status_code == 404
    ended = client.delete(f"{SUBSCRIPTIONS}/{shown['id']}", headers=cast.bearer("arm"))
    assert ended.status_code == 200
    assert ended.json()["ended_at"] is not None


def test_alerts_and_deliveries_follow_the_read_rule(
    client: TestClient, ctx: ServiceContext, cast: Cast
) -> None:
    for member in ("tur", "arm"):
        client.post(
            SUBSCRIPTIONS,
            json={"channel": "email", "target": f"duty@{member}.example.org"},
            headers=cast.bearer(member),
        )
    incident_id = internal_casualty_incident(ctx, cast)
    alerts.scan(ctx)
    seen = client.get("/api/v1/alerts", headers=cast.bearer("tur")).json()
    assert [a["details"]["incident_id"] for a in seen] == [incident_id]
    assert client.get("/api/v1/alerts", headers=cast.bearer("arm")).json() == []
    assert client.get("/api/v1/alerts").status_code == 401
    turkey = client.get("/api/v1/alerts/deliveries", headers=cast.bearer("tur")).json()
    assert [d["state"] for d in turkey] == ["pending"]
    assert client.get("/api/v1/alerts/deliveries", headers=cast.bearer("arm")).json() == []


@pytest.fixture
def hook() -> Iterator[tuple[str, list[bytes]]]:
    received: list[bytes] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(self.rfile.read(int(self.headers["Content-Length"])))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", received
    server.shutdown()
    server.server_close()


def test_the_served_app_scans_and_delivers_in_the_background(
    ctx: ServiceContext, cast: Cast, hook: tuple[str, list[bytes]]
) -> None:
    url, received = hook
    client_body = {"channel": "webhook", "target": url, "secret": "s" * 20}
    working = ServiceContext(
        settings=ctx.settings.model_copy(update={"alerts_worker_interval_s": 1}),
        engine=ctx.engine,
    )
    with TestClient(create_app(ctx=working)) as served:
        assert served.post(SUBSCRIPTIONS, json=client_body, headers=cast.bearer("tur")).is_success
        internal_casualty_incident(ctx, cast)
        deadline = time.monotonic() + 20
        while not received and time.monotonic() < deadline:
            time.sleep(0.2)
    assert len(received) == 1
    assert b'"kind": "casualties"' in received[0]


def test_the_ledger_shows_a_subscription_to_its_own_member_only(
    client: TestClient, cast: Cast
) -> None:
    """As Azerbaijan's liaison: Armenia's subscription (the areas it watches, a digest of
    its duty address, which a guess would confirm) is 404 through the alerts API, and its
    ledger entries come with the payload withheld, as for any record one may not read."""
    body = {
        "channel": "email",
        "target": "duty@mfa.am.example.org",
        "areas": ["grid0.25:159:187"],
        "kinds": ["spike"],
    }
    created = client.post(SUBSCRIPTIONS, json=body, headers=cast.bearer("arm")).json()
    assert client.delete(f"{SUBSCRIPTIONS}/{created['id']}", headers=cast.bearer("arm")).is_success
    subject = f"alert-subscription/{created['id']}"

    def payloads(member: str) -> list[dict[str, Any] | None]:
        response = client.get(
            "/api/v1/ledger", params={"subject": subject}, headers=cast.bearer(member)
        )
        assert response.status_code == 200, response.text
        entries = response.json()["entries"]
        assert [e["tag"] for e in entries] == [
            "alerts:subscription:added",
            "alerts:subscription:ended",
        ]
        return [e["payload"] for e in entries]

    added, ended = payloads("arm")
    assert added is not None
    assert added["areas"] == ["grid0.25:159:187"]
    assert ended is not None
    assert ended["subscription_id"] == created["id"]
    for other in ("aze", "tur", "fra"):
        assert payloads(other) == [None, None]
