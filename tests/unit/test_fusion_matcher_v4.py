"""``fusion.matcher.v4``: a link decided on the incident as a whole (a wrong link refused, a
report v3 leaves alone linked by complete linkage). Each behaviour is checked against v3,
which lacks it."""

from __future__ import annotations

import dataclasses

from ceasefire.fusion.matcher import (
    CONFIGS,
    LINKAGE_FLOOR,
    IncidentMatcherV3,
    IncidentMatcherV4,
    assign_batch,
    new_matcher,
)
from ceasefire.fusion.model import (
    MATCHER_V3_NAME,
    MATCHER_V4_NAME,
    V4_CONFIG,
    FusionReport,
    pair_score,
)
from ceasefire.reports.model import Channel
from tests.unit.test_fusion_matcher import T0
from tests.unit.test_fusion_matcher_v2 import at, district_day

LINKING = dataclasses.replace(
    V4_CONFIG, linkage_near=0.0, linkage_pair_min=2.0, linkage_mean=4.25, link_mean_min=2.5
)
"""v4 with its bars fixed here, so the cases below do not depend on tuning."""

VILLAGE = frozenset({"giyamaddinli"})


def two_incidents_and_a_complaint() -> tuple[list[FusionReport], list[FusionReport], FusionReport]:
    """Two shellings at Giyamaddinli that day, four hours apart, each seen by two posts, and
    a complaint of "12 rounds" in Aghdam district that day. The complaint fits one post of
    each equally well (same village, same count); the second incident's other post counted
    40."""
    morning = [
        at("a1", T0, count=12, source_key="p1", localities=VILLAGE),
        at("a2", T0 + 600, count=13, source_key="p2", localities=VILLAGE),
    ]
    afternoon = [
        at("b1", T0 + 4 * 3_600, count=12, source_key="p3", localities=VILLAGE),
        at("b2", T0 + 4 * 3_600 + 300, count=40, source_key="p4", localities=VILLAGE),
    ]
    complaint = district_day(
        "complaint",
        count=12,
        localities=VILLAGE,
        text="we protest the shelling of our positions at giyamaddinli today, 12 rounds",
    )
    return morning, afternoon, complaint


def test_a_report_between_two_incidents_joins_the_one_it_fits_as_a_whole() -> None:
    morning, afternoon, complaint = two_incidents_and_a_complaint()
    v4 = IncidentMatcherV4(LINKING)
    v4.add_incident("morning", morning)
    v4.add_incident("afternoon", afternoon)
    linked = v4.assign(complaint)
    assert (linked.incident_id, linked.created) == ("morning", False)
    # Every member fits it; their mean is the linkage, the weakest pair the evidence.
    scores = [pair_score(complaint, m, LINKING) for m in morning]
    assert min(scores) >= LINKING.linkage_pair_min
    assert linked.linkage == round(sum(scores) / len(scores), 4)
    assert linked.to_dict()["linkage"] == linked.linkage
    assert linked.evidence is not None
    assert linked.evidence.score == min(scores)
    # v3 scores each incident by its best member: a tie, so it joins neither.
    v3 = IncidentMatcherV3()
    v3.add_incident("morning", morning)
    v3.add_incident("afternoon", afternoon)
    alone = v3.assign(complaint)
    assert alone.created
    assert "linkage" not in alone.to_dict()


def test_no_link_by_linkage_when_the_two_incidents_fit_alike() -> None:
    morning, _, complaint = two_incidents_and_a_complaint()
    twin = [
        at("c1", T0 + 4 * 3_600, count=12, source_key="p3", localities=VILLAGE),
        at("c2", T0 + 4 * 3_600 + 300, count=13, source_key="p4", localities=VILLAGE),
    ]
    v4 = IncidentMatcherV4(dataclasses.replace(LINKING, linkage_lead=0.5))
    v4.add_incident("morning", morning)
    v4.add_incident("afternoon", twin)
    assert v4.assign(complaint).created


def test_a_link_to_an_incident_the_report_fits_only_in_part_is_refused() -> None:
    """A post's observation fits the first member of an incident, whose two other members
    came three hours later (the time gate rules them out against it)."""
    first = at("first", T0, source_key="p1")
    later = [at(f"later-{n}", T0 + 3 * 3_600 + 60 * n, source_key=f"p{n + 2}") for n in (0, 1)]
    report = at("uav", T0 + 120, channel=Channel.SENSOR_DETECTION, source_key="uav-1")

    v3 = IncidentMatcherV3()
    v3.add_incident("mixed", [first, *later])
    joined = v3.assign(report)
    assert (joined.incident_id, joined.created) == ("mixed", False)

    v4 = IncidentMatcherV4(LINKING)
    v4.add_incident("mixed", [first, *later])
    refused = v4.assign(report)
    assert refused.created
    mean = (pair_score(report, first, LINKING) + 2 * LINKAGE_FLOOR) / 3
    assert refused.linkage == round(mean, 4)
    assert mean < LINKING.link_mean_min
    # The pair that fell short is kept as the evidence.
    assert refused.evidence is not None
    assert refused.evidence.other_id == "first"
    # Without the bar (-inf), v4 links as v3 does.
    lenient = IncidentMatcherV4(dataclasses.replace(LINKING, link_mean_min=float("-inf")))
    lenient.add_incident("mixed", [first, *later])
    assert not lenient.assign(report).created


def test_v4_in_a_batch_links_the_complaint_after_the_posts() -> None:
    morning, afternoon, complaint = two_incidents_and_a_complaint()
    assignments = assign_batch(new_matcher(LINKING), [complaint, *morning, *afternoon])
    where = {a.report_id: a.incident_id for a in assignments}
    assert where["complaint"] == where["a1"] == where["a2"]
    assert where["b1"] == where["b2"] != where["a1"]


def test_v4_is_named_and_v3_stays_available() -> None:
    assert CONFIGS[MATCHER_V4_NAME] is V4_CONFIG
    assert type(new_matcher(V4_CONFIG)) is IncidentMatcherV4
    assert type(new_matcher(CONFIGS[MATCHER_V3_NAME])) is IncidentMatcherV3
    # v3's rankings carry no neighbours for a linkage (its bar is infinite).
    morning, _, complaint = two_incidents_and_a_complaint()
    v3 = IncidentMatcherV3()
    v3.add_incident("morning", morning)
    assert v3.rank(complaint).near == ()
