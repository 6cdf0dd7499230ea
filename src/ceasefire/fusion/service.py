"""Fusion's use cases: drain the queue of new reports into incidents, and let analysts
merge, split and undo.

**Automatic fusion.** Every intake path (the API, the CLI, the CSV import, news ingest,
the demo) queues the report it stores in the same transaction (the reports area's
``fusion_queue``). :func:`drain` takes the oldest queued reports, and in *one* unit of work
per batch compares each with the incidents of its own agreement near it in time
(``fusion.matcher.v7``; precise reports of a batch first, then its coarse and ambiguous
ones), links it to the best one or opens a new incident, records the
decision with its evidence (``fusion_decisions``, a ledger entry), and takes it off the
queue. A report that bridges two incidents which can be one event also merges them (a
``merged`` decision by fusion, undone like an analyst's). A crash before the commit leaves
the report queued; a submission never waits for fusion. The worker (:class:`FusionWorker`)
drains in the background of the API process; ``ceasefire fusion run`` drains from the
CLI, and the CLI's CSV import drains after it.

Fusion acts as the **system actor** ``centre/fusion`` (the centre member, user ``fusion``):
its ledger entries are signed with the centre's key and name that user.

**Security.** Reports of different agreements are never compared (candidates are read per
agreement). An incident fusion opens takes the most restrictive classification its reports
need (``incidents.service.fused_classification``); a report joining an incident makes the
incident stricter if needed, never looser.

**Analysts.** :func:`merge`, :func:`split` and :func:`undo` follow the incident
permissions: a monitor of the incidents' agreement, or an operator. Nothing is deleted: an
incident emptied by a merge keeps its row and history (``emptied_by``), an undone decision
names its undoing (``undone_by``), and each is a ledger entry.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ceasefire.access import Viewer
from ceasefire.actor import CENTRE_MEMBER_ID, Actor
from ceasefire.config import Settings
from ceasefire.db.context import ServiceContext
from ceasefire.errors import CeasefireError, Conflict, Forbidden, InvalidInput, NotFound, problem
from ceasefire.fusion.corroboration import corroboration
from ceasefire.fusion.events import FusionDecided, FusionTag
from ceasefire.fusion.matcher import (
    CURRENT_CONFIG,
    Assignment,
    arrival_order,
    assign_batch,
    new_matcher,
)
from ceasefire.fusion.model import TIME_SLACK_S, FusionReport, MatcherConfig, normalise_text
from ceasefire.fusion.places import areas_of, is_village, localities_named
from ceasefire.fusion.schemas import DecisionPublic, FusionSummary
from ceasefire.fusion.tables import FusionDecisionRow
from ceasefire.i18n.markers import N_
from ceasefire.ids import new_id
from ceasefire.incidents import service as incidents
from ceasefire.ledger.service import add_ledgered
from ceasefire.members.scope import ReadScope
from ceasefire.members.service import actor_of
from ceasefire.reports import service as reports
from ceasefire.reports.model import canonical_sha256
from ceasefire.timeutil import utcnow

log = logging.getLogger(__name__)

SYSTEM_ACTOR = Actor(member_id=CENTRE_MEMBER_ID, user_id="fusion")
"""Who fusion acts as: the centre member, user ``fusion``."""

DRAIN_BATCH = 200
"""Reports fused per unit of work at the most."""

WORKER_TURN_S = 0.1
"""How long the background worker's unit of work may go on fusing (it stops after the
report in hand; the rest stay queued for the next turn): it holds the write lock, so the
intake waits at most about this long behind it, however slow a batch would be (an incident
of thousands of reports, a dense neighbourhood)."""

WORKER_FIRST_BATCH = 25
"""The worker's first batch; then it grows or shrinks with its turns (``next_batch``)."""

WORKER_PAUSE_S = 0.01
"""Between two turns the worker leaves the write lock free this long, so a submission
waiting for it gets its turn before the next batch."""

MAX_SLACK_S = max(TIME_SLACK_S.values())
CHUNK_SPAN_S = 3 * 86_400.0
"""Reports of one batch are matched against the incidents of their time neighbourhood,
read once per span of this length (a batch of an old import may cover months)."""

SPLIT_GROUPER = "manual.split.v1"

VIEW_CACHE = 50_000
"""Views of reports one drain keeps (parsed once, compared by many batches)."""

KIND_TAGS = {
    "new_incident": FusionTag.NEW_INCIDENT,
    "linked": FusionTag.LINKED,
    "left_alone": FusionTag.LEFT_ALONE,
    "merged": FusionTag.MERGED,
    "split": FusionTag.SPLIT,
    "undone": FusionTag.UNDONE,
}


@dataclass
class DrainResult:
    """What one drain did."""

    reports: int = 0
    new_incidents: int = 0
    linked: int = 0
    left_alone: int = 0
    merged: int = 0
    """Incidents merged into another because a report bridged them (``fusion.matcher.v3``
    and later)."""
    batches: int = 0

    def to_dict(self) -> dict[str, int]:
        return asdict(self)


# ------------------------------------------------------------------------ the matcher's view


def view_of(row: Any) -> FusionReport:
    """The matcher's view of a stored report (``InvalidInput`` if it cannot be fused)."""
    content = reports.content_of(row)
    position = content.event_position
    point = position.point
    district, region = areas_of(
        point.lat if point else None,
        point.lon if point else None,
        position.place_name,
        int(position.precision),
    )
    return FusionReport.from_content(
        row.id,
        content,
        district=district,
        region=region,
        submitter=row.owner_member,
        localities=localities_named(normalise_text(content.narrative)),
        place_is_village=is_village(position.place_name),
    )


# ------------------------------------------------------------------------------ decisions


def _record(
    session: Session,
    settings: Settings,
    actor: Actor,
    *,
    kind: str,
    agreement_id: str | None,
    report_ids: Sequence[str],
    incident_id: str | None,
    other_incident_id: str | None = None,
    matcher: str | None = None,
    score: float | None = None,
    evidence: dict[str, Any] | None = None,
    undoes: str | None = None,
    decision_id: str | None = None,
) -> FusionDecisionRow:
    row = FusionDecisionRow(
        id=decision_id or new_id("fus"),
        kind=kind,
        agreement_id=agreement_id,
        report_ids=list(report_ids),
        incident_id=incident_id,
        other_incident_id=other_incident_id,
        matcher=matcher,
        score=round(score, 4) if score is not None else None,
        evidence=evidence,
        evidence_sha256=canonical_sha256(evidence) if evidence is not None else None,
        actor_member=actor.member_id,
        actor_user=actor.user_id,
        decided_at=utcnow(),
        undoes=undoes,
        undone_by=None,
    )
    add_ledgered(
        session,
        settings,
        row,
        tag=KIND_TAGS[kind],
        subject=f"fusion/{row.id}",
        payload=decision_payload(row),
        actor=actor,
    )
    return row


def decision_payload(row: FusionDecisionRow) -> FusionDecided:
    """The ledger payload of a decision (the checker compares the row with it)."""
    return FusionDecided(
        {
            "decision_id": row.id,
            "kind": row.kind,
            "agreement_id": row.agreement_id,
            "report_ids": list(row.report_ids),
            "incident_id": row.incident_id,
            "other_incident_id": row.other_incident_id,
            "matcher": row.matcher,
            "score": row.score,
            "evidence_sha256": row.evidence_sha256,
            "undoes": row.undoes,
        }
    )


_MONITORS_ONLY = ("candidates", "runner_up", "set_aside", "incident_features")
"""The parts of an automatic decision's evidence only the agreement's monitors are shown
(:func:`_shown_evidence`)."""


def _shown_evidence(
    session: Session, scope: ReadScope, row: FusionDecisionRow
) -> dict[str, Any] | None:
    """The decision's evidence as the scope's viewer may see it. It names reports beyond the
    decision's own: the pair it compares may hold a report of *another* incident (the best
    candidate of a new incident), or a member the viewer may not read of an incident shared
    by the monitors (a bridging merge's pair), a bridging merge names the report that
    bridged and the link of that report the incident it merged; a pair's details (places,
    perpetrators) are its reports'. Each is hidden unless the viewer reads it.

    ``candidates`` (how many incidents the report was compared with), ``runner_up`` (the
    next one's score) and ``set_aside`` (v6: an incident of one coarse report's score, not
    counted as a rival) are taken over incidents of every classification, which are not
    stored: only the monitors of the agreement (and operators), who read them all, see them.
    So are ``incident_features`` (v7: the villages, count and actor of the best incident's
    members as a whole, which may be another incident's, of reports the viewer may not
    read). ``incident_score`` is the best incident's, withheld with the pair it rests on."""
    evidence = row.evidence
    if not evidence:
        return evidence

    def unreadable(report_id: Any) -> bool:
        if not report_id:
            return False
        found = reports.report_row(session, str(report_id))
        return found is None or not reports.readable_row(scope, found)

    shown = dict(evidence)
    pair = evidence.get("evidence")
    if isinstance(pair, dict) and any(
        unreadable(pair.get(key)) for key in ("report_id", "compared_with")
    ):
        shown["evidence"] = {
            "compared_with": None,
            "withheld": "compared with a report you may not read",
        }
        if "incident_score" in evidence:
            shown["incident_score"] = None
    if not scope.is_monitor(row.agreement_id):
        for key in _MONITORS_ONLY:
            if key in evidence:
                shown[key] = None
    if unreadable(evidence.get("bridged_by")):
        shown["bridged_by"] = None
    # An analyst's reason is free text: it names by id only the records the viewer reads.
    why = evidence.get("reason")
    if isinstance(why, str):
        shown["reason"] = reports.masked_text(why, reports.unreadable_ids(session, scope, [why]))
    merged = evidence.get("merged")
    if isinstance(merged, dict) and merged.get("incident_id"):
        try:
            incidents.readable_incident(session, scope, str(merged["incident_id"]))
        except NotFound:
            shown["merged"] = {"incident_id": None, "into": merged.get("into")}
    return shown


def _public(row: FusionDecisionRow) -> DecisionPublic:
    return DecisionPublic.model_validate(row, from_attributes=True)


# -------------------------------------------------------------------------- automatic fusion


def drain(
    ctx: ServiceContext,
    *,
    batch: int = DRAIN_BATCH,
    max_batches: int | None = None,
    turn_s: float | None = None,
    config: MatcherConfig = CURRENT_CONFIG,
    views: dict[str, FusionReport] | None = None,
) -> DrainResult:
    """Fuse queued reports, one unit of work per batch, until the queue is empty (or
    ``max_batches`` were done), with the matcher ``config`` names (the current one; a
    bench compares versions). With ``turn_s`` a batch stops once it has fused for that
    long (after at least one report) and leaves the rest queued, in order. ``views``: the
    matcher's views of reports already made (a worker's, from turn to turn)."""
    result = DrainResult()
    # The matcher's view of a report is immutable: kept for the drain (or the caller's).
    views = {} if views is None else views
    while max_batches is None or result.batches < max_batches:
        try:
            done = _drain_batch(ctx, batch, result, views, config, turn_s=turn_s)
        except CeasefireError:
            # One report the batch cannot take (a race with an analyst, a rule of the
            # incidents area): fuse this batch one report at a time, so only that one is
            # left alone, with the reason, and the queue moves on.
            log.warning("fusion: a batch failed; fusing its reports one at a time")
            done = _drain_singly(ctx, batch, result, config)
        if not done:
            break
        result.batches += 1
        result.reports += done
    return result


def _drain_batch(
    ctx: ServiceContext,
    batch: int,
    result: DrainResult,
    views: dict[str, FusionReport] | None = None,
    config: MatcherConfig = CURRENT_CONFIG,
    *,
    turn_s: float | None = None,
) -> int:
    partial = DrainResult()
    with ctx.unit_of_work() as session:
        rows = reports.queued_for_fusion(session, batch)
        deadline = None if turn_s is None else time.monotonic() + turn_s
        views = {} if views is None else views
        done = _fuse(session, ctx.settings, rows, partial, views, config, deadline)
        if done:
            reports.dequeue_for_fusion(session, done)
    result.new_incidents += partial.new_incidents
    result.linked += partial.linked
    result.left_alone += partial.left_alone
    result.merged += partial.merged
    return len(done)


def _drain_singly(
    ctx: ServiceContext, batch: int, result: DrainResult, config: MatcherConfig
) -> int:
    done = 0
    for _ in range(batch):
        try:
            count = _drain_batch(ctx, 1, result, None, config)
        except CeasefireError as exc:
            with ctx.unit_of_work() as session:
                (row,) = reports.queued_for_fusion(session, 1)
                _leave_alone(session, ctx.settings, row, f"cannot be fused: {exc.message}")
                reports.dequeue_for_fusion(session, [row.id])
            result.left_alone += 1
            count = 1
        if not count:
            break
        done += count
    return done


def queue_length(ctx: ServiceContext) -> int:
    """How many reports wait for fusion."""
    with ctx.reader() as session:
        return reports.fusion_queue_length(session)


def backfill(ctx: ServiceContext) -> int:
    """Queue every stored report that is in no incident and on which fusion never decided
    (reports stored before fusion existed); ``ceasefire fusion backfill`` then ``run``."""
    with ctx.unit_of_work() as session:
        decided = {
            rid for ids in session.scalars(select(FusionDecisionRow.report_ids)) for rid in ids
        }
        return reports.enqueue_unfused(session, skip=decided)


def _fuse(
    session: Session,
    settings: Settings,
    rows: Sequence[Any],
    result: DrainResult,
    views: dict[str, FusionReport],
    config: MatcherConfig,
    deadline: float | None = None,
) -> list[str]:
    """Fuse ``rows``; the ids of those decided on (all of them, unless ``deadline``, a
    ``time.monotonic()`` instant, passed: then the first ones decided, the rest left for a
    later batch)."""
    done: list[str] = []
    already = dict(reports.grouped_reports(session, [r.id for r in rows]))
    by_agreement: dict[str | None, list[tuple[Any, FusionReport]]] = defaultdict(list)
    for row in rows:
        if row.id in already:
            _leave_alone(session, settings, row, f"already in incident {already[row.id]}")
            result.left_alone += 1
            done.append(row.id)
            continue
        try:
            view = view_of(row)
        except CeasefireError as exc:
            _leave_alone(session, settings, row, f"cannot be fused: {exc.message}")
            result.left_alone += 1
            done.append(row.id)
            continue
        if len(views) >= VIEW_CACHE:
            views.clear()
        views[row.id] = view
        by_agreement[row.agreement_id].append((row, view))
    for agreement_id, items in by_agreement.items():
        ordered = arrival_order(view for _, view in items)
        by_id = {row.id: row for row, _ in items}
        for chunk in _chunks(ordered):
            if _out_of_time(done, deadline):
                return done
            _fuse_chunk(
                session, settings, agreement_id, chunk, by_id, result, views, config, done, deadline
            )
    return done


def _out_of_time(done: Sequence[str], deadline: float | None) -> bool:
    """Whether a bounded batch stops here: its deadline passed and it decided on a report
    (every batch decides on one at least, so the queue always moves)."""
    return bool(done) and deadline is not None and time.monotonic() > deadline


def _chunks(ordered: list[FusionReport]) -> list[list[FusionReport]]:
    chunks: list[list[FusionReport]] = []
    for view in ordered:
        if chunks and view.start - chunks[-1][0].start <= CHUNK_SPAN_S:
            chunks[-1].append(view)
        else:
            chunks.append([view])
    return chunks


def _instant(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def _fuse_chunk(
    session: Session,
    settings: Settings,
    agreement_id: str | None,
    chunk: list[FusionReport],
    by_id: dict[str, Any],
    result: DrainResult,
    views: dict[str, FusionReport],
    config: MatcherConfig,
    done: list[str],
    deadline: float | None = None,
) -> None:
    """Fuse a chunk, adding the ids decided on to the batch's ``done`` (stopping after the
    report in hand once ``deadline`` passed)."""
    low = min(v.start - v.slack for v in chunk) - MAX_SLACK_S
    high = max(v.end + v.slack for v in chunk) + MAX_SLACK_S
    matcher = new_matcher(config, new_incident_id=lambda _n: new_id("inc"))
    name = config.name
    members: dict[str, list[FusionReport]] = defaultdict(list)
    near = reports.grouped_near_ids(session, agreement_id, _instant(low), _instant(high))
    unseen = [report_id for _, report_id in near if report_id not in views]
    for row in reports.rows_by_id(session, unseen):
        try:
            views[row.id] = view_of(row)
        except CeasefireError:
            continue
    for incident_id, report_id in near:
        if report_id in views:
            members[incident_id].append(views[report_id])
    for incident_id, held in members.items():
        matcher.add_incident(incident_id, held)
    # The chunk is the deferral window of v2: its precise reports are decided first.
    for assignment in assign_batch(matcher, chunk):
        if _out_of_time(done, deadline):
            break
        row = by_id[assignment.report_id]
        evidence = assignment.to_dict()
        score = assignment.evidence.score if assignment.evidence else None
        if assignment.created:
            incidents.open_fused_incident(
                session,
                settings,
                SYSTEM_ACTOR,
                assignment.incident_id,
                [row],
                grouped_by=name,
            )
            result.new_incidents += 1
            kind = "new_incident"
        else:
            incidents.add_fused_reports(
                session,
                settings,
                SYSTEM_ACTOR,
                assignment.incident_id,
                [row],
                why=f"{name} linked {row.id}",
            )
            result.linked += 1
            kind = "linked"
        _record(
            session,
            settings,
            SYSTEM_ACTOR,
            kind=kind,
            agreement_id=agreement_id,
            report_ids=[row.id],
            incident_id=assignment.incident_id,
            matcher=name,
            score=score,
            evidence=evidence,
        )
        if assignment.merged_incident_id is not None:
            _bridging_merge(session, settings, agreement_id, assignment, row.id)
            result.merged += 1
        done.append(row.id)


def _bridging_merge(
    session: Session,
    settings: Settings,
    agreement_id: str | None,
    assignment: Assignment,
    report_id: str,
) -> None:
    """The merge a bridging report made (``fusion.matcher.v3`` and later): every report of the
    merged incident moves into the one the report joined, as an analyst's merge would
    (the merged incident keeps its row and history; the decision can be undone)."""
    target, source = assignment.incident_id, str(assignment.merged_incident_id)
    decision_id = new_id("fus")
    moving = _move_all(
        session,
        settings,
        SYSTEM_ACTOR,
        target,
        source,
        decision_id,
        why=f"{assignment.matcher} bridged by {report_id}",
    )
    bridge = assignment.bridge
    _record(
        session,
        settings,
        SYSTEM_ACTOR,
        kind="merged",
        agreement_id=agreement_id,
        report_ids=moving,
        incident_id=target,
        other_incident_id=source,
        matcher=assignment.matcher,
        score=bridge.score if bridge is not None else None,
        evidence={
            "matcher": assignment.matcher,
            "decision": "merged",
            "by": "fusion",
            "bridged_by": report_id,
            "evidence": bridge.to_dict() if bridge is not None else None,
        },
        decision_id=decision_id,
    )


def _move_all(
    session: Session,
    settings: Settings,
    actor: Actor,
    target_id: str,
    source_id: str,
    decision_id: str,
    *,
    why: str,
) -> list[str]:
    """Move every report of ``source_id`` into ``target_id`` (a merge, by an analyst or by
    fusion); the ids moved. The source keeps its row and history, emptied."""
    moving = [r.id for r in reports.rows_of_incident(session, source_id)]
    why = f"merged into {target_id} ({decision_id}): {why}"
    taken = incidents.take_out_reports(
        session, settings, actor, source_id, moving, why=why, decision_id=decision_id
    )
    incidents.add_fused_reports(session, settings, actor, target_id, taken, why=why)
    return moving


def _leave_alone(session: Session, settings: Settings, row: Any, reason: str) -> None:
    _record(
        session,
        settings,
        SYSTEM_ACTOR,
        kind="left_alone",
        agreement_id=row.agreement_id,
        report_ids=[row.id],
        incident_id=None,
        matcher=CURRENT_CONFIG.name,
        evidence={"matcher": CURRENT_CONFIG.name, "decision": "left_alone", "reason": reason},
    )


# ------------------------------------------------------------------------------- analysts


def _check_reason(reason: str | None) -> str | None:
    if reason is not None and len(reason) > 2_000:
        raise InvalidInput.worded(
            N_("reason too long"), details=[problem("reason", N_("at most 2000 characters"))]
        )
    return reason


def _analyst_decision(
    session: Session,
    settings: Settings,
    actor: Actor,
    kind: str,
    decision_id: str,
    *,
    agreement_id: str | None,
    report_ids: Sequence[str],
    into: str,
    out_of: str,
    reason: str | None,
) -> DecisionPublic:
    """Record an analyst's regrouping (``merged`` or ``split``): ``report_ids`` moved from
    the incident ``out_of`` into ``into``; what its decision says besides is who made it
    and why."""
    row = _record(
        session,
        settings,
        actor,
        kind=kind,
        agreement_id=agreement_id,
        report_ids=report_ids,
        incident_id=into,
        other_incident_id=out_of,
        evidence={"decision": kind, "by": "analyst", "reason": reason},
        decision_id=decision_id,
    )
    return _public(row)


def merge(
    ctx: ServiceContext,
    viewer: Viewer,
    target_id: str,
    source_id: str,
    *,
    reason: str | None = None,
) -> DecisionPublic:
    """Move every report of incident ``source_id`` into ``target_id`` (an analyst's merge);
    the source keeps its row and history, emptied."""
    if target_id == source_id:
        raise InvalidInput.worded(
            N_("an incident cannot be merged into itself"),
            details=[problem("incident_id", N_("same"))],
        )
    reason = _check_reason(reason)
    actor = actor_of(viewer)
    with ctx.unit_of_work() as session:
        _scope, agreement_id = incidents.regroup_scope(
            session,
            viewer,
            [target_id, source_id],
            N_("only monitors (or operators) may merge incidents"),
        )
        for incident_id in (target_id, source_id):
            found = incidents.fused_incident(session, incident_id)
            if found is not None and found.emptied_by is not None:
                raise Conflict.worded(
                    N_("incident %(incident_id)s holds no reports (emptied by %(emptied_by)s)"),
                    details=[problem("incident_id", N_("emptied"))],
                    incident_id=incident_id,
                    emptied_by=found.emptied_by,
                )
        decision_id = new_id("fus")
        moving = _move_all(
            session, ctx.settings, actor, target_id, source_id, decision_id, why="by an analyst"
        )
        return _analyst_decision(
            session,
            ctx.settings,
            actor,
            "merged",
            decision_id,
            agreement_id=agreement_id,
            report_ids=moving,
            into=target_id,
            out_of=source_id,
            reason=reason,
        )


def split(
    ctx: ServiceContext,
    viewer: Viewer,
    incident_id: str,
    report_ids: Sequence[str],
    *,
    reason: str | None = None,
) -> DecisionPublic:
    """Take ``report_ids`` out of the incident into a new incident of their own."""
    reason = _check_reason(reason)
    wanted = list(dict.fromkeys(report_ids))
    if not wanted:
        raise InvalidInput.worded(
            N_("name the reports to split off"), details=[problem("report_ids", N_("empty"))]
        )
    actor = actor_of(viewer)
    with ctx.unit_of_work() as session:
        _scope, agreement_id = incidents.regroup_scope(
            session, viewer, [incident_id], N_("only monitors (or operators) may split incidents")
        )
        current = {r.id for r in reports.rows_of_incident(session, incident_id)}
        if set(wanted) >= current:
            raise InvalidInput.worded(
                N_("a split leaves at least one report in the incident"),
                details=[problem("report_ids", N_("names every report of the incident"))],
            )
        decision_id = new_id("fus")
        new_incident = new_id("inc")
        why = f"split off into {new_incident} ({decision_id})"
        taken = incidents.take_out_reports(
            session, ctx.settings, actor, incident_id, wanted, why=why, decision_id=decision_id
        )
        incidents.open_fused_incident(
            session, ctx.settings, actor, new_incident, taken, grouped_by=SPLIT_GROUPER
        )
        return _analyst_decision(
            session,
            ctx.settings,
            actor,
            "split",
            decision_id,
            agreement_id=agreement_id,
            report_ids=wanted,
            into=new_incident,
            out_of=incident_id,
            reason=reason,
        )


def undo(
    ctx: ServiceContext, viewer: Viewer, decision_id: str, *, reason: str | None = None
) -> DecisionPublic:
    """Undo a decision, automatic or manual, as a new decision (nothing is deleted).

    A link or a new incident: the report leaves the incident and is left alone (fusion does
    not take it again). A merge: the reports go back to the emptied incident. A split: the
    reports go back to the incident they were split from. A report left alone is queued
    for fusion again. An undo is not undone: decide again instead.
    """
    reason = _check_reason(reason)
    actor = actor_of(viewer)
    with ctx.unit_of_work() as session:
        row = session.get(FusionDecisionRow, decision_id)
        involved = [i for i in (row.incident_id, row.other_incident_id) if i] if row else []
        # A decision naming a record the caller may not read is as absent as an unknown one
        # (``get_decision``'s rule): the checks below would name its incidents.
        if row is None or not _may_open(session, ReadScope.load(session, viewer), row):
            raise NotFound.worded(N_("no fusion decision %(id)s"), id=repr(decision_id))
        if involved:
            incidents.regroup_scope(
                session,
                viewer,
                involved,
                N_("only monitors (or operators) may undo grouping decisions"),
            )
        else:
            _require_report_monitor(session, viewer, row)
        if row.undone_by is not None:
            raise Conflict.worded(
                N_("decision %(decision_id)s was undone by %(undone_by)s"),
                details=[problem("decision_id", N_("already undone"))],
                decision_id=decision_id,
                undone_by=row.undone_by,
            )
        if row.kind == "undone":
            raise Conflict.worded(
                N_("an undo is not undone; decide again (link, merge or split)"),
                details=[problem("decision_id", N_("an undo"))],
            )
        undo_id = new_id("fus")
        why = f"undo of {decision_id} ({undo_id})"
        ids = list(row.report_ids)
        back_to: str | None = None
        if row.kind in ("linked", "new_incident", "merged", "split"):
            _still_in(session, row.incident_id, ids, decision_id)
            taken = incidents.take_out_reports(
                session,
                ctx.settings,
                actor,
                str(row.incident_id),
                ids,
                why=why,
                decision_id=undo_id,
            )
            if row.kind in ("merged", "split"):
                back_to = row.other_incident_id
                incidents.add_fused_reports(
                    session, ctx.settings, actor, str(back_to), taken, why=why
                )
        elif row.kind == "left_alone":
            free = [rid for rid, _ in reports.grouped_reports(session, ids)]
            queued = [rid for rid in ids if rid not in free]
            reports.enqueue_for_fusion(session, queued, at=utcnow())
        undone = _record(
            session,
            ctx.settings,
            actor,
            kind="undone",
            agreement_id=row.agreement_id,
            report_ids=ids,
            incident_id=back_to,
            other_incident_id=row.incident_id,
            evidence={"decision": "undone", "undoes": row.id, "kind": row.kind, "reason": reason},
            undoes=row.id,
            decision_id=undo_id,
        )
        row.undone_by = undone.id
        return _public(undone)


def _require_report_monitor(session: Session, viewer: Viewer, row: FusionDecisionRow) -> None:
    scope = ReadScope.load(session, viewer)
    for rid in row.report_ids:
        if (found := reports.report_row(session, rid)) is None or not reports.readable_row(
            scope, found
        ):
            raise NotFound.worded(N_("no fusion decision %(id)s"), id=repr(row.id))
    if not scope.is_monitor(row.agreement_id):
        raise Forbidden.worded(N_("only monitors (or operators) may undo grouping decisions"))


def _still_in(
    session: Session, incident_id: str | None, report_ids: Sequence[str], decision_id: str
) -> None:
    where = dict(reports.grouped_reports(session, report_ids))
    moved = [rid for rid in report_ids if where.get(rid) != incident_id]
    if moved:
        raise Conflict.worded(
            N_("the reports of %(decision_id)s have moved since; undo the later decisions first"),
            details=[
                problem(
                    "decision_id",
                    N_("%(rid)s is no longer in %(incident_id)s"),
                    rid=rid,
                    incident_id=incident_id,
                )
                for rid in moved
            ],
            decision_id=decision_id,
        )


# --------------------------------------------------------------------------------- reading


def readable_decisions(session: Session, viewer: Viewer, decision_ids: Iterable[str]) -> set[str]:
    """Of ``decision_ids``, those ``viewer`` may read: :func:`_may_open`'s rule for a batch
    (what the ledger shows of fusion decisions), one query per kind of record."""
    ids = sorted(set(decision_ids))
    if not ids:
        return set()
    rows = list(session.scalars(select(FusionDecisionRow).where(FusionDecisionRow.id.in_(ids))))
    incident_ids = {i for r in rows for i in (r.incident_id, r.other_incident_id) if i}
    readable_incidents = incidents.readable_incidents(session, viewer, incident_ids)
    readable_reports = reports.readable_reports(
        session, viewer, {rid for r in rows for rid in r.report_ids}
    )
    return {
        r.id
        for r in rows
        if readable_incidents.issuperset(i for i in (r.incident_id, r.other_incident_id) if i)
        and readable_reports.issuperset(r.report_ids)
    }


def wholly_readable_decisions(
    session: Session, viewer: Viewer, decision_ids: Iterable[str]
) -> set[str]:
    """Of ``decision_ids``, those ``viewer`` may read (:func:`readable_decisions`) and is
    shown with their whole evidence (:func:`_shown_evidence` withholds or masks none of
    it): what the ledger shows of a decision goes through it. Its payload holds the
    evidence's digest, which would confirm a guess of what was withheld -- an analyst's
    reason with an id shown as ``[…]`` (every incident id is in some header), the number of
    incidents compared (a few values)."""
    readable = readable_decisions(session, viewer, decision_ids)
    if not readable or viewer.operator:
        return readable
    scope = ReadScope.load(session, viewer)
    rows = session.scalars(select(FusionDecisionRow).where(FusionDecisionRow.id.in_(readable)))
    return {
        r.id
        for r in rows
        # Whether a part only monitors see was there, not whether it held something: which
        # entries are withheld must not tell that either.
        if (scope.is_monitor(r.agreement_id) or not set(r.evidence or ()) & set(_MONITORS_ONLY))
        and _shown_evidence(session, scope, r) == r.evidence
    }


def _may_open(
    session: Session,
    scope: ReadScope,
    row: FusionDecisionRow,
    *,
    readable_reports: Collection[str] = (),
) -> bool:
    """Whether the scope's viewer may read every incident and report ``row`` names: the
    one check for showing a decision, alone or in an incident's summary (a merge names the
    incident emptied, a split the one it opened; either may be one the viewer may not
    read). ``readable_reports``: reports already judged readable."""
    for incident_id in (row.incident_id, row.other_incident_id):
        if incident_id:
            try:
                incidents.readable_incident(session, scope, incident_id)
            except NotFound:
                return False
    for rid in row.report_ids:
        if rid in readable_reports:
            continue
        found = reports.report_row(session, rid)
        if found is None or not reports.readable_row(scope, found):
            return False
    return True


def summary(ctx: ServiceContext, viewer: Viewer, incident_id: str) -> FusionSummary:
    """The incident's independent sources (of the reports the viewer may read) and the
    decisions that shaped it, with their evidence (members only; the public gets counts)."""
    with ctx.reader() as session:
        scope = ReadScope.load(session, viewer)
        incident = incidents.readable_incident(session, scope, incident_id)
        rows = [
            r
            for r in reports.rows_of_incident(session, incident_id)
            if reports.readable_row(scope, r)
        ]
        views = []
        narratives = {}
        contents = []
        for row in rows:
            try:
                views.append(view_of(row))
            except CeasefireError:
                continue
            content = reports.content_of(row)
            contents.append(content)
            if content.narrative:
                narratives[row.id] = content.narrative
        found = corroboration(views, narratives=narratives)
        # A source keyed by a post or sensor the viewer may not read is listed without it.
        hidden = reports.unreadable_sources(session, viewer, contents)
        readable = {r.id for r in rows}
        decisions = [
            d
            for d in session.scalars(
                select(FusionDecisionRow)
                .where(
                    (FusionDecisionRow.incident_id == incident_id)
                    | (FusionDecisionRow.other_incident_id == incident_id)
                )
                .order_by(FusionDecisionRow.id)
            )
            if (set(d.report_ids) <= readable or viewer.operator)
            and _may_open(session, scope, d, readable_reports=readable)
        ]
        by_kind = found.by_kind()
        text = ", ".join(f"{n} {kind}" for kind, n in by_kind.items())
        public = viewer.is_public
        return FusionSummary(
            incident_id=incident.id,
            reports=found.reports,
            independent_sources=found.independent_sources,
            by_kind=by_kind,
            summary=f"{found.independent_sources} independent source"
            + ("" if found.independent_sources == 1 else "s")
            + (f" ({text})" if text else ""),
            method=found.method,
            sources=[]
            if public
            else [
                {**s.to_dict(), "key": None if s.key in hidden else s.key} for s in found.sources
            ],
            decisions=[]
            if public
            else [
                _public(d).model_copy(update={"evidence": _shown_evidence(session, scope, d)})
                for d in decisions
            ],
        )


def get_decision(ctx: ServiceContext, viewer: Viewer, decision_id: str) -> DecisionPublic:
    """One decision, for a reader of its incident and its reports."""
    with ctx.reader() as session:
        scope = ReadScope.load(session, viewer)
        row = session.get(FusionDecisionRow, decision_id)
        if row is None or viewer.is_public or not _may_open(session, scope, row):
            raise NotFound.worded(N_("no fusion decision %(id)s"), id=repr(decision_id))
        return _public(row).model_copy(update={"evidence": _shown_evidence(session, scope, row)})


# --------------------------------------------------------------------------------- worker


def next_batch(batch: int, took_s: float) -> int:
    """The worker's next batch size after a turn that took ``took_s``: halved when the turn
    ran past twice its budget, doubled (up to ``DRAIN_BATCH``) when it took under half.

    The turn's budget bounds the writes only; the batch's matching comes before them (in a
    dense neighbourhood 200 reports took 2 s to rank), so the batch itself must shrink."""
    if took_s > 2 * WORKER_TURN_S:
        return max(1, batch // 2)
    if took_s < WORKER_TURN_S / 2:
        return min(DRAIN_BATCH, batch * 2)
    return batch


class FusionWorker:
    """Drains the fusion queue in a background thread of the API process: every
    ``interval`` seconds, or at once when woken. Stopping waits for the batch in hand."""

    def __init__(self, ctx: ServiceContext, interval: float) -> None:
        self.ctx = ctx
        self.interval = interval
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name="fusion-worker", daemon=True)
        self._batch = WORKER_FIRST_BATCH
        self._views: dict[str, FusionReport] = {}
        """The matcher's views of reports, kept from turn to turn (a report's view never
        changes): a turn reads from the database only the reports it has not seen."""

    def start(self) -> Callable[[], None]:
        self._thread.start()
        return self.stop

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=60)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                started = time.monotonic()
                drain(
                    self.ctx,
                    batch=self._batch,
                    max_batches=1,
                    turn_s=WORKER_TURN_S,
                    views=self._views,
                )
                self._batch = next_batch(self._batch, time.monotonic() - started)
                more = queue_length(self.ctx) > 0
            except Exception:  # a bad batch must not stop fusion: logged, retried
                log.exception("fusion worker: a batch failed; it stays queued")
                more = False
            if more and not self._stop.is_set():
                self._stop.wait(WORKER_PAUSE_S)
                continue
            self._wake.wait(self.interval)
            self._wake.clear()


def start_worker(ctx: ServiceContext) -> Callable[[], None] | None:
    """Start the background worker (the app's lifespan); ``None`` when disabled
    (``CEASEFIRE_FUSION_INTERVAL_S=0``)."""
    interval = ctx.settings.fusion_interval_s
    if interval <= 0:
        return None
    return FusionWorker(ctx, interval).start()


def drain_all(ctx: ServiceContext) -> dict[str, int]:
    """Drain until empty (the CLI import's and the demo's hook)."""
    return drain(ctx).to_dict()
