"""Users: the language and time zone each chose for its pages.

Revision ID: 0015_user_prefs
Revises: 0014_map_cells
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_user_prefs"
# The lead may re-chain this after another 0014 revision.
down_revision: str | Sequence[str] | None = "0014_map_cells"


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("lang", sa.String(8), nullable=True))
        batch.add_column(sa.Column("time_zone", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("time_zone")
        batch.drop_column("lang")
