"""Tables of the compliance area: the findings of the agreements' rules.

A finding is never deleted or changed but for its withdrawal: re-evaluating after an
incident, a rule or a zone changed withdraws the findings no longer made (``withdrawn_at``,
``withdrawn_by``) and records the new ones beside them. The incident is named by its id (a
foreign key by table name: this module imports no other area).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ceasefire.db.base import Base, UTCDateTime


class FindingRow(Base):
    __tablename__ = "compliance_findings"
    __table_args__ = (Index("ix_compliance_findings_provision", "agreement_id", "provision_id"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    agreement_id: Mapped[str] = mapped_column(String(64))
    agreement_version: Mapped[int] = mapped_column(Integer)
    rule_id: Mapped[str] = mapped_column(String(80))
    rule: Mapped[str] = mapped_column(String(80))
    """The versioned rule that made it (``compliance.zone_breach.v1``)."""
    level: Mapped[str] = mapped_column(String(16))
    provision_id: Mapped[str] = mapped_column(String(80))
    zone_id: Mapped[str | None] = mapped_column(String(80), nullable=True)
    incident_id: Mapped[str | None] = mapped_column(
        ForeignKey("incidents.id"), nullable=True, index=True
    )
    party: Mapped[str | None] = mapped_column(String(16), nullable=True)
    reasons: Mapped[list[str]] = mapped_column(JSON)
    found_at: Mapped[datetime] = mapped_column(UTCDateTime())
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    withdrawn_by: Mapped[str | None] = mapped_column(String(40), nullable=True)
    """Why it was withdrawn: ``incident_changed``, ``agreement_loaded``,
    ``provision_status_recorded`` or ``evaluation``."""
