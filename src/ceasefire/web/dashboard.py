"""What the dashboard shows, gathered from the services for one viewer at one instant."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from ceasefire.access import Viewer
from ceasefire.agreements import service as agreement_service
from ceasefire.agreements.model import Agreement, Provision, ProvisionStatus, SourceInstant
from ceasefire.agreements.schemas import AgreementSummaryPublic
from ceasefire.db.context import ServiceContext
from ceasefire.errors import NotFound
from ceasefire.i18n.markers import N_
from ceasefire.incidents import service as incident_service
from ceasefire.ledger import service as ledger_service
from ceasefire.ledger.schemas import LedgerHead
from ceasefire.web.common import PROVISION_STATUS_LABELS

MAIN_AGREEMENT = "nk-2020-trilateral"


@dataclass(frozen=True)
class ProvisionLine:
    number: str
    title: str
    kind: str
    status: str
    due: date | None
    original_due: date | None
    obligated: tuple[str, ...]
    disputed: bool
    overdue_parts: tuple[tuple[str, str, str, date | None], ...] = ()
    """(status, number, title, due) of each part that makes the provision overdue or breached."""


@dataclass(frozen=True)
class TimelineItem:
    """One dated line: ``text`` is the agreement's or incident's own words (not translated),
    ``note`` an English message id (``N_``) the page translates, e.g. "due"."""

    day: date
    kind: str  # "deadline", "status", "term", "incident"
    text: str
    css_class: str
    note: str = ""


@dataclass
class Dashboard:
    as_of: datetime
    agreements: list[AgreementSummaryPublic]
    agreement: Agreement | None = None
    provisions: list[ProvisionLine] = field(default_factory=list)
    term: dict[str, Any] | None = None
    timeline: list[TimelineItem] = field(default_factory=list)
    incidents: list[Any] = field(default_factory=list)
    ledger_head: LedgerHead | None = None
    ledger_recent: list[Any] = field(default_factory=list)


def _provision_lines(agreement: Agreement, as_of: datetime) -> list[ProvisionLine]:
    lines = []
    for provision in agreement.provisions:
        deadline = provision.deadline
        lines.append(
            ProvisionLine(
                number=provision.number,
                title=provision.title,
                kind=provision.kind.value,
                status=provision.status_as_of(as_of).value,
                due=deadline.due_as_of(as_of) if deadline else None,
                original_due=deadline.original if deadline else None,
                obligated=provision.obligated,
                disputed=provision.disputed is not None,
                overdue_parts=tuple(
                    (
                        status.value,
                        part.number,
                        part.title,
                        part.deadline.due_as_of(as_of) if part.deadline else None,
                    )
                    for part in provision.parts
                    for status in [part.status_as_of(as_of)]
                    if status in (ProvisionStatus.OVERDUE, ProvisionStatus.BREACHED)
                ),
            )
        )
    return lines


def _local_day(instant: SourceInstant) -> date:
    """The day as the source gave it (20 Nov Moscow time, not 19 Nov UTC)."""
    try:
        return date.fromisoformat(instant.local[:10])
    except ValueError:
        return instant.at.date()


def _provision_timeline(provision: Provision) -> list[TimelineItem]:
    items = []
    for part in provision.walk():
        label = f"{part.number} {part.title}"
        if part.deadline is not None:
            for amendment in part.deadline.amendments:
                items.append(
                    TimelineItem(
                        amendment.previous,
                        "deadline",
                        label,
                        "muted",
                        note=N_("original deadline"),
                    )
                )
            items.append(
                TimelineItem(part.deadline.due, "deadline", label, "deadline", note=N_("due"))
            )
        for change in part.status_history:
            items.append(
                TimelineItem(
                    _local_day(change.at),
                    "status",
                    label,
                    f"status-{change.status.value}",
                    note=PROVISION_STATUS_LABELS[change.status.value],
                )
            )
    return items


def _timeline(agreement: Agreement, incidents: list[Any]) -> list[TimelineItem]:
    items: list[TimelineItem] = []
    for provision in agreement.provisions:
        items += _provision_timeline(provision)
    if agreement.term is not None:
        initial = agreement.term.initial
        items.append(
            TimelineItem(initial.notice_deadline, "term", "", "term", note=N_("notice deadline"))
        )
        items.append(
            TimelineItem(initial.expires, "term", "", "term", note=N_("initial term expires"))
        )
    for incident in incidents:
        items.append(
            TimelineItem(incident.observed_start.date(), "incident", incident.title, "incident")
        )
    unique = {(i.day, i.text, i.note): i for i in items}
    return sorted(unique.values(), key=lambda i: (i.day, i.kind, i.text, i.note))


def build_dashboard(
    ctx: ServiceContext, viewer: Viewer, *, as_of: datetime | None = None
) -> Dashboard:
    """Everything the dashboard page needs, as ``viewer`` may see it at ``as_of``."""
    moment = as_of or datetime.now(UTC)
    board = Dashboard(as_of=moment, agreements=agreement_service.list_agreements(ctx))
    board.incidents = list(incident_service.list_incidents(ctx, viewer, limit=50).items)
    board.ledger_head = ledger_service.head(ctx)
    if not viewer.is_public:  # entries carry payloads of non-public records
        after = max(0, board.ledger_head.seq - 8)
        recent = ledger_service.list_entries(ctx, viewer, after=after, limit=8)
        board.ledger_recent = list(reversed(recent))
    ids = [a.id for a in board.agreements]
    chosen = MAIN_AGREEMENT if MAIN_AGREEMENT in ids else (ids[0] if ids else None)
    if chosen is not None:
        try:
            stored = agreement_service.get_agreement(ctx, chosen)
        except NotFound:
            stored = None
        if stored is not None:
            board.agreement = stored.agreement
            board.provisions = _provision_lines(stored.agreement, moment)
            if stored.agreement.term is not None:
                board.term = stored.agreement.term.to_dict(moment)
            board.timeline = _timeline(stored.agreement, board.incidents)
    return board
