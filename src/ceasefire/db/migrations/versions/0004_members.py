"""Members, roles per agreement, users, API tokens, sign-in failures, observation posts, sensors.

Revision ID: 0004_members
Revises: 0003_ledger
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from ceasefire.db.base import UTCDateTime
from ceasefire.db.migrations.columns import create_indexes, drop_tables, fk, pk, stamp

revision: str = "0004_members"
down_revision: str | Sequence[str] | None = "0003_ledger"


def upgrade() -> None:
    op.create_table(
        "members",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("iso3", sa.String(3), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        pk("members", "id"),
    )
    op.create_table(
        "member_roles",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("member_id", sa.String(64), nullable=False),
        sa.Column("agreement_id", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("party", sa.String(3), nullable=True),
        sa.Column("valid_from", UTCDateTime(), nullable=False),
        sa.Column("valid_to", UTCDateTime(), nullable=True),
        *stamp("granted"),
        fk("member_roles", "member_id", "members"),
        pk("member_roles", "id"),
    )
    op.create_index(
        "ix_member_roles_member_agreement", "member_roles", ["member_id", "agreement_id"]
    )
    op.create_table(
        "users",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("member_id", sa.String(64), nullable=False),
        sa.Column("display_name", sa.String(200), nullable=True),
        sa.Column("password_hash", sa.String(255), nullable=True),
        sa.Column("operator", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("disabled_at", UTCDateTime(), nullable=True),
        fk("users", "member_id", "members"),
        pk("users", "id"),
    )
    create_indexes("users", "member_id")
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("label", sa.String(100), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=True),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.Column("last_used_at", UTCDateTime(), nullable=True),
        fk("api_tokens", "user_id", "users"),
        pk("api_tokens", "id"),
        sa.UniqueConstraint("token_hash", name="uq_api_tokens_token_hash"),
    )
    create_indexes("api_tokens", "user_id")
    op.create_table(
        "login_failures",
        sa.Column("user_name", sa.String(200), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_started_at", UTCDateTime(), nullable=False),
        sa.Column("locked_until", UTCDateTime(), nullable=True),
        pk("login_failures", "user_name"),
    )
    op.create_table(
        "observation_posts",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("location_note", sa.Text(), nullable=True),
        sa.Column("active_from", UTCDateTime(), nullable=False),
        sa.Column("active_to", UTCDateTime(), nullable=True),
        sa.Column("independent", sa.Boolean(), nullable=False),
        sa.Column("classification", sa.String(16), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        pk("observation_posts", "id"),
    )
    op.create_table(
        "post_owners",
        sa.Column("post_id", sa.String(64), nullable=False),
        sa.Column("member_id", sa.String(64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        fk("post_owners", "post_id", "observation_posts"),
        fk("post_owners", "member_id", "members"),
        pk("post_owners", "post_id", "member_id"),
    )
    op.create_table(
        "sensors",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("post_id", sa.String(64), nullable=True),
        sa.Column("member_id", sa.String(64), nullable=True),
        sa.Column("classification", sa.String(16), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "(post_id IS NULL) <> (member_id IS NULL)",
            name="ck_sensors_attached_to_post_or_member",
        ),
        fk("sensors", "post_id", "observation_posts"),
        fk("sensors", "member_id", "members"),
        pk("sensors", "id"),
    )
    create_indexes("sensors", "post_id", "member_id")


def downgrade() -> None:
    drop_tables(
        "sensors",
        "post_owners",
        "observation_posts",
        "login_failures",
        "api_tokens",
        "users",
        "member_roles",
        "members",
    )
