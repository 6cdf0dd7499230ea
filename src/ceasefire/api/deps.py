"""Dependencies shared by the routes: the service context and the caller.

``CurrentViewer`` is who is asking: the ``Viewer`` of the ``Authorization: Bearer <token>``
header, or ``Viewer.public()`` when there is no header. A malformed, unknown, expired or
revoked token is a 401 (never silently public: a client with a broken token should know).
``RequireMember`` is the same but refuses the public with a 401.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ceasefire.access import Viewer
from ceasefire.db.context import ServiceContext
from ceasefire.errors import Unauthorized
from ceasefire.i18n.markers import N_

# Declares the scheme in the OpenAPI document; parsing is done below so that a malformed
# header is a 401 rather than "no token".
_bearer = HTTPBearer(auto_error=False, description="An API token: `Bearer cft_...`")


NEEDS_TOKEN = N_("this needs an API token (Authorization: Bearer <token>)")
PRE_AUTHENTICATED = "ceasefire_authenticated"
"""The request state's ``(token, Viewer)`` that ``AuthFirst`` resolved before the body."""


Authenticate = Callable[[ServiceContext, str], Viewer]
"""Resolves an API token to its Viewer (or raises Unauthorized)."""


async def get_ctx(request: Request) -> ServiceContext:
    ctx = request.app.state.ctx
    assert isinstance(ctx, ServiceContext)
    return ctx


ContextDep = Annotated[ServiceContext, Depends(get_ctx)]


def get_viewer(
    request: Request,
    ctx: ContextDep,
    _credentials: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)] = None,
) -> Viewer:
    """The caller's Viewer; the token itself is never logged or echoed back."""
    token = bearer_token(request)
    if token is None:
        return Viewer.public()
    # Checked already, before the body was read (``ceasefire.api.authfirst``).
    found = getattr(request.state, PRE_AUTHENTICATED, None)
    if found is not None and found[0] == token:
        viewer: Viewer = found[1]
        return viewer
    # The members area's token check, set by the application factory (ceasefire.app).
    authenticate: Authenticate = request.app.state.authenticate
    return authenticate(ctx, token)


def bearer_token(request: Request) -> str | None:
    """The token of the ``Authorization: Bearer`` header; None without the header."""
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized.worded(N_("Authorization header must be 'Bearer <token>'"))
    return token


def required_token(request: Request) -> str:
    """The caller's API token, unchecked, or Unauthorized without one: for routes that hand
    it to a service which resolves it together with other work (report intake)."""
    token = bearer_token(request)
    if token is None:
        raise Unauthorized.worded(NEEDS_TOKEN)
    return token


# The per-route form of the bearer scheme, for routes that read the token themselves.
BEARER_SECURITY: dict[str, Any] = {"security": [{"HTTPBearer": []}]}


CurrentViewer = Annotated[Viewer, Depends(get_viewer)]


async def require_member(viewer: CurrentViewer) -> Viewer:
    """The caller's Viewer, which must be a signed-in member user (or operator)."""
    if viewer.is_public:
        raise Unauthorized.worded(NEEDS_TOKEN)
    return viewer


RequireMember = Annotated[Viewer, Depends(require_member)]
