"""Ledger tags of the fusion area: every automatic or manual grouping decision.

One payload type serves every tag (a decision is a decision, whatever its kind). The
evidence itself (features, scores, the place names compared) stays in the
``fusion_decisions`` table, readable by those who may read the incident; the ledger carries
its SHA-256 (``evidence_sha256``), the score and the matcher's version.
"""

from enum import StrEnum

from ceasefire.ledger.events import Blinded


class FusionTag(StrEnum):
    """Every ledger tag the fusion area writes."""

    NEW_INCIDENT = "fusion:report:new-incident"
    LINKED = "fusion:report:linked"
    LEFT_ALONE = "fusion:report:left-alone"
    MERGED = "fusion:incident:merged"
    SPLIT = "fusion:incident:split"
    UNDONE = "fusion:decision:undone"


class FusionDecided(Blinded):
    """A decision: which reports went to which incident (from which), by what, undoing what."""

    decision_id: str
    kind: str
    agreement_id: str | None
    report_ids: list[str]
    incident_id: str | None
    other_incident_id: str | None
    matcher: str | None
    score: float | None
    evidence_sha256: str | None
    undoes: str | None


PAYLOADS: dict[FusionTag, type] = dict.fromkeys(FusionTag, FusionDecided)
"""The payload type of every tag."""
