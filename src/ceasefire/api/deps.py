"""Dependencies shared by the routes: the service context and the caller.

``CurrentViewer`` is who is asking: the ``Viewer`` of the ``Authorization: Bearer <token>``
header, or ``Viewer.public()`` when there is no header. A malformed, unknown, expired or
revoked token is a 401 (never silently public: a client with a broken token should know).
``RequireMember`` is the same but refuses the public with a 401.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ceasefire.domain.access import Viewer
from ceasefire.errors import Unauthorized
from ceasefire.services.auth import viewer_for_token
from ceasefire.services.context import ServiceContext

# Declares the scheme in the OpenAPI document; parsing is done below so that a malformed
# header is a 401 rather than "no token".
_bearer = HTTPBearer(auto_error=False, description="An API token: `Bearer cft_...`")


def get_ctx(request: Request) -> ServiceContext:
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
    header = request.headers.get("authorization")
    if header is None:
        return Viewer.public()
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("Authorization header must be 'Bearer <token>'")
    return viewer_for_token(ctx, token)


CurrentViewer = Annotated[Viewer, Depends(get_viewer)]


def require_member(viewer: CurrentViewer) -> Viewer:
    """The caller's Viewer, which must be a signed-in member user (or operator)."""
    if viewer.is_public:
        raise Unauthorized("this needs an API token (Authorization: Bearer <token>)")
    return viewer


RequireMember = Annotated[Viewer, Depends(require_member)]
