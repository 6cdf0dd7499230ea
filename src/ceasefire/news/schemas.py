"""The news area's schemas: what the API and CLI show of stored articles."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class ArticleSummaryPublic(BaseModel):
    """One stored article in the list of the latest ones."""

    id: str
    title: str
    outlet: str | None
    published_local: str | None
    content_sha256: str
    ingested_at: str


class ArticleExtraction(BaseModel):
    """What the pipeline extracted from an article: its own JSON (docs/nlp.md)."""

    article: dict[str, Any]
    events: list[dict[str, Any]]
    quotes: list[dict[str, Any]]
    places: list[dict[str, Any]]
    actors: list[dict[str, Any]]
    casualties: list[dict[str, Any]]
    weapons: list[dict[str, Any]]
    pipeline: list[str] = Field(description="The pipeline components that analysed it.")


class ArticlePreview(ArticleExtraction):
    """What ingesting an article would extract, stored nowhere: the pipeline's own JSON
    (docs/nlp.md), each event with the ``report_body`` it would become or the
    ``report_reason`` it stays an event, and the id of the article already ``stored_as``."""

    notes: list[str]
    stored_as: str | None


class ArticlePublic(ArticleExtraction):
    """One stored article with what was extracted from it and its events.

    ``article`` is the article as read (its metadata and ``text``); the extraction's parts
    and the events are the pipeline's own JSON (docs/nlp.md describes them).
    """

    id: str
    content_sha256: str
    original_sha256: str
    ingested_at: str
