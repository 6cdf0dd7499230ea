"""Drop ix_reports_owner_member: uq_reports_idempotency (owner_member, idempotency_key)
already serves every look-up by owner as its leftmost column, on SQLite and PostgreSQL,
and each extra index is written on every report insert (bulk imports).

Revision ID: 0007_reports_owner_index
Revises: 0006_news
Create Date: 2026-11-28
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007_reports_owner_index"
down_revision: str | Sequence[str] | None = "0006_news"


def upgrade() -> None:
    op.drop_index("ix_reports_owner_member", table_name="reports")


def downgrade() -> None:
    op.create_index("ix_reports_owner_member", "reports", ["owner_member"])
