"""Incidents and joint verification: grouping, investigation, assessments, replies, notes,
status and classification, filtered lists, and the decision rule of each agreement.

Without a token, ``GET /api/v1/incidents`` and ``GET /api/v1/incidents/{id}`` return public
incidents only, redacted (no observer positions, no reports, no names of persons).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, status

from ceasefire.access import Classification
from ceasefire.api.bodies import json_body
from ceasefire.api.deps import ContextDep, CurrentViewer, RequireMember
from ceasefire.api.params import ObservedFrom, ObservedUntil
from ceasefire.incidents import service as incidents
from ceasefire.incidents.model import Attribution, AttributionKind, OccurrenceStatus
from ceasefire.incidents.schemas import (
    AssessmentCreate,
    AssessmentPublic,
    ClassificationChange,
    IncidentCreate,
    IncidentDetail,
    IncidentEdit,
    IncidentPage,
    IncidentRedacted,
    NoteCreate,
    NotePublic,
    ReplyCreate,
    ReplyPublic,
    ReportIds,
    StatusChange,
    TaskComplete,
    TaskCreate,
    TaskPublic,
    decision_rule_schemas,
)
from ceasefire.reports.model import Category, Channel

router = APIRouter(prefix="/api/v1", tags=["incidents"])

IncidentOut = IncidentDetail | IncidentRedacted

RetryKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        description="A retry with the same key and body is answered with the record the "
        "first request made; the same key with another body is a 409.",
    ),
]


@router.post("/incidents", response_model=IncidentDetail, status_code=201)
def create_incident(
    ctx: ContextDep,
    viewer: RequireMember,
    body: IncidentCreate,
    idempotency_key: RetryKey = None,
) -> IncidentDetail:
    """Group reports into a new incident (monitors)."""
    # ``dict(body)``: the body's fields are the service's keywords (nested models kept as
    # they are, unlike ``model_dump``); so in ``assign_task`` and ``assess``.
    return incidents.create_incident(ctx, viewer, **dict(body), idempotency_key=idempotency_key)


@router.get("/incidents", response_model=IncidentPage)
def list_incidents(
    ctx: ContextDep,
    viewer: CurrentViewer,
    start: ObservedFrom = None,
    end: ObservedUntil = None,
    bbox: Annotated[
        str | None,
        Query(description="min_lon,min_lat,max_lon,max_lat", examples=["46.8,39.9,47.1,40.1"]),
    ] = None,
    category: Category | None = None,
    status: OccurrenceStatus | None = None,
    attribution: AttributionKind | None = None,
    party: Annotated[str | None, Query(description="Concerned or attributed party")] = None,
    channel: Annotated[
        Channel | None, Query(description="Has a report of this channel the caller may read")
    ] = None,
    agreement_id: str | None = None,
    classification: Classification | None = None,
    limit: Annotated[int, Query(ge=1, le=incidents.MAX_LIST_LIMIT)] = 50,
    cursor: str | None = None,
) -> IncidentPage:
    """Incidents the caller may read, newest first, filtered and paged."""
    filters = incidents.IncidentFilters(
        start=start,
        end=end,
        bbox=incidents.parse_bbox(bbox),
        category=category,
        status=status,
        attribution=attribution,
        party=party,
        channel=channel,
        agreement_id=agreement_id,
        classification=classification,
    )
    page = incidents.list_incidents(ctx, viewer, filters, limit=limit, cursor=cursor)
    return IncidentPage(items=page.items, next_cursor=page.next_cursor)


@router.get("/incidents/{incident_id}", response_model=IncidentOut)
def get_incident(ctx: ContextDep, viewer: CurrentViewer, incident_id: str) -> IncidentOut:
    """One incident with every part the caller may read (redacted for the public)."""
    return incidents.get_incident(ctx, viewer, incident_id)


@router.patch("/incidents/{incident_id}", response_model=IncidentDetail)
def edit_incident(
    ctx: ContextDep, viewer: RequireMember, incident_id: str, body: IncidentEdit
) -> IncidentDetail:
    """Change the title or the shared summary."""
    return incidents.edit_incident(ctx, viewer, incident_id, title=body.title, summary=body.summary)


@router.post("/incidents/{incident_id}/reports", response_model=IncidentDetail)
def add_reports(
    ctx: ContextDep, viewer: RequireMember, incident_id: str, body: ReportIds
) -> IncidentDetail:
    return incidents.add_reports(ctx, viewer, incident_id, body.report_ids)


@router.delete("/incidents/{incident_id}/reports/{report_id}", response_model=IncidentDetail)
def remove_report(
    ctx: ContextDep,
    viewer: RequireMember,
    incident_id: str,
    report_id: str,
    reason: Annotated[str, Query(min_length=1)],
) -> IncidentDetail:
    return incidents.remove_report(ctx, viewer, incident_id, report_id, reason=reason)


@router.post("/incidents/{incident_id}/status", response_model=IncidentDetail)
def change_status(
    ctx: ContextDep, viewer: RequireMember, incident_id: str, body: StatusChange
) -> IncidentDetail:
    """Move the occurrence status (409 when the transition or the decision does not allow it)."""
    return incidents.change_status(ctx, viewer, incident_id, body.status, reason=body.reason)


@router.post("/incidents/{incident_id}/classification", response_model=IncidentDetail)
def classify(
    ctx: ContextDep, viewer: RequireMember, incident_id: str, body: ClassificationChange
) -> IncidentDetail:
    """Change who may read the incident; ``public`` publishes its redacted view."""
    return incidents.classify(ctx, viewer, incident_id, body.classification, reason=body.reason)


@router.post("/incidents/{incident_id}/tasks", response_model=TaskPublic, status_code=201)
def assign_task(
    ctx: ContextDep,
    viewer: RequireMember,
    incident_id: str,
    body: TaskCreate,
    idempotency_key: RetryKey = None,
) -> TaskPublic:
    """Send a team to investigate; notes which parties' representatives are present."""
    return incidents.assign_task(
        ctx, viewer, incident_id, **dict(body), idempotency_key=idempotency_key
    )


@router.post("/tasks/{task_id}/complete", response_model=TaskPublic)
def complete_task(
    ctx: ContextDep, viewer: RequireMember, task_id: str, body: TaskComplete
) -> TaskPublic:
    return incidents.complete_task(ctx, viewer, task_id, findings=body.findings)


@router.post(
    "/incidents/{incident_id}/assessments",
    response_model=IncidentDetail,
    status_code=201,
)
def assess(
    ctx: ContextDep, viewer: RequireMember, incident_id: str, body: AssessmentCreate
) -> IncidentDetail:
    """Record the caller's member's assessment; returns the incident after the decision rule."""
    fields = dict(body)
    if body.attribution is not None:
        fields["attribution"] = Attribution.parse(body.attribution)
    return incidents.assess(ctx, viewer, incident_id, **fields)


@router.get("/incidents/{incident_id}/assessments", response_model=list[AssessmentPublic])
def list_assessments(
    ctx: ContextDep, viewer: RequireMember, incident_id: str
) -> list[AssessmentPublic]:
    """Every assessment the caller may read, superseded ones included (``current`` false)."""
    detail = incidents.get_incident(ctx, viewer, incident_id)
    assert isinstance(detail, IncidentDetail)
    return detail.assessments


@router.get("/incidents/{incident_id}/decision")
def get_decision(ctx: ContextDep, viewer: RequireMember, incident_id: str) -> dict[str, Any]:
    """What the agreement's decision rule makes of the current assessments (monitors)."""
    return incidents.get_decision(ctx, viewer, incident_id).to_dict()


@router.post("/incidents/{incident_id}/decision")
def evaluate_decision(ctx: ContextDep, viewer: RequireMember, incident_id: str) -> dict[str, Any]:
    """Re-evaluate the decision rule now (e.g. after the rule changed) and apply it."""
    return incidents.evaluate(ctx, viewer, incident_id).to_dict()


@router.post("/incidents/{incident_id}/replies", response_model=ReplyPublic, status_code=201)
def reply(
    ctx: ContextDep, viewer: RequireMember, incident_id: str, body: ReplyCreate
) -> ReplyPublic:
    """A party's right of reply (the liaison of a party the incident concerns)."""
    return incidents.reply(
        ctx, viewer, incident_id, text=body.text, evidence_refs=body.evidence_refs
    )


@router.get("/incidents/{incident_id}/replies", response_model=list[ReplyPublic])
def list_replies(ctx: ContextDep, viewer: RequireMember, incident_id: str) -> list[ReplyPublic]:
    detail = incidents.get_incident(ctx, viewer, incident_id)
    assert isinstance(detail, IncidentDetail)
    return detail.replies


@router.post("/incidents/{incident_id}/notes", response_model=NotePublic, status_code=201)
def add_note(
    ctx: ContextDep,
    viewer: RequireMember,
    incident_id: str,
    body: NoteCreate,
    idempotency_key: RetryKey = None,
) -> NotePublic:
    """A working note (internal by default)."""
    return incidents.add_note(
        ctx,
        viewer,
        incident_id,
        text=body.text,
        classification=body.classification,
        idempotency_key=idempotency_key,
    )


@router.get("/decision-rules/{agreement_id}")
def get_decision_rule(ctx: ContextDep, agreement_id: str) -> dict[str, Any]:
    """How incidents of an agreement are decided (public: the rule is no secret)."""
    return incidents.get_decision_rule(ctx, agreement_id).to_dict()


RULE_EXAMPLES: dict[str, dict[str, Any]] = {
    "unanimity": {"kind": "unanimity", "voters": ["tur", "rus"]},
    "quorum_by_group": {
        "kind": "quorum_by_group",
        "groups": [
            {"name": "monitors", "required": 2, "members": ["tur", "rus"]},
            {"name": "parties", "required": 1, "members": ["arm", "aze"]},
        ],
    },
    "presiding_member": {"kind": "presiding_member", "presiding": "tur", "voters": ["rus"]},
}
"""An example of each kind of rule, in the API document."""


@router.put(
    "/decision-rules/{agreement_id}",
    status_code=status.HTTP_200_OK,
    openapi_extra=json_body("DecisionRule", decision_rule_schemas(), RULE_EXAMPLES),
)
def set_decision_rule(
    ctx: ContextDep, viewer: RequireMember, agreement_id: str, body: dict[str, Any]
) -> dict[str, Any]:
    """Configure the rule: ``{"kind": "unanimity"}``, ``quorum_by_group`` or
    ``presiding_member`` (see docs/intake.md)."""
    return incidents.set_decision_rule(ctx, viewer, agreement_id, body).to_dict()
