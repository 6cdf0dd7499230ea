"""Tamper-evident ledger: entries, member keys, Merkle roots.

Revision ID: 0003_ledger
Revises: 0002_agreements
Create Date: 2026-11-28
"""

from collections.abc import Sequence

revision: str = "0003_ledger"
down_revision: str | Sequence[str] | None = "0002_agreements"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
