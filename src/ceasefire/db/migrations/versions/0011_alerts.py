"""Alerts raised, subscriptions, and the delivery outbox with its attempts.

Revision ID: 0011_alerts
Revises: 0010_compliance
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from ceasefire.db.base import UTCDateTime
from ceasefire.db.migrations.columns import (
    create_indexes,
    create_record_table,
    drop_tables,
    fk,
    pk,
    stamp,
)

revision: str = "0011_alerts"
down_revision: str | Sequence[str] | None = "0010_compliance"


def upgrade() -> None:
    create_record_table(
        "alerts",
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("severity", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("dedup_key", sa.String(300), nullable=False),
        sa.Column("topic", sa.String(300), nullable=False),
        sa.Column("period", sa.String(40), nullable=False),
        sa.Column("agreement_id", sa.String(64), nullable=True),
        sa.Column("classification", sa.String(16), nullable=False),
        sa.Column("concerns", sa.String(200), nullable=False),
        sa.Column("owner_member", sa.String(64), nullable=True),
        sa.Column("area", sa.String(64), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("raised_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("dedup_key", name="uq_alerts_dedup_key"),
    )
    create_indexes("alerts", "kind", "topic", "raised_at")
    create_record_table(
        "alert_subscriptions",
        sa.Column("member_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("kinds", sa.JSON(), nullable=False),
        sa.Column("areas", sa.JSON(), nullable=False),
        sa.Column("min_severity", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("target", sa.String(2000), nullable=False),
        sa.Column("secret", sa.String(200), nullable=True),
        *stamp("created"),
        sa.Column("ended_at", UTCDateTime(), nullable=True),
    )
    create_indexes("alert_subscriptions", "member_id")
    create_record_table(
        "alert_deliveries",
        sa.Column("alert_id", sa.String(40), nullable=False),
        sa.Column("subscription_id", sa.String(40), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=True),
        sa.Column("claimed_until", UTCDateTime(), nullable=True),
        sa.Column("claim", sa.String(40), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        fk("alert_deliveries", "alert_id", "alerts"),
        fk("alert_deliveries", "subscription_id", "alert_subscriptions"),
        sa.UniqueConstraint("alert_id", "subscription_id", name="uq_alert_deliveries_alert_id"),
    )
    op.create_index("ix_alert_deliveries_due", "alert_deliveries", ["state", "next_attempt_at"])
    create_indexes("alert_deliveries", "subscription_id")
    op.create_table(
        "alert_delivery_attempts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("delivery_id", sa.String(40), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        fk("alert_delivery_attempts", "delivery_id", "alert_deliveries"),
        pk("alert_delivery_attempts", "id"),
    )
    create_indexes("alert_delivery_attempts", "delivery_id")


def downgrade() -> None:
    drop_tables("alert_delivery_attempts", "alert_deliveries", "alert_subscriptions", "alerts")
