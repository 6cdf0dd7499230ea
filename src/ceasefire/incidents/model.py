"""Incidents and their joint verification: status, attribution, assessments, decision rules.

An incident groups one or more reports about one event. Two things are established about it
separately, as CTSAMVM and the Colombian mechanism do:

- *occurrence*: ``reported → under_investigation → verified | not_substantiated |
  unverifiable`` (a concluded incident may be reopened on new evidence: back to
  ``under_investigation``; no stage may be skipped);
- *attribution*: ``pending``, ``attributed(party)``, ``not_attributable`` or ``disputed``.

Each monitor member records an assessment of a *finding* (an outcome plus an attribution):
``concur`` (I hold this finding), ``dissent`` (I do not; optionally, here is mine) or
``abstain``. A member's later assessment supersedes its earlier one, visibly: nothing is
overwritten. Whether the members' current views amount to a decision is the agreement's
``DecisionRule``: unanimity of monitors, a quorum by group, or a presiding member who settles
disputes. A rule not met with views in conflict makes the attribution ``disputed``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from ceasefire.errors import Conflict, InvalidInput, Wording, problem
from ceasefire.i18n.labels import LABELS
from ceasefire.i18n.markers import N_
from ceasefire.i18n.readback import Readback

# The words of nearness a place may be typed with, in the centre's three languages: before
# the name in English and Russian ("near Aghdam", "в районе Агдама"), after it in Turkish
# ("Ağdam yakınında"). A fused title adds its own ("shelling near %(place)s" and its
# translations), so the place goes into it without one: never "near near Aghdam".
_NEAR_BEFORE = re.compile(
    r"^(?:near(?:by)?|close to|around|in the (?:vicinity|area) of|"
    r"около|возле|вблизи|близ|рядом с|недалеко от|неподал[её]ку от|в районе|в окрестностях|у)"
    r"\s+",
    re.IGNORECASE,
)
_NEAR_AFTER = re.compile(
    r"\s+(?:yakın(?:ı|ın|ında|ları|larında)|civar(?:ı|ında)|çevresi(?:nde)?)$", re.IGNORECASE
)


def place_without_nearness(place: str) -> str:
    """``place`` as typed, less the words of nearness it begins (English, Russian) or ends
    (Turkish) with, which a fused incident title adds itself; a place that is nothing but
    such words is kept as typed."""
    core = place.strip()
    while True:
        shorter = _NEAR_AFTER.sub("", _NEAR_BEFORE.sub("", core, count=1), count=1).strip()
        if shorter == core or not shorter:
            return core
        core = shorter


class OccurrenceStatus(StrEnum):
    REPORTED = "reported"
    UNDER_INVESTIGATION = "under_investigation"
    VERIFIED = "verified"
    NOT_SUBSTANTIATED = "not_substantiated"
    UNVERIFIABLE = "unverifiable"


CONCLUDED = frozenset(
    {
        OccurrenceStatus.VERIFIED,
        OccurrenceStatus.NOT_SUBSTANTIATED,
        OccurrenceStatus.UNVERIFIABLE,
    }
)

ALLOWED_TRANSITIONS: dict[OccurrenceStatus, frozenset[OccurrenceStatus]] = {
    OccurrenceStatus.REPORTED: frozenset({OccurrenceStatus.UNDER_INVESTIGATION}),
    OccurrenceStatus.UNDER_INVESTIGATION: CONCLUDED,
    # Reopening on new evidence; the earlier conclusion stays in the history and the ledger.
    OccurrenceStatus.VERIFIED: frozenset({OccurrenceStatus.UNDER_INVESTIGATION}),
    OccurrenceStatus.NOT_SUBSTANTIATED: frozenset({OccurrenceStatus.UNDER_INVESTIGATION}),
    OccurrenceStatus.UNVERIFIABLE: frozenset({OccurrenceStatus.UNDER_INVESTIGATION}),
}


def check_transition(current: OccurrenceStatus, target: OccurrenceStatus) -> None:
    """Raise ``Conflict`` unless ``current → target`` is an allowed transition."""
    allowed = ALLOWED_TRANSITIONS[current]
    if target not in allowed:
        names = ", ".join(sorted(s.value for s in allowed))
        raise Conflict.worded(
            N_("status cannot go from %(current)s to %(target)s; allowed: %(names)s"),
            details=[
                problem(
                    "status",
                    N_("%(current)s → %(target)s is not allowed"),
                    current=current.value,
                    target=target.value,
                )
            ],
            current=current.value,
            target=target.value,
            names=names,
        )


class AttributionKind(StrEnum):
    PENDING = "pending"
    ATTRIBUTED = "attributed"
    NOT_ATTRIBUTABLE = "not_attributable"
    DISPUTED = "disputed"


@dataclass(frozen=True, slots=True)
class Attribution:
    """Who is responsible: ``attributed`` names a party; the other kinds name none."""

    kind: AttributionKind = AttributionKind.PENDING
    party: str | None = None

    def __post_init__(self) -> None:
        if (self.kind is AttributionKind.ATTRIBUTED) != (self.party is not None):
            raise InvalidInput.worded(
                N_("an attribution names a party exactly when it is 'attributed'"),
                details=[
                    problem(
                        "attribution",
                        N_("%(kind)s with party %(party)s"),
                        kind=self.kind.value,
                        party=repr(self.party),
                    )
                ],
            )

    def __str__(self) -> str:
        return f"attributed({self.party})" if self.party else self.kind.value

    @classmethod
    def parse(cls, text: str, *, field_name: str = "attribution") -> Attribution:
        """``attributed(ARM)``, ``attributed:ARM``, ``not_attributable``, ``pending``..."""
        raw = text.strip()
        for opener, closer in (("attributed(", ")"), ("attributed:", "")):
            if raw.startswith(opener) and raw.endswith(closer):
                party = raw[len(opener) : len(raw) - len(closer)].strip().upper()
                if not party:
                    break
                return cls(AttributionKind.ATTRIBUTED, party)
        try:
            kind = AttributionKind(raw)
        except ValueError:
            kind = None
        if kind is None or kind is AttributionKind.ATTRIBUTED:
            raise InvalidInput.worded(
                N_("%(field_name)s: not an attribution: %(text)s"),
                details=[
                    problem(
                        field_name,
                        N_("expected attributed(PARTY), not_attributable, disputed or pending"),
                    )
                ],
                field_name=field_name,
                text=repr(text),
            )
        return cls(kind)


class Stance(StrEnum):
    CONCUR = "concur"
    DISSENT = "dissent"
    ABSTAIN = "abstain"


@dataclass(frozen=True, slots=True)
class Finding:
    """What an assessment holds: a concluded occurrence status and an attribution."""

    status: OccurrenceStatus
    attribution: Attribution

    def __post_init__(self) -> None:
        if self.status not in CONCLUDED:
            raise InvalidInput.worded(
                N_("a finding concludes: verified, not_substantiated or unverifiable"),
                details=[
                    problem(
                        "finding.status",
                        N_("%(status)s is not a conclusion"),
                        status=self.status.value,
                    )
                ],
            )
        if self.attribution.kind in (AttributionKind.PENDING, AttributionKind.DISPUTED):
            raise InvalidInput.worded(
                N_("a finding attributes the incident or finds it not attributable"),
                details=[
                    problem(
                        "finding.attribution",
                        N_("%(attribution)s is not a finding"),
                        attribution=self.attribution,
                    )
                ],
            )
        if (
            self.status is not OccurrenceStatus.VERIFIED
            and self.attribution.kind is AttributionKind.ATTRIBUTED
        ):
            raise InvalidInput.worded(
                N_("only a verified incident can be attributed"),
                details=[
                    problem(
                        "finding.attribution",
                        N_("%(status)s incidents are not attributed to a party"),
                        status=self.status.value,
                    )
                ],
            )

    def __str__(self) -> str:
        return f"{self.status.value}, {self.attribution}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status.value,
            "attribution": self.attribution.kind.value,
            "attributed_party": self.attribution.party,
        }


@dataclass(frozen=True, slots=True)
class Assessment:
    """One member's view of an incident at one time. Never edited: superseded."""

    id: str
    member_id: str
    stance: Stance
    finding: Finding | None
    rationale: str
    recorded_at: datetime
    evidence_refs: tuple[str, ...] = ()
    user_id: str | None = None
    supersedes: str | None = None

    def __post_init__(self) -> None:
        if self.stance is Stance.CONCUR and self.finding is None:
            raise InvalidInput.worded(
                N_("a concurring assessment says what it concurs with"),
                details=[problem("finding", N_("required when stance is 'concur'"))],
            )
        if not self.rationale.strip():
            raise InvalidInput.worded(
                N_("an assessment gives its rationale"), details=[problem("rationale", N_("empty"))]
            )


def current_assessments(assessments: Iterable[Assessment]) -> dict[str, Assessment]:
    """The latest assessment of each member; earlier ones are superseded (kept elsewhere)."""
    latest: dict[str, Assessment] = {}
    for item in sorted(assessments, key=lambda a: (a.recorded_at, a.id)):
        latest[item.member_id] = item
    return latest


# ------------------------------------------------------------------------ decision rules


class DecisionState(StrEnum):
    DECIDED = "decided"
    DISPUTED = "disputed"
    PENDING = "pending"


DECISION_REASONS: Readback[str] = Readback.worded(
    [
        N_("dissent by %(members)s"),
        N_("the concurring members hold different findings"),
        N_("waiting for %(members)s"),
        N_("no voting members"),
        N_("every member abstained"),
        N_("all members concur or abstain"),
        N_("all of %(members)s concur or abstain"),
        N_("no quorum: %(groups)s"),
        N_("quorum reached: %(groups)s"),
        N_("views differ; settled by the presiding member %(member)s"),
        N_("views differ and the presiding member %(member)s has not settled them"),
    ],
    fields={"members": ".+", "groups": ".+", "member": ".+"},
)
"""Why a decision rule stands where it does, as the rules below word it (in English, what
the API, the ledger and stored records keep), each read back into its msgid: a page
shows a reason translated (``decision_reason`` filter), a refusal quoting one carries its
:func:`reason_wording`."""


def reason_wording(reason: str) -> Wording | str:
    """A decision's English ``reason`` read back into its msgid and parameters (member ids,
    groups), to be translated where it is shown; a reason no pattern reads stays as it is."""
    found = DECISION_REASONS.read(reason)
    return Wording(found.said, tuple(found.params.items())) if found is not None else reason


@dataclass(frozen=True, slots=True)
class Decision:
    """What the rule makes of the current views; ``views`` keeps every one of them."""

    state: DecisionState
    rule: str
    reason: str
    finding: Finding | None = None
    settled_by: str | None = None
    views: tuple[Assessment, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "state": self.state.value,
            "rule": self.rule,
            "reason": self.reason,
            "finding": self.finding.to_dict() if self.finding else None,
            "settled_by": self.settled_by,
            "views": [
                {
                    "assessment_id": v.id,
                    "member_id": v.member_id,
                    "stance": v.stance.value,
                    "finding": v.finding.to_dict() if v.finding else None,
                }
                for v in self.views
            ],
        }


def _agreeing_finding(
    views: Sequence[Assessment],
) -> tuple[Finding | None, list[Assessment], list[Assessment]]:
    """The single finding the concurring views share (None if they split), concurs, dissents."""
    concurs = [v for v in views if v.stance is Stance.CONCUR]
    dissents = [v for v in views if v.stance is Stance.DISSENT]
    findings = {v.finding for v in concurs}
    shared = next(iter(findings)) if len(findings) == 1 else None
    return shared, concurs, dissents


def _names(views: Iterable[Assessment]) -> str:
    return ", ".join(sorted(v.member_id for v in views))


def _kept(views: Mapping[str, Assessment]) -> tuple[Assessment, ...]:
    """Every view, in member order: what a ``Decision`` keeps."""
    return tuple(sorted(views.values(), key=lambda a: a.member_id))


def _disputed(
    rule: str,
    finding: Finding | None,
    concurs: Sequence[Assessment],
    dissents: Sequence[Assessment],
    kept: tuple[Assessment, ...],
) -> Decision | None:
    """The dispute when anyone dissents or the concurring views split, else None (the rules
    that need every counted view to agree)."""
    if dissents:
        return Decision(DecisionState.DISPUTED, rule, f"dissent by {_names(dissents)}", views=kept)
    if concurs and finding is None:
        return Decision(
            DecisionState.DISPUTED,
            rule,
            "the concurring members hold different findings",
            views=kept,
        )
    return None


@dataclass(frozen=True, slots=True)
class Unanimity:
    """Every voting member (by default: every monitor of the agreement) concurs.

    Abstentions are allowed, but every voter must have spoken and at least one concur. Used
    by the Turkish–Russian centre, where the two monitors decide jointly.
    """

    voters: tuple[str, ...] | None = None
    name: str = "unanimity"

    def evaluate(self, views: Mapping[str, Assessment], monitors: Sequence[str]) -> Decision:
        voters = list(self.voters if self.voters is not None else monitors)
        counted = [views[m] for m in voters if m in views]
        kept = _kept(views)
        finding, concurs, dissents = _agreeing_finding(counted)
        disputed = _disputed(self.name, finding, concurs, dissents, kept)
        if disputed is not None:
            return disputed
        missing = sorted(set(voters) - set(views))
        if missing or not voters:
            why = f"waiting for {', '.join(missing)}" if missing else "no voting members"
            return Decision(DecisionState.PENDING, self.name, why, views=kept)
        if finding is None:
            return Decision(DecisionState.PENDING, self.name, "every member abstained", views=kept)
        return Decision(
            DecisionState.DECIDED,
            self.name,
            f"all of {', '.join(sorted(voters))} concur or abstain",
            finding=finding,
            views=kept,
        )

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.name, "voters": list(self.voters) if self.voters else None}


@dataclass(frozen=True, slots=True)
class GroupQuorum:
    """One group of members and how many of it must concur."""

    name: str
    required: int
    members: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class QuorumByGroup:
    """At least ``required`` members of each group concur on one finding, none dissents.

    Myanmar's joint committee needs 3 government + 3 armed-group + 1 civilian members; a
    2 + 2 + 2 commission is the same rule with other numbers. Decisions are by consensus of
    those present, so a single dissent makes the incident disputed.
    """

    groups: tuple[GroupQuorum, ...]
    name: str = "quorum_by_group"

    def __post_init__(self) -> None:
        problems = []
        if not self.groups:
            problems.append(problem("groups", N_("a quorum rule needs at least one group")))
        seen: set[str] = set()
        for index, group in enumerate(self.groups):
            least = GROUP_KEYS["required"].minimum or 0
            if group.required < least:
                problems.append(
                    problem(
                        f"groups.{index}.required",
                        N_("must be at least %(minimum)s"),
                        minimum=least,
                    )
                )
            if group.required > len(group.members):
                problems.append(
                    problem(
                        f"groups.{index}.required",
                        N_("%(required)s required but the group has %(n)s"),
                        required=group.required,
                        n=len(group.members),
                    )
                )
            overlap = seen & set(group.members)
            if overlap:
                problems.append(
                    problem(
                        f"groups.{index}.members",
                        N_("in two groups: %(overlap)s"),
                        overlap=sorted(overlap),
                    )
                )
            seen |= set(group.members)
        if problems:
            raise InvalidInput.worded(N_("invalid quorum rule"), details=problems)

    def evaluate(self, views: Mapping[str, Assessment], monitors: Sequence[str]) -> Decision:
        voters = {m for g in self.groups for m in g.members}
        counted = [v for m, v in views.items() if m in voters]
        kept = _kept(views)
        finding, concurs, dissents = _agreeing_finding(counted)
        disputed = _disputed(self.name, finding, concurs, dissents, kept)
        if disputed is not None:
            return disputed
        short = []
        for group in self.groups:
            have = sum(1 for v in concurs if v.member_id in group.members)
            if have < group.required:
                short.append(f"{group.name} {have}/{group.required}")
        if short:
            return Decision(
                DecisionState.PENDING, self.name, f"no quorum: {', '.join(short)}", views=kept
            )
        return Decision(
            DecisionState.DECIDED,
            self.name,
            "quorum reached: " + " + ".join(f"{g.required} {g.name}" for g in self.groups),
            finding=finding,
            views=kept,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.name,
            "groups": [
                {"name": g.name, "required": g.required, "members": list(g.members)}
                for g in self.groups
            ],
        }


@dataclass(frozen=True, slots=True)
class PresidingMember:
    """The voters decide together; if they disagree, the presiding member's view settles it.

    The Colombian tripartite mechanism: government, FARC and the UN, the UN presiding.
    """

    presiding: str
    voters: tuple[str, ...] | None = None
    name: str = "presiding_member"

    def evaluate(self, views: Mapping[str, Assessment], monitors: Sequence[str]) -> Decision:
        voters = list(self.voters if self.voters is not None else monitors)
        if self.presiding not in voters:
            voters.append(self.presiding)
        counted = [views[m] for m in voters if m in views]
        kept = _kept(views)
        finding, concurs, dissents = _agreeing_finding(counted)
        missing = sorted(set(voters) - set(views))
        if not dissents and finding is not None and not missing:
            return Decision(
                DecisionState.DECIDED,
                self.name,
                "all members concur or abstain",
                finding=finding,
                views=kept,
            )
        conflict = bool(dissents) or (bool(concurs) and finding is None)
        chair = views.get(self.presiding)
        if conflict and chair is not None and chair.stance is Stance.CONCUR:
            return Decision(
                DecisionState.DECIDED,
                self.name,
                f"views differ; settled by the presiding member {self.presiding}",
                finding=chair.finding,
                settled_by=self.presiding,
                views=kept,
            )
        if conflict:
            return Decision(
                DecisionState.DISPUTED,
                self.name,
                f"views differ and the presiding member {self.presiding} has not settled them",
                views=kept,
            )
        why = f"waiting for {', '.join(missing)}" if missing else "every member abstained"
        return Decision(DecisionState.PENDING, self.name, why, views=kept)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.name,
            "presiding": self.presiding,
            "voters": list(self.voters) if self.voters else None,
        }


DecisionRule = Unanimity | QuorumByGroup | PresidingMember
DEFAULT_RULE: DecisionRule = Unanimity()


# The configuration form of a rule (``{"kind": ..., ...}``), as tables: ``rule_from_dict``
# reads them to parse a rule, ``incidents.schemas.decision_rule_schemas`` to write the API
# document's schema of it, so the two cannot drift.


class RuleKind(StrEnum):
    """The kinds of decision rule, as ``kind`` names them."""

    UNANIMITY = "unanimity"
    QUORUM_BY_GROUP = "quorum_by_group"
    PRESIDING_MEMBER = "presiding_member"


class RuleValue(StrEnum):
    """What one key of a rule's configuration form holds."""

    TEXT = "text"
    """A text of at least one character (a member's id, a group's name)."""
    MEMBER_IDS = "member_ids"
    """A list of member ids (texts of at least one character)."""
    WHOLE = "whole"
    """A whole number (not a boolean), at least ``minimum``."""
    GROUPS = "groups"
    """A list of at least ``minimum`` groups, each an object of ``GROUP_KEYS``."""


@dataclass(frozen=True, slots=True)
class RuleKey:
    """One key of a rule's configuration form: what it holds, the problem when it is wrong
    (and when it is absent or null, if it is required and that is worded otherwise), and
    its least value or number of items."""

    value: RuleValue
    wrong: str
    required: bool = False
    missing: str | None = None
    minimum: int | None = None


_VOTERS = RuleKey(RuleValue.MEMBER_IDS, N_("must be a list of member ids"))

RULE_KEYS: dict[RuleKind, dict[str, RuleKey]] = {
    RuleKind.UNANIMITY: {"voters": _VOTERS},
    RuleKind.QUORUM_BY_GROUP: {
        "groups": RuleKey(
            RuleValue.GROUPS, N_("a non-empty list of groups"), required=True, minimum=1
        )
    },
    RuleKind.PRESIDING_MEMBER: {
        "presiding": RuleKey(
            RuleValue.TEXT, N_("required: the presiding member's id"), required=True
        ),
        "voters": _VOTERS,
    },
}
"""Each kind's keys besides ``kind``, in the order their problems are named; other keys
are ignored (and not stored)."""

GROUP_KEYS: dict[str, RuleKey] = {
    "members": RuleKey(
        RuleValue.MEMBER_IDS,
        N_("must be a list of member ids"),
        required=True,
        missing=N_("required"),
    ),
    "name": RuleKey(RuleValue.TEXT, N_("required"), required=True),
    "required": RuleKey(RuleValue.WHOLE, N_("must be a whole number"), required=True, minimum=1),
}
"""The keys of a group of ``quorum_by_group``. What a table cannot say, ``QuorumByGroup``
checks: ``required`` at most the group's members, no member in two groups."""


def _fits(value: Any, key: RuleKey) -> bool:
    """Whether ``value`` (not null) is what ``key`` holds."""
    match key.value:
        case RuleValue.TEXT:
            return isinstance(value, str) and bool(value)
        case RuleValue.MEMBER_IDS:
            return isinstance(value, list | tuple) and all(isinstance(v, str) and v for v in value)
        case RuleValue.WHOLE:
            return isinstance(value, int) and not isinstance(value, bool)
        case RuleValue.GROUPS:
            return isinstance(value, list) and len(value) >= (key.minimum or 0)


def _read(
    data: Mapping[str, Any], keys: Mapping[str, RuleKey], at: str, problems: list[dict[str, Any]]
) -> dict[str, Any]:
    """The values of ``keys`` in ``data`` (``None`` where absent, null or wrong); a problem
    at ``at`` + the key for each one wrong or required and absent: in the keys' order, then
    those absent whose absence is worded apart (``missing``), as the parser always named
    them."""
    values: dict[str, Any] = {}
    absent = []
    for name, key in keys.items():
        value = data.get(name)
        if value is None and key.required and key.missing is not None:
            absent.append(problem(at + name, key.missing))
        elif (value is None and key.required) or (value is not None and not _fits(value, key)):
            problems.append(problem(at + name, key.wrong))
            value = None
        values[name] = value
    problems.extend(absent)
    return values


def _groups(raw_groups: list[Any], problems: list[dict[str, Any]]) -> tuple[GroupQuorum, ...]:
    groups = []
    for index, raw in enumerate(raw_groups):
        if not isinstance(raw, Mapping):
            problems.append(problem(f"groups.{index}", N_("must be an object")))
            continue
        values = _read(raw, GROUP_KEYS, f"groups.{index}.", problems)
        if all(v is not None for v in values.values()):
            groups.append(GroupQuorum(values["name"], values["required"], tuple(values["members"])))
    return tuple(groups)


def rule_from_dict(data: Any) -> DecisionRule:
    """Parse a rule from its configuration form (``RULE_KEYS``); ``InvalidInput`` names
    every bad field.

    ``{"kind": "unanimity"}``, ``{"kind": "quorum_by_group", "groups": [{"name":
    "government", "required": 3, "members": [...]}, ...]}``, ``{"kind": "presiding_member",
    "presiding": "un"}``.
    """
    if not isinstance(data, Mapping):
        raise InvalidInput.worded(
            N_("a decision rule is an object"), details=[problem("rule", N_("not an object"))]
        )
    kind = data.get("kind")
    if not isinstance(kind, str) or kind not in RULE_KEYS:
        raise InvalidInput.worded(
            N_("unknown decision rule kind %(kind)s"),
            details=[
                problem("kind", N_("expected unanimity, quorum_by_group or presiding_member"))
            ],
            kind=repr(kind),
        )
    problems: list[dict[str, Any]] = []
    values = _read(data, RULE_KEYS[RuleKind(kind)], "", problems)
    if problems:
        raise InvalidInput.worded(N_("invalid decision rule"), details=problems)
    voters = tuple(values["voters"]) if values.get("voters") is not None else None
    match RuleKind(kind):
        case RuleKind.UNANIMITY:
            return Unanimity(voters=voters)
        case RuleKind.PRESIDING_MEMBER:
            return PresidingMember(presiding=values["presiding"], voters=voters)
        case RuleKind.QUORUM_BY_GROUP:
            groups = _groups(values["groups"], problems)
            if problems:
                raise InvalidInput.worded(N_("invalid decision rule"), details=problems)
            return QuorumByGroup(groups=groups)


# ------------------------------------------------------------------------------ effects


@dataclass(frozen=True, slots=True)
class IncidentState:
    """The two separate facts about an incident that a decision can change."""

    status: OccurrenceStatus
    attribution: Attribution = field(default_factory=Attribution)


def apply_decision(state: IncidentState, decision: Decision) -> IncidentState:
    """The incident's state after ``decision``: decided → its finding; disputed → ``disputed``.

    Only an incident under investigation is decided on (CTSAMVM's Board rejects reports that
    skipped a stage); a pending decision changes nothing.
    """
    if state.status is not OccurrenceStatus.UNDER_INVESTIGATION:
        return state
    if decision.state is DecisionState.DECIDED:
        assert decision.finding is not None
        return IncidentState(decision.finding.status, decision.finding.attribution)
    if decision.state is DecisionState.DISPUTED:
        return IncidentState(state.status, Attribution(AttributionKind.DISPUTED))
    return state


def withheld_order(names: Iterable[str]) -> list[str]:
    """The names ``redact_names`` withholds, in the order it replaces them (longest first;
    names of two letters or fewer are not withheld)."""
    return sorted({n.strip() for n in names if n and len(n.strip()) > 2}, key=len, reverse=True)


def redact_ordered(text: str | None, ordered: Sequence[str]) -> str | None:
    """``redact_names`` with the names already in ``withheld_order`` (an export redacts a
    million titles against mostly the same names: ordered once)."""
    if text is None:
        return None
    for name in ordered:
        if name in text:
            text = text.replace(name, "[name withheld]")
    return text


def redact_names(text: str | None, names: Iterable[str]) -> str | None:
    """Replace each known person's name in ``text`` by ``[name withheld]`` (longest first)."""
    return redact_ordered(text, withheld_order(names))


@dataclass(frozen=True, slots=True)
class IncidentSnapshot:
    """What an incident is now, as the incidents area announces it to the others (the
    ``incident_changed`` hook, ``incident_snapshots``): its time span, its most precise place,
    the categories of the incident and of its reports, its attribution, and the parties its
    reports allege."""

    id: str
    agreement_id: str | None
    categories: frozenset[str]
    observed_start: datetime
    observed_end: datetime
    lat: float | None
    lon: float | None
    precision: int
    attributed_party: str | None
    alleged: frozenset[str]


FUSED_TITLE = re.compile(
    r"(?P<label>[a-z][a-z ]*?)(?: near (?P<place>.+))?, (?P<day>\d{4}-\d{2}-\d{2})"
)
"""An incident title as fusion words it (``shelling near Aghdam, 2020-11-26``: the category,
the place of its best-located report, the first day)."""


def incident_title(title: str, translate: Any, day: Any) -> str:
    """An incident's title in the reader's language where fusion worded it (its category by
    the category's label, the day by ``day``, the place as recorded, less a word of nearness
    the template adds itself); a title a member wrote
    is their own words, shown as written. ``translate``: the page's or the CLI's gettext (the
    shared catalogues), ``day``: the day as the reader reads it."""
    found = FUSED_TITLE.fullmatch(title)
    msgid = LABELS["category"].get(found["label"].replace(" ", "_")) if found else None
    if found is None or msgid is None:
        return title
    try:
        when = day(datetime.fromisoformat(found["day"]))
    except ValueError:
        return title
    what = translate(msgid)
    if found["place"] is None:
        return f"{what}, {when}"
    # A title fused before its place lost its own "near" (``near near Aghdam``) reads once.
    return str(translate(N_("%(what)s near %(place)s, %(day)s"))) % {
        "what": what,
        "place": place_without_nearness(found["place"]),
        "day": when,
    }
