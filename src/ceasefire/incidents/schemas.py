"""The incidents area's schemas: one family per resource (``XCreate`` what a client sends,
``XPublic`` what it reads back), shared by the use cases, the API and the CLI."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, Field

from ceasefire.access import Classification
from ceasefire.incidents.model import (
    AttributionKind,
    OccurrenceStatus,
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
