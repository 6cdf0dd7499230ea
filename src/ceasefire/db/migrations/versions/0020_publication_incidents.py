"""The incidents a stored publication names (``publish.tables.PublicationRow.incident_ids``):
an edition is withdrawn from a reader that no longer reads one of them (the fifteenth audit).

A spot report names its incident in its period (``spot:<id>``): it gets that one. A periodic
edition stored before did not record its incidents: it keeps ``NULL`` (none known), and is
read as before.

Revision ID: 0020_publication_incidents
Revises: 0019_subscription_lang
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020_publication_incidents"
down_revision: str | Sequence[str] | None = "0019_subscription_lang"


def upgrade() -> None:
    with op.batch_alter_table("publications") as batch:
        batch.add_column(sa.Column("incident_ids", sa.Text(), nullable=True))
    op.execute(
        "UPDATE publications SET incident_ids = '[\"' || substr(period, 6) || '\"]' "
        "WHERE period LIKE 'spot:%'"
    )


def downgrade() -> None:
    with op.batch_alter_table("publications") as batch:
        batch.drop_column("incident_ids")
