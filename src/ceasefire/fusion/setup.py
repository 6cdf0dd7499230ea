"""The fusion step of ``ceasefire init --demo``: a generated month of reports, fused.

A month (10 Nov - 10 Dec 2020) of monitor observations, UAV detections and party
complaints from ``synthetic.demo_month`` (fixed seed ``DEMO_SEED``; places near the area's
towns and inside the agreement's zones) is filed through the normal intake path
(``reports.service.file_reports``, group commit), as the members who would file them: the
monitors (Russia and Turkey, in turn) their observations, each UAV's member its detections,
a party liaison the complaints of its own party (the party that accuses, not the accused).
The posts and UAVs these reports name are registered first (``DEMO_POSTS``, ``DEMO_UAVS``):
a report may name only a post or sensor its filer may read. Fusion
then drains the queue, so ``ceasefire incident list`` shows the month's incidents. The
reports carry ``client_report_id`` keys: running init again files nothing new.

This is **generated** data, labelled so: every narrative is the generator's and every id
starts with ``demo-``; docs/fusion.md says how it is drawn.
"""

from __future__ import annotations

from typing import Any

from ceasefire.access import Role, Viewer
from ceasefire.agreements.service import get_agreement
from ceasefire.db.context import ServiceContext
from ceasefire.errors import CeasefireError
from ceasefire.fusion import service as fusion
from ceasefire.fusion.places import PLACES
from ceasefire.fusion.synthetic import (
    PARTIES,
    POSTS_PER_DISTRICT,
    UAVS,
    demo_month,
    post_key,
    uav_key,
)
from ceasefire.members.model import GeoPoint, ObservationPost, Sensor, SensorKind
from ceasefire.members.posts import add_post, add_sensor
from ceasefire.members.setup import DEMO_AGREEMENT_ID, ENTRY_INTO_FORCE
from ceasefire.reports.service import Submission, file_reports

DEMO_SEED = 2020
BATCH = 500

_MONITORS = (
    Viewer(member_id="rus", role=Role.MONITOR),
    Viewer(member_id="tur", role=Role.MONITOR),
)
_LIAISONS = {
    "ARM": Viewer(member_id="arm", role=Role.PARTY_LIAISON, party="ARM"),
    "AZE": Viewer(member_id="aze", role=Role.PARTY_LIAISON, party="AZE"),
}


DEMO_POSTS = tuple(
    ObservationPost(
        id=post_key(place.district, number),
        name=f"Demo monitor post {number}, {place.district} district (generated)",
        owners=("rus", "tur"),
        location=GeoPoint(lon=place.lon, lat=place.lat),
        location_note=f"generated demo post: the position of {place.name}, not a real post",
        active_from=ENTRY_INTO_FORCE,
    )
    for place in PLACES
    for number in range(1, POSTS_PER_DISTRICT + 1)
)
"""The posts the generated month's monitor observations are filed from (``post_key``): a
report names only a registered post its filer may read."""

DEMO_UAVS = tuple(
    Sensor(
        id=uav_key(number),
        kind=SensorKind.UAV,
        name=f"Demo UAV {number} (generated)",
        member_id="rus" if number <= UAVS // 2 else "tur",
        notes="Generated demo sensor: the UAV detections of the demo month name it.",
    )
    for number in range(1, UAVS + 1)
)
"""The UAVs of the generated month's detections (``uav_key``), half Russia's, half Turkey's:
a detection is filed by the member its sensor belongs to."""

_UAV_OWNERS = {uav.id: uav.member_id for uav in DEMO_UAVS}


def setup_demo_sources(ctx: ServiceContext) -> None:
    """Register the demo month's posts and UAVs (each once: again is a no-op)."""
    operator = Viewer.cli_operator()
    for post in DEMO_POSTS:
        add_post(ctx, operator, post)
    for uav in DEMO_UAVS:
        add_sensor(ctx, operator, uav)


def demo_filer(index: int, body: dict[str, Any]) -> Viewer:
    """Who files a generated report: a UAV's detection its member, an observation a
    monitor (Russia and Turkey in turn), a complaint the liaison of the accusing party."""
    sensor = body.get("sensor_id")
    if sensor in _UAV_OWNERS:
        return next(m for m in _MONITORS if m.member_id == _UAV_OWNERS[sensor])
    if body["channel"] != "party_complaint":
        return _MONITORS[index % 2]
    accused = body.get("alleged_perpetrator")
    complainant = next((p for p in PARTIES if p != accused), PARTIES[index % 2])
    return _LIAISONS[complainant]


def setup_fusion(ctx: ServiceContext, *, demo: bool, month: bool = True) -> list[str]:
    """With ``demo``: file the demo month (unless not ``month``), then fuse what the demo
    queued. Without it nothing: ``init`` of a working installation does not run fusion
    (its API worker or ``ceasefire fusion run`` does)."""
    steps: list[str] = []
    if not demo:
        return steps
    if month:
        zones = get_agreement(ctx, DEMO_AGREEMENT_ID).agreement.zones
        setup_demo_sources(ctx)
        bodies = demo_month(DEMO_SEED, zones=zones, agreement_id=DEMO_AGREEMENT_ID)
        submissions = [
            Submission(body, viewer=demo_filer(i, body)) for i, body in enumerate(bodies)
        ]
        created = 0
        for start in range(0, len(submissions), BATCH):
            for outcome in file_reports(ctx, submissions[start : start + BATCH]):
                if isinstance(outcome, CeasefireError):
                    raise outcome
                created += outcome.created
        steps.append(
            f"demo month: {len(bodies)} generated reports (seed {DEMO_SEED}), {created} new"
        )
    result = fusion.drain(ctx)
    if result.reports:
        steps.append(
            f"fusion: {result.reports} reports, {result.new_incidents} new incidents,"
            f" {result.linked} linked, {result.left_alone} left alone"
        )
    return steps
