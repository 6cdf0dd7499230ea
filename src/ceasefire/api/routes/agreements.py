"""``/api/v1/agreements`` and ``/api/v1/zones``: the agreement register, read-only.

Agreement texts, provisions, statuses and zones are public record: no token is needed.
Unknown ids are 404; malformed query values are 422 naming the parameter.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse

from ceasefire.agreements.views import agreement_view, provisions_view
from ceasefire.api.deps import ContextDep
from ceasefire.domain.timeutil import parse_instant, utcnow
from ceasefire.services import agreements

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
    int | None, Query(ge=1, description="Agreement version (default: the current one).")
]


def _as_of(value: str | None) -> datetime:
    return utcnow() if value is None else parse_instant(value, field="as_of")


@router.get("/agreements", summary="List the agreements in the register")
def list_agreements(ctx: ContextDep) -> dict[str, Any]:
    return {"agreements": agreements.list_agreements(ctx)}


@router.get("/agreements/{agreement_id}", summary="One agreement, with provisions and term")
def get_agreement(
    ctx: ContextDep, agreement_id: AgreementId, version: Version = None, as_of: AsOf = None
) -> dict[str, Any]:
    """The agreement at ``version``; statuses and deadlines as of ``as_of``."""
    instant = _as_of(as_of)
    stored = agreements.get_agreement(ctx, agreement_id, version)
    return agreement_view(stored.agreement, instant, version=stored.version_info())


@router.get("/agreements/{agreement_id}/versions", summary="Every version of an agreement")
def list_versions(ctx: ContextDep, agreement_id: AgreementId) -> dict[str, Any]:
    return {"agreement": agreement_id, "versions": agreements.list_versions(ctx, agreement_id)}


@router.get(
    "/agreements/{agreement_id}/provisions",
    summary="Provisions with status and deadline as of an instant",
)
def list_provisions(
    ctx: ContextDep,
    agreement_id: AgreementId,
    as_of: AsOf = None,
    due_within_days: Annotated[
        int | None,
        Query(ge=0, le=36500, description="Only open provisions due within this many days."),
    ] = None,
    version: Version = None,
) -> dict[str, Any]:
    """Every provision and part (flat), the term as of ``as_of``, overdue and upcoming ids."""
    instant = _as_of(as_of)
    stored = agreements.get_agreement(ctx, agreement_id, version)
    return provisions_view(
        stored.agreement,
        instant,
        version=stored.version_info(),
        due_within_days=due_within_days,
    )


@router.get(
    "/zones",
    summary="Agreement zones as a GeoJSON FeatureCollection",
    response_class=JSONResponse,
    responses={200: {"content": {"application/geo+json": {}}}},
)
def list_zones(
    ctx: ContextDep,
    as_of: AsOf = None,
    agreement: Annotated[
        str | None, Query(description="Only this agreement's zones.", max_length=80)
    ] = None,
) -> JSONResponse:
    """Zones of the current agreement versions (RFC 7946, WGS84 longitude/latitude).

    With ``as_of``, only zones valid at that instant. Each feature's ``precision`` says how
    approximate its geometry is.
    """
    instant = None if as_of is None else _as_of(as_of)
    collection = agreements.list_zones(ctx, as_of=instant, agreement_id=agreement)
    return JSONResponse(collection, media_type="application/geo+json")
