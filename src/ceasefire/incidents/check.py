"""State check of incidents and their parts against the ledger.

``ceasefire ledger verify`` hands this checker every ``intake:incident:*`` and
``intake:decision-rule:*`` entry; it replays them into the state they describe and reports
each row that differs — an incident's status, attribution or reports changed without an
entry, an assessment, reply or note altered or deleted, a row inserted behind the
application's back.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ceasefire.incidents.events import IncidentTag
from ceasefire.incidents.service import assessment_view
from ceasefire.incidents.tables import (
    AssessmentRow,
    DecisionRuleRow,
    IncidentRow,
    InvestigationTaskRow,
    NoteRow,
    ReplyRow,
)
from ceasefire.ledger.check import StateChecker
from ceasefire.ledger.verify import CollectedEntry, Finding, compare_projection
from ceasefire.reports.model import canonical_sha256
from ceasefire.reports.service import incident_links

Expected = dict[str, dict[str, tuple[int, dict[str, Any]]]]


def _digest(text: str | None) -> str | None:
    return hashlib.sha256(text.encode("utf-8")).hexdigest() if text is not None else None


def _attribution(kind: str, party: str | None) -> str:
    return f"attributed({party})" if party else kind


def _expected(entries: Sequence[CollectedEntry]) -> Expected:
    """Table → row key → (last entry's sequence number, the fields the ledger says)."""
    state: Expected = {
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
        fields = dict(incidents.get(key, (seq, {}))[1])
        fields.update(changes)
        incidents[key] = (seq, fields)

    for entry in entries:
        p: dict[str, Any] = entry.payload if isinstance(entry.payload, dict) else {}
        tag, seq = entry.tag, entry.seq
        if tag == IncidentTag.CREATED:
            incident(
                seq,
                str(p.get("incident_id")),
                status="reported",
                attribution="pending",
                classification=p.get("classification"),
                agreement_id=p.get("agreement_id"),
                report_ids=sorted(p.get("report_ids") or []),
                title_sha256=p.get("title_sha256"),
                summary_sha256=p.get("summary_sha256"),
            )
        elif tag == IncidentTag.REPORTS_ADDED:
            key = str(p.get("incident_id"))
            have = incidents.get(key, (seq, {}))[1].get("report_ids", [])
            incident(seq, key, report_ids=sorted({*have, *(p.get("report_ids") or [])}))
        elif tag == IncidentTag.REPORT_REMOVED:
            key = str(p.get("incident_id"))
            have = incidents.get(key, (seq, {}))[1].get("report_ids", [])
            incident(seq, key, report_ids=sorted(set(have) - {p.get("report_id")}))
        elif tag in (IncidentTag.STATUS_CHANGED, IncidentTag.DECIDED):
            to = (
                p.get("to")
                if tag == IncidentTag.STATUS_CHANGED
                else (p.get("status") or {}).get("to")
            )
            incident(
                seq,
                str(p.get("incident_id")),
                status=to,
                attribution=(p.get("attribution") or {}).get("to"),
            )
        elif tag == IncidentTag.CLASSIFIED:
            incident(seq, str(p.get("incident_id")), classification=p.get("to"))
        elif tag == IncidentTag.EDITED:
            incident(
                seq,
                str(p.get("incident_id")),
                title_sha256=p.get("title_sha256"),
                summary_sha256=p.get("summary_sha256"),
            )
        elif tag == IncidentTag.ASSESSED:
            state["incident_assessments"][str(p.get("assessment_id"))] = (
                seq,
                {
                    k: p.get(k)
                    for k in (
                        "incident_id",
                        "member_id",
                        "classification",
                        "supersedes",
                        "view_sha256",
                    )
                },
            )
        elif tag == IncidentTag.REPLIED:
            state["incident_replies"][str(p.get("reply_id"))] = (
                seq,
                {
                    "incident_id": p.get("incident_id"),
                    "party": p.get("party"),
                    "text_sha256": p.get("text_sha256"),
                },
            )
        elif tag == IncidentTag.NOTED:
            state["incident_notes"][str(p.get("note_id"))] = (
                seq,
                {
                    "incident_id": p.get("incident_id"),
                    "classification": p.get("classification"),
                    "text_sha256": p.get("text_sha256"),
                },
            )
        elif tag == IncidentTag.TASK_ASSIGNED:
            state["investigation_tasks"][str(p.get("task_id"))] = (
                seq,
                {
                    "incident_id": p.get("incident_id"),
                    "status": "assigned",
                    "findings_sha256": None,
                },
            )
        elif tag == IncidentTag.TASK_COMPLETED:
            key = str(p.get("task_id"))
            before = state["investigation_tasks"].get(key, (seq, {}))[1]
            state["investigation_tasks"][key] = (
                seq,
                {**before, "status": "completed", "findings_sha256": p.get("findings_sha256")},
            )
        elif tag == IncidentTag.DECISION_RULE_SET:
            state["decision_rules"][str(p.get("agreement_id"))] = (seq, {"rule": p.get("rule")})
    return state


def _actual(session: Session) -> dict[str, dict[str, dict[str, Any]]]:
    members = incident_links(session)
    return {
        "incidents": {
            i.id: {
                "status": i.status,
                "attribution": _attribution(i.attribution, i.attributed_party),
                "classification": i.classification,
                "agreement_id": i.agreement_id,
                "report_ids": sorted(members.get(i.id, [])),
                "title_sha256": _digest(i.title),
                "summary_sha256": _digest(i.summary),
            }
            for i in session.scalars(select(IncidentRow))
        },
        "incident_assessments": {
            a.id: {
                "incident_id": a.incident_id,
                "member_id": a.member_id,
                "classification": a.classification,
                "supersedes": a.supersedes,
                "view_sha256": canonical_sha256(assessment_view(a)),
            }
            for a in session.scalars(select(AssessmentRow))
        },
        "incident_replies": {
            r.id: {"incident_id": r.incident_id, "party": r.party, "text_sha256": _digest(r.text)}
            for r in session.scalars(select(ReplyRow))
        },
        "incident_notes": {
            n.id: {
                "incident_id": n.incident_id,
                "classification": n.classification,
                "text_sha256": _digest(n.text),
            }
            for n in session.scalars(select(NoteRow))
        },
        "investigation_tasks": {
            t.id: {
                "incident_id": t.incident_id,
                "status": t.status,
                "findings_sha256": _digest(t.findings),
            }
            for t in session.scalars(select(InvestigationTaskRow))
        },
        "decision_rules": {
            d.agreement_id: {"rule": d.rule} for d in session.scalars(select(DecisionRuleRow))
        },
    }


def check_incidents(session: Session, entries: Sequence[CollectedEntry]) -> Iterator[Finding]:
    """Report every incident row that its ledger entries do not describe exactly."""
    yield from compare_projection(
        _expected(entries),
        _actual(session),
        differ_message=lambda table, key, seq, fields: (
            f"{table} row {key} differs from ledger entry {seq} in {', '.join(sorted(fields))}"
        ),
    )


CHECKER = StateChecker(
    name="incidents",
    tags=tuple(IncidentTag),
    check=check_incidents,
)
