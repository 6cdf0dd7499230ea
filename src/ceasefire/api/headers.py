"""Security headers on every response, and the API docs page's own policy.

Every response (API, pages, static files, errors answered by a middleware) gets:

- ``Content-Security-Policy``: only this origin's scripts, styles and images (plus ``data:``
  images), no plugins, no ``<base>``, forms posting here only, and never inside a frame
  (``frame-ancestors 'none'``). The web pages have no inline script or style (tested);
- ``X-Frame-Options: DENY`` (the same for browsers without ``frame-ancestors``),
  ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: same-origin`` (nothing
  leaves for other sites; not ``no-referrer``, under which a browser sends ``Origin: null``
  with a form post and the sign-in form's origin check would refuse it).

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


class SecurityHeaders(HttpMiddleware):
    """ASGI middleware adding the headers above to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        super().__init__(app)
        self._policy = POLICY.encode()

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(name, value) for name, value in _FIXED if name not in present]
                if b"content-security-policy" not in present:
                    headers.append((b"content-security-policy", self._policy))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
