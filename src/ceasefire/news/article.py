"""The parsed article: what a news page says apart from its page furniture.

An :class:`Article` is produced by :mod:`ceasefire.news.plaintext` (scraped text) or
:mod:`ceasefire.news.html` (HTML, via trafilatura) and is the input of the NLP pipeline.
The text the pipeline analyses is :attr:`Article.text`: the title, the captions and the body
paragraphs as blocks separated by a blank line; every character offset in events, quotes and
places refers to it, and :attr:`Article.blocks` says which part of the page each range is.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

BlockKind = Literal["title", "caption", "body"]
BLOCK_SEPARATOR = "\n\n"


@dataclass(frozen=True)
class Block:
    """One paragraph-like block of the analysed text, with its place in :attr:`Article.text`."""

    kind: BlockKind
    text: str
    start: int

    @property
    def end(self) -> int:
        return self.start + len(self.text)


@dataclass(frozen=True)
class PublicationTime:
    """When the page says it was published, as given: local wall time and zone if known.

    ``utc`` is set only when the zone (or an offset) is known; a bare local time is never
    guessed into UTC.
    """

    text: str
    local: datetime
    zone: str | None = None
    utc: datetime | None = None

    @property
    def local_date(self) -> date:
        return self.local.date()

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "local": self.local.replace(tzinfo=None).isoformat(timespec="minutes"),
            "zone": self.zone,
            "utc": self.utc.isoformat() if self.utc else None,
        }


@dataclass
class Article:
    """A news article with its metadata, captions and body kept apart."""

    title: str
    paragraphs: list[str]
    outlet: str | None = None
    published: PublicationTime | None = None
    dateline: str | None = None
    dateline_place: str | None = None
    credits: list[str] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)
    boilerplate_removed: list[str] = field(default_factory=list)
    language: str = "en"
    source_format: Literal["text", "html", "sentence"] = "text"
    source_name: str | None = None
    url: str | None = None
    content_sha256: str = ""
    blocks: list[Block] = field(default_factory=list)
    text: str = ""

    def __post_init__(self) -> None:
        if not self.blocks:
            self._build_blocks()
        if not self.content_sha256:
            self.content_sha256 = content_hash(self.text)

    def _build_blocks(self) -> None:
        parts: list[tuple[BlockKind, str]] = []
        if self.title:
            parts.append(("title", self.title))
        parts.extend(("caption", caption) for caption in self.captions)
        parts.extend(("body", paragraph) for paragraph in self.paragraphs)
        offset = 0
        blocks: list[Block] = []
        for kind, text in parts:
            blocks.append(Block(kind=kind, text=text, start=offset))
            offset += len(text) + len(BLOCK_SEPARATOR)
        self.blocks = blocks
        self.text = BLOCK_SEPARATOR.join(text for _, text in parts)

    @property
    def body(self) -> str:
        """The body paragraphs, separated by blank lines."""
        return BLOCK_SEPARATOR.join(self.paragraphs)

    @property
    def reference_date(self) -> date | None:
        """The date relative expressions ("on Wednesday") are resolved against."""
        return self.published.local_date if self.published else None

    def block_at(self, offset: int) -> Block | None:
        """The block holding the character at ``offset`` of :attr:`text`."""
        for block in self.blocks:
            if block.start <= offset < block.end + len(BLOCK_SEPARATOR):
                return block
        return None

    def to_dict(self) -> dict[str, Any]:
        """The ``article`` object of ``ceasefire extract --json``."""
        return {
            "outlet": self.outlet,
            "title": self.title,
            "published": self.published.to_dict() if self.published else None,
            "published_local": (
                self.published.local.replace(tzinfo=None).isoformat(timespec="minutes")
                if self.published
                else None
            ),
            "dateline": self.dateline,
            "dateline_place": self.dateline_place,
            "credits": list(self.credits),
            "captions": list(self.captions),
            "paragraphs": list(self.paragraphs),
            "body_paragraphs": len(self.paragraphs),
            "boilerplate_removed": list(self.boilerplate_removed),
            "language": self.language,
            "format": self.source_format,
            "source": self.source_name,
            "url": self.url,
            "content_sha256": self.content_sha256,
            "text": self.text,
            "blocks": [{"kind": b.kind, "start": b.start, "end": b.end} for b in self.blocks],
        }


def content_hash(text: str) -> str:
    """The article's identity: sha256 of its analysed text with whitespace normalised."""
    normal = " ".join(text.split())
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()
