"""Publishing: the reports the centre generated, stored and ledgered.

Revision ID: 0013_publish
Revises: 0012_fusion
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from ceasefire.db.base import UTCDateTime
from ceasefire.db.migrations.columns import create_record_table, stamp

revision: str = "0013_publish"
down_revision: str | Sequence[str] | None = "0012_fusion"


def upgrade() -> None:
    create_record_table(
        "publications",
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("period", sa.String(80), nullable=False),
        sa.Column("edition", sa.String(16), nullable=False),
        sa.Column("lang", sa.String(8), nullable=False),
        sa.Column("audience", sa.String(80), nullable=False),
        sa.Column("format", sa.String(8), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.String(80), nullable=True),
        sa.Column("period_start", UTCDateTime(), nullable=True),
        sa.Column("period_end", UTCDateTime(), nullable=True),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("html_sha256", sa.String(64), nullable=False),
        sa.Column("generator", sa.String(40), nullable=False),
        *stamp("generated"),
        sa.Column("ledger_seq", sa.BigInteger(), nullable=False),
        sa.UniqueConstraint(
            "kind",
            "period",
            "edition",
            "lang",
            "audience",
            "format",
            "revision",
            name="uq_publications_key",
        ),
    )


def downgrade() -> None:
    op.drop_table("publications")
