"""Ingesting news articles: store each article once, its events, and reports of channel news.

``NewsIngester.ingest_bytes`` parses and analyses an article *outside* any transaction (the
NLP is the slow part), then writes in one unit of work: the article (deduplicated by the
hash of its text: re-ingesting changes nothing), its events with the component versions that
found them, a report of channel ``news`` for each event of violence or other observable
violation (through the intake's ``record_report``, keyed ``news:<sha256>:<event>``), and a
ledger entry. A failure anywhere leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import exc as sa_exc
from sqlalchemy import select

from ceasefire.access import Viewer
from ceasefire.db.context import ServiceContext
from ceasefire.errors import Forbidden, NotFound, problem, worded_text
from ceasefire.i18n.markers import N_
from ceasefire.ids import new_id
from ceasefire.ledger.service import append
from ceasefire.members.scope import ReadScope
from ceasefire.members.service import actor_of
from ceasefire.news.article import Article
from ceasefire.news.events import ArticleIngested, NewsTag
from ceasefire.news.extract import NewsExtractor, article_result, check_language
from ceasefire.news.reporting import NOT_SELECTED, report_body
from ceasefire.news.schemas import ArticlePreview, ArticlePublic, ArticleSummaryPublic
from ceasefire.news.tables import NewsArticleRow, NewsEventRow
from ceasefire.reports.model import ReportContent, validate_report
from ceasefire.reports.service import (
    check_may_file,
    checked_sources,
    readable_reports,
    record_report,
)
from ceasefire.timeutil import utcnow


@dataclass
class IngestResult:
    """What one ingestion stored (or found already stored)."""

    article_id: str
    content_sha256: str
    created: bool
    title: str
    events: int
    reports: list[str] = field(default_factory=list)
    kept_as_events: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "article_id": self.article_id,
            "content_sha256": self.content_sha256,
            "created": self.created,
            "title": self.title,
            "events": self.events,
            "reports": list(self.reports),
            "events_without_report": self.kept_as_events,
        }


@dataclass(frozen=True)
class AnalysedArticle:
    """An article parsed and analysed outside any transaction, ready to be stored.

    ``data`` is the file as received (kept as the original); ``result`` the ``extract --json``
    object. Built where the NLP runs (a backfill worker) and stored where the database is.
    """

    name: str
    data: bytes
    article: Article
    result: dict[str, Any]

    @property
    def original_sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def analyse_bytes(
    extractor: NewsExtractor, data: bytes, *, name: str, url: str | None = None
) -> AnalysedArticle:
    """Parse and analyse one article file's bytes (no database involved)."""
    article = extractor.read_bytes(data, name=name, url=url)
    check_language(article)
    return AnalysedArticle(name, data, article, article_result(extractor.analyse(article)))


class NewsIngester:
    """Stores analysed articles; holds one extractor (the model is loaded once, when first
    needed: storing articles analysed elsewhere needs none)."""

    def __init__(self, ctx: ServiceContext, extractor: NewsExtractor | None = None) -> None:
        self.ctx = ctx
        self._extractor = extractor

    @property
    def extractor(self) -> NewsExtractor:
        if self._extractor is None:
            self._extractor = NewsExtractor.create(
                actor_file=self.ctx.settings.actor_dictionary,
                max_bytes=self.ctx.settings.max_article_bytes,
            )
        return self._extractor

    def ingest_path(self, path: Path, viewer: Viewer) -> IngestResult:
        """Ingest one article file (plain text or HTML)."""
        data = path.read_bytes() if path.is_file() else b""
        if not path.is_file():
            self.extractor.read(path)  # raises the clear "no such file" / "not a file" error
        return self.ingest_bytes(data, name=str(path), viewer=viewer)

    def ingest_bytes(
        self,
        data: bytes,
        *,
        name: str,
        viewer: Viewer,
        url: str | None = None,
        selected: Collection[int] | None = None,
    ) -> IngestResult:
        """Parse, analyse and store one article; re-ingesting the same text changes nothing.

        ``selected`` (ordinals of the events, as :meth:`preview` numbers them) limits which
        events are sent to intake as reports; the others are stored as events only. ``None``
        sends every reportable event."""
        self.check_may_ingest(viewer)
        article = self.extractor.read_bytes(data, name=name, url=url)
        check_language(article)
        existing = self._existing(article.content_sha256)
        if existing is not None:
            return existing
        result = article_result(self.extractor.analyse(article))
        return self._store(article, result, data, viewer, selected=selected)

    def preview(
        self, data: bytes, *, name: str, viewer: Viewer, url: str | None = None
    ) -> ArticlePreview:
        """What ingesting would extract, stored nowhere: the article, its events (each with
        the report body it would become, or why it stays an event) and the spans found.
        The same monitors-only rule as ingesting."""
        self.check_may_ingest(viewer)
        article = self.extractor.read_bytes(data, name=name, url=url)
        check_language(article)
        result = article_result(self.extractor.analyse(article))
        article_json = {k: v for k, v in result["article"].items() if k != "text"}
        fallback_day = article.reference_date or utcnow().date()
        for index, event in enumerate(result["events"]):
            body, reason = report_body(
                event, index, article_json, article_id="preview", fallback_day=fallback_day
            )
            event["report_body"] = body
            event["report_reason"] = reason
        existing = self._existing(article.content_sha256)
        stored_as = existing.article_id if existing is not None else None
        return ArticlePreview(**result, stored_as=stored_as)

    def store_analysed(self, analysed: AnalysedArticle, viewer: Viewer) -> IngestResult:
        """Store an article analysed elsewhere, in one unit of work; a stored text is kept.

        The caller has checked ``check_may_ingest`` for ``viewer`` before any parsing.
        """
        existing = self._existing(analysed.article.content_sha256)
        if existing is not None:
            return existing
        return self._store(analysed.article, analysed.result, analysed.data, viewer)

    def stored_originals(self) -> set[str]:
        """The sha256 of every stored original file: what a resumed backfill skips unread."""
        with self.ctx.reader() as session:
            return set(session.scalars(select(NewsArticleRow.original_sha256)).all())

    def check_may_ingest(self, viewer: Viewer) -> None:
        """Forbidden unless ``viewer`` may ingest news (a monitor or the operator)."""
        # Events of violence become reports of channel news, which monitors file.
        with self.ctx.reader() as session:
            if not ReadScope.load(session, viewer).is_monitor(None):
                raise Forbidden.worded(
                    N_("only monitors and the operator ingest news articles"),
                    details=[problem("viewer", N_("news ingestion needs a monitor"))],
                )

    def _existing(self, sha256: str) -> IngestResult | None:
        with self.ctx.reader() as session:
            row = session.scalars(
                select(NewsArticleRow).where(NewsArticleRow.content_sha256 == sha256)
            ).first()
            if row is None:
                return None
            events = session.scalars(
                select(NewsEventRow).where(NewsEventRow.article_id == row.id)
            ).all()
            reports = [e.report_id for e in events if e.report_id]
            return IngestResult(
                article_id=row.id,
                content_sha256=row.content_sha256,
                created=False,
                title=row.title,
                events=len(events),
                reports=reports,
                kept_as_events=len(events) - len(reports),
            )

    def _store(
        self,
        article: Article,
        result: dict[str, Any],
        data: bytes,
        viewer: Viewer,
        *,
        selected: Collection[int] | None = None,
    ) -> IngestResult:
        now = utcnow()
        actor = actor_of(viewer)
        article_id = new_id("art")
        article_json = dict(result["article"])
        text = article_json.pop("text")
        fallback_day = article.reference_date or now.date()
        bodies = [
            report_body(
                event, index, article_json, article_id=article_id, fallback_day=fallback_day
            )
            if selected is None or index in selected
            else (None, worded_text(NOT_SELECTED))
            for index, event in enumerate(result["events"])
        ]
        contents: list[ReportContent | None] = []
        with self.ctx.reader() as session:
            scope = ReadScope.load(session, viewer, now)
            for body, _ in bodies:
                if body is None:
                    contents.append(None)
                    continue
                valid = validate_report(body, now=now, future_tolerance=_tolerance(self.ctx))
                valid = check_may_file(scope, valid)
                # The pipeline names no post or sensor; were one named, it is checked.
                (refused,) = checked_sources(session, [(viewer, valid)])
                if refused is not None:
                    raise refused
                contents.append(valid)
        original = hashlib.sha256(data).hexdigest()
        self._keep_original(original, data)
        try:
            with self.ctx.unit_of_work() as session:
                session.add(
                    _article_row(
                        article,
                        article_json,
                        text,
                        result,
                        article_id,
                        original,
                        actor.member_id,
                        now,
                    )
                )
                session.flush()
                reports: list[str] = []
                for index, (event, content) in enumerate(
                    zip(result["events"], contents, strict=True)
                ):
                    report_id = None
                    if content is not None:
                        report, _ = record_report(
                            session,
                            self.ctx.settings,
                            content=content,
                            actor=actor,
                            idempotency_key=f"news:{article.content_sha256}:{index}",
                            received_at=now,
                        )
                        report_id = report.id
                        reports.append(report_id)
                    session.add(_event_row(event, index, article_id, report_id, bodies[index][1]))
                session.flush()
                append(
                    session,
                    self.ctx.settings,
                    tag=NewsTag.ARTICLE_INGESTED,
                    subject=f"article/{article_id}",
                    payload=ArticleIngested(
                        {
                            "content_sha256": article.content_sha256,
                            "original_sha256": original,
                            "title": article.title,
                            "outlet": article.outlet,
                            "published_local": article_json.get("published_local"),
                            "events": len(result["events"]),
                            "reports": reports,
                            "pipeline": result["pipeline"],
                        }
                    ),
                    actor=actor,
                )
        except sa_exc.IntegrityError:
            # The same article ingested at the same moment by another process: theirs stands.
            existing = self._existing(article.content_sha256)
            if existing is None:
                raise
            return existing
        return IngestResult(
            article_id=article_id,
            content_sha256=article.content_sha256,
            created=True,
            title=article.title,
            events=len(result["events"]),
            reports=reports,
            kept_as_events=len(result["events"]) - len(reports),
        )

    def _keep_original(self, sha256: str, data: bytes) -> None:
        """The file as received, content-addressed and written once (chain of custody)."""
        folder = self.ctx.settings.data_dir / "news" / sha256[:2]
        path = folder / sha256
        if path.exists():
            return
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".incoming-")
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)


def _tolerance(ctx: ServiceContext) -> timedelta:
    return timedelta(seconds=ctx.settings.report_future_tolerance_s)


def _codes(actors: list[dict[str, Any]]) -> str:
    codes = sorted({a["code"] for a in actors if a.get("code")})
    return "," + ",".join(codes) + "," if codes else ","


def _article_row(
    article: Article,
    article_json: dict[str, Any],
    text: str,
    result: dict[str, Any],
    article_id: str,
    original: str,
    member_id: str,
    now: datetime,
) -> NewsArticleRow:
    published = article.published
    return NewsArticleRow(
        id=article_id,
        content_sha256=article.content_sha256,
        original_sha256=original,
        source_name=(article.source_name or "")[:500] or None,
        source_format=article.source_format,
        url=article.url,
        outlet=article.outlet,
        title=article.title[:1000],
        published_text=published.text[:200] if published else None,
        published_local=article_json.get("published_local"),
        published_zone=published.zone if published else None,
        published_utc=published.utc if published else None,
        language=article.language,
        credits=list(article.credits),
        article=article_json,
        text=text,
        extraction={k: result[k] for k in ("quotes", "places", "actors", "casualties", "weapons")},
        pipeline=list(result["pipeline"]),
        ingested_at=now,
        ingested_by=member_id,
    )


def _event_row(
    event: dict[str, Any], ordinal: int, article_id: str, report_id: str | None, why: str
) -> NewsEventRow:
    location = event.get("location") or {}
    data = dict(event)
    data["report"] = {"id": report_id, "why": why}
    return NewsEventRow(
        id=new_id("nev"),
        article_id=article_id,
        ordinal=ordinal,
        event_type=event["event"],
        mode=event.get("mode"),
        modality=event["modality"],
        source_codes=_codes(event["source"])[:200],
        target_codes=_codes(event["target"])[:200],
        event_date=event.get("date"),
        date_precision=event.get("date_precision"),
        place_name=(location.get("name") or None),
        lat=location.get("lat"),
        lon=location.get("lon"),
        where_precision=location.get("precision")
        if isinstance(location.get("precision"), int)
        else None,
        sentence_start=event["sentence"]["start"],
        sentence_end=event["sentence"]["end"],
        confidence=float(event["confidence"]),
        is_primary=bool(event.get("primary")),
        component=event["component"],
        report_id=report_id,
        data=data,
    )


def get_article(ctx: ServiceContext, viewer: Viewer, article_id: str) -> ArticlePublic:
    """One stored article with its events and, as far as ``viewer`` may read them, the
    reports they became.

    The article is published news that every member reads, but which of its events the
    monitors filed is theirs: a report (``report.id``) and the note on an event not filed
    (``report.why``) are shown only to a reader of every report the article became; any
    other reader gets ``{"id": null, "why": null}`` for each event it may not read the
    report of, and for every unfiled one, so filed and unfiled events look alike."""
    with ctx.reader() as session:
        row = session.get(NewsArticleRow, article_id)
        if row is None:
            raise NotFound.worded(
                N_("no article %(id)s"),
                details=[problem("article_id", N_("not found"))],
                id=article_id,
            )
        events = session.scalars(
            select(NewsEventRow)
            .where(NewsEventRow.article_id == article_id)
            .order_by(NewsEventRow.ordinal)
        ).all()
        filed = {e.report_id for e in events if e.report_id}
        readable = readable_reports(session, viewer, filed)
        whole = readable == filed
        shown = [
            e.data
            if whole
            else {
                **e.data,
                "report": {"id": e.report_id if e.report_id in readable else None, "why": None},
            }
            for e in events
        ]
        return ArticlePublic.model_validate(
            {
                "id": row.id,
                "content_sha256": row.content_sha256,
                "original_sha256": row.original_sha256,
                "ingested_at": row.ingested_at.isoformat(),
                "article": {**row.article, "text": row.text},
                **row.extraction,
                "events": shown,
                "pipeline": row.pipeline,
            }
        )


def list_articles(ctx: ServiceContext, *, limit: int = 50) -> list[ArticleSummaryPublic]:
    """The latest ingested articles, newest first."""
    with ctx.reader() as session:
        rows = session.scalars(
            select(NewsArticleRow).order_by(NewsArticleRow.id.desc()).limit(limit)
        ).all()
        return [
            ArticleSummaryPublic(
                id=r.id,
                title=r.title,
                outlet=r.outlet,
                published_local=r.published_local,
                content_sha256=r.content_sha256,
                ingested_at=r.ingested_at.isoformat(),
            )
            for r in rows
        ]


DEMO_ARTICLES = ("asharq-al-awsat-2020-11-26-nagorno-karabakh.txt",)


def setup_news(ctx: ServiceContext, *, demo: bool = False) -> list[str]:
    """``ceasefire init`` step: with ``demo``, ingest the seed article (once)."""
    if not demo:
        return []
    from importlib import resources

    folder = resources.files("ceasefire.news").joinpath("data", "demo")
    ingester = NewsIngester(ctx)
    steps = []
    for name in DEMO_ARTICLES:
        data = folder.joinpath(name).read_bytes()
        result = ingester.ingest_bytes(data, name=name, viewer=Viewer.cli_operator())
        state = "ingested" if result.created else "already ingested"
        steps.append(
            f"demo news article {state}: {result.title} "
            f"({result.events} events, {len(result.reports)} reports)"
        )
    return steps


__all__ = [
    "AnalysedArticle",
    "IngestResult",
    "NewsIngester",
    "analyse_bytes",
    "get_article",
    "list_articles",
    "setup_news",
]
