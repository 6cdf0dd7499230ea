"""The compliance area's schemas, shared by the use cases, the API and the CLI."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from ceasefire.compliance.model import DeadlineStatus, FindingLevel


class FindingPublic(BaseModel):
    """A finding as stored: which rule (id and version) found what about which incident,
    provision and zone, and why; ``withdrawn_at`` once a re-evaluation no longer makes it."""

    id: str
    agreement_id: str
    agreement_version: int
    rule_id: str
    rule: str = Field(description="The versioned rule, e.g. 'compliance.zone_breach.v1'.")
    level: FindingLevel
    provision_id: str
    zone_id: str | None
    incident_id: str | None
    party: str | None = Field(description="The attributed party, else the one alleged.")
    reasons: list[str]
    found_at: datetime
    withdrawn_at: datetime | None
    withdrawn_by: str | None


class EvaluationPublic(BaseModel):
    """What one evaluation changed: findings recorded and withdrawn, and how many stayed."""

    agreement_id: str
    agreement_version: int | None
    incidents: int
    new: list[FindingPublic]
    withdrawn: list[FindingPublic]
    unchanged: int


class DeadlineStatePublic(BaseModel):
    """One watched provision (or part) and its deadline as of the instant asked."""

    rule_id: str
    rule: str
    provision: str
    number: str
    title: str
    parent: str | None = Field(description="The point this part belongs to, if a part.")
    status: DeadlineStatus
    due: str = Field(description="The due date in force then (local date).")
    original_due: str
    time_zone: str
    overdue_after: str
    amendments: list[dict[str, Any]]
    fulfilled_at: str | None
    late: bool
    reasons: list[str]


class DeadlinesPublic(BaseModel):
    """Deadline states of one agreement as of ``as_of``, grouped as the alerts read them."""

    agreement_id: str
    agreement_version: int
    as_of: datetime
    due_within_days: int
    overdue: list[DeadlineStatePublic]
    due: list[DeadlineStatePublic]
    fulfilled: list[DeadlineStatePublic]
    other: list[DeadlineStatePublic] = Field(description="Pending later, or closed.")


class ProvisionHistoryPublic(BaseModel):
    """A provision's status history with the findings about it the viewer may read."""

    agreement_id: str
    agreement_version: int
    provision_id: str
    number: str
    title: str
    status: str
    status_history: list[dict[str, Any]]
    findings: list[FindingPublic]
