"""Ledger tags of the news area: articles ingested.

Tags have the form ``source:subject:action`` (warehouse's audit events). The writer and
the state checker both use these members, so a misspelt tag is an error, not a check
that silently never runs. A tag, once written to a ledger, never changes.

Each tag has one payload type below: the keys and values its writer puts in the entry
(``ceasefire.news.service``), checked by mypy at the write site. At run time a payload is
a plain ``dict``, so the canonical bytes, and every ledger already written, are unchanged.
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
