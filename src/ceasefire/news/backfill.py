"""Backfilling an archive: many stored pages through the news pipeline on Dask, into the centre.

``backfill`` reads pages (files, folders of ``.txt``/``.html`` pages, JSON-lines dumps of
``{"html"|"text", "url"?, "id"?}``, WARC files of a crawl: ``.warc``, ``.warc.gz``), skips those
whose file is already stored (by the sha256 of its bytes: a rerun resumes), and sends the rest
in batches to Dask workers. Each worker builds one pipeline when its first batch arrives and
keeps it (the spaCy model, the gazetteer and the event dictionaries load once per worker
process); it returns, per page, the analysed article or the reason it could not be read. The
driver stores each article through the news service, one unit of work per article: a crash
leaves whole articles or none, a rerun adds only what is missing, and a text stored before (the
same article saved twice) is not stored again.

Schedulers (``scheduler``):

* ``distributed`` (default): a ``dask.distributed.LocalCluster`` of ``workers`` processes;
* ``tcp://HOST:PORT``: the scheduler of a running Dask cluster (its workers need ceasefire
  installed, and receive the pages' bytes: they need no access to the files);
* ``processes``, ``threads``, ``synchronous``: Dask's local schedulers (no cluster; a pool of
  ``workers`` processes kept for the whole run, threads, or the calling thread).

A bad page never stops the run: it is listed with its reason.
"""

from __future__ import annotations

import gzip
import hashlib
import itertools
import json
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from ceasefire.errors import CeasefireError, InvalidInput, problem
from ceasefire.i18n.markers import N_
from ceasefire.news.extract import NewsExtractor, article_result, check_language, parse_raw
from ceasefire.news.inputs import DEFAULT_MAX_BYTES, decode_article
from ceasefire.news.service import AnalysedArticle, NewsIngester

if TYPE_CHECKING:
    from ceasefire.access import Viewer

PAGE_SUFFIXES = frozenset({".txt", ".text", ".html", ".htm", ".xhtml"})
JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson"})
LOCAL_SCHEDULERS = ("processes", "threads", "synchronous")
SCHEDULERS = ("distributed", *LOCAL_SCHEDULERS)


@dataclass(frozen=True)
class Page:
    """One stored page: its name (path, or ``dump.jsonl:line N``), its bytes, its URL."""

    name: str
    data: bytes
    url: str | None = None

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True)
class PageFailure:
    """Why a page gave no article: the coded error's code and message."""

    name: str
    code: str
    message: str


@dataclass(frozen=True)
class ExtractorSettings:
    """What a worker needs to build its pipeline (sent to the workers, so kept small)."""

    actor_file: Path | None = None
    max_bytes: int = DEFAULT_MAX_BYTES


@dataclass
class PageOutcome:
    """What became of one page: ``stored``, ``known`` (its text was stored before),
    ``skipped`` (its file was stored before; not read again) or ``failed``."""

    name: str
    status: str
    article_id: str | None = None
    content_sha256: str | None = None
    events: int = 0
    reports: int = 0
    error: dict[str, str] | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"page": self.name, "status": self.status}
        if self.article_id is not None:
            data.update(
                article_id=self.article_id,
                content_sha256=self.content_sha256,
                events=self.events,
                reports=self.reports,
            )
        if self.error is not None:
            data["error"] = self.error
        return data


@dataclass
class BackfillSummary:
    """Counts of a backfill run and every page's outcome."""

    scheduler: str
    workers: int
    seconds: float = 0.0
    outcomes: list[PageOutcome] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for outcome in self.outcomes if outcome.status == status)

    @property
    def analysed(self) -> int:
        """Pages that went through the pipeline (stored or found known)."""
        return self.count("stored") + self.count("known")

    def to_dict(self) -> dict[str, Any]:
        return {
            "scheduler": self.scheduler,
            "workers": self.workers,
            "pages": len(self.outcomes),
            "stored": self.count("stored"),
            "known": self.count("known"),
            "skipped": self.count("skipped"),
            "failed": self.count("failed"),
            "seconds": round(self.seconds, 2),
            "articles_per_second": (
                round(self.analysed / self.seconds, 2) if self.seconds and self.analysed else None
            ),
            "failures": [o.to_dict() for o in self.outcomes if o.status == "failed"],
        }


# --- reading the sources ---------------------------------------------------------------------


def iter_pages(sources: Iterable[Path], *, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Page]:
    """The pages of files, folders (walked for ``.txt``/``.html`` pages, ``.jsonl`` dumps and
    WARC files, sorted), JSON-lines dumps and WARC files, in order. A missing source is an
    error before anything runs (``check_sources``); an unreadable line of a dump or record of
    a WARC file becomes a page that fails with its reason.
    """
    for source in sources:
        if source.is_dir():
            for path in sorted(p for p in source.rglob("*") if p.is_file()):
                suffix = path.suffix.lower()
                if suffix in JSONL_SUFFIXES:
                    yield from _dump_pages(path, max_bytes)
                elif _is_warc(path):
                    yield from _warc_pages(path, max_bytes)
                elif suffix in PAGE_SUFFIXES:
                    yield _file_page(path, max_bytes)
        elif source.suffix.lower() in JSONL_SUFFIXES:
            yield from _dump_pages(source, max_bytes)
        elif _is_warc(source):
            yield from _warc_pages(source, max_bytes)
        else:
            yield _file_page(source, max_bytes)


def check_sources(sources: Sequence[Path]) -> None:
    """InvalidInput naming every source that is neither a file nor a folder."""
    missing = [problem(str(s), N_("no such file or folder")) for s in sources if not s.exists()]
    if not sources:
        missing.append(problem("SOURCE", N_("give at least one file or folder")))
    if missing:
        raise InvalidInput.worded(
            N_("%(count)s source(s) cannot be read"), details=missing, count=len(missing)
        )


def _file_page(path: Path, max_bytes: int) -> Page:
    # Read no more than one byte past the limit: the worker's check names the size.
    with path.open("rb") as handle:
        return Page(str(path), handle.read(max_bytes + 1))


def _dump_pages(path: Path, max_bytes: int) -> Iterator[Page]:
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            name = f"{path}:line {number}"
            try:
                record = json.loads(raw)
                body = record.get("html") if isinstance(record, dict) else None
                body = body if isinstance(body, str) else record.get("text")
                if not isinstance(body, str):
                    raise ValueError('expected {"html": ...} or {"text": ...}')
            except (ValueError, AttributeError) as exc:
                # A page whose bytes say why: the worker reports it like any bad page.
                yield Page(name, _BAD_LINE + str(exc).encode("utf-8", "replace"))
                continue
            url = record.get("url") if isinstance(record.get("url"), str) else None
            yield Page(name, body.encode("utf-8")[: max_bytes + 1], url)


_BAD_LINE = b"\x00ceasefire-backfill-bad-line:"


def _is_warc(path: Path) -> bool:
    name = path.name.lower()
    return name.endswith((".warc", ".warc.gz"))


def _warc_pages(path: Path, max_bytes: int) -> Iterator[Page]:
    """The HTML pages of a WARC file (ISO 28500; gzip members per record are read too): each
    ``response`` record whose HTTP response is ``text/html``, with its ``WARC-Target-URI``.
    Other records (requests, metadata, images) are passed over; a truncated record ends the
    file with a page that fails with the reason."""
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    with opener(path, "rb") as handle:
        number = 0
        while True:
            version = handle.readline()
            if not version:
                return
            if not version.strip():
                continue
            number += 1
            name = f"{path}:record {number}"
            headers = _header_block(handle)
            try:
                length = int(headers.get("content-length", ""))
            except ValueError:
                yield Page(name, _BAD_LINE + b"a WARC record without a Content-Length")
                return
            block = handle.read(length)
            if len(block) < length:
                yield Page(name, _BAD_LINE + b"the WARC file ends inside this record")
                return
            if headers.get("warc-type") != "response":
                continue
            status, _, body = block.partition(b"\r\n\r\n")
            http = status.decode("latin-1").lower()
            if "content-type:" in http and "text/html" not in http:
                continue
            yield Page(name, body[: max_bytes + 1], headers.get("warc-target-uri"))


def _header_block(handle: Any) -> dict[str, str]:
    headers: dict[str, str] = {}
    for raw in iter(handle.readline, b""):
        line = raw.decode("utf-8", "replace").strip()
        if not line:
            break
        key, _, value = line.partition(":")
        headers[key.strip().lower()] = value.strip()
    return headers


# --- the worker side -------------------------------------------------------------------------

_LOCAL = threading.local()


def _worker_extractor(settings: ExtractorSettings) -> NewsExtractor:
    """The extractor of this worker thread, built on its first batch and kept."""
    cached: tuple[ExtractorSettings, NewsExtractor] | None = getattr(_LOCAL, "extractor", None)
    if cached is None or cached[0] != settings:
        extractor = NewsExtractor.create(
            actor_file=settings.actor_file, max_bytes=settings.max_bytes
        )
        cached = (settings, extractor)
        _LOCAL.extractor = cached
    return cached[1]


def analyse_pages(
    pages: Sequence[Page], settings: ExtractorSettings
) -> list[AnalysedArticle | PageFailure]:
    """Parse and analyse a batch of pages (on a worker); English ones in one spaCy stream.

    Never raises for a page: a page that cannot be read or analysed is a ``PageFailure``.
    """
    results: list[AnalysedArticle | PageFailure | None] = [None] * len(pages)
    english: list[tuple[int, Any]] = []
    for index, page in enumerate(pages):
        try:
            if page.data.startswith(_BAD_LINE):
                reason = page.data[len(_BAD_LINE) :].decode("utf-8", "replace")
                raise InvalidInput.worded(
                    N_("%(name)s: %(reason)s"),
                    details=[problem(page.name, reason)],
                    name=page.name,
                    reason=reason,
                )
            raw = decode_article(page.data, name=page.name, max_bytes=settings.max_bytes)
            article = parse_raw(raw, url=page.url)
            check_language(article)
        except CeasefireError as exc:
            results[index] = PageFailure(page.name, exc.code, exc.message)
            continue
        except Exception as exc:  # a bad page must not stop an archive's run
            results[index] = PageFailure(page.name, "E500", f"{page.name}: {exc!r}")
            continue
        if article.language == "en":
            english.append((index, article))
        else:
            results[index] = _analyse_one(_worker_extractor(settings), page, article)
    if english:
        extractor = _worker_extractor(settings)  # built once per worker, on its first article
        try:
            docs = list(extractor.pipeline.pipe([a for _, a in english], batch_size=len(english)))
        except Exception:  # find the page that breaks the batch, one by one
            for index, article in english:
                results[index] = _analyse_one(extractor, pages[index], article)
        else:
            from ceasefire.news.extract import with_language_note

            for (index, article), news in zip(english, docs, strict=True):
                page = pages[index]
                result = article_result(with_language_note(news))
                results[index] = AnalysedArticle(page.name, page.data, article, result)
    return [r for r in results if r is not None]


def _analyse_one(
    extractor: NewsExtractor, page: Page, article: Any
) -> AnalysedArticle | PageFailure:
    try:
        return AnalysedArticle(
            page.name, page.data, article, article_result(extractor.analyse(article))
        )
    except CeasefireError as exc:
        return PageFailure(page.name, exc.code, exc.message)
    except Exception as exc:  # a bad page must not stop an archive's run
        return PageFailure(page.name, "E500", f"{page.name}: {exc!r}")


# --- scheduling ------------------------------------------------------------------------------

Batch = list[Page]
BatchResult = list[AnalysedArticle | PageFailure]


def _batches(pages: Iterable[Page], size: int) -> Iterator[Batch]:
    batch: Batch = []
    for page in pages:
        batch.append(page)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def run_on_dask(
    batches: Iterable[Batch], settings: ExtractorSettings, *, scheduler: str, workers: int
) -> Iterator[BatchResult]:
    """Analyse batches on Dask and yield each batch's results as they finish.

    At most a few batches per worker are in flight, so an archive is never held in memory.
    No cluster is started when there is nothing to analyse (a rerun of a stored archive).
    """
    source = iter(batches)
    first = next(source, None)
    if first is None:
        if scheduler not in SCHEDULERS and not scheduler.startswith(("tcp://", "tls://")):
            _unknown_scheduler(scheduler)
        return
    batches = itertools.chain([first], source)
    if scheduler == "distributed" or scheduler.startswith(("tcp://", "tls://")):
        yield from _run_distributed(batches, settings, scheduler=scheduler, workers=workers)
    elif scheduler in LOCAL_SCHEDULERS:
        yield from _run_local(batches, settings, scheduler=scheduler, workers=workers)
    else:
        _unknown_scheduler(scheduler)


def _unknown_scheduler(scheduler: str) -> NoReturn:
    raise InvalidInput.worded(
        N_("unknown scheduler %(scheduler)s"),
        details=[
            problem("--scheduler", N_("distributed, processes, threads, synchronous or tcp://…"))
        ],
        scheduler=repr(scheduler),
    )


def _run_distributed(
    batches: Iterable[Batch], settings: ExtractorSettings, *, scheduler: str, workers: int
) -> Iterator[BatchResult]:
    from distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler == "distributed":
        # One process per worker, one thread each: one pipeline per process, no GIL contention.
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=40,  # logging.ERROR
        )
        client = Client(cluster)
    else:
        client = Client(scheduler)
    try:
        window = max(2, 2 * workers)
        source = iter(batches)
        running = as_completed()
        for batch in source:
            running.add(client.submit(analyse_pages, batch, settings, pure=False))
            if running.count() >= window:
                break
        for future in running:
            yield future.result()
            future.release()
            following = next(source, None)
            if following is not None:
                running.add(client.submit(analyse_pages, following, settings, pure=False))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _run_local(
    batches: Iterable[Batch], settings: ExtractorSettings, *, scheduler: str, workers: int
) -> Iterator[BatchResult]:
    import dask
    from dask import delayed

    options: dict[str, Any] = {"scheduler": scheduler}
    pool = None
    if scheduler == "processes":
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        # One pool for the whole run: its processes keep their pipelines between rounds.
        pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
        options["pool"] = pool
    elif scheduler == "threads":
        options["num_workers"] = workers
    try:
        round_size = max(1, 2 * workers) if scheduler != "synchronous" else 1
        pending: list[Batch] = []
        for batch in batches:
            pending.append(batch)
            if len(pending) >= round_size:
                yield from dask.compute(
                    *[delayed(analyse_pages)(b, settings) for b in pending], **options
                )
                pending = []
        if pending:
            yield from dask.compute(
                *[delayed(analyse_pages)(b, settings) for b in pending], **options
            )
    finally:
        if pool is not None:
            pool.shutdown()


# --- the driver ------------------------------------------------------------------------------


def backfill(
    ingester: NewsIngester,
    sources: Sequence[Path],
    viewer: Viewer,
    *,
    scheduler: str = "distributed",
    workers: int = 2,
    batch_size: int = 8,
    on_outcome: Callable[[PageOutcome], None] | None = None,
) -> BackfillSummary:
    """Analyse every page of ``sources`` on Dask and store each article (see the module doc).

    ``on_outcome`` is called with each page's outcome as soon as it is known (progress).
    """
    if workers < 1:
        raise InvalidInput.worded(
            N_("workers must be 1 or more"), details=[problem("--workers", N_("< 1"))]
        )
    check_sources(sources)
    ingester.check_may_ingest(viewer)  # before any page is parsed
    settings = ExtractorSettings(
        actor_file=ingester.ctx.settings.actor_dictionary,
        max_bytes=ingester.ctx.settings.max_article_bytes,
    )
    summary = BackfillSummary(scheduler=scheduler, workers=workers)
    started = time.perf_counter()
    stored = ingester.stored_originals()

    def report(outcome: PageOutcome) -> None:
        summary.outcomes.append(outcome)
        if on_outcome is not None:
            on_outcome(outcome)

    def unstored(pages: Iterable[Page]) -> Iterator[Page]:
        for page in pages:
            if page.sha256 in stored:
                report(PageOutcome(page.name, "skipped"))
            else:
                yield page

    pages = unstored(iter_pages(sources, max_bytes=settings.max_bytes))
    batches = _batches(pages, batch_size)
    try:
        for results in run_on_dask(batches, settings, scheduler=scheduler, workers=workers):
            for item in results:
                report(_store(ingester, item, viewer))
    finally:
        summary.seconds = time.perf_counter() - started
    return summary


def _store(
    ingester: NewsIngester, item: AnalysedArticle | PageFailure, viewer: Viewer
) -> PageOutcome:
    if isinstance(item, PageFailure):
        return PageOutcome(item.name, "failed", error={"code": item.code, "message": item.message})
    try:
        result = ingester.store_analysed(item, viewer)
    except CeasefireError as exc:
        return PageOutcome(item.name, "failed", error={"code": exc.code, "message": exc.message})
    return PageOutcome(
        item.name,
        "stored" if result.created else "known",
        article_id=result.article_id,
        content_sha256=result.content_sha256,
        events=result.events,
        reports=len(result.reports),
    )


__all__ = [
    "SCHEDULERS",
    "BackfillSummary",
    "ExtractorSettings",
    "Page",
    "PageFailure",
    "PageOutcome",
    "analyse_pages",
    "backfill",
    "iter_pages",
    "run_on_dask",
]
