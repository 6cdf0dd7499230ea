"""The publications page: the open-data exports as downloads (everyone: what the viewer may
read, the public's redacted), the stored publications the viewer may read, and, for
members, generating the daily report, the weekly or monthly summary and an incident's spot
report (HTML or PDF).

Every call is the one ``/api/v1/exports`` and ``/api/v1/publications`` make
(``ceasefire.publish.exports`` / ``service``) with the viewer of the sign-in cookie. A
generated report is stored and ledgered: the form ends on this page with its link and its
ledger entry.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from markupsafe import Markup

from ceasefire import i18n
from ceasefire.access import Viewer
from ceasefire.agreements import service as agreement_service
from ceasefire.api.deps import ContextDep
from ceasefire.db.context import ServiceContext
from ceasefire.errors import CeasefireError, InvalidInput, problem
from ceasefire.i18n.markers import N_
from ceasefire.publish import exports
from ceasefire.publish import service as publishing
from ceasefire.publish.model import (
    FORMATS_OF,
    Dataset,
    Edition,
    ExportFormat,
    Kind,
    OutputFormat,
    cutoff_instant,
    last_cutoff_day,
)
from ceasefire.publish.schemas import PublicationPublic
from ceasefire.timeutil import utcnow
from ceasefire.web import common, forms
from ceasefire.web.csrf import CsrfChecked
from ceasefire.web.pages import language_of, render
from ceasefire.web.session import WebViewer

router = APIRouter(include_in_schema=False)

MEDIA = {OutputFormat.HTML: "text/html; charset=utf-8", OutputFormat.PDF: "application/pdf"}

PAGE = "/publications"

REPORT_OPTIONS = {"edition": N_("Edition"), "format": N_("Format"), "lang": N_("Language")}
"""The labels of the fields every report form has (``report_options`` in the template)."""

FORMS = {
    "export": forms.FormLabels(
        {
            "dataset": N_("Data set"),
            "format": N_("Format"),
            "hxl": N_("HXL hashtags as the second row (CSV)"),
            "since": N_("Only what changed after (an earlier export's time, optional)"),
        }
    ),
    "daily": forms.FormLabels({"date": N_("Date"), "agreement": N_("Agreement"), **REPORT_OPTIONS}),
    "summary": forms.FormLabels(
        {
            "date": N_("Date (the week to it, or its month)"),
            "period": N_("Period"),
            "agreement": N_("Agreement"),
            **REPORT_OPTIONS,
        }
    ),
    "spot": forms.FormLabels({"incident_id": N_("Incident"), **REPORT_OPTIONS}),
}
"""The page's forms by name, each form's fields by their labels (``publications.html``
reads them here)."""


def latest_daily(publications: list[PublicationPublic], lang: str) -> PublicationPublic | None:
    """Of ``publications``, the daily report of the latest day: the public edition before
    another, then the reader's language, English, any; PDF before HTML."""
    daily = [p for p in publications if p.kind == Kind.DAILY.value]
    if not daily:
        return None
    day = max(p.period for p in daily)

    def preferred(p: PublicationPublic) -> tuple[bool, bool, bool, bool, int]:
        return (
            p.edition == Edition.PUBLIC.value,
            p.lang == lang,
            p.lang == "en",
            p.format == OutputFormat.PDF.value,
            p.revision,
        )

    return max((p for p in daily if p.period == day), key=preferred)


def _next_daily(ctx: ServiceContext, zone: str) -> dict[str, Any]:
    """When the next daily report is due: its day and cut-off (the agreement's zone), and
    whether the server's schedule will publish it or an operator must."""
    day = last_cutoff_day(utcnow(), zone) + timedelta(days=1)
    return {
        "day": day,
        "cutoff": cutoff_instant(day, zone),
        "zone": zone,
        "scheduled": ctx.settings.publish_schedule,
        "command": Markup("<code>ceasefire publish due</code>"),
        "setting": Markup("<code>CEASEFIRE_PUBLISH_SCHEDULE=true</code>"),
    }


def _page(
    request: Request,
    ctx: ServiceContext,
    viewer: Viewer,
    *,
    values: dict[str, Any] | None = None,
    error: CeasefireError | None = None,
    done: list[int] | None = None,
    made: str | None = None,
    incident: str = "",
    form: str = "",
) -> Response:
    listed = agreement_service.list_agreements(ctx)
    zone = (listed[0].effective.time_zone if listed else None) or "UTC"
    dailies = publishing.list_publications(ctx, viewer, kind=Kind.DAILY, limit=200)
    return render(
        "publications.html",
        request=request,
        viewer=viewer,
        v={"incident_id": incident, **(values or {})},
        **forms.shown(error, done, FORMS.get(form)),
        labels={"report": REPORT_OPTIONS, **{name: f.labels for name, f in FORMS.items()}},
        made=made,
        latest=latest_daily(dailies, language_of(request)),
        next_daily=_next_daily(ctx, zone),
        publications=publishing.list_publications(ctx, viewer, limit=50),
        may_generate=not viewer.is_public,
        agreements=[a.id for a in listed],
        editions=[e.value for e in Edition],
        formats=[f.value for f in OutputFormat],
        langs=i18n.LANGUAGE_NAMES,
        datasets={d.value: sorted(f.value for f in FORMATS_OF[d]) for d in Dataset},
        export_formats=[f.value for f in ExportFormat],
        # The last day whose report may be made: a period still open is refused (its
        # cut-off is the schedule's), so the form offers the day of the last cut-off.
        today=last_cutoff_day(utcnow(), zone).isoformat(),
    )


@router.get(PAGE, response_class=HTMLResponse)
def publications_page(
    request: Request,
    ctx: ContextDep,
    viewer: WebViewer,
    done: str | None = None,
    made: str | None = None,
    incident: str = "",
) -> Response:
    """Exports and stored publications; members also generate reports (``incident=``: the
    spot report form names that incident)."""
    return _page(
        request,
        ctx,
        viewer,
        done=common.done_entries(done),
        made=common.optional(made),
        incident=incident.strip(),
    )


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput.worded(
            N_("the report's date: YYYY-MM-DD"),
            details=[problem("date", N_("not a date (YYYY-MM-DD)"))],
        ) from None


PublicationForm = Annotated[forms.FormPost, Depends(forms.posted_to(_page, PAGE))]


def _generate(
    page: forms.FormPost,
    form: str,
    values: dict[str, str],
    make: Callable[[Edition, OutputFormat, str], publishing.Request],
) -> Response:
    """Generate the report ``make(edition, format, lang)`` describes (the form ``form``);
    on to this page with its link and ledger entry."""

    def change() -> publishing.Generated:
        edition = common.required_value(Edition, values["edition"], "edition")
        output = common.required_value(OutputFormat, values["format"], "format")
        wanted = make(edition, output, values["lang"] or "en")
        return publishing.generate(page.ctx, page.viewer, wanted)

    return page.submit(
        change,
        lambda made: f"publication/{made.publication.id}",
        back=lambda made: f"{PAGE}?made={made.publication.id}",
        values=values,
        form=form,
    )


REPORT_FIELDS = ("edition", "format", "lang")


@router.post(f"{PAGE}/daily", dependencies=CsrfChecked)
def daily(page: PublicationForm, form: forms.Posted) -> Response:
    """Generate (or find stored) the daily report of ``date`` (members)."""
    values = forms.fields(form, "date", "agreement", *REPORT_FIELDS)
    return _generate(
        page,
        "daily",
        values,
        lambda edition, output, lang: publishing.Request(
            Kind.DAILY,
            edition,
            lang,
            output,
            common.optional(values["agreement"]),
            day=_day(values["date"]),
        ),
    )


@router.post(f"{PAGE}/summary", dependencies=CsrfChecked)
def summary(page: PublicationForm, form: forms.Posted) -> Response:
    """The weekly (seven days to ``date``) or monthly (``date``'s month) summary."""
    values = forms.fields(form, "date", "period", "agreement", *REPORT_FIELDS)
    values["summary_date"] = values.pop("date")

    def make(edition: Edition, output: OutputFormat, lang: str) -> publishing.Request:
        kind = common.required_value(Kind, values["period"], "period")
        if kind not in (Kind.WEEKLY, Kind.MONTHLY):
            raise InvalidInput.worded(
                N_("weekly or monthly"), details=[problem("period", N_("unknown value"))]
            )
        day = _day(values["summary_date"])
        return publishing.Request(
            kind, edition, lang, output, common.optional(values["agreement"]), day=day
        )

    return _generate(page, "summary", values, make)


@router.post(f"{PAGE}/spot", dependencies=CsrfChecked)
def spot(page: PublicationForm, form: forms.Posted) -> Response:
    """A spot report of one incident (linked from the incident's page)."""
    values = forms.fields(form, "incident_id", *REPORT_FIELDS)
    return _generate(
        page,
        "spot",
        values,
        lambda edition, output, lang: publishing.Request(
            Kind.SPOT, edition, lang, output, incident_id=common.optional(values["incident_id"])
        ),
    )


@router.get(PAGE + "/{publication_id}/content")
def publication_content(ctx: ContextDep, viewer: WebViewer, publication_id: str) -> Response:
    """A stored publication as it was published (404 when the viewer may not read it)."""
    found = publishing.get_publication(ctx, viewer, publication_id)
    item = found.publication
    extension = OutputFormat(item.format).value
    return Response(
        found.content,
        media_type=MEDIA[OutputFormat(item.format)],
        headers={
            "Content-Disposition": f'attachment; filename="{item.id}.{extension}"',
            "X-Content-SHA256": item.sha256,
        },
    )


@router.get(f"{PAGE}/export", response_model=None)
def export(
    request: Request,
    ctx: ContextDep,
    viewer: WebViewer,
    dataset: str = "",
    format: str = "",
    hxl: str = "",
    since: str = "",
) -> Response:
    """An export as the viewer may read it, to download (the API's ``dataset``, ``format``,
    ``hxl`` and ``since``); a refused choice comes back to the page naming the field."""
    values = {"dataset": dataset, "export_format": format, "hxl": hxl, "since": since}
    try:
        prepared = exports.open_export(
            ctx,
            viewer,
            common.required_value(Dataset, dataset, "dataset"),
            common.required_value(ExportFormat, format, "format"),
            since=common.instant(since, "since"),
            hxl=bool(hxl),
        )
    except InvalidInput as exc:
        response = _page(request, ctx, viewer, values=values, error=exc, form="export")
        response.status_code = exc.status
        return response
    headers = {
        "Content-Disposition": f'attachment; filename="{prepared.filename}"',
        "X-Export-As-Of": prepared.as_of.isoformat() if prepared.as_of else "",
    }
    return StreamingResponse(prepared.chunks, media_type=prepared.media_type, headers=headers)
