"""Tamper-evident ledger: entries, member keys, Merkle roots.

Revision ID: 0003_ledger
Revises: 0002_agreements
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from ceasefire.db.base import UTCDateTime
from ceasefire.db.migrations.columns import create_indexes, drop_tables, pk

revision: str = "0003_ledger"
down_revision: str | Sequence[str] | None = "0002_agreements"


def upgrade() -> None:
    op.create_table(
        "ledger_entries",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("tag", sa.String(128), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("member_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(128), nullable=True),
        sa.Column("key_id", sa.String(32), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("payload_hash", sa.String(64), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("entry_hash", sa.String(64), nullable=False),
        sa.Column("header", sa.Text(), nullable=False),
        sa.Column("signature", sa.String(128), nullable=False),
        pk("ledger_entries", "seq"),
        sa.UniqueConstraint("entry_hash", name=op.f("uq_ledger_entries_entry_hash")),
    )
    create_indexes("ledger_entries", "tag", "member_id")
    op.create_index("ix_ledger_entries_subject_tag", "ledger_entries", ["subject", "tag"])
    op.create_index("ix_ledger_entries_recorded_at", "ledger_entries", ["recorded_at"])

    op.create_table(
        "ledger_keys",
        sa.Column("key_id", sa.String(32), nullable=False),
        sa.Column("member_id", sa.String(64), nullable=False),
        sa.Column("algorithm", sa.String(16), nullable=False),
        sa.Column("public_key", sa.String(64), nullable=False),
        sa.Column("custody", sa.String(16), nullable=False),
        sa.Column("valid_from", UTCDateTime(), nullable=False),
        sa.Column("added_seq", sa.BigInteger(), nullable=False),
        sa.Column("valid_until", UTCDateTime(), nullable=True),
        sa.Column("ended_seq", sa.BigInteger(), nullable=True),
        sa.Column("end_reason", sa.String(16), nullable=True),
        pk("ledger_keys", "key_id"),
    )
    create_indexes("ledger_keys", "member_id")

    op.create_table(
        "ledger_roots",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("first_seq", sa.BigInteger(), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.Column("leaf_count", sa.Integer(), nullable=False),
        sa.Column("root", sa.String(64), nullable=False),
        sa.Column("sealed_seq", sa.BigInteger(), nullable=False),
        pk("ledger_roots", "day"),
        sa.UniqueConstraint("sealed_seq", name=op.f("uq_ledger_roots_sealed_seq")),
    )


def downgrade() -> None:
    drop_tables("ledger_roots", "ledger_keys", "ledger_entries")
