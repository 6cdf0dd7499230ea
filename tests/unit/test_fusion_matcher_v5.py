"""``fusion.matcher.v5``: v4's decisions on sharper time evidence (the closeness of two
windows cubed). Each behaviour is checked against v4, which lacks it."""

from __future__ import annotations

from ceasefire.fusion.matcher import (
    CONFIGS,
    IncidentMatcherV4,
    IncidentMatcherV5,
    new_matcher,
)
from ceasefire.fusion.model import (
    MATCHER_V4_NAME,
    MATCHER_V5_NAME,
    V4_CONFIG,
    V5_CONFIG,
    compare,
    pair_score,
)
from tests.unit.test_fusion_matcher import T0
from tests.unit.test_fusion_matcher_v2 import at


def time_weight(config: object, gap_s: float) -> float:
    """The time feature's bits for two ten-minute exact windows ``gap_s`` apart."""
    evidence = compare(at("a", T0), at("b", T0 + 600 + gap_s), config)  # type: ignore[arg-type]
    (feature,) = (f for f in evidence.features if f.name == "time")
    return feature.weight


def test_v5_says_more_of_the_same_minute_and_less_of_a_wide_gap() -> None:
    # Tolerance of two exact windows: 2 hours. v4 is linear from -1.5 to +2.5 bits.
    assert time_weight(V4_CONFIG, 0) == 2.5
    assert time_weight(V5_CONFIG, 0) == 3.5
    # An hour apart (half the tolerance): v4 still counts it for, v5 against.
    assert time_weight(V4_CONFIG, 3_600) == 0.5
    assert round(time_weight(V5_CONFIG, 3_600), 4) == round(-2 + 5.5 * 0.5**3, 4)
    assert time_weight(V5_CONFIG, 3_600) < 0
    # Past the tolerance both gates rule the pair out.
    assert pair_score(at("a", T0), at("b", T0 + 600 + 7_300), V5_CONFIG) == float("-inf")


def test_a_post_an_hour_after_an_incident_opens_its_own_under_v5() -> None:
    """Two posts saw shelling at 10:30; a third post reports shelling at the same place an
    hour and a quarter later. v4 links it (the linear time evidence still adds); v5 opens
    an incident for it: sources of one event disagree by minutes, not an hour."""
    morning = [at("a1", T0, source_key="p1"), at("a2", T0 + 120, source_key="p2")]
    later = at("late", T0 + 600 + 4_500, source_key="p3")
    v4 = IncidentMatcherV4(V4_CONFIG)
    v4.add_incident("morning", morning)
    linked = v4.assign(later)
    assert (linked.incident_id, linked.created) == ("morning", False)

    v5 = IncidentMatcherV5(V5_CONFIG)
    v5.add_incident("morning", morning)
    opened = v5.assign(later)
    assert opened.created
    assert opened.matcher == MATCHER_V5_NAME


def test_the_same_minute_links_under_both() -> None:
    morning = [at("a1", T0, source_key="p1"), at("a2", T0 + 120, source_key="p2")]
    for matcher in (IncidentMatcherV4(V4_CONFIG), IncidentMatcherV5(V5_CONFIG)):
        matcher.add_incident("morning", morning)
        assert not matcher.assign(at("same", T0 + 60, source_key="p3")).created


def test_v5_is_named_and_v4_stays_available() -> None:
    assert CONFIGS[MATCHER_V5_NAME] is V5_CONFIG
    assert type(new_matcher(V5_CONFIG)) is IncidentMatcherV5
    assert type(new_matcher(CONFIGS[MATCHER_V4_NAME])) is IncidentMatcherV4
    # v4's time evidence is unchanged (linear): the power is 1 there.
    assert V4_CONFIG.time_power == 1.0
