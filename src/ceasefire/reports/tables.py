"""Tables of the reports area: reports, their attachments, and which incident groups each
report (``incident_reports``; the incidents area owns the incidents themselves).

Identifiers are time-ordered strings (see ``ceasefire.ids``), so ordering by id is
ordering by creation and ids serve as paging cursors. ``concerns`` is stored as
``",ARM,AZE,"`` so that "concerns party X" is a portable ``LIKE '%,X,%'`` on both backends.
``owner_member`` has no foreign key to ``members``: the centre files reports before any
member exists (CSV bootstrap) and the ledger, not a constraint, is the record of who filed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from ceasefire.db.base import Base, UTCDateTime


class ReportRow(Base):
    __tablename__ = "reports"
    __table_args__ = (
        UniqueConstraint("owner_member", "idempotency_key", name="uq_reports_idempotency"),
        Index("ix_reports_observed", "observed_start", "observed_end"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    owner_member: Mapped[str] = mapped_column(String(64))  # indexed by uq_reports_idempotency
    submitted_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    channel: Mapped[str] = mapped_column(String(32), index=True)
    category: Mapped[str] = mapped_column(String(48), index=True)
    classification: Mapped[str] = mapped_column(String(16))
    concerns: Mapped[str] = mapped_column(String(200))
    observed_start: Mapped[datetime] = mapped_column(UTCDateTime())
    observed_end: Mapped[datetime] = mapped_column(UTCDateTime())
    time_precision: Mapped[str] = mapped_column(String(8))
    event_lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    event_lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    event_place: Mapped[str | None] = mapped_column(String(500), nullable=True)
    event_precision: Mapped[int] = mapped_column(Integer)
    alleged_perpetrator: Mapped[str | None] = mapped_column(String(16), nullable=True)
    agreement_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    # The canonical JSON text of the content, exactly as hashed (see ReportContent.canonical).
    content: Mapped[str] = mapped_column(Text)
    content_sha256: Mapped[str] = mapped_column(String(64))
    import_file_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)


class AttachmentRow(Base):
    __tablename__ = "report_attachments"
    __table_args__ = (UniqueConstraint("report_id", "sha256", name="uq_report_attachments_file"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    report_id: Mapped[str] = mapped_column(ForeignKey("reports.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size_bytes: Mapped[int] = mapped_column(Integer)
    media_type: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str | None] = mapped_column(String(255), nullable=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    received_by: Mapped[str] = mapped_column(String(64))


class IncidentReportRow(Base):
    """Which reports an incident groups; a report belongs to at most one incident."""

    __tablename__ = "incident_reports"

    incident_id: Mapped[str] = mapped_column(ForeignKey("incidents.id"), primary_key=True)
    report_id: Mapped[str] = mapped_column(ForeignKey("reports.id"), primary_key=True, unique=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime())
    added_by: Mapped[str] = mapped_column(String(64))


class FusionQueueRow(Base):
    """A report stored and not yet fused into an incident (the fusion area's persistent queue).

    The row is written in the transaction that stores the report, on every intake path
    (``reports.service._store``, the CSV import's batches), and deleted only in the
    transaction that records the fusion decision: a crash or a restart loses nothing. It
    lives here, not in ``ceasefire.fusion``, because the reports area writes it and the
    fusion area (which reads reports) may not be imported by the reports area.
    """

    __tablename__ = "fusion_queue"

    report_id: Mapped[str] = mapped_column(ForeignKey("reports.id"), primary_key=True)
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime())
