"""Tables of the news area: articles (deduplicated by content hash) and their events.

An article row keeps the page's metadata, the analysed text and what the pipeline found in
it, with the component versions that found it; the original file is kept content-addressed
in the data folder (``news/<sha256>``). Each event is a row linked to its article and, when it
became one, to the report of channel ``news`` filed for it. ``source_codes`` and
``target_codes`` are stored as ``",ARM,AZE,"`` for a portable ``LIKE '%,X,%'``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ceasefire.db.base import Base, UTCDateTime


class NewsArticleRow(Base):
    __tablename__ = "news_articles"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    content_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    original_sha256: Mapped[str] = mapped_column(String(64))
    source_name: Mapped[str | None] = mapped_column(String(500), nullable=True)
    source_format: Mapped[str] = mapped_column(String(16))
    url: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    outlet: Mapped[str | None] = mapped_column(String(200), nullable=True)
    title: Mapped[str] = mapped_column(String(1000))
    published_text: Mapped[str | None] = mapped_column(String(200), nullable=True)
    published_local: Mapped[str | None] = mapped_column(String(32), nullable=True)
    published_zone: Mapped[str | None] = mapped_column(String(64), nullable=True)
    published_utc: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    language: Mapped[str] = mapped_column(String(8))
    credits: Mapped[list[str]] = mapped_column(JSON)
    # The article object of ``extract --json`` without its text, and the text apart.
    article: Mapped[dict[str, Any]] = mapped_column(JSON)
    text: Mapped[str] = mapped_column(Text)
    # Quotes, places, actors, casualties, weapons as the pipeline found them.
    extraction: Mapped[dict[str, Any]] = mapped_column(JSON)
    pipeline: Mapped[list[str]] = mapped_column(JSON)
    ingested_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ingested_by: Mapped[str] = mapped_column(String(64))


class NewsEventRow(Base):
    __tablename__ = "news_events"
    __table_args__ = (UniqueConstraint("article_id", "ordinal", name="uq_news_events_ordinal"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    article_id: Mapped[str] = mapped_column(ForeignKey("news_articles.id"), index=True)
    ordinal: Mapped[int] = mapped_column(Integer)
    event_type: Mapped[str] = mapped_column(String(16), index=True)
    mode: Mapped[str | None] = mapped_column(String(32), nullable=True)
    modality: Mapped[str] = mapped_column(String(16))
    source_codes: Mapped[str] = mapped_column(String(200))
    target_codes: Mapped[str] = mapped_column(String(200))
    event_date: Mapped[str | None] = mapped_column(String(10), nullable=True)
    date_precision: Mapped[str | None] = mapped_column(String(8), nullable=True)
    place_name: Mapped[str | None] = mapped_column(String(500), nullable=True)
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    where_precision: Mapped[int | None] = mapped_column(Integer, nullable=True)
    sentence_start: Mapped[int] = mapped_column(Integer)
    sentence_end: Mapped[int] = mapped_column(Integer)
    confidence: Mapped[float] = mapped_column(Float)
    is_primary: Mapped[bool] = mapped_column(Boolean)
    component: Mapped[str] = mapped_column(String(64))
    report_id: Mapped[str | None] = mapped_column(
        ForeignKey("reports.id"), nullable=True, index=True
    )
    # The event object of ``extract --json`` (actors, sentence, trigger, figures ...).
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
