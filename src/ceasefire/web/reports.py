"""The report pages: the filtered list (tick reports to group them into an incident), one
report with its attachments and ledger entries, the report form (observations and party
complaints, every OSCE-style field, attachments hashed on receipt, safe to resubmit) and the
CSV import.

Everything goes through ``ceasefire.reports.service`` / ``imports`` with the viewer of the
sign-in cookie, as the API does; the service decides who may file what.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.types import Message

from ceasefire.access import Classification, Role, Viewer
from ceasefire.api.bodies import read_limited
from ceasefire.api.deps import ContextDep
from ceasefire.db.context import ServiceContext
from ceasefire.errors import (
    CeasefireError,
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    TooManyRequests,
    problem,
)
from ceasefire.i18n.markers import N_
from ceasefire.reports import csvformat, imports, uploads
from ceasefire.reports import service as reports
from ceasefire.reports.model import (
    CASUALTY_KEYS,
    Category,
    Channel,
    Confidence,
    Means,
    TimePrecision,
    WeaponClass,
)
from ceasefire.reports.schemas import AttachmentPublic, ReportPublic
from ceasefire.web import common, csrf, forms, import_progress
from ceasefire.web.csrf import CsrfChecked
from ceasefire.web.pages import LIST_PAGE_SIZE, TIME_ZONES, ListLimit, filtered_list, render
from ceasefire.web.session import SignedInViewer, WebViewer

router = APIRouter(include_in_schema=False)

FILTERS = ("start", "end", "bbox", "category", "channel", "party", "classification", "unassigned")
CHUNK = 1 << 16
LIST_CHOICES = {
    "categories": [c.value for c in Category],
    "channels": [c.value for c in Channel],
    "classifications": [c.value for c in Classification],
}
"""The choices of the filters the report and incident lists share."""


@router.get("/reports", response_class=HTMLResponse)
@forms.labelled(forms.FormLabels(common.LIST_FILTER_LABELS))
def report_list(
    request: Request,
    ctx: ContextDep,
    viewer: WebViewer,
    cursor: str | None = None,
    limit: ListLimit = LIST_PAGE_SIZE,
) -> Response:
    """Reports the viewer may read, filtered by the query string; monitors tick some of them
    to group them into a new incident."""
    if viewer.is_public:
        return common.sign_in_first(request)
    return report_list_page(request, ctx, viewer, cursor=cursor, limit=limit)


GROUP_FORM = forms.FormLabels(
    {
        "report_ids": N_("Reports"),
        "title": N_("Title"),
        "summary": N_("Summary"),
        "classification": N_("Classification"),
    },
    places={"report_id": "report_ids"},
)
"""The report list's form that groups the ticked reports into a new incident."""


def report_list_page(
    request: Request,
    ctx: ServiceContext,
    viewer: Viewer,
    *,
    cursor: str | None = None,
    limit: int = LIST_PAGE_SIZE,
    refused: CeasefireError | None = None,
    kept: dict[str, Any] | None = None,
) -> Response:
    """The report list; after a refused grouping (``refused``), the group form's problems
    beside it and its input (``kept``: title, summary, classification, the ticked ids)."""

    def load(query: dict[str, str]) -> reports.ReportPage:
        return reports.list_reports(
            ctx,
            viewer,
            **common.shared_filters(query),
            unassigned=bool(query["unassigned"]),
            limit=limit,
            cursor=common.optional(cursor),
        )

    response = filtered_list(
        "reports.html",
        request=request,
        viewer=viewer,
        filters=FILTERS,
        cursor=cursor,
        load=load,
        may_group=viewer.operator or viewer.role is Role.MONITOR,
        **LIST_CHOICES,
        group_error=refused,
        group=kept or {},
        **forms.problems_shown(refused, GROUP_FORM),
    )
    if refused is not None:
        response.status_code = refused.status
    return response


REPORT_FIELD_LABELS = {
    "channel": N_("Channel"),
    "category": N_("Category"),
    "count": N_("Count"),
    "weapon_class": N_("Weapon class"),
    "means": N_("Means of observation"),
    "alleged_perpetrator": N_("Alleged perpetrator"),
    "concerns": N_("Concerns (parties)"),
    "confidence": N_("Confidence"),
    "observed_start": N_("Start"),
    "observed_end": N_("End"),
    "timezone": N_("Time zone of these times"),
    "time_precision": N_("Time precision"),
    "lat": N_("Latitude"),
    "lon": N_("Longitude"),
    "place_name": N_("Place name"),
    "precision": N_("Location precision"),
    "observer_lat": N_("Observer latitude"),
    "observer_lon": N_("Observer longitude"),
    "observer_place_name": N_("Observer place"),
    "distance_min": N_("Distance from (m)"),
    "distance_max": N_("Distance to (m)"),
    "bearing_deg": N_("Bearing (°)"),
    "post_id": N_("Post"),
    "sensor_id": N_("Sensor"),
    "casualties": N_("Casualties (best estimate)"),
    "narrative": N_("Narrative"),
    "source_reference": N_("Source reference"),
    "reporter": N_("Reporter"),
    "classification": N_("Classification"),
    "agreement_id": N_("Agreement"),
    "attachments": N_("Attachments"),
}
"""The report form's fields by their labels (the form's own wording), for its list of problems."""

_FIELD_OF_LOC = {
    "observed": "observed_start",
    "observed.start": "observed_start",
    "observed.end": "observed_end",
    "observed.timezone": "timezone",
    "observed.precision": "time_precision",
    "distance_m": "distance_min",
    "distance_m.min": "distance_min",
    "distance_m.max": "distance_max",
}
_POSITION_FIELDS = {
    "event_position": {"lat": "lat", "lon": "lon", "place_name": "place_name"},
    "observer_position": {
        "lat": "observer_lat",
        "lon": "observer_lon",
        "place_name": "observer_place_name",
    },
}
"""A position's parts by the form's fields; any other part (or the whole) is the first's,
except the event's precision, which has a field of its own."""
_CASUALTY_FIELDS = {f"casualties_{key}" for key in CASUALTY_KEYS}


def report_field(loc: str) -> str:
    """The report form's field for a problem the report's validation names by its place in
    the API's body (``event_position.lon`` is the form's ``lon``, ``observed.end`` its
    ``observed_end``, ``casualties.killed_civilian.best`` its ``casualties_killed_civilian``);
    a name the form does not know is kept."""
    if loc in _FIELD_OF_LOC:
        return _FIELD_OF_LOC[loc]
    head, _, rest = loc.partition(".")
    part = rest.partition(".")[0]
    if loc == "event_position.precision":
        return "precision"
    if head in _POSITION_FIELDS:
        fields = _POSITION_FIELDS[head]
        return fields.get(part, fields["lat"])
    if head == "casualties" and f"casualties_{part}" in _CASUALTY_FIELDS:
        return f"casualties_{part}"
    if head in ("concerns", "means"):
        return head
    return loc


REPORT_FORM = forms.FormLabels(REPORT_FIELD_LABELS, field_of=report_field)
"""The report form's labels, its problems named by the form's fields (:func:`report_field`)."""


def _form_page(
    request: Request,
    ctx: ContextDep,
    viewer: Viewer,
    values: dict[str, Any],
    *,
    error: CeasefireError | None = None,
) -> Response:
    posts, sensors = reports.reportable_sources(ctx, viewer)
    response = render(
        "report_form.html",
        request=request,
        viewer=viewer,
        v=values,
        # The list names each field by its label: the heading does not repeat them by the
        # API's paths ("invalid report: observed.end, means").
        **forms.shown(error, labels=REPORT_FORM),
        labels=REPORT_FIELD_LABELS,
        channels=common.filing_channels(viewer),
        categories=[c.value for c in Category],
        precisions=list(common.PRECISION_LABELS),
        time_precisions=[p.value for p in TimePrecision],
        weapon_classes=[w.value for w in WeaponClass],
        means_all=[m.value for m in Means],
        confidences=[c.value for c in Confidence],
        classifications=common.filing_classifications(viewer),
        casualty_keys=CASUALTY_KEYS,
        agreements=common.agreement_ids(ctx),
        time_zones=TIME_ZONES,
        posts=posts,
        sensors=sensors,
        post_names={p.id: p.name for p in posts},
    )
    if error is not None:
        response.status_code = error.status
    return response


@router.get("/reports/new", response_class=HTMLResponse)
def report_form(
    request: Request, ctx: ContextDep, viewer: WebViewer, channel: str | None = None
) -> Response:
    """The report form (a party liaison's is the complaint form)."""
    if viewer.is_public:
        return common.sign_in_first(request)
    allowed = common.filing_channels(viewer)
    chosen = channel if channel in allowed else (allowed[0] if allowed else "")
    agreements = common.agreement_ids(ctx)
    values: dict[str, Any] = {
        "channel": chosen,
        "idempotency_key": str(uuid.uuid4()),
        "precision": "1",
        "time_precision": "exact",
        "timezone": "Asia/Baku",
        "agreement_id": viewer.agreement_id or (agreements[0] if agreements else ""),
        "means": [],
        "concerns": "",
    }
    return _form_page(request, ctx, viewer, values)


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _number(form: FormData, name: str, *, integer: bool = False) -> Any:
    text = _text(form, name)
    if not text:
        return None
    try:
        return int(text) if integer else float(text)
    except ValueError:
        # Left as text: the report's own validation names the field and the problem.
        return text


def _position(form: FormData, prefix: str) -> dict[str, Any] | None:
    lat, lon = _number(form, f"{prefix}lat"), _number(form, f"{prefix}lon")
    place = _text(form, f"{prefix}place_name")
    position: dict[str, Any] = {}
    if lat is not None:
        position["lat"] = lat
    if lon is not None:
        position["lon"] = lon
    if place:
        position["place_name"] = place
    if not position:
        return None
    precision = _number(form, f"{prefix}precision", integer=True)
    if precision is not None:
        position["precision"] = precision
    return position


def report_body(form: FormData) -> dict[str, Any]:
    """The JSON body of the API (docs/intake.md) from the report form's fields."""
    body: dict[str, Any] = {
        "channel": _text(form, "channel"),
        "category": _text(form, "category"),
        "observed": {
            key: value
            for key, value in (
                ("start", _text(form, "observed_start")),
                ("end", _text(form, "observed_end")),
                ("timezone", _text(form, "timezone")),
                ("precision", _text(form, "time_precision")),
            )
            if value
        },
    }
    event = _position(form, "")
    if event is not None:
        body["event_position"] = event
    observer = _position(form, "observer_")
    if observer is not None:
        body["observer_position"] = observer
    distance = {
        key: value
        for key, value in (
            ("min", _number(form, "distance_min")),
            ("max", _number(form, "distance_max")),
        )
        if value is not None
    }
    if distance:
        body["distance_m"] = distance
    for name, integer in (("bearing_deg", False), ("count", True)):
        value = _number(form, name, integer=integer)
        if value is not None:
            body[name] = value
    means = [m for m in form.getlist("means") if isinstance(m, str) and m]
    if means:
        body["means"] = means
    casualties = {}
    for key in CASUALTY_KEYS:
        value = _number(form, f"casualties_{key}", integer=True)
        if value is not None:
            casualties[key] = value
    if casualties:
        body["casualties"] = casualties
    concerns = [c.strip().upper() for c in _text(form, "concerns").replace(",", " ").split()]
    if concerns:
        body["concerns"] = concerns
    for name in (
        "weapon_class",
        "alleged_perpetrator",
        "narrative",
        "source_reference",
        "reporter",
        "confidence",
        "classification",
        "agreement_id",
        "post_id",
        "sensor_id",
    ):
        text = _text(form, name)
        if text:
            body[name] = text.upper() if name == "alleged_perpetrator" else text
    return body


def _form_values(form: FormData) -> dict[str, Any]:
    """The form's fields, to show it again; ``attached``: the names of the files it held,
    which a browser does not send again by itself."""
    values: dict[str, Any] = {k: v for k, v in form.items() if isinstance(v, str)}
    values["means"] = [m for m in form.getlist("means") if isinstance(m, str)]
    values["attached"] = [
        f.filename for f in form.getlist("attachments") if isinstance(f, UploadFile) and f.filename
    ]
    return values


def _chunks(upload: UploadFile) -> Iterator[bytes]:
    while chunk := upload.file.read(CHUNK):
        yield chunk


async def _attach_files(
    ctx: ServiceContext, viewer: Viewer, report_id: str, form: FormData
) -> list[tuple[str, CeasefireError]]:
    """Store the form's ``attachments`` files on the report, each hashed as it is read; the
    files refused (too large, ...) with why, the others stored all the same."""
    refused: list[tuple[str, CeasefireError]] = []
    for upload in form.getlist("attachments"):
        if not isinstance(upload, UploadFile) or not upload.filename:
            continue
        try:
            await run_in_threadpool(
                reports.add_attachment,
                ctx,
                viewer,
                report_id,
                _chunks(upload),
                # None: a browser's type is a guess from the file's name; the bytes decide.
                media_type=None,
                filename=upload.filename,
            )
        except (PayloadTooLarge, InvalidInput, Conflict, TooManyRequests) as exc:
            # The member's day of evidence bytes spent (429) refuses the file, not the
            # report it came with: that one is filed and shown, the file beside it.
            refused.append((upload.filename, exc))
    return refused


async def _after_attaching(
    request: Request,
    ctx: ServiceContext,
    viewer: Viewer,
    report_id: str,
    form: FormData,
    before: int,
    *,
    filed: bool = False,
    already: bool = False,
) -> Response:
    """Attach the form's files, then show the report (``filed`` just now, or ``already``)
    with the entries recorded since ``before``: by a redirect, or, where a file was refused,
    at once with why beside the upload form, so that the file can be sent again."""
    refused = await _attach_files(ctx, viewer, report_id, form)
    done = await run_in_threadpool(common.done_since, ctx, viewer, before, f"report/{report_id}")
    if refused:
        return await run_in_threadpool(
            lambda: _report_view(
                request,
                ctx,
                viewer,
                report_id,
                done=common.done_entries(done),
                filed=filed,
                already=already,
                refused=refused,
            )
        )
    state = "filed=1&" if filed else "already=1&" if already else ""
    return RedirectResponse(f"/reports/{report_id}?{state}done={done}", status_code=303)


@router.post("/reports/new", dependencies=common.form_of(Role.MONITOR, Role.PARTY_LIAISON))
async def report_submit(request: Request, ctx: ContextDep, viewer: SignedInViewer) -> Response:
    """File the report (its hidden idempotency key makes a resubmission return the same
    report), then store each attached file, hashed as it arrives; show the report."""
    if viewer.is_public:
        return common.sign_in_first(request)
    form = await request.form()
    body = report_body(form)
    key = _text(form, "idempotency_key") or None
    before = await run_in_threadpool(common.head_seq, ctx)
    try:
        submitted = await run_in_threadpool(
            lambda: reports.submit_report(ctx, viewer, body, idempotency_key=key)
        )
    except (InvalidInput, Conflict, NotFound, Forbidden) as exc:
        # NotFound and Forbidden here name a field too: a post or sensor it may not name.
        return _form_page(request, ctx, viewer, _form_values(form), error=exc)
    created = submitted.created
    return await _after_attaching(
        request, ctx, viewer, submitted.report.id, form, before, filed=created, already=not created
    )


IMPORT_FORMAT = {"columns": list(csvformat.COLUMNS), "categories": [c.value for c in Category]}
"""What the import page's help on the file's format lists (its columns, the categories)."""


@router.get("/reports/import", response_class=HTMLResponse)
def import_form(request: Request, viewer: WebViewer) -> Response:
    """The CSV import form (monitors and operators)."""
    if viewer.is_public:
        return common.sign_in_first(request)
    return render(
        "report_import.html",
        request=request,
        viewer=viewer,
        result=None,
        may_import=viewer.operator or viewer.role is Role.MONITOR,
        **IMPORT_FORMAT,
    )


# Room for the multipart framing and the form's other fields around the file itself.
FORM_OVERHEAD = 64 * 1024


async def _bounded_form(request: Request, limit: int) -> FormData:
    """The multipart form of ``request``, its body read first with a limit (413 past it)."""
    chunks = await read_limited(request, limit, what="the import form", loc="file")
    body = b"".join(chunks)
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return await Request(request.scope, replay).form(max_files=1, max_fields=20)


def _progress_owner(viewer: Viewer) -> str:
    return viewer.user_id or viewer.member_id or ""


@router.post("/reports/import")
async def import_submit(request: Request, ctx: ContextDep, viewer: SignedInViewer) -> Response:
    """Import an uploaded CSV file: all or nothing, or the valid rows with the rejected ones
    returned as a file to download, fix and import again.

    Unlike the other forms this route takes no ``require_csrf`` dependency, which would parse
    the whole body first: who may import is checked on the session alone (as the API route
    does), only then is the body read, bounded, and the form's CSRF token checked before
    anything is stored or parsed as CSV."""
    if viewer.is_public:
        return common.sign_in_first(request)
    await run_in_threadpool(imports.check_may_import, ctx, viewer)
    limit = min(ctx.settings.max_request_bytes, ctx.settings.import_quota_bytes_per_member)
    form = await _bounded_form(request, limit + FORM_OVERHEAD)
    token = form.get(csrf.FIELD)
    csrf.check(request, token if isinstance(token, str) else None)
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise InvalidInput.worded(N_("choose a CSV file"), details=[problem("file", N_("no file"))])
    data = await upload.read()
    if not data:
        raise InvalidInput.worded(
            N_("the CSV file is empty"), details=[problem("file", N_("empty"))]
        )
    skip_invalid = bool(_text(form, "skip_invalid"))
    assert viewer.member_id is not None
    error: CeasefireError | None = None
    result = None
    rejects_text = None
    job = import_progress.valid_job(_text(form, "job"))
    with (
        uploads.held_upload(ctx.settings, viewer.member_id, data) as path,
        import_progress.tracked(ctx.settings, _progress_owner(viewer), job) as step,
    ):
        rejects_path = uploads.rejects_path(path)
        try:
            result = await run_in_threadpool(
                lambda: imports.import_csv(
                    ctx,
                    viewer,
                    path,
                    skip_invalid=skip_invalid,
                    rejects_path=rejects_path,
                    progress=step,
                )
            )
            if result.rejects_path:
                rejects_text = rejects_path.read_text(encoding="utf-8")
        except InvalidInput as exc:
            error = exc
    rejects_href = (
        "data:text/csv;base64," + base64.b64encode(rejects_text.encode("utf-8")).decode("ascii")
        if rejects_text
        else None
    )
    response = render(
        "report_import.html",
        request=request,
        viewer=viewer,
        result=result.to_dict() if result is not None else None,
        filename=(upload.filename or "upload.csv").rsplit("/", 1)[-1],
        rejects_href=rejects_href,
        error=error,
        problems=(error.details or [])[:50] if error is not None else [],
        **IMPORT_FORMAT,
    )
    if error is not None:
        response.status_code = error.status
    return response


@router.get("/reports/import/progress")
def import_progress_state(ctx: ContextDep, viewer: WebViewer, job: str = "") -> Response:
    """How far the signed-in user's import ``job`` has got (``import_progress``), as JSON:
    404 when it is not (or no longer) running, or is another user's."""
    if viewer.is_public:
        return JSONResponse({"phase": "unknown"}, status_code=404)
    found = import_progress.valid_job(job)
    state = import_progress.read(ctx.settings, _progress_owner(viewer), found) if found else None
    headers = {"Cache-Control": "no-store"}
    if state is None:
        return JSONResponse({"phase": "unknown"}, status_code=404, headers=headers)
    return JSONResponse(state, headers=headers)


@router.get("/reports/{report_id}", response_class=HTMLResponse)
def report_page(
    request: Request,
    ctx: ContextDep,
    viewer: WebViewer,
    report_id: str,
    done: str | None = None,
    filed: str | None = None,
    already: str | None = None,
) -> Response:
    """One report with its attachments (and their SHA-256) and its ledger entries."""
    return _report_view(
        request,
        ctx,
        viewer,
        report_id,
        done=common.done_entries(done),
        filed=bool(filed),
        already=bool(already),
    )


def _report_view(
    request: Request,
    ctx: ServiceContext,
    viewer: Viewer,
    report_id: str,
    *,
    done: list[int],
    filed: bool = False,
    already: bool = False,
    refused: list[tuple[str, CeasefireError]] | None = None,
) -> Response:
    """The report page; ``refused``: the files just sent that were not attached, each with
    why (the report itself is kept), answered with the first refusal's status."""
    report = reports.get_report(ctx, viewer, report_id)
    full = report if isinstance(report, ReportPublic) else None
    attachments: list[AttachmentPublic] = full.attachments if full is not None else []
    response = render(
        "report.html",
        request=request,
        viewer=viewer,
        report=report,
        full=full,
        attachments=attachments,
        ledger=common.entries_about(ctx, viewer, f"report/{report_id}"),
        done=done,
        filed=filed,
        already=already,
        refused=refused or [],
        may_attach=full is not None
        and (full.owner_member == viewer.member_id or viewer.role is Role.MONITOR),
        may_group=full is not None
        and full.incident_id is None
        and (viewer.operator or viewer.role is Role.MONITOR),
        classifications=[c.value for c in Classification],
    )
    if refused:
        response.status_code = refused[0][1].status
    return response


async def _may_attach(ctx: ContextDep, viewer: SignedInViewer, report_id: str) -> None:
    """Who may attach, on the session alone, before the CSRF check reads the multipart body
    (the public is sent to sign in by the route)."""
    if not viewer.is_public:
        await run_in_threadpool(reports.check_may_attach, ctx, viewer, report_id)


@router.post("/reports/{report_id}/attachments", dependencies=[Depends(_may_attach), *CsrfChecked])
async def attach(
    request: Request, ctx: ContextDep, viewer: SignedInViewer, report_id: str
) -> Response:
    """Attach more evidence files to a report (the same file again changes nothing)."""
    if viewer.is_public:
        return common.sign_in_first(request)
    form = await request.form()
    before = await run_in_threadpool(common.head_seq, ctx)
    return await _after_attaching(request, ctx, viewer, report_id, form, before)
