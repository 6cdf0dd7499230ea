"""State check of incidents and their parts against the ledger.

``ceasefire ledger verify`` hands this checker every ``intake:incident:*`` and
``intake:decision-rule:*`` entry; it replays them into the state they describe and reports
each row that differs — an incident's status, attribution or reports changed without an
entry, an assessment, reply or note altered or deleted, a row inserted behind the
application's back.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from ceasefire.access import Classification, Viewer
from ceasefire.ids import record_ids_in
from ceasefire.incidents import cellcounts
from ceasefire.incidents.events import (
    Classified,
    DecisionRuleSet,
    IncidentCreated,
    IncidentDecided,
    IncidentEdited,
    IncidentTag,
    ReportRemoved,
    ReportsAdded,
    StatusChanged,
    TaskAssigned,
    TaskCompleted,
)
from ceasefire.incidents.service import assessment_view, part_readable
from ceasefire.incidents.tables import (
    AssessmentRow,
    DecisionRuleRow,
    IncidentRow,
    InvestigationTaskRow,
    NoteRow,
    ReplyRow,
)
from ceasefire.ledger.check import (
    ActualRows,
    EntryAbout,
    ExpectedRows,
    PayloadRule,
    StateChecker,
    changed_row,
    picked,
    projection_checker,
    read_payload,
)
from ceasefire.ledger.entry import text_sha256
from ceasefire.ledger.verify import CollectedEntry, Finding, FindingKind
from ceasefire.members.scope import ReadScope
from ceasefire.reports.model import canonical_sha256
from ceasefire.reports.service import incident_links, unreadable_ids

# The tags whose entry records one new row: its table, the payload's key that names the row,
# and the fields the row holds as the payload gives them; the last is a digest, of a column
# the checker hashes (``_actual``).
_RECORDED: dict[IncidentTag, tuple[str, str, tuple[str, ...]]] = {
    IncidentTag.ASSESSED: (
        "incident_assessments",
        "assessment_id",
        ("incident_id", "member_id", "classification", "supersedes", "view_sha256"),
    ),
    IncidentTag.REPLIED: ("incident_replies", "reply_id", ("incident_id", "party", "text_sha256")),
    IncidentTag.NOTED: (
        "incident_notes",
        "note_id",
        ("incident_id", "classification", "text_sha256"),
    ),
}


def _columns(row: object, tag: IncidentTag) -> dict[str, Any]:
    """The columns of ``row`` that ``tag``'s entry gives as they are (all but the digest)."""
    return {name: getattr(row, name) for name in _RECORDED[tag][2][:-1]}


def _attribution(kind: str, party: str | None) -> str:
    return f"attributed({party})" if party else kind


def _expected(entries: Sequence[CollectedEntry]) -> ExpectedRows:
    """Table → row key → (last entry's sequence number, the fields the ledger says)."""
    state: ExpectedRows = {
        name: {}
        for name in (
            "incidents",
            "incident_assessments",
            "incident_replies",
            "incident_notes",
            "investigation_tasks",
            "decision_rules",
        )
    }
    incidents = state["incidents"]

    def incident(seq: int, key: str, **changes: Any) -> None:
        changed_row(incidents, key, seq, changes)

    for entry in entries:
        p = read_payload(entry)
        tag, seq = entry.tag, entry.seq
        if tag == IncidentTag.CREATED:
            created = cast(IncidentCreated, p)
            incident(
                seq,
                str(created["incident_id"]),
                status="reported",
                attribution="pending",
                classification=created["classification"],
                agreement_id=created["agreement_id"],
                report_ids=sorted(created["report_ids"] or []),
                title_sha256=created["title_sha256"],
                summary_sha256=created["summary_sha256"],
            )
        elif tag == IncidentTag.REPORTS_ADDED:
            added = cast(ReportsAdded, p)
            key = str(added["incident_id"])
            have = incidents.get(key, (seq, {}))[1].get("report_ids", [])
            incident(seq, key, report_ids=sorted({*have, *(added["report_ids"] or [])}))
        elif tag == IncidentTag.REPORT_REMOVED:
            removed = cast(ReportRemoved, p)
            key = str(removed["incident_id"])
            have = incidents.get(key, (seq, {}))[1].get("report_ids", [])
            incident(seq, key, report_ids=sorted(set(have) - {removed["report_id"]}))
        elif tag == IncidentTag.STATUS_CHANGED:
            changed = cast(StatusChanged, p)
            incident(
                seq,
                str(changed["incident_id"]),
                status=changed["to"],
                attribution=(changed["attribution"] or {}).get("to"),
            )
        elif tag == IncidentTag.DECIDED:
            decided = cast(IncidentDecided, p)
            incident(
                seq,
                str(decided["incident_id"]),
                status=(decided["status"] or {}).get("to"),
                attribution=(decided["attribution"] or {}).get("to"),
            )
        elif tag == IncidentTag.CLASSIFIED:
            classified = cast(Classified, p)
            incident(seq, str(classified["incident_id"]), classification=classified["to"])
        elif tag == IncidentTag.EDITED:
            edited = cast(IncidentEdited, p)
            incident(
                seq,
                str(edited["incident_id"]),
                title_sha256=edited["title_sha256"],
                summary_sha256=edited["summary_sha256"],
            )
        elif tag in _RECORDED:
            table, id_key, fields = _RECORDED[IncidentTag(tag)]
            state[table][str(p[id_key])] = (seq, picked(p, *fields))
        elif tag == IncidentTag.TASK_ASSIGNED:
            assigned = cast(TaskAssigned, p)
            state["investigation_tasks"][str(assigned["task_id"])] = (
                seq,
                {
                    "incident_id": assigned["incident_id"],
                    "status": "assigned",
                    "findings_sha256": None,
                },
            )
        elif tag == IncidentTag.TASK_COMPLETED:
            completed = cast(TaskCompleted, p)
            changed_row(
                state["investigation_tasks"],
                str(completed["task_id"]),
                seq,
                {"status": "completed", "findings_sha256": completed["findings_sha256"]},
            )
        elif tag == IncidentTag.DECISION_RULE_SET:
            rule = cast(DecisionRuleSet, p)
            state["decision_rules"][str(rule["agreement_id"])] = (seq, {"rule": rule["rule"]})
    return state


def _actual(session: Session) -> ActualRows:
    members = incident_links(session)
    return {
        "incidents": {
            i.id: {
                "status": i.status,
                "attribution": _attribution(i.attribution, i.attributed_party),
                "classification": i.classification,
                "agreement_id": i.agreement_id,
                "report_ids": sorted(members.get(i.id, [])),
                "title_sha256": text_sha256(i.title),
                "summary_sha256": text_sha256(i.summary),
            }
            for i in session.scalars(select(IncidentRow))
        },
        "incident_assessments": {
            a.id: {
                **_columns(a, IncidentTag.ASSESSED),
                "view_sha256": canonical_sha256(assessment_view(a)),
            }
            for a in session.scalars(select(AssessmentRow))
        },
        "incident_replies": {
            r.id: {**_columns(r, IncidentTag.REPLIED), "text_sha256": text_sha256(r.text)}
            for r in session.scalars(select(ReplyRow))
        },
        "incident_notes": {
            n.id: {**_columns(n, IncidentTag.NOTED), "text_sha256": text_sha256(n.text)}
            for n in session.scalars(select(NoteRow))
        },
        "investigation_tasks": {
            t.id: {
                "incident_id": t.incident_id,
                "status": t.status,
                "findings_sha256": text_sha256(t.findings),
            }
            for t in session.scalars(select(InvestigationTaskRow))
        },
        "decision_rules": {
            d.agreement_id: {"rule": d.rule} for d in session.scalars(select(DecisionRuleRow))
        },
    }


_PROJECTION = projection_checker("incidents", IncidentTag, _expected, _actual)


def _check(session: Session, entries: Sequence[CollectedEntry]) -> Iterator[Finding]:
    """The incidents' rows against their entries, then the map's counts per cell against a
    recount of the incidents (no entry describes them: they follow from the rows)."""
    yield from _PROJECTION.check(session, entries)
    for difference in cellcounts.differences(session):
        yield Finding(seq=None, kind=FindingKind.STATE_MISMATCH, message=difference)


CHECKER = StateChecker(name=_PROJECTION.name, tags=_PROJECTION.tags, check=_check)


# -- who reads the payloads -------------------------------------------------------------------

# The tags whose entry is about a member's record on the incident, judged by that record's
# own classification and author (as the incident's page shows it): its table and the
# payload's key naming it.
_PARTS: dict[str, tuple[Any, str]] = {
    IncidentTag.ASSESSED: (AssessmentRow, "assessment_id"),
    IncidentTag.REPLIED: (ReplyRow, "reply_id"),
    IncidentTag.NOTED: (NoteRow, "note_id"),
}
# Field teams name persons and reveal movements: their entries are internal, whatever the
# incident's classification.
_INTERNAL = frozenset({IncidentTag.TASK_ASSIGNED, IncidentTag.TASK_COMPLETED})


def _incident_of(entry: EntryAbout) -> str:
    kind, _, incident_id = entry.subject.partition("/")
    return str(entry.payload["incident_id"] or (incident_id if kind == "incident" else ""))


def _clear_views(entry: EntryAbout) -> bool:
    """Whether a decision's entry is of the format before the fourth audit: ``settled_by``
    and the number of ``views`` in clear beside unsalted digests."""
    decision = entry.payload["decision"]
    return isinstance(decision, dict) and ("settled_by" in decision or "views" in decision)


def _readable(session: Session, viewer: Viewer, entries: Sequence[EntryAbout]) -> Iterator[int]:
    scope = ReadScope.load(session, viewer)
    ids = {_incident_of(e) for e in entries}
    incidents = {
        row.id: row for row in session.scalars(select(IncidentRow).where(IncidentRow.id.in_(ids)))
    }
    parts: dict[str, AssessmentRow | ReplyRow | NoteRow] = {}
    for tag, (table, key) in _PARTS.items():
        part_ids = {str(e.payload[key]) for e in entries if e.tag == tag}
        if part_ids:
            parts.update(
                (p.id, p) for p in session.scalars(select(table).where(table.id.in_(part_ids)))
            )
    # A completed task's findings, which its entry digests (``findings_sha256``).
    task_ids = {str(e.payload["task_id"]) for e in entries if e.tag == IncidentTag.TASK_COMPLETED}
    findings = (
        {
            t.id: t.findings
            for t in session.scalars(
                select(InvestigationTaskRow).where(InvestigationTaskRow.id.in_(task_ids))
            )
        }
        if task_ids
        else {}
    )
    assessed: dict[str, list[AssessmentRow]] = {}

    def assessments_of(incident_id: str) -> list[AssessmentRow]:
        if incident_id not in assessed:
            assessed[incident_id] = list(
                session.scalars(
                    select(AssessmentRow).where(AssessmentRow.incident_id == incident_id)
                )
            )
        return assessed[incident_id]

    # Whether the reader reads every record whatever its agreement: who may read a digest
    # of a text the centre no longer holds, which could name any of them.
    every = scope.is_monitor(None)
    shown: dict[int, tuple[str | None, ...]] = {}
    for entry in entries:
        incident = incidents.get(_incident_of(entry))
        if incident is None:
            # Gone (merged away): the centre's monitors only.
            if scope.is_monitor(None):
                shown[entry.seq] = ()
            continue
        if not scope.can_read_record(incident):
            continue
        internal = scope.can_read(
            Classification.INTERNAL, concerns=incident.concerns, agreement_id=incident.agreement_id
        )
        if entry.tag in _INTERNAL:
            if internal:
                # A task's findings are masked as the incident's other texts (seventh audit).
                task = str(entry.payload.get("task_id"))
                shown[entry.seq] = (findings.get(task),) if task in findings else ()
            continue
        # The automatic status change written before the seventh audit: its reason, in
        # clear, names the task assigned ("task tsk-… assigned"), which is internal.
        if (
            entry.tag == IncidentTag.STATUS_CHANGED
            and record_ids_in(str(entry.payload.get("reason") or ""))
            and not internal
        ):
            continue
        # A reason's digest written before the sixth audit, unsalted: a short reason a guess
        # confirms, which may name a record of any agreement ("as agreed in inc-…"). Only a
        # monitor of every agreement reads it (its monitors gave it; since the seventh
        # audit, not one of another agreement's).
        if entry.tag in _REASONED and entry.payload.get("reason_sha256") and not every:
            continue
        # A decision written before the fourth audit: the settler and number of views in
        # clear, digests a guess confirms. The chain keeps it as signed; only a reader of
        # every view the incident ever had reads it.
        if (
            entry.tag == IncidentTag.DECIDED
            and _clear_views(entry)
            and not all(
                part_readable(scope, incident, a.classification, a.member_id)
                for a in assessments_of(incident.id)
            )
        ):
            continue
        texts: tuple[str | None, ...] = ()
        if entry.tag in _PARTS:
            part = parts.get(str(entry.payload[_PARTS[entry.tag][1]]))
            if part is None or not part_readable(
                scope, incident, part.classification, part.member_id
            ):
                continue
            texts = _texts_of(part)
        elif entry.tag in _TITLED:
            texts = (incident.title, incident.summary)
            # The digests of an earlier title or summary, which the incident no longer
            # holds: what it named cannot be judged, and it could name a record of any
            # agreement, so only a reader of every record (a monitor of every agreement)
            # reads them: a monitor of this agreement alone could confirm the id of another
            # agreement's internal record (seventh audit).
            if not every and (
                entry.payload["title_sha256"] != text_sha256(incident.title)
                or entry.payload["summary_sha256"] != text_sha256(incident.summary)
            ):
                continue
        shown[entry.seq] = texts
    # A text shown to this reader with an id masked (``unreadable_ids``): its entry's digest
    # (or, for evidence refs, the refs in clear) would confirm a guess of the id, and every
    # incident and report id is in some header. Judged on the text as it stands now.
    hidden = unreadable_ids(session, scope, (t for texts in shown.values() for t in texts))
    for seq, texts in shown.items():
        if not hidden or not any(
            found in hidden for text in texts if text for _, found in record_ids_in(text)
        ):
            yield seq


def _texts_of(part: AssessmentRow | ReplyRow | NoteRow) -> tuple[str | None, ...]:
    """The free text of an assessment, reply or note, as its page shows it, and its refs."""
    if isinstance(part, AssessmentRow):
        return (part.rationale, *part.evidence_refs)
    if isinstance(part, ReplyRow):
        return (part.text, *part.evidence_refs)
    return (part.text,)


_TITLED = frozenset({IncidentTag.CREATED, IncidentTag.EDITED})
"""The entries holding the digests of an incident's title and summary."""

_REASONED = frozenset(
    {IncidentTag.STATUS_CHANGED, IncidentTag.CLASSIFIED, IncidentTag.REPORT_REMOVED}
)
"""The entries holding the digest of a reason (salted since the sixth audit)."""


PAYLOAD_RULE = PayloadRule("incidents", ("intake:incident:",), _readable)
"""An incident's entries are read by whoever may read the incident now; those about an
assessment, reply or note by whoever may also read that record; a field team's by whoever
may read the incident's internal records; an entry with the digest of a text (the title and
summary, a note, a reply, an assessment) by whoever reads every record the text names by id
now; the digest of a text the incident no longer holds (an earlier title or summary, an
unsalted reason) by a monitor of every agreement. Decision rules (``intake:decision-rule:``)
are every member's."""
