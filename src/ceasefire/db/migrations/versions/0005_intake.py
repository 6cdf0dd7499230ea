"""Reports, attachments, incidents, investigations, assessments and decision rules.

Revision ID: 0005_intake
Revises: 0004_members
Create Date: 2026-11-28
"""

from collections.abc import Sequence

revision: str = "0005_intake"
down_revision: str | Sequence[str] | None = "0004_members"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
