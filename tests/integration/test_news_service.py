"""Ingesting news: articles stored once, events with versions, violence as news reports."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from ceasefire.db.base import Base
from ceasefire.db.context import ServiceContext
from ceasefire.errors import Forbidden, InvalidInput
from ceasefire.fusion import service as fusion
from ceasefire.news.extract import NewsExtractor
from ceasefire.news.service import NewsIngester, get_article, setup_news
from ceasefire.news.tables import NewsArticleRow, NewsEventRow
from ceasefire.reports import service as reports
from ceasefire.reports.schemas import ReportPublic
from tests.factories.members import OPERATOR, demo_cast
from tests.factories.news import SEED, SHELLING

TABLES = ("news_articles", "news_events", "reports", "ledger_entries")


def counts(ctx: ServiceContext) -> dict[str, int]:
    with ctx.reader() as session:
        return {
            name: session.scalar(select(func.count()).select_from(Base.metadata.tables[name])) or 0
            for name in TABLES
        }


@pytest.fixture
def ingester(ctx: ServiceContext, extractor: NewsExtractor) -> NewsIngester:
    return NewsIngester(ctx, extractor)


def test_seed_is_stored_once_with_its_events(ctx: ServiceContext, ingester: NewsIngester) -> None:
    first = ingester.ingest_path(SEED, OPERATOR)
    assert first.created
    assert first.events == 11
    assert first.reports == []  # talks, agreements, deployments: events, not violations
    stored = counts(ctx)
    again = ingester.ingest_path(SEED, OPERATOR)
    assert not again.created
    assert again.article_id == first.article_id
    assert counts(ctx) == stored  # re-ingesting changes nothing, the ledger included
    article = get_article(ctx, OPERATOR, first.article_id)
    assert article.article["outlet"] == "Asharq Al-Awsat"
    assert article.article["credits"] == ["AP", "Reuters"]
    assert all(e["component"] == "news.events.v2" for e in article.events)
    assert "news.events.v2" in article.pipeline
    consult = next(e for e in article.events if e["event"] == "CONSULT")
    assert consult["date"] == "2020-11-25"
    with ctx.reader() as session:
        row = session.scalars(select(NewsArticleRow)).one()
        assert row.published_local == "2020-11-26T05:45"
        assert row.published_utc is None
        digest = row.original_sha256
    original = ctx.settings.data_dir / "news" / digest[:2] / digest
    assert original.read_bytes() == SEED.read_bytes()


def test_violence_becomes_a_news_report(
    ctx: ServiceContext, ingester: NewsIngester, tmp_path: Path
) -> None:
    path = tmp_path / "tartar.txt"
    path.write_text(SHELLING, encoding="utf-8")
    result = ingester.ingest_path(path, OPERATOR)
    assert len(result.reports) == 1
    report = reports.get_report(ctx, OPERATOR, result.reports[0])
    assert isinstance(report, ReportPublic)  # the operator reads every report in full
    assert report.channel.value == "news"
    assert report.category == "shelling"
    assert report.alleged_perpetrator == "ARM"  # the accused; the accuser is in the narrative
    assert report.event_position["place_name"] == "Tartar"
    assert report.event_position["precision"] == 2
    assert report.observed["start"].startswith("2020-11-25")
    assert report.observed["precision"] == "day"
    assert report.weapon_class == "artillery"
    assert report.casualties["killed_civilian"]["best"] == 2
    assert report.casualties["injured_civilian"]["best"] == 5
    assert result.article_id in (report.source_reference or "")
    assert "Claimed by" in (report.narrative or "")
    with ctx.reader() as session:
        linked = session.scalars(
            select(NewsEventRow).where(NewsEventRow.report_id == result.reports[0])
        ).one()
        assert linked.modality == "claimed"
        assert linked.data["claimed_by"][0]["code"] == "AZE"
        others = session.scalars(select(NewsEventRow).where(NewsEventRow.report_id.is_(None))).all()
        assert all(e.data["report"]["why"] for e in others)
    # The news report was queued for fusion with it, and fuses into an incident.
    assert fusion.queue_length(ctx) == 1
    assert fusion.drain(ctx).new_incidents == 1
    assert reports.get_report(ctx, OPERATOR, result.reports[0]).incident_id is not None
    stored = counts(ctx)
    assert not ingester.ingest_path(path, OPERATOR).created
    assert counts(ctx) == stored


def test_bad_articles_store_nothing(
    ctx: ServiceContext, ingester: NewsIngester, tmp_path: Path
) -> None:
    before = counts(ctx)
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    dump = tmp_path / "records.json"
    dump.write_text('[{"id": 1, "text": "Shelling hit Barda."}]', encoding="utf-8")
    for path in (empty, dump, tmp_path / "missing.txt"):
        with pytest.raises(InvalidInput):
            ingester.ingest_path(path, OPERATOR)
    assert counts(ctx) == before
    assert not (ctx.settings.data_dir / "news").exists()


def test_an_article_in_another_language_is_stored(
    ctx: ServiceContext, ingester: NewsIngester, tmp_path: Path
) -> None:
    french = tmp_path / "fr.txt"
    french.write_text(
        "Le Monde\n\nLe président a rencontré son homologue\n\nLe président de la République a "
        "rencontré jeudi son homologue russe pour discuter de la situation dans la région et "
        "de la mise en place d'un centre de surveillance.\n",
        encoding="utf-8",
    )
    result = ingester.ingest_path(french, OPERATOR)
    assert result.created
    assert result.events == 0
    assert result.reports == []


def test_only_monitors_ingest(ctx: ServiceContext, ingester: NewsIngester) -> None:
    cast = demo_cast(ctx)
    before = counts(ctx)
    with pytest.raises(Forbidden):
        ingester.ingest_path(SEED, cast.viewer(ctx, "arm"))
    assert counts(ctx) == before


def test_demo_step_is_idempotent(ctx: ServiceContext) -> None:
    first = setup_news(ctx, demo=True)
    assert "ingested" in first[0]
    second = setup_news(ctx, demo=True)
    assert "already ingested" in second[0]
    assert counts(ctx)["news_articles"] == 1
    assert setup_news(ctx, demo=False) == []


def test_a_preview_stores_nothing_and_only_chosen_events_become_reports(
    ctx: ServiceContext, ingester: NewsIngester
) -> None:
    demo_cast(ctx)
    before = counts(ctx)
    data = SHELLING.encode("utf-8")
    preview = ingester.preview(data, name="tartar.txt", viewer=OPERATOR)
    assert counts(ctx) == before  # the web page's "extract" step writes nothing
    assert preview.stored_as is None
    reportable = [i for i, e in enumerate(preview.events) if e["report_body"]]
    assert reportable
    assert all(e["report_reason"] for e in preview.events if not e["report_body"])
    # None ticked: the article and its events are stored, no report is filed.
    result = ingester.ingest_bytes(data, name="tartar.txt", viewer=OPERATOR, selected=set())
    assert result.reports == []
    assert result.kept_as_events == len(preview.events)
    article = get_article(ctx, OPERATOR, result.article_id)
    whys = {e["report"]["why"] for e in article.events}
    assert "not selected for intake" in whys
    assert ingester.preview(data, name="tartar.txt", viewer=OPERATOR).stored_as == (
        result.article_id
    )
