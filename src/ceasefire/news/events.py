"""Ledger tags of the news area: articles ingested.

One payload type per tag, written by ``ceasefire.news.service``.
How tags and payloads are used: docs/ledger.md, "Writing entries".
"""

from enum import StrEnum
from typing import TypedDict


class NewsTag(StrEnum):
    """Every ledger tag the news area writes."""

    ARTICLE_INGESTED = "news:article:ingested"


class ArticleIngested(TypedDict):
    """``news:article:ingested``: an article analysed, the reports filed from its events."""

    content_sha256: str
    original_sha256: str
    title: str
    outlet: str | None
    published_local: str | None
    events: int
    reports: list[str]
    pipeline: list[str]


PAYLOADS: dict[NewsTag, type] = {
    NewsTag.ARTICLE_INGESTED: ArticleIngested,
}
"""The payload type of every tag."""
