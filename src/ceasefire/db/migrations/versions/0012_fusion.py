"""Fusion: the queue of reports to fuse, the decisions with their evidence, merged incidents.

Revision ID: 0012_fusion
Revises: 0011_alerts
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from ceasefire.db.base import UTCDateTime
from ceasefire.db.migrations.columns import (
    create_record_table,
    drop_tables,
    fk,
    pk,
)

revision: str = "0012_fusion"
down_revision: str | Sequence[str] | None = "0011_alerts"


def upgrade() -> None:
    op.create_table(
        "fusion_queue",
        sa.Column("report_id", sa.String(40), nullable=False),
        sa.Column("queued_at", UTCDateTime(), nullable=False),
        pk("fusion_queue", "report_id"),
        fk("fusion_queue", "report_id", "reports"),
    )
    create_record_table(
        "fusion_decisions",
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("agreement_id", sa.String(64), nullable=True),
        sa.Column("report_ids", sa.JSON(), nullable=False),
        sa.Column("incident_id", sa.String(40), nullable=True),
        sa.Column("other_incident_id", sa.String(40), nullable=True),
        sa.Column("matcher", sa.String(64), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("evidence", sa.JSON(), nullable=True),
        sa.Column("evidence_sha256", sa.String(64), nullable=True),
        sa.Column("actor_member", sa.String(64), nullable=False),
        sa.Column("actor_user", sa.String(64), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=False),
        sa.Column("undoes", sa.String(40), nullable=True),
        sa.Column("undone_by", sa.String(40), nullable=True),
        fk("fusion_decisions", "undoes", "fusion_decisions"),
    )
    op.create_index("ix_fusion_decisions_incident_id", "fusion_decisions", ["incident_id"])
    op.create_index(
        "ix_fusion_decisions_other_incident_id", "fusion_decisions", ["other_incident_id"]
    )
    with op.batch_alter_table("incidents") as batch:
        batch.add_column(sa.Column("emptied_by", sa.String(40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("incidents") as batch:
        batch.drop_column("emptied_by")
    drop_tables("fusion_decisions", "fusion_queue")
