"""Members, roles per agreement, users, API tokens, observation posts, sensors.

Revision ID: 0004_members
Revises: 0003_ledger
Create Date: 2026-11-28
"""

from collections.abc import Sequence

revision: str = "0004_members"
down_revision: str | Sequence[str] | None = "0003_ledger"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
