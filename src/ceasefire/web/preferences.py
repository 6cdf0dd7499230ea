"""The reader's language and time zone, chosen with the switcher in every page's header.

``GET /preferences?lang=ru&next=/incidents`` keeps the choice in a cookie (a year; it names a
preference, nothing secret) and, for a signed-in user, on its user record too (a ledger
entry), from which the next sign-in sets the cookies again; then it goes back to the page.
Pages then use it before the browser's Accept-Language (``pages.language_of``); times are
shown in the chosen zone, with UTC in each time's tooltip.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from ceasefire import i18n
from ceasefire.api.deps import ContextDep
from ceasefire.members import auth
from ceasefire.web.auth_pages import local_path
from ceasefire.web.pages import TIME_ZONES, set_preference_cookies
from ceasefire.web.session import WebViewer

router = APIRouter(include_in_schema=False)


@router.get("/preferences")
def preferences(
    request: Request,
    ctx: ContextDep,
    viewer: WebViewer,
    lang: str | None = None,
    tz: str | None = None,
    next: str | None = None,
) -> Response:
    """Keep the chosen language and/or time zone, then go back to ``next``."""
    response = RedirectResponse(local_path(next), status_code=303)
    chosen_lang = lang if lang in i18n.LANGUAGES else None
    chosen_zone = tz if tz in TIME_ZONES else None
    if not viewer.is_public and viewer.user_id and (chosen_lang or chosen_zone):
        auth.set_preferences(ctx, viewer, lang=chosen_lang, time_zone=chosen_zone)
    set_preference_cookies(request, response, chosen_lang, chosen_zone)
    return response
