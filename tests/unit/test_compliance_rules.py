"""Compliance rules over the shipped 2020 statement: zone breaches (precision-aware) and
deadlines as amended (the Kalbajar extension)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ceasefire.agreements.loader import check_file
from ceasefire.agreements.model import (
    Agreement,
    Evidence,
    ProvisionStatus,
    SourceInstant,
    StatusChange,
    Zone,
    ZoneKind,
)
from ceasefire.agreements.rules import (
    DEADLINE_OVERDUE,
    WITHDRAWAL_HEAVY_WEAPONS,
    ZONE_BREACH,
    ZoneRule,
    parse_rules,
)
from ceasefire.compliance.model import (
    ComplianceEvaluator,
    DeadlineStatus,
    FindingLevel,
    IncidentFacts,
    deadline_states,
    diff_findings,
)
from ceasefire.errors import InvalidInput
from ceasefire.reports.model import Category
from tests.factories.agreements import NK_ID, shipped_path, utc

AGHDAM = (39.991, 46.927)
AFTER_HANDOVER = utc(2020, 11, 26, 10)
LACHIN_CORRIDOR_MID = (39.7275, 46.6515)  # on the line Stepanakert - Lachin


@pytest.fixture(scope="module")
def agreement() -> Agreement:
    return check_file(shipped_path(NK_ID)).raise_if_invalid()


@pytest.fixture(scope="module")
def evaluator(agreement: Agreement) -> ComplianceEvaluator:
    """The rules the shipped file declares."""
    return ComplianceEvaluator(agreement, agreement.rules)


def shelling(
    *, precision: int, at: datetime = AFTER_HANDOVER, where: tuple[float, float] = AGHDAM
) -> IncidentFacts:
    return IncidentFacts(
        id="inc-1",
        categories=frozenset({Category.SHELLING, Category.EXPLOSION_IMPACT}),
        start=at,
        end=at,
        lat=where[0],
        lon=where[1],
        where_precision=precision,
        actor="ARM",
        attributed=True,
    )


def test_shelling_inside_aghdam_after_handover_breaches_point_1(
    evaluator: ComplianceEvaluator,
) -> None:
    findings = evaluator.incident_findings(shelling(precision=1))
    assert [(f.level, f.provision, f.zone, f.rule, f.party) for f in findings] == [
        (FindingLevel.BREACH, "p1-ceasefire", "aghdam-district", "compliance.zone_breach.v1", "ARM")
    ]
    assert findings[0].incident == "inc-1"
    assert any("attributed to ARM" in r for r in findings[0].reasons)


@pytest.mark.parametrize("precision", [3, 4, 6])
def test_district_level_place_is_only_possible(
    evaluator: ComplianceEvaluator, precision: int
) -> None:
    findings = evaluator.incident_findings(shelling(precision=precision))
    assert [(f.level, f.zone) for f in findings] == [(FindingLevel.POSSIBLE, "aghdam-district")]
    assert any(f"precision {precision}" in r for r in findings[0].reasons)


def test_near_a_place_is_possible_when_its_disc_crosses_the_zone_edge(
    evaluator: ComplianceEvaluator,
) -> None:
    # Precision 2 is "within about 25 km": the 15 km disc of the zone cannot contain it.
    findings = evaluator.incident_findings(shelling(precision=2))
    assert [f.level for f in findings] == [FindingLevel.POSSIBLE]


def test_before_the_handover_no_finding_and_across_it_possible(
    evaluator: ComplianceEvaluator,
) -> None:
    # Aghdam was handed over on 20 Nov (Baku): 19 Nov 20:00 UTC.
    assert evaluator.incident_findings(shelling(precision=1, at=utc(2020, 11, 15))) == []
    across = IncidentFacts(
        "inc-2",
        frozenset({Category.SHELLING}),
        utc(2020, 11, 19, 12),
        utc(2020, 11, 20, 12),
        *AGHDAM,
        where_precision=1,
    )
    [finding] = evaluator.incident_findings(across)
    assert finding.level is FindingLevel.POSSIBLE


def test_outside_every_zone_no_finding(evaluator: ComplianceEvaluator) -> None:
    goris = (39.511, 46.342)
    assert evaluator.incident_findings(shelling(precision=1, where=goris)) == []


def test_other_categories_do_not_breach_a_hostilities_rule(evaluator: ComplianceEvaluator) -> None:
    detention = IncidentFacts(
        "inc-3",
        frozenset({Category.DETENTION_EXCHANGE}),
        utc(2020, 11, 26),
        utc(2020, 11, 26),
        *AGHDAM,
        where_precision=1,
    )
    assert evaluator.incident_findings(detention) == []


@pytest.mark.parametrize(
    ("actor", "expected"),
    [("ARM", [FindingLevel.BREACH]), ("RUS", []), (None, [FindingLevel.POSSIBLE])],
)
def test_corridor_movement_by_anyone_but_the_peacekeepers(
    evaluator: ComplianceEvaluator, actor: str | None, expected: list[FindingLevel]
) -> None:
    movement = IncidentFacts(
        "inc-4",
        frozenset({Category.TROOP_OR_VEHICLE_MOVEMENT}),
        utc(2020, 11, 28),
        utc(2020, 11, 28),
        *LACHIN_CORRIDOR_MID,
        where_precision=1,
        actor=actor,
    )
    findings = evaluator.incident_findings(movement)
    assert [f.level for f in findings] == expected
    assert all(f.provision == "p6-lachin-corridor" for f in findings)


def test_heavy_weapons_in_a_withdrawal_zone_after_its_date(agreement: Agreement) -> None:
    zone = Zone(
        id="withdrawal-test",
        name="A withdrawal zone around Fuzuli",
        kind=ZoneKind.WITHDRAWAL_ZONE,
        geometry={
            "type": "Polygon",
            "coordinates": [[[47.0, 39.5], [47.3, 39.5], [47.3, 39.7], [47.0, 39.7], [47.0, 39.5]]],
        },
        precision="a test square",
        valid_from=SourceInstant.parse("2020-12-01", "Asia/Baku"),
    )
    with_zone = Agreement(**{**_fields(agreement), "zones": (*agreement.zones, zone)})
    rules = parse_rules(
        [
            {
                "id": "heavy-weapons-in-withdrawal-zones",
                "rule": WITHDRAWAL_HEAVY_WEAPONS,
                "provision": "p1-ceasefire",
            }
        ],
        with_zone,
    )
    evaluator = ComplianceEvaluator(with_zone, rules)

    def weapon(at: datetime) -> IncidentFacts:
        return IncidentFacts(
            "inc-5",
            frozenset({Category.HEAVY_WEAPON_IN_VIOLATION}),
            at,
            at,
            39.601,
            47.145,
            where_precision=1,
        )

    assert evaluator.incident_findings(weapon(utc(2020, 11, 25))) == []
    [finding] = evaluator.incident_findings(weapon(utc(2020, 12, 3)))
    assert (finding.level, finding.zone) == (FindingLevel.BREACH, "withdrawal-test")


def _fields(agreement: Agreement) -> dict[str, Any]:
    return {name: getattr(agreement, name) for name in agreement.__dataclass_fields__}


# -- deadlines ------------------------------------------------------------------------------


def kalbajar(agreement: Agreement, at: datetime, days: int = 0) -> DeadlineStatus:
    states = deadline_states(agreement, agreement.rules, at, due_within=timedelta(days=days))
    return next(s.status for s in states if s.provision == "p6-kalbajar")


def test_kalbajar_amended_deadline_is_not_overdue_on_20_november(agreement: Agreement) -> None:
    unfulfilled = agreement.with_history({})
    assert kalbajar(unfulfilled, utc(2020, 11, 20, 12)) is DeadlineStatus.PENDING


def test_kalbajar_overdue_on_26_november_without_fulfilment(agreement: Agreement) -> None:
    unfulfilled = agreement.with_history({})
    [state] = [
        s
        for s in deadline_states(
            unfulfilled, unfulfilled.rules, utc(2020, 11, 26, 12), due_within=timedelta(0)
        )
        if s.provision == "p6-kalbajar"
    ]
    assert state.status is DeadlineStatus.OVERDUE
    assert state.due.isoformat() == "2020-11-25"
    assert state.rule == "compliance.deadline_overdue.v1"
    assert any("amended from 2020-11-15" in r for r in state.reasons)


def test_kalbajar_not_overdue_once_fulfilment_recorded_on_25_november(
    agreement: Agreement,
) -> None:
    fulfilled = agreement.with_history(
        {
            "p6-kalbajar": (
                StatusChange(
                    ProvisionStatus.FULFILLED,
                    SourceInstant.parse("2020-11-25", "Asia/Baku"),
                    (Evidence(source="azerbaijan-mod"),),
                ),
            )
        }
    )
    assert kalbajar(fulfilled, utc(2020, 11, 26, 12)) is DeadlineStatus.FULFILLED


def test_deadline_due_within_days(agreement: Agreement) -> None:
    unfulfilled = agreement.with_history({})
    assert kalbajar(unfulfilled, utc(2020, 11, 23), days=3) is DeadlineStatus.DUE
    assert kalbajar(unfulfilled, utc(2020, 11, 23), days=1) is DeadlineStatus.PENDING


def test_the_amendment_decided_on_15_november_keeps_16_november_clear(
    agreement: Agreement,
) -> None:
    # Without the amendment Kalbajar would be overdue from 16 Nov 00:00 Moscow time.
    unfulfilled = agreement.with_history({})
    assert kalbajar(unfulfilled, utc(2020, 11, 14, 12), days=7) is DeadlineStatus.DUE
    assert kalbajar(unfulfilled, utc(2020, 11, 16, 12)) is DeadlineStatus.PENDING


# -- rules as data --------------------------------------------------------------------------


def test_bad_rules_name_every_field(agreement: Agreement) -> None:
    bad = [
        {
            "id": "x",
            "rule": ZONE_BREACH,
            "provision": "p99",
            "zones": ["nowhere"],
            "categories": ["fireworks"],
            "margin_m": -1,
            "colour": "red",
        },
        {"id": "y", "rule": "compliance.zone_breach.v9"},
        {"id": "z", "rule": DEADLINE_OVERDUE, "provisions": ["p1-ceasefire"]},
    ]
    with pytest.raises(InvalidInput) as caught:
        parse_rules(bad, agreement)
    locs = {d["loc"] for d in caught.value.details}
    assert locs == {
        "rules[0].provision",
        "rules[0].zones[0]",
        "rules[0].categories[0]",
        "rules[0].margin_m",
        "rules[0].colour",
        "rules[1].rule",
        "rules[2].provisions[0]",
    }


def test_re_evaluation_after_a_rule_change_shows_what_changed(agreement: Agreement) -> None:
    rules = agreement.rules
    incident = shelling(precision=1)
    before = ComplianceEvaluator(agreement, rules).incident_findings(incident)
    widened = tuple(
        ZoneRule(**{**_rule_fields(r), "margin_m": 20_000}) if isinstance(r, ZoneRule) else r
        for r in rules
    )
    after = ComplianceEvaluator(agreement, widened).incident_findings(incident)
    diff = diff_findings(before, after)
    assert not diff.added
    assert not diff.removed
    assert [(a.level, b.level) for a, b in diff.changed] == [
        (FindingLevel.BREACH, FindingLevel.POSSIBLE)
    ]
    assert diff_findings(before, before).empty


def _rule_fields(rule: ZoneRule) -> dict[str, Any]:
    return {name: getattr(rule, name) for name in rule.__dataclass_fields__}


@settings(max_examples=60, deadline=None)
@given(
    lat=st.floats(39.80, 40.20),
    lon=st.floats(46.70, 47.15),
    precision=st.integers(3, 7),
)
def test_a_coarse_place_never_yields_a_breach(
    evaluator: ComplianceEvaluator, lat: float, lon: float, precision: int
) -> None:
    findings = evaluator.incident_findings(shelling(precision=precision, where=(lat, lon)))
    assert all(f.level is FindingLevel.POSSIBLE for f in findings)


def test_deadline_states_name_the_overdue_part_and_its_amendment(agreement: Agreement) -> None:
    unfulfilled = agreement.with_history({})
    week = timedelta(days=7)
    on_20th = {
        s.provision: s
        for s in deadline_states(
            unfulfilled, unfulfilled.rules, utc(2020, 11, 20, 12), due_within=week
        )
    }
    kalbajar_20 = on_20th["p6-kalbajar"]
    assert (kalbajar_20.status, kalbajar_20.due.isoformat()) == (DeadlineStatus.DUE, "2020-11-25")
    on_26th = {
        s.provision: s
        for s in deadline_states(
            unfulfilled, unfulfilled.rules, utc(2020, 11, 26, 12), due_within=week
        )
    }
    overdue = on_26th["p6-kalbajar"]
    assert overdue.status is DeadlineStatus.OVERDUE
    assert (overdue.number, overdue.parent) == ("6.1", "p6-districts-and-corridor")
    assert overdue.original_due.isoformat() == "2020-11-15"
    assert [a["due"] for a in overdue.amendments] == ["2020-11-25"]
    shipped = {
        s.provision: s
        for s in deadline_states(agreement, agreement.rules, utc(2020, 11, 26, 12), due_within=week)
    }
    assert shipped["p6-kalbajar"].status is DeadlineStatus.FULFILLED
    assert shipped["p6-kalbajar"].late is False
    assert shipped["p6-lachin"].status is DeadlineStatus.DUE
