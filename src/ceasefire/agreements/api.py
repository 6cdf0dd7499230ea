"""``/api/v1/agreements`` and ``/api/v1/zones``: the agreement register.

Agreement texts, provisions, statuses and zones are public record: reading needs no token.
Recording a provision's status needs the token of an operator or of a monitor of that
agreement (checked in the service). Unknown ids are 404; malformed query values and bodies
are 422 naming the parameter or field. Responses are typed by the models of
``ceasefire.agreements.schemas``, so ``/openapi.json`` describes them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response, status
from fastapi.responses import JSONResponse

from ceasefire.agreements import service as agreements
from ceasefire.agreements.model import Evidence
from ceasefire.agreements.schemas import (
    AgreementListPublic,
    AgreementProvisionsPublic,
    AgreementPublic,
    AgreementVersionsPublic,
    ProvisionStatusCreate,
    ProvisionStatusRecorded,
    ZoneCollectionPublic,
)
from ceasefire.agreements.views import agreement_view, provisions_view
from ceasefire.api.deps import ContextDep, CurrentViewer, RequireMember
from ceasefire.api.inputcheck import INT4_MAX
from ceasefire.timeutil import parse_instant, utcnow

router = APIRouter(prefix="/api/v1", tags=["agreements"])

AgreementId = Annotated[
    str, Path(description="Agreement id, e.g. nk-2020-trilateral.", max_length=80)
]
AsOf = Annotated[
    str | None,
    Query(
        description="ISO 8601 instant to evaluate at (default: now). A bare date is 00:00 UTC; "
        "a time without an offset is taken as UTC.",
        examples=["2020-11-21T00:00:00Z"],
        max_length=64,
    ),
]
Version = Annotated[
    int | None,
    Query(ge=1, le=INT4_MAX, description="Agreement version (default: the current one)."),
]
ProvisionId = Annotated[str, Path(description="Provision id, e.g. p6-kalbajar.", max_length=80)]


class GeoJSONResponse(JSONResponse):
    media_type = "application/geo+json"


def _as_of(value: str | None) -> datetime:
    return utcnow() if value is None else parse_instant(value, field="as_of")


@router.get(
    "/agreements",
    summary="List the agreements in the register",
    response_model=AgreementListPublic,
)
def list_agreements(ctx: ContextDep) -> AgreementListPublic:
    return AgreementListPublic(agreements=agreements.list_agreements(ctx))


@router.get(
    "/agreements/{agreement_id}",
    summary="One agreement, with provisions and term",
    response_model=AgreementPublic,
)
def get_agreement(
    ctx: ContextDep,
    viewer: CurrentViewer,
    agreement_id: AgreementId,
    version: Version = None,
    as_of: AsOf = None,
) -> dict[str, Any]:
    """The agreement at ``version``; statuses and deadlines as of ``as_of``. A status's
    evidence shows the caller (the public without a token) only the ids it may read."""
    instant = _as_of(as_of)
    stored = agreements.get_agreement(ctx, agreement_id, version, reader=viewer)
    return agreement_view(stored.agreement, instant, version=stored.version_info())


@router.get(
    "/agreements/{agreement_id}/versions",
    summary="Every version of an agreement",
    response_model=AgreementVersionsPublic,
)
def list_versions(ctx: ContextDep, agreement_id: AgreementId) -> AgreementVersionsPublic:
    return agreements.list_versions(ctx, agreement_id)


@router.get(
    "/agreements/{agreement_id}/provisions",
    summary="Provisions with status and deadline as of an instant",
    response_model=AgreementProvisionsPublic,
)
def list_provisions(
    ctx: ContextDep,
    viewer: CurrentViewer,
    agreement_id: AgreementId,
    as_of: AsOf = None,
    due_within_days: Annotated[
        int | None,
        Query(ge=0, le=36500, description="Only open provisions due within this many days."),
    ] = None,
    version: Version = None,
) -> dict[str, Any]:
    """Every provision and part (flat), the term as of ``as_of``, overdue and upcoming ids;
    a status's evidence as the caller may read it."""
    instant = _as_of(as_of)
    stored = agreements.get_agreement(ctx, agreement_id, version, reader=viewer)
    return provisions_view(
        stored.agreement,
        instant,
        version=stored.version_info(),
        due_within_days=due_within_days,
    )


@router.post(
    "/agreements/{agreement_id}/provisions/{provision_id}/status",
    summary="Record a provision's status (operators and monitors of the agreement)",
    status_code=status.HTTP_201_CREATED,
    response_model=ProvisionStatusRecorded,
    responses={
        200: {
            "model": ProvisionStatusRecorded,
            "description": "Already recorded (a retry): the stored change, nothing new written",
        },
        401: {"description": "No token, or a bad one"},
        403: {"description": "Not an operator or a monitor of this agreement"},
        404: {"description": "Unknown agreement or provision"},
        409: {"description": "This status at this instant is recorded with other details"},
        422: {"description": "Invalid field (named in error.details[].loc)"},
    },
)
def record_provision_status(
    ctx: ContextDep,
    viewer: RequireMember,
    agreement_id: AgreementId,
    provision_id: ProvisionId,
    body: ProvisionStatusCreate,
    response: Response,
) -> ProvisionStatusRecorded:
    """Record that the provision has ``status`` from the given instant on.

    One ledger entry in the same transaction. The same body again is answered 200 with the
    stored change and writes nothing.
    """
    result = agreements.record_provision_status(
        ctx,
        viewer,
        agreement_id,
        provision_id,
        **body.model_dump(exclude={"evidence"}),
        evidence=[Evidence(**e.model_dump()) for e in body.evidence],
    )
    if not result.recorded:
        response.status_code = status.HTTP_200_OK
    return result


@router.get(
    "/zones",
    summary="Agreement zones as a GeoJSON FeatureCollection",
    response_class=GeoJSONResponse,
    response_model=ZoneCollectionPublic,
)
def list_zones(
    ctx: ContextDep,
    as_of: AsOf = None,
    agreement: Annotated[
        str | None, Query(description="Only this agreement's zones.", max_length=80)
    ] = None,
) -> ZoneCollectionPublic:
    """Zones of the current agreement versions (RFC 7946, WGS84 longitude/latitude).

    With ``as_of``, only zones valid at that instant. Each feature's ``precision`` says how
    approximate its geometry is.
    """
    instant = None if as_of is None else _as_of(as_of)
    return agreements.list_zones(ctx, as_of=instant, agreement_id=agreement)
