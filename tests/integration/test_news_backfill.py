"""``ceasefire backfill``: an archive of pages through the pipeline on Dask, stored once each."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ceasefire.db.context import ServiceContext
from ceasefire.errors import Forbidden, InvalidInput
from ceasefire.news.backfill import PageOutcome, backfill, iter_pages
from ceasefire.news.extract import NewsExtractor
from ceasefire.news.service import NewsIngester
from ceasefire.news.tables import NewsArticleRow, NewsEventRow
from tests.factories.members import OPERATOR, demo_cast
from tests.factories.news import SEED, SHELLING
from tests.integration.test_news_service import counts

PAGES = Path(__file__).resolve().parents[1] / "data" / "pages"


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    """Four good pages (English text, English HTML, Turkish text, a dump line) and two bad."""
    folder = tmp_path / "archive"
    (folder / "2020").mkdir(parents=True)
    shutil.copy(SEED, folder / "2020" / "seed.txt")
    (folder / "2020" / "tartar.txt").write_text(SHELLING, encoding="utf-8")
    shutil.copy(PAGES / "tr-aa-style.txt", folder / "tr-aa-style.txt")
    (folder / "broken.html").write_bytes(b"\x00\x01\x02 not a page")
    dump = {"url": "https://example.org/a", "html": (PAGES / "en-table-layout.html").read_text()}
    (folder / "dump.jsonl").write_text(
        json.dumps(dump) + "\n" + '{"id": 2, "body": "no text field"}\n', encoding="utf-8"
    )
    return folder


@pytest.fixture
def ingester(ctx: ServiceContext, extractor: NewsExtractor) -> NewsIngester:
    return NewsIngester(ctx, extractor)


def test_reading_an_archive_lists_every_page_in_order(archive: Path) -> None:
    names = [Path(page.name).name for page in iter_pages([archive])]
    assert names == [
        "seed.txt",
        "tartar.txt",
        "broken.html",
        "dump.jsonl:line 1",
        "dump.jsonl:line 2",
        "tr-aa-style.txt",
    ]


def test_backfill_stores_each_article_once_and_resumes(
    ctx: ServiceContext, ingester: NewsIngester, archive: Path
) -> None:
    seen: list[PageOutcome] = []
    summary = backfill(
        ingester, [archive], OPERATOR, scheduler="synchronous", batch_size=2, on_outcome=seen.append
    )
    figures = summary.to_dict()
    assert (figures["stored"], figures["failed"], figures["skipped"]) == (4, 2, 0)
    assert len(seen) == 6
    failures = {Path(f["page"]).name: f["error"]["message"] for f in figures["failures"]}
    assert "binary" in failures["broken.html"]
    assert "text" in failures["dump.jsonl:line 2"]
    stored = counts(ctx)
    assert stored["news_articles"] == 4
    tartar = next(o for o in seen if o.name.endswith("tartar.txt"))
    assert tartar.reports == 1  # the shelling became a report, as `ingest` makes it

    # A rerun reads no stored file again and changes nothing; the bad pages are retried.
    again = backfill(ingester, [archive], OPERATOR, scheduler="threads", workers=2).to_dict()
    assert (again["stored"], again["skipped"], again["failed"]) == (0, 4, 2)
    assert counts(ctx) == stored

    # The same text saved under another name is known, not stored twice.
    copy = archive.parent / "copy"
    copy.mkdir()
    (copy / "tartar-again.txt").write_text(SHELLING + "\n", encoding="utf-8")
    third = backfill(ingester, [copy], OPERATOR, scheduler="synchronous").to_dict()
    assert (third["stored"], third["known"]) == (0, 1)
    assert counts(ctx) == stored


def test_a_crash_mid_way_leaves_whole_articles_and_a_rerun_completes(
    ctx: ServiceContext, ingester: NewsIngester, archive: Path
) -> None:
    class Crash(Exception):
        pass

    def crash_after_first_article(outcome: PageOutcome) -> None:
        if outcome.status == "stored":
            raise Crash(outcome.name)

    with pytest.raises(Crash):
        backfill(
            ingester,
            [archive],
            OPERATOR,
            scheduler="synchronous",
            on_outcome=crash_after_first_article,
        )
    with ctx.reader() as session:
        (article,) = session.scalars(select(NewsArticleRow)).all()
        title = article.title
        events = session.scalar(
            select(func.count())
            .select_from(NewsEventRow)
            .where(NewsEventRow.article_id == article.id)
        )
    assert title  # whole: the article with every event of its analysis
    assert events == len(ingester.extractor.extract_file(archive / "2020" / "seed.txt")["events"])
    rerun = backfill(ingester, [archive], OPERATOR, scheduler="synchronous").to_dict()
    assert (rerun["skipped"], rerun["stored"]) == (1, 3)
    assert counts(ctx)["news_articles"] == 4


def test_backfill_checks_the_member_and_the_sources_before_reading(
    ctx: ServiceContext, ingester: NewsIngester, archive: Path
) -> None:
    party = demo_cast(ctx).viewer(ctx, "arm")
    with pytest.raises(Forbidden):
        backfill(ingester, [archive], party, scheduler="synchronous")
    with pytest.raises(InvalidInput) as missing:
        backfill(ingester, [archive / "nope"], OPERATOR, scheduler="synchronous")
    assert missing.value.details[0]["loc"].endswith("nope")
    with pytest.raises(InvalidInput) as unknown:
        backfill(ingester, [archive], OPERATOR, scheduler="mainframe")
    assert unknown.value.details[0]["loc"] == "--scheduler"


def test_backfill_on_a_local_dask_cluster(
    ctx: ServiceContext, ingester: NewsIngester, tmp_path: Path
) -> None:
    if ctx.settings.database_url.startswith("postgresql"):
        pytest.skip("the cluster's side does not depend on the database; run once")
    folder = tmp_path / "pages"
    folder.mkdir()
    shutil.copy(SEED, folder / "seed.txt")
    (folder / "tartar.txt").write_text(SHELLING, encoding="utf-8")
    summary = backfill(ingester, [folder], OPERATOR, scheduler="distributed", workers=1)
    figures = summary.to_dict()
    assert (figures["stored"], figures["failed"]) == (2, 0)
    assert figures["scheduler"] == "distributed"
    assert counts(ctx)["news_articles"] == 2


def test_the_backfill_command_writes_a_line_per_page_and_a_summary(
    request: pytest.FixtureRequest,
    cli_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    from ceasefire.cli import main
    from ceasefire.console.context import get_context

    for name, value in cli_env.items():
        if name.startswith("CEASEFIRE_"):
            monkeypatch.setenv(name, value)
    get_context.cache_clear()  # the CLI's context, on this test's database
    request.addfinalizer(get_context.cache_clear)
    request.addfinalizer(lambda: get_context().dispose())
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "tartar.txt").write_text(SHELLING, encoding="utf-8")
    (folder / "empty.txt").write_text("", encoding="utf-8")
    args = ["backfill", str(folder), "--scheduler", "synchronous", "--json"]
    assert main(args) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    statuses = {Path(line["page"]).name: line["status"] for line in lines if "page" in line}
    assert statuses == {"empty.txt": "failed", "tartar.txt": "stored"}
    assert lines[-1]["summary"]["stored"] == 1
    # Without --json a failed page makes the exit status 2, after storing the others.
    assert main(["backfill", str(folder), "--scheduler", "synchronous"]) == 2


def _warc_record(kind: str, uri: str, block: bytes) -> bytes:
    head = (
        f"WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Target-URI: {uri}\r\n"
        f"Content-Length: {len(block)}\r\n\r\n"
    )
    return head.encode() + block + b"\r\n\r\n"


def test_pages_of_a_warc_file(tmp_path: Path) -> None:
    import gzip

    html = (PAGES / "en-table-layout.html").read_bytes()
    response = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + html
    image = b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\n\x89PNG"
    records = [
        _warc_record("warcinfo", "", b"software: test\r\n"),
        _warc_record("request", "https://example.org/a", b"GET /a HTTP/1.1\r\n\r\n"),
        _warc_record("response", "https://example.org/a", response),
        _warc_record("response", "https://example.org/logo.png", image),
    ]
    path = tmp_path / "crawl.warc.gz"
    with gzip.open(path, "wb") as out:
        for record in records:
            out.write(record)  # one gzip member per record, as crawlers write them
    (page,) = list(iter_pages([path]))
    assert page.url == "https://example.org/a"
    assert page.data == html
    assert page.name.endswith("crawl.warc.gz:record 3")
    truncated = tmp_path / "cut.warc"
    truncated.write_bytes(records[2][:200])
    (bad,) = list(iter_pages([truncated]))
    assert bad.data.startswith(b"\x00")  # fails in the worker with the reason
