"""Ledger tags of the incidents area: incidents created, grouped, edited, assessed, replied
to, noted, investigated, decided; decision rules.

One payload type per tag, written by ``ceasefire.incidents.service``.
How tags and payloads are used: docs/ledger.md, "Writing entries".
Free text (titles, reasons, rationales, findings) is ledgered only as its SHA-256
(``*_sha256``, ``None`` for no text): every member reads the ledger.
"""

from enum import StrEnum
from typing import Any, NotRequired, TypedDict

from ceasefire.ledger.events import Blinded


class IncidentTag(StrEnum):
    """Every ledger tag the incidents area writes."""

    CREATED = "intake:incident:created"
    REPORTS_ADDED = "intake:incident:reports-added"
    REPORT_REMOVED = "intake:incident:report-removed"
    EDITED = "intake:incident:edited"
    STATUS_CHANGED = "intake:incident:status-changed"
    DECIDED = "intake:incident:decided"
    CLASSIFIED = "intake:incident:classified"
    ASSESSED = "intake:incident:assessed"
    REPLIED = "intake:incident:replied"
    NOTED = "intake:incident:noted"
    TASK_ASSIGNED = "intake:incident:task-assigned"
    TASK_COMPLETED = "intake:incident:task-completed"
    DECISION_RULE_SET = "intake:decision-rule:set"


_Change = TypedDict("_Change", {"from": str, "to": str})  # ``from`` is a keyword


class FromTo(_Change):
    """A change of one value (a status, an attribution such as ``attributed(ARM)``)."""


class IncidentCreated(Blinded):
    """``intake:incident:created``: reports grouped into a new incident."""

    incident_id: str
    agreement_id: str | None
    report_ids: list[str]
    grouped_by: str
    category: str
    classification: str
    concerns: list[str]
    title_sha256: str | None
    summary_sha256: str | None


class ReportsAdded(Blinded):
    """``intake:incident:reports-added``: more reports grouped into an incident."""

    incident_id: str
    report_ids: list[str]


class ReportRemoved(Blinded):
    """``intake:incident:report-removed``: a report taken out of an incident."""

    incident_id: str
    report_id: str
    reason_salted_sha256: NotRequired[str | None]
    """The canonical SHA-256 of ``{"reason", "salt"}``, salted with the incident's secret
    (``incidents.decision``) like a decision's digests: a reason is a short text a guess
    confirms. Entries written before the sixth audit hold ``reason_sha256`` (unsalted)
    instead; only a reader of the incident's internal records reads them
    (``incidents/check.py``)."""
    reason_sha256: NotRequired[str | None]


class IncidentEdited(Blinded):
    """``intake:incident:edited``: the title or summary changed (their digests after)."""

    incident_id: str
    title_sha256: str | None
    summary_sha256: str | None


class StatusChanged(_Change, Blinded):
    """``intake:incident:status-changed``: a monitor's transition (``reason_sha256``), or the
    automatic one when the first task is assigned (``reason``: ``task assigned``; before the
    seventh audit ``task <id> assigned``, read only by the incident's monitors)."""

    incident_id: str
    attribution: FromTo
    reason_salted_sha256: NotRequired[str | None]
    """Salted as :class:`ReportRemoved`'s; ``reason_sha256`` (unsalted) before the sixth
    audit."""
    reason_sha256: NotRequired[str | None]
    reason: NotRequired[str]


class FindingRecord(TypedDict):
    """A finding (``Finding.to_dict``): an occurrence status and an attribution."""

    status: str
    attribution: str
    attributed_party: str | None


class DecisionOutcome(TypedDict):
    """What the decision rule decided; who held which view stays behind ``views_sha256``.

    Both digests are salted with a secret the incident keeps (``incidents.decision``): the
    views are a small space (member, stance, finding, an assessment id with 39 random bits)
    and the reason a handful of texts, so an unsalted digest would confirm a guess. Entries
    written before the fourth audit also hold ``settled_by`` and ``views`` (their number) in
    clear and unsalted digests; their payload is read only by readers of every assessment of
    the incident (``incidents/check.py``)."""

    state: str
    rule: str
    finding: FindingRecord | None
    views_sha256: str
    reason_sha256: str | None
    """The canonical SHA-256 of ``{"reason", "settled_by", "views", "salt"}``."""
    settled_by: NotRequired[str | None]
    views: NotRequired[int]


class IncidentDecided(Blinded):
    """``intake:incident:decided``: the rule's decision changed the incident's state."""

    incident_id: str
    decision: DecisionOutcome
    status: FromTo
    attribution: FromTo


class Classified(_Change, Blinded):
    """``intake:incident:classified``: who may read the incident changed."""

    incident_id: str
    reason_salted_sha256: NotRequired[str | None]
    """Salted as :class:`ReportRemoved`'s; ``reason_sha256`` (unsalted) before the sixth
    audit."""
    reason_sha256: NotRequired[str | None]


class AssessmentView(TypedDict):
    """A shared or public assessment's view, its rationale as a digest."""

    stance: str
    finding_status: str | None
    finding_attribution: str | None
    finding_party: str | None
    evidence_refs: list[str]
    rationale_sha256: str | None


class IncidentAssessed(Blinded):
    """``intake:incident:assessed``: a member's assessment; ``view`` unless it is internal."""

    incident_id: str
    assessment_id: str
    member_id: str
    supersedes: str | None
    classification: str
    view_sha256: str
    view: NotRequired[AssessmentView]


class IncidentReplied(Blinded):
    """``intake:incident:replied``: a party's reply through its liaison."""

    incident_id: str
    reply_id: str
    party: str
    text_sha256: str | None
    evidence_refs: list[str]


class IncidentNoted(Blinded):
    """``intake:incident:noted``: a working note."""

    incident_id: str
    note_id: str
    classification: str
    text_sha256: str | None


class PartyPresence(TypedDict):
    """Whether a party's representatives go with an investigation team."""

    party: str
    present: bool


class TaskAssigned(Blinded):
    """``intake:incident:task-assigned``: a team sent to investigate (its names as a digest)."""

    incident_id: str
    task_id: str
    lead_member: str | None
    team_size: int
    team_sha256: str | None
    party_representatives: list[PartyPresence]
    due_at: str | None


class TaskCompleted(Blinded):
    """``intake:incident:task-completed``: the team's findings (as a digest)."""

    incident_id: str
    task_id: str
    findings_sha256: str | None


class DecisionRuleSet(Blinded):
    """``intake:decision-rule:set``: how an agreement's incidents are decided."""

    agreement_id: str
    rule: dict[str, Any]


PAYLOADS: dict[IncidentTag, type] = {
    IncidentTag.CREATED: IncidentCreated,
    IncidentTag.REPORTS_ADDED: ReportsAdded,
    IncidentTag.REPORT_REMOVED: ReportRemoved,
    IncidentTag.EDITED: IncidentEdited,
    IncidentTag.STATUS_CHANGED: StatusChanged,
    IncidentTag.DECIDED: IncidentDecided,
    IncidentTag.CLASSIFIED: Classified,
    IncidentTag.ASSESSED: IncidentAssessed,
    IncidentTag.REPLIED: IncidentReplied,
    IncidentTag.NOTED: IncidentNoted,
    IncidentTag.TASK_ASSIGNED: TaskAssigned,
    IncidentTag.TASK_COMPLETED: TaskCompleted,
    IncidentTag.DECISION_RULE_SET: DecisionRuleSet,
}
"""The payload type of every tag."""
