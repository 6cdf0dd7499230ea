"""Synthetic streams (bench and demo data) and the pairwise evaluation of a grouping."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest
from shapely.geometry import Point, shape

from ceasefire.agreements.loader import check_file
from ceasefire.fusion.evaluation import pairwise_scores
from ceasefire.fusion.matcher import IncidentMatcher
from ceasefire.fusion.setup import DEMO_POSTS, DEMO_SEED, DEMO_UAVS, demo_filer
from ceasefire.fusion.synthetic import DEMO_END, DEMO_START, StreamGenerator, demo_month
from ceasefire.reports.model import Channel, validate_report
from tests.factories.agreements import NK_ID, shipped_path


def test_pairwise_scores_from_the_contingency_table() -> None:
    truth = [1, 1, 1, 2, 2, 3]
    predicted = ["a", "a", "b", "b", "b", "c"]
    scores = pairwise_scores(truth, predicted)
    # True pairs: 3 + 1; predicted: 1 + 3; correct: (0,1) and (3,4).
    assert (scores.true_pairs, scores.predicted_pairs, scores.correct_pairs) == (4, 4, 2)
    assert scores.precision == scores.recall == 0.5
    perfect = pairwise_scores(truth, truth)
    assert (perfect.precision, perfect.recall) == (1.0, 1.0)
    with pytest.raises(ValueError, match="labels"):
        pairwise_scores(truth, predicted[:-1])


def test_streams_are_reproducible_and_in_order_of_arrival() -> None:
    first = list(StreamGenerator(5).stream(2_000))
    second = list(StreamGenerator(5).stream(2_000))
    assert [(i.report.id, i.truth, i.narrative) for i in first] == [
        (i.report.id, i.truth, i.narrative) for i in second
    ]
    arrivals = [i.arrival for i in first]
    assert arrivals == sorted(arrivals)
    sizes = Counter(Counter(i.truth for i in first).values())
    assert set(sizes) <= set(range(1, 7))
    channels = {i.report.channel for i in first}
    assert Channel.NEWS in channels
    assert Channel.SENSOR_DETECTION in channels
    assert {i.report.where_precision for i in first} >= {1, 2, 3}


def test_the_matcher_groups_a_small_stream_well() -> None:
    """A regression floor, far below the bench's figures (bench/RESULTS.md)."""
    items = list(StreamGenerator(1).stream(3_000))
    matcher = IncidentMatcher()
    predicted = [matcher.assign(i.report).incident_id for i in items]
    scores = pairwise_scores([i.truth for i in items], predicted)
    assert scores.precision >= 0.85
    assert scores.recall >= 0.55


def test_a_demo_month_of_valid_reports_inside_the_zones() -> None:
    agreement = check_file(shipped_path(NK_ID)).raise_if_invalid()
    bodies = demo_month(7, zones=agreement.zones)
    assert demo_month(7, zones=agreement.zones) == bodies
    now = datetime(2020, 12, 11, tzinfo=UTC)
    # As the API does: the client's id is the idempotency key, not part of the content.
    keys = [body["client_report_id"] for body in bodies]
    contents = [
        validate_report({k: v for k, v in body.items() if k != "client_report_id"}, now=now)
        for body in bodies
    ]
    assert len(contents) > 300
    assert {c.channel for c in contents} == {
        Channel.MONITOR_OBSERVATION,
        Channel.PARTY_COMPLAINT,
        Channel.SENSOR_DETECTION,
    }
    assert all(c.observed.start >= DEMO_START and c.observed.end <= DEMO_END for c in contents)
    zones = [shape(z.geometry) for z in agreement.zones]
    inside = [
        c
        for c in contents
        if c.event_position.point is not None
        and c.event_position.precision == 1
        and any(
            z.contains(Point(c.event_position.point.lon, c.event_position.point.lat)) for z in zones
        )
    ]
    assert len(inside) > 30
    assert len(set(keys)) == len(bodies)


def test_the_demo_month_names_only_the_posts_and_uavs_the_demo_registers() -> None:
    """A report may name only a registered post or sensor its filer may read (and a detection
    only its own member's sensor): the demo registers every post and UAV its month names, and
    files each detection as the UAV's member."""
    agreement = check_file(shipped_path(NK_ID)).raise_if_invalid()
    bodies = demo_month(DEMO_SEED, zones=agreement.zones, agreement_id=NK_ID)
    named_posts = {b["post_id"] for b in bodies if "post_id" in b}
    named_uavs = {b["sensor_id"] for b in bodies if "sensor_id" in b}
    assert named_posts
    assert named_uavs
    assert named_posts <= {p.id for p in DEMO_POSTS}
    assert named_uavs <= {u.id for u in DEMO_UAVS}
    owners = {u.id: u.member_id for u in DEMO_UAVS}
    for index, body in enumerate(bodies):
        if "sensor_id" in body:
            assert demo_filer(index, body).member_id == owners[body["sensor_id"]]
