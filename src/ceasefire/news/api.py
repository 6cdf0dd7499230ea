"""News articles: ingest one (text or HTML, size-limited), read them back with their events.

``POST /api/v1/articles`` takes the article as the raw body (``text/plain`` or ``text/html``)
or as JSON ``{"text"|"html": ..., "url"?, "name"?}``; 201 when stored, 200 when the same text
was stored before (nothing changes).
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response, status
from starlette.concurrency import run_in_threadpool

from ceasefire.api.bodies import BINARY, raw_body, read_limited
from ceasefire.api.deps import ContextDep, RequireMember
from ceasefire.db.context import ServiceContext
from ceasefire.errors import InvalidInput, problem
from ceasefire.i18n.markers import N_
from ceasefire.news import service as news
from ceasefire.news.schemas import ArticlePublic, ArticleSummaryPublic

router = APIRouter(prefix="/api/v1/articles", tags=["news"])


def _ingester(request: Request, ctx: ServiceContext) -> news.NewsIngester:
    # One ingester per app: it holds the spaCy model, loaded on the first article.
    ingester: news.NewsIngester | None = getattr(request.app.state, "news_ingester", None)
    if ingester is None or ingester.ctx is not ctx:
        ingester = news.NewsIngester(ctx)
        request.app.state.news_ingester = ingester
    return ingester


def _unpack(raw: bytes, content_type: str) -> tuple[bytes, str | None, str]:
    """(article bytes, url, name) from a raw body or a JSON envelope."""
    if not content_type.startswith("application/json"):
        return raw, None, "article"
    try:
        envelope = json.loads(raw)
    except ValueError as exc:
        raise InvalidInput.worded(
            N_("the body is not JSON"), details=[problem("body", N_("not JSON: %(exc)s"), exc=exc)]
        ) from exc
    except RecursionError:
        raise InvalidInput.worded(
            N_("the body is nested too deeply"), details=[problem("body", N_("nested too deeply"))]
        ) from None
    if not isinstance(envelope, dict):
        raise InvalidInput.worded(
            N_("expected a JSON object"), details=[problem("body", N_("not an object"))]
        )
    text = envelope.get("html", envelope.get("text"))
    if not isinstance(text, str):
        raise InvalidInput.worded(
            N_('give the article as "text" or "html"'),
            details=[problem("text", N_("a string is required (or html)"))],
        )
    url = envelope.get("url")
    name = envelope.get("name") or url or "article"
    if url is not None and not isinstance(url, str):
        raise InvalidInput.worded(
            N_("url must be a string"), details=[problem("url", N_("not a string"))]
        )
    return text.encode("utf-8"), url, str(name)[:200]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses={
        200: {"description": "The same article text was ingested before; nothing changed"},
        413: {"description": "Larger than CEASEFIRE_MAX_ARTICLE_BYTES"},
    },
    openapi_extra=raw_body(
        "The page as sent (HTML or text), or a JSON envelope with its text or html",
        **{
            "text/html": BINARY,
            "text/plain": BINARY,
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "text": {"type": "string"},
                        "html": {"type": "string"},
                        "url": {"type": "string"},
                        "name": {"type": "string"},
                    },
                    "anyOf": [{"required": ["text"]}, {"required": ["html"]}],
                }
            },
        },
    ),
)
async def ingest_article(
    ctx: ContextDep, viewer: RequireMember, request: Request, response: Response
) -> dict[str, Any]:
    """Ingest one article: its events are stored, violence becomes reports of channel news."""
    ingester = _ingester(request, ctx)
    # Monitors only, judged on the token alone: another caller's body is never read.
    await run_in_threadpool(ingester.check_may_ingest, viewer)
    raw = b"".join(
        await read_limited(request, ctx.settings.max_article_bytes, what="article", loc="body")
    )
    data, url, name = _unpack(raw, request.headers.get("content-type", "text/plain"))
    result = await run_in_threadpool(ingester.ingest_bytes, data, name=name, viewer=viewer, url=url)
    if not result.created:
        response.status_code = status.HTTP_200_OK
    article = await run_in_threadpool(news.get_article, ctx, viewer, result.article_id)
    return {**result.to_dict(), "article": article}


@router.get("", response_model=list[ArticleSummaryPublic])
def list_articles(
    ctx: ContextDep,
    viewer: RequireMember,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[ArticleSummaryPublic]:
    """The latest ingested articles, newest first."""
    return news.list_articles(ctx, limit=limit)


@router.get("/{article_id}", response_model=ArticlePublic)
def get_article(ctx: ContextDep, viewer: RequireMember, article_id: str) -> ArticlePublic:
    """One article with its events and the reports they became."""
    return news.get_article(ctx, viewer, article_id)
