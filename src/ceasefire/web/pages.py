"""HTML pages. They read through the same services (and access rule) as the API."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from ceasefire.access import Viewer
from ceasefire.api.deps import ContextDep
from ceasefire.timeutil import parse_instant
from ceasefire.web.dashboard import build_dashboard
from ceasefire.web.session import WebViewer

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"

router = APIRouter(include_in_schema=False)


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["day"] = lambda value: value.strftime("%d %b %Y") if value else ""
    return env


_ENV = _environment()


def render(template: str, **context: Any) -> HTMLResponse:
    return HTMLResponse(_ENV.get_template(template).render(**context))


@router.get("/", response_class=HTMLResponse)
def dashboard(
    request: Request,
    ctx: ContextDep,
    viewer: WebViewer,
    as_of: Annotated[
        str | None, Query(description="Show the record as of this date or instant (ISO 8601)")
    ] = None,
) -> HTMLResponse:
    """The dashboard: agreement status, map of zones, posts and incidents, timeline, ledger."""
    moment: datetime | None = parse_instant(as_of, field="as_of") if as_of else None
    board = build_dashboard(ctx, viewer, as_of=moment)
    return render("dashboard.html", board=board, viewer=viewer)


def render_error(
    status: int, code: str, title: str, message: str, details: Any = None
) -> HTMLResponse:
    """The HTML page of an error, for a browser (the API answers the same error in JSON)."""
    listed = [d for d in details if isinstance(d, dict)] if isinstance(details, list) else []
    response = render(
        "error.html",
        status=status,
        code=code,
        title=title,
        message=message,
        details=listed,
        viewer=Viewer.public(),
    )
    response.status_code = status
    return response
