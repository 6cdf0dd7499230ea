"""The FastAPI application factory. Nothing is built at import time."""

from __future__ import annotations

import logging
from typing import Any

import swagger_ui_bundle
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ceasefire import __version__
from ceasefire.api.address_limits import AddressRateLimit, address_limits_for
from ceasefire.api.errors import error_response
from ceasefire.api.headers import SecurityHeaders, docs_policy
from ceasefire.api.inputcheck import TextCheck
from ceasefire.api.openapi_errors import install as install_error_responses
from ceasefire.config import Settings
from ceasefire.errors import CeasefireError, PayloadTooLarge
from ceasefire.services.context import ServiceContext

log = logging.getLogger(__name__)


def _error(status: int, code: str, message: str, details: Any = None) -> JSONResponse:
    return JSONResponse(
        {"error": {"code": code, "message": message, "details": details}}, status_code=status
    )


def _validation_details(exc: RequestValidationError) -> list[dict[str, Any]]:
    details = []
    for err in exc.errors():
        loc = [str(part) for part in err.get("loc", ())]
        # ("query", "as_of") -> parameter "as_of" in the query string
        where = loc[0] if loc else "request"
        name = ".".join(loc[1:]) if len(loc) > 1 else where
        details.append({"loc": name, "in": where, "message": err.get("msg", "invalid")})
    return details


class BodySizeLimit:
    """Rejects request bodies over the configured size, declared or streamed."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._reject(scope, receive, send)
            return
        seen = 0

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise PayloadTooLarge(f"request body over {self.max_bytes} bytes")
            return message

        await self.app(scope, limited_receive, send)

    async def _reject(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = _error(413, PayloadTooLarge.code, f"request body over {self.max_bytes} bytes")
        await response(scope, receive, send)


def create_app(settings: Settings | None = None, ctx: ServiceContext | None = None) -> FastAPI:
    """Build the ceasefire API for ``settings`` (or an existing service context)."""
    settings = settings or (ctx.settings if ctx else Settings())
    ctx = ctx or ServiceContext.from_settings(settings)
    app = FastAPI(
        title="ceasefire",
        version=__version__,
        description="API of a joint ceasefire monitoring centre.",
        docs_url=None,
        redoc_url=None,
    )
    app.state.ctx = ctx

    @app.exception_handler(CeasefireError)
    async def _ceasefire_error(_request: Request, exc: CeasefireError) -> JSONResponse:
        return error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _invalid_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        details = _validation_details(exc)
        names = ", ".join(d["loc"] for d in details)
        return _error(422, "E422", f"invalid request: {names}", details)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return _error(exc.status_code, f"E{exc.status_code}", str(exc.detail))

    @app.exception_handler(sa_exc.DataError)
    async def _data_error(request: Request, exc: sa_exc.DataError) -> JSONResponse:
        # A value the database refused (out of a column's range, a character it does not
        # store) that validation let through: the input's fault, and a bug to fix; logged,
        # but never a 500 with the driver's message.
        log.warning("database refused a value on %s %s: %s", request.method, request.url.path, exc)
        return _error(422, "E422", "a value is out of range or holds text the database refuses")

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Everything else that escapes a route: one coded JSON 500, never a plain-text body
        # or a traceback; the details go to the log only.
        log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return _error(500, "E500", "internal error; the server log has the details")

    app.mount(
        "/static/swagger-ui",
        StaticFiles(directory=swagger_ui_bundle.swagger_ui_path),
        name="swagger-ui",
    )

    from ceasefire.web.pages import STATIC

    app.mount("/static/web", StaticFiles(directory=STATIC), name="web-static")

    docs_page = get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="ceasefire API",
        swagger_js_url="/static/swagger-ui/swagger-ui-bundle.js",
        swagger_css_url="/static/swagger-ui/swagger-ui.css",
        swagger_favicon_url="/static/swagger-ui/favicon-32x32.png",
    ).body
    docs_headers = {"Content-Security-Policy": docs_policy(bytes(docs_page))}

    @app.get("/docs", include_in_schema=False)
    async def _docs() -> HTMLResponse:
        return HTMLResponse(bytes(docs_page), headers=docs_headers)

    @app.get("/health", tags=["meta"])
    async def _health() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    from ceasefire.api.routes import ROUTERS
    from ceasefire.web.auth_pages import router as auth_pages_router
    from ceasefire.web.pages import router as pages_router
    from ceasefire.web.session import SESSION_COOKIE, SessionCookieHeaders

    for router in ROUTERS:
        app.include_router(router)
    app.include_router(pages_router)
    app.include_router(auth_pages_router)
    app.add_middleware(SessionCookieHeaders)

    # Inside the size limit: the body it buffers to check is already bounded.
    app.add_middleware(TextCheck)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_request_bytes)
    # Outside the rest: a refused request costs nothing further.
    app.state.address_limits = address_limits_for(ctx, settings, session_cookie=SESSION_COOKIE)
    app.add_middleware(AddressRateLimit, limits=app.state.address_limits)
    # Outermost of all: every response, a middleware's refusal included, gets the headers.
    app.add_middleware(SecurityHeaders)
    install_error_responses(app)
    return app
