"""Dependencies shared by the routes: the service context, and (later) the caller."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from ceasefire.services.context import ServiceContext


def get_ctx(request: Request) -> ServiceContext:
    ctx = request.app.state.ctx
    assert isinstance(ctx, ServiceContext)
    return ctx


ContextDep = Annotated[ServiceContext, Depends(get_ctx)]
