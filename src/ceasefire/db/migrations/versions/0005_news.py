"""News articles and the events extracted from them.

Revision ID: 0005_news
Revises: 0004_members_intake
Create Date: 2026-11-28
"""

from collections.abc import Sequence

revision: str = "0005_news"
down_revision: str | Sequence[str] | None = "0004_members_intake"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
