"""Tables of the alerts area: alerts raised, subscriptions, and the delivery outbox.

An alert is raised once per condition (``dedup_key`` is unique: kind, subject and period);
each subscriber allowed to read it gets one row in ``alert_deliveries``, the outbox, which
the delivery worker works through. A delivery's state changes only inside a transaction
(pending → succeeded, or → dead after the last failed attempt), and every attempt is a row
of ``alert_delivery_attempts``: a restart loses nothing and repeats nothing that was
recorded. Foreign keys name tables by string, so this module imports no other area.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ceasefire.db.base import Base, UTCDateTime


class AlertRow(Base):
    __tablename__ = "alerts"
    __table_args__ = (UniqueConstraint("dedup_key", name="uq_alerts_dedup_key"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    kind: Mapped[str] = mapped_column(String(24), index=True)
    severity: Mapped[int] = mapped_column(Integer)
    subject: Mapped[str] = mapped_column(String(200))
    dedup_key: Mapped[str] = mapped_column(String(300))
    topic: Mapped[str] = mapped_column(String(300), index=True)
    """Alerts about the same thing seen by different audiences share a topic (a spike
    counted over every incident, and over the shared ones only): a subscriber gets one."""
    period: Mapped[str] = mapped_column(String(40))
    agreement_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    classification: Mapped[str] = mapped_column(String(16))
    concerns: Mapped[str] = mapped_column(String(200))
    owner_member: Mapped[str | None] = mapped_column(String(64), nullable=True)
    area: Mapped[str | None] = mapped_column(String(64), nullable=True)
    summary: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSON)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class SubscriptionRow(Base):
    """What one member's user wants to hear of, and where (a webhook or an address)."""

    __tablename__ = "alert_subscriptions"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    member_id: Mapped[str] = mapped_column(String(64), index=True)
    user_id: Mapped[str] = mapped_column(String(64))
    kinds: Mapped[list[str]] = mapped_column(JSON)
    areas: Mapped[list[str]] = mapped_column(JSON)
    min_severity: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(16))
    lang: Mapped[str] = mapped_column(String(8))
    """The language its deliveries are written in (``en``, ``ru``, ``tr``)."""
    target: Mapped[str] = mapped_column(String(2000))
    secret: Mapped[str | None] = mapped_column(String(200), nullable=True)
    """The webhook's signing secret (HMAC-SHA256); kept to sign, never shown again."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(64))
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class DeliveryRow(Base):
    """The outbox: one alert to one subscription."""

    __tablename__ = "alert_deliveries"
    __table_args__ = (
        UniqueConstraint("alert_id", "subscription_id", name="uq_alert_deliveries_alert_id"),
        Index("ix_alert_deliveries_due", "state", "next_attempt_at"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    alert_id: Mapped[str] = mapped_column(ForeignKey("alerts.id"))
    subscription_id: Mapped[str] = mapped_column(ForeignKey("alert_subscriptions.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    claim: Mapped[str | None] = mapped_column(String(40), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)


class DeliveryAttemptRow(Base):
    """One try of a delivery, failed or not (what the receiver answered)."""

    __tablename__ = "alert_delivery_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    delivery_id: Mapped[str] = mapped_column(ForeignKey("alert_deliveries.id"), index=True)
    attempt: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    succeeded: Mapped[bool] = mapped_column(Boolean)
    status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
