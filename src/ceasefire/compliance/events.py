"""Ledger tags of the compliance area: findings recorded and withdrawn.

One payload type per tag, written by ``ceasefire.compliance.service``. A finding's reasons
(free text that may name places) are ledgered as their SHA-256 only: every member reads the
ledger. How tags and payloads are used: docs/ledger.md, "Writing entries".
"""

from enum import StrEnum

from ceasefire.ledger.events import Blinded


class ComplianceTag(StrEnum):
    """Every ledger tag the compliance area writes."""

    FINDING_RECORDED = "compliance:finding:recorded"
    FINDING_WITHDRAWN = "compliance:finding:withdrawn"


class FindingRecorded(Blinded):
    """``compliance:finding:recorded``: a rule (``rule``, with its version) found
    ``level`` (breach or possible) of ``provision_id`` about an incident, in a zone."""

    finding_id: str
    agreement_id: str
    agreement_version: int
    rule_id: str
    rule: str
    level: str
    provision_id: str
    zone_id: str | None
    incident_id: str | None
    party: str | None
    reasons_sha256: str
    cause: str


class FindingWithdrawn(Blinded):
    """``compliance:finding:withdrawn``: a re-evaluation no longer makes the finding
    (``cause``: ``incident_changed``, ``agreement_loaded``, ``provision_status_recorded`` or
    ``evaluation``)."""

    finding_id: str
    incident_id: str | None
    cause: str


PAYLOADS: dict[ComplianceTag, type] = {
    ComplianceTag.FINDING_RECORDED: FindingRecorded,
    ComplianceTag.FINDING_WITHDRAWN: FindingWithdrawn,
}
