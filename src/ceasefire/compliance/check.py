"""State check of the compliance findings against the ledger.

``ceasefire ledger verify`` hands this checker every ``compliance:*`` entry; it replays them
into the findings they describe and reports each row that differs — a finding inserted,
altered, withdrawn or restored behind the application's back.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from ceasefire.access import Viewer
from ceasefire.compliance.events import ComplianceTag, FindingRecorded, FindingWithdrawn
from ceasefire.compliance.service import RECORDED_COLUMNS, recorded_fields, shown_findings
from ceasefire.compliance.tables import FindingRow
from ceasefire.ledger.check import (
    ActualRows,
    EntryAbout,
    ExpectedRows,
    PayloadRule,
    changed_row,
    projection_checker,
    read_payload,
)
from ceasefire.ledger.verify import CollectedEntry

TABLE = "compliance_findings"


def _expected(entries: Sequence[CollectedEntry]) -> ExpectedRows:
    findings: dict[str, tuple[int, dict[str, object]]] = {}
    for entry in entries:
        payload = read_payload(entry)
        if entry.tag == ComplianceTag.FINDING_RECORDED:
            recorded = cast(FindingRecorded, payload)
            findings[str(recorded["finding_id"])] = (
                entry.seq,
                {
                    **{name: payload[name] for name in RECORDED_COLUMNS},
                    "reasons_sha256": recorded["reasons_sha256"],
                    "withdrawn_by": None,
                },
            )
        elif entry.tag == ComplianceTag.FINDING_WITHDRAWN:
            withdrawn = cast(FindingWithdrawn, payload)
            key = str(withdrawn["finding_id"])
            changed_row(findings, key, entry.seq, {"withdrawn_by": withdrawn["cause"]})
    return {TABLE: findings}


def _actual(session: Session) -> ActualRows:
    return {
        TABLE: {
            row.id: {**recorded_fields(row), "withdrawn_by": row.withdrawn_by}
            for row in session.scalars(select(FindingRow))
        }
    }


CHECKER = projection_checker("compliance", ComplianceTag, _expected, _actual)


# -- who reads the payloads -------------------------------------------------------------------


def _readable(session: Session, viewer: Viewer, entries: Sequence[EntryAbout]) -> Iterator[int]:
    ids = sorted({str(e.payload["finding_id"]) for e in entries})
    rows: list[FindingRow] = []
    for start in range(0, len(ids), 500):
        rows += session.scalars(
            select(FindingRow).where(FindingRow.id.in_(ids[start : start + 500]))
        )
    shown = {r.id for r in shown_findings(session, viewer, rows)}
    return (e.seq for e in entries if str(e.payload["finding_id"]) in shown)


PAYLOAD_RULE = PayloadRule("compliance", tuple(ComplianceTag), _readable)
"""A finding's entries are read by whoever is shown the finding itself as it stands
(``service.shown_findings``: its incident, and the reports it rests on; a withdrawn finding,
and so every entry of it, its agreement's monitors); a finding about no incident (a
provision's deadline) by every member."""
