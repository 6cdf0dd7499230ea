"""Tables of the publishing area: every report the centre generated, stored as published.

One row per agreement, kind, period, edition, language, audience and format, and a
revision (two agreements' reports of one day are two publications): the
schedule generates revision 1 once (the unique key makes a restart neither skip nor
repeat it); regenerating from changed data adds revision 2, never overwrites.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ceasefire.db.base import Base, UTCDateTime

KEY_COLUMNS = (
    "agreement_id",
    "kind",
    "period",
    "edition",
    "lang",
    "audience",
    "format",
    "revision",
)
"""What names one stored publication (``uq_publications_key``)."""


class PublicationRow(Base):
    __tablename__ = "publications"
    __table_args__ = (UniqueConstraint(*KEY_COLUMNS, name="uq_publications_key"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    period: Mapped[str] = mapped_column(String(80))
    """``daily:2020-11-26``, ``spot:<incident id>`` …"""
    edition: Mapped[str] = mapped_column(String(16))
    lang: Mapped[str] = mapped_column(String(8))
    audience: Mapped[str] = mapped_column(String(80))
    """``public``, ``monitors`` (the full internal edition), or ``member:<id>``."""
    format: Mapped[str] = mapped_column(String(8))
    revision: Mapped[int] = mapped_column(Integer)
    agreement_id: Mapped[str | None] = mapped_column(String(80), nullable=True)
    period_start: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    period_end: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    html_sha256: Mapped[str] = mapped_column(String(64))
    """The hash of the HTML the PDF was rendered from (the same as ``sha256`` for HTML)."""
    generator: Mapped[str] = mapped_column(String(40))
    generated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    generated_by: Mapped[str] = mapped_column(String(64))
    """``member`` or ``member/user``; the schedule is ``centre/schedule``."""
    ledger_seq: Mapped[int] = mapped_column(BigInteger)
    incident_ids: Mapped[str | None] = mapped_column(Text, nullable=True)
    """The incidents the edition names, a JSON list (``NULL``: a periodic edition stored
    before they were recorded). A reader that no longer reads one of them no longer reads
    the edition (``publish.service.withdrawn_from``)."""
