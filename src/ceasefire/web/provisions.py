"""The provisions tracker (``/provisions``): every provision and part as of a date, its
deadline with each amendment (who asked, who decided, why, on what evidence), its status
history with evidence, which part makes a provision overdue, and one timeline."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

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
from ceasefire.db.context import ServiceContext
from ceasefire.errors import NotFound
from ceasefire.i18n.markers import N_
from ceasefire.timeutil import parse_instant
from ceasefire.web.common import PROVISION_STATUS_LABELS
from ceasefire.web.pages import render
from ceasefire.web.session import WebViewer

router = APIRouter(include_in_schema=False)

MAIN_AGREEMENT = "nk-2020-trilateral"

TIMELINE_KINDS: dict[str, str] = {
    "deadline": N_("deadline"),
    "amendment": N_("deadline moved"),
    "status": N_("status"),
    "term": N_("term"),
}


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


def build_tracker(ctx: ServiceContext, agreement_id: str | None, as_of: datetime) -> Tracker:
    ids = [a.id for a in agreement_service.list_agreements(ctx)]
    chosen = (
        agreement_id
        or (MAIN_AGREEMENT if MAIN_AGREEMENT in ids else None)
        or (ids[0] if ids else None)
    )
    if chosen is None:
        return Tracker(as_of=as_of, agreement=None, rows=[], timeline=[])
    if chosen not in ids:
        raise NotFound(f"no agreement {chosen!r}")
    agreement = agreement_service.get_agreement(ctx, chosen).agreement
    return Tracker(
        as_of=as_of,
        agreement=agreement,
        rows=tracker_rows(agreement, as_of),
        timeline=tracker_timeline(agreement),
    )


@router.get("/provisions", response_class=HTMLResponse)
def provisions_page(
    request: Request,
    ctx: ContextDep,
    viewer: WebViewer,
    agreement: Annotated[str | None, Query(description="Agreement id")] = None,
    as_of: Annotated[str | None, Query(description="Date or instant (ISO 8601)")] = None,
) -> HTMLResponse:
    """The provisions tracker and timeline, as of a date."""
    moment = parse_instant(as_of, field="as_of") if as_of else datetime.now(UTC)
    tracker = build_tracker(ctx, agreement, moment)
    return render(
        "provisions.html",
        request=request,
        viewer=viewer,
        tracker=tracker,
        agreements=agreement_service.list_agreements(ctx),
        status_labels=PROVISION_STATUS_LABELS,
        timeline_kinds=TIMELINE_KINDS,
    )
