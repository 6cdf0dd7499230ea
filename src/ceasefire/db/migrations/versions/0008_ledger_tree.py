"""Whole-ledger Merkle tree: signed tree heads and cached complete subtrees.

Revision ID: 0008_ledger_tree
Revises: 0007_reports_owner_index
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from ceasefire.db.migrations.columns import drop_tables, pk

revision: str = "0008_ledger_tree"
down_revision: str | Sequence[str] | None = "0007_reports_owner_index"


def upgrade() -> None:
    op.create_table(
        "ledger_tree_heads",
        sa.Column("tree_size", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("root_hash", sa.String(64), nullable=False),
        sa.Column("timestamp", sa.String(32), nullable=False),
        sa.Column("key_id", sa.String(32), nullable=False),
        sa.Column("signature", sa.String(128), nullable=False),
        pk("ledger_tree_heads", "tree_size"),
    )
    op.create_table(
        "ledger_tree_nodes",
        sa.Column("level", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("idx", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("last_entry_hash", sa.String(64), nullable=False),
        pk("ledger_tree_nodes", "level", "idx"),
    )


def downgrade() -> None:
    drop_tables("ledger_tree_nodes", "ledger_tree_heads")
