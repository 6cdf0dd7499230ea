"""The reader's language and time zone, chosen with the switcher in every page's header.

Two ways in, one rule: **only a POST with the session's CSRF token writes anything** a
signed-in user keeps beyond this browser.

- ``GET /preferences?lang=ru&next=/incidents`` (the public's language links) only sets the
  cookies (a year; they name a preference, nothing secret) and goes back to the page. It
  writes no record, for anyone: a link another site shows cannot change a user's settings.
- ``POST /preferences`` (the signed-in header's language buttons and time-zone form; the
  form's ``csrf_token`` checked, and refused from another origin) sets the cookies too and,
  for a signed-in user, keeps the choice on its user record (a ledger entry), from which
  the next sign-in sets the cookies again.

Pages then use the cookie before the browser's Accept-Language (``pages.language_of``);
times are shown in the chosen zone, with UTC in each time's tooltip.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from ceasefire import i18n
from ceasefire.api.deps import ContextDep
from ceasefire.members import auth
from ceasefire.web import common
from ceasefire.web.auth_pages import check_same_origin
from ceasefire.web.csrf import require_csrf
from ceasefire.web.pages import TIME_ZONES, set_preference_cookies
from ceasefire.web.session import WebViewer

router = APIRouter(include_in_schema=False)


def _chosen(lang: str | None, tz: str | None) -> tuple[str | None, str | None]:
    return (lang if lang in i18n.LANGUAGES else None, tz if tz in TIME_ZONES else None)


@router.get("/preferences")
def preferences_link(
    request: Request,
    lang: str | None = None,
    tz: str | None = None,
    next: str | None = None,
) -> Response:
    """Set the language and/or time zone cookies of this browser, then go back to ``next``
    (saves nothing on the user's record: that is the POST's)."""
    response = RedirectResponse(common.local_path(next), status_code=303)
    set_preference_cookies(request, response, *_chosen(lang, tz))
    return response


@router.post("/preferences", dependencies=[Depends(require_csrf)])
def preferences_form(
    request: Request,
    ctx: ContextDep,
    viewer: WebViewer,
    lang: Annotated[str | None, Form()] = None,
    tz: Annotated[str | None, Form()] = None,
    next: Annotated[str | None, Form()] = None,
) -> Response:
    """Keep the chosen language and/or time zone (cookies; and the signed-in user's record),
    then go back to ``next``."""
    check_same_origin(request)
    chosen_lang, chosen_zone = _chosen(lang, tz)
    response = RedirectResponse(common.local_path(next), status_code=303)
    if not viewer.is_public and viewer.user_id and (chosen_lang or chosen_zone):
        auth.set_preferences(ctx, viewer, lang=chosen_lang, time_zone=chosen_zone)
    set_preference_cookies(request, response, chosen_lang, chosen_zone)
    return response
