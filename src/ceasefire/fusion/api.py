"""Fusion over HTTP: an incident's corroboration summary and decisions, analysts' merge,
split and undo. Permissions are the service's (monitors of the incidents' agreement)."""

from __future__ import annotations

from fastapi import APIRouter

from ceasefire.api.deps import ContextDep, CurrentViewer, RequireMember
from ceasefire.fusion import service as fusion
from ceasefire.fusion.schemas import (
    DecisionPublic,
    FusionSummary,
    MergeRequest,
    SplitRequest,
    UndoRequest,
)

router = APIRouter(prefix="/api/v1", tags=["fusion"])


@router.get("/incidents/{incident_id}/fusion", response_model=FusionSummary)
def incident_fusion(ctx: ContextDep, viewer: CurrentViewer, incident_id: str) -> FusionSummary:
    """Independent sources by kind (two articles of one wire count once) and the decisions
    that grouped the incident, with their evidence (members; the public gets the counts)."""
    return fusion.summary(ctx, viewer, incident_id)


@router.post("/incidents/{incident_id}/merge", response_model=DecisionPublic, status_code=201)
def merge(
    ctx: ContextDep, viewer: RequireMember, incident_id: str, body: MergeRequest
) -> DecisionPublic:
    """Move every report of ``body.incident_id`` into this incident (monitors)."""
    return fusion.merge(ctx, viewer, incident_id, body.incident_id, reason=body.reason)


@router.post("/incidents/{incident_id}/split", response_model=DecisionPublic, status_code=201)
def split(
    ctx: ContextDep, viewer: RequireMember, incident_id: str, body: SplitRequest
) -> DecisionPublic:
    """Take the named reports out into a new incident (monitors)."""
    return fusion.split(ctx, viewer, incident_id, body.report_ids, reason=body.reason)


@router.get("/fusion/decisions/{decision_id}", response_model=DecisionPublic)
def get_decision(ctx: ContextDep, viewer: RequireMember, decision_id: str) -> DecisionPublic:
    """One decision and its evidence."""
    return fusion.get_decision(ctx, viewer, decision_id)


@router.post("/fusion/decisions/{decision_id}/undo", response_model=DecisionPublic, status_code=201)
def undo(
    ctx: ContextDep, viewer: RequireMember, decision_id: str, body: UndoRequest
) -> DecisionPublic:
    """Undo a decision (a link, a new incident, a merge, a split) as a new decision."""
    return fusion.undo(ctx, viewer, decision_id, reason=body.reason)
