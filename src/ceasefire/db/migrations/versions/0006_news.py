"""News articles and the events extracted from them.

Revision ID: 0006_news
Revises: 0005_intake
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa

from ceasefire.db.base import UTCDateTime
from ceasefire.db.migrations.columns import (
    create_indexes,
    create_record_table,
    drop_tables,
    fk,
    stamp,
)

revision: str = "0006_news"
down_revision: str | Sequence[str] | None = "0005_intake"


def upgrade() -> None:
    create_record_table(
        "news_articles",
        sa.Column("content_sha256", sa.String(64), nullable=False),
        sa.Column("original_sha256", sa.String(64), nullable=False),
        sa.Column("source_name", sa.String(500), nullable=True),
        sa.Column("source_format", sa.String(16), nullable=False),
        sa.Column("url", sa.String(2000), nullable=True),
        sa.Column("outlet", sa.String(200), nullable=True),
        sa.Column("title", sa.String(1000), nullable=False),
        sa.Column("published_text", sa.String(200), nullable=True),
        sa.Column("published_local", sa.String(32), nullable=True),
        sa.Column("published_zone", sa.String(64), nullable=True),
        sa.Column("published_utc", UTCDateTime(), nullable=True),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("credits", sa.JSON(), nullable=False),
        sa.Column("article", sa.JSON(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("extraction", sa.JSON(), nullable=False),
        sa.Column("pipeline", sa.JSON(), nullable=False),
        *stamp("ingested"),
        sa.UniqueConstraint("content_sha256", name="uq_news_articles_content_sha256"),
    )
    create_record_table(
        "news_events",
        sa.Column("article_id", sa.String(40), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("event_type", sa.String(16), nullable=False),
        sa.Column("mode", sa.String(32), nullable=True),
        sa.Column("modality", sa.String(16), nullable=False),
        sa.Column("source_codes", sa.String(200), nullable=False),
        sa.Column("target_codes", sa.String(200), nullable=False),
        sa.Column("event_date", sa.String(10), nullable=True),
        sa.Column("date_precision", sa.String(8), nullable=True),
        sa.Column("place_name", sa.String(500), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("where_precision", sa.Integer(), nullable=True),
        sa.Column("sentence_start", sa.Integer(), nullable=False),
        sa.Column("sentence_end", sa.Integer(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("is_primary", sa.Boolean(), nullable=False),
        sa.Column("component", sa.String(64), nullable=False),
        sa.Column("report_id", sa.String(40), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        fk("news_events", "article_id", "news_articles"),
        fk("news_events", "report_id", "reports"),
        sa.UniqueConstraint("article_id", "ordinal", name="uq_news_events_ordinal"),
    )
    create_indexes("news_events", "article_id", "event_type", "report_id")


def downgrade() -> None:
    drop_tables("news_events", "news_articles")
