"""News articles and the events extracted from them.

Revision ID: 0006_news
Revises: 0005_intake
Create Date: 2026-11-28
"""

from collections.abc import Sequence

revision: str = "0006_news"
down_revision: str | Sequence[str] | None = "0005_intake"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
