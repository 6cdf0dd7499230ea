"""Compliance findings: what the agreements' rules found about incidents.

Revision ID: 0010_compliance
Revises: 0009_incidents_position_index
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from ceasefire.db.base import UTCDateTime
from ceasefire.db.migrations.columns import create_indexes, create_record_table, fk

revision: str = "0010_compliance"
down_revision: str | Sequence[str] | None = "0009_incidents_position_index"

TABLE = "compliance_findings"


def upgrade() -> None:
    create_record_table(
        TABLE,
        sa.Column("agreement_id", sa.String(64), nullable=False),
        sa.Column("agreement_version", sa.Integer(), nullable=False),
        sa.Column("rule_id", sa.String(80), nullable=False),
        sa.Column("rule", sa.String(80), nullable=False),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("provision_id", sa.String(80), nullable=False),
        sa.Column("zone_id", sa.String(80), nullable=True),
        sa.Column("incident_id", sa.String(40), nullable=True),
        sa.Column("party", sa.String(16), nullable=True),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("found_at", UTCDateTime(), nullable=False),
        sa.Column("withdrawn_at", UTCDateTime(), nullable=True),
        sa.Column("withdrawn_by", sa.String(40), nullable=True),
        fk(TABLE, "incident_id", "incidents"),
    )
    create_indexes(TABLE, "incident_id")
    op.create_index(f"ix_{TABLE}_provision", TABLE, ["agreement_id", "provision_id"])


def downgrade() -> None:
    op.drop_table(TABLE)
