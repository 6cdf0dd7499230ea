"""Who is looking at a web page: the API token kept in the sign-in cookie.

A web sign-in (``auth_pages``) issues an ordinary API token and keeps it in an HttpOnly,
SameSite=Strict cookie, so expiry and revocation work exactly as for API clients. Only the
HTML pages read that cookie (``WebViewer``); the JSON API reads the ``Authorization`` header
and nothing else, so a cookie a browser attaches on its own never authenticates an API call
(no cross-site request forgery against the API).

A cookie whose token is unknown, expired or revoked (or whose user is disabled) makes the
page render for the public, and the response clears the cookie; a page rendered for a
signed-in member is marked ``Cache-Control: private, no-store`` so that no shared cache keeps
a member's view (``SessionCookieHeaders``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send

from ceasefire.access import Viewer
from ceasefire.api.asgi import HttpMiddleware
from ceasefire.api.deps import ContextDep
from ceasefire.errors import Unauthorized
from ceasefire.members.auth import viewer_for_token
from ceasefire.members.devices import merged as merged_markers

SESSION_COOKIE = "ceasefire_session"
DEVICE_COOKIE = "ceasefire_device"
"""The browser's device markers (``members.devices``): kept a year, across sign-outs."""
DEVICE_COOKIE_MAX_AGE = 365 * 24 * 3600


def is_https(request: Request) -> bool:
    """Whether the page was asked for over HTTPS (then the cookie is ``Secure``)."""
    return request.url.scheme == "https"


def set_session_cookie(response: Response, request: Request, token: str, max_age: int) -> None:
    """Keep ``token`` in the sign-in cookie: not readable by scripts, not sent cross-site."""
    _set_private_cookie(response, request, SESSION_COOKIE, token, max_age)


def set_device_cookie(response: Response, request: Request, marker: str | None) -> None:
    """Keep a new device marker in the device cookie, with the other users' markers it held
    (``None``: nothing to keep); set like the sign-in cookie."""
    if marker is None:
        return
    value = merged_markers(marker, request.cookies.get(DEVICE_COOKIE))
    _set_private_cookie(response, request, DEVICE_COOKIE, value, DEVICE_COOKIE_MAX_AGE)


def _set_private_cookie(
    response: Response, request: Request, name: str, value: str, max_age: int
) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="strict",
        secure=is_https(request),
    )


def _clear(response: Response, *, secure: bool) -> None:
    response.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, samesite="strict", secure=secure
    )


def clear_session_cookie(response: Response, request: Request) -> None:
    """Tell the browser to drop the sign-in cookie."""
    _clear(response, secure=is_https(request))


def _clearing_header(*, secure: bool) -> bytes:
    response = Response()
    _clear(response, secure=secure)
    return response.headers["set-cookie"].encode("latin-1")


def get_web_viewer(request: Request, ctx: ContextDep) -> Viewer:
    """The viewer of a web page: the cookie's token, or the public (never an error)."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return Viewer.public()
    try:
        viewer = viewer_for_token(ctx, token)
    except Unauthorized:
        # A stale session is not the reader's fault: show the public page and drop it.
        request.state.ceasefire_stale_session = True
        return Viewer.public()
    request.state.ceasefire_personal_page = True
    return viewer


WebViewer = Annotated[Viewer, Depends(get_web_viewer)]


SIGNED_IN_CHECKED = "ceasefire_signed_in"
"""The request state's ``(token, Viewer)`` of the sign-in cookie that ``AuthFirst`` resolved
before the body."""


def get_signed_in_viewer(request: Request, ctx: ContextDep) -> Viewer:
    """The viewer of a form that only a signed-in user may send (``get_web_viewer``; the
    route still answers the public with the sign-in page). Declaring it tells ``AuthFirst``
    to send the public to sign in before the form's body is read
    (``ceasefire.api.authfirst``); the viewer it resolved then is reused here."""
    found = getattr(request.state, SIGNED_IN_CHECKED, None)
    if found is not None and found[0] == request.cookies.get(SESSION_COOKIE):
        request.state.ceasefire_personal_page = True
        viewer: Viewer = found[1]
        return viewer
    return get_web_viewer(request, ctx)


SignedInViewer = Annotated[Viewer, Depends(get_signed_in_viewer)]


_CLEARING = {secure: _clearing_header(secure=secure) for secure in (False, True)}


class SessionCookieHeaders(HttpMiddleware):
    """Clears a stale sign-in cookie, and keeps member-specific pages out of shared caches.

    Pure ASGI rather than a ``BaseHTTPMiddleware``: it costs API requests one dictionary
    look-up per message and leaves streaming untouched.
    """

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Created here so that every copy of the scope down the stack shares this dict.
        state = scope.setdefault("state", {})

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start" and state:
                headers = list(message.get("headers", []))
                if state.get("ceasefire_stale_session"):
                    headers.append((b"set-cookie", _CLEARING[scope.get("scheme") == "https"]))
                if state.get("ceasefire_personal_page") and not any(
                    name.lower() == b"cache-control" for name, _ in headers
                ):
                    headers.append((b"cache-control", b"private, no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
