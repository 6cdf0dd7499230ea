"""Members' witness cosignatures of signed tree heads (``ledger_cosignatures``): one per
member per head, served with the head so that a split view needs the cosigners to collude.

The head's size, root, time and centre key are those of ``ledger_tree_heads`` at
``tree_size``; only what the member added is stored.

Revision ID: 0021_ledger_cosignatures
Revises: 0020_publication_incidents
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from ceasefire.db.base import UTCDateTime

revision: str = "0021_ledger_cosignatures"
down_revision: str | Sequence[str] | None = "0020_publication_incidents"


def upgrade() -> None:
    op.create_table(
        "ledger_cosignatures",
        sa.Column("tree_size", sa.BigInteger(), nullable=False),
        sa.Column("member_id", sa.String(64), nullable=False),
        sa.Column("key_id", sa.String(32), nullable=False),
        sa.Column("cosigned_at", sa.String(32), nullable=False),
        sa.Column("signature", sa.String(128), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("tree_size", "member_id"),
    )


def downgrade() -> None:
    op.drop_table("ledger_cosignatures")
