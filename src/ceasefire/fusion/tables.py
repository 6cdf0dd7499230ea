"""Tables of the fusion area: every decision fusion or an analyst made, with its evidence.

The queue of reports awaiting fusion is the reports area's ``fusion_queue`` (written in the
report's own transaction); which incident groups a report is its ``incident_reports``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ceasefire.db.base import Base, UTCDateTime


class FusionDecisionRow(Base):
    """One decision: a report linked, a new incident, a report left alone, a merge, a split,
    or the undoing of an earlier decision. Never deleted; an undone decision names the
    decision that undid it (``undone_by``)."""

    __tablename__ = "fusion_decisions"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    agreement_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    report_ids: Mapped[list[str]] = mapped_column(JSON)
    incident_id: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    """The incident the reports went to (linked, new, merge target, split's new incident)."""
    other_incident_id: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    """The incident they came from (a merge's emptied incident, a split's source)."""
    matcher: Mapped[str | None] = mapped_column(String(64), nullable=True)
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    evidence: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    evidence_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    actor_member: Mapped[str] = mapped_column(String(64))
    actor_user: Mapped[str | None] = mapped_column(String(64), nullable=True)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime())
    undoes: Mapped[str | None] = mapped_column(ForeignKey("fusion_decisions.id"), nullable=True)
    undone_by: Mapped[str | None] = mapped_column(String(40), nullable=True)
