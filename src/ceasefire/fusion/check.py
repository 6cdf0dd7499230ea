"""State check of fusion decisions against the ledger.

``ceasefire ledger verify`` hands this checker every ``fusion:*`` entry; it replays them
into the decisions they describe and reports each row that differs: a decision inserted,
altered (its evidence no longer hashes to the ledgered SHA-256) or marked undone behind the
application's back. Which incident holds which report is the incidents checker's.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from ceasefire.access import Viewer
from ceasefire.fusion.events import FusionDecided, FusionTag
from ceasefire.fusion.service import wholly_readable_decisions
from ceasefire.fusion.tables import FusionDecisionRow
from ceasefire.ledger.check import (
    ActualRows,
    EntryAbout,
    ExpectedRows,
    PayloadRule,
    picked,
    projection_checker,
    read_payload,
)
from ceasefire.ledger.verify import CollectedEntry
from ceasefire.reports.model import canonical_sha256

_FIELDS = ("kind", "agreement_id", "incident_id", "other_incident_id", "matcher", "undoes")


def _expected(entries: Sequence[CollectedEntry]) -> ExpectedRows:
    state: ExpectedRows = {"fusion_decisions": {}}
    decisions = state["fusion_decisions"]
    for entry in entries:
        p = cast(FusionDecided, read_payload(entry))
        fields = picked(p, *_FIELDS)
        fields["report_ids"] = list(p["report_ids"] or [])
        fields["evidence_sha256"] = p["evidence_sha256"]
        fields["undone_by"] = None
        decisions[str(p["decision_id"])] = (entry.seq, fields)
        undone = p["undoes"]
        if entry.tag == FusionTag.UNDONE and undone and undone in decisions:
            _seq, before = decisions[str(undone)]
            decisions[str(undone)] = (entry.seq, {**before, "undone_by": p["decision_id"]})
    return state


def _actual(session: Session) -> ActualRows:
    return {
        "fusion_decisions": {
            d.id: {
                **{name: getattr(d, name) for name in _FIELDS},
                "report_ids": list(d.report_ids),
                "evidence_sha256": (
                    canonical_sha256(d.evidence) if d.evidence is not None else None
                ),
                "undone_by": d.undone_by,
            }
            for d in session.scalars(select(FusionDecisionRow))
        }
    }


CHECKER = projection_checker("fusion", ("fusion:",), _expected, _actual)


# -- who reads the payloads -------------------------------------------------------------------


def _decision_of(entry: EntryAbout) -> str:
    return str(entry.payload["decision_id"] or entry.subject.removeprefix("fusion/"))


def _readable(session: Session, viewer: Viewer, entries: Sequence[EntryAbout]) -> Iterator[int]:
    readable = wholly_readable_decisions(session, viewer, {_decision_of(e) for e in entries})
    return (e.seq for e in entries if _decision_of(e) in readable)


PAYLOAD_RULE = PayloadRule("fusion", ("fusion:",), _readable)
"""A fusion decision's entry is read by whoever may read every incident and report it names
(as the decision itself: ``fusion.service.readable_decisions``) and is shown its whole
evidence, whose digest the entry holds (``fusion.service.wholly_readable_decisions``)."""
