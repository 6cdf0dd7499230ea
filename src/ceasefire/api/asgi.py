"""The base of the application's pure ASGI middlewares.

Each of them works on HTTP requests only and hands every other scope (the lifespan,
websockets) to the application untouched; ``HttpMiddleware`` does that hand-over once, and a
middleware writes only what it does to a request in ``handle``. Pure ASGI rather than
Starlette's ``BaseHTTPMiddleware``: no task per request, and streaming stays untouched.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send


class HttpMiddleware:
    """Calls ``handle`` for an HTTP request, and passes any other scope straight on."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.handle(scope, receive, send)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        """What the middleware does with one HTTP request (``self.app`` is the rest)."""
        raise NotImplementedError
