"""``fusion.matcher.v2``: incidents scored as a whole, coarse reports decided against the
competing incidents, and coarse or ambiguous reports deferred until the precise ones of
their event are in. Each behaviour is checked against v1, which lacks it."""

from __future__ import annotations

import random

from ceasefire.fusion.matcher import (
    DeferringMatcher,
    IncidentMatcher,
    IncidentMatcherV2,
    assign_batch,
    grouping,
    is_coarse,
)
from ceasefire.fusion.model import DEFAULT_CONFIG, V2_CONFIG, FusionReport
from ceasefire.fusion.synthetic import offset
from ceasefire.reports.model import Category, Channel, TimePrecision
from tests.unit.test_fusion_matcher import AGHDAM, T0, report

DAY = (T0 - 10.5 * 3_600, T0 + 13.5 * 3_600)  # 26 Nov 2020 in Baku


def at(report_id: str, start: float, **overrides: object) -> FusionReport:
    """A monitor's exact observation of shelling in Aghdam, ten minutes from ``start``."""
    return report(report_id, start=start, end=start + 600, **overrides)


def district_day(report_id: str, **overrides: object) -> FusionReport:
    """A party's complaint of shelling "in Aghdam district" on that day: no point, no hour,
    no accused (nothing but the category, the day and the district to go on)."""
    values: dict[str, object] = {
        "channel": Channel.PARTY_COMPLAINT,
        "start": DAY[0],
        "end": DAY[1],
        "time_precision": TimePrecision.DAY,
        "where_precision": 3,
        "lat": None,
        "lon": None,
        "text": "we protest the shelling of our positions in aghdam district today",
    }
    values.update(overrides)
    return report(report_id, **values)


def test_v2_is_coarse_for_areas_and_days_only() -> None:
    assert not is_coarse(report("exact"))
    assert not is_coarse(report("near", where_precision=2))
    assert is_coarse(district_day("district"))
    assert is_coarse(report("day", start=DAY[0], end=DAY[1], time_precision=TimePrecision.DAY))


def test_a_coarse_report_that_arrives_first_waits_for_the_precise_ones() -> None:
    near = offset(*AGHDAM, 600, 90)
    post = report("post", source_key="post-1")
    uav = report("uav", channel=Channel.SENSOR_DETECTION, lat=near[0], lon=near[1], start=T0 + 60)
    complaint = district_day("complaint")

    deferring = DeferringMatcher()
    assert deferring.submit(complaint, now=T0 + 1_800) == []
    assert deferring.waiting == 1
    decided = deferring.submit(post, now=T0 + 3_600) + deferring.submit(uav, now=T0 + 3_700)
    assert [(a.report_id, a.created) for a in decided] == [("post", True), ("uav", False)]
    # A day later its wait is over: it joins the incident the precise reports formed.
    (late,) = deferring.release(now=T0 + 1_800 + V2_CONFIG.defer_s)
    assert late.report_id == "complaint"
    assert late.incident_id == decided[0].incident_id
    assert not late.created
    assert late.deferred
    assert late.coarse
    record = late.to_dict()
    assert record["matcher"] == "fusion.matcher.v2"
    assert record["evidence"]["matcher"] == "fusion.matcher.v2"
    assert record["deferred"] is True
    assert deferring.waiting == 0

    # v1, in the same order, opens an incident for the complaint, and the post, finding only
    # a district with too little evidence, cannot join it: two incidents.
    v1 = IncidentMatcher()
    assignments = [v1.assign(r) for r in (complaint, post, uav)]
    assert len({a.incident_id for a in assignments}) == 2


def test_a_coarse_report_joins_the_only_compatible_incident_of_its_district_and_day() -> None:
    matcher = IncidentMatcherV2()
    matcher.add_incident("shelling", [report("post")])
    # A detention at the same place and hour is no competitor: it cannot be shelling.
    matcher.add_incident(
        "detention", [at("detained", T0 + 60, category=Category.DETENTION_EXCHANGE)]
    )
    assignment = matcher.assign(district_day("complaint"))
    assert (assignment.incident_id, assignment.created) == ("shelling", False)
    assert assignment.coarse
    assert assignment.runner_up is None


def test_a_coarse_report_equally_close_to_two_incidents_joins_neither() -> None:
    matcher = IncidentMatcherV2()
    # Two shellings in Aghdam district that day, five hours apart: two incidents.
    matcher.add_incident("morning", [report("post-1")])
    matcher.add_incident("afternoon", [at("post-2", T0 + 5 * 3_600)])
    assignment = matcher.assign(district_day("complaint"))
    assert assignment.created
    assert assignment.incident_score == assignment.runner_up
    # Once one of them is the only one it could be, the next such report joins it.
    alone = IncidentMatcherV2()
    alone.add_incident("morning", [report("post-1")])
    assert not alone.assign(district_day("complaint")).created


def test_an_incident_is_scored_against_all_its_members() -> None:
    def held(matcher: IncidentMatcher) -> IncidentMatcher:
        # "chain": its nearest member is an hour after the new report, its second one 2.5
        # hours after (too late to be the same event as the new report); "whole": one
        # member an hour before. The nearest members fit equally well.
        matcher.add_incident(
            "chain",
            [at("a1", T0 + 3_600), at("a2", T0 + 9_000)],
        )
        matcher.add_incident("whole", [at("b1", T0 - 3_600)])
        return matcher

    new = at("new", T0, source_key="post-9")
    v2 = held(IncidentMatcherV2()).assign(new)
    assert (v2.incident_id, v2.created) == ("whole", False)
    assert v2.runner_up is not None
    assert v2.incident_score is not None
    assert v2.incident_score - v2.runner_up == V2_CONFIG.blocked_member
    # v1 scores each incident by its best member only: a tie, so it links neither.
    v1 = held(IncidentMatcher()).assign(at("new", T0, source_key="post-9"))
    assert v1.created


def test_a_batch_decides_its_precise_reports_first_in_any_order() -> None:
    near = offset(*AGHDAM, 600, 90)
    batch = [
        district_day("complaint"),
        report("post"),
        report("uav", channel=Channel.SENSOR_DETECTION, lat=near[0], lon=near[1]),
        # Another shelling that afternoon, in Kalbajar district.
        at("elsewhere", T0 + 8 * 3_600, lat=40.11, lon=46.044, district="Kalbajar", region="x"),
    ]
    expected = {frozenset({"complaint", "post", "uav"}), frozenset({"elsewhere"})}
    for seed in range(5):
        shuffled = batch[:]
        random.Random(seed).shuffle(shuffled)
        assignments = assign_batch(IncidentMatcherV2(), shuffled)
        assert {frozenset(g) for g in grouping(assignments)} == expected
        assert [a.report_id for a in assignments if a.deferred] == ["complaint"]
    # v1 takes the batch in canonical order: the day's complaint comes first and stays apart.
    v1 = assign_batch(IncidentMatcher(DEFAULT_CONFIG), batch)
    assert frozenset({"complaint"}) in {frozenset(g) for g in grouping(v1)}


def test_rank_of_a_held_report_leaves_itself_out() -> None:
    matcher = IncidentMatcherV2()
    alone = report("alone")
    matcher.add_incident("own", [alone])
    assert matcher.rank(alone).incident_id == "own"
    assert matcher.rank(alone, held=True).incident_id is None
    matcher.add_incident("other", [at("twin", T0 + 120)])
    assert matcher.rank(alone, held=True).incident_id == "other"
