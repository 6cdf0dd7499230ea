"""From files or texts to the JSON shapes of ``ceasefire extract``.

:class:`NewsExtractor` holds one pipeline (the spaCy model is loaded once) and turns an
article file, an HTML page or a single sentence into a result dict.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ceasefire.errors import CeasefireError, InvalidInput, problem
from ceasefire.news.article import Article, PublicationTime
from ceasefire.news.inputs import DEFAULT_MAX_BYTES, RawArticle, decode_article, read_article_file
from ceasefire.news.pipeline import DEFAULT_PIPELINE, NewsDoc, Pipeline, PipelineResources
from ceasefire.news.plaintext import parse_plain_text

SUPPORTED_LANGUAGES = frozenset({"en"})


@dataclass
class NewsExtractor:
    """Parses articles and runs the news pipeline over them."""

    pipeline: Pipeline
    max_bytes: int = DEFAULT_MAX_BYTES

    @classmethod
    def create(
        cls,
        *,
        components: Sequence[str] = DEFAULT_PIPELINE,
        actor_file: Path | None = None,
        max_bytes: int = DEFAULT_MAX_BYTES,
        resources: PipelineResources | None = None,
    ) -> NewsExtractor:
        resources = resources or PipelineResources(actor_file=actor_file)
        return cls(pipeline=Pipeline(components, resources), max_bytes=max_bytes)

    def read(self, path: Path) -> Article:
        """Read and parse one article file (plain text or HTML)."""
        return parse_raw(read_article_file(path, max_bytes=self.max_bytes))

    def read_bytes(self, data: bytes, *, name: str, url: str | None = None) -> Article:
        return parse_raw(decode_article(data, name=name, max_bytes=self.max_bytes), url=url)

    def analyse(self, article: Article) -> NewsDoc:
        """Run the pipeline; InvalidInput for a language the pipeline does not read."""
        check_language(article)
        return self.pipeline(article)

    def extract_file(self, path: Path) -> dict[str, Any]:
        """The ``extract --json`` object of one file."""
        return article_result(self.analyse(self.read(path)))

    def extract_files(
        self, paths: Iterable[Path], *, batch_size: int = 8
    ) -> Iterator[tuple[Path, dict[str, Any] | CeasefireError]]:
        """``extract --json`` objects of many files, in order; a bad file yields its error.

        Good articles are parsed in batches (spaCy is faster on a batch).
        """
        pending: list[tuple[Path, Article]] = []

        def flush() -> Iterator[tuple[Path, dict[str, Any] | CeasefireError]]:
            docs = self.pipeline.pipe([a for _, a in pending], batch_size=batch_size)
            for (path, _), news in zip(pending, docs, strict=True):
                yield path, article_result(news)
            pending.clear()

        for path in paths:
            try:
                article = self.read(path)
                check_language(article)
            except CeasefireError as exc:
                yield from flush()
                yield path, exc
                continue
            pending.append((path, article))
            if len(pending) >= batch_size:
                yield from flush()
        yield from flush()

    def extract_sentence(self, text: str, *, day: date | None = None) -> NewsDoc:
        """Analyse a sentence or short text (``extract --jsonl``), dated ``day`` if given."""
        published = None
        if day is not None:
            published = PublicationTime(
                text=day.isoformat(),
                local=datetime(day.year, day.month, day.day),  # noqa: DTZ001 - a date, no zone
            )
        article = Article(
            title="",
            paragraphs=[" ".join(text.split())],
            published=published,
            source_format="sentence",
        )
        return self.pipeline(article)


def parse_raw(raw: RawArticle, *, url: str | None = None) -> Article:
    """Parse decoded article text by its format."""
    if raw.kind == "html":
        # trafilatura takes half a second to import: only when a page is HTML.
        from ceasefire.news.html import parse_html

        return parse_html(raw.text, name=raw.name, url=url)
    return parse_plain_text(raw.text, name=raw.name)


def check_language(article: Article) -> None:
    if article.language not in SUPPORTED_LANGUAGES:
        where = article.source_name or "article"
        raise InvalidInput(
            f"{where}: the article is in language {article.language!r}; "
            "the news pipeline reads English only",
            details=[problem(where, f"unsupported language {article.language!r}")],
        )


def article_result(news: NewsDoc) -> dict[str, Any]:
    """``{"article", "events", "quotes", "places", "actors", ...}`` for one article."""
    return {
        "article": news.article.to_dict(),
        "events": [e.to_dict() for e in news.events],
        "quotes": [q.to_dict() for q in news.quotes],
        "places": [p.to_dict() for p in news.places],
        "actors": _actors(news),
        "casualties": [c.to_dict() for c in news.casualties],
        "weapons": [w.to_dict() for w in news.weapons],
        "pipeline": list(news.components),
        "notes": list(news.notes),
    }


def sentence_result(item_id: Any, news: NewsDoc) -> dict[str, Any]:
    """``{"id", "events", "places", "quotes"}`` for one line of ``extract --jsonl``."""
    return {
        "id": item_id,
        "events": [e.to_dict() for e in news.events],
        "places": [p.to_dict() for p in news.places],
        "quotes": [q.to_dict() for q in news.quotes],
        "actors": _actors(news),
        "pipeline": list(news.components),
    }


def _actors(news: NewsDoc) -> list[dict[str, Any]]:
    """Distinct actors of the article, each with its mentions."""
    grouped: dict[tuple[Any, ...], dict[str, Any]] = {}
    for mention in news.actors:
        ref = mention.ref
        key = (ref.id,) if ref.id else (ref.code, ref.sector, ref.text)
        entry = grouped.setdefault(
            key,
            {
                "text": ref.text,
                "code": ref.code,
                "sector": ref.sector,
                "id": ref.id,
                "name": ref.name,
                "role": ref.role,
                "kind": mention.kind,
                "mentions": [],
            },
        )
        entry["mentions"].append({"text": ref.text, "start": ref.start, "end": ref.end})
    return list(grouped.values())
