"""Compliance rules: what in an agreement an incident or a missed deadline breaches.

Rules are declared in the agreement file (proposed section ``rules``, docs/compliance.md),
each tied to a provision and, for zone rules, to zones; each names the versioned rule it
applies, like the NLP components (``compliance.zone_breach.v1``), so a stored finding says
which version produced it. A behaviour change becomes ``v2``; ``v1`` findings stay as made.

- ``compliance.zone_breach.v1``: an incident of one of the rule's categories inside one of
  its zones, from an instant on (a fixed instant, the provision's fulfilment — "after the
  handover" — or the zone's own validity), by anyone but the exempt actors.
- ``compliance.deadline_overdue.v1``: a provision with a deadline and no fulfilment recorded
  by the end of its due day (as amended by then) is overdue; within ``due_within`` of it, due.

Evaluation is precision-aware. A zone breach needs the incident's place known well enough
that its uncertainty disc (by UCDP precision: 1 km exact, 25 km near a place), widened by the
rule's margin for the zone's own approximation, lies inside the zone. A location known only to
the district, region or country (precision 3 or coarser) never yields a breach by itself: at
most a ``possible`` finding, as does a disc across the zone's edge, a time window across the
rule's start, or an unknown actor where some actors are exempt.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry

from ceasefire.agreements.geometry import LocalProjection
from ceasefire.agreements.model import (
    OPEN_STATUSES,
    Agreement,
    Provision,
    ProvisionStatus,
    SourceInstant,
    Zone,
    ZoneKind,
    iso,
)
from ceasefire.errors import InvalidInput, problem
from ceasefire.reports.model import Category

ZONE_BREACH = "compliance.zone_breach.v1"
DEADLINE_OVERDUE = "compliance.deadline_overdue.v1"
RULE_NAMES = frozenset({ZONE_BREACH, DEADLINE_OVERDUE})

LOCATION_UNCERTAINTY_M: Mapping[int, float] = {
    1: 1_000.0,  # an exact point is still an observation from a distance
    2: 25_000.0,  # UCDP where_prec 2: within about 25 km of the named place
}
"""Radius of the disc an incident's place may lie in, for precisions with a usable point.
Coarser precisions (district, region, country...) never place an incident inside a zone."""

CATEGORY_GROUPS: Mapping[str, frozenset[Category]] = {
    "hostilities": frozenset(
        {
            Category.EXPLOSION_UNDETERMINED,
            Category.EXPLOSION_IMPACT,
            Category.EXPLOSION_OUTGOING,
            Category.EXPLOSION_AIRBURST,
            Category.PROJECTILE,
            Category.SHELLING,
            Category.DRONE_STRIKE,
            Category.ARMED_CLASH,
            Category.SMALL_ARMS_FIRE,
            Category.HEAVY_MACHINE_GUN_FIRE,
            Category.MUZZLE_FLASH,
        }
    ),
    "military_movement": frozenset(
        {Category.TROOP_OR_VEHICLE_MOVEMENT, Category.HEAVY_WEAPON_IN_VIOLATION}
    ),
    "heavy_weapons": frozenset({Category.HEAVY_WEAPON_IN_VIOLATION}),
}
"""Names a rule may use for several categories (PLOVER's ASSAULT/FIGHT are ``hostilities``)."""


class FindingLevel(StrEnum):
    BREACH = "breach"
    POSSIBLE = "possible"
    OVERDUE = "overdue"
    DUE = "due"


# -- rules ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RuleStart:
    """When a zone rule starts to apply: a fixed instant, the recorded fulfilment of a
    provision (the handover of a district), or (neither) the zone's validity."""

    at: SourceInstant | None = None
    fulfilled: str | None = None

    def instant(self, agreement: Agreement) -> datetime | bool | None:
        """The start instant; ``None`` for "from the zone's validity"; ``False`` while the
        provision it waits for has no fulfilment recorded (the rule does not apply yet)."""
        if self.at is not None:
            return self.at.at
        if self.fulfilled is None:
            return None
        provision = agreement.provision(self.fulfilled)
        assert provision is not None  # checked when the rule was parsed
        starts = [
            change.at.at
            for change in provision.status_history
            if change.status is ProvisionStatus.FULFILLED
        ]
        return min(starts) if starts else False

    def to_dict(self) -> dict[str, Any]:
        if self.at is not None:
            return {"at": self.at.to_dict()}
        if self.fulfilled is not None:
            return {"fulfilled": self.fulfilled}
        return {"zone_valid_from": True}


@dataclass(frozen=True, slots=True)
class ZoneRule:
    """``compliance.zone_breach.v1``: incidents of ``categories`` inside ``zones`` (or zones
    of ``zone_kinds``) from ``starts`` on breach ``provision``, unless by an exempt actor."""

    id: str
    provision: str
    zones: tuple[str, ...]
    categories: frozenset[Category]
    starts: RuleStart = field(default_factory=RuleStart)
    exempt_actors: frozenset[str] = frozenset()
    margin_m: float = 0.0
    """Uncertainty of the zone's own boundary (the shipped zones are approximations)."""
    zone_kinds: tuple[ZoneKind, ...] = ()
    note: str | None = None
    rule: str = ZONE_BREACH


@dataclass(frozen=True, slots=True)
class DeadlineRule:
    """``compliance.deadline_overdue.v1`` over ``provisions`` (their deadlines as amended)."""

    id: str
    provisions: tuple[str, ...]
    note: str | None = None
    rule: str = DEADLINE_OVERDUE


Rule = ZoneRule | DeadlineRule

_ZONE_RULE_FIELDS = frozenset(
    {
        "id",
        "rule",
        "provision",
        "zones",
        "zone_kinds",
        "categories",
        "from",
        "exempt_actors",
        "margin_m",
        "note",
    }
)
_DEADLINE_RULE_FIELDS = frozenset({"id", "rule", "provisions", "provision_kinds", "note"})


def parse_rules(data: Any, agreement: Agreement) -> tuple[Rule, ...]:
    """The ``rules`` section of an agreement file; ``InvalidInput`` naming every problem
    by its path (``rules.0.zones.1``)."""
    problems: list[dict[str, Any]] = []
    if not isinstance(data, list):
        raise InvalidInput(
            "rules must be a list", details=[problem("rules", "must be a list of rules")]
        )
    rules: list[Rule] = []
    seen: set[str] = set()
    for index, raw in enumerate(data):
        loc = f"rules.{index}"
        if not isinstance(raw, Mapping):
            problems.append(problem(loc, "must be a mapping"))
            continue
        rule_id = raw.get("id")
        if not isinstance(rule_id, str) or not rule_id:
            problems.append(problem(f"{loc}.id", "required: a non-empty text"))
            rule_id = f"#{index}"
        elif rule_id in seen:
            problems.append(problem(f"{loc}.id", f"duplicate rule id {rule_id!r}"))
        seen.add(rule_id)
        name = raw.get("rule")
        if name == ZONE_BREACH:
            parsed: Rule | None = _zone_rule(raw, loc, rule_id, agreement, problems)
        elif name == DEADLINE_OVERDUE:
            parsed = _deadline_rule(raw, loc, rule_id, agreement, problems)
        else:
            problems.append(
                problem(
                    f"{loc}.rule", f"unknown rule {name!r}; known: {', '.join(sorted(RULE_NAMES))}"
                )
            )
            continue
        if parsed is not None:
            rules.append(parsed)
    if problems:
        raise InvalidInput(
            f"{len(problems)} problem(s) in the compliance rules of {agreement.id}",
            details=problems,
        )
    return tuple(rules)


def _unknown_fields(
    raw: Mapping[str, Any], allowed: frozenset[str], loc: str, problems: list[dict[str, Any]]
) -> None:
    problems += [problem(f"{loc}.{key}", "unknown field") for key in raw if key not in allowed]


def _text_list(value: Any, loc: str, problems: list[dict[str, Any]]) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.append(problem(loc, "must be a list of texts"))
        return []
    return list(value)


def _zone_rule(
    raw: Mapping[str, Any],
    loc: str,
    rule_id: str,
    agreement: Agreement,
    problems: list[dict[str, Any]],
) -> ZoneRule | None:
    _unknown_fields(raw, _ZONE_RULE_FIELDS, loc, problems)
    before = len(problems)
    provision_id = raw.get("provision")
    if not isinstance(provision_id, str) or agreement.provision(provision_id) is None:
        problems.append(problem(f"{loc}.provision", f"no provision {provision_id!r}"))
    known_zones = {z.id for z in agreement.zones}
    zones = _text_list(raw.get("zones"), f"{loc}.zones", problems)
    for i, zone_id in enumerate(zones):
        if zone_id not in known_zones:
            problems.append(problem(f"{loc}.zones.{i}", f"no zone {zone_id!r}"))
    kinds: list[ZoneKind] = []
    for i, kind in enumerate(_text_list(raw.get("zone_kinds"), f"{loc}.zone_kinds", problems)):
        try:
            kinds.append(ZoneKind(kind))
        except ValueError:
            allowed = ", ".join(k.value for k in ZoneKind)
            problems.append(problem(f"{loc}.zone_kinds.{i}", f"unknown {kind!r}; one of {allowed}"))
    if not zones and not kinds and "zone_kinds" not in raw:
        problems.append(problem(f"{loc}.zones", "name zones or zone_kinds"))
    categories: set[Category] = set()
    names = _text_list(raw.get("categories"), f"{loc}.categories", problems)
    if not names:
        problems.append(problem(f"{loc}.categories", "required: categories or groups"))
    for i, name in enumerate(names):
        if name in CATEGORY_GROUPS:
            categories |= CATEGORY_GROUPS[name]
            continue
        try:
            categories.add(Category(name))
        except ValueError:
            problems.append(
                problem(
                    f"{loc}.categories.{i}",
                    f"unknown {name!r}: a report category or one of "
                    f"{', '.join(sorted(CATEGORY_GROUPS))}",
                )
            )
    starts = _rule_start(raw.get("from"), f"{loc}.from", agreement, problems)
    exempt = _text_list(raw.get("exempt_actors"), f"{loc}.exempt_actors", problems)
    margin = raw.get("margin_m", 0)
    if isinstance(margin, bool) or not isinstance(margin, int | float) or margin < 0:
        problems.append(problem(f"{loc}.margin_m", "must be a number of metres ≥ 0"))
        margin = 0
    note = raw.get("note")
    if len(problems) > before:
        return None
    assert isinstance(provision_id, str)
    return ZoneRule(
        id=rule_id,
        provision=provision_id,
        zones=tuple(zones),
        categories=frozenset(categories),
        starts=starts,
        exempt_actors=frozenset(exempt),
        margin_m=float(margin),
        zone_kinds=tuple(kinds),
        note=note if isinstance(note, str) else None,
    )


def _rule_start(
    value: Any, loc: str, agreement: Agreement, problems: list[dict[str, Any]]
) -> RuleStart:
    if value is None:
        return RuleStart()
    time_zone = agreement.effective.time_zone
    if isinstance(value, str):
        try:
            return RuleStart(at=SourceInstant.parse(value, time_zone))
        except ValueError as exc:
            problems.append(problem(loc, str(exc)))
            return RuleStart()
    if isinstance(value, Mapping) and set(value) == {"fulfilled"}:
        provision_id = value["fulfilled"]
        if not isinstance(provision_id, str) or agreement.provision(provision_id) is None:
            problems.append(problem(f"{loc}.fulfilled", f"no provision {provision_id!r}"))
            return RuleStart()
        return RuleStart(fulfilled=provision_id)
    if isinstance(value, Mapping) and "local" in value:
        try:
            return RuleStart(
                at=SourceInstant.parse(str(value["local"]), str(value.get("time_zone", time_zone)))
            )
        except ValueError as exc:
            problems.append(problem(loc, str(exc)))
            return RuleStart()
    problems.append(
        problem(loc, "an instant (local text or {local, time_zone}) or {fulfilled: PROVISION}")
    )
    return RuleStart()


def _deadline_rule(
    raw: Mapping[str, Any],
    loc: str,
    rule_id: str,
    agreement: Agreement,
    problems: list[dict[str, Any]],
) -> DeadlineRule | None:
    _unknown_fields(raw, _DEADLINE_RULE_FIELDS, loc, problems)
    before = len(problems)
    ids = _text_list(raw.get("provisions"), f"{loc}.provisions", problems)
    for i, provision_id in enumerate(ids):
        found = agreement.provision(provision_id)
        if found is None:
            problems.append(problem(f"{loc}.provisions.{i}", f"no provision {provision_id!r}"))
        elif found.deadline is None:
            problems.append(problem(f"{loc}.provisions.{i}", f"{provision_id} has no deadline"))
    kinds = _text_list(raw.get("provision_kinds"), f"{loc}.provision_kinds", problems)
    for provision in agreement.all_provisions():
        if provision.kind.value in kinds and provision.deadline is not None:
            ids.append(provision.id)
    if not ids and len(problems) == before:
        problems.append(problem(f"{loc}.provisions", "names no provision with a deadline"))
    note = raw.get("note")
    if len(problems) > before:
        return None
    return DeadlineRule(
        rule_id, tuple(dict.fromkeys(ids)), note=note if isinstance(note, str) else None
    )


# -- incidents ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IncidentFacts:
    """What a zone rule needs of an incident (the service derives it from its reports).

    ``lat``/``lon``/``where_precision``: the most precise located report (a district-level
    report carries the district's centre and precision 3). ``actor``: the attributed party,
    else the alleged perpetrator; ``attributed`` says which.
    """

    id: str
    categories: frozenset[Category]
    start: datetime
    end: datetime
    lat: float | None
    lon: float | None
    where_precision: int
    actor: str | None = None
    attributed: bool = False


@dataclass(frozen=True, slots=True)
class Finding:
    """A rule's finding: which rule (and version), level, provision, zone, incident, why."""

    rule_id: str
    rule: str
    level: FindingLevel
    provision: str
    zone: str | None = None
    incident: str | None = None
    party: str | None = None
    reasons: tuple[str, ...] = ()
    due: str | None = None
    """For deadline findings: the due date in force (ISO date)."""

    @property
    def key(self) -> tuple[str, str, str | None, str | None]:
        """What identifies a finding across re-evaluations (its level may change)."""
        return (self.rule_id, self.provision, self.zone, self.incident)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "rule": self.rule,
            "level": self.level.value,
            "provision": self.provision,
            "zone": self.zone,
            "incident": self.incident,
            "party": self.party,
            "reasons": list(self.reasons),
            "due": self.due,
        }


class ZoneGeometry:
    """A zone's geometry in metres (a local projection around it), for distance tests."""

    def __init__(self, zone: Zone) -> None:
        self.zone = zone
        degrees: BaseGeometry = shape(zone.geometry)
        centre = degrees.centroid
        self.projection = LocalProjection(centre.x, centre.y)
        self.metres: BaseGeometry = self.projection.to_metres(degrees)
        self.boundary: BaseGeometry = self.metres.boundary

    def placement(self, lat: float, lon: float, uncertainty_m: float) -> str:
        """``inside`` (the whole disc), ``edge`` (the disc meets the zone) or ``outside``."""
        point = Point(self.projection.forward(lon, lat))
        if self.metres.contains(point) and self.boundary.distance(point) >= uncertainty_m:
            return "inside"
        if self.metres.distance(point) <= uncertainty_m:
            return "edge"
        return "outside"


class ComplianceEvaluator:
    """Evaluates an agreement's rules (zone geometries prepared once)."""

    def __init__(self, agreement: Agreement, rules: Sequence[Rule]) -> None:
        self.agreement = agreement
        self.rules = tuple(rules)
        self._zones = {z.id: ZoneGeometry(z) for z in agreement.zones}

    def _rule_zones(self, rule: ZoneRule) -> list[ZoneGeometry]:
        ids = list(rule.zones) + [
            z.id
            for z in self.agreement.zones
            if z.kind in rule.zone_kinds and z.id not in rule.zones
        ]
        return [self._zones[i] for i in ids]

    def incident_findings(self, incident: IncidentFacts) -> list[Finding]:
        """Every zone rule's finding about ``incident`` (breach or possible)."""
        findings: list[Finding] = []
        for rule in self.rules:
            if isinstance(rule, ZoneRule):
                findings += self._zone_findings(rule, incident)
        return findings

    def _zone_findings(self, rule: ZoneRule, incident: IncidentFacts) -> list[Finding]:
        categories = incident.categories & rule.categories
        if not categories:
            return []
        starts = rule.starts.instant(self.agreement)
        if starts is False:
            return []  # waits for a fulfilment not recorded
        reasons_common = [f"category {', '.join(sorted(c.value for c in categories))}"]
        doubts_common: list[str] = []
        if rule.exempt_actors:
            if incident.actor is None:
                doubts_common.append(
                    f"actor unknown: may be exempt ({', '.join(sorted(rule.exempt_actors))})"
                )
            elif incident.actor in rule.exempt_actors:
                return []
        if incident.actor is not None:
            which = "attributed to" if incident.attributed else "alleged against"
            reasons_common.append(f"{which} {incident.actor}")
        findings: list[Finding] = []
        for geometry in self._rule_zones(rule):
            zone = geometry.zone
            reasons, doubts = list(reasons_common), list(doubts_common)
            start = starts if isinstance(starts, datetime) else _zone_start(zone, self.agreement)
            if incident.end < start:
                continue
            if not _zone_valid_during(zone, incident.start, incident.end):
                continue
            if incident.start >= start:
                reasons.append(f"after {iso(start)}")
            else:
                doubts.append(
                    f"time window {iso(incident.start)}-{iso(incident.end)} spans {iso(start)}"
                )
            level = self._place(rule, geometry, incident, reasons, doubts)
            if level is None:
                continue
            if doubts:
                level = FindingLevel.POSSIBLE
            findings.append(
                Finding(
                    rule_id=rule.id,
                    rule=rule.rule,
                    level=level,
                    provision=rule.provision,
                    zone=zone.id,
                    incident=incident.id,
                    party=incident.actor,
                    reasons=tuple(reasons + doubts),
                )
            )
        return findings

    @staticmethod
    def _place(
        rule: ZoneRule,
        geometry: ZoneGeometry,
        incident: IncidentFacts,
        reasons: list[str],
        doubts: list[str],
    ) -> FindingLevel | None:
        if incident.lat is None or incident.lon is None:
            return None  # no place at all: nothing to say about a zone
        precision = incident.where_precision
        if precision in LOCATION_UNCERTAINTY_M:
            uncertainty = LOCATION_UNCERTAINTY_M[precision] + rule.margin_m
            placement = geometry.placement(incident.lat, incident.lon, uncertainty)
            if placement == "outside":
                return None
            detail = f"precision {precision} (±{uncertainty:.0f} m with the zone's margin)"
            if placement == "inside":
                reasons.append(f"inside {geometry.zone.id}, {detail}")
                return FindingLevel.BREACH
            doubts.append(f"may be inside {geometry.zone.id}: {detail} crosses its edge")
            return FindingLevel.POSSIBLE
        # District, region, country: never a breach by itself, at most possible when the
        # area's point is in or near the zone.
        coarse = geometry.placement(incident.lat, incident.lon, rule.margin_m)
        if coarse == "outside":
            return None
        doubts.append(
            f"location known only to precision {precision}: cannot place it inside "
            f"{geometry.zone.id}"
        )
        return FindingLevel.POSSIBLE

    def deadline_findings(
        self, as_of: datetime, *, due_within: timedelta = timedelta(0)
    ) -> list[Finding]:
        """Overdue provisions (no fulfilment recorded by the end of the due day in force at
        ``as_of``) and, with ``due_within``, those due within that time."""
        findings: list[Finding] = []
        for rule in self.rules:
            if not isinstance(rule, DeadlineRule):
                continue
            for provision_id in rule.provisions:
                provision = self.agreement.provision(provision_id)
                assert provision is not None  # checked when the rule was parsed
                finding = _deadline_finding(rule, provision, as_of, due_within)
                if finding is not None:
                    findings.append(finding)
        return findings


def _zone_start(zone: Zone, agreement: Agreement) -> datetime:
    return zone.valid_from.at if zone.valid_from is not None else agreement.effective.at


def _zone_valid_during(zone: Zone, start: datetime, end: datetime) -> bool:
    if zone.valid_until is not None and start >= zone.valid_until.at:
        return False
    return zone.valid_from is None or end >= zone.valid_from.at


def _deadline_finding(
    rule: DeadlineRule, provision: Provision, as_of: datetime, due_within: timedelta
) -> Finding | None:
    deadline = provision.deadline
    assert deadline is not None
    if provision.recorded_status_as_of(as_of) not in OPEN_STATUSES:
        return None
    due = deadline.due_as_of(as_of)
    ends = deadline.overdue_after(due)
    amended = [a for a in deadline.amendments if a.decided.at <= as_of]
    reasons = [f"due {due.isoformat()} ({deadline.time_zone}), overdue from {iso(ends)}"]
    if amended:
        reasons.append(
            f"amended from {deadline.original.isoformat()} on {amended[-1].decided.local}"
        )
    reasons.append("no fulfilment recorded")
    if as_of >= ends:
        level = FindingLevel.OVERDUE
    elif as_of + due_within >= ends:
        level = FindingLevel.DUE
    else:
        return None
    return Finding(
        rule_id=rule.id,
        rule=rule.rule,
        level=level,
        provision=provision.id,
        reasons=tuple(reasons),
        due=due.isoformat(),
    )


@dataclass(frozen=True, slots=True)
class FindingsDiff:
    """What re-evaluating changed: findings added, removed, and changed in level."""

    added: tuple[Finding, ...]
    removed: tuple[Finding, ...]
    changed: tuple[tuple[Finding, Finding], ...]

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def diff_findings(before: Iterable[Finding], after: Iterable[Finding]) -> FindingsDiff:
    """Compare two evaluations (e.g. before and after a rule or zone changed)."""
    old = {f.key: f for f in before}
    new = {f.key: f for f in after}
    return FindingsDiff(
        added=tuple(new[k] for k in new if k not in old),
        removed=tuple(old[k] for k in old if k not in new),
        changed=tuple(
            (old[k], new[k])
            for k in new
            if k in old and (old[k].level, old[k].rule) != (new[k].level, new[k].rule)
        ),
    )
