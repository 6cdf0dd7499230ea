"""Compliance: an incident's findings, a provision's history with its findings, the
deadlines as of an instant, and an evaluation on demand.

Findings are shown to whoever may read their incident (the public: those of public
incidents); deadlines come from the agreements, which are public.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import AwareDatetime

from ceasefire.api.deps import ContextDep, CurrentViewer, RequireMember
from ceasefire.compliance import service as compliance
from ceasefire.compliance.schemas import (
    DeadlinesPublic,
    EvaluationPublic,
    FindingPublic,
    ProvisionHistoryPublic,
)
from ceasefire.timeutil import utcnow

router = APIRouter(prefix="/api/v1", tags=["compliance"])


@router.get("/incidents/{incident_id}/findings", response_model=list[FindingPublic])
def incident_findings(
    ctx: ContextDep,
    viewer: CurrentViewer,
    incident_id: str,
    include_withdrawn: bool = False,
) -> list[FindingPublic]:
    """The rule findings about an incident (404 for an incident the caller may not read)."""
    return compliance.incident_findings(
        ctx, viewer, incident_id, include_withdrawn=include_withdrawn
    )


@router.get(
    "/agreements/{agreement_id}/provisions/{provision_id}/history",
    response_model=ProvisionHistoryPublic,
)
def provision_history(
    ctx: ContextDep,
    viewer: CurrentViewer,
    agreement_id: str,
    provision_id: str,
    as_of: AwareDatetime | None = None,
) -> ProvisionHistoryPublic:
    """A provision's status history with the findings about it the caller may read."""
    return compliance.provision_history(ctx, viewer, agreement_id, provision_id, as_of=as_of)


@router.get("/compliance/deadlines", response_model=list[DeadlinesPublic])
def deadlines(
    ctx: ContextDep,
    viewer: CurrentViewer,
    agreement: str | None = None,
    as_of: AwareDatetime | None = None,
    due_within_days: Annotated[int, Query(ge=0, le=3650)] = 7,
) -> list[DeadlinesPublic]:
    """Watched deadlines as of ``as_of`` (default now): overdue (naming the part), due
    within ``due_within_days``, fulfilled, other; amendments applied as decided by then, their
    reasons and evidence naming only the records the caller may read."""
    return compliance.deadline_states(
        ctx,
        as_of or utcnow(),
        reader=viewer,
        agreement_id=agreement,
        due_within=timedelta(days=due_within_days),
    )


@router.post("/compliance/evaluate", response_model=list[EvaluationPublic])
def evaluate(
    ctx: ContextDep, viewer: RequireMember, agreement: str | None = None
) -> list[EvaluationPublic]:
    """Re-evaluate every incident of an agreement (monitors): new, withdrawn, unchanged."""
    return compliance.evaluate(ctx, viewer, agreement)
