"""The reader's language and time zone, chosen with the switcher in every page's header.

``GET /preferences?lang=ru&next=/incidents`` keeps the choice in a cookie (a year; it names a
preference, nothing secret) and goes back to the page. Pages then use it before the browser's
Accept-Language (``pages.language_of``); times are shown in the chosen zone, with UTC in each
time's tooltip.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from ceasefire import i18n
from ceasefire.web.auth_pages import local_path
from ceasefire.web.pages import LANGUAGE_COOKIE, TIME_ZONE_COOKIE, TIME_ZONES

router = APIRouter(include_in_schema=False)
YEAR_S = 365 * 24 * 3600


@router.get("/preferences")
def preferences(
    request: Request, lang: str | None = None, tz: str | None = None, next: str | None = None
) -> Response:
    """Keep the chosen language and/or time zone, then go back to ``next``."""
    response = RedirectResponse(local_path(next), status_code=303)
    secure = request.url.scheme == "https"
    if lang in i18n.LANGUAGES:
        response.set_cookie(
            LANGUAGE_COOKIE, lang, max_age=YEAR_S, path="/", samesite="lax", secure=secure
        )
    if tz in TIME_ZONES:
        response.set_cookie(
            TIME_ZONE_COOKIE, tz, max_age=YEAR_S, path="/", samesite="lax", secure=secure
        )
    return response
