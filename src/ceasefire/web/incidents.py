"""The incident pages: the filtered list, one incident with everything the viewer may read of
it, and its forms (group reports, status, classification, assessment, reply, note).

Every read and every change goes through ``ceasefire.incidents.service`` with the viewer of
the sign-in cookie, exactly as the API does: the service decides what the viewer may see and
do; a form is only shown to those it would accept, for convenience. Each change ends on the
incident's page with a link to the ledger entries it made (``/ledger/N``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ceasefire.access import Classification, Role, Viewer
from ceasefire.agreements import service as agreement_service
from ceasefire.api.deps import ContextDep
from ceasefire.compliance import service as compliance
from ceasefire.db.context import ServiceContext
from ceasefire.errors import CeasefireError, Conflict, InvalidInput, NotFound, problem
from ceasefire.fusion import service as fusion
from ceasefire.i18n.markers import N_
from ceasefire.incidents import service as incidents
from ceasefire.incidents.model import (
    ALLOWED_TRANSITIONS,
    Attribution,
    AttributionKind,
    Decision,
    OccurrenceStatus,
    Stance,
)
from ceasefire.incidents.schemas import IncidentDetail, PartyRepresentative, TaskPublic
from ceasefire.web import common, forms
from ceasefire.web.pages import LIST_PAGE_SIZE, ListLimit, filtered_list, render
from ceasefire.web.reports import LIST_CHOICES, report_list_page
from ceasefire.web.session import SignedInViewer, WebViewer

router = APIRouter(include_in_schema=False)

FILTERS = (
    "start",
    "end",
    "bbox",
    "category",
    "status",
    "attribution",
    "party",
    "channel",
    "classification",
)


@router.get("/incidents", response_class=HTMLResponse)
@forms.labelled(forms.FormLabels(common.LIST_FILTER_LABELS))
def incident_list(
    request: Request,
    ctx: ContextDep,
    viewer: WebViewer,
    cursor: str | None = None,
    limit: ListLimit = LIST_PAGE_SIZE,
) -> Response:
    """Incidents the viewer may read, filtered by the query string (shareable as a URL)."""

    def load(query: dict[str, str]) -> incidents.IncidentPage:
        filters = incidents.IncidentFilters(
            **common.shared_filters(query),
            status=common.enum_value(OccurrenceStatus, query["status"], "status"),
            attribution=common.enum_value(AttributionKind, query["attribution"], "attribution"),
        )
        return incidents.list_incidents(
            ctx, viewer, filters, limit=limit, cursor=common.optional(cursor)
        )

    return filtered_list(
        "incidents.html",
        request=request,
        viewer=viewer,
        filters=FILTERS,
        cursor=cursor,
        load=load,
        statuses=[s.value for s in OccurrenceStatus],
        attributions=[a.value for a in AttributionKind],
        **LIST_CHOICES,
    )


def _parties(ctx: ServiceContext, agreement_id: str | None) -> list[str]:
    if agreement_id is None:
        return []
    try:
        stored = agreement_service.get_agreement(ctx, agreement_id)
    except NotFound:
        return []
    return [p.code for p in stored.agreement.parties]


FORMS = {
    "task": forms.FormLabels(
        {
            "team": N_("Team (one name a line)"),
            "lead_member": N_("Lead member"),
            "instructions": N_("Instructions"),
            "due_at": N_("Due (date, or date and time in UTC)"),
        }
    ),
    "assess": forms.FormLabels(
        {
            "stance": N_("Stance"),
            "status": N_("Finding: status"),
            "attribution": N_("Finding: attribution"),
            "party": N_("Attributed to"),
            "rationale": N_("Rationale"),
            "classification": N_("Classification"),
        },
        places={
            "finding.status": "status",
            "finding.attribution": "attribution",
            "finding.attributed_party": "party",
            "attributed_party": "party",
            "finding": "status",
        },
    ),
    "complete": forms.FormLabels({"findings": N_("The team's findings")}),
    "reports": forms.FormLabels(
        {"report_ids": N_("Add reports (ids)")}, places={"report_id": "report_ids"}
    ),
    "remove": forms.FormLabels({"reason": N_("Reason")}),
    "status": forms.FormLabels({"status": N_("New status"), "reason": N_("Reason")}),
    "classify": forms.FormLabels({"classification": N_("Classification"), "reason": N_("Reason")}),
    "note": forms.FormLabels({"text": N_("Note"), "classification": N_("Classification")}),
    "reply": forms.FormLabels({"text": N_("Reply")}),
    "undo": forms.FormLabels({"reason": N_("Reason")}),
    "edit": forms.FormLabels(
        {
            "title": N_("Title"),
            "summary": N_("Summary (shared with everyone who reads the incident)"),
        }
    ),
    "merge": forms.FormLabels(
        {"source": N_("Incident id"), "reason": N_("Reason")}, places={"incident_id": "source"}
    ),
    "split": forms.FormLabels({"report_ids": N_("Report ids"), "reason": N_("Reason")}),
}
"""The incident page's forms by name (a task's completion and a decision's undo by their
name's first part, ``complete-T``), each form's fields by their labels (``incident.html``
reads them here)."""


def _shown(error: Exception | None, kept: Mapping[str, Any] | None) -> dict[str, Any]:
    """``forms.problems_shown`` for the incident form named in ``kept``."""
    name = str((kept or {}).get("form", "")).partition("-")[0]
    refusal = error if isinstance(error, CeasefireError) else None
    return forms.problems_shown(refusal, FORMS.get(name))


def _incident_page(
    request: Request,
    ctx: ContextDep,
    viewer: Viewer,
    incident_id: str,
    *,
    error: Exception | None = None,
    done: list[int] | None = None,
    kept: Mapping[str, Any] | None = None,
    evaluated: str | None = None,
) -> Response:
    """The incident page; after a refused form, ``error`` beside it and the input it sent
    (``kept``: the form's name under ``form`` and its fields)."""
    incident = incidents.get_incident(ctx, viewer, incident_id)
    detail = incident if isinstance(incident, IncidentDetail) else None
    ledger = common.entries_about(ctx, viewer, f"incident/{incident_id}")
    agreement_id = detail.agreement_id if detail is not None else None
    may_reply = (
        detail is not None
        and viewer.role is Role.PARTY_LIAISON
        and viewer.party is not None
        and viewer.party in detail.concerns
    )
    assessments = sorted(
        detail.assessments if detail is not None else [],
        key=lambda a: (a.member_id, a.recorded_at),
    )
    # The other areas' views, through their services with this viewer: the corroboration
    # counts (members also get the decisions, their evidence withheld where it names a report
    # the viewer may not read) and the compliance rules' findings.
    corroboration = fusion.summary(ctx, viewer, incident_id)
    findings = compliance.incident_findings(ctx, viewer, incident_id)
    monitor = detail is not None and common.monitors(ctx, viewer, agreement_id)
    response = render(
        "incident.html",
        request=request,
        viewer=viewer,
        incident=incident,
        detail=detail,
        corroboration=corroboration,
        findings=findings,
        assessments=assessments,
        ledger=ledger,
        done=done or [],
        evaluated=evaluated if evaluated in common.DECISION_LABELS else None,
        error=error,
        **_shown(error, kept),
        labels={name: form.labels for name, form in FORMS.items()},
        kept=kept or {},
        is_monitor=monitor,
        may_assess=(not viewer.operator and viewer.role is Role.MONITOR and detail is not None),
        may_reply=may_reply,
        parties=_parties(ctx, agreement_id),
        next_statuses=sorted(
            s.value for s in ALLOWED_TRANSITIONS[OccurrenceStatus(incident.status)]
        ),
        concluding=[
            s.value for s in OccurrenceStatus if s.value not in ("reported", "under_investigation")
        ],
        stances=[s.value for s in Stance],
        classifications=[c.value for c in Classification],
    )
    if error is not None:
        response.status_code = getattr(error, "status", 422)
    return response


@router.get("/incidents/{incident_id}", response_class=HTMLResponse)
def incident_page(
    request: Request,
    ctx: ContextDep,
    viewer: WebViewer,
    incident_id: str,
    done: str | None = None,
    evaluated: str | None = None,
) -> Response:
    """One incident: reports and sources, assessments over time, decision, replies, ledger."""
    return _incident_page(
        request, ctx, viewer, incident_id, done=common.done_entries(done), evaluated=evaluated
    )


@dataclass(frozen=True)
class IncidentForm:
    """A form posted about one incident: the request, the context, the viewer of the
    sign-in cookie and the incident, and the one way each form ends."""

    request: Request
    ctx: ServiceContext
    viewer: Viewer
    incident_id: str

    def _attempt(
        self, change: Callable[[], Any], kept: Mapping[str, Any] | None = None
    ) -> tuple[int, Any] | Response:
        """Run ``change`` (a call of the service), or answer with the sign-in page or the
        incident shown again with the refusal beside the form and its input (``kept``)."""
        if self.viewer.is_public:
            return common.sign_in_first(self.request)
        before = common.head_seq(self.ctx)
        try:
            return before, change()
        except (InvalidInput, Conflict, NotFound) as exc:
            # A NotFound names what the form asked for (the incident to merge, a report to
            # split off); where it is this incident, the page's own reading raises it again.
            return _incident_page(
                self.request, self.ctx, self.viewer, self.incident_id, error=exc, kept=kept
            )

    def after(self, change: Callable[[], Any], kept: Mapping[str, Any] | None = None) -> Response:
        """Run ``change``; go to the incident with its ledger entries."""
        attempt = self._attempt(change, kept)
        if isinstance(attempt, Response):
            return attempt
        before, result = attempt
        target = self.incident_id
        if isinstance(result, IncidentDetail):
            target = result.id
        elif isinstance(result, TaskPublic):
            target = result.incident_id
        return _done_redirect(self.ctx, self.viewer, before, target)

    def after_evaluation(self, change: Callable[[], Decision]) -> Response:
        """As ``after`` for the decision rule evaluated again: the page also says what it
        decided (there is no ledger entry when nothing changed)."""
        attempt = self._attempt(change)
        if isinstance(attempt, Response):
            return attempt
        before, decision = attempt
        extra = f"&evaluated={decision.state.value}"
        return _done_redirect(self.ctx, self.viewer, before, self.incident_id, extra)

    def after_fusion(
        self, change: Callable[[], Any], kept: Mapping[str, Any] | None = None
    ) -> Response:
        """As ``after`` for fusion's merge, split and undo, whose ledger entry is the
        decision's."""
        attempt = self._attempt(change, kept)
        if isinstance(attempt, Response):
            return attempt
        before, decision = attempt
        seqs = common.entries_since(self.ctx, self.viewer, before, f"fusion/{decision.id}")
        done = ",".join(str(s) for s in seqs)
        # Where the reports went: this incident for a merge, the new one for a split.
        target = decision.incident_id or self.incident_id
        return RedirectResponse(f"/incidents/{target}?done={done}#done", status_code=303)


def _incident_form(
    request: Request, ctx: ContextDep, viewer: SignedInViewer, incident_id: str
) -> IncidentForm:
    return IncidentForm(request, ctx, viewer, incident_id)


IncidentFormDep = Annotated[IncidentForm, Depends(_incident_form)]


def _done_redirect(
    ctx: ServiceContext, viewer: Viewer, before: int, incident_id: str, extra: str = ""
) -> Response:
    """To the incident's page, naming the ledger entries recorded about it after ``before``
    (``extra``: more of the query, ``&name=value``)."""
    done = common.done_since(ctx, viewer, before, f"incident/{incident_id}")
    return RedirectResponse(f"/incidents/{incident_id}?done={done}{extra}#done", status_code=303)


def _ids(text: str | list[str]) -> list[str]:
    values = text if isinstance(text, list) else [text]
    return [part for value in values for part in forms.words(value)]


MonitorForm = common.form_of(Role.MONITOR)
"""The incident forms' dependencies: a member monitoring no agreement is refused before its
form is read (``common.form_of``)."""


@router.post("/incidents", dependencies=MonitorForm)
def create_incident(
    request: Request,
    ctx: ContextDep,
    viewer: SignedInViewer,
    report_ids: Annotated[list[str], Form()] = [],  # noqa: B006 (FastAPI's form default)
    title: Annotated[str, Form()] = "",
    summary: Annotated[str, Form()] = "",
    classification: Annotated[str, Form()] = "internal",
    idempotency_key: Annotated[str, Form()] = "",
) -> Response:
    """Group the reports ticked in the report list into a new incident (monitors); the
    form's hidden key makes a resubmission end on the incident the first one made."""
    if viewer.is_public:
        return common.sign_in_first(request)
    before = common.head_seq(ctx)
    try:
        detail = incidents.create_incident(
            ctx,
            viewer,
            report_ids=_ids(report_ids),
            title=title,
            summary=common.optional(summary),
            classification=common.classification(classification),
            idempotency_key=common.optional(idempotency_key),
        )
    except (InvalidInput, Conflict, NotFound) as exc:
        # The report list again, not a dead-end error page: what was typed and ticked kept.
        kept = {
            "title": title,
            "summary": summary,
            "classification": classification,
            "report_ids": set(_ids(report_ids)),
        }
        return report_list_page(request, ctx, viewer, refused=exc, kept=kept)
    return _done_redirect(ctx, viewer, before, detail.id)


@router.post("/incidents/{incident_id}/reports", dependencies=MonitorForm)
def add_reports(
    page: IncidentFormDep,
    report_ids: Annotated[list[str], Form()] = [],  # noqa: B006
) -> Response:
    """Group more reports into this incident."""
    return page.after(
        lambda: incidents.add_reports(page.ctx, page.viewer, page.incident_id, _ids(report_ids)),
        {"form": "reports"},
    )


@router.post("/incidents/{incident_id}/reports/remove", dependencies=MonitorForm)
def remove_report(
    page: IncidentFormDep,
    report_id: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    """Take a report out of this incident (split), with the reason."""
    return page.after(
        lambda: incidents.remove_report(
            page.ctx, page.viewer, page.incident_id, report_id, reason=reason
        ),
        {"form": "remove"},
    )


@router.post("/incidents/{incident_id}/status", dependencies=MonitorForm)
def change_status(
    page: IncidentFormDep,
    status: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    """Move the occurrence status (a conclusion only as the decision rule decided)."""

    def change() -> Any:
        target = common.required_value(OccurrenceStatus, status, "status")
        return incidents.change_status(
            page.ctx, page.viewer, page.incident_id, target, reason=reason
        )

    return page.after(change, {"form": "status"})


@router.post("/incidents/{incident_id}/classification", dependencies=MonitorForm)
def classify(
    page: IncidentFormDep,
    classification: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    """Change who may read the incident."""

    def change() -> Any:
        chosen = common.required_value(Classification, classification, "classification")
        return incidents.classify(
            page.ctx, page.viewer, page.incident_id, chosen, reason=common.optional(reason)
        )

    return page.after(change, {"form": "classify"})


@router.post("/incidents/{incident_id}/assessments", dependencies=MonitorForm)
def assess(
    page: IncidentFormDep,
    stance: Annotated[str, Form()] = "",
    status: Annotated[str, Form()] = "",
    attribution: Annotated[str, Form()] = "",
    party: Annotated[str, Form()] = "",
    rationale: Annotated[str, Form()] = "",
    classification: Annotated[str, Form()] = "internal",
) -> Response:
    """Record the viewer's member's assessment: concur, dissent (with its own finding, if
    any) or abstain, with the rationale."""

    kept = {
        "form": "assess",
        "stance": stance,
        "status": status,
        "attribution": attribution,
        "party": party,
        "rationale": rationale,
        "classification": classification,
    }

    def change() -> Any:
        chosen_stance = common.required_value(Stance, stance, "stance")
        finding_status = common.enum_value(OccurrenceStatus, status, "status")
        kind = common.optional(attribution)
        found: Attribution | None = None
        if kind == AttributionKind.ATTRIBUTED.value:
            if not party.strip():
                raise InvalidInput.worded(
                    N_("choose the party the finding attributes it to"),
                    details=[problem("party", N_("required"))],
                )
            found = Attribution.parse(f"attributed({party})")
        elif kind is not None:
            found = Attribution.parse(kind)
        return incidents.assess(
            page.ctx,
            page.viewer,
            page.incident_id,
            stance=chosen_stance,
            rationale=rationale,
            status=finding_status,
            attribution=found,
            classification=common.classification(classification),
        )

    return page.after(change, kept)


@router.post("/incidents/{incident_id}/replies", dependencies=common.form_of(Role.PARTY_LIAISON))
def reply(
    page: IncidentFormDep,
    text: Annotated[str, Form()] = "",
) -> Response:
    """A party's reply (its liaison, on an incident that concerns the party)."""
    return page.after(
        lambda: incidents.reply(page.ctx, page.viewer, page.incident_id, text=text),
        {"form": "reply", "text": text},
    )


@router.post("/incidents/{incident_id}/notes", dependencies=MonitorForm)
def add_note(
    page: IncidentFormDep,
    text: Annotated[str, Form()] = "",
    classification: Annotated[str, Form()] = "internal",
    idempotency_key: Annotated[str, Form()] = "",
) -> Response:
    """A monitors' working note (internal unless classified otherwise; its form's hidden
    key makes a resubmission no second note)."""
    return page.after(
        lambda: incidents.add_note(
            page.ctx,
            page.viewer,
            page.incident_id,
            text=text,
            classification=common.classification(classification),
            idempotency_key=common.optional(idempotency_key),
        ),
        {"form": "note", "text": text, "classification": classification},
    )


@router.post("/incidents/{incident_id}/merge", dependencies=MonitorForm)
def merge_incident(
    page: IncidentFormDep,
    source: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    """Move every report of incident ``source`` into this one (fusion's merge: monitors)."""
    return page.after_fusion(
        lambda: fusion.merge(
            page.ctx,
            page.viewer,
            page.incident_id,
            source.strip(),
            reason=common.optional(reason),
        ),
        {"form": "merge", "source": source, "reason": reason},
    )


@router.post("/incidents/{incident_id}/split", dependencies=MonitorForm)
def split_incident(
    page: IncidentFormDep,
    report_ids: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    """Take some reports out into a new incident of their own (fusion's split: monitors)."""
    return page.after_fusion(
        lambda: fusion.split(
            page.ctx,
            page.viewer,
            page.incident_id,
            _ids(report_ids),
            reason=common.optional(reason),
        ),
        {"form": "split", "report_ids": report_ids, "reason": reason},
    )


def _lines(text: str) -> list[str]:
    """A textarea of names, one a line (names may hold commas)."""
    return [line.strip() for line in text.splitlines() if line.strip()]


@router.post("/incidents/{incident_id}/tasks", dependencies=MonitorForm)
def assign_task(
    page: IncidentFormDep,
    team: Annotated[str, Form()] = "",
    lead_member: Annotated[str, Form()] = "",
    instructions: Annotated[str, Form()] = "",
    due_at: Annotated[str, Form()] = "",
    rep_party: Annotated[list[str], Form()] = [],  # noqa: B006 (FastAPI's form default)
    rep_names: Annotated[list[str], Form()] = [],  # noqa: B006
    rep_present: Annotated[list[str], Form()] = [],  # noqa: B006
    idempotency_key: Annotated[str, Form()] = "",
) -> Response:
    """Send a team to investigate (monitors): its members one a line, the lead member, each
    concerned party's representatives (present or not, with their names), instructions and
    the due date (a date alone: the end of that day, UTC). The form's hidden key, fresh at
    each rendering, makes a resubmission assign no second task."""
    kept = {
        "form": "task",
        "team": team,
        "lead_member": lead_member,
        "instructions": instructions,
        "due_at": due_at,
        "rep_present": rep_present,
        "rep_names": dict(zip(rep_party, rep_names, strict=False)),
    }

    def change() -> Any:
        representatives = [
            PartyRepresentative(party=party, present=party in rep_present, names=_lines(names))
            for party, names in zip(rep_party, rep_names, strict=False)
            if party.strip()
        ]
        return incidents.assign_task(
            page.ctx,
            page.viewer,
            page.incident_id,
            team=_lines(team),
            lead_member=common.optional(lead_member),
            party_representatives=representatives,
            instructions=common.optional(instructions),
            due_at=common.instant(due_at, "due_at", end_of_day=True),
            idempotency_key=common.optional(idempotency_key),
        )

    return page.after(change, kept)


@router.post("/incidents/{incident_id}/tasks/{task_id}/complete", dependencies=MonitorForm)
def complete_task(
    page: IncidentFormDep,
    task_id: str,
    findings: Annotated[str, Form()] = "",
) -> Response:
    """Record an investigation team's findings: the task is completed (monitors)."""
    kept = {"form": f"complete-{task_id}", "findings": findings}
    return page.after(
        lambda: incidents.complete_task(page.ctx, page.viewer, task_id, findings=findings),
        kept,
    )


@router.post("/incidents/{incident_id}/edit", dependencies=MonitorForm)
def edit_incident(
    page: IncidentFormDep,
    title: Annotated[str, Form()] = "",
    summary: Annotated[str, Form()] = "",
) -> Response:
    """Change the title and the shared summary (monitors; an empty summary removes it)."""
    kept = {"form": "edit", "title": title, "summary": summary}
    return page.after(
        lambda: incidents.edit_incident(
            page.ctx, page.viewer, page.incident_id, title=title, summary=summary
        ),
        kept,
    )


@router.post("/incidents/{incident_id}/decision", dependencies=MonitorForm)
def evaluate_decision(page: IncidentFormDep) -> Response:
    """Evaluate the agreement's decision rule again and apply it (monitors): after the rule
    changed, or a monitor's role ended. A ledger entry only when the decision changed."""
    return page.after_evaluation(
        lambda: incidents.evaluate(page.ctx, page.viewer, page.incident_id)
    )


@router.post("/incidents/{incident_id}/fusion/{decision_id}/undo", dependencies=MonitorForm)
def undo_grouping(
    page: IncidentFormDep,
    decision_id: str,
    reason: Annotated[str, Form()] = "",
) -> Response:
    """Undo one of fusion's grouping decisions (a link, a new incident, a merge, a split) as
    a new decision (monitors of the agreement); the page of where the reports went back to."""
    kept = {"form": f"undo-{decision_id}", "reason": reason}
    return page.after_fusion(
        lambda: fusion.undo(page.ctx, page.viewer, decision_id, reason=common.optional(reason)),
        kept,
    )
