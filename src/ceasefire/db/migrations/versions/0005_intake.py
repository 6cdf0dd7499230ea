"""Reports, attachments, incidents, investigations, assessments and decision rules.

Revision ID: 0005_intake
Revises: 0004_members
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from ceasefire.db.base import UTCDateTime

revision: str = "0005_intake"
down_revision: str | Sequence[str] | None = "0004_members"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _incident_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["incident_id"], ["incidents.id"], name=f"fk_{table}_incident_id_incidents"
    )


def upgrade() -> None:
    op.create_table(
        "reports",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("owner_member", sa.String(64), nullable=False),
        sa.Column("submitted_by", sa.String(64), nullable=True),
        sa.Column("idempotency_key", sa.String(200), nullable=True),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("category", sa.String(48), nullable=False),
        sa.Column("classification", sa.String(16), nullable=False),
        sa.Column("concerns", sa.String(200), nullable=False),
        sa.Column("observed_start", UTCDateTime(), nullable=False),
        sa.Column("observed_end", UTCDateTime(), nullable=False),
        sa.Column("time_precision", sa.String(8), nullable=False),
        sa.Column("event_lat", sa.Float(), nullable=True),
        sa.Column("event_lon", sa.Float(), nullable=True),
        sa.Column("event_place", sa.String(500), nullable=True),
        sa.Column("event_precision", sa.Integer(), nullable=False),
        sa.Column("alleged_perpetrator", sa.String(16), nullable=True),
        sa.Column("agreement_id", sa.String(64), nullable=True),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("content_sha256", sa.String(64), nullable=False),
        sa.Column("import_file_sha256", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_reports"),
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
        sa.ForeignKeyConstraint(
            ["report_id"], ["reports.id"], name="fk_report_attachments_report_id_reports"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_report_attachments"),
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
        sa.Column("category", sa.String(48), nullable=False),
        sa.Column("classification", sa.String(16), nullable=False),
        sa.Column("concerns", sa.String(200), nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("attribution", sa.String(24), nullable=False),
        sa.Column("attributed_party", sa.String(16), nullable=True),
        sa.Column("observed_start", UTCDateTime(), nullable=False),
        sa.Column("observed_end", UTCDateTime(), nullable=False),
        sa.Column("event_lat", sa.Float(), nullable=True),
        sa.Column("event_lon", sa.Float(), nullable=True),
        sa.Column("event_place", sa.String(500), nullable=True),
        sa.Column("event_precision", sa.Integer(), nullable=False),
        sa.Column("owner_member", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("decision", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_incidents"),
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
        _incident_fk("incident_reports"),
        sa.ForeignKeyConstraint(
            ["report_id"], ["reports.id"], name="fk_incident_reports_report_id_reports"
        ),
        sa.PrimaryKeyConstraint("incident_id", "report_id", name="pk_incident_reports"),
        sa.UniqueConstraint("report_id", name="uq_incident_reports_report_id"),
    )
    op.create_table(
        "incident_assessments",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("incident_id", sa.String(40), nullable=False),
        sa.Column("member_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=True),
        sa.Column("stance", sa.String(16), nullable=False),
        sa.Column("finding_status", sa.String(24), nullable=True),
        sa.Column("finding_attribution", sa.String(24), nullable=True),
        sa.Column("finding_party", sa.String(16), nullable=True),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("evidence_refs", sa.JSON(), nullable=False),
        sa.Column("classification", sa.String(16), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("supersedes", sa.String(40), nullable=True),
        _incident_fk("incident_assessments"),
        sa.PrimaryKeyConstraint("id", name="pk_incident_assessments"),
    )
    op.create_index("ix_incident_assessments_incident_id", "incident_assessments", ["incident_id"])
    op.create_table(
        "incident_replies",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("incident_id", sa.String(40), nullable=False),
        sa.Column("member_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=True),
        sa.Column("party", sa.String(16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("evidence_refs", sa.JSON(), nullable=False),
        sa.Column("classification", sa.String(16), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        _incident_fk("incident_replies"),
        sa.PrimaryKeyConstraint("id", name="pk_incident_replies"),
    )
    op.create_index("ix_incident_replies_incident_id", "incident_replies", ["incident_id"])
    op.create_table(
        "incident_notes",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("incident_id", sa.String(40), nullable=False),
        sa.Column("member_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("classification", sa.String(16), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        _incident_fk("incident_notes"),
        sa.PrimaryKeyConstraint("id", name="pk_incident_notes"),
    )
    op.create_index("ix_incident_notes_incident_id", "incident_notes", ["incident_id"])
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
        _incident_fk("investigation_tasks"),
        sa.PrimaryKeyConstraint("id", name="pk_investigation_tasks"),
    )
    op.create_index("ix_investigation_tasks_incident_id", "investigation_tasks", ["incident_id"])
    op.create_table(
        "decision_rules",
        sa.Column("agreement_id", sa.String(64), nullable=False),
        sa.Column("rule", sa.JSON(), nullable=False),
        sa.Column("set_at", UTCDateTime(), nullable=False),
        sa.Column("set_by", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("agreement_id", name="pk_decision_rules"),
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
