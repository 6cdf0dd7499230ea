"""The news page: paste or upload an article, see what the pipeline extracts highlighted in
the text (actors, places, quotes, dates), and send the chosen events to intake.

``POST /news/analyse`` runs the pipeline and stores nothing (``NewsIngester.preview``);
``POST /news/ingest`` stores the article with only the ticked events filed as reports of
channel ``news`` (``NewsIngester.ingest_bytes(selected=...)``), one ledger entry for the
article and one per report. Monitors only, as in the API.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from ceasefire.access import Viewer
from ceasefire.api.deps import ContextDep
from ceasefire.db.context import ServiceContext
from ceasefire.errors import CeasefireError, InvalidInput, PayloadTooLarge, problem
from ceasefire.i18n.markers import N_
from ceasefire.news import service as news
from ceasefire.news.reporting import stored_reason
from ceasefire.web import common, forms
from ceasefire.web.csrf import CsrfChecked
from ceasefire.web.pages import render
from ceasefire.web.session import SignedInViewer, WebViewer

router = APIRouter(include_in_schema=False)
CACHE_KEY = "web.news_ingester"


def _ingester(ctx: ServiceContext) -> news.NewsIngester:
    # One per context: it holds the spaCy model, loaded for the first article.
    ingester = ctx.caches.get(CACHE_KEY)
    if not isinstance(ingester, news.NewsIngester):
        ingester = news.NewsIngester(ctx)
        ctx.caches[CACHE_KEY] = ingester
    return ingester


@dataclass(frozen=True)
class Segment:
    """A run of the article's text and the kinds of span that cover it."""

    text: str
    kinds: tuple[str, ...]


def spans_of(result: dict[str, Any]) -> list[tuple[int, int, str]]:
    """(start, end, kind) of every actor mention, place, quote and event date in the text."""
    spans: list[tuple[int, int, str]] = []
    for actor in result.get("actors", []):
        for mention in actor.get("mentions", []):
            spans.append((mention["start"], mention["end"], "actor"))
    for place in result.get("places", []):
        spans.append((place["start"], place["end"], "place"))
    for quote in result.get("quotes", []):
        spans.append((quote["start"], quote["end"], "quote"))
    for event in result.get("events", []):
        sentence = event.get("sentence") or {}
        date_text = event.get("date_text")
        if date_text and sentence.get("text"):
            at = sentence["text"].find(date_text)
            if at >= 0:
                start = sentence["start"] + at
                spans.append((start, start + len(date_text), "date"))
    return spans


def segments(text: str, spans: list[tuple[int, int, str]]) -> list[Segment]:
    """``text`` cut at every span boundary, each piece with the kinds covering it."""
    cuts = {0, len(text)}
    for start, end, _ in spans:
        if 0 <= start < end <= len(text):
            cuts.update((start, end))
    ordered = sorted(cuts)
    pieces = []
    for start, end in pairwise(ordered):
        kinds = tuple(sorted({kind for s, e, kind in spans if s <= start and end <= e and s < e}))
        pieces.append(Segment(text[start:end], kinds))
    return pieces


ARTICLE_FORM = forms.FormLabels({"text": N_("Article text")}, places={"data": "text"})
"""The news page's article form: its text box (a file, or the text carried on to the
ingest form, refused under that box too)."""


@router.get("/news", response_class=HTMLResponse)
def news_page(request: Request, ctx: ContextDep, viewer: WebViewer) -> Response:
    """The article form and the latest articles."""
    if viewer.is_public:
        return common.sign_in_first(request)
    return _news_page(request, ctx, viewer)


def _news_page(
    request: Request,
    ctx: ServiceContext,
    viewer: Viewer,
    *,
    refused: CeasefireError | None = None,
    typed: str = "",
) -> Response:
    """The article form and the latest articles; after a refused article, the problem
    beside the form and the text that was pasted."""
    response = render(
        "news.html",
        request=request,
        viewer=viewer,
        articles=news.list_articles(ctx, limit=20),
        preview=None,
        may_ingest=common.monitors(ctx, viewer, None),
        error=refused,
        typed=typed,
        **forms.problems_shown(refused, ARTICLE_FORM),
    )
    if refused is not None:
        response.status_code = refused.status
    return response


@dataclass(frozen=True, slots=True)
class _Posted:
    """An article posted to the news forms, and the ingester to read it with."""

    data: bytes
    name: str
    ingester: news.NewsIngester


async def _posted_or_page(
    ctx: ServiceContext, request: Request, viewer: Viewer
) -> _Posted | Response:
    """The posted article, or the page to answer instead: the sign-in page for the public,
    the news page again with why the article was refused."""
    if viewer.is_public:
        return common.sign_in_first(request)
    try:
        data, name = await _article_bytes(ctx, request)
    except (InvalidInput, PayloadTooLarge) as exc:
        refused: CeasefireError = exc
    else:
        return _Posted(data, name, await run_in_threadpool(_ingester, ctx))
    text = (await request.form()).get("text")
    typed = text if isinstance(text, str) else ""
    return await run_in_threadpool(
        lambda: _news_page(request, ctx, viewer, refused=refused, typed=typed)
    )


async def _article_bytes(ctx: ServiceContext, request: Request) -> tuple[bytes, str]:
    form = await request.form()
    upload = form.get("file")
    if isinstance(upload, UploadFile) and upload.filename:
        data = await upload.read()
        name = upload.filename.rsplit("/", 1)[-1][:200]
    else:
        encoded = form.get("data")
        text = form.get("text")
        if isinstance(encoded, str) and encoded:
            try:
                data = base64.b64decode(encoded, validate=True)
            except (binascii.Error, ValueError):
                raise InvalidInput.worded(
                    N_("the article was damaged in the form"),
                    details=[problem("data", N_("not base64"))],
                ) from None
        else:
            data = (text if isinstance(text, str) else "").encode("utf-8")
        name_value = form.get("name")
        name = name_value[:200] if isinstance(name_value, str) and name_value else "pasted article"
    if not data.strip():
        raise InvalidInput.worded(
            N_("paste an article or choose a file"), details=[problem("text", N_("empty"))]
        )
    if len(data) > ctx.settings.max_article_bytes:
        raise PayloadTooLarge.worded(
            N_("the article is larger than %(max_article_bytes)s bytes"),
            details=[problem("text", N_("too large"))],
            max_article_bytes=ctx.settings.max_article_bytes,
        )
    return data, name


async def _may_ingest(ctx: ContextDep, viewer: SignedInViewer) -> None:
    """The news forms' permission check, on the session alone and before the CSRF check
    reads the (multipart) body: a liaison's or an observer's form is never parsed. The
    public is sent to sign in by the route itself."""
    if not viewer.is_public:
        await run_in_threadpool(_ingester(ctx).check_may_ingest, viewer)


MonitorForm = [Depends(_may_ingest), *CsrfChecked]


@router.post("/news/analyse", dependencies=MonitorForm)
async def analyse(request: Request, ctx: ContextDep, viewer: SignedInViewer) -> Response:
    """Extract the article's events and show them in its text; nothing is stored."""
    posted = await _posted_or_page(ctx, request, viewer)
    if isinstance(posted, Response):
        return posted
    preview = await run_in_threadpool(
        lambda: posted.ingester.preview(posted.data, name=posted.name, viewer=viewer)
    )
    result = preview.model_dump()
    text = result["article"]["text"]
    return render(
        "news.html",
        request=request,
        viewer=viewer,
        articles=[],
        preview=result,
        pieces=segments(text, spans_of(result)),
        data=base64.b64encode(posted.data).decode("ascii"),
        name=posted.name,
    )


@router.post("/news/ingest", dependencies=MonitorForm)
async def ingest(request: Request, ctx: ContextDep, viewer: SignedInViewer) -> Response:
    """Store the article; the ticked events become reports (channel ``news``)."""
    posted = await _posted_or_page(ctx, request, viewer)
    if isinstance(posted, Response):
        return posted
    form = await request.form()
    selected = set(common.whole_numbers(v for v in form.getlist("events") if isinstance(v, str)))
    result = await run_in_threadpool(
        lambda: posted.ingester.ingest_bytes(
            posted.data, name=posted.name, viewer=viewer, selected=selected
        )
    )
    return RedirectResponse(f"/news/{result.article_id}", status_code=303)


@router.get("/news/{article_id}", response_class=HTMLResponse)
def article_page(request: Request, ctx: ContextDep, viewer: WebViewer, article_id: str) -> Response:
    """A stored article: its events and the reports they became, and its ledger entry."""
    if viewer.is_public:
        return common.sign_in_first(request)
    article = news.get_article(ctx, viewer, article_id).model_dump(mode="json")
    for event in article["events"]:
        if event.get("report") and event["report"].get("why"):
            event["report"]["why"] = stored_reason(event["report"]["why"])
    return render(
        "news_article.html",
        request=request,
        viewer=viewer,
        article=article,
        pieces=segments(article["article"]["text"], spans_of(article)),
        ledger=common.entries_about(ctx, viewer, f"article/{article_id}"),
    )
