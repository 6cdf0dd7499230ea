"""The incidents area's schemas: one family per resource (``XCreate`` what a client sends,
``XPublic`` what it reads back), shared by the use cases, the API and the CLI."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, Field

from ceasefire.access import Classification
from ceasefire.incidents.model import (
    GROUP_KEYS,
    RULE_KEYS,
    AttributionKind,
    OccurrenceStatus,
    RuleKey,
    RuleKind,
    RuleValue,
    Stance,
)
from ceasefire.reports.model import Category
from ceasefire.reports.schemas import ReportPublic


class AssessmentPublic(BaseModel):
    id: str
    member_id: str
    user_id: str | None
    stance: Stance
    finding: dict[str, Any] | None
    rationale: str
    evidence_refs: list[str]
    classification: Classification
    recorded_at: datetime
    supersedes: str | None
    current: bool


class ReplyPublic(BaseModel):
    id: str
    member_id: str
    user_id: str | None
    party: str
    text: str
    evidence_refs: list[str]
    classification: Classification
    recorded_at: datetime


class NotePublic(BaseModel):
    id: str
    member_id: str
    user_id: str | None
    text: str
    classification: Classification
    recorded_at: datetime


class PartyRepresentative(BaseModel):
    """A party's representative on a field investigation (CTSAMVM practice)."""

    party: str
    present: bool
    names: list[str] = []


class TaskPublic(BaseModel):
    id: str
    incident_id: str
    team: list[str]
    lead_member: str | None
    party_representatives: list[PartyRepresentative]
    instructions: str | None
    status: str
    due_at: datetime | None
    assigned_at: datetime
    assigned_by: str
    completed_at: datetime | None
    findings: str | None


class IncidentBase(BaseModel):
    """What an incident is, where and when, and where verification stands: the part every
    reader may see."""

    id: str
    title: str
    summary: str | None
    category: str
    concerns: list[str]
    status: OccurrenceStatus
    attribution: AttributionKind
    attributed_party: str | None
    observed_start: datetime
    observed_end: datetime
    event_position: dict[str, Any]
    report_count: int
    updated_at: datetime


class IncidentSummary(IncidentBase):
    """An incident in a list: what, where, when, and where verification stands."""

    agreement_id: str | None
    classification: Classification
    owner_member: str
    created_at: datetime
    channels: list[str]


class IncidentDetail(IncidentSummary):
    """An incident with every part the viewer may read; superseded assessments included."""

    decision: dict[str, Any] | None
    reports: list[ReportPublic]
    assessments: list[AssessmentPublic]
    replies: list[ReplyPublic]
    notes: list[NotePublic]
    tasks: list[TaskPublic]


class IncidentRedacted(IncidentBase):
    """The public view: no observer positions, no reports, no names of persons, no notes."""

    decision_state: str | None


class IncidentCreate(BaseModel):
    report_ids: list[str] = Field(min_length=1)
    title: str = Field(min_length=1, max_length=300)
    summary: str | None = None
    classification: Classification = Classification.INTERNAL
    agreement_id: str | None = None
    category: Category | None = None


class IncidentEdit(BaseModel):
    title: str | None = Field(default=None, min_length=1, max_length=300)
    summary: str | None = None


class ReportIds(BaseModel):
    report_ids: list[str] = Field(min_length=1)


class StatusChange(BaseModel):
    status: OccurrenceStatus
    reason: str = Field(min_length=1)


class ClassificationChange(BaseModel):
    classification: Classification
    reason: str | None = None


class TaskCreate(BaseModel):
    team: list[str] = Field(min_length=1)
    lead_member: str | None = None
    party_representatives: list[PartyRepresentative] = []
    instructions: str | None = None
    due_at: AwareDatetime | None = None


class TaskComplete(BaseModel):
    findings: str = Field(min_length=1)


class AssessmentCreate(BaseModel):
    stance: Stance
    rationale: str = Field(min_length=1)
    status: OccurrenceStatus | None = Field(
        default=None, description="The finding's status: verified, not_substantiated, ..."
    )
    attribution: str | None = Field(default=None, examples=["attributed(ARM)", "not_attributable"])
    evidence_refs: list[str] = []
    classification: Classification = Classification.INTERNAL


class ReplyCreate(BaseModel):
    text: str = Field(min_length=1)
    evidence_refs: list[str] = []


class NoteCreate(BaseModel):
    text: str = Field(min_length=1)
    classification: Classification = Classification.INTERNAL


class IncidentPage(BaseModel):
    items: list[IncidentSummary | IncidentRedacted]
    next_cursor: str | None


# ------------------------------------------------------ the body of PUT /decision-rules
#
# The document's schema of a decision rule is built from the parser's own tables
# (``model.RULE_KEYS``, ``model.GROUP_KEYS``), so it cannot drift from what
# ``rule_from_dict`` takes. Keys a kind does not name are ignored by the parser (and not
# stored), so the objects stay open. What JSON Schema cannot say (a group's ``required``
# at most its members, no member in two groups) is said in the descriptions; the parser
# refuses it with a 422 naming the field, as always.

_NULL = {"type": "null"}


def _value_schema(key: RuleKey) -> dict[str, Any]:
    match key.value:
        case RuleValue.TEXT:
            schema: dict[str, Any] = {"type": "string", "minLength": 1}
        case RuleValue.MEMBER_IDS:
            schema = {"type": "array", "items": {"type": "string", "minLength": 1}}
        case RuleValue.WHOLE:
            schema = {"type": "integer", "minimum": key.minimum}
        case RuleValue.GROUPS:
            schema = {
                "type": "array",
                "minItems": key.minimum,
                "items": {"$ref": "#/components/schemas/DecisionRuleGroup"},
            }
    schema = {k: v for k, v in schema.items() if v is not None}
    return schema if key.required else {"anyOf": [schema, _NULL]}


def _object_schema(keys: dict[str, RuleKey], **extra: Any) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {name: _value_schema(key) for name, key in keys.items()},
        "required": [name for name, key in keys.items() if key.required],
        **extra,
    }


def _schema_name(kind: RuleKind) -> str:
    return "DecisionRule" + "".join(part.title() for part in kind.value.split("_"))


_KIND_DESCRIPTIONS = {
    RuleKind.UNANIMITY: "Every voter (by default every monitor of the agreement) concurs.",
    RuleKind.QUORUM_BY_GROUP: "At least `required` members of each group concur, none"
    " dissents; a group's `required` is at most its members, and no member is in two groups.",
    RuleKind.PRESIDING_MEMBER: "The voters decide together; if they disagree, the presiding"
    " member's view settles it.",
}


def decision_rule_schemas() -> dict[str, dict[str, Any]]:
    """The components of the body of ``PUT /api/v1/decision-rules/{agreement_id}``:
    ``DecisionRule``, a union discriminated by ``kind``, one object per kind, and
    ``DecisionRuleGroup``."""
    assert _KIND_DESCRIPTIONS.keys() == RULE_KEYS.keys(), "a rule kind without its words"
    components: dict[str, dict[str, Any]] = {
        "DecisionRuleGroup": _object_schema(GROUP_KEYS, title="A group of quorum_by_group")
    }
    for kind, keys in RULE_KEYS.items():
        schema = _object_schema(
            keys, title=f"A rule of kind {kind.value}", description=_KIND_DESCRIPTIONS[kind]
        )
        schema["properties"] = {
            "kind": {"type": "string", "enum": [kind.value]},
            **schema["properties"],
        }
        schema["required"] = ["kind", *schema["required"]]
        components[_schema_name(kind)] = schema
    components["DecisionRule"] = {
        "oneOf": [{"$ref": f"#/components/schemas/{_schema_name(k)}"} for k in RuleKind],
        "discriminator": {
            "propertyName": "kind",
            "mapping": {k.value: f"#/components/schemas/{_schema_name(k)}" for k in RuleKind},
        },
    }
    return components
