"""The FastAPI application factory. Nothing is built at import time."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager, suppress
from functools import cache
from http import HTTPStatus
from typing import Any

import anyio.to_thread
from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ceasefire import __version__
from ceasefire.api.address_limits import AddressRateLimit, address_limits_for
from ceasefire.api.asgi import HttpMiddleware
from ceasefire.api.authfirst import AuthFirst, SessionGate
from ceasefire.api.errors import error_response
from ceasefire.api.headers import SecurityHeaders
from ceasefire.api.inputcheck import TextCheck
from ceasefire.api.openapi_errors import install as install_error_responses
from ceasefire.areas import contributions, start_intake_workers
from ceasefire.config import Settings, load_settings
from ceasefire.console.output import show_error
from ceasefire.db.context import ServiceContext
from ceasefire.db.health import check_storage, unavailable_for
from ceasefire.errors import (
    ERRORS,
    CeasefireError,
    InvalidInput,
    PayloadTooLarge,
    problem,
    validation_message,
)
from ceasefire.i18n.markers import N_
from ceasefire.members.auth import viewer_for_token
from ceasefire.web.common import form_check, sign_in_first_app
from ceasefire.web.docs_page import SWAGGER_UI, SWAGGER_UI_URL, docs_page
from ceasefire.web.mapdata import mount_map_assets
from ceasefire.web.pages import STATIC, WebStaticFiles, render_error
from ceasefire.web.session import (
    SESSION_COOKIE,
    SIGNED_IN_CHECKED,
    SessionCookieHeaders,
    get_signed_in_viewer,
)

log = logging.getLogger(__name__)

# Paths whose errors are always JSON: the API and the machine-readable documents.
_JSON_PREFIXES = ("/api/", "/openapi.json", "/health", "/static/")


def _wants_html(request: Request) -> bool:
    """A browser asking for a page (not the API) gets its errors as an HTML page."""
    if request.url.path.startswith(_JSON_PREFIXES):
        return False
    return "text/html" in request.headers.get("accept", "")


def _respond(request: Request, exc: CeasefireError) -> Response:
    """The one rendering of every error: HTML for a browser's page, JSON otherwise."""
    if _wants_html(request):
        return render_error(
            exc.status,
            exc.code,
            exc.title,
            exc.message,
            exc.details,
            request=request,
            wording=exc.wording,
        )
    return error_response(exc)


_ROUTING_WORDS = {
    404: N_("no page or record at this address"),
    405: N_("this address does not take this method"),
}
"""The router's refusals of an address, by status: its bare "Not Found" and "Method Not
Allowed" in words a page translates."""


def _as_ceasefire_error(exc: Exception) -> CeasefireError:
    """Any exception that reached the application's edge, as a coded error."""
    if isinstance(exc, CeasefireError):
        return exc
    if isinstance(exc, RequestValidationError):
        details = _validation_details(exc)
        names = ", ".join(d["loc"] for d in details)
        return InvalidInput.worded(N_("invalid request: %(fields)s"), details=details, fields=names)
    if isinstance(exc, StarletteHTTPException):
        if exc.status_code == 400:
            # FastAPI's answer to a body its parser gave up on (JSON nested deeper than the
            # decoder's recursion limit): the client's input, named, never an E500 whose
            # traceback a client could write into the log at will.
            return InvalidInput.worded(
                N_("the request body could not be parsed"),
                details=[
                    problem(
                        "body", N_("not readable JSON (nested too deeply?)"), extra={"in": "body"}
                    )
                ],
            )
        code = f"E{exc.status_code}"
        code = code if code in ERRORS else "E500"
        if exc.status_code in _ROUTING_WORDS and exc.detail == HTTPStatus(exc.status_code).phrase:
            # The router's own "Not Found" of an address no route serves: worded, so that a
            # page says it in the reader's language.
            error = CeasefireError.worded(_ROUTING_WORDS[exc.status_code], code=code)
        else:
            error = CeasefireError(str(exc.detail), code=code)
        error.status = exc.status_code
        return error
    if isinstance(exc, sa_exc.DataError):
        # A value the database refused (out of a column's range, a character it does not
        # store) that validation let through: the input's fault, and a bug to fix.
        return InvalidInput.worded(N_("a value is out of range or holds text the database refuses"))
    # Storage that cannot be written: a coded 503 with the reason, not a bare 500.
    if (unavailable := unavailable_for(exc)) is not None:
        return unavailable
    # Unexpected: nothing of the exception (it may hold data or paths) reaches the client.
    return CeasefireError.worded(
        N_("internal error; the server's log has the details"), code="E500"
    )


def _validation_details(exc: RequestValidationError) -> list[dict[str, Any]]:
    details = []
    for err in exc.errors():
        loc = [str(part) for part in err.get("loc", ())]
        # ("query", "as_of") -> parameter "as_of" in the query string; a body that is no JSON
        # is the body's problem (Pydantic's loc ends with the offset it gave up at).
        where = loc[0] if loc else "request"
        name = ".".join(loc[1:]) if len(loc) > 1 and err.get("type") != "json_invalid" else where
        details.append({"loc": name, "in": where, "message": validation_message(err)})
    return details


class BodySizeLimit(HttpMiddleware):
    """Rejects request bodies over the configured size, declared or streamed."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        super().__init__(app)
        self.max_bytes = max_bytes

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
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
                    raise PayloadTooLarge.worded(
                        N_("request body over %(max_bytes)s bytes"), max_bytes=self.max_bytes
                    )
            return message

        await self.app(scope, limited_receive, send)

    async def _reject(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The application's one answer to an error (``_respond``): a browser's page gets
        the error's page, in its language, as a body cut off while streamed does."""
        refusal = PayloadTooLarge.worded(
            N_("request body over %(max_bytes)s bytes"), max_bytes=self.max_bytes
        )
        await _respond(Request(scope), refusal)(scope, receive, send)


def _serving(
    threads: int, ctx: ServiceContext
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """The application's lifespan: what a serving process sets up once, when it starts.

    - How many requests it runs in threads at once: FastAPI runs every ``def`` route and
      dependency in the event loop's default thread limiter (``Settings.request_threads``).
    - ``gc.freeze()``: what was built before the first request (some 150,000 objects: the
      modules, the routes, the compiled statements) is never scanned by the collector again.
      A full collection scanned all of it, holding every request of the process for a
      tenth to four tenths of a second each time (bench/RESULTS.md, "Load at 100k").
    - The areas' background workers (fusion's queue, the alerts' scan and outbox, the
      publication schedule) live as long as the served application."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = threads
        gc.freeze()
        tasks = [asyncio.create_task(worker(ctx)) for worker in contributions("worker")]
        stops = start_intake_workers(ctx)  # fusion's queue: threads beside the event loop
        try:
            yield
        finally:
            for stop in stops:
                stop()
            for task in tasks:
                task.cancel()
            for task in tasks:
                with suppress(asyncio.CancelledError):
                    await task
            gc.unfreeze()

    return lifespan


STARTUP_FAILURE = 3
"""The exit status of a worker that cannot start: uvicorn's and gunicorn's (``WORKER_BOOT_ERROR``)
code on which they stop instead of starting the worker again and again."""


def _environment_settings() -> Settings:
    """The settings of an app a server builds from the environment (``ceasefire serve
    --workers``, ``uvicorn --factory ceasefire.app:create_app``): an invalid variable is said
    once on standard error as the CLI says it, and the process ends without a traceback."""
    try:
        return load_settings()
    except CeasefireError as exc:
        show_error(exc)
        raise SystemExit(STARTUP_FAILURE) from None


@cache
def _area_routes() -> tuple[BaseRoute, ...]:
    """Every area's router, included once per process, for every app of the process to hold.

    FastAPI (0.165) builds what serves a route (its dependencies, parameter and response
    fields) on the first request that reaches the router, and keeps it on the inclusion: an
    app that included the routers afresh built them all again, about 0.2 s of CPU on the test
    VM in the first requests of each of the tests' ~1,100 apps (bench/RESULTS.md, "The whole
    test run under 15 minutes"). A served process builds one app, as before. The inclusions
    hold no app: they read no ``app.dependency_overrides`` (ceasefire sets none)."""
    routes = APIRouter()
    for router in contributions("router"):
        routes.include_router(router)
    return tuple(routes.routes)


def create_app(settings: Settings | None = None, ctx: ServiceContext | None = None) -> FastAPI:
    """Build the ceasefire API for ``settings`` (or an existing service context)."""
    settings = settings or (ctx.settings if ctx else _environment_settings())
    ctx = ctx or ServiceContext.from_settings(settings)

    app = FastAPI(
        title="ceasefire",
        version=__version__,
        description="API of a joint ceasefire monitoring centre.",
        docs_url=None,
        redoc_url=None,
        lifespan=_serving(settings.request_threads, ctx),
    )
    app.state.ctx = ctx
    app.state.authenticate = viewer_for_token

    async def _handle(request: Request, exc: Exception) -> Response:
        error = _as_ceasefire_error(exc)
        if error.code == "E500" or isinstance(exc, sa_exc.DataError):
            # The details go to the log only, never to the client.
            log.error("%s on %s %s", error.code, request.method, request.url.path, exc_info=exc)
        return _respond(request, error)

    # One handler for everything that escapes a route (datasette's handle_exception).
    for kind in (CeasefireError, RequestValidationError, StarletteHTTPException, Exception):
        app.add_exception_handler(kind, _handle)

    app.mount(SWAGGER_UI_URL, StaticFiles(directory=SWAGGER_UI), name="swagger-ui")
    app.mount("/static/web", WebStaticFiles(directory=STATIC), name="web-static")
    mount_map_assets(app)

    page, docs_headers = docs_page()

    @app.get("/docs", include_in_schema=False)
    async def _docs() -> HTMLResponse:
        return HTMLResponse(page, headers=docs_headers)

    @app.get(
        "/health",
        tags=["meta"],
        responses={503: {"description": "The database cannot be written (coded error)."}},
    )
    def _health() -> dict[str, Any]:
        """200 only when the database takes a write now (db/health.py); else 503."""
        return {"status": "ok", "version": __version__, **check_storage(ctx).model_dump()}

    app.router.routes.extend(_area_routes())
    app.add_middleware(SessionCookieHeaders)

    # Inside the size limit: the body it buffers to check is already bounded.
    app.add_middleware(TextCheck)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_request_bytes)
    app.state.address_limits = address_limits_for(
        ctx, settings, session_cookie=SESSION_COOKIE, authenticate=viewer_for_token
    )
    # Outside everything that reads the body: the caller a route needs comes first.
    app.add_middleware(
        AuthFirst,
        routes=lambda: app.router.routes,
        ctx=ctx,
        # The function ``get_viewer`` calls, looked up as it does.
        authenticate=lambda ctx, token: app.state.authenticate(ctx, token),
        limits=app.state.address_limits,
        respond=lambda scope, exc: _respond(Request(scope), exc),
        # The web forms only a signed-in user may send: the public is sent to sign in first.
        session=SessionGate(
            calls=frozenset({get_signed_in_viewer}),
            cookie=SESSION_COOKIE,
            state_key=SIGNED_IN_CHECKED,
            answer=sign_in_first_app,
            role_check=form_check,
        ),
    )
    # Outside the rest: a refused request costs nothing further.
    app.add_middleware(AddressRateLimit, limits=app.state.address_limits)
    # Outermost of all: every response, a middleware's refusal included, gets the headers.
    app.add_middleware(SecurityHeaders, session_cookie=SESSION_COOKIE)
    install_error_responses(app)
    return app
