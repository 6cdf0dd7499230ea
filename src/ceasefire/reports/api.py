"""Reports: file one (safely retried with ``Idempotency-Key``), read, list, attach evidence,
and import a CSV file.

Routes only translate HTTP to service calls; validation and permissions live in the services.
"""

from __future__ import annotations

import asyncio
import re
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Body, Header, Query, Request, Response, status
from starlette.concurrency import run_in_threadpool

from ceasefire.api.bodies import BINARY, json_body, raw_body, read_limited
from ceasefire.api.deps import (
    BEARER_SECURITY,
    ContextDep,
    CurrentViewer,
    RequireMember,
    required_token,
)
from ceasefire.api.params import ObservedFrom, ObservedUntil
from ceasefire.errors import InvalidInput, problem
from ceasefire.i18n.markers import N_
from ceasefire.reports import imports, uploads
from ceasefire.reports import service as reports
from ceasefire.reports.model import Category, Channel
from ceasefire.reports.queue import ReportQueue
from ceasefire.reports.schemas import (
    AttachmentPublic,
    ImportPublic,
    ReportPage,
    ReportPublic,
    ReportRedacted,
    report_body_schemas,
)


def report_queue(request: Request) -> ReportQueue:
    """The application's group-commit queue for reports (built on first use; the event
    loop's thread is the only one that builds it)."""
    state = request.app.state
    found = getattr(state, "report_queue", None)
    if found is None:
        found = state.report_queue = ReportQueue(state.ctx)
    assert isinstance(found, ReportQueue)
    return found


router = APIRouter(prefix="/api/v1/reports", tags=["reports"])

_WHEN = {"start": "2020-11-26T14:30", "timezone": "Asia/Baku", "precision": "exact"}
REPORT_EXAMPLES: dict[str, dict[str, Any]] = {
    "monitor_observation": {
        "channel": "monitor_observation",
        "observed": _WHEN,
        "category": "shelling",
        "event_position": {"place_name": "Aghdam", "precision": 2, "lat": 39.991, "lon": 46.927},
        "observer_position": {"lat": 39.97, "lon": 47.05},
        "distance_m": {"min": 8000, "max": 12000},
        "bearing_deg": 285,
        "count": 14,
        "weapon_class": "artillery",
        "means": ["heard", "uav"],
        "alleged_perpetrator": "ARM",
        "confidence": "high",
        "classification": "shared",
        "concerns": ["ARM", "AZE"],
        "agreement_id": "nk-2020-trilateral",
    },
    "sensor_detection": {
        "channel": "sensor_detection",
        "observed": {"start": "2020-11-27T02:10Z", "end": "2020-11-27T02:25Z"},
        "category": "troop_or_vehicle_movement",
        "event_position": {"lat": 39.81, "lon": 46.75},
        "sensor_id": "tur-uav-1",
        "means": ["uav"],
        "count": 3,
        "agreement_id": "nk-2020-trilateral",
    },
    "party_complaint": {
        "channel": "party_complaint",
        "observed": {"start": "2020-11-28", "precision": "day"},
        "category": "small_arms_fire",
        "event_position": {"place_name": "Shusha", "precision": 3},
        "alleged_perpetrator": "AZE",
        "narrative": "Shots towards the village in the evening.",
        "agreement_id": "nk-2020-trilateral",
    },
    "public_hotline": {
        "channel": "public_hotline",
        "observed": {"start": "2020-11-29T18:00+04:00"},
        "category": "mine_uxo",
        "event_position": {"place_name": "Fuzuli", "precision": 3},
        "narrative": "A caller saw an unexploded shell beside the road.",
    },
    "news": {
        "channel": "news",
        "observed": {"start": "2020-11-30", "precision": "day"},
        "category": "civilian_casualty",
        "event_position": {"place_name": "Martuni", "precision": 3},
        "casualties": {"injured_civilian": {"low": 1, "best": 2, "high": 2}},
        "source_reference": "https://example.org/news/1",
    },
    "csv_import": {
        "channel": "csv_import",
        "observed": {"start": "2020-12-01T09:00Z"},
        "category": "explosion_impact",
        "event_position": {"lat": 39.75, "lon": 46.76},
        "count": 1,
    },
}
"""A report of each channel, as the document shows them (and its test files them)."""


@router.post(
    "",
    response_model=ReportPublic,
    status_code=status.HTTP_201_CREATED,
    responses={200: {"description": "Already received under this Idempotency-Key"}},
    openapi_extra=BEARER_SECURITY | json_body("ReportBody", report_body_schemas(), REPORT_EXAMPLES),
)
async def submit_report(
    request: Request,
    body: Annotated[dict[str, Any], Body()],
    idempotency_key: Annotated[
        str | None,
        Header(description="Retries with the same key and body return the same report."),
    ] = None,
) -> Response:
    """File one report. Every invalid field is named in the 422; a reused key with a
    different body is a 409.

    Concurrent submissions are committed together (see reports/queue.py); each is
    answered once its own batch has committed. The route reads its token itself rather
    than through dependencies: on this, the busiest route, FastAPI's dependency solving
    cost a quarter of the request; and the report, a ``ReportPublic`` already, is written
    out directly rather than validated once more."""
    submission = reports.Submission(body, idempotency_key, token=required_token(request))
    result = await asyncio.wrap_future(report_queue(request).submit(submission))
    return Response(
        result.report.model_dump_json(),
        status_code=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
        media_type="application/json",
    )


@router.get("", response_model=ReportPage)
def list_reports(
    ctx: ContextDep,
    viewer: CurrentViewer,
    channel: Channel | None = None,
    category: Category | None = None,
    agreement_id: str | None = None,
    start: ObservedFrom = None,
    end: ObservedUntil = None,
    unassigned: Annotated[
        bool, Query(description="Only reports in no incident the caller may read")
    ] = False,
    limit: Annotated[int, Query(ge=1, le=reports.MAX_LIST_LIMIT)] = 50,
    cursor: Annotated[str | None, Query(description="next_cursor of the previous page")] = None,
) -> ReportPage:
    """Reports the caller may read, newest first (the public sees public ones, redacted)."""
    page = reports.list_reports(
        ctx,
        viewer,
        channel=channel,
        category=category.value if category else None,
        agreement_id=agreement_id,
        start=start,
        end=end,
        unassigned=unassigned,
        limit=limit,
        cursor=cursor,
    )
    return ReportPage(items=page.items, next_cursor=page.next_cursor)


@router.post(
    "/import",
    response_model=ImportPublic,
    openapi_extra=raw_body("The CSV file (docs/intake.md)", **{"text/csv": BINARY}),
)
async def import_reports_csv(
    ctx: ContextDep,
    viewer: RequireMember,
    request: Request,
    skip_invalid: Annotated[
        bool, Query(description="Import the valid rows; return the rejected ones with reasons")
    ] = False,
    filename: Annotated[str, Query(max_length=200)] = "upload.csv",
) -> ImportPublic:
    """Import a CSV file sent as the request body (``text/csv``); see docs/intake.md."""
    # Before the body is read or stored: a member who may import nothing costs nothing.
    await run_in_threadpool(imports.check_may_import, ctx, viewer)
    data = await request.body()
    if not data:
        raise InvalidInput.worded(N_("empty CSV body"), details=[problem("body", N_("empty"))])
    assert viewer.member_id is not None  # RequireMember
    # Kept only while the import runs, within the member's quota (reports/uploads.py).
    with uploads.held_upload(ctx.settings, viewer.member_id, data) as path:
        rejects_path = uploads.rejects_path(path)
        result = await run_in_threadpool(
            imports.import_csv,
            ctx,
            viewer,
            path,
            skip_invalid=skip_invalid,
            rejects_path=rejects_path,
        )
        result.filename = filename.rsplit("/", 1)[-1]
        rejects_text = rejects_path.read_text(encoding="utf-8") if result.rejects_path else None
    return ImportPublic(**{**result.to_dict(), "rejects_csv": rejects_text})


@router.get("/{report_id}", response_model=ReportPublic | ReportRedacted)
def get_report(
    ctx: ContextDep, viewer: CurrentViewer, report_id: str
) -> ReportPublic | ReportRedacted:
    """One report (404 when it does not exist or the caller may not read it)."""
    return reports.get_report(ctx, viewer, report_id)


@router.post(
    "/{report_id}/attachments",
    response_model=AttachmentPublic,
    status_code=status.HTTP_201_CREATED,
    openapi_extra=raw_body(
        "The evidence file, not empty; its first bytes decide its type", **{"*/*": BINARY}
    ),
)
async def add_attachment(
    ctx: ContextDep,
    viewer: RequireMember,
    report_id: str,
    request: Request,
    filename: Annotated[str | None, Query(max_length=255)] = None,
) -> AttachmentPublic:
    """Attach an evidence file sent as the raw request body. The type stored is the one the
    file's first bytes show; a Content-Type they contradict is a 422 naming ``file``.

    The SHA-256 is computed as it arrives; a body over the attachment limit is a 413 and
    stores nothing. Who may attach is asked first, on the token alone: a caller who may
    not has nothing read.
    """
    await run_in_threadpool(reports.check_may_attach, ctx, viewer, report_id)
    chunks = await read_limited(
        request, ctx.settings.max_attachment_bytes, what="attachment", loc="file"
    )
    media_type = request.headers.get("content-type")
    return await run_in_threadpool(
        reports.add_attachment,
        ctx,
        viewer,
        report_id,
        chunks,
        media_type=media_type,
        filename=filename,
    )


@router.get("/{report_id}/attachments/{attachment_id}")
def download_attachment(
    ctx: ContextDep, viewer: RequireMember, report_id: str, attachment_id: str
) -> Response:
    """The original file, checked against its SHA-256 (sent as ``X-Content-SHA256``)."""
    info, data = reports.read_attachment(ctx, viewer, report_id, attachment_id)
    headers = {
        "X-Content-SHA256": info.sha256,
        "Content-Disposition": content_disposition(info.filename),
    }
    return Response(content=data, media_type=info.media_type, headers=headers)


_UNSAFE_IN_QUOTES = re.compile(r'[^\x20-\x7e]|["\\%]')


def content_disposition(filename: str | None) -> str:
    """Always ``attachment``: the Content-Type is the one the file's bytes show, ``text/html``
    included, so a browser must save the file, never show it as a page of this origin. The
    name goes
    as an ASCII fallback (anything else, quotes and backslashes as ``_``) and, when it is
    not plain ASCII, as RFC 6266's ``filename*`` in UTF-8: a header is Latin-1 on the wire,
    and a Russian or Turkish name must not make the download fail."""
    name = "".join(c for c in filename or "" if c.isprintable())
    if not name:
        return "attachment"
    fallback = _UNSAFE_IN_QUOTES.sub("_", name)
    value = f'attachment; filename="{fallback}"'
    if fallback != name:
        value += "; filename*=UTF-8''" + quote(name, safe="")
    return value
