"""The provisions tracker (``/provisions``): every provision and part as of a date, its
deadline with each amendment (who asked, who decided, why, on what evidence), its status
history with evidence, which part makes a provision overdue, and one timeline."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ceasefire.access import Role, Viewer
from ceasefire.agreements import service as agreement_service
from ceasefire.agreements.model import (
    Agreement,
    DeadlineAmendment,
    Evidence,
    Provision,
    ProvisionStatus,
    StatusChange,
)
from ceasefire.api.deps import ContextDep
from ceasefire.compliance import service as compliance
from ceasefire.compliance.schemas import EvaluationPublic
from ceasefire.db.context import ServiceContext
from ceasefire.errors import CeasefireError, Conflict, InvalidInput, NotFound
from ceasefire.i18n.markers import N_
from ceasefire.incidents import service as incidents
from ceasefire.ledger import service as ledger_service
from ceasefire.timeutil import parse_instant
from ceasefire.web import common, forms
from ceasefire.web.common import PROVISION_STATUS_LABELS
from ceasefire.web.pages import render
from ceasefire.web.session import SignedInViewer, WebViewer

router = APIRouter(include_in_schema=False)

MAIN_AGREEMENT = "nk-2020-trilateral"


@dataclass(frozen=True)
class EvidenceLine:
    text: str
    url: str | None


@dataclass(frozen=True)
class AmendmentLine:
    previous: date
    due: date
    decided: str
    reason: str
    requested_by: str | None
    decided_by: tuple[str, ...]
    instrument: str | None
    evidence: list[EvidenceLine]
    known: bool
    """Decided by the date shown (later amendments are listed, greyed)."""


@dataclass(frozen=True)
class StatusLine:
    status: str
    at: str
    note: str | None
    evidence: list[EvidenceLine]
    known: bool


@dataclass
class ProvisionRow:
    number: str
    title: str
    depth: int
    obligated: tuple[str, ...]
    status: str
    due: date | None
    original_due: date | None
    time_zone: str | None
    disputed: str | None
    amendments: list[AmendmentLine] = field(default_factory=list)
    history: list[StatusLine] = field(default_factory=list)
    overdue_parts: list[ProvisionRow] = field(default_factory=list)


@dataclass(frozen=True)
class TimelineEntry:
    day: date
    kind: str
    number: str
    text: str
    css_class: str


@dataclass
class Tracker:
    as_of: datetime
    agreement: Agreement | None
    rows: list[ProvisionRow]
    timeline: list[TimelineEntry]


def _evidence(agreement: Agreement, items: tuple[Evidence, ...]) -> list[EvidenceLine]:
    sources = {s.id: s for s in agreement.sources}
    lines = []
    for item in items:
        source = sources.get(item.source or "")
        text = source.citation if source else (item.source or item.ref or "")
        if item.ref and source:
            text = f"{text} ({item.ref})"
        if item.note:
            text = f"{text}: {item.note}" if text else item.note
        lines.append(EvidenceLine(text=text, url=source.url if source else None))
    return lines


def _amendment(agreement: Agreement, a: DeadlineAmendment, as_of: datetime) -> AmendmentLine:
    return AmendmentLine(
        previous=a.previous,
        due=a.due,
        decided=f"{a.decided.local} {a.decided.time_zone}",
        reason=a.reason,
        requested_by=a.requested_by,
        decided_by=a.decided_by,
        instrument=a.instrument,
        evidence=_evidence(agreement, a.evidence),
        known=a.decided.at <= as_of,
    )


def _status(agreement: Agreement, change: StatusChange, as_of: datetime) -> StatusLine:
    return StatusLine(
        status=change.status.value,
        at=f"{change.at.local} {change.at.time_zone}",
        note=change.note,
        evidence=_evidence(agreement, change.evidence),
        known=change.at.at <= as_of,
    )


def _row(agreement: Agreement, provision: Provision, depth: int, as_of: datetime) -> ProvisionRow:
    deadline = provision.deadline
    return ProvisionRow(
        number=provision.number,
        title=provision.title,
        depth=depth,
        obligated=provision.obligated,
        status=provision.status_as_of(as_of).value,
        due=deadline.due_as_of(as_of) if deadline else None,
        original_due=deadline.original if deadline else None,
        time_zone=deadline.time_zone if deadline else None,
        disputed=provision.disputed.note if provision.disputed else None,
        amendments=[_amendment(agreement, a, as_of) for a in deadline.amendments]
        if deadline
        else [],
        history=[_status(agreement, c, as_of) for c in provision.status_history],
    )


def tracker_rows(agreement: Agreement, as_of: datetime) -> list[ProvisionRow]:
    """Each provision followed by its parts; a provision made of parts names the parts that
    make it overdue or breached (its own due date is theirs, not one of its own)."""
    rows: list[ProvisionRow] = []

    def add(provision: Provision, depth: int) -> ProvisionRow:
        row = _row(agreement, provision, depth, as_of)
        rows.append(row)
        children = [add(part, depth + 1) for part in provision.parts]
        row.overdue_parts = [
            c
            for c in children
            if c.status in (ProvisionStatus.OVERDUE.value, ProvisionStatus.BREACHED.value)
        ]
        return row

    for provision in agreement.provisions:
        add(provision, 0)
    return rows


def tracker_timeline(agreement: Agreement) -> list[TimelineEntry]:
    """Deadlines, their amendments, status changes and the term, in day order."""
    items: list[TimelineEntry] = []
    for provision in agreement.all_provisions():
        deadline = provision.deadline
        if deadline is not None:
            items.append(
                TimelineEntry(
                    deadline.due, "deadline", provision.number, provision.title, "deadline"
                )
            )
            for a in deadline.amendments:
                items.append(
                    TimelineEntry(
                        date.fromisoformat(a.decided.local[:10]),
                        "amendment",
                        provision.number,
                        f"{provision.title}: {a.previous.isoformat()} → {a.due.isoformat()}",
                        "amendment",
                    )
                )
        for change in provision.status_history:
            items.append(
                TimelineEntry(
                    date.fromisoformat(change.at.local[:10]),
                    "status",
                    provision.number,
                    provision.title,
                    f"status-{change.status.value}",
                )
            )
    if agreement.term is not None:
        initial = agreement.term.initial
        items.append(TimelineEntry(initial.notice_deadline, "term", "", "notice", "term"))
        items.append(TimelineEntry(initial.expires, "term", "", "expires", "term"))
    return sorted(items, key=lambda i: (i.day, i.number, i.kind))


def build_tracker(
    ctx: ServiceContext, viewer: Viewer, agreement_id: str | None, as_of: datetime
) -> Tracker:
    """The tracker of ``agreement_id`` (the main one by default) as ``viewer`` reads it: a
    status's evidence names only the records it may read."""
    ids = common.agreement_ids(ctx)
    chosen = (
        agreement_id
        or (MAIN_AGREEMENT if MAIN_AGREEMENT in ids else None)
        or (ids[0] if ids else None)
    )
    if chosen is None:
        return Tracker(as_of=as_of, agreement=None, rows=[], timeline=[])
    if chosen not in ids:
        raise NotFound.worded(N_("no agreement %(id)s"), id=repr(chosen))
    agreement = agreement_service.get_agreement(ctx, chosen, reader=viewer).agreement
    return Tracker(
        as_of=as_of,
        agreement=agreement,
        rows=tracker_rows(agreement, as_of),
        timeline=tracker_timeline(agreement),
    )


def _rule_form(rule: dict[str, Any]) -> dict[str, str]:
    """The decision rule as the form shows it: voters and each group's members one a line."""
    groups = rule.get("groups") or []
    return {
        "kind": str(rule.get("kind", "")),
        "voters": " ".join(rule.get("voters") or []),
        "presiding": str(rule.get("presiding") or ""),
        "groups": "\n".join(
            " ".join([g["name"], str(g["required"]), *g["members"]]) for g in groups
        ),
    }


FORMS = {
    "status": forms.FormLabels(
        {
            "provision_id": N_("Provision or part"),
            "status": N_("Status"),
            "local": N_("Since (local date, or date and time, as the source states it)"),
            "time_zone": N_("Time zone of the source"),
            "evidence": N_("Evidence"),
            "evidence_source": N_("Source of the agreement file"),
            "evidence_ref": N_("Or an outside reference"),
            "evidence_note": N_("What it shows"),
            "note": N_("Note"),
        },
        places={
            "at": "local",
            "evidence[0].source": "evidence_source",
            "evidence[0].ref": "evidence_ref",
            "evidence[0].note": "evidence_note",
        },
    ),
    "rule": forms.FormLabels(
        {
            "kind": N_("Rule"),
            "voters": N_("Voters (member ids; empty: the current monitors)"),
            "presiding": N_("Presiding member (presiding member rule)"),
            "groups": N_(
                "Groups (quorum by group), one a line: name, members required, member ids"
            ),
        }
    ),
}
"""The tracker's forms by name, each form's fields by their labels (``provisions.html``
reads them here)."""


def _provisions_page(
    request: Request,
    ctx: ServiceContext,
    viewer: Viewer,
    agreement_id: str | None,
    as_of: str | None,
    *,
    done: list[int] | None = None,
    evaluated: str | None = None,
    error: CeasefireError | None = None,
    kept: Mapping[str, Any] | None = None,
) -> HTMLResponse:
    """The tracker; for the agreement's monitors and operators also its forms (a provision's
    status, its rules evaluated again; the decision rule's for operators only), a refused
    one shown again with each field's problem and the input it sent (``kept``, the form's
    name under ``form``)."""
    moment = parse_instant(as_of, field="as_of") if as_of else datetime.now(UTC)
    tracker = build_tracker(ctx, viewer, agreement_id, moment)
    chosen = tracker.agreement
    rule = incidents.get_decision_rule(ctx, chosen.id).to_dict() if chosen else None
    counts = common.whole_numbers((evaluated or "").split("-"))
    response = render(
        "provisions.html",
        request=request,
        viewer=viewer,
        tracker=tracker,
        agreements=agreement_service.list_agreements(ctx),
        status_labels=PROVISION_STATUS_LABELS,
        rule=rule,
        rule_kinds=RULE_KINDS,
        may_change=chosen is not None and common.monitors(ctx, viewer, chosen.id),
        # The decision rule weighs the monitors' views: the centre's to record, not one's.
        may_set_rule=chosen is not None and viewer.operator,
        leaves=[p for p in chosen.all_provisions() if not p.parts] if chosen else [],
        statuses=[s.value for s in ProvisionStatus],
        done=done or [],
        evaluated=counts if len(counts) == 3 else None,
        error=error,
        **forms.problems_shown(error, FORMS.get((kept or {}).get("form", ""))),
        labels={name: form.labels for name, form in FORMS.items()},
        kept=kept or {},
        rule_form=_rule_form(rule) if rule else {},
    )
    if error is not None:
        response.status_code = error.status
    return response


RULE_KINDS: dict[str, str] = {
    "unanimity": N_("unanimity"),
    "quorum_by_group": N_("quorum by group"),
    "presiding_member": N_("presiding member"),
}


@router.get("/provisions", response_class=HTMLResponse)
@forms.labelled(forms.FormLabels({"as_of": N_("Record as of"), "agreement": N_("Agreement")}))
def provisions_page(
    request: Request,
    ctx: ContextDep,
    viewer: WebViewer,
    agreement: Annotated[str | None, Query(description="Agreement id")] = None,
    as_of: Annotated[str | None, Query(description="Date or instant (ISO 8601)")] = None,
    done: str | None = None,
    evaluated: str | None = None,
) -> HTMLResponse:
    """The provisions tracker and timeline, as of a date."""
    return _provisions_page(
        request,
        ctx,
        viewer,
        agreement,
        as_of,
        done=common.done_entries(done),
        evaluated=evaluated,
    )


@dataclass(frozen=True)
class AgreementForm:
    """A form posted about one agreement from the tracker: the request, the context and the
    viewer of the sign-in cookie, and the one way each form ends."""

    request: Request
    ctx: ServiceContext
    viewer: Viewer

    def after(
        self,
        agreement_id: str,
        change: Callable[[], Any],
        made: Callable[[int], list[int]],
        kept: Mapping[str, Any],
        said: Callable[[Any], dict[str, str]] = lambda _: {},
    ) -> Response:
        """Run ``change`` (a call of the service); back to the tracker naming the ledger
        entries ``made`` finds after the head before it (and what ``said`` makes of the
        service's answer, in the query), or the tracker again with the refusal beside the
        form and its input. What the service refuses outright (403, 404) is the error
        page."""
        if self.viewer.is_public:
            return common.sign_in_first(self.request)
        before = common.head_seq(self.ctx)
        try:
            result = change()
        except (InvalidInput, Conflict) as exc:
            return _provisions_page(
                self.request, self.ctx, self.viewer, agreement_id, None, error=exc, kept=kept
            )
        done = ",".join(str(seq) for seq in made(before))
        query = urlencode({"agreement": agreement_id, "done": done, **said(result)})
        return RedirectResponse(f"/provisions?{query}#done", status_code=303)


def _agreement_form(request: Request, ctx: ContextDep, viewer: SignedInViewer) -> AgreementForm:
    return AgreementForm(request, ctx, viewer)


AgreementFormDep = Annotated[AgreementForm, Depends(_agreement_form)]


@router.post("/provisions/status", dependencies=common.form_of(Role.MONITOR))
def record_status(
    page: AgreementFormDep,
    agreement: Annotated[str, Form()] = "",
    provision_id: Annotated[str, Form()] = "",
    status: Annotated[str, Form()] = "",
    local: Annotated[str, Form()] = "",
    time_zone: Annotated[str, Form()] = "",
    evidence_source: Annotated[str, Form()] = "",
    evidence_ref: Annotated[str, Form()] = "",
    evidence_note: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    """Record a provision's status from an instant on, as the source states it (local date
    or time in its zone), with one evidence reference (monitors of the agreement,
    operators); the same change again records nothing."""
    kept = {
        "form": "status",
        "provision_id": provision_id,
        "status": status,
        "local": local,
        "time_zone": time_zone,
        "evidence_source": evidence_source,
        "evidence_ref": evidence_ref,
        "evidence_note": evidence_note,
        "note": note,
    }
    evidence = Evidence(
        source=common.optional(evidence_source),
        ref=common.optional(evidence_ref),
        note=common.optional(evidence_note),
    )
    return page.after(
        agreement,
        lambda: agreement_service.record_provision_status(
            page.ctx,
            page.viewer,
            agreement,
            provision_id,
            status=status,
            local=common.optional(local),
            time_zone=common.optional(time_zone),
            evidence=[evidence],
            note=common.optional(note),
        ),
        lambda before: common.entries_since(
            page.ctx, page.viewer, before, f"{agreement}/{provision_id}"
        ),
        kept,
    )


@router.post("/provisions/evaluate", dependencies=common.form_of(Role.MONITOR))
def evaluate_rules(
    page: AgreementFormDep,
    agreement: Annotated[str, Form()] = "",
) -> Response:
    """Evaluate the compliance rules again over every incident of the agreement (monitors of
    the agreement, operators): findings recorded or withdrawn, each a ledger entry."""
    return page.after(
        agreement,
        lambda: compliance.evaluate(page.ctx, page.viewer, agreement),
        lambda before: [
            entry.seq
            for entry in ledger_service.list_entries(
                page.ctx, page.viewer, after=before, tag="compliance:"
            )
        ],
        {"form": "evaluate"},
        _evaluated,
    )


def _evaluated(results: list[EvaluationPublic]) -> dict[str, str]:
    """An evaluation's findings recorded, withdrawn and left, as the tracker's ``evaluated``."""
    counts = (
        sum(len(r.new) for r in results),
        sum(len(r.withdrawn) for r in results),
        sum(r.unchanged for r in results),
    )
    return {"evaluated": "-".join(str(n) for n in counts)}


def _groups(text: str) -> list[dict[str, Any]]:
    """The groups of a quorum rule, one a line: ``name required member member …`` (a
    required count that is no number is the service's to refuse, naming the group)."""
    groups: list[dict[str, Any]] = []
    for line in text.splitlines():
        words = line.split()
        if not words:
            continue
        required: Any = words[1] if len(words) > 1 else None
        number = common.whole_number(required) if required else None
        groups.append(
            {
                "name": words[0],
                "required": required if number is None else number,
                "members": words[2:],
            }
        )
    return groups


@router.post("/provisions/decision-rule", dependencies=common.form_of())
def set_decision_rule(
    page: AgreementFormDep,
    agreement: Annotated[str, Form()] = "",
    kind: Annotated[str, Form()] = "",
    voters: Annotated[str, Form()] = "",
    presiding: Annotated[str, Form()] = "",
    groups: Annotated[str, Form()] = "",
) -> Response:
    """Configure how the agreement's incidents are decided (operators: the rule weighs the
    monitors' views, ``incidents.service.set_decision_rule``): unanimity, a quorum by group
    or a presiding member. Voters left empty: the agreement's current monitors."""
    kept = {"form": "rule", "kind": kind, "voters": voters, "presiding": presiding}
    kept["groups"] = groups
    named = voters.replace(",", " ").split() or None
    rule: dict[str, Any] = {"kind": kind.strip()}
    if rule["kind"] == "quorum_by_group":
        rule["groups"] = _groups(groups)
    else:
        rule["voters"] = named
    if rule["kind"] == "presiding_member":
        rule["presiding"] = presiding.strip()
    return page.after(
        agreement,
        lambda: incidents.set_decision_rule(page.ctx, page.viewer, agreement, rule),
        lambda before: common.entries_since(
            page.ctx, page.viewer, before, f"agreement/{agreement}"
        ),
        kept,
    )
