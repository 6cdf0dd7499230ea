"""Reports, attachments, incidents, investigations, assessments and decision rules.

Revision ID: 0005_intake
Revises: 0004_members
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from ceasefire.db.base import UTCDateTime
from ceasefire.db.migrations.columns import (
    create_indexes,
    create_record_table,
    drop_tables,
    fk,
    pk,
    stamp,
)

revision: str = "0005_intake"
down_revision: str | Sequence[str] | None = "0004_members"


def _what() -> list[sa.Column[object]]:
    """What a report or an incident is about, and who may read it."""
    return [
        sa.Column("category", sa.String(48), nullable=False),
        sa.Column("classification", sa.String(16), nullable=False),
        sa.Column("concerns", sa.String(200), nullable=False),
    ]


def _where() -> list[sa.Column[object]]:
    """Where the event of a report or an incident happened, as precisely as known."""
    return [
        sa.Column("event_lat", sa.Float(), nullable=True),
        sa.Column("event_lon", sa.Float(), nullable=True),
        sa.Column("event_place", sa.String(500), nullable=True),
        sa.Column("event_precision", sa.Integer(), nullable=False),
    ]


def _incident_record(table: str, *columns: sa.Column[object]) -> None:
    """A record a member adds to an incident (assessment, reply, note): by whom, and what."""
    create_record_table(
        table,
        sa.Column("incident_id", sa.String(40), nullable=False),
        sa.Column("member_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=True),
        *columns,
        fk(table, "incident_id", "incidents"),
    )
    create_indexes(table, "incident_id")


def upgrade() -> None:
    create_record_table(
        "reports",
        sa.Column("owner_member", sa.String(64), nullable=False),
        sa.Column("submitted_by", sa.String(64), nullable=True),
        sa.Column("idempotency_key", sa.String(200), nullable=True),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        *_what(),
        sa.Column("observed_start", UTCDateTime(), nullable=False),
        sa.Column("observed_end", UTCDateTime(), nullable=False),
        sa.Column("time_precision", sa.String(8), nullable=False),
        *_where(),
        sa.Column("alleged_perpetrator", sa.String(16), nullable=True),
        sa.Column("agreement_id", sa.String(64), nullable=True),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("content_sha256", sa.String(64), nullable=False),
        sa.Column("import_file_sha256", sa.String(64), nullable=True),
        sa.UniqueConstraint("owner_member", "idempotency_key", name="uq_reports_idempotency"),
    )
    op.create_index("ix_reports_observed", "reports", ["observed_start", "observed_end"])
    create_indexes("reports", "owner_member", "channel", "category", "agreement_id")

    create_record_table(
        "report_attachments",
        sa.Column("report_id", sa.String(40), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("media_type", sa.String(200), nullable=False),
        sa.Column("filename", sa.String(255), nullable=True),
        *stamp("received"),
        fk("report_attachments", "report_id", "reports"),
        sa.UniqueConstraint("report_id", "sha256", name="uq_report_attachments_file"),
    )
    create_indexes("report_attachments", "report_id", "sha256")

    create_record_table(
        "incidents",
        sa.Column("agreement_id", sa.String(64), nullable=True),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("summary", sa.Text(), nullable=True),
        *_what(),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("attribution", sa.String(24), nullable=False),
        sa.Column("attributed_party", sa.String(16), nullable=True),
        sa.Column("observed_start", UTCDateTime(), nullable=False),
        sa.Column("observed_end", UTCDateTime(), nullable=False),
        *_where(),
        sa.Column("owner_member", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("decision", sa.JSON(), nullable=True),
    )
    op.create_index("ix_incidents_observed", "incidents", ["observed_start", "observed_end"])
    create_indexes("incidents", "agreement_id", "category", "status", "attribution")

    op.create_table(
        "incident_reports",
        sa.Column("incident_id", sa.String(40), nullable=False),
        sa.Column("report_id", sa.String(40), nullable=False),
        *stamp("added"),
        fk("incident_reports", "incident_id", "incidents"),
        fk("incident_reports", "report_id", "reports"),
        pk("incident_reports", "incident_id", "report_id"),
        sa.UniqueConstraint("report_id", name="uq_incident_reports_report_id"),
    )
    _incident_record(
        "incident_assessments",
        sa.Column("stance", sa.String(16), nullable=False),
        sa.Column("finding_status", sa.String(24), nullable=True),
        sa.Column("finding_attribution", sa.String(24), nullable=True),
        sa.Column("finding_party", sa.String(16), nullable=True),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("evidence_refs", sa.JSON(), nullable=False),
        sa.Column("classification", sa.String(16), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("supersedes", sa.String(40), nullable=True),
    )
    _incident_record(
        "incident_replies",
        sa.Column("party", sa.String(16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("evidence_refs", sa.JSON(), nullable=False),
        sa.Column("classification", sa.String(16), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
    )
    _incident_record(
        "incident_notes",
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("classification", sa.String(16), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
    )
    create_record_table(
        "investigation_tasks",
        sa.Column("incident_id", sa.String(40), nullable=False),
        sa.Column("team", sa.JSON(), nullable=False),
        sa.Column("lead_member", sa.String(64), nullable=True),
        sa.Column("party_representatives", sa.JSON(), nullable=False),
        sa.Column("instructions", sa.Text(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=True),
        *stamp("assigned"),
        sa.Column("completed_at", UTCDateTime(), nullable=True),
        sa.Column("findings", sa.Text(), nullable=True),
        fk("investigation_tasks", "incident_id", "incidents"),
    )
    create_indexes("investigation_tasks", "incident_id")
    op.create_table(
        "decision_rules",
        sa.Column("agreement_id", sa.String(64), nullable=False),
        sa.Column("rule", sa.JSON(), nullable=False),
        *stamp("set"),
        pk("decision_rules", "agreement_id"),
    )


def downgrade() -> None:
    drop_tables(
        "decision_rules",
        "investigation_tasks",
        "incident_notes",
        "incident_replies",
        "incident_assessments",
        "incident_reports",
        "incidents",
        "report_attachments",
        "reports",
    )
