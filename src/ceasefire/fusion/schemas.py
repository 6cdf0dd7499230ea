"""What the fusion API and CLI show: decisions with their evidence, and an incident's
corroboration summary."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class DecisionPublic(BaseModel):
    """One grouping decision (automatic or an analyst's) and its evidence."""

    id: str
    kind: str = Field(description="new_incident, linked, left_alone, merged, split or undone")
    agreement_id: str | None
    report_ids: list[str]
    incident_id: str | None = Field(description="Where the reports went")
    other_incident_id: str | None = Field(description="Where they came from (merge, split, undo)")
    matcher: str | None = Field(description="The matcher's versioned name (automatic decisions)")
    score: float | None
    evidence: dict[str, Any] | None = Field(description="Features, scores, threshold, reason")
    actor_member: str
    actor_user: str | None
    decided_at: datetime
    undoes: str | None
    undone_by: str | None


class FusionSummary(BaseModel):
    """How many independent sources support an incident, by kind, and how it was grouped."""

    incident_id: str
    reports: int = Field(description="Reports counted (those the caller may read)")
    independent_sources: int
    by_kind: dict[str, int]
    summary: str = Field(
        examples=["4 independent sources (1 complaint, 1 monitor, 1 news, 1 sensor)"]
    )
    method: str
    sources: list[dict[str, Any]]
    decisions: list[DecisionPublic]


class MergeRequest(BaseModel):
    incident_id: str = Field(description="The incident whose reports move into this one")
    reason: str | None = Field(default=None, max_length=2000)


class SplitRequest(BaseModel):
    report_ids: list[str] = Field(min_length=1, description="Reports that form a new incident")
    reason: str | None = Field(default=None, max_length=2000)


class UndoRequest(BaseModel):
    reason: str | None = Field(default=None, max_length=2000)
