"""``fusion.matcher.v3``: the hour a day-level text gives, the villages narratives name, and
the merge of two incidents that a new report bridges. Each behaviour is checked against v2,
which lacks it."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from ceasefire.fusion.matcher import (
    CONFIGS,
    IncidentMatcherV2,
    IncidentMatcherV3,
    assign_batch,
    grouping,
    new_matcher,
)
from ceasefire.fusion.model import (
    MATCHER_V2_NAME,
    MATCHER_V3_NAME,
    V3_CONFIG,
    FusionReport,
    compare,
    counts_agree,
    normalise_text,
    said_time,
    stated_count,
)
from ceasefire.fusion.places import localities_named
from ceasefire.fusion.synthetic import offset
from ceasefire.reports.model import Category, Channel, TimePrecision
from tests.unit.test_fusion_matcher import AGHDAM, T0, report
from tests.unit.test_fusion_matcher_v2 import DAY, at

BRIDGING = dataclasses.replace(V3_CONFIG, bridge_threshold=4.0, bridge_pair_min=2.0)
"""v3 with the bridge's bars fixed here, so the geometry below does not depend on tuning."""


BAKU_DAY = (T0 - 14.5 * 3_600, T0 + 9.5 * 3_600)  # 26 Nov 2020, 00:00-24:00 in Baku


def said(text: str, precision: TimePrecision = TimePrecision.DAY) -> float | None:
    return said_time(text, *BAKU_DAY, precision)


def test_the_hour_a_text_gives_is_read_in_the_areas_zone_inside_the_day() -> None:
    # 26 Nov 2020, 14:30 in Baku is 10:30 UTC (T0).
    assert said("We protest the shelling of our positions today at 14:30.") == T0
    assert said("Violation at Sus: shelling, about 12, starting 14.30") == T0
    assert said("Shelling at 01:15 and again at 14:30.") is None  # two hours: which one?
    assert said("Shelling of our positions today.") is None
    assert said("at 14:30", TimePrecision.EXACT) is None  # the window already says more
    assert said("assessed 2-4 km from the post, 12 rounds") is None
    midnight = datetime(2020, 11, 25, 20, 0, tzinfo=UTC).timestamp()  # 00:00 in Baku
    assert said("at 00:00") == midnight
    # A window that is UTC's day (04:00-04:00 in Baku): 01:00 is the next morning's.
    next_night = datetime(2020, 11, 26, 21, 0, tzinfo=UTC).timestamp()
    assert said_time("at 01:00", *DAY, TimePrecision.DAY) == next_night


def test_the_count_a_text_gives_leaves_hours_ranges_distances_and_dates_out() -> None:
    assert stated_count("Patrol recorded 12 shelling at about 14:35, assessed 2-4 km away.") == 12
    assert stated_count("At 07:55 the post heard shelling (29) to the south.") == 29
    assert stated_count("Shelling was reported on 26 November (Reuters). 14 blasts.") == 14
    assert stated_count("Post 3 heard 5 explosions 800 m away in 2020.") == 5
    assert stated_count("12 rounds, then 20 more.") is None  # which one?
    assert stated_count("Caller reports shelling at Sus.") is None
    # Sources count differently: only a wide gap counts against.
    assert counts_agree(12, 14) is True
    assert counts_agree(40, 31) is True
    assert counts_agree(12, 20) is None
    assert counts_agree(12, 30) is False
    assert counts_agree(1, 7) is None


def complaint(report_id: str, hour: str, **overrides: object) -> object:
    text = f"We protest the shelling against our units at Aghdam today at {hour}."
    values: dict[str, object] = {
        "channel": Channel.PARTY_COMPLAINT,
        "start": BAKU_DAY[0],
        "end": BAKU_DAY[1],
        "time_precision": TimePrecision.DAY,
        "text": normalise_text(text),
        "said_at": said(text),
    }
    values.update(overrides)
    return report(report_id, **values)


def test_a_day_report_that_says_its_hour_joins_the_incident_of_that_hour() -> None:
    def held(matcher: IncidentMatcherV2) -> IncidentMatcherV2:
        # Two shellings at Aghdam that day, five hours apart.
        matcher.add_incident("morning", [report("post-1")])
        matcher.add_incident("afternoon", [at("post-2", T0 + 5 * 3_600)])
        return matcher

    v3 = held(IncidentMatcherV3()).assign(complaint("complaint", "14:30"))  # type: ignore[arg-type]
    assert (v3.incident_id, v3.created, v3.coarse) == ("morning", False, False)
    # v2 reads only the day: both incidents fit it equally, so it joins neither.
    v2 = held(IncidentMatcherV2()).assign(complaint("complaint", "14:30"))  # type: ignore[arg-type]
    assert v2.created
    assert v2.coarse


def test_named_villages_count_for_and_against() -> None:
    assert localities_named("shelling at giyamaddinli near aghdam") == {"giyamaddinli"}
    assert localities_named("shelling at chocuk marjanli near jabrayil") == {"chocuk marjanli"}
    assert localities_named("shelling in the aghdam area") == frozenset()

    def named(report_id: str, text: str) -> FusionReport:
        return report(report_id, text=text, localities=localities_named(text))

    post = named("post", "patrol recorded shelling at giyamaddinli")
    same = named("same", "we protest shelling at giyamaddinli today")
    other = named("other", "we protest shelling at papravend today")
    vague = named("vague", "we protest shelling in the aghdam area")
    scores = {r.id: compare(post, r, V3_CONFIG) for r in (same, other, vague)}
    assert scores["same"].score == scores["vague"].score + V3_CONFIG.same_locality
    assert scores["other"].score == scores["vague"].score + V3_CONFIG.different_locality
    assert "locality" in {f.name for f in scores["same"].features}
    # v2 reads none of it.
    v2 = CONFIGS[MATCHER_V2_NAME]
    assert compare(report("post", text=post.text), report("other", text=other.text), v2).score == (
        compare(report("a"), report("b"), v2).score
    )


def two_posts_and_a_bridge() -> tuple[object, object, object]:
    """Two posts' shellings 4.5 km and 50 minutes apart (too far apart to link to each
    other), and a UAV's detection between them, close to both."""
    east = offset(*AGHDAM, 4_500, 90)
    middle = offset(*AGHDAM, 2_250, 90)
    a = at("post-a", T0)
    b = at("post-b", T0 + 3_000, lat=east[0], lon=east[1], source_key="post-2")
    uav = at("uav", T0 + 1_500, lat=middle[0], lon=middle[1], channel=Channel.SENSOR_DETECTION)
    return a, b, uav


def test_a_report_that_bridges_two_compatible_incidents_merges_them() -> None:
    a, b, uav = two_posts_and_a_bridge()
    matcher = IncidentMatcherV3(BRIDGING)
    first, second = matcher.assign(a), matcher.assign(b)  # type: ignore[arg-type]
    assert second.created  # the posts alone are two incidents
    bridged = matcher.assign(uav)  # type: ignore[arg-type]
    assert not bridged.created
    assert {bridged.incident_id, bridged.merged_incident_id} == {
        first.incident_id,
        second.incident_id,
    }
    assert bridged.bridge is not None
    assert bridged.bridge.score >= BRIDGING.bridge_pair_min
    assert bridged.to_dict()["merged"] == {
        "incident_id": bridged.merged_incident_id,
        "into": bridged.incident_id,
    }
    assert matcher.open_incidents == 1
    # A fourth report of the event finds one incident, with all three in it.
    late = matcher.assign(at("late", T0 + 600, source_key="post-3"))
    assert (late.incident_id, late.runner_up) == (bridged.incident_id, None)
    # v2 cannot merge: the bridge is ambiguous between the two and starts a third incident.
    v2 = IncidentMatcherV2()
    assert [v2.assign(r).created for r in (a, b, uav)] == [True, True, True]  # type: ignore[arg-type]


def test_no_bridge_between_incidents_that_cannot_be_one_event() -> None:
    a, b, uav = two_posts_and_a_bridge()
    # The second post's incident also holds an observation two hours after the first post's:
    # a pair the time gate rules out, so the two incidents are not merged.
    late = at("post-b-late", T0 + 3_000 + 5_400, source_key="post-2")
    matcher = IncidentMatcherV3(dataclasses.replace(BRIDGING, blocked_member=0.0))
    matcher.add_incident("a", [a])  # type: ignore[list-item]
    matcher.add_incident("b", [b, late])  # type: ignore[list-item]
    assignment = matcher.assign(uav)  # type: ignore[arg-type]
    assert assignment.merged_incident_id is None
    assert matcher.open_incidents >= 2
    # And never with a bar of infinity (v2's behaviour).
    never = IncidentMatcherV3(dataclasses.replace(BRIDGING, bridge_threshold=float("inf")))
    never.add_incident("a", [a])  # type: ignore[list-item]
    never.add_incident("b", [b])  # type: ignore[list-item]
    assert never.assign(uav).merged_incident_id is None  # type: ignore[arg-type]


def test_a_batch_with_a_bridge_comes_out_as_one_incident() -> None:
    a, b, uav = two_posts_and_a_bridge()
    assignments = assign_batch(new_matcher(BRIDGING), [a, b, uav])  # type: ignore[list-item]
    merged = {x.merged_incident_id: x.incident_id for x in assignments if x.merged_incident_id}
    final = {x.report_id: merged.get(x.incident_id, x.incident_id) for x in assignments}
    assert len(set(final.values())) == 1
    assert len(grouping(assignments)) <= 2


def test_v3_is_named_and_v2_stays_available() -> None:
    assert CONFIGS[MATCHER_V3_NAME] is V3_CONFIG
    assert isinstance(new_matcher(V3_CONFIG), IncidentMatcherV3)
    assert type(new_matcher(CONFIGS[MATCHER_V2_NAME])) is IncidentMatcherV2
    unchanged = report("r", category=Category.SHELLING)
    assert IncidentMatcherV3().prepare(unchanged).start == unchanged.start
