"""Authentication before the body: no byte of a request body is read for a caller who may not
send it.

FastAPI reads and parses a route's body before it runs the route's dependencies, and the
text check (``inputcheck``) reads every JSON and form body before any route: without this,
an anonymous client could make the server read and parse up to
``CEASEFIRE_MAX_REQUEST_BYTES`` of JSON on any route that needs a token, and got a 422 for a
malformed body instead of the 401.

``AuthFirst`` is a pure ASGI middleware, outside the size limit and the text check. For a
request that carries a body (a ``Content-Length`` other than 0, or ``Transfer-Encoding``) it
finds the route the router will pick and what the route's declared dependencies require of
the caller (``gate_of``; derived from the dependencies, so a new route is covered without
being listed here):

- **a member** (``require_member`` / ``RequireMember``, ``required_token``, or a route that
  reads the token itself and says so with ``openapi_extra=BEARER_SECURITY``): no token, or
  an ``Authorization`` header that is not ``Bearer <token>``, is the route's 401 at once;
  a token is checked as below;
- **a token, if one is presented** (``get_viewer`` / ``CurrentViewer``: the public may post,
  as to ``POST /api/v1/ledger/entries``, but a token given must be valid): a token that is
  unknown, expired or revoked is the 401 the route would answer;
- **a signed-in browser** (the web forms that send the public to sign in: their viewer is
  the session dependency the application names, ``web.session.SignedInViewer``): no sign-in
  cookie is the route's own answer at once (303 to ``/login?next=<path>``); a cookie whose
  token is unknown, expired or revoked is the same redirect, clearing the cookie; a form no
  role of the member uses (``SessionGate.role_check``: in the agreement of the record its
  path names, where the member reads that record; else in any agreement) is its 403. Only
  then are the form's body and its CSRF token read (the password form's too, since the
  twenty-first audit). The cookie's token is checked with the same function as the API
  token, and the Viewer is left on the request's state for the web dependency (no second
  look-up);
- **nothing** (sign-in, sign-out, the preference form, the public's pages): the request goes
  on untouched.

A token is checked with the application's ``authenticate`` (the function ``get_viewer``
uses), in a worker thread, and the Viewer is left on the request's state for ``get_viewer``
(no second look-up). A token the per-address rate limit (``address_limits``) checked valid in
the last few minutes is let through without a look-up, and the route checks it as before:
that verdict decides only whether the body is read before the route's own check, never
access. So a token revoked in those minutes can still have its body read (up to the size
limit) before its 401.

What depends on the record (may this member amend this report, see this incident) can only
be decided by the service, after the body is parsed: this middleware makes sure that the
caller is at least someone with a valid token first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Receive, Scope, Send

from ceasefire.access import Viewer
from ceasefire.api.address_limits import AddressLimits
from ceasefire.api.deps import (
    NEEDS_TOKEN,
    PRE_AUTHENTICATED,
    bearer_token,
    get_viewer,
    require_member,
    required_token,
)
from ceasefire.db.context import ServiceContext
from ceasefire.errors import CeasefireError, Unauthorized

RoleCheck = Callable[[ServiceContext, Viewer, Mapping[str, Any]], None]
"""A form's check on its viewer and the route's path parameters, before the body."""


class Gate(Enum):
    """What a route requires of its caller before its body may be read."""

    NONE = "none"
    TOKEN_IF_PRESENT = "optional"  # noqa: S105 (not a secret)
    MEMBER = "member"
    SIGNED_IN = "signed_in"


@dataclass(frozen=True)
class SessionGate:
    """How the web forms declare and check a signed-in browser (given by the application:
    the web package sits above this one).

    ``calls``: the dependencies that mean "signed in"; ``cookie``: the sign-in cookie's name;
    ``state_key``: where the resolved ``(token, Viewer)`` is left on the request's state;
    ``answer(scope, stale)``: the route's answer to the public (``stale``: a cookie was sent
    but its token is no longer valid)."""

    calls: frozenset[Any]
    cookie: str
    state_key: str
    answer: Callable[[Scope, bool], ASGIApp]
    role_check: Callable[[frozenset[Any]], RoleCheck | None] = lambda calls: None
    """Of a signed-in route whose dependencies are ``calls``, what its viewer must pass on the
    session and the path alone before the body is read (raising the route's
    ``CeasefireError``, answered as the application answers errors), or ``None``: who may use
    a form at all, in the agreement of the record the path names (``web.common.form_of``)."""


_MEMBER_CALLS = frozenset({require_member, required_token})


def _calls(dependant: Dependant) -> Iterator[Any]:
    stack = list(dependant.dependencies)
    while stack:
        sub = stack.pop()
        yield sub.call
        stack.extend(sub.dependencies)


def gate_of(
    route: APIRoute, extra_calls: Sequence[Any] = (), session_calls: frozenset[Any] = frozenset()
) -> Gate:
    """What ``route``'s declared dependencies (and ``extra_calls``: the dependencies of the
    routers it is included through) require of the caller; ``session_calls``: the
    dependencies that require a signed-in browser (``SessionGate.calls``)."""
    calls = {*_calls(route.dependant), *extra_calls}
    if calls & _MEMBER_CALLS or (route.openapi_extra or {}).get("security"):
        return Gate.MEMBER
    if get_viewer in calls:
        return Gate.TOKEN_IF_PRESENT
    if calls & session_calls:
        return Gate.SIGNED_IN
    return Gate.NONE


def routing_table(
    routes: Sequence[BaseRoute], session_calls: frozenset[Any] = frozenset()
) -> list[tuple[BaseRoute, Gate]]:
    """Every route in the order the router tries them, with its gate: the routes of included
    routers flattened into their place."""
    table: list[tuple[BaseRoute, Gate]] = []
    _flatten(routes, (), table, session_calls)
    return table


def _flatten(
    routes: Sequence[BaseRoute],
    extra: tuple[Any, ...],
    table: list[tuple[BaseRoute, Gate]],
    session_calls: frozenset[Any],
) -> None:
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:
            # FastAPI keeps an included router as one route (``_IncludedRouter``); its
            # routes already hold the router's own prefix, not the prefix of the inclusion.
            context = route.include_context  # type: ignore[attr-defined]
            if context.prefix:
                raise RuntimeError(
                    f"AuthFirst cannot place the routes of a router included with a prefix "
                    f"({context.prefix!r}): give the router the prefix itself"
                )
            calls = tuple(depends.dependency for depends in context.dependencies)
            _flatten(included.routes, extra + calls, table, session_calls)
        elif isinstance(route, APIRoute):
            table.append((route, gate_of(route, extra, session_calls)))
        else:
            table.append((route, Gate.NONE))


def _has_body(scope: Scope) -> bool:
    for name, value in scope.get("headers") or ():
        if name == b"content-length":
            return value.strip() not in (b"0", b"")
        if name == b"transfer-encoding":
            return True
    return False


class AuthFirst:
    """ASGI middleware: the caller a route requires is checked before its body is read."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        routes: Callable[[], Sequence[BaseRoute]],
        ctx: ServiceContext,
        authenticate: Callable[[ServiceContext, str], Viewer],
        limits: AddressLimits,
        respond: Callable[[Scope, CeasefireError], ASGIApp],
        session: SessionGate | None = None,
    ) -> None:
        """``routes``: the application's routes (read at the first request); ``respond``:
        the application's one rendering of an error (JSON, or a page for a browser);
        ``session``: the web forms' signed-in gate (none: no route has it)."""
        self.app = app
        self._routes = routes
        self._table: list[tuple[BaseRoute, Gate]] | None = None
        self._ctx = ctx
        self._authenticate = authenticate
        self._limits = limits
        self._respond = respond
        self._session = session
        self._role_checks: dict[int, RoleCheck] = {}

    def gate_for(self, scope: Scope) -> Gate:
        """The gate of the route the router will pick for ``scope`` (NONE when none fits
        fully: a 404 or 405 reads no body either)."""
        return self._route_for(scope)[1]

    def _route_for(self, scope: Scope) -> tuple[BaseRoute | None, Gate, Mapping[str, Any]]:
        if self._table is None:  # built on the first request: every router is in by then
            calls = self._session.calls if self._session else frozenset()
            self._table = routing_table(self._routes(), calls)
            for route, gate in self._table:
                if gate is Gate.SIGNED_IN and self._session and isinstance(route, APIRoute):
                    check = self._session.role_check(frozenset(_calls(route.dependant)))
                    if check is not None:
                        self._role_checks[id(route)] = check
        for route, gate in self._table:
            match, child = route.matches(scope)
            if match == Match.FULL:
                return route, gate, child.get("path_params") or {}
        return None, Gate.NONE, {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _has_body(scope):
            await self.app(scope, receive, send)
            return
        route, gate, path_params = self._route_for(scope)
        if gate is Gate.SIGNED_IN and self._session is not None:
            check = self._role_checks.get(id(route))
            answer = await self._signed_in(scope, self._session, check, path_params)
            if answer is not None:
                await answer(scope, receive, send)
                return
        elif gate is not Gate.NONE:
            try:
                await self._check(scope, gate)
            except Unauthorized as exc:
                await self._respond(scope, exc)(scope, receive, send)
                return
        await self.app(scope, receive, send)

    async def _signed_in(
        self,
        scope: Scope,
        session: SessionGate,
        role_check: RoleCheck | None,
        path_params: Mapping[str, Any],
    ) -> ASGIApp | None:
        """The route's answer to a browser that is not signed in, or whose member no role of
        which uses the form (``role_check``, given the route's ``path_params``); None for one
        that may send it."""
        token = Request(scope).cookies.get(session.cookie)
        if not token:
            return session.answer(scope, False)
        try:
            viewer = await run_in_threadpool(self._authenticate, self._ctx, token)
        except Unauthorized:
            return session.answer(scope, True)
        scope.setdefault("state", {})[session.state_key] = (token, viewer)
        if role_check is not None:
            try:
                await run_in_threadpool(role_check, self._ctx, viewer, path_params)
            except CeasefireError as exc:
                return self._respond(scope, exc)
        return None

    async def _check(self, scope: Scope, gate: Gate) -> None:
        token = bearer_token(Request(scope))  # a malformed header: Unauthorized
        if token is None:
            if gate is Gate.MEMBER:
                raise Unauthorized.worded(NEEDS_TOKEN)
            return
        token_key = hash(token)
        if self._limits.checked(token_key):
            return  # checked valid a moment ago: the route checks it again itself
        try:
            viewer = await run_in_threadpool(self._authenticate, self._ctx, token)
        except Unauthorized:
            self._limits.remember(token_key, valid=False)
            raise
        self._limits.remember(token_key, valid=True)
        # Created here if need be; every copy of the scope down the stack shares this dict.
        scope.setdefault("state", {})[PRE_AUTHENTICATED] = (token, viewer)
