"""News events on the map: the geocoded events the NLP pipeline stored.

News is read by members only (as ``/api/v1/articles``): the public gets none.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ceasefire.access import Viewer
from ceasefire.db.context import ServiceContext
from ceasefire.members.grid import BBox, within
from ceasefire.news.tables import NewsArticleRow, NewsEventRow


@dataclass(frozen=True, slots=True)
class NewsPoint:
    id: str
    article_id: str
    article_title: str | None
    event_type: str
    event_date: str | None
    place_name: str | None
    lon: float
    lat: float


def news_points(
    ctx: ServiceContext,
    viewer: Viewer,
    bbox: BBox,
    *,
    until: str | None = None,
    since: str | None = None,
    limit: int = 500,
) -> list[NewsPoint]:
    """Geocoded news events in ``bbox`` (``since``/``until``: ISO days on the event date)."""
    if viewer.is_public:
        return []
    query = (
        select(NewsEventRow, NewsArticleRow.title)
        .join(NewsArticleRow, NewsArticleRow.id == NewsEventRow.article_id)
        .where(
            NewsEventRow.lon.is_not(None),
            NewsEventRow.lat.is_not(None),
            *within(NewsEventRow.lon, NewsEventRow.lat, bbox),
        )
        .order_by(NewsEventRow.id.desc())
        .limit(limit)
    )
    if until is not None:
        query = query.where(NewsEventRow.event_date <= until)
    if since is not None:
        query = query.where(NewsEventRow.event_date >= since)
    with ctx.reader() as session:
        return [
            NewsPoint(
                id=event.id,
                article_id=event.article_id,
                article_title=title,
                event_type=event.event_type,
                event_date=event.event_date,
                place_name=event.place_name,
                lon=float(event.lon or 0.0),
                lat=float(event.lat or 0.0),
            )
            for event, title in session.execute(query)
        ]
