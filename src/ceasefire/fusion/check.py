"""State check of fusion decisions against the ledger.

``ceasefire ledger verify`` hands this checker every ``fusion:*`` entry; it replays them
into the decisions they describe and reports each row that differs: a decision inserted,
altered (its evidence no longer hashes to the ledgered SHA-256) or marked undone behind the
application's back. Which incident holds which report is the incidents checker's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from ceasefire.fusion.events import FusionDecided, FusionTag
from ceasefire.fusion.tables import FusionDecisionRow
from ceasefire.ledger.check import (
    ActualRows,
    ExpectedRows,
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
