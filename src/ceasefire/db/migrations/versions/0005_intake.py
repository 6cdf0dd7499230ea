"""Reports, attachments, incidents, investigations, assessments and decision rules.

Revision ID: 0005_intake
Revises: 0004_members
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from ceasefire.db.base import UTCDateTime
from ceasefire.db.migrations.columns import fk, pk

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
    op.create_table(
        table,
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("incident_id", sa.String(40), nullable=False),
        sa.Column("member_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=True),
        *columns,
        fk(table, "incident_id", "incidents"),
        pk(table, "id"),
    )
    op.create_index(f"ix_{table}_incident_id", table, ["incident_id"])


def upgrade() -> None:
    op.create_table(
        "reports",
        sa.Column("id", sa.String(40), nullable=False),
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
        pk("reports", "id"),
        sa.UniqueConstraint("owner_member", "idempotency_key", name="uq_reports_idempotency"),
    )
    op.create_index("ix_reports_observed", "reports", ["observed_start", "observed_end"])
    op.create_index("ix_reports_owner_member", "reports", ["owner_member"])
    op.create_index("ix_reports_channel", "reports", ["channel"])
    op.create_index("ix_reports_category", "reports", ["category"])
    op.create_index("ix_reports_agreement_id", "reports", ["agreement_id"])

    op.create_table(
        "report_attachments",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("report_id", sa.String(40), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("media_type", sa.String(200), nullable=False),
        sa.Column("filename", sa.String(255), nullable=True),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("received_by", sa.String(64), nullable=False),
        fk("report_attachments", "report_id", "reports"),
        pk("report_attachments", "id"),
        sa.UniqueConstraint("report_id", "sha256", name="uq_report_attachments_file"),
    )
    op.create_index("ix_report_attachments_report_id", "report_attachments", ["report_id"])
    op.create_index("ix_report_attachments_sha256", "report_attachments", ["sha256"])

    op.create_table(
        "incidents",
        sa.Column("id", sa.String(40), nullable=False),
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
        pk("incidents", "id"),
    )
    op.create_index("ix_incidents_observed", "incidents", ["observed_start", "observed_end"])
    op.create_index("ix_incidents_agreement_id", "incidents", ["agreement_id"])
    op.create_index("ix_incidents_category", "incidents", ["category"])
    op.create_index("ix_incidents_status", "incidents", ["status"])
    op.create_index("ix_incidents_attribution", "incidents", ["attribution"])

    op.create_table(
        "incident_reports",
        sa.Column("incident_id", sa.String(40), nullable=False),
        sa.Column("report_id", sa.String(40), nullable=False),
        sa.Column("added_at", UTCDateTime(), nullable=False),
        sa.Column("added_by", sa.String(64), nullable=False),
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
    op.create_table(
        "investigation_tasks",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("incident_id", sa.String(40), nullable=False),
        sa.Column("team", sa.JSON(), nullable=False),
        sa.Column("lead_member", sa.String(64), nullable=True),
        sa.Column("party_representatives", sa.JSON(), nullable=False),
        sa.Column("instructions", sa.Text(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=True),
        sa.Column("assigned_at", UTCDateTime(), nullable=False),
        sa.Column("assigned_by", sa.String(64), nullable=False),
        sa.Column("completed_at", UTCDateTime(), nullable=True),
        sa.Column("findings", sa.Text(), nullable=True),
        fk("investigation_tasks", "incident_id", "incidents"),
        pk("investigation_tasks", "id"),
    )
    op.create_index("ix_investigation_tasks_incident_id", "investigation_tasks", ["incident_id"])
    op.create_table(
        "decision_rules",
        sa.Column("agreement_id", sa.String(64), nullable=False),
        sa.Column("rule", sa.JSON(), nullable=False),
        sa.Column("set_at", UTCDateTime(), nullable=False),
        sa.Column("set_by", sa.String(64), nullable=False),
        pk("decision_rules", "agreement_id"),
    )


def downgrade() -> None:
    for table in (
        "decision_rules",
        "investigation_tasks",
        "incident_notes",
        "incident_replies",
        "incident_assessments",
        "incident_reports",
        "incidents",
        "report_attachments",
        "reports",
    ):
        op.drop_table(table)
