"""HTML pages. They read through the same services (and access rule) as the API."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Protocol
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment
from markupsafe import Markup, escape
from starlette.types import Scope

from ceasefire import i18n
from ceasefire.access import Viewer
from ceasefire.api.deps import ContextDep
from ceasefire.compliance.model import translated_reason
from ceasefire.errors import InvalidInput, Wording
from ceasefire.i18n import labels
from ceasefire.i18n.markers import N_
from ceasefire.i18n.templates import template_environment
from ceasefire.ids import replace_record_ids
from ceasefire.timeutil import parse_instant
from ceasefire.web import common, csrf, forms, fusion_words
from ceasefire.web.common import (
    DECISION_REASONS,
    PROVISION_STATUS_LABELS,
    error_text,
    problem_text,
)
from ceasefire.web.dashboard import build_dashboard
from ceasefire.web.session import WebViewer

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"

router = APIRouter(include_in_schema=False)


@cache
def static_url(name: str) -> str:
    """The URL of the web area's static file ``name``, with its content's hash as ``?v=``:
    the browser may keep it a year (:class:`WebStaticFiles`), and a changed file is a new URL.
    Read once per process (the files change only with the package)."""
    digest = hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:12]
    return f"/static/web/{name}?v={digest}"


class WebStaticFiles(StaticFiles):
    """``/static/web``: a request naming a version (``static_url``) is cached for a year
    without asking again; one without (an old page, a hand-typed URL) is revalidated."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code in (200, 304):
            versioned = b"v=" in scope.get("query_string", b"")
            response.headers["Cache-Control"] = (
                "public, max-age=31536000, immutable" if versioned else "no-cache"
            )
        return response


LANGUAGE_COOKIE = "lang"


@cache
def environment(lang: str) -> Environment:
    """The templates, with ``_``/``ngettext`` translating into ``lang`` (one per language)."""
    env = template_environment(TEMPLATES, lang)
    env.filters["day"] = lambda value: i18n.format_day(value, lang)
    env.filters["instant"] = lambda value, tz=None: i18n.format_instant(value, lang, tz=tz)
    # A stored record's instant kept as ISO text (a report's ``observed``), for ``when``.
    env.filters["as_instant"] = lambda value: (
        parse_instant(value) if isinstance(value, str) and value else value
    )
    env.filters["label"] = lambda value, kind: labels.label(
        kind, value, lambda msgid: i18n.gettext(lang, msgid)
    )
    env.filters["source_reason"] = lambda reason: labels.source_reason(
        str(reason), lambda msgid: i18n.gettext(lang, msgid)
    )
    env.filters["record_links"] = record_links
    # Fusion's English titles in the reader's language (English pages show them as stored).
    env.filters["incident_title"] = lambda title: (
        title
        if lang == "en" or not isinstance(title, str)
        else common.incident_title(
            title, lambda msgid: i18n.gettext(lang, msgid), env.filters["day"]
        )
    )
    env.filters["feature_words"] = lambda feature: fusion_words.feature_words(
        feature, lang, lambda msgid: i18n.gettext(lang, msgid)
    )
    env.filters["problem"] = lambda message: problem_text(
        message, lambda msgid: i18n.gettext(lang, msgid)
    )
    env.filters["decision_reason"] = lambda message: problem_text(
        message, lambda msgid: i18n.gettext(lang, msgid), DECISION_REASONS
    )
    env.filters["error_text"] = lambda error: error_text(
        error, lambda msgid: i18n.gettext(lang, msgid)
    )
    env.filters["finding_reason"] = lambda reason: translated_reason(
        str(reason), lambda msgid: i18n.gettext(lang, msgid)
    )
    env.globals["static"] = static_url
    env.globals["languages"] = i18n.LANGUAGE_NAMES
    env.globals["may_file"] = common.may_file
    # A form that makes a record carries a fresh key: its resubmission (a reload, a second
    # click) is answered with the record the first submission made.
    env.globals["new_request_key"] = lambda: uuid.uuid4().hex
    return env


_RECORD_PAGES = {"rep": "/reports/", "inc": "/incidents/"}


def record_links(text: str | None) -> Markup:
    """A member's free text (a note, a reply, a rationale), escaped, with each report or
    incident it names by id linked to its page. The services have already replaced the ids
    of records the reader may not read (``reports.service.unreadable_ids``), so every link
    is to a page the reader may open."""

    def link(kind: str, found: str) -> str:
        page = _RECORD_PAGES.get(kind)
        return f'<a href="{page}{found}">{found}</a>' if page else found

    # Escaped first; an id is letters, a hyphen and hex digits, so the links add no markup
    # of the text's own.
    return Markup(replace_record_ids(str(escape(text or "")), link))  # noqa: S704


def language_of(request: Request | None) -> str:
    """The page's language: ``?lang=``, else the ``lang`` cookie, else Accept-Language (a
    language the centre does not speak is as if not asked for)."""
    if request is None:
        return i18n.DEFAULT_LANGUAGE
    asked = request.query_params.get("lang")
    chosen = asked if asked in i18n.LANGUAGES else request.cookies.get(LANGUAGE_COOKIE)
    return i18n.negotiate(request.headers.get("accept-language"), preferred=chosen)


TIME_ZONE_COOKIE = "tz"


def time_zone_of(request: Request | None) -> str:
    """The reader's time zone (the ``tz`` cookie a user chose; UTC by default)."""
    chosen = request.cookies.get(TIME_ZONE_COOKIE) if request is not None else None
    return chosen if chosen in TIME_ZONES else "UTC"


TIME_ZONES = ("UTC", "Asia/Baku", "Asia/Yerevan", "Europe/Moscow", "Europe/Istanbul")
"""The zones a reader may choose: UTC and those of the demo's members and region."""


def render(template: str, *, request: Request | None = None, **context: Any) -> HTMLResponse:
    """A page in the language :func:`language_of` the request asks for, with the reader's
    time zone, the session's CSRF token for its forms and the path for the language links."""
    lang = language_of(request)
    context.setdefault("tz", time_zone_of(request))
    context.setdefault("time_zones", TIME_ZONES)
    context.setdefault("csrf_token", csrf.token_of(request) if request is not None else None)
    context.setdefault("here", _here(request))
    response = HTMLResponse(environment(lang).get_template(template).render(**context))
    response.headers["Content-Language"] = lang
    if request is not None:
        keep_asked_language(request, response)
    return response


def keep_asked_language(request: Request, response: Response) -> None:
    """A page opened with ``?lang=`` keeps that language for what follows (its forms' answers,
    the pages they lead to): the ``lang`` cookie is set as the public's language links set it
    (``GET /preferences``: this browser only, no user record is written by a GET)."""
    asked = request.query_params.get("lang")
    if asked in i18n.LANGUAGES and asked != request.cookies.get(LANGUAGE_COOKIE):
        set_preference_cookies(request, response, asked, None)


LIST_PAGE_SIZE = 25
ListLimit = Annotated[int, Query(ge=1, le=200)]
"""The ``limit`` query parameter of a :func:`filtered_list` page (default ``LIST_PAGE_SIZE``)."""


class ListPage(Protocol):
    """A page of a list use case: its items and the cursor of the next page."""

    @property
    def items(self) -> Sequence[Any]: ...

    @property
    def next_cursor(self) -> str | None: ...


def filtered_list(
    template: str,
    *,
    request: Request,
    viewer: Viewer,
    filters: Sequence[str],
    cursor: str | None,
    load: Callable[[dict[str, str]], ListPage],
    **context: Any,
) -> HTMLResponse:
    """A list page filtered by its query string (shareable as a URL): ``load`` reads the
    ``filters`` (every one present, empty when not given) and calls the list use case; an
    invalid filter shows the list empty with the refusal (and its status)."""
    query = {name: request.query_params.get(name, "") for name in filters}
    error: InvalidInput | None = None
    page = None
    try:
        page = load(query)
    except InvalidInput as exc:
        error = exc
        labels = forms.labels_of(request)
        if labels is not None:  # the filter named by its label, as the error page does
            error.wording = labels.reworded(error.wording)
    next_link, first_link = common.list_links(
        request.url.path, request, page.next_cursor if page is not None else None, cursor
    )
    response = render(
        template,
        request=request,
        viewer=viewer,
        items=page.items if page is not None else [],
        query=query,
        error=error,
        next_link=next_link,
        first_link=first_link,
        **context,
    )
    if error is not None:
        response.status_code = error.status
    return response


def _here(request: Request | None) -> str:
    if request is None:
        return "/"
    query = "&".join(
        f"{k}={quote(v)}" for k, v in request.query_params.multi_items() if k != "lang"
    )
    return request.url.path + (f"?{query}" if query else "")


@router.get("/favicon.ico")
def favicon() -> Response:
    """The site's icon where a browser looks for it unasked (a JSON answer, the API docs);
    the pages name ``static/favicon.svg`` themselves. Without it every visit logged a 404."""
    return Response(
        (STATIC / "favicon.svg").read_bytes(),
        media_type="image/svg+xml",
        headers={"Cache-Control": "public, max-age=86400"},
    )


@router.get("/", response_class=HTMLResponse)
@forms.labelled(forms.FormLabels({"as_of": N_("Record as of")}))
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
    return render(
        "dashboard.html",
        request=request,
        board=board,
        viewer=viewer,
        status_labels=PROVISION_STATUS_LABELS,
    )


def render_error(
    status: int,
    code: str,
    title: str,
    message: str,
    details: Any = None,
    *,
    request: Request | None = None,
    wording: Wording | None = None,
) -> HTMLResponse:
    """The HTML page of an error, for a browser (the API answers the same error in JSON);
    on a form's route (``forms.labelled``) the fields it names by the form's labels; each
    field's problem once (a message worded for one field is not followed by its ``details``
    entry, ``forms.unrestated``)."""
    listed = [d for d in details if isinstance(d, dict)] if isinstance(details, list) else []
    listed = forms.unrestated(wording, listed)
    labels = forms.labels_of(request)
    if labels is not None:
        listed = labels.named(listed)
        wording = labels.reworded(wording)
    response = render(
        "error.html",
        request=request,
        status=status,
        code=code,
        title=title,
        message=message,
        wording=wording,
        details=listed,
        back=common.referring_page(request),
        viewer=Viewer.public(),
    )
    response.status_code = status
    return response


YEAR_S = 365 * 24 * 3600


def set_preference_cookies(
    request: Request, response: Response, lang: str | None, tz: str | None
) -> None:
    """The language and time zone cookies (those given), kept a year."""
    secure = request.url.scheme == "https"
    if lang is not None and lang in i18n.LANGUAGES:
        response.set_cookie(
            LANGUAGE_COOKIE, lang, max_age=YEAR_S, path="/", samesite="lax", secure=secure
        )
    if tz is not None and tz in TIME_ZONES:
        response.set_cookie(
            TIME_ZONE_COOKIE, tz, max_age=YEAR_S, path="/", samesite="lax", secure=secure
        )
