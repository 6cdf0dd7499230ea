"""What a route requires of its caller before its body is read is derived from its declared
dependencies (api/authfirst.py), so a new route is covered without being listed."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import APIRouter, Depends, FastAPI
from fastapi.routing import APIRoute

from ceasefire.api.authfirst import Gate, routing_table
from ceasefire.api.deps import BEARER_SECURITY, CurrentViewer, RequireMember, require_member
from ceasefire.web.session import SignedInViewer, WebViewer, get_signed_in_viewer


def _gates(app: FastAPI) -> dict[str, Gate]:
    return {
        route.path: gate
        for route, gate in routing_table(app.router.routes)
        if isinstance(route, APIRoute)
    }


def test_gates_follow_the_declared_dependencies() -> None:
    inner = APIRouter(prefix="/api/v1/new")

    @inner.post("/member")
    def member(viewer: RequireMember, body: dict[str, Any]) -> None: ...

    @inner.post("/viewer")
    def viewer(viewer: CurrentViewer, body: dict[str, Any]) -> None: ...

    @inner.post("/anyone")
    def anyone(body: dict[str, Any]) -> None: ...

    @inner.post("/reads-its-token", openapi_extra=BEARER_SECURITY)
    def reads_its_token(body: dict[str, Any]) -> None: ...

    guarded = APIRouter(prefix="/api/v1/guarded")

    @guarded.post("/all")
    def all_of_it(body: dict[str, Any]) -> None: ...

    outer = APIRouter()
    outer.include_router(inner)
    app = FastAPI()
    app.include_router(outer)
    app.include_router(guarded, dependencies=[Depends(require_member)])
    assert _gates(app) == {
        "/api/v1/new/member": Gate.MEMBER,
        "/api/v1/new/viewer": Gate.TOKEN_IF_PRESENT,
        "/api/v1/new/anyone": Gate.NONE,
        "/api/v1/new/reads-its-token": Gate.MEMBER,
        "/api/v1/guarded/all": Gate.MEMBER,
    }


def test_a_router_included_with_a_prefix_is_refused_rather_than_misplaced() -> None:
    router = APIRouter()

    @router.post("/x")
    def x(viewer: RequireMember) -> None: ...

    app = FastAPI()
    app.include_router(router, prefix="/api")
    with pytest.raises(RuntimeError, match="prefix"):
        routing_table(app.router.routes)


def test_the_signed_in_gate_follows_the_session_dependency_named() -> None:
    """A web form whose viewer is the session dependency the application names is gated
    ``SIGNED_IN``, also through a dependency of its own; the page reader's viewer is not."""
    forms = APIRouter()

    def _checked(viewer: SignedInViewer) -> None: ...

    @forms.post("/form")
    def form(viewer: SignedInViewer) -> None: ...

    @forms.post("/checked-form", dependencies=[Depends(_checked)])
    def checked_form() -> None: ...

    @forms.post("/preferences")
    def preferences(viewer: WebViewer) -> None: ...

    app = FastAPI()
    app.include_router(forms)
    table = routing_table(app.router.routes, frozenset({get_signed_in_viewer}))
    gates = {route.path: gate for route, gate in table if isinstance(route, APIRoute)}
    assert gates == {
        "/form": Gate.SIGNED_IN,
        "/checked-form": Gate.SIGNED_IN,
        "/preferences": Gate.NONE,
    }
    # Without the application naming it, no route has the gate.
    assert set(_gates(app).values()) == {Gate.NONE}
