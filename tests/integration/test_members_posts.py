"""Observation posts and sensors through the services: who may add them, who sees them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ceasefire.access import Classification, Viewer
from ceasefire.db.context import ServiceContext
from ceasefire.errors import Conflict, Forbidden, NotFound
from ceasefire.members import posts
from ceasefire.members.model import GeoPoint, ObservationPost, Sensor, SensorKind
from tests.factories.members import OPERATOR, demo_cast

START = datetime(2021, 2, 1, tzinfo=UTC)


def _post(post_id: str, owners: tuple[str, ...], cls: Classification, **kw: Any) -> ObservationPost:
    return ObservationPost(
        id=post_id,
        name=post_id.upper(),
        owners=owners,
        location=GeoPoint(46.93, 39.99),
        active_from=START,
        classification=cls,
        **kw,
    )


def test_who_may_add_posts_and_sensors(ctx: ServiceContext) -> None:
    cast = demo_cast(ctx)
    tur, fra = cast.viewer(ctx, "tur"), cast.viewer(ctx, "fra")
    independent = _post("tur-op-1", ("tur",), Classification.INTERNAL, independent=True)
    with pytest.raises(Forbidden):
        posts.add_post(ctx, fra, _post("fra-op", ("fra",), Classification.SHARED))
    with pytest.raises(Forbidden):
        posts.add_post(ctx, tur, _post("rus-op", ("rus",), Classification.SHARED))
    with pytest.raises(NotFound):
        posts.add_post(ctx, OPERATOR, _post("x-op", ("rus", "nobody"), Classification.SHARED))
    # Turkey cannot make Russia (or Armenia) co-owner of its post: owners read the post and
    # mount sensors on it. A joint post is an operator's to add.
    for others in (("tur", "rus"), ("tur", "arm")):
        with pytest.raises(Forbidden) as refused:
            posts.add_post(ctx, tur, _post("tur-joint", others, Classification.INTERNAL))
        assert refused.value.details[0]["loc"] == "owners"
    joint = posts.add_post(ctx, OPERATOR, _post("tur-rus", ("tur", "rus"), Classification.SHARED))
    assert joint.owners == ["tur", "rus"]
    added = posts.add_post(ctx, tur, independent)
    assert (added.owners, added.independent, added.active) == (["tur"], True, True)
    assert posts.add_post(ctx, tur, independent) == added  # a retry is a no-op
    with pytest.raises(Conflict):
        posts.add_post(ctx, tur, _post("tur-op-1", ("tur",), Classification.SHARED))

    camera = Sensor("tur-cam-1", SensorKind.CAMERA, "Camera", post_id="tur-op-1")
    with pytest.raises(Forbidden):
        posts.add_sensor(ctx, cast.viewer(ctx, "rus"), camera)
    assert posts.add_sensor(ctx, tur, camera).post_id == "tur-op-1"
    with pytest.raises(NotFound):
        posts.add_sensor(ctx, OPERATOR, Sensor("s-1", SensorKind.ACOUSTIC, "Mic", post_id="zz"))
    # the joint post is owned by rus and tur: either monitor may mount a sensor on it
    rus_mic = Sensor("rus-mic-1", SensorKind.ACOUSTIC, "Mic", post_id="jmc-giyamaddinli")
    assert posts.add_sensor(ctx, cast.viewer(ctx, "rus"), rus_mic).kind is SensorKind.ACOUSTIC


def test_visibility_of_posts_and_sensors(ctx: ServiceContext) -> None:
    cast = demo_cast(ctx)
    posts.add_post(ctx, OPERATOR, _post("tur-op-1", ("tur",), Classification.INTERNAL))
    posts.add_post(ctx, OPERATOR, _post("shared-op", ("rus", "tur"), Classification.SHARED))
    posts.add_sensor(
        ctx,
        OPERATOR,
        Sensor(
            "tur-cam-1",
            SensorKind.CAMERA,
            "Cam",
            post_id="tur-op-1",
            classification=Classification.INTERNAL,
        ),
    )

    def ids(viewer: Viewer) -> set[str]:
        return {p.id for p in posts.list_posts(ctx, viewer)}

    everything = {"jmc-giyamaddinli", "tur-op-1", "shared-op"}
    assert ids(Viewer.public()) == {"jmc-giyamaddinli"}
    assert ids(cast.viewer(ctx, "rus")) == everything  # monitors read internal records
    assert ids(cast.viewer(ctx, "tur")) == everything
    assert ids(cast.viewer(ctx, "fra")) == {"jmc-giyamaddinli", "shared-op"}
    # a post concerns no party, so a liaison sees only public posts
    assert ids(cast.viewer(ctx, "arm")) == {"jmc-giyamaddinli"}
    assert ids(OPERATOR) == everything
    with pytest.raises(NotFound):
        posts.get_post(ctx, cast.viewer(ctx, "fra"), "tur-op-1")
    assert posts.get_post(ctx, cast.viewer(ctx, "tur"), "tur-op-1").owners == ["tur"]

    # the JMC closed on 26 April 2024
    assert ids_active(ctx, datetime(2022, 1, 1, tzinfo=UTC)) == everything
    assert ids_active(ctx, datetime(2025, 1, 1, tzinfo=UTC)) == {"tur-op-1", "shared-op"}

    sensors_fra = {s.id for s in posts.list_sensors(ctx, cast.viewer(ctx, "fra"))}
    assert sensors_fra == {"tur-uav-1"}
    assert {s.id for s in posts.list_sensors(ctx, Viewer.public())} == set()
    assert {s.id for s in posts.list_sensors(ctx, OPERATOR, member_id="tur")} == {"tur-uav-1"}
    assert {s.id for s in posts.list_sensors(ctx, OPERATOR, post_id="tur-op-1")} == {"tur-cam-1"}
    with pytest.raises(NotFound):
        posts.get_sensor(ctx, Viewer.public(), "tur-uav-1")


def ids_active(ctx: ServiceContext, at: datetime) -> set[str]:
    return {p.id for p in posts.list_posts(ctx, OPERATOR, active_at=at)}


def test_a_post_is_active_from_its_start_until_its_end(ctx: ServiceContext) -> None:
    demo_cast(ctx)
    end = START + timedelta(days=1)
    posts.add_post(
        ctx, OPERATOR, _post("jmc-day", ("rus", "tur"), Classification.SHARED, active_to=end)
    )

    def active_at(at: datetime) -> list[str]:
        return [p.id for p in posts.list_posts(ctx, OPERATOR, active_at=at) if p.id == "jmc-day"]

    assert active_at(START - timedelta(seconds=1)) == []
    assert active_at(START) == ["jmc-day"]
    assert active_at(end - timedelta(seconds=1)) == ["jmc-day"]
    assert active_at(end) == []  # the end is not part of it
