"""Incidents and joint verification: grouping reports, investigation, assessments, replies.

Every change here is one unit of work with its ledger entries (tags ``intake:incident:*``).
Ledger payloads carry ids, states and SHA-256 digests of free text — never the text or the
names of persons — because members and outsiders verify the ledger without being entitled
to read internal notes.

Who may do what (checked here, for every interface):

- monitors of the incident's agreement (and operators) create incidents, group reports,
  assign investigations, write notes, change status and classification;
- monitors record assessments (an operator is no member and has no view of its own);
- the party liaison of a party the incident concerns may reply;
- everyone reads according to ``ceasefire.access.can_read``: the incident by its
  classification, and each report, assessment, reply, note and task by its own.
"""

from __future__ import annotations

import json
import secrets
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple, TypedDict, TypeVar, Unpack, cast

from sqlalchemy import ColumnElement, Select, Text, and_, func, or_, select, type_coerce
from sqlalchemy.orm import Session

from ceasefire.access import Classification, Role, Viewer
from ceasefire.actor import Actor
from ceasefire.areas import hook_implementations
from ceasefire.config import Settings
from ceasefire.db.base import shape_of
from ceasefire.db.context import ServiceContext
from ceasefire.db.paging import id_pages
from ceasefire.errors import Conflict, Forbidden, InvalidInput, NotFound, problem
from ceasefire.i18n.markers import N_
from ceasefire.ids import check_cursor, new_id, record_ids_in
from ceasefire.incidents import cellcounts
from ceasefire.incidents.events import (
    AssessmentView,
    Classified,
    DecisionOutcome,
    DecisionRuleSet,
    FromTo,
    IncidentAssessed,
    IncidentCreated,
    IncidentDecided,
    IncidentEdited,
    IncidentNoted,
    IncidentReplied,
    IncidentTag,
    ReportRemoved,
    ReportsAdded,
    StatusChanged,
    TaskAssigned,
    TaskCompleted,
)
from ceasefire.incidents.grouping import CandidateReport, IncidentGrouper, ManualGrouper
from ceasefire.incidents.model import (
    CONCLUDED,
    DEFAULT_RULE,
    Assessment,
    Attribution,
    AttributionKind,
    Decision,
    DecisionRule,
    DecisionState,
    Finding,
    IncidentSnapshot,
    IncidentState,
    OccurrenceStatus,
    Stance,
    apply_decision,
    check_transition,
    current_assessments,
    place_without_nearness,
    reason_wording,
    redact_names,
    redact_ordered,
    rule_from_dict,
    withheld_order,
)
from ceasefire.incidents.schemas import (
    AssessmentPublic,
    IncidentBase,
    IncidentDetail,
    IncidentRedacted,
    IncidentSummary,
    NotePublic,
    PartyRepresentative,
    ReplyPublic,
    TaskPublic,
)
from ceasefire.incidents.tables import (
    AssessmentRow,
    DecisionRuleRow,
    IncidentRow,
    InvestigationTaskRow,
    MapCellCountRow,
    NoteRow,
    ReplyRow,
    RequestKeyRow,
)
from ceasefire.ledger.entry import text_sha256
from ceasefire.ledger.service import append
from ceasefire.members.grid import GridCell, grid_cells, within
from ceasefire.members.scope import ReadScope, concerns_list, concerns_text
from ceasefire.members.service import actor_of, load_roles, user_display_names
from ceasefire.reports.model import Category, Channel, canonical_sha256, content_from_dict
from ceasefire.reports.service import (
    GroupedReport,
    ReportFacts,
    ReportNames,
    _attachments,
    _public,
    agreement_named,
    casualties_by_incident,
    check_idempotency_key,
    grouped_facts_of,
    grouped_reports,
    incidents_with_channel,
    link_reports,
    masked_text,
    of_another_agreement,
    readable_row,
    referenced_reports,
    report_contents_by_incident,
    report_facts_by_incident,
    report_texts_masked,
    reporter_names_by_incident,
    reporter_of,
    reports_by_incident,
    rows_of_incident,
    unlink_report,
    unreadable_ids,
    without_unreadable_sources,
)
from ceasefire.timeutil import ensure_utc, utcnow

if TYPE_CHECKING:
    from ceasefire.reports.tables import ReportRow

MAX_TEXT = 20_000
# Bounds of the lists a request gives (each item is stored, ledgered and shown with the record).
MAX_REFS = 100  # evidence references of an assessment or reply
MAX_NAMES = 50  # people on a task's team, or of one party present
MAX_NAME = 200  # characters of one person's name
MAX_PARTIES = 20  # party representatives of a task
MAX_LIST_LIMIT = 500

INCIDENT_CHANGED = "incident_changed"
"""Hook announced inside the unit of work of every change to what an incident is (created,
reports added or removed, status or attribution decided), after its row is flushed. Each
implementation (``Area.hooks``) is called as ``f(session, snapshot)`` and writes in the same
transaction: its work commits or rolls back with the change. Keep it cheap."""

INCIDENT_CLASSIFIED = "incident_classified"
"""Hook announced inside the unit of work of a classification change, after its ledger entry:
``f(session, settings, row, before, actor)`` with the row already reclassified and
``before`` the classification it had. What another area output about the incident (a
stored edition) follows it there, in the same transaction."""


# --------------------------------------------------------------------------- schemas


@dataclass(frozen=True)
class IncidentFilters:
    """The list filters of ``list_incidents`` (all optional, combined with AND)."""

    start: datetime | None = None
    end: datetime | None = None
    bbox: tuple[float, float, float, float] | None = None  # min_lon, min_lat, max_lon, max_lat
    category: Category | None = None
    status: OccurrenceStatus | None = None
    attribution: AttributionKind | None = None
    party: str | None = None
    channel: Channel | None = None
    agreement_id: str | None = None
    classification: Classification | None = None

    def check(self) -> None:
        problems = []
        if self.start is not None and self.end is not None and self.end < self.start:
            problems.append(problem("end", N_("before start")))
        if self.bbox is not None:
            min_lon, min_lat, max_lon, max_lat = self.bbox
            if not (-180 <= min_lon <= max_lon <= 180):
                problems.append(
                    problem("bbox", N_("longitudes must satisfy -180 <= min <= max <= 180"))
                )
            if not (-90 <= min_lat <= max_lat <= 90):
                problems.append(
                    problem("bbox", N_("latitudes must satisfy -90 <= min <= max <= 90"))
                )
        if problems:
            raise InvalidInput.worded(N_("invalid incident filter"), details=problems)


def parse_bbox(
    text: str | None, *, option: str = "bbox"
) -> tuple[float, float, float, float] | None:
    """The ``bbox`` filter from its text form ``min_lon,min_lat,max_lon,max_lat`` (as the API,
    the pages and the CLI take it); ``option`` is the name the error message gives it."""
    if text is None:
        return None
    try:
        values = [float(p) for p in text.split(",")]
    except ValueError:
        values = []
    if len(values) != 4:
        raise InvalidInput.worded(
            N_("%(option)s is min_lon,min_lat,max_lon,max_lat"),
            details=[problem("bbox", N_("four comma-separated numbers"))],
            option=option,
        )
    return values[0], values[1], values[2], values[3]


@dataclass(frozen=True)
class IncidentPage:
    items: list[IncidentSummary | IncidentRedacted]
    next_cursor: str | None


# ------------------------------------------------------------------------- helpers


def _incident_or_404(session: Session, scope: ReadScope | None, incident_id: str) -> IncidentRow:
    """The incident, if ``scope`` may read it (``None``: unchecked, for the caller's own unit
    of work); ``NotFound`` otherwise (an unreadable incident is as absent as an unknown one)."""
    row = session.get(IncidentRow, incident_id)
    if row is None or (scope is not None and not _readable(scope, row)):
        raise NotFound.worded(N_("no incident %(id)s"), id=repr(incident_id))
    return row


def _readable(scope: ReadScope, row: IncidentRow) -> bool:
    return scope.can_read_record(row)


def part_readable(scope: ReadScope, incident: IncidentRow, classification: str, owner: str) -> bool:
    """Whether ``scope`` may read a member's record on ``incident`` (an assessment, a reply,
    a note) of ``classification`` written by member ``owner``."""
    return scope.can_read(
        classification,
        concerns=incident.concerns,
        owner_member=owner,
        agreement_id=incident.agreement_id,
    )


def _require_monitor(scope: ReadScope, agreement_id: str | None, refusal: str) -> None:
    """Refuse with ``refusal`` (a whole marked msgid, ``N_("only monitors (or operators)
    may edit incidents")``) unless the scope monitors ``agreement_id``."""
    if not scope.is_monitor(agreement_id):
        raise Forbidden.worded(refusal)


@contextmanager
def _monitor_change(
    ctx: ServiceContext, viewer: Viewer, incident_id: str, refusal: str
) -> Iterator[tuple[Session, ReadScope, IncidentRow]]:
    """A unit of work on incident ``incident_id``, which the viewer must read and monitor
    (``refusal``, a marked msgid, says what else): its session, the viewer's scope and the row."""
    with ctx.unit_of_work() as session:
        scope = ReadScope.load(session, viewer)
        row = _incident_or_404(session, scope, incident_id)
        _require_monitor(scope, row.agreement_id, refusal)
        yield session, scope, row


# ------------------------------------------------------------------ retried requests


@dataclass(frozen=True)
class _Retry:
    """A request's ``Idempotency-Key`` with what the request asks (its digest)."""

    action: str
    key: str
    request_sha256: str


def _retry(action: str, key: str | None, request: Mapping[str, Any]) -> _Retry | None:
    """The retry key of a request that makes a record (``None`` without a key)."""
    checked = check_idempotency_key(key, "Idempotency-Key")
    if checked is None:
        return None
    return _Retry(action, checked, canonical_sha256(request))


def _made_before(session: Session, actor: Actor, retry: _Retry | None) -> str | None:
    """The id of the record an earlier request with this key made; a conflict when that
    request asked something else."""
    if retry is None:
        return None
    row = session.get(RequestKeyRow, (actor.member_id, retry.action, retry.key))
    if row is None:
        return None
    if row.request_sha256 != retry.request_sha256:
        raise Conflict.worded(
            N_("Idempotency-Key %(key)s was used for another request (%(record_id)s)"),
            details=[problem("Idempotency-Key", N_("already used with a different request"))],
            key=repr(retry.key),
            record_id=row.record_id,
        )
    return row.record_id


def _remember(session: Session, actor: Actor, retry: _Retry | None, record_id: str) -> None:
    """Keep the key with the record it made, in the unit of work that made it."""
    if retry is not None:
        session.add(
            RequestKeyRow(
                member_id=actor.member_id,
                action=retry.action,
                key=retry.key,
                request_sha256=retry.request_sha256,
                record_id=record_id,
                recorded_at=utcnow(),
            )
        )


def _touch(row: IncidentRow) -> None:
    row.updated_at = utcnow()


def _log(
    session: Session,
    settings: Settings,
    incident_id: str,
    tag: IncidentTag,
    payload: Mapping[str, Any],
    *,
    actor: Actor,
) -> int:
    """Append the ledger entry of a change to an incident (in the caller's unit of work).

    The payload carries a random ``nonce``: every member reads the entry's header, whose
    ``payload_sha256`` would otherwise confirm a guess of a payload withheld from it (a
    party's own complaint ids and the incident id of the subject are the whole of
    ``reports-added``'s)."""
    return append(
        session,
        settings,
        tag=tag,
        subject=f"incident/{incident_id}",
        payload=payload,
        actor=actor,
    )


def _status_changed(
    row: IncidentRow, before: OccurrenceStatus, attribution: FromTo
) -> StatusChanged:
    """The entry of ``row``'s move from ``before`` to its (new) status, less its reason."""
    return StatusChanged(
        {"incident_id": row.id, "from": before.value, "to": row.status, "attribution": attribution}
    )


def _add_logged(
    session: Session,
    settings: Settings,
    record: InvestigationTaskRow | AssessmentRow | ReplyRow | NoteRow,
    tag: IncidentTag,
    payload: Mapping[str, Any],
    *,
    actor: Actor,
) -> None:
    """Store a new part of an incident (a task, an assessment, a reply, a note) and ledger it
    (``payload``, the entry of ``tag``) in the same unit of work."""
    session.add(record)
    session.flush()
    _log(session, settings, record.incident_id, tag, payload, actor=actor)


def _derive(
    row: IncidentRow, reports: Sequence[GroupedReport], *, category: str | None = None
) -> None:
    """Time span, place, parties and category of an incident from its reports."""
    row.observed_start = min(r.observed_start for r in reports)
    row.observed_end = max(r.observed_end for r in reports)
    # The most precise located report places the incident (UCDP: 1 exact ... 7 airspace).
    located = sorted(reports, key=lambda r: (r.event_lat is None, r.event_precision, r.id))
    best = located[0]
    row.event_lat, row.event_lon = best.event_lat, best.event_lon
    row.event_place, row.event_precision = best.event_place, best.event_precision
    parties = set(concerns_list(row.concerns or ","))
    for report in reports:
        parties |= set(concerns_list(report.concerns))
    row.concerns = concerns_text(parties)
    if category is not None:
        row.category = category
    elif not row.category:
        # The most frequent category; ties go to the earliest report (most_common is stable).
        row.category = Counter(r.category for r in reports).most_common(1)[0][0]


def _snapshot(row: IncidentRow, reports: Sequence[GroupedReport]) -> IncidentSnapshot:
    return IncidentSnapshot(
        id=row.id,
        agreement_id=row.agreement_id,
        categories=frozenset({row.category, *(r.category for r in reports)}),
        observed_start=row.observed_start,
        observed_end=row.observed_end,
        lat=row.event_lat,
        lon=row.event_lon,
        precision=row.event_precision,
        attributed_party=row.attributed_party
        if row.attribution == AttributionKind.ATTRIBUTED.value
        else None,
        alleged=frozenset(r.alleged_perpetrator for r in reports if r.alleged_perpetrator),
    )


def _changed(
    session: Session, row: IncidentRow, reports: Sequence[GroupedReport] | None = None
) -> None:
    """Announce ``row``'s new state to the areas that registered for ``INCIDENT_CHANGED``."""
    hooks = hook_implementations(INCIDENT_CHANGED)
    if not hooks:
        return
    session.flush()
    snapshot = _snapshot(row, grouped_facts_of(session, row.id) if reports is None else reports)
    for hook in hooks:
        hook(session, snapshot)


def _voters(session: Session, agreement_id: str | None) -> list[str]:
    """Current monitor members of the agreement (of any agreement when there is none)."""
    now = utcnow()
    return sorted(
        {
            r.member_id
            for r in load_roles(session, agreement_id=agreement_id)
            if r.role is Role.MONITOR and r.is_valid_at(now)
        }
    )


def rule_for(session: Session, agreement_id: str | None) -> DecisionRule:
    """The decision rule configured for ``agreement_id`` (unanimity of monitors if none)."""
    if agreement_id is None:
        return DEFAULT_RULE
    row = session.get(DecisionRuleRow, agreement_id)
    return rule_from_dict(row.rule) if row is not None else DEFAULT_RULE


def _assessment(row: AssessmentRow) -> Assessment:
    finding = None
    if row.finding_status is not None and row.finding_attribution is not None:
        finding = Finding(
            OccurrenceStatus(row.finding_status),
            Attribution(AttributionKind(row.finding_attribution), row.finding_party),
        )
    return Assessment(
        id=row.id,
        member_id=row.member_id,
        stance=Stance(row.stance),
        finding=finding,
        rationale=row.rationale,
        recorded_at=row.recorded_at,
        evidence_refs=tuple(row.evidence_refs),
        user_id=row.user_id,
        supersedes=row.supersedes,
    )


def _assessment_rows(session: Session, incident_id: str) -> list[AssessmentRow]:
    return list(
        session.scalars(
            select(AssessmentRow)
            .where(AssessmentRow.incident_id == incident_id)
            .order_by(AssessmentRow.recorded_at, AssessmentRow.id)
        )
    )


def _evaluate(session: Session, row: IncidentRow) -> Decision:
    rule = rule_for(session, row.agreement_id)
    views = current_assessments(_assessment(a) for a in _assessment_rows(session, row.id))
    return rule.evaluate(views, _voters(session, row.agreement_id))


DIGEST_SALT = "digest_salt"
"""The key of ``incidents.decision`` holding the random salt of its ledger digests (never
shown: :func:`_detail` drops it)."""


def _salt(row: IncidentRow) -> str:
    """The incident's secret salt of its ledger digests (the decision's, the reasons of its
    status changes, classifications and reports taken out), made when first needed. Kept
    beside its decision, alone while it has none (:func:`decided`)."""
    kept = row.decision or {}
    salt = kept.get(DIGEST_SALT)
    if not salt:
        salt = secrets.token_hex(16)
        row.decision = {**kept, DIGEST_SALT: salt}
    return str(salt)


def decided(kept: Mapping[str, Any] | None) -> bool:
    """Whether ``incidents.decision`` (``kept``) holds a decision, not only the salt."""
    return "state" in (kept or {})


def salted_reason(row: IncidentRow, reason: str | None) -> str | None:
    """A reason's ledger digest (``reason_salted_sha256``), salted with the incident's
    secret: a status change's, a classification's or a report's removal's reason is a short
    text ("a team goes", "merged by fusion decision fus-…") that an unsalted digest lets any
    reader of the entry confirm by guessing."""
    if reason is None:
        return None
    return canonical_sha256({"reason": reason, "salt": _salt(row)})


def _recorded(decision: Decision, row: IncidentRow) -> dict[str, Any]:
    """``decision`` as the incident keeps it, with the salt of its ledger digests: the
    incident's own once it has one (so an unchanged decision compares equal), else a new
    one."""
    salt = (row.decision or {}).get(DIGEST_SALT) or secrets.token_hex(16)
    return {**decision.to_dict(), DIGEST_SALT: salt}


def decision_outcome(recorded: Mapping[str, Any]) -> DecisionOutcome:
    """The ledger's record of a decision (``recorded``, as :func:`_recorded` keeps it): the
    state, rule and finding, which the incident's status and attribution show its readers
    anyway; the views, the reason and who settled them only as digests salted with the
    incident's secret. Unsalted, a digest of the views (member, stance, finding and an
    assessment id whose random part is 39 bits) or of the reason ("dissent by rus") confirms
    a guess; the number of views and the settler in clear say that the monitors disagreed,
    which a reader shown fewer views is not told (:func:`_detail`)."""
    salt = recorded[DIGEST_SALT]
    views = recorded["views"]
    return DecisionOutcome(
        {
            "state": recorded["state"],
            "rule": recorded["rule"],
            "finding": recorded["finding"],
            "views_sha256": canonical_sha256({"views": views, "salt": salt}),
            "reason_sha256": canonical_sha256(
                {
                    "reason": recorded["reason"],
                    "settled_by": recorded["settled_by"],
                    "views": views,
                    "salt": salt,
                }
            ),
        }
    )


def _decide(session: Session, ctx: ServiceContext, row: IncidentRow, actor: Actor) -> Decision:
    """Evaluate the rule and apply it; a ledger entry when the decision or state changes."""
    decision = _evaluate(session, row)
    before = IncidentState(
        OccurrenceStatus(row.status),
        Attribution(AttributionKind(row.attribution), row.attributed_party),
    )
    after = apply_decision(before, decision)
    recorded = _recorded(decision, row)
    if after == before and row.decision == recorded:
        return decision
    row.status = after.status.value
    row.attribution = after.attribution.kind.value
    row.attributed_party = after.attribution.party
    row.decision = recorded
    _touch(row)
    _log(
        session,
        ctx.settings,
        row.id,
        IncidentTag.DECIDED,
        IncidentDecided(
            {
                "incident_id": row.id,
                # The outcome is the incident's own state; who held which view, how many
                # there were and who settled them stay behind digests, since every member
                # (liaisons too) reads the ledger.
                "decision": decision_outcome(recorded),
                "status": {"from": before.status.value, "to": after.status.value},
                "attribution": {"from": str(before.attribution), "to": str(after.attribution)},
            }
        ),
        actor=actor,
    )
    if after.attribution != before.attribution:
        _changed(session, row)
    return decision


def assessment_view(row: AssessmentRow) -> dict[str, Any]:
    """What an assessment says, in the form its ledger digest is computed over."""
    return {
        "stance": row.stance,
        "finding_status": row.finding_status,
        "finding_attribution": row.finding_attribution,
        "finding_party": row.finding_party,
        "rationale": row.rationale,
        "evidence_refs": list(row.evidence_refs),
    }


def assessment_ledger_payload(row: AssessmentRow) -> IncidentAssessed:
    """The ledger's record of an assessment. A shared or public view is written out; an
    internal one only as a digest (``view_sha256``): members and parties all read the ledger,
    but only monitors may read the monitors' deliberation."""
    view = assessment_view(row)
    payload = IncidentAssessed(
        {
            "incident_id": row.incident_id,
            "assessment_id": row.id,
            "member_id": row.member_id,
            "supersedes": row.supersedes,
            "classification": row.classification,
            "view_sha256": canonical_sha256(view),
        }
    )
    if row.classification != Classification.INTERNAL.value:
        payload["view"] = cast(
            AssessmentView,
            {k: v for k, v in view.items() if k != "rationale"}
            | {"rationale_sha256": text_sha256(row.rationale)},
        )
    return payload


def _check_text(value: str | None, field_name: str, *, required: bool) -> str | None:
    if value is None or not value.strip():
        if required:
            raise InvalidInput.worded(
                N_("%(field_name)s is required"),
                details=[problem(field_name, N_("empty"))],
                field_name=field_name,
            )
        return None
    if len(value) > MAX_TEXT:
        raise InvalidInput.worded(
            N_("%(field_name)s is too long"),
            details=[problem(field_name, N_("over %(max_text)s characters"), max_text=MAX_TEXT)],
            field_name=field_name,
        )
    return value.strip()


def _check_count(values: Sequence[Any], field_name: str, most: int) -> None:
    if len(values) > most:
        raise InvalidInput.worded(
            N_("%(field_name)s: at most %(most)s"),
            details=[problem(field_name, N_("more than %(most)s"), most=most)],
            field_name=field_name,
            most=most,
        )


def _check_names(names: Sequence[str], field_name: str) -> list[str]:
    """The non-empty names, stripped: at most ``MAX_NAMES`` of ``MAX_NAME`` characters."""
    _check_count(names, field_name, MAX_NAMES)
    for index, name in enumerate(names):
        if len(name) > MAX_NAME:
            raise InvalidInput.worded(
                N_("%(field_name)s: a name over %(max_name)s characters"),
                details=[
                    problem(
                        f"{field_name}.{index}",
                        N_("over %(max_name)s characters"),
                        max_name=MAX_NAME,
                    )
                ],
                field_name=field_name,
                max_name=MAX_NAME,
            )
    return [n.strip() for n in names if n and n.strip()]


def _check_refs(refs: Sequence[str]) -> list[str]:
    _check_count(refs, "evidence_refs", MAX_REFS)
    found = []
    for index, ref in enumerate(refs):
        if not isinstance(ref, str) or not ref.strip() or len(ref) > 500:
            raise InvalidInput.worded(
                N_("evidence references are non-empty strings"),
                details=[problem(f"evidence_refs.{index}", N_("empty or over 500 characters"))],
            )
        found.append(ref.strip())
    return found


def _cited(refs: Sequence[str]) -> list[tuple[str, str]]:
    """Evidence refs as :func:`check_cited_records` takes them, each with its field."""
    return [(f"evidence_refs.{index}", ref) for index, ref in enumerate(refs)]


# ----------------------------------------------------------------------- grouping


def _refuse_grouped(session: Session, rows: Sequence[ReportRow]) -> None:
    """Refuse to group reports of which some are in an incident already."""
    taken = grouped_reports(session, [r.id for r in rows])
    if taken:
        raise Conflict.worded(
            N_("a report belongs to one incident at most"),
            details=[
                problem("report_ids", N_("%(rid)s is in %(iid)s"), rid=rid, iid=iid)
                for rid, iid in taken
            ],
        )


def _claim_reports(
    session: Session,
    scope: ReadScope,
    report_ids: Sequence[str],
    grouper: IncidentGrouper,
    agreement_id: str | None,
    *,
    infer: bool = False,
) -> tuple[list[ReportRow], str | None]:
    """The reports named to group into an incident of ``agreement_id`` (inferred from them
    with ``infer``), each readable by ``scope``, of the agreement and in no incident yet.

    The caller must monitor the agreement before anything else is said about the reports:
    a party liaison naming its own complaint would otherwise learn from the conflict below
    the id of the (internal) incident that groups it."""
    rows, agreement_id = referenced_reports(session, scope, report_ids, agreement_id, infer=infer)
    _require_monitor(
        scope, agreement_id, N_("only monitors (or operators) may group reports into incidents")
    )
    candidates = [CandidateReport(r.id, content_from_dict(json.loads(r.content))) for r in rows]
    groups = grouper.propose(candidates)
    if len(groups) != 1:
        raise InvalidInput.worded(
            N_("an incident is made from exactly one group of reports"),
            details=[problem("report_ids", N_("%(n)s groups proposed"), n=len(groups))],
        )
    _refuse_grouped(session, rows)
    return rows, agreement_id


def _opened_incident(
    incident_id: str,
    agreement_id: str | None,
    *,
    title: str,
    summary: str | None,
    category: str,
    classification: str,
    actor: Actor,
    now: datetime,
) -> IncidentRow:
    """A new incident's row as it opens: reported, attribution pending, no decision, owned
    by ``actor``'s member (its concerns and place come from its reports, ``_derive``)."""
    return IncidentRow(
        id=incident_id,
        agreement_id=agreement_id,
        title=title,
        summary=summary,
        category=category,
        classification=classification,
        concerns=",",
        status=OccurrenceStatus.REPORTED.value,
        attribution=AttributionKind.PENDING.value,
        attributed_party=None,
        owner_member=actor.member_id,
        created_at=now,
        updated_at=now,
        decision=None,
    )


def _open_incident(
    session: Session,
    settings: Settings,
    actor: Actor,
    row: IncidentRow,
    reports: Sequence[GroupedReport],
    category: str | None,
    *,
    grouped_by: str,
) -> None:
    """Store the new incident ``row`` (``_opened_incident``) of ``reports``, linked to them
    at its creation and derived from them, and ledger it (``intake:incident:created``)."""
    _derive(row, reports, category=category)
    session.add(row)
    session.flush()
    report_ids = [r.id for r in reports]
    link_reports(session, row.id, report_ids, at=row.created_at, by=actor.member_id)
    _log(
        session,
        settings,
        row.id,
        IncidentTag.CREATED,
        IncidentCreated(
            {
                "incident_id": row.id,
                "agreement_id": row.agreement_id,
                "report_ids": report_ids,
                "grouped_by": grouped_by,
                "category": row.category,
                "classification": row.classification,
                "concerns": concerns_list(row.concerns),
                "title_sha256": text_sha256(row.title),
                "summary_sha256": text_sha256(row.summary),
            }
        ),
        actor=actor,
    )
    _changed(session, row, reports)


def _unlink(
    session: Session,
    settings: Settings,
    actor: Actor,
    row: IncidentRow,
    report_id: str,
    why: str | None,
) -> None:
    """Take one report out of an incident and ledger it (``intake:incident:report-removed``)."""
    unlink_report(session, row.id, report_id)
    _log(
        session,
        settings,
        row.id,
        IncidentTag.REPORT_REMOVED,
        ReportRemoved(
            {
                "incident_id": row.id,
                "report_id": report_id,
                "reason_salted_sha256": salted_reason(row, why),
            }
        ),
        actor=actor,
    )


def create_incident(
    ctx: ServiceContext,
    viewer: Viewer,
    *,
    report_ids: Sequence[str],
    title: str,
    summary: str | None = None,
    classification: Classification = Classification.INTERNAL,
    agreement_id: str | None = None,
    category: Category | None = None,
    idempotency_key: str | None = None,
) -> IncidentDetail:
    """Make an incident of one or more reports, grouped by hand.

    A retry with the first request's ``idempotency_key`` is answered with the incident it
    made (its reports are in that incident by now)."""
    title_text = _check_text(title, "title", required=True)
    assert title_text is not None
    summary_text = _check_text(summary, "summary", required=False)
    if not report_ids:
        raise InvalidInput.worded(
            N_("an incident groups at least one report"),
            details=[problem("report_ids", N_("empty"))],
        )
    grouper = ManualGrouper([list(report_ids)])
    actor = actor_of(viewer)
    retry = _retry(
        "incident",
        idempotency_key,
        {
            "report_ids": list(report_ids),
            "title": title_text,
            "summary": summary_text,
            "classification": classification.value,
            "agreement_id": agreement_id,
            "category": category.value if category else None,
        },
    )
    with ctx.unit_of_work() as session:
        scope = ReadScope.load(session, viewer)
        earlier = _made_before(session, actor, retry)
        if earlier is not None:
            return _detail(session, scope, _incident_or_404(session, scope, earlier))
        reports, agreement_id = _claim_reports(
            session, scope, report_ids, grouper, agreement_id, infer=True
        )
        now = utcnow()
        row = _opened_incident(
            new_id("inc"),
            agreement_id,
            title=title_text[:300],
            summary=summary_text,
            category="",
            classification=classification.value,
            actor=actor,
            now=now,
        )
        category_code = category.value if category else None
        _open_incident(
            session, ctx.settings, actor, row, reports, category_code, grouped_by=grouper.name
        )
        _remember(session, actor, retry, row.id)
        return _detail(session, scope, row)


def add_reports(
    ctx: ServiceContext, viewer: Viewer, incident_id: str, report_ids: Sequence[str]
) -> IncidentDetail:
    """Group more reports into an incident (each report belongs to one incident at most)."""
    actor = actor_of(viewer)
    with _monitor_change(
        ctx, viewer, incident_id, N_("only monitors (or operators) may group reports")
    ) as (session, scope, row):
        added, _ = _claim_reports(
            session, scope, report_ids, ManualGrouper([list(report_ids)]), row.agreement_id
        )
        now = utcnow()
        link_reports(session, row.id, [r.id for r in added], at=now, by=actor.member_id)
        grouped = rows_of_incident(session, row.id)
        _derive(row, grouped, category=row.category)
        _touch(row)
        _log(
            session,
            ctx.settings,
            row.id,
            IncidentTag.REPORTS_ADDED,
            ReportsAdded({"incident_id": row.id, "report_ids": [r.id for r in added]}),
            actor=actor,
        )
        _changed(session, row, grouped)
        return _detail(session, scope, row)


def remove_report(
    ctx: ServiceContext, viewer: Viewer, incident_id: str, report_id: str, *, reason: str
) -> IncidentDetail:
    """Take a report out of an incident (it stays a report); an incident keeps at least one."""
    reason_text = _check_text(reason, "reason", required=True)
    actor = actor_of(viewer)
    with _monitor_change(
        ctx, viewer, incident_id, N_("only monitors (or operators) may regroup reports")
    ) as (session, scope, row):
        current = rows_of_incident(session, row.id)
        if report_id not in {r.id for r in current}:
            raise NotFound.worded(
                N_("report %(report_id)s is not in incident %(incident_id)s"),
                report_id=repr(report_id),
                incident_id=repr(incident_id),
            )
        remaining = [r for r in current if r.id != report_id]
        if not remaining:
            raise Conflict.worded(
                N_("an incident keeps at least one report"),
                details=[problem("report_id", N_("the incident's last report"))],
            )
        _unlink(session, ctx.settings, actor, row, report_id, reason_text)
        row.concerns = ","
        _derive(row, remaining, category=row.category)
        _touch(row)
        _changed(session, row, remaining)
        return _detail(session, scope, row)


def edit_incident(
    ctx: ServiceContext,
    viewer: Viewer,
    incident_id: str,
    *,
    title: str | None = None,
    summary: str | None = None,
) -> IncidentDetail:
    """Change the title or the shared summary (monitors)."""
    actor = actor_of(viewer)
    with _monitor_change(
        ctx, viewer, incident_id, N_("only monitors (or operators) may edit incidents")
    ) as (session, scope, row):
        if title is not None:
            text = _check_text(title, "title", required=True)
            assert text is not None
            row.title = text[:300]
        if summary is not None:
            row.summary = _check_text(summary, "summary", required=False)
        _touch(row)
        _log(
            session,
            ctx.settings,
            row.id,
            IncidentTag.EDITED,
            IncidentEdited(
                {
                    "incident_id": row.id,
                    "title_sha256": text_sha256(row.title),
                    "summary_sha256": text_sha256(row.summary),
                }
            ),
            actor=actor,
        )
        return _detail(session, scope, row)


# ------------------------------------------------------------------ status & class


def change_status(
    ctx: ServiceContext,
    viewer: Viewer,
    incident_id: str,
    status: OccurrenceStatus,
    *,
    reason: str,
) -> IncidentDetail:
    """Move the occurrence status along an allowed transition (monitors).

    A concluding status (verified, not_substantiated, unverifiable) is reached only when
    the agreement's decision rule has decided exactly that; reopening a concluded incident
    sets its attribution back to ``pending``.
    """
    reason_text = _check_text(reason, "reason", required=True)
    actor = actor_of(viewer)
    with _monitor_change(
        ctx, viewer, incident_id, N_("only monitors (or operators) may change an incident's status")
    ) as (
        session,
        scope,
        row,
    ):
        current = OccurrenceStatus(row.status)
        check_transition(current, status)
        attribution_before = str(
            Attribution(AttributionKind(row.attribution), row.attributed_party)
        )
        if status in CONCLUDED:
            decision = _evaluate(session, row)
            if decision.state is not DecisionState.DECIDED or decision.finding is None:
                raise Conflict.worded(
                    N_("the decision rule (%(rule)s) has not decided: %(reason)s"),
                    details=[problem("status", reason_wording(decision.reason))],
                    rule=decision.rule,
                    reason=reason_wording(decision.reason),
                )
            if decision.finding.status is not status:
                raise Conflict.worded(
                    N_("the members decided %(decided)s, not %(status)s"),
                    details=[
                        problem("status", N_("decided: %(finding)s"), finding=decision.finding)
                    ],
                    decided=decision.finding.status.value,
                    status=status.value,
                )
            row.attribution = decision.finding.attribution.kind.value
            row.attributed_party = decision.finding.attribution.party
            row.decision = _recorded(decision, row)
        if current in CONCLUDED:
            row.attribution = AttributionKind.PENDING.value
            row.attributed_party = None
            row.decision = {DIGEST_SALT: _salt(row)}
        row.status = status.value
        _touch(row)
        attribution_after = str(Attribution(AttributionKind(row.attribution), row.attributed_party))
        changed = _status_changed(
            row, current, FromTo({"from": attribution_before, "to": attribution_after})
        )
        changed["reason_salted_sha256"] = salted_reason(row, reason_text)
        _log(session, ctx.settings, row.id, IncidentTag.STATUS_CHANGED, changed, actor=actor)
        if attribution_after != attribution_before:
            _changed(session, row)
        return _detail(session, scope, row)


def classify(
    ctx: ServiceContext,
    viewer: Viewer,
    incident_id: str,
    classification: Classification,
    *,
    reason: str | None = None,
) -> IncidentDetail:
    """Change who may read the incident; ``public`` publishes it (redacted) to everyone."""
    actor = actor_of(viewer)
    with _monitor_change(
        ctx, viewer, incident_id, N_("only monitors (or operators) may classify incidents")
    ) as (session, scope, row):
        before = row.classification
        if before == classification.value:
            return _detail(session, scope, row)
        row.classification = classification.value
        _touch(row)
        _log(
            session,
            ctx.settings,
            row.id,
            IncidentTag.CLASSIFIED,
            Classified(
                {
                    "incident_id": row.id,
                    "from": before,
                    "to": classification.value,
                    "reason_salted_sha256": salted_reason(row, reason),
                }
            ),
            actor=actor,
        )
        for hook in hook_implementations(INCIDENT_CLASSIFIED):
            hook(session, ctx.settings, row, before, actor)
        return _detail(session, scope, row)


# -------------------------------------------------------------------- investigation


def assign_task(
    ctx: ServiceContext,
    viewer: Viewer,
    incident_id: str,
    *,
    team: Sequence[str],
    lead_member: str | None = None,
    party_representatives: Sequence[PartyRepresentative] = (),
    instructions: str | None = None,
    due_at: datetime | None = None,
    idempotency_key: str | None = None,
) -> TaskPublic:
    """Send a team to investigate, noting which parties' representatives are present.

    Assigning the first task opens the investigation (``reported → under_investigation``).
    A retry with the first request's ``idempotency_key`` is answered with the task it made.
    """
    names = _check_names(team, "team")
    if not names:
        raise InvalidInput.worded(N_("a task needs a team"), details=[problem("team", N_("empty"))])
    if lead_member is not None and len(lead_member) > 64:
        raise InvalidInput.worded(
            N_("lead_member is no member id"),
            details=[problem("lead_member", N_("over 64 characters"))],
        )
    _check_count(party_representatives, "party_representatives", MAX_PARTIES)
    for index, present in enumerate(party_representatives):
        if len(present.party) > 16:
            raise InvalidInput.worded(
                N_("party is no party code"),
                details=[problem(f"party_representatives.{index}.party", N_("over 16 characters"))],
            )
        _check_names(present.names, f"party_representatives.{index}.names")
    instructions_text = _check_text(instructions, "instructions", required=False)
    due = ensure_utc(due_at, field="due_at") if due_at is not None else None
    actor = actor_of(viewer)
    retry = _retry(
        "task",
        idempotency_key,
        {
            "incident_id": incident_id,
            "team": names,
            "lead_member": lead_member,
            "party_representatives": [p.model_dump() for p in party_representatives],
            "instructions": instructions_text,
            "due_at": due.isoformat() if due else None,
        },
    )
    with _monitor_change(
        ctx, viewer, incident_id, N_("only monitors (or operators) may assign investigations")
    ) as (
        session,
        _scope,
        row,
    ):
        earlier = _made_before(session, actor, retry)
        if earlier is not None:
            return _task_public(session.get_one(InvestigationTaskRow, earlier))
        if row.status in {s.value for s in CONCLUDED}:
            raise Conflict.worded(
                N_("the incident is concluded; reopen it to investigate again"),
                details=[problem("status", row.status)],
            )
        now = utcnow()
        task = InvestigationTaskRow(
            id=new_id("tsk"),
            incident_id=row.id,
            team=names,
            lead_member=lead_member,
            party_representatives=[p.model_dump() for p in party_representatives],
            instructions=instructions_text,
            status="assigned",
            due_at=due,
            assigned_at=now,
            assigned_by=actor.member_id,
        )
        _add_logged(
            session,
            ctx.settings,
            task,
            IncidentTag.TASK_ASSIGNED,
            TaskAssigned(
                {
                    "incident_id": row.id,
                    "task_id": task.id,
                    "lead_member": lead_member,
                    "team_size": len(names),
                    "team_sha256": text_sha256("\n".join(names)),
                    "party_representatives": [
                        {"party": p.party, "present": p.present} for p in party_representatives
                    ],
                    "due_at": due.isoformat() if due else None,
                }
            ),
            actor=actor,
        )
        if row.status == OccurrenceStatus.REPORTED.value:
            row.status = OccurrenceStatus.UNDER_INVESTIGATION.value
            opened = _status_changed(
                row,
                OccurrenceStatus.REPORTED,
                FromTo({"from": row.attribution, "to": row.attribution}),
            )
            # No task id: the task is internal, this entry is read by every reader of the
            # incident (its task-assigned entry, the monitors', names it).
            opened["reason"] = "task assigned"
            _log(session, ctx.settings, row.id, IncidentTag.STATUS_CHANGED, opened, actor=actor)
        _touch(row)
        _remember(session, actor, retry, task.id)
        return _task_public(task)


def complete_task(
    ctx: ServiceContext, viewer: Viewer, task_id: str, *, findings: str
) -> TaskPublic:
    """Record the team's findings; the task is then completed."""
    text = _check_text(findings, "findings", required=True)
    actor = actor_of(viewer)
    with ctx.unit_of_work() as session:
        scope = ReadScope.load(session, viewer)
        task = session.get(InvestigationTaskRow, task_id)
        row = session.get(IncidentRow, task.incident_id) if task is not None else None
        # The task of an incident the caller may not read is as absent as an unknown one:
        # ``_incident_or_404``'s answer would name the incident.
        if task is None or row is None or not _readable(scope, row):
            raise NotFound.worded(N_("no task %(id)s"), id=repr(task_id))
        _require_monitor(
            scope, row.agreement_id, N_("only monitors (or operators) may complete investigations")
        )
        if task.status != "assigned":
            raise Conflict.worded(
                N_("task %(task_id)s is %(status)s"),
                details=[problem("status", task.status)],
                task_id=task_id,
                status=task.status,
            )
        task.status = "completed"
        task.completed_at = utcnow()
        task.findings = text
        _log(
            session,
            ctx.settings,
            row.id,
            IncidentTag.TASK_COMPLETED,
            TaskCompleted(
                {"incident_id": row.id, "task_id": task.id, "findings_sha256": text_sha256(text)}
            ),
            actor=actor,
        )
        return _task_public(task)


# ------------------------------------------------------------- assessments & replies


def assess(
    ctx: ServiceContext,
    viewer: Viewer,
    incident_id: str,
    *,
    stance: Stance,
    rationale: str,
    status: OccurrenceStatus | None = None,
    attribution: Attribution | None = None,
    evidence_refs: Sequence[str] = (),
    classification: Classification = Classification.INTERNAL,
) -> IncidentDetail:
    """Record the viewer's member's assessment; it supersedes that member's earlier one.

    ``status`` + ``attribution`` are the finding assessed: required to concur, optional to
    dissent (the dissenting member's own view), absent to abstain. The agreement's decision
    rule is then evaluated: decided → the incident takes the finding; conflicting views →
    attribution ``disputed``; every view stays on record.
    """
    rationale_text = _check_text(rationale, "rationale", required=True)
    assert rationale_text is not None
    refs = _check_refs(evidence_refs)
    finding: Finding | None = None
    if status is not None or attribution is not None:
        if status is None or attribution is None:
            missing = "status" if status is None else "attribution"
            raise InvalidInput.worded(
                N_("a finding has a status and an attribution"),
                details=[problem(missing, N_("required with the other"))],
            )
        finding = Finding(status, attribution)
    if stance is Stance.ABSTAIN and finding is not None:
        raise InvalidInput.worded(
            N_("an abstention holds no finding"),
            details=[problem("status", N_("omit when abstaining"))],
        )
    if viewer.operator or viewer.member_id is None:
        raise Forbidden.worded(
            N_("assessments are made by monitor members (sign in with a member token)")
        )
    actor = actor_of(viewer)
    with ctx.unit_of_work() as session:
        scope = ReadScope.load(session, viewer)
        row = _incident_or_404(session, scope, incident_id)
        if not scope.is_monitor(row.agreement_id):
            raise Forbidden.worded(N_("only monitor members assess incidents"))
        previous = [a for a in _assessment_rows(session, row.id) if a.member_id == actor.member_id]
        if previous and _same_assessment(
            previous[-1], actor, stance, finding, rationale_text, refs, classification
        ):
            # A retry (the answer to the first was lost): the assessment on record, no second
            # one, even where the first decided the incident and closed its investigation.
            return _detail(session, scope, row)
        check_cited_records(session, scope, _cited(refs), row.agreement_id)
        if row.status != OccurrenceStatus.UNDER_INVESTIGATION.value:
            raise Conflict.worded(
                N_("the incident is %(status)s; assessments are made under investigation"),
                status=row.status,
                details=[problem("status", row.status)],
            )
        now = utcnow()
        if previous and now <= previous[-1].recorded_at:
            # Supersession is by time: a later assessment must be later, even on a fast clock.
            now = previous[-1].recorded_at + timedelta(microseconds=1)
        record = AssessmentRow(
            id=new_id("asm"),
            incident_id=row.id,
            member_id=actor.member_id,
            user_id=actor.user_id,
            stance=stance.value,
            finding_status=finding.status.value if finding else None,
            finding_attribution=finding.attribution.kind.value if finding else None,
            finding_party=finding.attribution.party if finding else None,
            rationale=rationale_text,
            evidence_refs=refs,
            classification=classification.value,
            recorded_at=now,
            supersedes=previous[-1].id if previous else None,
        )
        _assessment(record)  # the domain's own checks (e.g. a concurrence names its finding)
        _add_logged(
            session,
            ctx.settings,
            record,
            IncidentTag.ASSESSED,
            assessment_ledger_payload(record),
            actor=actor,
        )
        _touch(row)
        _decide(session, ctx, row, actor)
        return _detail(session, scope, row)


def _same_assessment(
    row: AssessmentRow,
    actor: Actor,
    stance: Stance,
    finding: Finding | None,
    rationale: str,
    refs: list[str],
    classification: Classification,
) -> bool:
    """Whether ``row`` already says what a new assessment would (by the same user)."""
    return (
        row.user_id == actor.user_id
        and row.stance == stance.value
        and row.finding_status == (finding.status.value if finding else None)
        and row.finding_attribution == (finding.attribution.kind.value if finding else None)
        and row.finding_party == (finding.attribution.party if finding else None)
        and row.rationale == rationale
        and list(row.evidence_refs) == refs
        and row.classification == classification.value
    )


def evaluate(ctx: ServiceContext, viewer: Viewer, incident_id: str) -> Decision:
    """Re-evaluate the decision rule (e.g. after the rule changed) and apply it."""
    actor = actor_of(viewer)
    with _monitor_change(
        ctx, viewer, incident_id, N_("only monitors (or operators) may evaluate decisions")
    ) as (session, _scope, row):
        return _decide(session, ctx, row, actor)


def reply(
    ctx: ServiceContext,
    viewer: Viewer,
    incident_id: str,
    *,
    text: str,
    evidence_refs: Sequence[str] = (),
) -> ReplyPublic:
    """A party's right of reply: its liaison answers an incident that concerns the party."""
    body = _check_text(text, "text", required=True)
    assert body is not None
    refs = _check_refs(evidence_refs)
    actor = actor_of(viewer)
    with ctx.unit_of_work() as session:
        scope = ReadScope.load(session, viewer)
        row = _incident_or_404(session, scope, incident_id)
        party = scope.liaison_party(row.agreement_id)
        if party is None or party not in concerns_list(row.concerns):
            raise Forbidden.worded(
                N_("only the liaison of a party the incident concerns may reply")
            )
        check_cited_records(session, scope, _cited(refs), row.agreement_id)
        latest = session.scalars(
            select(ReplyRow)
            .where(ReplyRow.incident_id == row.id, ReplyRow.party == party)
            .order_by(ReplyRow.recorded_at.desc(), ReplyRow.id.desc())
            .limit(1)
        ).first()
        if (
            latest is not None
            and latest.user_id == actor.user_id
            and latest.text == body
            and list(latest.evidence_refs) == refs
        ):
            return _reply_public(latest)  # a retry: the reply on record, not a second one
        record = ReplyRow(
            id=new_id("rpl"),
            incident_id=row.id,
            member_id=actor.member_id,
            user_id=actor.user_id,
            party=party,
            text=body,
            evidence_refs=refs,
            classification=Classification.SHARED.value,
            recorded_at=utcnow(),
        )
        _add_logged(
            session,
            ctx.settings,
            record,
            IncidentTag.REPLIED,
            IncidentReplied(
                {
                    "incident_id": row.id,
                    "reply_id": record.id,
                    "party": party,
                    "text_sha256": text_sha256(body),
                    "evidence_refs": refs,
                }
            ),
            actor=actor,
        )
        _touch(row)
        return _reply_public(record)


def add_note(
    ctx: ServiceContext,
    viewer: Viewer,
    incident_id: str,
    *,
    text: str,
    classification: Classification = Classification.INTERNAL,
    idempotency_key: str | None = None,
) -> NotePublic:
    """A working note on the incident (internal by default: the monitors' deliberation).

    A retry with the first request's ``idempotency_key`` is answered with the note it made."""
    body = _check_text(text, "text", required=True)
    assert body is not None
    actor = actor_of(viewer)
    retry = _retry(
        "note",
        idempotency_key,
        {"incident_id": incident_id, "text": body, "classification": classification.value},
    )
    with _monitor_change(
        ctx, viewer, incident_id, N_("only monitors (or operators) may write working notes")
    ) as (session, _scope, row):
        earlier = _made_before(session, actor, retry)
        if earlier is not None:
            return _note_public(session.get_one(NoteRow, earlier))
        record = NoteRow(
            id=new_id("note"),
            incident_id=row.id,
            member_id=actor.member_id,
            user_id=actor.user_id,
            text=body,
            classification=classification.value,
            recorded_at=utcnow(),
        )
        _add_logged(
            session,
            ctx.settings,
            record,
            IncidentTag.NOTED,
            IncidentNoted(
                {
                    "incident_id": row.id,
                    "note_id": record.id,
                    "classification": classification.value,
                    "text_sha256": text_sha256(body),
                }
            ),
            actor=actor,
        )
        _remember(session, actor, retry, record.id)
        return _note_public(record)


# ------------------------------------------------------------------ decision rules


def set_decision_rule(
    ctx: ServiceContext, viewer: Viewer, agreement_id: str, rule: dict[str, Any]
) -> DecisionRule:
    """Configure how incidents of ``agreement_id`` are decided (operators only).

    The rule weighs the monitors' views against each other: a monitor that set it alone
    could make itself the only voter or the presiding member, and its view would settle
    every incident the others dispute. So it is recorded by the centre once the members
    agree, as a monitor role is (docs/access.md, "Who may change what")."""
    if not viewer.operator:
        raise Forbidden.worded(
            N_(
                "only an operator sets a decision rule: it weighs the monitors' views, so the "
                "centre records it once the members agree"
            ),
            details=[problem("viewer", N_("an operator is required"))],
        )
    parsed = rule_from_dict(rule)
    actor = actor_of(viewer)
    with ctx.unit_of_work() as session:
        row = session.get(DecisionRuleRow, agreement_id)
        stored = parsed.to_dict()
        if row is not None and row.rule == stored:
            return parsed
        if row is None:
            row = DecisionRuleRow(
                agreement_id=agreement_id, rule=stored, set_at=utcnow(), set_by=actor.member_id
            )
            session.add(row)
        else:
            row.rule, row.set_at, row.set_by = stored, utcnow(), actor.member_id
        session.flush()
        append(
            session,
            ctx.settings,
            tag=IncidentTag.DECISION_RULE_SET,
            subject=f"agreement/{agreement_id}",
            payload=DecisionRuleSet({"agreement_id": agreement_id, "rule": stored}),
            actor=actor,
        )
        return parsed


def get_decision_rule(ctx: ServiceContext, agreement_id: str) -> DecisionRule:
    """The rule in force for ``agreement_id`` (public knowledge: how the centre decides)."""
    with ctx.reader() as session:
        return rule_for(session, agreement_id)


# ------------------------------------------------------------------------- reading


def _finding_dict(row: AssessmentRow) -> dict[str, Any] | None:
    if row.finding_status is None:
        return None
    return {
        "status": row.finding_status,
        "attribution": row.finding_attribution,
        "attributed_party": row.finding_party,
    }


def _assessment_public(row: AssessmentRow, current: bool) -> AssessmentPublic:
    return shape_of(AssessmentPublic, row, finding=_finding_dict(row), current=current)


def _reply_public(row: ReplyRow) -> ReplyPublic:
    return ReplyPublic.model_validate(row, from_attributes=True)


def _note_public(row: NoteRow) -> NotePublic:
    return NotePublic.model_validate(row, from_attributes=True)


def _task_public(row: InvestigationTaskRow) -> TaskPublic:
    return TaskPublic.model_validate(row, from_attributes=True)


def _position(row: IncidentRow) -> dict[str, Any]:
    return {
        "lat": row.event_lat,
        "lon": row.event_lon,
        "place_name": row.event_place,
        "precision": row.event_precision,
    }


def _summary(
    row: IncidentRow,
    reports: Sequence[ReportRow] | Sequence[ReportFacts],
    visible: Sequence[ReportRow] | Sequence[ReportFacts],
) -> dict[str, Any]:
    return {
        "id": row.id,
        "agreement_id": row.agreement_id,
        "title": row.title,
        "summary": row.summary,
        "category": row.category,
        "classification": Classification(row.classification),
        "concerns": concerns_list(row.concerns),
        "status": OccurrenceStatus(row.status),
        "attribution": AttributionKind(row.attribution),
        "attributed_party": row.attributed_party,
        "observed_start": row.observed_start,
        "observed_end": row.observed_end,
        "event_position": _position(row),
        "owner_member": row.owner_member,
        "created_at": row.created_at,
        "updated_at": row.updated_at,
        "report_count": len(reports),
        "channels": sorted({r.channel for r in visible}),
    }


_Part = TypeVar("_Part", ReplyPublic, NotePublic, AssessmentPublic)


def _masked(part: _Part, field: str, hidden: set[str]) -> _Part:
    """``part`` with the ids of ``hidden`` in its free text ``field`` and in its evidence
    refs (if it has any) shown as :data:`WITHHELD_ID`."""
    update: dict[str, Any] = {field: masked_text(getattr(part, field), hidden)}
    refs = getattr(part, "evidence_refs", None)
    if refs is not None:
        update["evidence_refs"] = [masked_text(ref, hidden) for ref in refs]
    return part.model_copy(update=update)


_Shown = TypeVar("_Shown", bound=IncidentBase)


_TEXT_FIELDS = ("title", "summary", "event_position")


def _free_texts(shown: Mapping[str, Any]) -> tuple[str | None, ...]:
    """An incident's free text as a reader is shown it (``shown``: its fields of
    :data:`_TEXT_FIELDS`): its title, summary and place (its best-placed report's place
    name, which the filer wrote)."""
    return (shown["title"], shown["summary"], shown["event_position"].get("place_name"))


def _texts_updated(shown: Mapping[str, Any], hidden: set[str]) -> dict[str, Any]:
    """The fields of :func:`_free_texts` with the ids of ``hidden`` masked."""
    title, summary, place = _free_texts(shown)
    position = shown["event_position"]
    return {
        "title": masked_text(title or "", hidden),
        "summary": masked_text(summary, hidden) if summary else summary,
        "event_position": {**position, "place_name": masked_text(place, hidden)}
        if place
        else position,
    }


def _texts_masked(session: Session, scope: ReadScope, items: Sequence[_Shown]) -> list[_Shown]:
    """``items`` with the ids their title, summary and place name that the reader may not
    read (``unreadable_ids``) shown as :data:`WITHHELD_ID`: one query for the page."""
    fields = [i.model_dump(include=set(_TEXT_FIELDS)) for i in items]
    hidden = unreadable_ids(session, scope, (t for f in fields for t in _free_texts(f)))
    if not hidden:
        return list(items)
    return [
        i.model_copy(update=_texts_updated(f, hidden)) for i, f in zip(items, fields, strict=True)
    ]


def _detail(session: Session, scope: ReadScope, row: IncidentRow) -> IncidentDetail:
    session.flush()
    reports = rows_of_incident(session, row.id)
    visible = [r for r in reports if readable_row(scope, r)]
    files = _attachments(session, [r.id for r in visible])
    assessments = _assessment_rows(session, row.id)
    current_ids = {a.id for a in current_assessments(_assessment(a) for a in assessments).values()}
    readable_assessments = [
        a for a in assessments if part_readable(scope, row, a.classification, a.member_id)
    ]
    decision = dict(row.decision) if row.decision and decided(row.decision) else None
    if decision is not None:
        decision.pop(DIGEST_SALT, None)
        shown = {a.id for a in readable_assessments}
        weighed = decision.get("views", [])
        decision["views"] = [v for v in weighed if v["assessment_id"] in shown]
        if len(decision["views"]) < len(weighed):
            # The rule's reason and who settled it name members by their views ("dissent by
            # rus", "waiting for tur"): what the withheld assessments hold. The state, rule
            # and finding stay: the incident's status and attribution show them anyway.
            decision["reason"] = None
            decision["settled_by"] = None
    replies = session.scalars(
        select(ReplyRow).where(ReplyRow.incident_id == row.id).order_by(ReplyRow.id)
    )
    notes = session.scalars(
        select(NoteRow).where(NoteRow.incident_id == row.id).order_by(NoteRow.id)
    )
    tasks = session.scalars(
        select(InvestigationTaskRow)
        .where(InvestigationTaskRow.incident_id == row.id)
        .order_by(InvestigationTaskRow.id)
    )
    # Field teams and their members are internal: they name persons and reveal movements.
    tasks_visible = scope.can_read(
        Classification.INTERNAL, concerns=row.concerns, agreement_id=row.agreement_id
    )
    shown_replies = [
        _reply_public(r)
        for r in replies
        if part_readable(scope, row, r.classification, r.member_id)
    ]
    shown_notes = [
        _note_public(n) for n in notes if part_readable(scope, row, n.classification, n.member_id)
    ]
    shown_assessments = [_assessment_public(a, a.id in current_ids) for a in readable_assessments]
    shown_tasks = [_task_public(t) for t in tasks] if tasks_visible else []
    summary = _summary(row, reports, visible)
    # Free text written by members names records by id (a note's "see inc-…"); a reader is
    # shown only the ids of records it may read.
    hidden = unreadable_ids(
        session,
        scope,
        [
            *_free_texts(summary),
            *(r.text for r in shown_replies),
            *(ref for r in shown_replies for ref in r.evidence_refs),
            *(n.text for n in shown_notes),
            *(a.rationale for a in shown_assessments),
            *(ref for a in shown_assessments for ref in a.evidence_refs),
            *(text for t in shown_tasks for text in (t.instructions, t.findings)),
        ],
    )

    if hidden:
        summary.update(_texts_updated(summary, hidden))
        shown_replies = [_masked(r, "text", hidden) for r in shown_replies]
        shown_notes = [_masked(n, "text", hidden) for n in shown_notes]
        shown_assessments = [_masked(a, "rationale", hidden) for a in shown_assessments]
        shown_tasks = [
            t.model_copy(
                update={
                    name: masked_text(text, hidden)
                    for name in ("instructions", "findings")
                    if (text := getattr(t, name))
                }
            )
            for t in shown_tasks
        ]
    return IncidentDetail(
        **summary,
        decision=decision,
        reports=without_unreadable_sources(
            session,
            scope.viewer,
            report_texts_masked(
                session,
                scope,
                [_public(session, r, files[r.id], row.id, lookup=False) for r in visible],
            ),
        ),
        assessments=shown_assessments,
        replies=shown_replies,
        notes=shown_notes,
        tasks=shown_tasks,
    )


def _person_names(
    session: Session,
    row: IncidentRow,
    reporters: Iterable[str],
    *,
    tasks: Sequence[InvestigationTaskRow] | None = None,
    user_names: set[str] | None = None,
) -> set[str]:
    """Names that must not reach the public: reporters (of the incident's reports), team
    members, representatives, users.

    ``tasks`` (the incident's) and ``user_names`` are passed when a list read them once for
    all its incidents."""
    names = set(reporters) - {""}
    if tasks is None:
        tasks = list(
            session.scalars(
                select(InvestigationTaskRow).where(InvestigationTaskRow.incident_id == row.id)
            )
        )
    for task in tasks:
        names.update(task.team)
        for rep in task.party_representatives:
            names.update(rep.get("names") or [])
    if user_names is None:
        user_names = user_display_names(session)
    names.update(user_names)
    return names


def _redacted(
    session: Session,
    row: IncidentRow,
    *,
    reports: ReportNames | None = None,
    tasks: Sequence[InvestigationTaskRow] | None = None,
    user_names: set[str] | None = None,
) -> IncidentRedacted:
    if reports is None:
        reports = reporter_names_by_incident(session, [row.id])[row.id]
    names = _person_names(session, row, reports.reporters, tasks=tasks, user_names=user_names)
    return IncidentRedacted(
        id=row.id,
        title=redact_names(row.title, names) or "",
        summary=redact_names(row.summary, names),
        category=row.category,
        concerns=concerns_list(row.concerns),
        status=OccurrenceStatus(row.status),
        attribution=AttributionKind(row.attribution),
        attributed_party=row.attributed_party,
        observed_start=row.observed_start,
        observed_end=row.observed_end,
        event_position=_position(row),
        report_count=reports.count,
        decision_state=(row.decision or {}).get("state"),
        updated_at=row.updated_at,
    )


def get_incident(
    ctx: ServiceContext, viewer: Viewer, incident_id: str
) -> IncidentDetail | IncidentRedacted:
    """One incident with what the viewer may read of it; the public gets the redacted view."""
    with ctx.reader() as session:
        scope = ReadScope.load(session, viewer)
        row = _incident_or_404(session, scope, incident_id)
        if viewer.is_public:
            public = _redacted(session, row)
            return _texts_masked(session, scope, [public])[0]
        return _detail(session, scope, row)


def get_decision(ctx: ServiceContext, viewer: Viewer, incident_id: str) -> Decision:
    """What the decision rule makes of the current assessments (read only; monitors)."""
    with ctx.reader() as session:
        scope = ReadScope.load(session, viewer)
        row = _incident_or_404(session, scope, incident_id)
        _require_monitor(
            scope, row.agreement_id, N_("only monitors (or operators) may see the members' views")
        )
        return _evaluate(session, row)


POSITION_INDEX_MAX_DEG = 1.0
"""Boxes up to this many degrees of longitude wide are looked up through the position index."""


def _filters_clause(filters: IncidentFilters, scope: ReadScope) -> list[ColumnElement[bool]]:
    """The filters as SQL; ``scope``: what a filter on the incidents' reports may see."""
    clauses = [IncidentRow.emptied_by.is_(None)]  # emptied by a merge or undo: history
    return clauses + _given_filters(filters, scope)


def _given_filters(filters: IncidentFilters, scope: ReadScope) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = []
    if filters.start is not None:
        clauses.append(IncidentRow.observed_end >= filters.start)
    if filters.end is not None:
        clauses.append(IncidentRow.observed_start <= filters.end)
    if filters.bbox is not None:
        min_lon, _, max_lon, _ = filters.bbox
        lon: Any = IncidentRow.event_lon
        if max_lon - min_lon > POSITION_INDEX_MAX_DEG:
            # A wide box holds most incidents: a scan (or the id order's early stop) beats a
            # table look-up per row through ix_incidents_position, which serves small boxes.
            lon = func.coalesce(IncidentRow.event_lon, IncidentRow.event_lon)
        clauses.append(and_(*within(lon, IncidentRow.event_lat, filters.bbox)))
    if filters.category is not None:
        clauses.append(IncidentRow.category == filters.category.value)
    if filters.status is not None:
        clauses.append(IncidentRow.status == filters.status.value)
    if filters.attribution is not None:
        clauses.append(IncidentRow.attribution == filters.attribution.value)
    if filters.party is not None:
        party = filters.party.strip().upper()
        clauses.append(
            # A code, not a pattern: ``%`` or ``_`` in it match themselves (autoescape).
            or_(
                IncidentRow.concerns.contains(f",{party},", autoescape=True),
                IncidentRow.attributed_party == party,
            )
        )
    if filters.channel is not None:
        clauses.append(IncidentRow.id.in_(incidents_with_channel(filters.channel.value, scope)))
    if filters.agreement_id is not None:
        clauses.append(IncidentRow.agreement_id == filters.agreement_id)
    if filters.classification is not None:
        clauses.append(IncidentRow.classification == filters.classification.value)
    return clauses


def list_incidents(
    ctx: ServiceContext,
    viewer: Viewer,
    filters: IncidentFilters | None = None,
    *,
    limit: int = 50,
    cursor: str | None = None,
) -> IncidentPage:
    """Incidents the viewer may read, newest first, filtered; ``cursor`` = last id seen."""
    filters = filters or IncidentFilters()
    filters.check()
    cursor = check_cursor(cursor, "inc")
    limit = max(1, min(limit, MAX_LIST_LIMIT))
    with ctx.reader() as session:
        scope = ReadScope.load(session, viewer)
        query = (
            select(IncidentRow)
            .where(scope.clause(IncidentRow), *_filters_clause(filters, scope))
            .order_by(IncidentRow.id.desc())
        )
        rows: list[IncidentRow] = []
        after = cursor
        chunk = limit + 1
        while len(rows) <= limit:
            page = query if after is None else query.where(IncidentRow.id < after)
            fetched = list(session.scalars(page.limit(chunk)))
            rows += [r for r in fetched if _readable(scope, r)]
            if len(fetched) < chunk:
                break
            after = fetched[-1].id
            chunk = min(chunk * 2, 2000)
        more = len(rows) > limit
        rows = rows[:limit]
        # The page's reports (and, for the public, tasks and user names) in one query each,
        # not a few queries per incident: the list's latency under concurrent readers.
        ids = [row.id for row in rows]
        items: list[IncidentSummary | IncidentRedacted] = []
        if viewer.is_public:
            reports_of = reporter_names_by_incident(session, ids)
            tasks_of: dict[str, list[InvestigationTaskRow]] = {i: [] for i in ids}
            if ids:
                for task in session.scalars(
                    select(InvestigationTaskRow)
                    .where(InvestigationTaskRow.incident_id.in_(ids))
                    .order_by(InvestigationTaskRow.id)
                ):
                    tasks_of[task.incident_id].append(task)
            user_names = user_display_names(session)
            items.extend(
                _redacted(
                    session,
                    row,
                    reports=reports_of[row.id],
                    tasks=tasks_of[row.id],
                    user_names=user_names,
                )
                for row in rows
            )
        else:
            facts_of = report_facts_by_incident(session, ids)
            for row in rows:
                facts = facts_of[row.id]
                visible = [f for f in facts if scope.can_read_record(f)]
                items.append(IncidentSummary(**_summary(row, facts, visible)))
        items = _texts_masked(session, scope, items)
        return IncidentPage(items=items, next_cursor=rows[-1].id if more and rows else None)


# ------------------------------------------------------------- for the other areas

_SNAPSHOT_CHUNK = 500


def _readable_chunks(
    session: Session, scope: ReadScope, ids: Sequence[str]
) -> Iterator[list[IncidentRow]]:
    """The incidents of ``ids`` that ``scope`` reads, read ``_SNAPSHOT_CHUNK`` ids at a time
    (one list per chunk, so that what a caller reads about them is batched the same way)."""
    for start in range(0, len(ids), _SNAPSHOT_CHUNK):
        chunk = ids[start : start + _SNAPSHOT_CHUNK]
        rows = session.scalars(select(IncidentRow).where(IncidentRow.id.in_(chunk)))
        yield [row for row in rows if _readable(scope, row)]


def readable_agreement(session: Session, scope: ReadScope, incident_id: str) -> str | None:
    """The agreement of incident ``incident_id`` where ``scope`` reads it; ``None`` where it
    does not (unknown or hidden: as absent as the service answers) or the incident has no
    agreement. What a form's role is asked in before its body (``web.common.form_of``)."""
    row = session.get(IncidentRow, incident_id)
    if row is None or not _readable(scope, row):
        return None
    return row.agreement_id


def readable_incidents(session: Session, viewer: Viewer, incident_ids: Iterable[str]) -> set[str]:
    """Of ``incident_ids``, those ``viewer`` may read: the one check every record about an
    incident kept by another area (a compliance finding...) is shown through."""
    ids = sorted(set(incident_ids))
    if not ids:
        return set()
    scope = ReadScope.load(session, viewer)
    return {row.id for rows in _readable_chunks(session, scope, ids) for row in rows}


def snapshots_as_read(
    session: Session, viewer: Viewer, incident_ids: Iterable[str]
) -> dict[str, tuple[IncidentSnapshot, IncidentSnapshot]]:
    """Of ``incident_ids``, each one ``viewer`` may read: the incident as the compliance
    rules read it (every report) and as the viewer reads it (the reports it may read), so
    that what another area derives from the reports is shown only where it rests on what
    the viewer reads."""
    ids = sorted(set(incident_ids))
    if not ids:
        return {}
    scope = ReadScope.load(session, viewer)
    found: dict[str, tuple[IncidentSnapshot, IncidentSnapshot]] = {}
    for rows in _readable_chunks(session, scope, ids):
        reports_of = reports_by_incident(session, [row.id for row in rows])
        for row in rows:
            every = reports_of[row.id]
            read = [r for r in every if readable_row(scope, r)]
            found[row.id] = (_snapshot(row, every), _snapshot(row, read))
    return found


def snapshots_as_all_read(
    session: Session, incident_id: str
) -> tuple[IncidentSnapshot, IncidentSnapshot] | None:
    """The incident as the compliance rules read it (every report) and as *every* reader of
    it reads it (``None`` for an unknown incident): what a record raised for all its readers
    at once (an alert) may rest on. Every reader of an internal incident is a monitor and
    reads every report; every reader of a public one, the public reports; of a shared one,
    the public reports and the shared ones concerning every party the incident concerns (its
    observers and each of those parties' liaisons read them)."""
    row = session.get(IncidentRow, incident_id)
    if row is None:
        return None
    every = rows_of_incident(session, incident_id)
    return _snapshot(row, every), _snapshot(row, [r for r in every if read_by_all(row, r)])


def read_by_all(incident: Any, report: ReportRow) -> bool:
    """Whether every reader of ``incident`` (a row, or its alert facts) reads ``report``, one
    of its reports: every reader of an internal incident is a monitor and reads every report;
    every reader of a public one, the public reports; of a shared one, the public reports and
    the shared ones concerning every party the incident concerns."""
    if incident.classification == Classification.INTERNAL.value:
        return True
    if report.classification == Classification.PUBLIC.value:
        return True
    return (
        incident.classification == Classification.SHARED.value
        and report.classification == Classification.SHARED.value
        and set(concerns_list(incident.concerns)) <= set(concerns_list(report.concerns))
    )


def incident_snapshots(session: Session, agreement_id: str) -> Iterator[IncidentSnapshot]:
    """Every incident of ``agreement_id`` as it is now, oldest first (for re-evaluations)."""
    query = (
        select(IncidentRow).where(IncidentRow.agreement_id == agreement_id).order_by(IncidentRow.id)
    )
    pages = id_pages(
        query, IncidentRow.id, lambda page: session.scalars(page).all(), chunk=_SNAPSHOT_CHUNK
    )
    for rows in pages:
        reports_of = reports_by_incident(session, [row.id for row in rows])
        for row in rows:
            yield _snapshot(row, reports_of[row.id])


def incident_cells(
    ctx: ServiceContext, viewer: Viewer, filters: IncidentFilters, *, cell_deg: float
) -> list[GridCell]:
    """The incidents ``list_incidents`` would give the viewer, counted per grid cell (the
    map at low zoom); the same filters, and the access rule judged per group.

    When the table of counts per cell (``incidents.cellcounts``) answers the filters (a box,
    a category, and a time window that holds every incident) at this cell size, the cells
    inside the box are read from it and only those on its edge counted; otherwise every
    matching incident is counted."""
    filters.check()
    with ctx.reader() as session:
        scope = ReadScope.load(session, viewer)
        level = cellcounts.level_of(cell_deg)
        if level is not None and _counted(session, filters):
            return cellcounts.counted_cells(
                session,
                scope,
                level=level,
                bbox=filters.bbox,
                category=filters.category.value if filters.category else None,
                # The box by cells; the time window holds every incident.
                where=[
                    *_filters_clause(replace(filters, bbox=None, end=None), scope),
                    scope.clause(IncidentRow),
                ],
            )
        if filters.start is None and filters.end is not None:
            # All history up to a day: most rows match, and walking the observed-time index
            # costs one table look-up per row (10x a scan of 100k on SQLite). The same
            # condition as _filters_clause's, written so that no index serves it.
            where = [
                *_filters_clause(replace(filters, end=None), scope),
                func.coalesce(IncidentRow.observed_start, IncidentRow.observed_start)
                <= filters.end,
            ]
        else:
            where = _filters_clause(filters, scope)
        where.append(scope.clause(IncidentRow))
        return grid_cells(session, scope, IncidentRow, where, cell_deg=cell_deg)


def _counted(session: Session, filters: IncidentFilters) -> bool:
    """Whether the counts per cell answer ``filters``: no filter but a box, a category and
    an end of the time window no incident starts after (the map's "all, until today")."""
    if replace(filters, bbox=None, category=None, end=None) != IncidentFilters():
        return False
    if filters.end is None:
        return True
    last = session.scalar(select(func.max(IncidentRow.observed_start)))
    return last is None or ensure_utc(last) <= filters.end


@dataclass(frozen=True)
class MapCountsRebuilt:
    """What ``recount-map`` did: the cells it wrote, the incidents they count, and the
    cells that had differed from the recount before."""

    cells: int
    incidents: int
    differed: int


def rebuild_map_counts(ctx: ServiceContext) -> MapCountsRebuilt:
    """Recount the map's counts per cell (``incidents.cellcounts``) from the incidents, in
    one unit of work: after a bulk write behind the services, or when ``ceasefire check``
    found a cell that differs. Operators' maintenance: it changes no record, so no entry."""
    with ctx.unit_of_work() as session:
        differed = len(cellcounts.differences(session, limit=1_000_000))
        cells = cellcounts.rebuild(session)
        counted = session.scalar(
            select(func.coalesce(func.sum(MapCellCountRow.n), 0)).where(
                MapCellCountRow.level == cellcounts.LEVELS[0]
            )
        )
    return MapCountsRebuilt(cells=cells, incidents=int(counted or 0), differed=differed)


# ----------------------------------------------------------------------- for alerts


class IncidentAlertFacts(NamedTuple):
    """What the alerts area needs of an incident: who may read it, when and where it
    happened, and the casualties its reports state (``None`` when no report states any)."""

    id: str
    agreement_id: str | None
    category: str
    classification: str
    concerns: str
    owner_member: str
    observed_start: datetime
    lat: float | None
    lon: float | None
    precision: int
    updated_at: datetime
    casualties: dict[str, int] | None = None
    casualties_read_by_all: dict[str, int] | None = None
    """The casualties stated by the reports *every* reader of the incident reads
    (``read_by_all``): what an alert to all its readers may say (``None``: none stated)."""


def _alert_facts(
    row: Any,
    casualties: dict[str, int] | None = None,
    casualties_read_by_all: dict[str, int] | None = None,
) -> IncidentAlertFacts:
    return IncidentAlertFacts(
        row.id,
        row.agreement_id,
        row.category,
        row.classification,
        row.concerns,
        row.owner_member,
        row.observed_start,
        row.event_lat,
        row.event_lon,
        row.event_precision,
        row.updated_at,
        casualties,
        casualties_read_by_all,
    )


_ALERT_COLUMNS = (
    IncidentRow.id,
    IncidentRow.agreement_id,
    IncidentRow.category,
    IncidentRow.classification,
    IncidentRow.concerns,
    IncidentRow.owner_member,
    IncidentRow.observed_start,
    IncidentRow.event_lat,
    IncidentRow.event_lon,
    IncidentRow.event_precision,
    IncidentRow.updated_at,
)


def incidents_observed_since(session: Session, since: datetime) -> list[IncidentAlertFacts]:
    """Every incident observed from ``since`` on (all classifications: the caller applies
    the read rule to whom it tells), oldest first; for the alerts' spike counts."""
    rows = session.execute(
        select(*_ALERT_COLUMNS)
        .where(IncidentRow.observed_start >= ensure_utc(since))
        .order_by(IncidentRow.observed_start, IncidentRow.id)
    )
    return [_alert_facts(row) for row in rows]


def alert_facts_of(
    session: Session, incident_ids: Iterable[str], *, with_casualties: Iterable[str] = ()
) -> dict[str, IncidentAlertFacts]:
    """The :class:`IncidentAlertFacts` of those of ``incident_ids`` that exist, by id: where
    an alert's incidents are now, and for those of ``with_casualties`` the casualties stated
    now by the reports every reader reads (``casualties_read_by_all``): what an alert to all
    its readers may still say once a report was taken out of the incident."""
    rows = list(
        session.execute(
            select(*_ALERT_COLUMNS).where(IncidentRow.id.in_(sorted(set(incident_ids))))
        )
    )
    wanted = set(with_casualties)
    by_all = _casualties_read_by_all(session, [row for row in rows if row.id in wanted])
    return {row.id: _alert_facts(row, None, by_all.get(row.id)) for row in rows}


def incidents_with_casualties(
    session: Session, updated_since: datetime
) -> list[IncidentAlertFacts]:
    """Incidents created or changed from ``updated_since`` on whose reports state casualties
    (``reports.service.casualties_by_incident``: per kind, the largest best estimate), with
    the figures of the reports every reader of the incident reads beside them."""
    rows = list(
        session.execute(
            select(*_ALERT_COLUMNS)
            .where(IncidentRow.updated_at >= ensure_utc(updated_since))
            .order_by(IncidentRow.id)
        )
    )
    figures = casualties_by_incident(session, [row.id for row in rows])
    stating = [row for row in rows if row.id in figures]
    by_all = _casualties_read_by_all(session, stating)
    return [_alert_facts(row, figures[row.id], by_all.get(row.id)) for row in stating]


def _casualties_read_by_all(session: Session, rows: Sequence[Any]) -> dict[str, dict[str, int]]:
    """Per incident of ``rows``, the casualties its reports that every reader of it reads
    state (incidents where they state none left out)."""
    if not rows:
        return {}
    reports_of = reports_by_incident(session, [row.id for row in rows])
    found = {}
    for row in rows:
        read = [r for r in reports_of[row.id] if read_by_all(row, r)]
        figures = _best_casualties(json.loads(r.content) for r in read)
        if figures:
            found[row.id] = figures
    return found


def _best_casualties(contents: Iterable[dict[str, Any]]) -> dict[str, int]:
    """Per casualty kind, the largest best estimate the contents state (``casualties_by_incident``'s
    figures, of the reports given); kinds all zero are left out."""
    figures: dict[str, int] = {}
    for content in contents:
        for key, estimate in (content.get("casualties") or {}).items():
            figures[key] = max(figures.get(key, 0), int(estimate.get("best") or 0))
    return figures if any(figures.values()) else {}


def incident_alert_facts(session: Session, incident_id: str) -> IncidentAlertFacts | None:
    """One incident's :class:`IncidentAlertFacts` (no casualties), ``None`` if unknown."""
    row = session.execute(select(*_ALERT_COLUMNS).where(IncidentRow.id == incident_id)).first()
    return _alert_facts(row) if row is not None else None


# ---------------------------------------------------------- fusion: regrouping in a unit of work
#
# The fusion area (``ceasefire.fusion.service``) groups reports automatically as the system
# actor and records merges, splits and undos for analysts. It calls these functions inside
# its own unit of work, so a decision, the incidents it changes, their ledger entries and
# the report's removal from the fusion queue commit together or not at all.

_STRICTNESS = {
    Classification.PUBLIC.value: 0,
    Classification.SHARED.value: 1,
    Classification.INTERNAL.value: 2,
}


def _strictest(*classifications: str) -> str:
    return max(classifications, key=_STRICTNESS.__getitem__)


def fused_classification(reports: Sequence[GroupedReport]) -> str:
    """The classification an incident of these reports takes: no reader of the incident may
    learn what one of its reports would not tell them.

    Internal if any report is internal; public if all are public; otherwise shared, unless
    the shared reports do not all concern every party the incident concerns (a liaison of
    party B would read, through the incident, a report shared with party A only): internal.
    """
    kinds = {r.classification for r in reports}
    if Classification.INTERNAL.value in kinds:
        return Classification.INTERNAL.value
    if kinds == {Classification.PUBLIC.value}:
        return Classification.PUBLIC.value
    parties: set[str] = set()
    for report in reports:
        parties |= set(concerns_list(report.concerns))
    for report in reports:
        if report.classification == Classification.SHARED.value and not parties <= set(
            concerns_list(report.concerns)
        ):
            return Classification.INTERNAL.value
    return Classification.SHARED.value


def _fused_title(reports: Sequence[ReportRow], category: str) -> str:
    located = sorted(reports, key=lambda r: (r.event_place is None, r.event_precision, r.id))
    # A place typed "near Aghdam" would read "shelling near near Aghdam".
    typed = located[0].event_place
    place = place_without_nearness(typed) if typed else None
    day = min(r.observed_start for r in reports).date().isoformat()
    label = category.replace("_", " ")
    return (f"{label} near {place}, {day}" if place else f"{label}, {day}")[:300]


def _tighten(
    session: Session,
    settings: Settings,
    actor: Actor,
    row: IncidentRow,
    why: str,
    reports: Sequence[GroupedReport],
) -> None:
    """Make the incident at least as restrictive as its reports need (never looser)."""
    if not reports:
        return
    target = _strictest(row.classification, fused_classification(reports))
    if target == row.classification:
        return
    before, row.classification = row.classification, target
    _log(
        session,
        settings,
        row.id,
        IncidentTag.CLASSIFIED,
        Classified(
            {
                "incident_id": row.id,
                "from": before,
                "to": target,
                "reason_salted_sha256": salted_reason(row, why),
            }
        ),
        actor=actor,
    )


def open_fused_incident(
    session: Session,
    settings: Settings,
    actor: Actor,
    incident_id: str,
    reports: Sequence[ReportRow],
    *,
    grouped_by: str,
) -> None:
    """Make incident ``incident_id`` of ``reports`` (one agreement, in no incident) in the
    caller's unit of work: classification from ``fused_classification``, a title from the
    reports, owned by ``actor`` (fusion's system actor or the analyst splitting)."""
    agreements = {r.agreement_id for r in reports}
    if len(agreements) != 1:
        raise InvalidInput.worded(
            N_("an incident groups reports of one agreement"),
            details=[problem("report_ids", N_("%(n)s agreements"), n=len(agreements))],
        )
    _refuse_grouped(session, reports)
    (agreement_id,) = agreements
    now = utcnow()
    category = Counter(r.category for r in reports).most_common(1)[0][0]
    row = _opened_incident(
        incident_id,
        agreement_id,
        title=_fused_title(reports, category),
        summary=None,
        category=category,
        classification=fused_classification(reports),
        actor=actor,
        now=now,
    )
    _open_incident(session, settings, actor, row, reports, category, grouped_by=grouped_by)


def fused_incident(session: Session, incident_id: str) -> IncidentRow | None:
    """The stored incident (unchecked: fusion's system actor, or after ``regroup_scope``)."""
    return session.get(IncidentRow, incident_id)


def add_fused_reports(
    session: Session,
    settings: Settings,
    actor: Actor,
    incident_id: str,
    reports: Sequence[ReportRow],
    *,
    why: str,
) -> None:
    """Group ``reports`` (in no incident, of the incident's agreement) into the incident, in
    the caller's unit of work; the incident's classification tightens if they need it."""
    row = _incident_or_404(session, None, incident_id)
    foreign = [r.id for r in reports if r.agreement_id != row.agreement_id]
    if foreign:
        raise InvalidInput.worded(
            N_("reports of another agreement cannot join this incident"),
            details=[
                problem("report_ids", N_("%(rid)s is of another agreement"), rid=rid)
                for rid in foreign
            ],
        )
    _refuse_grouped(session, reports)
    now = utcnow()
    link_reports(session, row.id, [r.id for r in reports], at=now, by=actor.member_id)
    row.emptied_by = None
    members = grouped_facts_of(session, row.id)
    _derive(row, members, category=row.category or None)
    _touch(row)
    _log(
        session,
        settings,
        row.id,
        IncidentTag.REPORTS_ADDED,
        ReportsAdded({"incident_id": row.id, "report_ids": [r.id for r in reports]}),
        actor=actor,
    )
    _tighten(session, settings, actor, row, why, members)
    _changed(session, row, members)


def take_out_reports(
    session: Session,
    settings: Settings,
    actor: Actor,
    incident_id: str,
    report_ids: Sequence[str],
    *,
    why: str,
    decision_id: str,
) -> list[ReportRow]:
    """Take reports out of an incident in the caller's unit of work (each a
    ``report-removed`` entry); the rows taken. An incident left with no report keeps its row
    and history and names the decision that emptied it (``emptied_by``)."""
    row = _incident_or_404(session, None, incident_id)
    current = {r.id: r for r in rows_of_incident(session, incident_id)}
    missing = [rid for rid in report_ids if rid not in current]
    if missing:
        raise InvalidInput.worded(
            N_("reports not in incident %(incident_id)s"),
            details=[
                problem(
                    "report_ids",
                    N_("%(rid)s is not in %(incident_id)s"),
                    rid=rid,
                    incident_id=incident_id,
                )
                for rid in missing
            ],
            incident_id=incident_id,
        )
    taken = [current[rid] for rid in dict.fromkeys(report_ids)]
    for report in taken:
        _unlink(session, settings, actor, row, report.id, why)
    remaining = [r for r in current.values() if r.id not in {t.id for t in taken}]
    if remaining:
        row.concerns = ","
        _derive(row, remaining, category=row.category)
    else:
        row.emptied_by = decision_id
    _touch(row)
    if remaining:
        # The compliance rules re-evaluate what is left (an emptied incident keeps its
        # findings as its history keeps its reports: both say what was known).
        _changed(session, row, remaining)
    return taken


def regroup_scope(
    session: Session, viewer: Viewer, incident_ids: Sequence[str], refusal: str
) -> tuple[ReadScope, str | None]:
    """Check that ``viewer`` may regroup (merge, split, undo) these incidents: each one
    readable (``NotFound`` otherwise) and a monitor of its agreement (or an operator), all
    of one agreement (``refusal``: the marked msgid a non-monitor is refused with). Returns
    the scope and the agreement."""
    scope = ReadScope.load(session, viewer)
    agreements = set()
    for incident_id in dict.fromkeys(incident_ids):
        row = _incident_or_404(session, scope, incident_id)
        _require_monitor(scope, row.agreement_id, refusal)
        agreements.add(row.agreement_id)
    if len(agreements) > 1:
        raise InvalidInput.worded(
            N_("incidents of different agreements are never grouped together"),
            details=[problem("incident_ids", N_("of different agreements"))],
        )
    return scope, (agreements.pop() if agreements else None)


def readable_incident(session: Session, scope: ReadScope, incident_id: str) -> IncidentRow:
    """The incident if the scope's viewer may read it (``NotFound`` otherwise)."""
    return _incident_or_404(session, scope, incident_id)


def referenced_incident(
    session: Session, scope: ReadScope, incident_id: str, agreement_id: str | None, *, loc: str
) -> IncidentRow:
    """The incident a record of ``agreement_id`` refers to (in its field ``loc``), checked as
    :func:`ceasefire.reports.service.referenced_reports` checks reports: readable by the
    scope's viewer (``NotFound`` naming ``loc`` otherwise, as if it did not exist) and of
    ``agreement_id`` itself (``InvalidInput`` naming ``loc``)."""
    row = session.get(IncidentRow, incident_id)
    if row is None or not _readable(scope, row):
        raise NotFound.worded(
            N_("no incident %(id)s"),
            details=[problem(loc, N_("unknown %(incident_id)s"), incident_id=incident_id)],
            id=repr(incident_id),
        )
    if row.agreement_id != agreement_id:
        raise InvalidInput.worded(
            N_("an incident of another agreement cannot be referred to by a record of %(here)s"),
            details=[of_another_agreement(loc, row.id, row.agreement_id, agreement_id)],
            here=agreement_named(agreement_id),
        )
    return row


def check_cited_records(
    session: Session, scope: ReadScope, cited: Iterable[tuple[str, str]], agreement_id: str | None
) -> None:
    """Each record a text of ``cited`` (``(loc, text)``: an evidence ref) names by an id the
    centre makes (``rep-…``, ``report:rep-…``, a URL ending in one), checked as every
    reference between records is: a report by
    :func:`ceasefire.reports.service.referenced_reports`, an incident by
    :func:`referenced_incident` (readable by the scope's viewer, ``NotFound`` naming ``loc``
    as for an id that does not exist; of ``agreement_id``, ``InvalidInput`` naming it). The
    id of any other record is refused (``InvalidInput``): cite the report or incident it rests
    on. Other text is free (a URL, a document's name)."""
    for loc, text in cited:
        for kind, record_id in record_ids_in(text):
            if kind == "rep":
                referenced_reports(session, scope, [record_id], agreement_id, loc=loc)
            elif kind == "inc":
                referenced_incident(session, scope, record_id, agreement_id, loc=loc)
            else:
                raise InvalidInput.worded(
                    N_(
                        "evidence may cite the centre's reports and incidents by id, no other "
                        "record"
                    ),
                    details=[
                        problem(
                            loc,
                            N_("a %(kind)s-… id: cite the report or incident instead"),
                            kind=kind,
                        )
                    ],
                )


# -- for publishing: incidents as exported and summarised ----------------------------------


def _worst_casualties(contents: Iterable[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """Each casualty figure (``killed_civilian`` …) as the highest any report gives: the
    reports of one incident describe the same event, so adding them would double count."""
    worst: dict[str, dict[str, int]] = {}
    for content in contents:
        for key, estimate in (content.get("casualties") or {}).items():
            have = worst.get(key)
            if have is None or estimate["best"] > have["best"]:
                worst[key] = {k: int(estimate[k]) for k in ("low", "best", "high")}
    return worst


def _decision_state(decision: str | dict[str, Any] | None) -> str | None:
    """The state of a decision column read as text (SQLite) or decoded (PostgreSQL)."""
    if isinstance(decision, str):
        decision = json.loads(decision) if decision != "null" else None
    return (decision or {}).get("state")


class IncidentFacts(NamedTuple):
    """An incident as an export reads it: its row's values (datetimes aware UTC), the title
    and summary as the viewer may read them, and the figures of the reports the viewer may
    read. ``incident_records`` makes the JSON record of it; the CSV exports read it as is
    (no record built and parsed again for each of a million rows)."""

    id: str
    agreement_id: str | None
    title: str
    summary: str | None
    category: str
    classification: str
    concerns: str
    status: str
    attribution: str
    attributed_party: str | None
    decision_state: str | None
    observed_start: datetime
    observed_end: datetime
    lat: float | None
    lon: float | None
    place: str | None
    precision: int
    owner_member: str
    created_at: datetime
    updated_at: datetime
    report_count: int
    sources: int
    channels: list[str]
    casualties: dict[str, dict[str, int]]


def _utc(value: Any) -> datetime:
    """A datetime column read without SQLAlchemy's processors: SQLite's UTC text
    (``YYYY-MM-DD HH:MM:SS.ffffff``, as ``UTCDateTime`` stores it) or the driver's aware
    datetime (PostgreSQL). The processors cost a few microseconds a value, which four
    columns of a million rows pay."""
    if isinstance(value, str):
        # With the offset in the text: ``replace(tzinfo=UTC)`` costs six times the parse.
        return datetime.fromisoformat(value + "+00:00")
    moment: datetime = value
    return moment if moment.tzinfo is UTC else moment.astimezone(UTC)


_FACT_COLUMNS = (
    "id",
    "agreement_id",
    "title",
    "summary",
    "category",
    "classification",
    "concerns",
    "status",
    "attribution",
    "attributed_party",
    "event_lat",
    "event_lon",
    "event_place",
    "event_precision",
    "owner_member",
)
_FACT_TIMES = ("observed_start", "observed_end", "created_at", "updated_at")


def incident_facts(
    session: Session,
    scope: ReadScope,
    *,
    ids: Iterable[str] | None = None,
    observed_from: datetime | None = None,
    observed_before: datetime | None = None,
    agreement_id: str | None = None,
    id_from: str | None = None,
    id_before: str | None = None,
    chunk: int = 5000,
) -> Iterator[IncidentFacts]:
    """Every incident ``scope`` may read, by id (oldest first), as ``IncidentFacts``.

    Filters: ``ids``; the observation's start in ``[observed_from, observed_before)``;
    ``agreement_id``; the id in ``[id_from, id_before)`` (a part of a split export).
    Figures derived from reports (``casualties``, ``channels``, ``sources``) count only the
    reports the viewer may read; the public gets titles and summaries with the names of
    persons redacted. Read in chunks by id (keyset), each with
    its reports (and, for the public, tasks) in one query.
    """
    wanted = sorted(set(ids)) if ids is not None else None
    table = IncidentRow.__table__.c
    # Core rows with no result processing: the datetimes as the driver gives them (``_utc``)
    # and the decision as its JSON text (or, on PostgreSQL, as the driver decodes it),
    # parsed only when there is one: most incidents have none.
    query = (
        select(
            *(table[name] for name in _FACT_COLUMNS),
            *(type_coerce(table[name], Text).label(name) for name in _FACT_TIMES),
            type_coerce(IncidentRow.decision, Text).label("decision"),
        )
        .where(scope.clause(IncidentRow))
        .order_by(IncidentRow.id)
    )
    if observed_from is not None:
        query = query.where(IncidentRow.observed_start >= observed_from)
    if observed_before is not None:
        query = query.where(IncidentRow.observed_start < observed_before)
    if agreement_id is not None:
        agreement_column: ColumnElement[str | None] = IncidentRow.agreement_id.expression
        if observed_from is not None or observed_before is not None:
            # The window is the selective condition (a day of a million incidents). Without
            # statistics SQLite prefers the equality's index, which holds every incident of
            # the agreement (2.4 s at 1M, against 2 ms): the coalesce hides that index.
            agreement_column = func.coalesce(agreement_column, "")
        query = query.where(agreement_column == agreement_id)
    if id_from is not None:
        query = query.where(IncidentRow.id >= id_from)
    if id_before is not None:
        query = query.where(IncidentRow.id < id_before)
    public = scope.viewer.is_public
    user_names = user_display_names(session) if public else set()
    ordered_user_names = withheld_order(user_names)
    # The read rule depends only on these four fields, and a million records share a few
    # hundred combinations of them: each is decided once.
    decided: dict[tuple[str, str, str, str | None], bool] = {}

    def may_read(classification: str, concerns: str, owner: str, agreement: str | None) -> bool:
        key = (classification, concerns, owner, agreement)
        known = decided.get(key)
        if known is None:
            known = decided[key] = scope.can_read(
                classification, concerns=concerns, owner_member=owner, agreement_id=agreement
            )
        return known

    connection = session.connection()

    def fetch(page: Select[Any]) -> list[Any]:
        # ``all()`` is one ``fetchall``; iterating the result fetches row by row.
        return list(connection.execute(page).all())

    for rows in id_pages(query, IncidentRow.id, fetch, chunk=chunk, wanted=wanted):
        readable = [
            r
            for r in rows
            if may_read(r.classification, r.concerns, r.owner_member, r.agreement_id)
        ]
        ids_here = [r.id for r in readable]
        reports_of = report_contents_by_incident(session, ids_here)
        names_of: dict[str, set[str]] = {}
        if public and ids_here:
            for task in session.scalars(
                select(InvestigationTaskRow).where(InvestigationTaskRow.incident_id.in_(ids_here))
            ):
                names = names_of.setdefault(task.incident_id, set())
                names.update(task.team)
                for rep in task.party_representatives:
                    names.update(rep.get("names") or [])
        # Free text names records by id: only those the reader may read (one query a chunk,
        # none where no text names one).
        hidden = unreadable_ids(session, scope, (t for r in readable for t in (r[2], r[3], r[12])))
        for row in readable:
            incident_id, title, summary, decision = row[0], row[2], row[3], row[19]
            position = row[10:15]
            if hidden:
                title = masked_text(title, hidden)
                summary = masked_text(summary, hidden) if summary else summary
                if position[2]:
                    position = (*row[10:12], masked_text(row[12], hidden), *row[13:15])
            reports = reports_of[incident_id]
            visible = [r for r in reports if may_read(r[2], r[3], r[4], r[5])]
            if public:
                # Reporters, team members, representatives, users (``_person_names``).
                extra = {reporter_of(r[6]) for r in reports} - {""}
                extra |= names_of.get(incident_id, set())
                ordered = withheld_order(extra | user_names) if extra else ordered_user_names
                title = redact_ordered(title, ordered) or ""
                summary = redact_ordered(summary, ordered)
            # Only the casualty figures are read from the content: most reports have none.
            figures = [c for r in visible if (c := r[6]) and '"casualties":{}' not in c]
            # The row: _FACT_COLUMNS (id … attributed_party, the position, owner), then
            # _FACT_TIMES, then the decision.
            yield IncidentFacts._make(
                (
                    incident_id,
                    row[1],
                    title,
                    summary,
                    *row[4:10],
                    _decision_state(decision) if decision is not None else None,
                    _utc(row[15]),
                    _utc(row[16]),
                    *position,
                    _utc(row[17]),
                    _utc(row[18]),
                    len(reports),
                    len(visible),
                    sorted({r[1] for r in visible}),
                    _worst_casualties(json.loads(c) for c in figures) if figures else {},
                )
            )


def incident_id_cuts(session: Session, parts: int) -> list[str]:
    """Ids that cut the incidents, by id, into ``parts`` runs of about as many each (fewer
    cuts where there are fewer incidents than parts): a split export's ranges."""
    count = session.execute(select(func.count()).select_from(IncidentRow)).scalar_one()
    cuts: list[str] = []
    for index in range(1, parts):
        cut = session.execute(
            select(IncidentRow.id).order_by(IncidentRow.id).offset(count * index // parts).limit(1)
        ).scalar()
        if cut is not None and (not cuts or cut > cuts[-1]):
            cuts.append(cut)
    return cuts


class RecordFilters(TypedDict, total=False):
    """``incident_facts``'s filters, as ``incident_records`` passes them on."""

    ids: Iterable[str] | None
    observed_from: datetime | None
    observed_before: datetime | None
    agreement_id: str | None
    id_from: str | None
    id_before: str | None


def incident_records(
    session: Session, scope: ReadScope, **filters: Unpack[RecordFilters]
) -> Iterator[dict[str, Any]]:
    """Every incident ``scope`` may read, oldest first, as a JSON-able record for exports
    and published reports (``incident_facts`` says what is read, and filters)."""
    public = scope.viewer.is_public
    for facts in incident_facts(session, scope, **filters):
        summary = facts.summary
        record: dict[str, Any] = {
            "id": facts.id,
            "agreement_id": facts.agreement_id,
            "title": facts.title,
            "summary": summary,
            "category": facts.category,
            "classification": facts.classification,
            "concerns": concerns_list(facts.concerns),
            "status": facts.status,
            "attribution": facts.attribution,
            "attributed_party": facts.attributed_party,
            "decision_state": facts.decision_state,
            "observed_start": facts.observed_start.isoformat(),
            "observed_end": facts.observed_end.isoformat(),
            "event_position": {
                "lat": facts.lat,
                "lon": facts.lon,
                "place_name": facts.place,
                "precision": facts.precision,
            },
            "report_count": facts.report_count,
            "sources": facts.sources,
            "channels": facts.channels,
            "casualties": facts.casualties,
            "created_at": facts.created_at.isoformat(),
            "updated_at": facts.updated_at.isoformat(),
        }
        if not public:
            record["owner_member"] = facts.owner_member
        yield record
