"""Ledger tags of the news area: articles ingested.

Tags have the form ``source:subject:action`` (warehouse's audit events). The writer and
the state checker both use these members, so a misspelt tag is an error, not a check
that silently never runs. A tag, once written to a ledger, never changes."""

from enum import StrEnum


class NewsTag(StrEnum):
    """Every ledger tag the news area writes."""

    ARTICLE_INGESTED = "news:article:ingested"
