"""Compliance rules as an agreement file declares them (its ``rules`` section).

A rule is tied to a provision (the obligation an incident breaches, or the deadlines it
watches) and, for zone rules, to zones; it names the versioned rule it applies, like the NLP
components, so a stored finding says which version produced it. A change of behaviour
becomes ``v2``; ``v1`` findings stay as made. What each rule finds is
``ceasefire.compliance.model``'s business; this module only reads and checks declarations.

- ``compliance.zone_breach.v1``: incidents of the rule's categories inside its zones, from
  its start on, by anyone but the exempt actors.
- ``compliance.corridor_movement.v1``: a zone breach with its categories fixed to military
  movement, over corridors (by default every ``corridor`` zone), by anyone but the force
  that controls the corridor (``exempt_actors``, required).
- ``compliance.withdrawal_heavy_weapons.v1``: a zone breach with its categories fixed to
  heavy weapons, over withdrawal zones (by default every ``withdrawal_zone``), each from its
  own ``valid_from``.
- ``compliance.deadline_overdue.v1``: provisions with a deadline and no fulfilment recorded
  by the end of their due day, as amended.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ceasefire.agreements.model import ProvisionStatus, SourceInstant, ZoneKind
from ceasefire.agreements.yamlmap import Path, render_path
from ceasefire.errors import InvalidInput, problem, worded_text
from ceasefire.i18n.markers import N_
from ceasefire.reports.model import Category

if TYPE_CHECKING:
    from ceasefire.agreements.model import Agreement

ZONE_BREACH = "compliance.zone_breach.v1"
CORRIDOR_MOVEMENT = "compliance.corridor_movement.v1"
WITHDRAWAL_HEAVY_WEAPONS = "compliance.withdrawal_heavy_weapons.v1"
DEADLINE_OVERDUE = "compliance.deadline_overdue.v1"

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


@dataclass(frozen=True, slots=True)
class ZonePreset:
    """What a specialised zone rule fixes: its categories, and its zones by default."""

    group: str
    zone_kinds: tuple[ZoneKind, ...]
    requires_exempt: bool = False


ZONE_PRESETS: Mapping[str, ZonePreset] = {
    CORRIDOR_MOVEMENT: ZonePreset("military_movement", (ZoneKind.CORRIDOR,), requires_exempt=True),
    WITHDRAWAL_HEAVY_WEAPONS: ZonePreset("heavy_weapons", (ZoneKind.WITHDRAWAL_ZONE,)),
}
ZONE_RULE_NAMES = frozenset({ZONE_BREACH, *ZONE_PRESETS})
RULE_NAMES = frozenset({*ZONE_RULE_NAMES, DEADLINE_OVERDUE})


@dataclass(frozen=True, slots=True)
class RuleStart:
    """When a zone rule starts to apply: a fixed instant, the recorded fulfilment of a
    provision (the handover of a district), or (neither) each zone's validity."""

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
    """A zone rule: incidents of ``categories`` inside ``zones`` (or zones of ``zone_kinds``)
    from ``starts`` on breach ``provision``, unless by an exempt actor."""

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

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "rule": self.rule,
            "provision": self.provision,
            "zones": list(self.zones),
            "zone_kinds": [k.value for k in self.zone_kinds],
            "categories": sorted(c.value for c in self.categories),
            "from": self.starts.to_dict(),
            "exempt_actors": sorted(self.exempt_actors),
            "margin_m": self.margin_m,
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class DeadlineRule:
    """``compliance.deadline_overdue.v1`` over ``provisions`` (their deadlines as amended)."""

    id: str
    provisions: tuple[str, ...]
    note: str | None = None
    rule: str = DEADLINE_OVERDUE

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "rule": self.rule,
            "provisions": list(self.provisions),
            "note": self.note,
        }


Rule = ZoneRule | DeadlineRule
Report = Callable[[Path, str], None]

_ZONE_FIELDS = frozenset(
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
_DEADLINE_FIELDS = frozenset({"id", "rule", "provisions", "provision_kinds", "note"})


def parse_rules(data: Any, agreement: Agreement, report: Report | None = None) -> tuple[Rule, ...]:
    """The ``rules`` section of an agreement file, checked against ``agreement``.

    Each problem goes to ``report(path, message)`` (the loader's, which adds the file's
    line); without ``report``, ``InvalidInput`` names every problem by its path
    (``rules[0].zones[1]``). Only valid rules are returned.
    """
    problems: list[tuple[Path, str]] = []

    def note(path: Path, message: str) -> None:
        problems.append((path, message))
        if report is not None:
            report(path, message)

    rules = _RuleParser(agreement, note).parse(data)
    if problems and report is None:
        raise InvalidInput.worded(
            N_("%(count)s problem(s) in the compliance rules of %(id)s"),
            details=[problem(render_path(path), message) for path, message in problems],
            count=len(problems),
            id=agreement.id,
        )
    return rules


NO_PROVISION = N_("no provision %(id)s")


class _RuleParser:
    def __init__(self, agreement: Agreement, report: Report) -> None:
        self.agreement = agreement
        self.report = report
        self.failed = False

    def problem(self, path: Path, msgid: str, **params: object) -> None:
        """Report ``msgid`` (marked ``N_``) with ``params`` at ``path``, worded: the reader
        sees it in their language (``errors.worded_text``)."""
        self.failed = True
        self.report(path, worded_text(msgid, **params))

    def parse(self, data: Any) -> tuple[Rule, ...]:
        if data is None:
            return ()
        if not isinstance(data, list):
            self.problem(("rules",), N_("must be a list of rules"))
            return ()
        rules: list[Rule] = []
        seen: set[str] = set()
        for index, raw in enumerate(data):
            path: Path = ("rules", index)
            self.failed = False
            if not isinstance(raw, Mapping):
                self.problem(path, N_("must be a mapping"))
                continue
            rule_id = raw.get("id")
            if not isinstance(rule_id, str) or not rule_id:
                self.problem((*path, "id"), N_("required: a non-empty text"))
                continue
            if rule_id in seen:
                self.problem((*path, "id"), N_("duplicate rule id %(id)s"), id=repr(rule_id))
            seen.add(rule_id)
            name = raw.get("rule")
            parsed: Rule | None
            if name in ZONE_RULE_NAMES:
                parsed = self._zone_rule(raw, path, rule_id, str(name))
            elif name == DEADLINE_OVERDUE:
                parsed = self._deadline_rule(raw, path, rule_id)
            else:
                self.problem(
                    (*path, "rule"),
                    N_("unknown rule %(name)s; known: %(known)s"),
                    name=repr(name),
                    known=", ".join(sorted(RULE_NAMES)),
                )
                continue
            if parsed is not None and not self.failed:
                rules.append(parsed)
        return tuple(rules)

    def _fields(self, raw: Mapping[str, Any], allowed: frozenset[str], path: Path) -> None:
        for key in raw:
            if key not in allowed:
                self.problem(
                    (*path, str(key)), N_("not a field of rule %(rule)s"), rule=raw.get("rule")
                )

    def _texts(self, value: Any, path: Path) -> list[str]:
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problem(path, N_("must be a list of texts"))
            return []
        return list(value)

    def _zone_rule(
        self, raw: Mapping[str, Any], path: Path, rule_id: str, name: str
    ) -> ZoneRule | None:
        preset = ZONE_PRESETS.get(name)
        allowed = _ZONE_FIELDS - {"categories"} if preset else _ZONE_FIELDS
        self._fields(raw, allowed, path)
        agreement = self.agreement
        provision_id = raw.get("provision")
        if not isinstance(provision_id, str) or agreement.provision(provision_id) is None:
            self.problem((*path, "provision"), NO_PROVISION, id=repr(provision_id))
        known_zones = {z.id: z for z in agreement.zones}
        zones = self._texts(raw.get("zones"), (*path, "zones"))
        for i, zone_id in enumerate(zones):
            if zone_id not in known_zones:
                self.problem(
                    (*path, "zones", i),
                    N_("no zone %(id)s (known: %(known)s)")
                    if known_zones
                    else N_("no zone %(id)s (none defined)"),
                    id=repr(zone_id),
                    known=", ".join(sorted(known_zones)),
                )
        kinds: list[ZoneKind] = []
        for i, kind in enumerate(self._texts(raw.get("zone_kinds"), (*path, "zone_kinds"))):
            try:
                kinds.append(ZoneKind(kind))
            except ValueError:
                self.problem(
                    (*path, "zone_kinds", i),
                    N_("unknown zone kind %(kind)s; one of %(allowed)s"),
                    kind=repr(kind),
                    allowed=", ".join(k.value for k in ZoneKind),
                )
        if not zones and "zone_kinds" not in raw:
            if preset is None:
                self.problem((*path, "zones"), N_("name zones or zone_kinds"))
            else:
                kinds = list(preset.zone_kinds)
        categories: set[Category] = set()
        if preset is not None:
            categories |= CATEGORY_GROUPS[preset.group]
        else:
            names = self._texts(raw.get("categories"), (*path, "categories"))
            if not names:
                self.problem((*path, "categories"), N_("required: report categories or groups"))
            for i, category in enumerate(names):
                if category in CATEGORY_GROUPS:
                    categories |= CATEGORY_GROUPS[category]
                    continue
                try:
                    categories.add(Category(category))
                except ValueError:
                    self.problem(
                        (*path, "categories", i),
                        N_("unknown %(category)s: a report category or one of %(groups)s"),
                        category=repr(category),
                        groups=", ".join(sorted(CATEGORY_GROUPS)),
                    )
        starts = self._start(raw.get("from"), (*path, "from"))
        exempt = self._texts(raw.get("exempt_actors"), (*path, "exempt_actors"))
        for i, code in enumerate(exempt):
            if agreement.party(code) is None:
                self.problem(
                    (*path, "exempt_actors", i),
                    N_("unknown party %(code)s (%(parties)s)"),
                    code=repr(code),
                    parties=", ".join(p.code for p in agreement.parties),
                )
        if preset is not None and preset.requires_exempt and not exempt:
            self.problem(
                (*path, "exempt_actors"),
                N_("%(rule)s names the force that may move there"),
                rule=name,
            )
        margin = raw.get("margin_m", 0)
        if isinstance(margin, bool) or not isinstance(margin, int | float) or margin < 0:
            self.problem((*path, "margin_m"), N_("must be a number of metres >= 0"))
            margin = 0
        if self.failed:
            return None
        assert isinstance(provision_id, str)
        text = raw.get("note")
        return ZoneRule(
            id=rule_id,
            provision=provision_id,
            zones=tuple(zones),
            categories=frozenset(categories),
            starts=starts,
            exempt_actors=frozenset(exempt),
            margin_m=float(margin),
            zone_kinds=tuple(kinds),
            note=text if isinstance(text, str) else None,
            rule=name,
        )

    def _start(self, value: Any, path: Path) -> RuleStart:
        if value is None:
            return RuleStart()
        time_zone = self.agreement.effective.time_zone
        if isinstance(value, Mapping) and set(value) == {"fulfilled"}:
            provision_id = value["fulfilled"]
            if not isinstance(provision_id, str) or self.agreement.provision(provision_id) is None:
                self.problem((*path, "fulfilled"), NO_PROVISION, id=repr(provision_id))
                return RuleStart()
            return RuleStart(fulfilled=provision_id)
        try:
            if isinstance(value, str):
                return RuleStart(at=SourceInstant.parse(value, time_zone))
            if isinstance(value, Mapping) and isinstance(value.get("local"), str):
                zone = value.get("time_zone", time_zone)
                return RuleStart(at=SourceInstant.parse(value["local"], str(zone)))
        except ValueError as exc:
            self.problem(path, N_("not a real instant: %(error)s"), error=exc)
            return RuleStart()
        self.problem(
            path, N_("an instant (local text or {local, time_zone}) or {fulfilled: PROVISION}")
        )
        return RuleStart()

    def _deadline_rule(self, raw: Mapping[str, Any], path: Path, rule_id: str) -> DeadlineRule:
        self._fields(raw, _DEADLINE_FIELDS, path)
        ids = self._texts(raw.get("provisions"), (*path, "provisions"))
        for i, provision_id in enumerate(ids):
            found = self.agreement.provision(provision_id)
            if found is None:
                self.problem((*path, "provisions", i), NO_PROVISION, id=repr(provision_id))
            elif found.deadline is None:
                self.problem(
                    (*path, "provisions", i), N_("%(id)s has no deadline"), id=provision_id
                )
        kinds = self._texts(raw.get("provision_kinds"), (*path, "provision_kinds"))
        ids += [
            p.id
            for p in self.agreement.all_provisions()
            if p.kind.value in kinds and p.deadline is not None
        ]
        if not ids and not self.failed:
            self.problem((*path, "provisions"), N_("names no provision with a deadline"))
        text = raw.get("note")
        return DeadlineRule(
            rule_id, tuple(dict.fromkeys(ids)), note=text if isinstance(text, str) else None
        )
