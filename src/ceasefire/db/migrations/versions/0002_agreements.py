"""Agreement register: agreements, versions, provisions, deadlines, status history, zones.

Revision ID: 0002_agreements
Revises: 0001_base
Create Date: 2026-11-28
"""

from collections.abc import Sequence

revision: str = "0002_agreements"
down_revision: str | Sequence[str] | None = "0001_base"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
