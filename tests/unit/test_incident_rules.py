"""Occurrence transitions, attribution, and the three decision rules."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ceasefire.errors import Conflict, InvalidInput
from ceasefire.incidents.model import (
    ALLOWED_TRANSITIONS,
    Assessment,
    Attribution,
    AttributionKind,
    DecisionState,
    Finding,
    IncidentState,
    OccurrenceStatus,
    PresidingMember,
    QuorumByGroup,
    Stance,
    Unanimity,
    apply_decision,
    check_transition,
    current_assessments,
    redact_names,
    rule_from_dict,
)

T0 = datetime(2020, 11, 27, tzinfo=UTC)
VERIFIED_ARM = Finding(OccurrenceStatus.VERIFIED, Attribution(AttributionKind.ATTRIBUTED, "ARM"))
VERIFIED_AZE = Finding(OccurrenceStatus.VERIFIED, Attribution(AttributionKind.ATTRIBUTED, "AZE"))
UNVERIFIABLE = Finding(OccurrenceStatus.UNVERIFIABLE, Attribution(AttributionKind.NOT_ATTRIBUTABLE))
_ids = itertools.count()


def view(
    member: str, stance: Stance, finding: Finding | None = None, minute: int = 0
) -> Assessment:
    return Assessment(
        id=f"a{next(_ids)}",
        member_id=member,
        stance=stance,
        finding=finding,
        rationale="seen on the UAV feed",
        recorded_at=T0 + timedelta(minutes=minute),
    )


def views(*items: Assessment) -> dict[str, Assessment]:
    return current_assessments(items)


def test_every_listed_transition_is_allowed_and_no_other() -> None:
    for current, target in itertools.product(OccurrenceStatus, OccurrenceStatus):
        if target in ALLOWED_TRANSITIONS[current]:
            check_transition(current, target)
        else:
            with pytest.raises(Conflict):
                check_transition(current, target)


def test_no_stage_may_be_skipped() -> None:
    with pytest.raises(Conflict, match="reported to verified"):
        check_transition(OccurrenceStatus.REPORTED, OccurrenceStatus.VERIFIED)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("attributed(ARM)", Attribution(AttributionKind.ATTRIBUTED, "ARM")),
        ("attributed:aze", Attribution(AttributionKind.ATTRIBUTED, "AZE")),
        ("not_attributable", Attribution(AttributionKind.NOT_ATTRIBUTABLE)),
        ("pending", Attribution()),
    ],
)
def test_attributions_parse(text: str, expected: Attribution) -> None:
    assert Attribution.parse(text) == expected


@pytest.mark.parametrize("text", ["attributed", "attributed()", "blame ARM", ""])
def test_bad_attributions_are_refused(text: str) -> None:
    with pytest.raises(InvalidInput):
        Attribution.parse(text)


def test_a_finding_attributes_only_a_verified_incident() -> None:
    with pytest.raises(InvalidInput, match="only a verified"):
        Finding(OccurrenceStatus.UNVERIFIABLE, Attribution(AttributionKind.ATTRIBUTED, "ARM"))
    with pytest.raises(InvalidInput):
        Finding(OccurrenceStatus.REPORTED, Attribution(AttributionKind.NOT_ATTRIBUTABLE))


def test_unanimity_dissent_disputes_and_keeps_both_views() -> None:
    decision = Unanimity().evaluate(
        views(view("turkey", Stance.CONCUR, VERIFIED_ARM), view("russia", Stance.DISSENT)),
        ["russia", "turkey"],
    )
    assert decision.state is DecisionState.DISPUTED
    assert {v.member_id for v in decision.views} == {"russia", "turkey"}
    state = apply_decision(IncidentState(OccurrenceStatus.UNDER_INVESTIGATION), decision)
    assert state.attribution.kind is AttributionKind.DISPUTED
    assert state.status is OccurrenceStatus.UNDER_INVESTIGATION


def test_unanimity_waits_for_every_monitor_then_decides() -> None:
    rule = Unanimity()
    first = views(view("turkey", Stance.CONCUR, VERIFIED_ARM))
    assert rule.evaluate(first, ["russia", "turkey"]).state is DecisionState.PENDING
    both = views(view("turkey", Stance.CONCUR, VERIFIED_ARM), view("russia", Stance.ABSTAIN))
    decision = rule.evaluate(both, ["russia", "turkey"])
    assert decision.state is DecisionState.DECIDED
    assert decision.finding == VERIFIED_ARM
    state = apply_decision(IncidentState(OccurrenceStatus.UNDER_INVESTIGATION), decision)
    assert state == IncidentState(OccurrenceStatus.VERIFIED, VERIFIED_ARM.attribution)


def test_a_later_assessment_supersedes_the_earlier_one() -> None:
    history = [
        view("turkey", Stance.CONCUR, VERIFIED_ARM, minute=0),
        view("russia", Stance.DISSENT, minute=1),
        view("russia", Stance.CONCUR, VERIFIED_ARM, minute=5),
    ]
    current = current_assessments(history)
    assert current["russia"].stance is Stance.CONCUR
    assert Unanimity().evaluate(current, ["russia", "turkey"]).state is DecisionState.DECIDED


def test_concurring_on_different_findings_is_a_dispute() -> None:
    decision = Unanimity().evaluate(
        views(
            view("turkey", Stance.CONCUR, VERIFIED_ARM), view("russia", Stance.CONCUR, VERIFIED_AZE)
        ),
        ["russia", "turkey"],
    )
    assert decision.state is DecisionState.DISPUTED


def test_quorum_3_3_1() -> None:
    rule = rule_from_dict(
        {
            "kind": "quorum_by_group",
            "groups": [
                {"name": "government", "required": 3, "members": ["g1", "g2", "g3", "g4"]},
                {"name": "armed", "required": 3, "members": ["e1", "e2", "e3"]},
                {"name": "civil", "required": 1, "members": ["c1"]},
            ],
        }
    )
    some = [view(m, Stance.CONCUR, UNVERIFIABLE) for m in ("g1", "g2", "g3", "e1", "e2", "e3")]
    assert rule.evaluate(views(*some), []).state is DecisionState.PENDING
    full = views(*some, view("c1", Stance.CONCUR, UNVERIFIABLE))
    assert rule.evaluate(full, []).state is DecisionState.DECIDED
    disputed = views(*some, view("c1", Stance.CONCUR, UNVERIFIABLE), view("g4", Stance.DISSENT))
    assert rule.evaluate(disputed, []).state is DecisionState.DISPUTED


def test_presiding_member_settles_a_dispute() -> None:
    rule = PresidingMember(presiding="un", voters=("colombia", "farc"))
    split = views(view("colombia", Stance.CONCUR, VERIFIED_AZE), view("farc", Stance.DISSENT))
    assert rule.evaluate(split, []).state is DecisionState.DISPUTED
    settled = rule.evaluate(views(*split.values(), view("un", Stance.CONCUR, UNVERIFIABLE)), [])
    assert settled.state is DecisionState.DECIDED
    assert settled.settled_by == "un"
    assert settled.finding == UNVERIFIABLE
    assert len(settled.views) == 3


def test_rules_parse_from_configuration_and_name_bad_fields() -> None:
    assert isinstance(rule_from_dict({"kind": "unanimity"}), Unanimity)
    quorum = rule_from_dict(
        {"kind": "quorum_by_group", "groups": [{"name": "a", "required": 2, "members": ["x", "y"]}]}
    )
    assert isinstance(quorum, QuorumByGroup)
    with pytest.raises(InvalidInput) as info:
        rule_from_dict(
            {"kind": "quorum_by_group", "groups": [{"name": "a", "required": 3, "members": ["x"]}]}
        )
    assert info.value.details[0]["loc"] == "groups.0.required"
    with pytest.raises(InvalidInput):
        rule_from_dict({"kind": "majority"})
    with pytest.raises(InvalidInput) as info:
        rule_from_dict({"kind": "presiding_member"})
    assert info.value.details[0]["loc"] == "presiding"


stances = st.sampled_from(list(Stance))
findings = st.sampled_from([VERIFIED_ARM, VERIFIED_AZE, UNVERIFIABLE])


@given(st.lists(st.tuples(stances, findings), min_size=1, max_size=5))
def test_unanimity_never_decides_over_a_dissent(choices: list[tuple[Stance, Finding]]) -> None:
    members = [f"m{i}" for i in range(len(choices))]
    current = views(
        *(
            view(m, s, f if s is Stance.CONCUR else None)
            for m, (s, f) in zip(members, choices, strict=True)
        )
    )
    decision = Unanimity().evaluate(current, members)
    concurring = {f for s, f in choices if s is Stance.CONCUR}
    if any(s is Stance.DISSENT for s, _ in choices) or len(concurring) > 1:
        assert decision.state is DecisionState.DISPUTED
    elif concurring:
        assert decision.state is DecisionState.DECIDED
        assert decision.finding in concurring
    else:
        assert decision.state is DecisionState.PENDING
    assert len(decision.views) == len(choices)


def test_names_of_persons_are_withheld() -> None:
    text = "Team of Col. Ivan Petrov and Maj. Ayşe Demir found craters."
    redacted = redact_names(text, ["Ivan Petrov", "Ayşe Demir"])
    assert redacted == "Team of Col. [name withheld] and Maj. [name withheld] found craters."
