"""The agreement register's tables.

- ``agreements``: one row per agreement id, pointing at its current version.
- ``agreement_versions``: every loaded version's full document (so old versions stay
  readable exactly as loaded) and what changed from the version before.
- ``provisions``: every provision id an agreement ever had; an id is never reused, and one
  missing from a newer version is marked retired in it.
- ``provision_status_changes``: one row per status change (append-only), each matched by a
  ledger entry whose sequence number it keeps.
- ``deadline_amendments``: one row per amendment of a provision's deadline, in chain order.
- ``zones``: the zones of each agreement's current version (retired ones kept, marked).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from ceasefire.db.base import Base, UTCDateTime


class AgreementRow(Base):
    __tablename__ = "agreements"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(32))
    current_version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AgreementVersionRow(Base):
    __tablename__ = "agreement_versions"

    agreement_id: Mapped[str] = mapped_column(
        String(80), ForeignKey("agreements.id"), primary_key=True
    )
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    content_sha256: Mapped[str] = mapped_column(String(64))
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    changes: Mapped[dict[str, Any]] = mapped_column(JSON)
    source_name: Mapped[str] = mapped_column(String(500))
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    loaded_by: Mapped[str] = mapped_column(String(80))
    ledger_seq: Mapped[int | None] = mapped_column(Integer, nullable=True)


class ProvisionRow(Base):
    __tablename__ = "provisions"

    agreement_id: Mapped[str] = mapped_column(
        String(80), ForeignKey("agreements.id"), primary_key=True
    )
    provision_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    number: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(32))
    parent_id: Mapped[str | None] = mapped_column(String(80), nullable=True)
    first_version: Mapped[int] = mapped_column(Integer)
    last_version: Mapped[int] = mapped_column(Integer)
    retired_in_version: Mapped[int | None] = mapped_column(Integer, nullable=True)


def _provision_fk(table: str) -> ForeignKeyConstraint:
    """The reference from a record about one provision to that provision."""
    return ForeignKeyConstraint(
        ["agreement_id", "provision_id"],
        ["provisions.agreement_id", "provisions.provision_id"],
        name=f"fk_{table}_provision",
    )


class ProvisionStatusChangeRow(Base):
    __tablename__ = "provision_status_changes"
    __table_args__ = (
        _provision_fk("provision_status_changes"),
        UniqueConstraint(
            "agreement_id", "provision_id", "at", "status", name="uq_provision_status_changes_at"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    agreement_id: Mapped[str] = mapped_column(String(80), index=True)
    provision_id: Mapped[str] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    at_local: Mapped[str] = mapped_column(String(32))
    at_time_zone: Mapped[str] = mapped_column(String(64))
    at_precision: Mapped[str] = mapped_column(String(8))
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    origin: Mapped[str] = mapped_column(String(16))
    agreement_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by: Mapped[str] = mapped_column(String(80))
    ledger_seq: Mapped[int] = mapped_column(Integer)


class DeadlineAmendmentRow(Base):
    __tablename__ = "deadline_amendments"
    __table_args__ = (
        _provision_fk("deadline_amendments"),
        UniqueConstraint("agreement_id", "provision_id", "seq", name="uq_deadline_amendments_seq"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    agreement_id: Mapped[str] = mapped_column(String(80), index=True)
    provision_id: Mapped[str] = mapped_column(String(80))
    seq: Mapped[int] = mapped_column(Integer)
    previous_due: Mapped[date] = mapped_column(Date)
    due: Mapped[date] = mapped_column(Date)
    time_zone: Mapped[str] = mapped_column(String(64))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_local: Mapped[str] = mapped_column(String(32))
    decided_time_zone: Mapped[str] = mapped_column(String(64))
    requested_by: Mapped[str | None] = mapped_column(String(16), nullable=True)
    decided_by: Mapped[list[str]] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text)
    instrument: Mapped[str | None] = mapped_column(Text, nullable=True)
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    agreement_version: Mapped[int] = mapped_column(Integer)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by: Mapped[str] = mapped_column(String(80))
    ledger_seq: Mapped[int] = mapped_column(Integer)


class ZoneRow(Base):
    __tablename__ = "zones"

    agreement_id: Mapped[str] = mapped_column(
        String(80), ForeignKey("agreements.id"), primary_key=True
    )
    zone_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(32))
    precision: Mapped[str] = mapped_column(Text)
    geometry: Mapped[dict[str, Any]] = mapped_column(JSON)
    valid_from: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    agreement_version: Mapped[int] = mapped_column(Integer)
    retired_in_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
