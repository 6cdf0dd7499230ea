"""Idempotency keys of the requests that make incidents, investigation tasks and working
notes (``incidents.tables.RequestKeyRow``): a retried ``POST`` with the same
``Idempotency-Key`` is answered with the record the first one made.

Revision ID: 0017_incident_request_keys
Revises: 0016_map_cell_counts
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from ceasefire.db.base import UTCDateTime
from ceasefire.db.migrations.columns import pk

revision: str = "0017_incident_request_keys"
down_revision: str | Sequence[str] | None = "0016_map_cell_counts"


def upgrade() -> None:
    op.create_table(
        "incident_request_keys",
        sa.Column("member_id", sa.String(64), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("request_sha256", sa.String(64), nullable=False),
        sa.Column("record_id", sa.String(40), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        pk("incident_request_keys", "member_id", "action", "key"),
    )


def downgrade() -> None:
    op.drop_table("incident_request_keys")
