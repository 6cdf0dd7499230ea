"""Agreement register: agreements, versions, provisions, deadlines, status history, zones.

Revision ID: 0002_agreements
Revises: 0001_base
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from ceasefire.db.base import UTCDateTime
from ceasefire.db.migrations.columns import create_indexes, drop_tables, fk, pk, stamp

revision: str = "0002_agreements"
down_revision: str | Sequence[str] | None = "0001_base"


def _provision_record(
    table: str, *columns: sa.Column[object], unique: tuple[str, ...], unique_name: str
) -> None:
    """A ledgered record about one provision (a status change, a deadline amendment)."""
    op.create_table(
        table,
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("agreement_id", sa.String(80), nullable=False),
        sa.Column("provision_id", sa.String(80), nullable=False),
        *columns,
        *stamp("recorded", by_length=80),
        sa.Column("ledger_seq", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id", "provision_id"],
            ["provisions.agreement_id", "provisions.provision_id"],
            name=f"fk_{table}_provision",
        ),
        pk(table, "id"),
        sa.UniqueConstraint("agreement_id", "provision_id", *unique, name=unique_name),
    )
    create_indexes(table, "agreement_id")


def upgrade() -> None:
    op.create_table(
        "agreements",
        sa.Column("id", sa.String(80), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("current_version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        pk("agreements", "id"),
    )
    op.create_table(
        "agreement_versions",
        sa.Column("agreement_id", sa.String(80), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content_sha256", sa.String(64), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("source_name", sa.String(500), nullable=False),
        *stamp("loaded", by_length=80),
        sa.Column("ledger_seq", sa.Integer(), nullable=True),
        fk("agreement_versions", "agreement_id", "agreements"),
        pk("agreement_versions", "agreement_id", "version"),
    )
    op.create_table(
        "provisions",
        sa.Column("agreement_id", sa.String(80), nullable=False),
        sa.Column("provision_id", sa.String(80), nullable=False),
        sa.Column("number", sa.String(32), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("parent_id", sa.String(80), nullable=True),
        sa.Column("first_version", sa.Integer(), nullable=False),
        sa.Column("last_version", sa.Integer(), nullable=False),
        sa.Column("retired_in_version", sa.Integer(), nullable=True),
        fk("provisions", "agreement_id", "agreements"),
        pk("provisions", "agreement_id", "provision_id"),
    )
    _provision_record(
        "provision_status_changes",
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("at_local", sa.String(32), nullable=False),
        sa.Column("at_time_zone", sa.String(64), nullable=False),
        sa.Column("at_precision", sa.String(8), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("origin", sa.String(16), nullable=False),
        sa.Column("agreement_version", sa.Integer(), nullable=True),
        unique=("at", "status"),
        unique_name="uq_provision_status_changes_at",
    )
    _provision_record(
        "deadline_amendments",
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("previous_due", sa.Date(), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("time_zone", sa.String(64), nullable=False),
        sa.Column("decided_at", UTCDateTime(), nullable=False),
        sa.Column("decided_local", sa.String(32), nullable=False),
        sa.Column("decided_time_zone", sa.String(64), nullable=False),
        sa.Column("requested_by", sa.String(16), nullable=True),
        sa.Column("decided_by", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("instrument", sa.Text(), nullable=True),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("agreement_version", sa.Integer(), nullable=False),
        unique=("seq",),
        unique_name="uq_deadline_amendments_seq",
    )
    op.create_table(
        "zones",
        sa.Column("agreement_id", sa.String(80), nullable=False),
        sa.Column("zone_id", sa.String(80), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("precision", sa.Text(), nullable=False),
        sa.Column("geometry", sa.JSON(), nullable=False),
        sa.Column("valid_from", UTCDateTime(), nullable=True),
        sa.Column("valid_until", UTCDateTime(), nullable=True),
        sa.Column("agreement_version", sa.Integer(), nullable=False),
        sa.Column("retired_in_version", sa.Integer(), nullable=True),
        fk("zones", "agreement_id", "agreements"),
        pk("zones", "agreement_id", "zone_id"),
    )


def downgrade() -> None:
    drop_tables(
        "zones",
        "deadline_amendments",
        "provision_status_changes",
        "provisions",
        "agreement_versions",
        "agreements",
    )
