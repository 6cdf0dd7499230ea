"""Cross-site request forgery tokens for the forms of a signed-in browser.

Every form a signed-in member posts carries ``csrf_token``, and every POST that arrives with
the sign-in cookie must carry the right one (else 403, nothing done). The token is bound to
the session: it is derived from the session's API token (SHA-256 with its own prefix, so it
is not the token's stored hash either), so it changes at each sign-in, ends with the session,
needs no server-side state, and a page of another site, which cannot read the HttpOnly cookie
nor this site's pages, cannot produce it.

This adds to the other defences (``auth_pages``): the cookie is ``SameSite=Strict`` and a form
post must come from this origin. A POST without the cookie acts as the public, which may only
sign in; ``/login`` itself does nothing with the current session (it replaces it), so it asks
for no token: its forgery is refused by the origin check.
"""

from __future__ import annotations

import hashlib
import hmac

from fastapi import Depends, Request

from ceasefire.errors import Forbidden
from ceasefire.i18n.markers import N_
from ceasefire.web.session import SESSION_COOKIE

FIELD = "csrf_token"


def token_for(session_token: str) -> str:
    """The CSRF token of the session whose API token is ``session_token``."""
    return hashlib.sha256(b"ceasefire-csrf\0" + session_token.encode("utf-8")).hexdigest()


def token_of(request: Request) -> str | None:
    """The request's session's CSRF token (``None`` when it is not signed in)."""
    session = request.cookies.get(SESSION_COOKIE)
    return token_for(session) if session else None


def check(request: Request, submitted: str | None) -> None:
    """Refuse (403) a POST of a signed-in browser without its session's token."""
    expected = token_of(request)
    if expected is None:
        return
    if not submitted or not hmac.compare_digest(expected, submitted):
        raise Forbidden.worded(
            N_("this form is out of date or was not sent from this site: reload it")
        )


async def require_csrf(request: Request) -> None:
    """A route dependency: the form's ``csrf_token`` field checked against the session."""
    form = await request.form()
    value = form.get(FIELD)
    check(request, value if isinstance(value, str) else None)


CsrfChecked = [Depends(require_csrf)]
"""A form route's ``dependencies``: the CSRF check of ``require_csrf``."""
