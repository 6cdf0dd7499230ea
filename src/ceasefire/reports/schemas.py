"""The reports area's schemas: one family per resource (``XCreate`` what a client sends,
``XPublic`` what it reads back), shared by the use cases, the API and the CLI."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from ceasefire.access import Classification
from ceasefire.reports.model import (
    Channel,
)


class AttachmentPublic(BaseModel):
    id: str
    report_id: str
    sha256: str
    size_bytes: int
    media_type: str
    filename: str | None
    received_at: datetime
    received_by: str


class ReportBase(BaseModel):
    """What a report says happened, where and when: the part every reader may see."""

    id: str
    received_at: datetime
    channel: Channel
    category: str
    classification: Classification
    concerns: list[str]
    observed: dict[str, Any]
    event_position: dict[str, Any]
    count: int | None
    weapon_class: str | None
    means: list[str]
    alleged_perpetrator: str | None
    casualties: dict[str, Any]
    confidence: str | None
    agreement_id: str | None


class ReportPublic(ReportBase):
    """A report as members see it: the source's content plus how and when it arrived."""

    owner_member: str
    submitted_by: str | None
    idempotency_key: str | None
    content_sha256: str | None
    """``null`` when the report names a post or sensor the reader may not read (withheld
    with them: the hash would confirm a guessed id)."""
    incident_id: str | None
    observer_position: dict[str, Any] | None
    distance_m: dict[str, Any] | None
    bearing_deg: float | None
    narrative: str | None
    source_reference: str | None
    reporter: str | None
    post_id: str | None
    sensor_id: str | None
    attachments: list[AttachmentPublic]


class ReportRedacted(ReportBase):
    """A public report: what happened, where and when; no observer position, no names."""

    incident_id: str | None = None
    """The incident that groups the report (fusion or an analyst), if any."""


class ReportPage(BaseModel):
    items: list[ReportPublic | ReportRedacted]
    next_cursor: str | None


class ImportPublic(BaseModel):
    file_sha256: str
    filename: str
    rows_total: int
    imported: int
    already_present: int
    rejected: int
    batches: int
    rejects_csv: str | None
