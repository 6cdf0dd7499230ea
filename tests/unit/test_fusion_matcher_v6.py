"""``fusion.matcher.v6``: a coarse report's rivals are the anchored incidents (a precise
member, or more than one member), and the text counts only when near-identical. Each
behaviour is checked against v5, which lacks it."""

from __future__ import annotations

from ceasefire.fusion.matcher import (
    CONFIGS,
    CURRENT_CONFIG,
    IncidentMatcherV5,
    IncidentMatcherV6,
    new_matcher,
)
from ceasefire.fusion.model import (
    MATCHER_V5_NAME,
    MATCHER_V6_NAME,
    V5_CONFIG,
    V6_CONFIG,
    FusionReport,
    compare,
    normalise_text,
)
from ceasefire.reports.model import Channel
from tests.unit.test_fusion_matcher import T0
from tests.unit.test_fusion_matcher_v2 import at, district_day


def news_left_alone(report_id: str = "news") -> FusionReport:
    """A news report of shelling "in Aghdam district" that day, worded unlike a complaint:
    what v5 leaves alone when two incidents of the day fit it alike."""
    return district_day(
        report_id,
        channel=Channel.NEWS,
        text="residents of aghdam district describe shelling that day officials said",
    )


def test_an_incident_of_one_coarse_report_is_no_rival_under_v6() -> None:
    """A complaint of shelling in Aghdam district that day scores alike with the post's
    incident and with an earlier news report of the district left alone. v5 sees a tie and
    leaves the complaint alone too; v6 does not count the news report's incident as a
    rival, links the complaint to the post's, and names the score it set aside."""
    assignments = {}
    for matcher in (IncidentMatcherV5(V5_CONFIG), IncidentMatcherV6(V6_CONFIG)):
        matcher.add_incident("shelling", [at("post", T0, source_key="post-1")])
        matcher.add_incident("alone", [news_left_alone()])
        assignments[matcher.name] = matcher.assign(district_day("complaint"))
    v5, v6 = assignments[MATCHER_V5_NAME], assignments[MATCHER_V6_NAME]
    assert v5.created
    assert v5.runner_up == v5.incident_score
    assert (v6.incident_id, v6.created, v6.coarse) == ("shelling", False, True)
    assert v6.evidence is not None
    assert v6.evidence.other_id == "post"
    assert v6.runner_up is not None
    assert v6.incident_score is not None
    assert v6.runner_up < v6.incident_score
    record = v6.to_dict()
    assert record["matcher"] == MATCHER_V6_NAME
    assert record["set_aside"] == v5.runner_up
    assert "set_aside" not in v5.to_dict()


def test_two_anchored_incidents_still_leave_a_coarse_report_alone() -> None:
    """Two shellings in Aghdam district that day, each with a post: a complaint that fits
    both alike is left alone under v6 too, and nothing is set aside."""
    matcher = IncidentMatcherV6(V6_CONFIG)
    matcher.add_incident("morning", [at("post-1", T0, source_key="post-1")])
    matcher.add_incident("afternoon", [at("post-2", T0 + 5 * 3_600, source_key="post-2")])
    assignment = matcher.assign(district_day("complaint"))
    assert assignment.created
    assert assignment.set_aside is None


def test_the_best_incident_of_one_coarse_report_keeps_every_rival() -> None:
    """When the best incident is itself one coarse report, v6 decides as v5 does: the
    incident holding the post is still its rival."""
    complaint = district_day("complaint")
    for matcher in (IncidentMatcherV5(V5_CONFIG), IncidentMatcherV6(V6_CONFIG)):
        matcher.add_incident("alone", [district_day("earlier")])
        matcher.add_incident("shelling", [at("post", T0, source_key="post-1")])
        ranking = matcher.rank(complaint)
        assert ranking.incident_id == "alone"
        assert ranking.set_aside is None
        assert ranking.runner_up > float("-inf")


WIRE = (
    "Shelling was reported at Papravend near Aghdam on 12 November, officials said (Reuters). "
    "Residents described 12 blasts."
)


def text_weight(config: object, first: str, second: str) -> float:
    """The text feature's bits for two news reports of Aghdam district that day (0 when the
    pair has no text feature)."""
    evidence = compare(
        district_day("a", channel=Channel.NEWS, text=normalise_text(first)),
        district_day("b", channel=Channel.NEWS, text=normalise_text(second)),
        config,  # type: ignore[arg-type]
    )
    return sum(f.weight for f in evidence.features if f.name == "text")


def test_v6_counts_a_reprint_and_not_a_shared_template() -> None:
    """Another event written to the same formula (another village, wire and count) shares
    85 % of the words: v5 counts it for, v6 not. A reprint of the wire story (one word
    added) counts more under v6."""
    other_event = WIRE.replace("Papravend", "Sarijali").replace("Reuters", "AFP")
    other_event = other_event.replace("12 blasts", "30 blasts")
    assert text_weight(V5_CONFIG, WIRE, other_event) > 0
    assert text_weight(V6_CONFIG, WIRE, other_event) == 0
    reprint = WIRE.replace(" at ", " at the ", 1)
    assert text_weight(V6_CONFIG, WIRE, reprint) > text_weight(V5_CONFIG, WIRE, reprint) + 1
    assert round(text_weight(V6_CONFIG, WIRE, WIRE), 6) == 4.0


def test_v6_and_v5_stay_available() -> None:
    assert CONFIGS[MATCHER_V6_NAME] is V6_CONFIG is not CURRENT_CONFIG
    assert type(new_matcher(V6_CONFIG)) is IncidentMatcherV6
    assert type(new_matcher(CONFIGS[MATCHER_V5_NAME])) is IncidentMatcherV5
    assert V6_CONFIG.anchored_rivals
    assert not V5_CONFIG.anchored_rivals
