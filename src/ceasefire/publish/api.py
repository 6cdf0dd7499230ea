"""Exports and published reports over HTTP.

``GET /api/v1/exports/{dataset}`` streams an export as the caller may read it (public
records only, redacted, without a token). Generating a report is a change of the record
(it is stored and ledgered): ``POST /api/v1/publications/...`` needs a member's token;
stored public editions are readable by anyone.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Response
from fastapi.responses import StreamingResponse
from pydantic import AwareDatetime

from ceasefire.api.deps import ContextDep, CurrentViewer, RequireMember
from ceasefire.i18n import LANGUAGES
from ceasefire.publish import exports
from ceasefire.publish import service as publishing
from ceasefire.publish.model import Dataset, Edition, ExportFormat, Kind, OutputFormat
from ceasefire.publish.schemas import PublicationPublic

router = APIRouter(prefix="/api/v1", tags=["publish"])

MEDIA = {OutputFormat.HTML: "text/html; charset=utf-8", OutputFormat.PDF: "application/pdf"}


@router.get(
    "/exports/{dataset}",
    response_class=StreamingResponse,
    responses={200: {"description": "The export, streamed (CSV, GeoJSON or JSON Lines)."}},
)
def export(
    ctx: ContextDep,
    viewer: CurrentViewer,
    dataset: Dataset,
    format: Annotated[ExportFormat, Query()] = ExportFormat.JSONL,
    hxl: Annotated[bool, Query(description="HXL hashtags as the second row (CSV).")] = False,
    since: Annotated[
        AwareDatetime | None,
        Query(description="Only what changed after this instant (an earlier export's as_of)."),
    ] = None,
) -> StreamingResponse:
    """Incidents, reports, zones or posts as ACLED or UCDP CSV, GeoJSON or JSON Lines.

    ``X-Export-As-Of`` is the instant to pass as ``since`` next time; with ``since``, the
    JSON Lines feed also names what to delete, and a mirror applying the feeds in turn
    holds exactly the full export."""
    prepared = exports.open_export(ctx, viewer, dataset, format, since=since, hxl=hxl)
    headers = {
        "Content-Disposition": f'attachment; filename="{prepared.filename}"',
        "X-Export-As-Of": prepared.as_of.isoformat() if prepared.as_of else "",
    }
    return StreamingResponse(prepared.chunks, media_type=prepared.media_type, headers=headers)


def _respond(generated: publishing.Generated) -> Response:
    item = generated.publication
    return Response(
        generated.content,
        media_type=MEDIA[OutputFormat(item.format)],
        headers={
            "X-Publication-Id": item.id,
            "X-Content-SHA256": item.sha256,
            "X-Ledger-Seq": str(item.ledger_seq),
        },
    )


Lang = Annotated[
    str,
    # The document states the languages; the service refuses another, naming ``lang``.
    Query(description="en, ru or tr.", json_schema_extra={"enum": list(LANGUAGES)}),
]


@router.post("/publications/daily", response_class=Response)
def daily(
    ctx: ContextDep,
    viewer: RequireMember,
    day: Annotated[date, Query(alias="date")],
    edition: Edition = Edition.PUBLIC,
    format: OutputFormat = OutputFormat.PDF,
    lang: Lang = "en",
    agreement: str | None = None,
) -> Response:
    """Generate (or find stored) the daily report as of 19:30 local time on ``date``."""
    request = publishing.Request(Kind.DAILY, edition, lang, format, agreement, day=day)
    return _respond(publishing.generate(ctx, viewer, request))


@router.post("/publications/summary", response_class=Response)
def summary(
    ctx: ContextDep,
    viewer: RequireMember,
    day: Annotated[date, Query(alias="date")],
    period: Annotated[Kind, Query(description="weekly or monthly")] = Kind.WEEKLY,
    edition: Edition = Edition.PUBLIC,
    format: OutputFormat = OutputFormat.PDF,
    lang: Lang = "en",
    agreement: str | None = None,
) -> Response:
    """The weekly (seven days to ``date``) or monthly (``date``'s month) summary."""
    kind = Kind.MONTHLY if period is Kind.MONTHLY else Kind.WEEKLY
    request = publishing.Request(kind, edition, lang, format, agreement, day=day)
    return _respond(publishing.generate(ctx, viewer, request))


@router.post("/publications/spot/{incident_id}", response_class=Response)
def spot(
    ctx: ContextDep,
    viewer: RequireMember,
    incident_id: str,
    edition: Edition = Edition.PUBLIC,
    format: OutputFormat = OutputFormat.PDF,
    lang: Lang = "en",
) -> Response:
    """A spot report of one incident."""
    request = publishing.Request(Kind.SPOT, edition, lang, format, incident_id=incident_id)
    return _respond(publishing.generate(ctx, viewer, request))


@router.get("/publications", response_model=list[PublicationPublic])
def publications(
    ctx: ContextDep,
    viewer: CurrentViewer,
    kind: Kind | None = None,
    period: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[PublicationPublic]:
    """Stored publications the caller may read, newest first (the public: public ones)."""
    return publishing.list_publications(ctx, viewer, kind=kind, period=period, limit=limit)


@router.get("/publications/{publication_id}/content", response_class=Response)
def publication_content(ctx: ContextDep, viewer: CurrentViewer, publication_id: str) -> Response:
    """A stored publication as it was published (its hash is in the ledger)."""
    return _respond(publishing.get_publication(ctx, viewer, publication_id))
