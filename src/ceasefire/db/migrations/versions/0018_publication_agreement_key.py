"""A publication's key names its agreement (``publish.tables.PublicationRow``): two
agreements' daily reports of the same day are two publications, each from revision 1,
and the schedule no longer skips one because the other's is stored.

The new key holds every column of the old one, so stored rows satisfy it as they are. A
revision already numbered across two agreements stays as it was: it is ledgered (the
``publish:report:generated`` entry says it), and renumbering would make the record and
the ledger differ.

Revision ID: 0018_publication_agreement_key
Revises: 0017_incident_request_keys
Create Date: 2026-12-06
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0018_publication_agreement_key"
down_revision: str | Sequence[str] | None = "0017_incident_request_keys"

_OLD = ["kind", "period", "edition", "lang", "audience", "format", "revision"]


def upgrade() -> None:
    with op.batch_alter_table("publications") as batch:
        batch.drop_constraint("uq_publications_key", type_="unique")
        batch.create_unique_constraint("uq_publications_key", ["agreement_id", *_OLD])


def downgrade() -> None:
    # Fails where two agreements hold a publication of the same key and revision: the old
    # key cannot tell them apart.
    with op.batch_alter_table("publications") as batch:
        batch.drop_constraint("uq_publications_key", type_="unique")
        batch.create_unique_constraint("uq_publications_key", _OLD)
