"""Compliance use cases: evaluate the agreements' rules, store and show their findings,
and say where the watched deadlines stand.

Incident rules run by themselves: the incidents area announces every change to what an
incident is (``incident_changed``, registered in this area's ``Area.hooks``) inside its unit
of work, and ``on_incident_changed`` re-evaluates that one incident there, so the findings
commit with the change. Likewise the agreements area announces every new version loaded and
every provision status recorded (``agreement_changed``), and ``on_agreement_changed``
re-evaluates all the agreement's incidents in that unit of work: a rule removed withdraws its
findings, a handover recorded starts the rules that wait for it. ``evaluate`` re-runs every
incident of an agreement on demand and says what changed.

A finding is recorded once and then only withdrawn: each is one
``compliance:finding:recorded`` entry, each withdrawal one ``compliance:finding:withdrawn``,
signed by the centre (the rules are the centre's, not a member's view). Who may read a
finding is who may read its incident, and only where the finding rests on what that reader
reads of it: ``shown_incidents`` decides; a withdrawn finding is its agreement's monitors'
(``shown_findings``; docs/compliance.md, "Who sees them").
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ceasefire.access import Viewer
from ceasefire.actor import Actor
from ceasefire.agreements import service as agreements
from ceasefire.agreements.rules import DeadlineRule, ZoneRule
from ceasefire.agreements.service import StoredAgreement, current_agreement, history_as_read
from ceasefire.compliance.events import ComplianceTag, FindingRecorded, FindingWithdrawn
from ceasefire.compliance.model import (
    ComplianceEvaluator,
    DeadlineStatus,
    Finding,
    FindingLevel,
    IncidentFacts,
    ZoneGeometry,
    diff_findings,
    zone_geometries,
)
from ceasefire.compliance.model import (
    deadline_states as pure_deadline_states,
)
from ceasefire.compliance.schemas import (
    DeadlinesPublic,
    DeadlineStatePublic,
    EvaluationPublic,
    FindingPublic,
    ProvisionHistoryPublic,
)
from ceasefire.compliance.tables import FindingRow
from ceasefire.db.context import SESSION_CONTEXT_KEY, ServiceContext
from ceasefire.errors import Forbidden, InvalidInput, NotFound, problem
from ceasefire.i18n.markers import N_
from ceasefire.ids import new_id
from ceasefire.incidents.model import IncidentSnapshot
from ceasefire.incidents.service import (
    incident_snapshots,
    readable_incidents,
    snapshots_as_all_read,
    snapshots_as_read,
)
from ceasefire.ledger.entry import text_sha256
from ceasefire.ledger.service import NewEntry, append_many
from ceasefire.members.scope import ReadScope
from ceasefire.reports.model import Category
from ceasefire.timeutil import ensure_utc, utcnow

INCIDENT_CHANGED = "incident_changed"
EVALUATION = "evaluation"
_CATEGORIES = {c.value: c for c in Category}
_ZONES_CACHE_KEY = "compliance.zones"
_ZONES_CACHE_SIZE = 16
_UPDATE_CHUNK = 1000  # ids per UPDATE ... IN (...): well under every backend's bound limit


_COLUMN_OF_FIELD = {"provision": "provision_id", "zone": "zone_id", "incident": "incident_id"}
"""The fields of a finding its row names otherwise (by the id they hold); every other field is
the column of the same name."""


def _finding_columns(finding: Finding) -> dict[str, Any]:
    """``finding``'s fields as its row's columns (as :meth:`Finding.to_dict` has them: the
    level by value, the reasons as a list)."""
    return {_COLUMN_OF_FIELD.get(name, name): value for name, value in finding.to_dict().items()}


def _as_finding(row: FindingRow) -> Finding:
    return Finding(
        rule_id=row.rule_id,
        rule=row.rule,
        level=FindingLevel(row.level),
        provision=row.provision_id,
        zone=row.zone_id,
        incident=row.incident_id,
        party=row.party,
        reasons=tuple(row.reasons),
    )


_RULES_ACTOR = Actor.centre(user_id=None)
"""Who signs a finding's entries: the centre, whose rules they are (no user runs them)."""


def _finding_entry(
    tag: ComplianceTag, row: FindingRow, payload: FindingRecorded | FindingWithdrawn
) -> NewEntry:
    return NewEntry(tag=tag, subject=f"finding/{row.id}", payload=payload, actor=_RULES_ACTOR)


def reasons_sha256(reasons: Sequence[str]) -> str:
    """The digest the ledger keeps of a finding's reasons (JSON list, UTF-8)."""
    return text_sha256(json.dumps(list(reasons), ensure_ascii=False, separators=(",", ":")))


RECORDED_COLUMNS = (
    "agreement_id",
    "agreement_version",
    "rule_id",
    "rule",
    "level",
    "provision_id",
    "zone_id",
    "incident_id",
    "party",
)
"""The columns of a finding that ``compliance:finding:recorded`` records as they are."""


def recorded_fields(row: FindingRow) -> dict[str, Any]:
    """What the ledger records of a finding row beside its id and cause: the
    ``RECORDED_COLUMNS`` and its reasons' digest (the checker compares these too)."""
    fields = {name: getattr(row, name) for name in RECORDED_COLUMNS}
    fields["reasons_sha256"] = reasons_sha256(row.reasons)
    return fields


def public(row: FindingRow) -> FindingPublic:
    return FindingPublic.model_validate(row, from_attributes=True)


# -- evaluation -----------------------------------------------------------------------------


def _zones(session: Session, stored: StoredAgreement) -> dict[str, ZoneGeometry]:
    """The version's zones prepared once per context (a version's zones never change)."""
    ctx = session.info.get(SESSION_CONTEXT_KEY)
    if not isinstance(ctx, ServiceContext):
        return zone_geometries(stored.agreement)
    cache: dict[str, dict[str, ZoneGeometry]] = ctx.caches.setdefault(_ZONES_CACHE_KEY, {})
    found = cache.get(stored.content_sha256)
    if found is None:
        if len(cache) >= _ZONES_CACHE_SIZE:
            cache.pop(next(iter(cache)))
        found = cache[stored.content_sha256] = zone_geometries(stored.agreement)
    return found


def _evaluator(session: Session, stored: StoredAgreement) -> ComplianceEvaluator:
    agreement = stored.agreement
    return ComplianceEvaluator(agreement, agreement.rules, _zones(session, stored))


def incident_facts(snapshot: IncidentSnapshot) -> IncidentFacts:
    """What the zone rules read of an incident: its actor is the attributed party, else the
    one party its reports allege (several alleged: unknown)."""
    actor, attributed = snapshot.attributed_party, snapshot.attributed_party is not None
    if actor is None and len(snapshot.alleged) == 1:
        [actor] = snapshot.alleged
    return IncidentFacts(
        id=snapshot.id,
        categories=frozenset(_CATEGORIES[c] for c in snapshot.categories if c in _CATEGORIES),
        start=snapshot.observed_start,
        end=snapshot.observed_end,
        lat=snapshot.lat,
        lon=snapshot.lon,
        where_precision=snapshot.precision,
        actor=actor,
        attributed=attributed,
    )


@dataclass
class _Changes:
    new: list[FindingRow]
    withdrawn: list[FindingRow]
    unchanged: int


def _reconcile(
    session: Session,
    stored: StoredAgreement,
    current: Iterable[FindingRow],
    found: Iterable[Finding],
    *,
    cause: str,
) -> _Changes:
    """Withdraw the ``current`` findings ``found`` no longer makes (or makes otherwise: level,
    rule version or party) and record the new ones, each with its ledger entry, in the
    caller's unit of work.

    Batched, whatever the number of changes: one UPDATE for the withdrawals, one multi-row
    INSERT for the new findings and one for their ledger entries (``ledger.append_many``,
    withdrawals first, then records, in finding order, as one at a time would)."""
    ctx = session.info[SESSION_CONTEXT_KEY]
    rows = {row.id: row for row in current}
    before = {row_id: _as_finding(row) for row_id, row in rows.items()}
    row_of = {finding.key: rows[row_id] for row_id, finding in before.items()}
    diff = diff_findings(before.values(), found)
    now = utcnow()
    changes = _Changes([], [], len(before) - len(diff.removed) - len(diff.changed))
    entries: list[NewEntry] = []
    for old in (*diff.removed, *(old for old, _ in diff.changed)):
        row = row_of[old.key]
        changes.withdrawn.append(row)
        withdrawn = FindingWithdrawn(
            {"finding_id": row.id, "incident_id": row.incident_id, "cause": cause}
        )
        entries.append(_finding_entry(ComplianceTag.FINDING_WITHDRAWN, row, withdrawn))
    for finding in (*diff.added, *(new for _, new in diff.changed)):
        row = FindingRow(
            id=new_id("fnd"),
            agreement_id=stored.agreement.id,
            agreement_version=stored.version,
            **_finding_columns(finding),
            found_at=now,
            withdrawn_at=None,
            withdrawn_by=None,
        )
        changes.new.append(row)
        recorded = cast(
            FindingRecorded, {"finding_id": row.id, **recorded_fields(row), "cause": cause}
        )
        entries.append(_finding_entry(ComplianceTag.FINDING_RECORDED, row, recorded))
    if not entries:
        return changes
    withdrawn_ids = [row.id for row in changes.withdrawn]
    for first in range(0, len(withdrawn_ids), _UPDATE_CHUNK):
        # Also sets the attributes of the rows in this session (synchronize "auto").
        session.execute(
            update(FindingRow)
            .where(FindingRow.id.in_(withdrawn_ids[first : first + _UPDATE_CHUNK]))
            .values(withdrawn_at=now, withdrawn_by=cause)
        )
    session.add_all(changes.new)
    session.flush()
    append_many(session, ctx.settings, entries)
    return changes


def _current_rows(
    session: Session, agreement_id: str, incident_id: str | None = None
) -> list[FindingRow]:
    query = select(FindingRow).where(
        FindingRow.agreement_id == agreement_id,
        FindingRow.withdrawn_at.is_(None),
        FindingRow.incident_id.is_not(None),
    )
    if incident_id is not None:
        query = query.where(FindingRow.incident_id == incident_id)
    return list(session.scalars(query.order_by(FindingRow.id)))


def on_incident_changed(session: Session, incident: IncidentSnapshot) -> None:
    """The ``incident_changed`` hook: re-evaluate one incident in the caller's unit of work.

    An incident of no agreement, or of one never loaded, has no rules to break. Cheap: the
    agreement's parse and zone geometries are cached per version."""
    if incident.agreement_id is None:
        return
    stored = current_agreement(session, incident.agreement_id)
    if stored is None:
        return
    current = _current_rows(session, stored.agreement.id, incident.id)
    if not current and not any(isinstance(r, ZoneRule) for r in stored.agreement.rules):
        return
    found = _evaluator(session, stored).incident_findings(incident_facts(incident))
    _reconcile(session, stored, current, found, cause=INCIDENT_CHANGED)


def _current_or_404(
    session: Session, agreement_id: str, *, field: str = "agreement", reason: str = "unknown"
) -> StoredAgreement:
    """The agreement's current version; ``NotFound`` (``reason`` on ``field``) if unknown."""
    stored = current_agreement(session, agreement_id)
    if stored is None:
        raise NotFound.unknown(N_("no agreement %(id)s"), agreement_id, field=field, reason=reason)
    return stored


def _evaluate_agreement(
    session: Session, stored: StoredAgreement, *, cause: str
) -> EvaluationPublic:
    """Re-evaluate every incident of ``stored``'s agreement in the caller's unit of work;
    what changed is recorded and ledgered with ``cause``."""
    agreement_id = stored.agreement.id
    evaluator = _evaluator(session, stored)
    found: list[Finding] = []
    count = 0
    for snapshot in incident_snapshots(session, agreement_id):
        count += 1
        found += evaluator.incident_findings(incident_facts(snapshot))
    changes = _reconcile(session, stored, _current_rows(session, agreement_id), found, cause=cause)
    return EvaluationPublic(
        agreement_id=agreement_id,
        agreement_version=stored.version,
        incidents=count,
        new=[public(r) for r in changes.new],
        withdrawn=[public(r) for r in changes.withdrawn],
        unchanged=changes.unchanged,
    )


def on_agreement_changed(session: Session, agreement_id: str, cause: str) -> None:
    """The ``agreement_changed`` hook: a new version was loaded (rules or zones may have
    changed) or a provision's status recorded (a handover a rule waits for): re-evaluate
    every incident of the agreement in the caller's unit of work, the change ledgered with
    ``cause`` (``agreement_loaded`` or ``provision_status_recorded``)."""
    stored = current_agreement(session, agreement_id)
    if stored is not None:
        _evaluate_agreement(session, stored, cause=cause)


def evaluate(
    ctx: ServiceContext, viewer: Viewer, agreement_id: str | None = None
) -> list[EvaluationPublic]:
    """Re-evaluate every incident of ``agreement_id`` (default: every loaded agreement the
    viewer monitors) against its current rules and zones; what changed is recorded and
    ledgered. Loading a version and recording a provision's status already do this by
    themselves (``on_agreement_changed``): this is for checking that nothing is left.

    Monitors of the agreement and operators may; others get ``Forbidden``."""
    ids = [agreement_id] if agreement_id else [a.id for a in agreements.list_agreements(ctx)]
    with ctx.reader() as session:
        scope = ReadScope.load(session, viewer)
        monitored = [one for one in ids if scope.is_monitor(one)]
    if not monitored or (agreement_id and monitored != ids):
        raise Forbidden.worded(
            N_("only monitors of the agreement (or operators) evaluate its rules")
        )
    results = []
    for one in monitored:
        with ctx.unit_of_work() as session:
            stored = _current_or_404(session, one)
            results.append(_evaluate_agreement(session, stored, cause=EVALUATION))
    return results


# -- reads ----------------------------------------------------------------------------------


def shown_incidents(session: Session, viewer: Viewer, incident_ids: Iterable[str]) -> set[str]:
    """Of ``incident_ids``, those whose findings ``viewer`` is shown: the incidents it may
    read whose facts, as it reads them (its readable reports' categories and allegations),
    are the facts the rules were applied to. A finding of any other readable incident rests
    in part on a report the viewer may not read (its party, a category, the level), so it is
    withheld whole: the one check every read of findings, and their ledger payloads, pass."""
    evaluators: dict[str, ComplianceEvaluator | None] = {}
    shown: set[str] = set()
    for incident_id, (every, read) in snapshots_as_read(session, viewer, incident_ids).items():
        if _same_findings(session, evaluators, every, read):
            shown.add(incident_id)
    return shown


def shown_findings(
    session: Session, viewer: Viewer, rows: Iterable[FindingRow]
) -> list[FindingRow]:
    """Of ``rows``, the findings ``viewer`` is shown: a current one where its incident is
    one of :func:`shown_incidents` (the rules find it now on what the viewer reads), one
    about no incident to everyone. A withdrawn one only to the monitors of its agreement
    (and operators): it was found on the incident's facts as they were, which may have
    rested on a report taken out of it since (its party what that report alleged), and
    ``shown_incidents`` judges the facts as they are. The one check of every read of
    findings that lists withdrawn ones, and of the findings' ledger payloads."""
    rows = list(rows)
    current = {r.incident_id for r in rows if r.incident_id and r.withdrawn_at is None}
    shown = shown_incidents(session, viewer, current) if current else set()
    scope = ReadScope.load(session, viewer) if len(current) < len(rows) else None
    return [
        r
        for r in rows
        if r.incident_id is None
        or (
            r.incident_id in shown
            if r.withdrawn_at is None
            else scope is not None and scope.is_monitor(r.agreement_id)
        )
    ]


def _same_findings(
    session: Session,
    evaluators: dict[str, ComplianceEvaluator | None],
    every: IncidentSnapshot,
    read: IncidentSnapshot,
) -> bool:
    """Whether the rules find the same about ``read`` (the incident as one reader reads it)
    as about ``every`` (as they read it): at once when the facts are the same (a reader of
    every report), else by applying the agreement's rules to both (a report the reader may
    not read that only adds a category no rule asks about changes nothing)."""
    full, partial = incident_facts(every), incident_facts(read)
    if full == partial or every.agreement_id is None:
        return True
    if every.agreement_id not in evaluators:
        stored = current_agreement(session, every.agreement_id)
        evaluators[every.agreement_id] = None if stored is None else _evaluator(session, stored)
    evaluator = evaluators[every.agreement_id]
    return evaluator is None or evaluator.incident_findings(full) == evaluator.incident_findings(
        partial
    )


def shown_to_every_reader(session: Session, incident_id: str) -> bool:
    """Whether an incident's findings rest only on what every reader of the incident reads
    (``shown_incidents`` for all of them at once): what decides whether a record raised from
    a finding for the incident's readers (a zone-breach alert) may go to them all, or only to
    the monitors."""
    found = snapshots_as_all_read(session, incident_id)
    return found is not None and _same_findings(session, {}, *found)


def incident_findings(
    ctx: ServiceContext, viewer: Viewer, incident_id: str, *, include_withdrawn: bool = False
) -> list[FindingPublic]:
    """The findings about an incident the viewer may read (``NotFound`` for an incident it
    may not read, as for the incident itself: its existence is not leaked); none where they
    rest on reports it may not read, and withdrawn ones to the agreement's monitors only
    (``shown_findings``)."""
    with ctx.reader() as session:
        if not readable_incidents(session, viewer, [incident_id]):
            raise NotFound.worded(N_("no incident %(id)s"), id=repr(incident_id))
        query = select(FindingRow).where(FindingRow.incident_id == incident_id)
        if not include_withdrawn:
            query = query.where(FindingRow.withdrawn_at.is_(None))
        rows = session.scalars(query.order_by(FindingRow.id))
        return [public(r) for r in shown_findings(session, viewer, rows)]


def findings_of_incidents(
    ctx: ServiceContext, viewer: Viewer, incident_ids: Iterable[str]
) -> dict[str, list[FindingPublic]]:
    """The current (not withdrawn) findings about each of ``incident_ids`` the viewer may
    read, by incident, oldest first: one query for a report's worth of incidents. An
    incident the viewer may not read has no entry (its existence is not leaked)."""
    ids = sorted(set(incident_ids))
    found: dict[str, list[FindingPublic]] = {}
    with ctx.reader() as session:
        readable = sorted(shown_incidents(session, viewer, ids))
        for start in range(0, len(readable), 500):
            chunk = readable[start : start + 500]
            rows = session.scalars(
                select(FindingRow)
                .where(FindingRow.incident_id.in_(chunk), FindingRow.withdrawn_at.is_(None))
                .order_by(FindingRow.found_at, FindingRow.id)
            )
            for row in rows:
                found.setdefault(str(row.incident_id), []).append(public(row))
    return found


def provision_history(
    ctx: ServiceContext,
    viewer: Viewer,
    agreement_id: str,
    provision_id: str,
    *,
    as_of: datetime | None = None,
) -> ProvisionHistoryPublic:
    """A provision's status and recorded history as of ``as_of`` (default now), and every
    finding about it the viewer is shown (``shown_findings``: withdrawn ones included,
    marked, for the agreement's monitors; findings are listed as recorded: ``as_of`` dates
    the status, not them)."""
    at = ensure_utc(as_of) if as_of is not None else utcnow()
    with ctx.reader() as session:
        stored = _current_or_404(session, agreement_id, field="agreement_id", reason="unknown id")
        # Its statuses' evidence and notes as the viewer may read them (the agreement routes'
        # rule): a status may cite a record the viewer may not read.
        stored = replace(stored, agreement=history_as_read(session, viewer, stored.agreement))
        provision = stored.provision(provision_id)
        ids = {p.id for p in provision.walk()}
        rows = list(
            session.scalars(
                select(FindingRow)
                .where(FindingRow.agreement_id == agreement_id, FindingRow.provision_id.in_(ids))
                .order_by(FindingRow.id)
            )
        )
        shown = shown_findings(session, viewer, rows)
        history = [
            {"provision_id": p.id, **change.to_dict()}
            for p in provision.walk()
            for change in p.status_history
            if change.at.at <= at
        ]
        return ProvisionHistoryPublic(
            agreement_id=agreement_id,
            agreement_version=stored.version,
            provision_id=provision.id,
            number=provision.number,
            title=provision.title,
            status=provision.status_as_of(at).value,
            status_history=sorted(history, key=lambda h: str(h["at"]["at"])),
            findings=[public(r) for r in shown],
        )


# -- deadlines ------------------------------------------------------------------------------

DEFAULT_DUE_WITHIN = timedelta(days=7)


def findings_since(session: Session, since: datetime, until: datetime) -> list[Finding]:
    """The incident findings recorded in ``[since, until]`` and not withdrawn, oldest first:
    what the alerts area raises zone-breach alerts from (it applies each reader's rights)."""
    rows = session.scalars(
        select(FindingRow)
        .where(
            FindingRow.found_at >= since,
            FindingRow.found_at <= until,
            FindingRow.withdrawn_at.is_(None),
            FindingRow.incident_id.is_not(None),
        )
        .order_by(FindingRow.found_at, FindingRow.id)
    )
    return [_as_finding(row) for row in rows]


def standing_findings(
    session: Session, incident_ids: Iterable[str]
) -> set[tuple[str, str, str | None, str, str | None]]:
    """The findings about ``incident_ids`` not withdrawn, each as ``(incident, rule_id,
    zone, level, party)``: whether a zone-breach alert raised from one still stands (a
    report taken out of the incident since withdraws the finding that rested on it)."""
    wanted = sorted(set(incident_ids))
    if not wanted:
        return set()
    rows = session.execute(
        select(
            FindingRow.incident_id,
            FindingRow.rule_id,
            FindingRow.zone_id,
            FindingRow.level,
            FindingRow.party,
        ).where(FindingRow.incident_id.in_(wanted), FindingRow.withdrawn_at.is_(None))
    )
    return {(str(i), rule, zone, level, party) for i, rule, zone, level, party in rows}


def deadline_states(
    ctx: ServiceContext,
    as_of: datetime,
    *,
    reader: Viewer,
    agreement_id: str | None = None,
    due_within: timedelta = DEFAULT_DUE_WITHIN,
) -> list[DeadlinesPublic]:
    """Where every provision watched by a ``deadline_overdue`` rule stands at ``as_of``, one
    ``DeadlinesPublic`` per agreement that has such rules (``agreement_id``: that one only).

    Reads the deadlines in force at ``as_of`` (amendments decided later are not yet known)
    and the fulfilments recorded by then. Agreements are public, but an amendment's reason,
    instrument and evidence may cite a record ``reader`` may not read: they are as
    :func:`ceasefire.agreements.service.history_as_read` shows them to it. Nothing is
    written (the alerts area calls this on its own schedule)."""
    at = ensure_utc(as_of)
    if due_within < timedelta(0):
        raise InvalidInput.worded(
            N_("due_within must not be negative"), details=[problem("due_within", N_("< 0"))]
        )
    ids = [agreement_id] if agreement_id else [a.id for a in agreements.list_agreements(ctx)]
    groups = []
    with ctx.reader() as session:
        for one in ids:
            stored = _current_or_404(session, one)
            rules = [r for r in stored.agreement.rules if isinstance(r, DeadlineRule)]
            if not rules and agreement_id is None:
                continue
            agreement = history_as_read(session, reader, stored.agreement)
            states = pure_deadline_states(agreement, rules, at, due_within=due_within)
            by_status: dict[DeadlineStatus, list[DeadlineStatePublic]] = {
                s: [] for s in DeadlineStatus
            }
            for state in states:
                by_status[state.status].append(DeadlineStatePublic(**state.to_dict()))
            groups.append(
                DeadlinesPublic(
                    agreement_id=one,
                    agreement_version=stored.version,
                    as_of=at,
                    due_within_days=due_within.days,
                    overdue=by_status[DeadlineStatus.OVERDUE],
                    due=by_status[DeadlineStatus.DUE],
                    fulfilled=by_status[DeadlineStatus.FULFILLED],
                    other=by_status[DeadlineStatus.PENDING] + by_status[DeadlineStatus.CLOSED],
                )
            )
    return groups
