"""``fusion.matcher.v7``: a report's villages, count and actor weighed against the candidate
incident's members as a whole, and a point "near" a village read as near it. Each behaviour
is checked against v6, which lacks it."""

from __future__ import annotations

from ceasefire.fusion.matcher import (
    CONFIGS,
    CURRENT_CONFIG,
    IncidentMatcherV6,
    IncidentMatcherV7,
    new_matcher,
)
from ceasefire.fusion.model import (
    MATCHER_V6_NAME,
    MATCHER_V7_NAME,
    PLACE_RADIUS_M,
    V6_CONFIG,
    V7_CONFIG,
    FusionReport,
    MatcherConfig,
    compare,
)
from ceasefire.fusion.places import is_village
from ceasefire.fusion.synthetic import offset
from ceasefire.reports.model import Channel
from tests.unit.test_fusion_matcher import AGHDAM, T0, report
from tests.unit.test_fusion_matcher_v2 import at, district_day

PAPRAVEND = frozenset({"papravend"})
SARIJALI = frozenset({"sarijali"})


def complaint(report_id: str, village: str) -> FusionReport:
    return district_day(
        report_id,
        text=f"we protest the shelling of our positions at {village} near aghdam today",
        localities=frozenset({village}),
    )


def news_at_papravend() -> FusionReport:
    return district_day(
        "news",
        channel=Channel.NEWS,
        text="shelling was reported at papravend near aghdam on 26 november officials said",
        localities=PAPRAVEND,
    )


def two_shellings(matcher: IncidentMatcherV6) -> None:
    """Two shellings in Aghdam district that day, each seen by a post that names no village
    and complained of by a party that names one: Sarijali in the morning, Papravend in the
    afternoon."""
    matcher.add_incident(
        "morning", [at("post-1", T0, source_key="post-1"), complaint("complaint-1", "sarijali")]
    )
    matcher.add_incident(
        "afternoon",
        [
            at("post-2", T0 + 5 * 3_600, source_key="post-2"),
            complaint("complaint-2", "papravend"),
        ],
    )


def test_the_incident_s_other_members_name_the_village_under_v7() -> None:
    """A news report of shelling at Papravend that day. Under v6 the morning incident scores
    through its post, which names no village, as well as the afternoon's post, and the
    afternoon's Papravend complaint adds only half a bit: ambiguous, left alone. v7 weighs
    the village against every member: the morning's complaint names Sarijali and none of its
    members Papravend (-3 bits), the afternoon's names Papravend; the report joins the
    afternoon incident, and the decision says so."""
    v6, v7 = IncidentMatcherV6(V6_CONFIG), IncidentMatcherV7(V7_CONFIG)
    for matcher in (v6, v7):
        two_shellings(matcher)
    left = v6.assign(news_at_papravend())
    assert left.created
    linked = v7.assign(news_at_papravend())
    assert (linked.incident_id, linked.created, linked.coarse) == ("afternoon", False, True)
    assert linked.runner_up is not None
    assert linked.incident_score is not None
    assert linked.incident_score - linked.runner_up >= V7_CONFIG.coarse_margin
    record = linked.to_dict()
    assert record["matcher"] == MATCHER_V7_NAME
    assert [(f["name"], f["weight"]) for f in record["incident_features"]] == [
        ("incident_locality", V7_CONFIG.same_locality)
    ]
    assert "incident_features" not in left.to_dict()


def test_members_that_disagree_among_themselves_say_nothing() -> None:
    """An incident whose members name Papravend and Sarijali: a report naming Papravend
    gets neither the same- nor the different-weight from it ("mixed")."""
    matcher = IncidentMatcherV7(V7_CONFIG)
    matcher.add_incident(
        "both", [complaint("complaint-1", "sarijali"), complaint("complaint-2", "papravend")]
    )
    incident = matcher._incidents[0]
    features = matcher.incident_features(news_at_papravend(), incident)
    assert [(f.name, f.weight, f.detail) for f in features] == [
        ("incident_locality", 0.0, "['papravend']: mixed")
    ]
    disagreeing = matcher.incident_features(
        district_day("other", localities=frozenset({"kangarli"}), count=30),
        incident,
    )
    assert [(f.name, f.weight) for f in disagreeing] == [
        ("incident_locality", V7_CONFIG.different_locality)
    ]


def near_papravend(report_id: str) -> FusionReport:
    """A hotline caller "near Papravend" at the hour: the gazetteer's point of the village."""
    lat, lon = offset(*AGHDAM, 6_000, 45)
    return report(
        report_id,
        channel=Channel.PUBLIC_HOTLINE,
        where_precision=2,
        lat=lat,
        lon=lon,
        place_name="papravend",
        place_is_village=is_village("Papravend"),
    )


def test_a_point_near_a_village_is_read_as_near_it() -> None:
    """Under v6 a point "near Papravend" may be 25 km from its event, as "near Aghdam" may;
    v7 gives a village's point an 8 km radius: a post 2 km away still counts for the pair,
    one 7 km away now counts against it, one 15 km away is ruled out by the place gate.
    The caller's view keeps its radius."""
    caller = near_papravend("caller")
    assert caller.place_is_village
    v7 = IncidentMatcherV7(V7_CONFIG)
    prepared = v7.prepare(caller)
    assert prepared.radius == V7_CONFIG.village_radius_m
    assert caller.radius == PLACE_RADIUS_M[2]
    assert caller.lat is not None
    assert caller.lon is not None
    origin = (caller.lat, caller.lon)
    close = report("close", lat=offset(*origin, 2_000, 0)[0], lon=origin[1])
    aside = report("aside", lat=offset(*origin, 7_000, 0)[0], lon=origin[1])
    far = report("far", lat=offset(*origin, 15_000, 0)[0], lon=origin[1])

    def place_weight(config: MatcherConfig, first: FusionReport, second: FusionReport) -> float:
        evidence = compare(first, second, config)
        return sum(f.weight for f in evidence.features if f.name == "place")

    assert place_weight(V7_CONFIG, prepared, close) > 0
    assert place_weight(V7_CONFIG, prepared, aside) < 0 < place_weight(V6_CONFIG, caller, aside)
    assert compare(caller, far, V6_CONFIG).blocked is None
    assert compare(prepared, far, V7_CONFIG).blocked == "place"
    # "Near Aghdam" (a town) keeps the town's radius under v7.
    town = report("town", where_precision=2, place_name="aghdam")
    assert not town.place_is_village
    assert v7.prepare(town).radius == PLACE_RADIUS_M[2]


def test_v7_is_current_and_v6_stays_available() -> None:
    assert CONFIGS[MATCHER_V7_NAME] is V7_CONFIG is CURRENT_CONFIG
    assert type(new_matcher(V7_CONFIG)) is IncidentMatcherV7
    assert type(new_matcher(CONFIGS[MATCHER_V6_NAME])) is IncidentMatcherV6
    assert V7_CONFIG.incident_evidence
    assert not V6_CONFIG.incident_evidence
    assert V6_CONFIG.village_radius_m == 0
