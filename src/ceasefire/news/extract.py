"""From files or texts to the JSON shapes of ``ceasefire extract``.

:class:`NewsExtractor` holds one pipeline (the spaCy model is loaded once) and turns an
article file, an HTML page or a single sentence into a result dict.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ceasefire.errors import CeasefireError, InvalidInput, problem
from ceasefire.i18n.markers import N_
from ceasefire.news.article import Article, PublicationTime
from ceasefire.news.inputs import DEFAULT_MAX_BYTES, RawArticle, decode_article, read_article_file
from ceasefire.news.model import PlaceMention
from ceasefire.news.pipeline import DEFAULT_PIPELINE, NewsDoc, Pipeline, PipelineResources
from ceasefire.news.plaintext import parse_plain_text


@dataclass
class NewsExtractor:
    """Parses articles and runs the news pipeline over them."""

    pipeline: Pipeline
    max_bytes: int = DEFAULT_MAX_BYTES
    # The pipelines of other languages, built on first use (natasha loads in seconds).
    _by_language: dict[str, Pipeline] = field(default_factory=dict, repr=False)

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

    def pipeline_for(self, language: str) -> Pipeline:
        """The pipeline of an article in ``language``: English's is :attr:`pipeline`."""
        if language == "en":
            return self.pipeline
        if language not in self._by_language:
            from ceasefire.news.lang import pipeline_for_language

            self._by_language[language] = Pipeline(
                pipeline_for_language(language), self.pipeline.resources
            )
        return self._by_language[language]

    def analyse(self, article: Article) -> NewsDoc:
        """Run the pipeline of the article's language; the note says which components ran."""
        check_language(article)
        news = self.pipeline_for(article.language)(article)
        return with_language_note(news)

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
                yield path, article_result(with_language_note(news))
            pending.clear()

        for path in paths:
            try:
                article = self.read(path)
                check_language(article)
            except CeasefireError as exc:
                yield from flush()
                yield path, exc
                continue
            if article.language != "en":
                # Other languages run one by one, in order, through their own pipeline.
                yield from flush()
                yield path, article_result(self.analyse(article))
                continue
            pending.append((path, article))
            if len(pending) >= batch_size:
                yield from flush()
        yield from flush()

    def extract_sentence(
        self, text: str, *, day: date | None = None, language: str = "en"
    ) -> NewsDoc:
        """Analyse a sentence or short text (``extract --jsonl``), dated ``day`` if given,
        with the pipeline of ``language``."""
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
            language=language,
        )
        return self.pipeline_for(language)(article)


def parse_raw(raw: RawArticle, *, url: str | None = None) -> Article:
    """Parse decoded article text by its format."""
    if raw.kind == "html":
        # trafilatura takes half a second to import: only when a page is HTML.
        from ceasefire.news.html import parse_html

        return parse_html(raw.text, name=raw.name, url=url)
    return parse_plain_text(raw.text, name=raw.name)


def check_language(article: Article) -> None:
    """InvalidInput when the article has no text whose language could be told (``und``).

    Every language is read: English, Russian and Turkish by their pipelines, any other one
    for its article and places (``news.lang.pipeline_for_language``).
    """
    if article.language == "und":
        where = article.source_name or "article"
        raise InvalidInput.worded(
            N_("%(where)s: the article has no words (no letters in any script)"),
            details=[problem(where, N_("no text to analyse"))],
            where=where,
        )


def with_language_note(news: NewsDoc) -> NewsDoc:
    """Put the note saying which components ran for the article's language first."""
    from ceasefire.news.lang import language_note

    if news.article.source_format != "sentence":
        news.notes.insert(0, language_note(news.article.language, news.components))
    return news


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


def article_places(
    path: Path, *, focus: tuple[str, ...] | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[Article, list[PlaceMention]]:
    """The article of a file and its places, found by the components of its language.

    What ``ceasefire geoparse FILE`` gives: the file is read as ``extract`` reads it (JSON,
    binary or a missing file are refused) and each block is parsed on its own, so a title and
    the paragraph under it never make one name.
    """
    from ceasefire.news.lang import places_pipeline_for_language

    article = parse_raw(read_article_file(path, max_bytes=max_bytes))
    check_language(article)
    resources = PipelineResources() if focus is None else PipelineResources(geo_focus=focus)
    names = places_pipeline_for_language(article.language)
    return article, Pipeline(names, resources)(article).places
