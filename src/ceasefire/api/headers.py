"""Security headers on every response, and the API docs page's own policy.

Every response (API, pages, static files, errors answered by a middleware) gets:

- ``Content-Security-Policy``: only this origin's scripts, styles and images (plus ``data:``
  images), no plugins, no ``<base>``, forms posting here only, and never inside a frame
  (``frame-ancestors 'none'``). The web pages have no inline script or style (tested);
- ``X-Frame-Options: DENY`` (the same for browsers without ``frame-ancestors``),
  ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: same-origin`` (nothing
  leaves for other sites; not ``no-referrer``, under which a browser sends ``Origin: null``
  with a form post and the sign-in form's origin check would refuse it);
- over HTTPS, ``Strict-Transport-Security`` (a year; no ``includeSubDomains``: the centre's
  domain may have other hosts this server does not speak for);
- on a response to a request that carries credentials (an ``Authorization`` header or the
  sign-in cookie), ``Cache-Control: private, no-store`` unless the route chose its own: a proxy
  shared by the centre's members must never keep one member's records (API answers and
  attachment downloads included) for another, nor a browser on a shared machine;
- ``Vary: Authorization, Cookie`` unless the response is ``public`` (the same bytes for
  everyone: static files, the base map): who asks, and in which language, changes the answer.

The Swagger UI page (``/docs``) starts its bundle with one inline script: its policy allows
exactly that script by its SHA-256 (:func:`docs_policy`), and inline styles, which the UI
sets on its elements; it is otherwise the same policy. A response that already has a policy
keeps it.
"""

from __future__ import annotations

import base64
import hashlib
import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ceasefire.api.asgi import HttpMiddleware

POLICY = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
_INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.S)

_FIXED: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
)


def docs_policy(html: bytes) -> str:
    """The policy of a page whose inline scripts are exactly those of ``html``."""
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(script).digest()).decode() + "'"
        for script in _INLINE_SCRIPT.findall(html)
    )
    return (
        f"default-src 'self'; script-src 'self' {hashes}; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'none'"
    )


_HSTS = (b"strict-transport-security", b"max-age=31536000")
_NO_STORE = (b"cache-control", b"private, no-store")
_VARY = (b"vary", b"Authorization, Cookie")
Headers = list[tuple[bytes, bytes]]


def has_credentials(request_headers: Headers, session_cookie: bytes) -> bool:
    """Whether a request carries an ``Authorization`` header or the sign-in cookie."""
    for name, value in request_headers:
        lowered = name.lower()
        if lowered == b"authorization" or (lowered == b"cookie" and session_cookie in value):
            return True
    return False


def cache_headers(credentials: bool, headers: Headers) -> Headers:
    """The ``Cache-Control`` and ``Vary`` a response with ``headers`` lacks."""
    cache_control = next((v.lower() for n, v in headers if n.lower() == b"cache-control"), None)
    extra = []
    if cache_control is None and credentials:
        extra.append(_NO_STORE)
    if not (cache_control or b"").startswith(b"public"):
        extra.append(_VARY)  # a list field: beside a route's own Vary, the two combine
    return extra


class SecurityHeaders(HttpMiddleware):
    """ASGI middleware adding the headers above to every HTTP response."""

    def __init__(self, app: ASGIApp, *, session_cookie: str) -> None:
        super().__init__(app)
        self._policy = POLICY.encode()
        self._session_cookie = session_cookie.encode() + b"="

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        https = scope.get("scheme") == "https"
        credentials = has_credentials(scope.get("headers", []), self._session_cookie)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(name, value) for name, value in _FIXED if name not in present]
                if b"content-security-policy" not in present:
                    headers.append((b"content-security-policy", self._policy))
                if https and _HSTS[0] not in present:
                    headers.append(_HSTS)
                headers += cache_headers(credentials, headers)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
