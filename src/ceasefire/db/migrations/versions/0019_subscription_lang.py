"""A subscription's language (``alerts.tables.SubscriptionRow.lang``): the e-mail and the
webhook's text of its deliveries are written in it (English, Russian or Turkish).

Every subscription made before had no language and was told in English: it gets ``en``.

Revision ID: 0019_subscription_lang
Revises: 0018_publication_agreement_key
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019_subscription_lang"
down_revision: str | Sequence[str] | None = "0018_publication_agreement_key"


def upgrade() -> None:
    # The server default fills the rows there are; the table declares no default of its
    # own (the service always names the language), so the default goes again after.
    with op.batch_alter_table("alert_subscriptions") as batch:
        batch.add_column(sa.Column("lang", sa.String(8), nullable=False, server_default="en"))
    with op.batch_alter_table("alert_subscriptions") as batch:
        batch.alter_column("lang", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("alert_subscriptions") as batch:
        batch.drop_column("lang")
