"""Compliance rules: what in an agreement an incident or a missed deadline breaches.

Rules are declared in the agreement file (section ``rules``, read and checked by
``ceasefire.agreements.rules``), each tied to a provision and, for zone rules, to zones; each
names the versioned rule it applies, like the NLP components (``compliance.zone_breach.v1``),
so a stored finding says which version produced it. This module applies them:

- zone rules (``compliance.zone_breach.v1`` and its specialisations
  ``compliance.corridor_movement.v1``, ``compliance.withdrawal_heavy_weapons.v1``): an
  incident of one of the rule's categories inside one of its zones, from an instant on (a
  fixed instant, the provision's fulfilment — "after the handover" — or the zone's own
  validity), by anyone but the exempt actors;
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

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
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
    Zone,
    iso,
)
from ceasefire.agreements.rules import DeadlineRule, Rule, ZoneRule
from ceasefire.i18n.markers import N_
from ceasefire.i18n.readback import Readback, pattern_of
from ceasefire.reports.model import CATEGORY_NAMES, Category

LOCATION_UNCERTAINTY_M: Mapping[int, float] = {
    1: 1_000.0,  # an exact point is still an observation from a distance
    2: 25_000.0,  # UCDP where_prec 2: within about 25 km of the named place
}
"""Radius of the disc an incident's place may lie in, for precisions with a usable point.
Coarser precisions (district, region, country...) never place an incident inside a zone."""


# -- reasons ----------------------------------------------------------------------------------

REASON_TEXTS: Mapping[str, str] = {
    # zone rules
    "category": N_("category %(categories)s"),
    "actor_unknown_exempt": N_("actor unknown: may be exempt (%(exempt)s)"),
    "attributed_to": N_("attributed to %(actor)s"),
    "alleged_against": N_("alleged against %(actor)s"),
    "after_start": N_("after %(start)s"),
    "window_spans_start": N_("time window %(window_start)s-%(window_end)s spans %(start)s"),
    "inside_zone": N_(
        "inside %(zone)s, precision %(precision)s (±%(metres)s m with the zone's margin)"
    ),
    "maybe_inside_zone": N_(
        "may be inside %(zone)s: precision %(precision)s (±%(metres)s m with the zone's "
        "margin) crosses its edge"
    ),
    "coarse_location": N_(
        "location known only to precision %(precision)s: cannot place it inside %(zone)s"
    ),
    # deadline rules
    "deadline_due": N_("due %(due)s (%(time_zone)s), overdue from %(overdue_from)s"),
    "deadline_amended": N_(
        "amended from %(original)s to %(due)s on %(decided)s (%(decided_time_zone)s)"
    ),
    "fulfilment_recorded": N_("fulfilment recorded at %(at)s"),
    "status_recorded": N_("recorded %(status)s"),
    "no_fulfilment": N_("no fulfilment recorded"),
}
"""Every reason a compliance rule gives, by code: the English wording (what the API, the
ledger's digest and the stored finding keep) and the catalogue's msgid (what a page or the
CLI shows in the reader's language, with the same parameters)."""

_INSTANT = r"\d{4}-\d{2}-\d{2}T[0-9:.]+(?:Z|[+-]\d{2}:\d{2})"
_PARAM_PATTERNS: Mapping[str, str] = {
    "window_start": _INSTANT,
    "window_end": _INSTANT,
    "precision": r"\d+",
    "metres": r"\d+",
}


_REASON_PATTERNS: Readback[str] = Readback(
    (pattern_of(text, _PARAM_PATTERNS), code) for code, text in REASON_TEXTS.items()
)
"""Each reason's English wording read back into its code and parameters."""


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a rule found what it did: a code of :data:`REASON_TEXTS` and its parameters
    (identifiers, numbers, ISO instants and dates: nothing to translate)."""

    code: str
    params: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, code: str, **params: object) -> Reason:
        assert code in REASON_TEXTS, code
        return cls(code, tuple((k, str(v)) for k, v in params.items()))

    @property
    def msgid(self) -> str:
        return REASON_TEXTS[self.code]

    def render(self, translate: Callable[[str], str] | None = None) -> str:
        """The wording, translated by ``translate`` (a gettext) if given, else English
        (where the categories are named by their values, as the API names them)."""
        if translate is None:
            return self.msgid % dict(self.params)
        params = dict(self.params)
        if "categories" in params:
            params["categories"] = ", ".join(
                translate(CATEGORY_NAMES[c]) if c in CATEGORY_NAMES else c
                for c in params["categories"].split(", ")
            )
        return translate(self.msgid) % params

    def __str__(self) -> str:
        return self.render()

    @classmethod
    def parse(cls, text: str) -> Reason | None:
        """The reason a stored English wording gives (a finding keeps only its wording:
        the ledger digests it), or ``None`` for a wording no rule gives."""
        found = _REASON_PATTERNS.read(text)
        return cls(found.said, tuple(found.params.items())) if found is not None else None


def translated_reason(text: str, translate: Callable[[str], str]) -> str:
    """A stored finding's or deadline's reason in the reader's language (``translate``:
    the page's or the CLI's gettext); a wording no rule gives is shown as it is."""
    reason = Reason.parse(text)
    return reason.render(translate) if reason is not None else text


class FindingLevel(StrEnum):
    """What a zone rule found: a ``breach``, or a ``possible`` one (something uncertain)."""

    BREACH = "breach"
    POSSIBLE = "possible"


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
    """In English: what the API shows, the finding stores and the ledger digests."""
    reason_codes: tuple[Reason, ...] = field(default=(), compare=False)
    """The same reasons by code (an evaluation's; a finding read back has only its
    wording: :meth:`Reason.parse`)."""

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


def zone_geometries(agreement: Agreement) -> dict[str, ZoneGeometry]:
    """Every zone of ``agreement`` prepared for distance tests (a version's zones never
    change: the service keeps these per version)."""
    return {z.id: ZoneGeometry(z) for z in agreement.zones}


class ComplianceEvaluator:
    """Evaluates an agreement's rules (zone geometries prepared once)."""

    def __init__(
        self,
        agreement: Agreement,
        rules: Sequence[Rule],
        zones: Mapping[str, ZoneGeometry] | None = None,
    ) -> None:
        self.agreement = agreement
        self.rules = tuple(rules)
        self._zones = dict(zones) if zones is not None else zone_geometries(agreement)
        self._starts: dict[str, datetime | bool | None] = {}
        """Each zone rule's start, worked out once per evaluator (the agreement is fixed)."""

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
        if rule.id not in self._starts:
            self._starts[rule.id] = rule.starts.instant(self.agreement)
        starts = self._starts[rule.id]
        if starts is False:
            return []  # waits for a fulfilment not recorded
        reasons_common = [
            Reason.of("category", categories=", ".join(sorted(c.value for c in categories)))
        ]
        doubts_common: list[Reason] = []
        if rule.exempt_actors:
            if incident.actor is None:
                doubts_common.append(
                    Reason.of("actor_unknown_exempt", exempt=", ".join(sorted(rule.exempt_actors)))
                )
            elif incident.actor in rule.exempt_actors:
                return []
        if incident.actor is not None:
            which = "attributed_to" if incident.attributed else "alleged_against"
            reasons_common.append(Reason.of(which, actor=incident.actor))
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
                reasons.append(Reason.of("after_start", start=iso(start)))
            else:
                doubts.append(
                    Reason.of(
                        "window_spans_start",
                        window_start=iso(incident.start),
                        window_end=iso(incident.end),
                        start=iso(start),
                    )
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
                    reasons=tuple(str(r) for r in reasons + doubts),
                    reason_codes=tuple(reasons + doubts),
                )
            )
        return findings

    @staticmethod
    def _place(
        rule: ZoneRule,
        geometry: ZoneGeometry,
        incident: IncidentFacts,
        reasons: list[Reason],
        doubts: list[Reason],
    ) -> FindingLevel | None:
        if incident.lat is None or incident.lon is None:
            return None  # no place at all: nothing to say about a zone
        precision = incident.where_precision
        if precision in LOCATION_UNCERTAINTY_M:
            uncertainty = LOCATION_UNCERTAINTY_M[precision] + rule.margin_m
            placement = geometry.placement(incident.lat, incident.lon, uncertainty)
            if placement == "outside":
                return None
            detail = {
                "zone": geometry.zone.id,
                "precision": precision,
                "metres": f"{uncertainty:.0f}",
            }
            if placement == "inside":
                reasons.append(Reason.of("inside_zone", **detail))
                return FindingLevel.BREACH
            doubts.append(Reason.of("maybe_inside_zone", **detail))
            return FindingLevel.POSSIBLE
        # District, region, country: never a breach by itself, at most possible when the
        # area's point is in or near the zone.
        coarse = geometry.placement(incident.lat, incident.lon, rule.margin_m)
        if coarse == "outside":
            return None
        doubts.append(Reason.of("coarse_location", precision=precision, zone=geometry.zone.id))
        return FindingLevel.POSSIBLE


def _zone_start(zone: Zone, agreement: Agreement) -> datetime:
    return zone.valid_from.at if zone.valid_from is not None else agreement.effective.at


def _zone_valid_during(zone: Zone, start: datetime, end: datetime) -> bool:
    if zone.valid_until is not None and start >= zone.valid_until.at:
        return False
    return zone.valid_from is None or end >= zone.valid_from.at


@dataclass(frozen=True, slots=True)
class FindingsDiff:
    """What re-evaluating changed: findings added, removed, and changed (level, rule version
    or party; a change of wording alone is no change)."""

    added: tuple[Finding, ...]
    removed: tuple[Finding, ...]
    changed: tuple[tuple[Finding, Finding], ...]

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def _material(old: Finding, new: Finding) -> bool:
    """A change that makes it another finding: its level, its rule's version, its party."""
    return (old.level, old.rule, old.party) != (new.level, new.rule, new.party)


def diff_findings(before: Iterable[Finding], after: Iterable[Finding]) -> FindingsDiff:
    """Compare two evaluations (e.g. before and after a rule or zone changed)."""
    old = {f.key: f for f in before}
    new = {f.key: f for f in after}
    return FindingsDiff(
        added=tuple(new[k] for k in new if k not in old),
        removed=tuple(old[k] for k in old if k not in new),
        changed=tuple((old[k], new[k]) for k in new if k in old and _material(old[k], new[k])),
    )


# -- deadline states ------------------------------------------------------------------------


class DeadlineStatus(StrEnum):
    """Where a watched provision's deadline stands at an instant."""

    OVERDUE = "overdue"
    """Still open (no fulfilment recorded) after the end of the due day in force."""
    DUE = "due"
    """Open, and the due day in force ends within the window asked for."""
    PENDING = "pending"
    """Open, due later than the window."""
    FULFILLED = "fulfilled"
    """Fulfilment recorded at or before the instant (``late`` if after the due day)."""
    CLOSED = "closed"
    """Breached or superseded: no longer awaiting fulfilment."""


@dataclass(frozen=True, slots=True)
class DeadlineState:
    """One watched provision (or part) and its deadline as it stood at ``as_of``."""

    rule_id: str
    rule: str
    provision: str
    number: str
    title: str
    parent: str | None
    status: DeadlineStatus
    due: date
    """The due date in force at ``as_of`` (amendments decided later not yet known)."""
    original_due: date
    time_zone: str
    overdue_after: datetime
    amendments: tuple[dict[str, Any], ...]
    """The amendments decided by ``as_of``, oldest first."""
    fulfilled_at: datetime | None
    late: bool
    reasons: tuple[str, ...]
    """In English (the API's); ``reason_codes``: the same by code."""
    reason_codes: tuple[Reason, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "rule": self.rule,
            "provision": self.provision,
            "number": self.number,
            "title": self.title,
            "parent": self.parent,
            "status": self.status.value,
            "due": self.due.isoformat(),
            "original_due": self.original_due.isoformat(),
            "time_zone": self.time_zone,
            "overdue_after": iso(self.overdue_after),
            "amendments": list(self.amendments),
            "fulfilled_at": iso(self.fulfilled_at) if self.fulfilled_at else None,
            "late": self.late,
            "reasons": list(self.reasons),
        }


def deadline_states(
    agreement: Agreement, rules: Iterable[Rule], as_of: datetime, *, due_within: timedelta
) -> list[DeadlineState]:
    """Every provision the deadline rules watch, as it stood at ``as_of``, by due instant."""
    states: list[DeadlineState] = []
    for rule in rules:
        if not isinstance(rule, DeadlineRule):
            continue
        for provision_id in rule.provisions:
            provision = agreement.provision(provision_id)
            assert provision is not None  # checked on load
            states.append(_deadline_state(rule, provision, as_of, due_within))
    return sorted(states, key=lambda s: (s.overdue_after, s.provision))


def _deadline_state(
    rule: DeadlineRule, provision: Provision, as_of: datetime, due_within: timedelta
) -> DeadlineState:
    deadline = provision.deadline
    assert deadline is not None
    due = deadline.due_as_of(as_of)
    ends = deadline.overdue_after(due)
    amended = [a for a in deadline.amendments if a.decided.at <= as_of]
    recorded = provision.recorded_status_as_of(as_of)
    fulfilled = [
        c.at.at
        for c in provision.status_history
        if c.status is ProvisionStatus.FULFILLED and c.at.at <= as_of
    ]
    fulfilled_at = min(fulfilled) if fulfilled else None
    reasons = [
        Reason.of(
            "deadline_due",
            due=due.isoformat(),
            time_zone=deadline.time_zone,
            overdue_from=iso(ends),
        )
    ]
    if amended:
        last = amended[-1]
        reasons.append(
            Reason.of(
                "deadline_amended",
                original=deadline.original.isoformat(),
                due=last.due.isoformat(),
                decided=last.decided.local,
                decided_time_zone=last.decided.time_zone,
            )
        )
    if recorded is ProvisionStatus.FULFILLED:
        status = DeadlineStatus.FULFILLED
        assert fulfilled_at is not None
        reasons.append(Reason.of("fulfilment_recorded", at=iso(fulfilled_at)))
    elif recorded not in OPEN_STATUSES:
        status = DeadlineStatus.CLOSED
        reasons.append(Reason.of("status_recorded", status=recorded.value))
    elif as_of >= ends:
        status = DeadlineStatus.OVERDUE
        reasons.append(Reason.of("no_fulfilment"))
    elif as_of + due_within >= ends:
        status = DeadlineStatus.DUE
    else:
        status = DeadlineStatus.PENDING
    return DeadlineState(
        rule_id=rule.id,
        rule=rule.rule,
        provision=provision.id,
        number=provision.number,
        title=provision.title,
        parent=provision.parent,
        status=status,
        due=due,
        original_due=deadline.original,
        time_zone=deadline.time_zone,
        overdue_after=ends,
        amendments=tuple(a.to_dict() for a in amended),
        fulfilled_at=fulfilled_at,
        late=fulfilled_at is not None and fulfilled_at >= ends,
        reasons=tuple(str(r) for r in reasons),
        reason_codes=tuple(reasons),
    )
