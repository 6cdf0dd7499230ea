"""A sensor on an observation post names the post (``post_id``, a slug that usually names
its village): a reader who may not read the post must not learn of it through the sensor,
whatever the sensor's own classification."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient

from ceasefire.access import Classification
from ceasefire.db.context import ServiceContext
from ceasefire.members import posts
from ceasefire.members.model import GeoPoint, ObservationPost, Sensor, SensorKind
from tests.factories.members import OPERATOR, Cast


def test_a_public_sensor_does_not_reveal_an_internal_post(
    client: TestClient, cast: Cast, ctx: ServiceContext
) -> None:
    posts.add_post(
        ctx,
        OPERATOR,
        ObservationPost(
            id="jmc-hidden-village",
            name="Hidden village",
            owners=("tur",),
            location=GeoPoint(46.9, 39.9),
            active_from=datetime(2021, 2, 1, tzinfo=UTC),
            classification=Classification.INTERNAL,
        ),
    )
    posts.add_sensor(
        ctx,
        OPERATOR,
        Sensor(
            id="tur-cam-1",
            kind=SensorKind.CAMERA,
            name="Camera 1",
            post_id="jmc-hidden-village",
            classification=Classification.PUBLIC,
        ),
    )
    for who in ("arm", "aze", "fra", "public"):
        headers = {} if who == "public" else cast.bearer(who)
        assert client.get("/api/v1/posts/jmc-hidden-village", headers=headers).status_code == 404
        listed = client.get("/api/v1/sensors", headers=headers).json()
        assert "jmc-hidden-village" not in {s["post_id"] for s in listed}, who
        by_post = client.get("/api/v1/sensors?post=jmc-hidden-village", headers=headers).json()
        assert by_post == [], who
        assert client.get("/api/v1/sensors/tur-cam-1", headers=headers).status_code == 404, who
        if who != "public":
            # Adding a sensor to it answers as for a post that does not exist.
            probe = {"id": f"{who}-cam", "kind": "camera", "name": "Cam"}
            hidden = client.post(
                "/api/v1/sensors", json={**probe, "post_id": "jmc-hidden-village"}, headers=headers
            )
            unknown = client.post(
                "/api/v1/sensors", json={**probe, "post_id": "jmc-no-such-post"}, headers=headers
            )
            assert (hidden.status_code, hidden.json()["error"]["details"]) == (
                unknown.status_code,
                unknown.json()["error"]["details"],
            ), who
    # The post's readers still see the sensor.
    for who in ("tur", "rus"):
        one = client.get("/api/v1/sensors/tur-cam-1", headers=cast.bearer(who))
        assert one.status_code == 200, who
        assert one.json()["post_id"] == "jmc-hidden-village"
