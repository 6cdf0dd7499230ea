"""What the pages of the web application share: sign-in redirects, the ledger entries a form
made, query-string filters and the label tables the pages name (``i18n.labels``).

The pages call the same services as the API with the viewer of the sign-in cookie; nothing
here decides who may read or do what (the services do, once for every interface).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from functools import partial
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse
from starlette.types import ASGIApp, Scope

from ceasefire.access import Classification, Role, Viewer
from ceasefire.agreements import service as agreement_service
from ceasefire.api.deps import ContextDep
from ceasefire.db.context import ServiceContext
from ceasefire.errors import Forbidden, InvalidInput, WordedText, Wording, allowed_values, problem
from ceasefire.i18n.labels import LABELS as LABELS
from ceasefire.i18n.markers import N_
from ceasefire.i18n.readback import Readback
from ceasefire.incidents import service as incident_service
from ceasefire.incidents.model import DECISION_REASONS as DECISION_REASONS
from ceasefire.incidents.model import incident_title as incident_title
from ceasefire.ledger import service as ledger_service
from ceasefire.members import service as member_service
from ceasefire.members.scope import ReadScope
from ceasefire.reports import service as report_service
from ceasefire.reports.model import Category, Channel
from ceasefire.timeutil import parse_instant
from ceasefire.web.csrf import CsrfChecked
from ceasefire.web.session import SignedInViewer, clear_session_cookie

# The pages' names for the label table's kinds they use in Python (``i18n.labels``: one
# table with the published reports and the CLI).
STATUS_LABELS = LABELS["status"]
CHANNEL_LABELS = LABELS["channel"]
CATEGORY_LABELS = LABELS["category"]
PRECISION_LABELS = LABELS["precision"]
DECISION_LABELS = LABELS["decision"]
PROVISION_STATUS_LABELS = LABELS["provision_status"]


PROBLEM_MESSAGES: Readback[str] = Readback(
    [
        (r"invalid form: (?P<fields>.+)", N_("invalid form: %(fields)s")),
        (r"invalid report: (?P<fields>.+)", N_("invalid report: %(fields)s")),
        (r"invalid request: (?P<fields>.+)", N_("invalid request: %(fields)s")),
        (r"Field required|required", N_("required")),
        (r"String should have at least (?P<n>\d+) characters?", N_("at least %(n)s characters")),
        (r"String should have at most (?P<n>\d+) characters?", N_("at most %(n)s characters")),
        (r"Input should be greater than or equal to (?P<n>\S+)", N_("%(n)s or more")),
        (r"Input should be less than or equal to (?P<n>\S+)", N_("%(n)s or less")),
        (
            r"List should have at least (?P<n>\d+) items? after validation, not \d+",
            N_("at least %(n)s needed"),
        ),
        (r"Input should be a valid integer.*", N_("not a whole number")),
        (r"Input should be a valid number.*", N_("not a number")),
        (r"Input should be a valid boolean.*", N_("not yes or no")),
        (r"Input should be (?P<choices>'.+)", N_("one of %(choices)s")),
        (r"not an ISO 8601 date or time: (?P<value>.+)", N_("not a date or time: %(value)s")),
        (r"not ISO 8601: (?P<value>.+)", N_("not a date or time: %(value)s")),
        (r"unknown value (?P<value>.+)", N_("unknown value %(value)s")),
    ]
    + [
        (re.escape(word), msgid)
        for word, msgid in [
            ("empty", N_("empty")),
            ("missing", N_("missing")),
            ("taken", N_("taken")),
            ("before start", N_("before the start")),
            ("required with the other", N_("required with the other")),
            ("omit when abstaining", N_("leave empty when abstaining")),
            ("the incident's last report", N_("the incident's last report")),
        ]
    ]
)
"""The forms' and query parameters' problems as the services and the request schemas word
them (in English), and the catalogue's message for each: a page shows them translated
(``problem`` filter); a message not listed is shown as worded. The last ones are the short
words a ``details`` entry gives as its ``message`` (``errors.problem``), matched whole."""


def problem_text(
    message: object,
    translate: Any,
    patterns: Readback[str] = PROBLEM_MESSAGES,
) -> str:
    """``message`` in the reader's language (``translate`` is the page's gettext), where one
    of ``patterns`` words it; else as worded. A ``details`` message that carries its
    catalogue wording (``errors.problem``) is shown by it."""
    if isinstance(message, WordedText):
        shown = message.shown(translate)
        if shown != message:
            return shown
    text = str(message)
    found = patterns.read(text)
    return str(translate(found.said)) % found.params if found is not None else text


def error_text(error: object, translate: Any) -> str:
    """A refusal's message (a :class:`CeasefireError`, its :class:`Wording` or its text) in
    the reader's language: by its catalogue msgid where the raise site gave one
    (``CeasefireError.worded``), else as :func:`problem_text` finds it."""
    wording = error if isinstance(error, Wording) else getattr(error, "wording", None)
    if isinstance(wording, Wording):
        return wording.render(translate)
    return problem_text(getattr(error, "message", error), translate)


def agreement_ids(ctx: ServiceContext) -> list[str]:
    """The ids of the agreements (public), for a form's choice of agreement."""
    return [a.id for a in agreement_service.list_agreements(ctx)]


def monitors(ctx: ServiceContext, viewer: Viewer, agreement_id: str | None) -> bool:
    """Whether ``viewer`` acts as a monitor for records of ``agreement_id`` (an operator, or
    a member whose role in that agreement is monitor): who is *shown* the monitors' forms.
    The services decide again when the form is posted."""
    if viewer.operator:
        return True
    if viewer.is_public:
        return False
    if agreement_id is None:
        return viewer.role is Role.MONITOR
    return member_service.viewer_in_agreement(ctx, viewer, agreement_id).role is Role.MONITOR


def sign_in_first(request: Request) -> RedirectResponse:
    """Send the public to the sign-in form, coming back to this page afterwards."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)


def sign_in_first_app(scope: Scope, stale: bool) -> ASGIApp:
    """``sign_in_first`` as ``AuthFirst`` answers before the body: the route's own answer to
    the public, dropping a ``stale`` sign-in cookie as ``SessionCookieHeaders`` would."""
    request = Request(scope)
    response = sign_in_first(request)
    if stale:
        clear_session_cookie(response, request)
    return response


def head_seq(ctx: ServiceContext) -> int:
    """The ledger's last sequence number (what a form's entries come after)."""
    return ledger_service.head(ctx).seq


def entries_since(ctx: ServiceContext, viewer: Viewer, after: int, subject: str) -> list[int]:
    """The ledger entries about ``subject`` recorded after ``after``: what a form just did."""
    return [
        entry.seq
        for entry in ledger_service.list_entries(ctx, viewer, after=after, subject=subject)
        if entry.member_id == (viewer.member_id or entry.member_id)
    ]


def done_since(ctx: ServiceContext, viewer: Viewer, after: int, subject: str) -> str:
    """:func:`entries_since` as the ``done`` query value of the page a form goes back to."""
    return ",".join(str(seq) for seq in entries_since(ctx, viewer, after, subject))


def whole_number(text: str, *, digits: int = 18) -> int | None:
    """``text`` (from a query string or a form) as a whole number when it is 1 to ``digits``
    ASCII digits, else ``None``. ``str.isdigit`` also takes "²", which ``int`` refuses, and
    ``int`` refuses over 4,300 digits: either made the page a 500."""
    if text.isascii() and text.isdigit() and len(text) <= digits:
        return int(text)
    return None


def whole_numbers(texts: Iterable[str]) -> list[int]:
    """The :func:`whole_number` among ``texts``, in order (the others left out)."""
    return [n for n in map(whole_number, texts) if n is not None]


def done_entries(done: str | None) -> list[int]:
    """The ledger entries named by a page's ``done`` query value (20 at the most)."""
    return whole_numbers((done or "").split(","))[:20]


def entries_about(ctx: ServiceContext, viewer: Viewer, subject: str) -> list[Any]:
    """Every ledger entry about ``subject`` (members read the ledger; the public gets none)."""
    if viewer.is_public:
        return []
    return ledger_service.list_entries(ctx, viewer, subject=subject, limit=ledger_service.MAX_PAGE)


def optional(value: str | None) -> str | None:
    """A form or query value, ``None`` when empty."""
    if value is None:
        return None
    value = value.strip()
    return value or None


def instant(value: str | None, field: str, *, end_of_day: bool = False) -> datetime | None:
    """A date (``2020-11-26``) or an instant from a query string; a date that ends a range
    means the end of that day."""
    text = optional(value)
    if text is None:
        return None
    moment = parse_instant(text, field=field)
    if end_of_day and len(text) == 10:
        moment += timedelta(days=1) - timedelta(microseconds=1)
    return moment


def bbox(text: str | None) -> tuple[float, float, float, float] | None:
    """``min_lon,min_lat,max_lon,max_lat`` as the map's area picker writes it."""
    return incident_service.parse_bbox(optional(text))


_FORM_ROLES: dict[Any, frozenset[Role]] = {}
"""The roles each ``form_of`` check asks for, by the dependency it made."""


def form_of(*roles: Role) -> list[Any]:
    """A form route's ``dependencies``: who may use the form, then the CSRF check (which
    reads the body). A member holding none of ``roles`` (an observer's incident form, a
    liaison's provision status), or any member where ``roles`` is empty (an operator's
    form), is refused 403 on the session and the path alone: by ``AuthFirst`` before the
    body is read (``form_check``, FastAPI parses a route's ``Form()`` fields before its
    dependencies), and by this dependency where no body came. The roles are asked in the
    agreement of the incident the path names, where the member reads that incident (a
    monitor of one agreement posting to another's incident); elsewhere (no incident in the
    path, or one the member does not read, which the service answers as absent) in any
    agreement now. Operators pass. Which record, and what of it, stays the service's
    check; the public is sent to sign in. The one such check of the web's forms
    (docs/security.md, "The twentieth audit" and "The twenty-first audit")."""
    wanted = frozenset(roles)

    async def may_use(request: Request, ctx: ContextDep, viewer: SignedInViewer) -> None:
        if not viewer.is_public:
            await run_in_threadpool(check_form_roles, ctx, viewer, request.path_params, wanted)

    _FORM_ROLES[may_use] = wanted
    return [Depends(may_use), *CsrfChecked]


def form_check(
    calls: frozenset[Any],
) -> Callable[[ServiceContext, Viewer, Mapping[str, Any]], None] | None:
    """``AuthFirst``'s ``SessionGate.role_check``: the ``form_of`` check among a route's
    dependencies ``calls``, if any."""
    for call in calls:
        if call in _FORM_ROLES:
            return partial(check_form_roles, wanted=_FORM_ROLES[call])
    return None


def check_form_roles(
    ctx: ServiceContext, viewer: Viewer, path_params: Mapping[str, Any], wanted: frozenset[Role]
) -> None:
    """``Forbidden`` unless ``viewer`` is an operator or its member holds one of ``wanted``
    now: in the agreement of the incident ``path_params`` names, where the member reads it;
    else in any agreement."""
    if viewer.operator or viewer.is_public:
        return
    incident_id = path_params.get("incident_id")
    with ctx.reader() as session:
        scope = ReadScope.load(session, viewer)
        agreement = (
            incident_service.readable_agreement(session, scope, str(incident_id))
            if incident_id is not None
            else None
        )
    held = {r.role for r in scope.roles if agreement is None or r.agreement_id == agreement}
    if not wanted & held:
        raise Forbidden.worded(N_("your role does not use this form"))


def filing_channels(viewer: Viewer) -> list[str]:
    """The channels ``viewer`` may file a report through on the report form: a party
    liaison's complaint, a monitor's or operator's observations; none for an observer or
    the public. The form and the pages' "File a report" link both ask this."""
    if viewer.role is Role.PARTY_LIAISON:
        return [Channel.PARTY_COMPLAINT.value]
    if viewer.operator or viewer.role is Role.MONITOR:
        return [
            c.value
            for c in Channel
            if c in report_service.MONITOR_CHANNELS and c != Channel.CSV_IMPORT
        ]
    return []


def filing_classifications(viewer: Viewer) -> list[str]:
    """The classifications the report form offers ``viewer``: not ``public`` to a party
    liaison, whose complaint the monitors decide whether to publish
    (``reports.service.check_may_file``)."""
    return [
        c.value
        for c in Classification
        if not (viewer.role is Role.PARTY_LIAISON and c is Classification.PUBLIC)
    ]


def may_file(viewer: Viewer) -> bool:
    """Whether ``viewer`` may file a report on the form (the link to it is shown)."""
    return bool(filing_channels(viewer))


def enum_value(enum: Any, value: str | None, field: str) -> Any:
    """A query value as a member of ``enum`` (``None`` when empty), else a clear error."""
    text = optional(value)
    if text is None:
        return None
    try:
        return enum(text)
    except ValueError:
        # The values it allows by their labels on the page (their codes in the API's English).
        message = N_("unknown value %(value)s; expected one of: %(choices)s")
        choices = allowed_values(field, [str(member.value) for member in enum])
        raise InvalidInput.worded(
            message,
            details=[problem(field, message, value=repr(text), choices=choices)],
            value=repr(text),
            choices=choices,
        ) from None


def required_value(enum: Any, value: str | None, field: str) -> Any:
    """:func:`enum_value` for a form field that must be chosen."""
    chosen = enum_value(enum, value, field)
    if chosen is None:
        raise InvalidInput.worded(_CHOOSE[field], details=[problem(field, N_("required"))])
    return chosen


_CHOOSE = {
    "classification": N_("choose a classification"),
    "dataset": N_("choose a dataset"),
    "edition": N_("choose an edition"),
    "format": N_("choose a format"),
    "period": N_("choose a period"),
    "stance": N_("choose a stance"),
    "status": N_("choose a status"),
}
""":func:`required_value`'s refusal for each form field that must be chosen (a whole msgid:
the field's name is an English word)."""


def classification(value: str | None) -> Classification:
    """A form's classification field; internal unless another is chosen."""
    chosen: Classification | None = enum_value(Classification, value, "classification")
    return chosen or Classification.INTERNAL


def shared_filters(query: dict[str, str]) -> dict[str, Any]:
    """The filters the incident and report lists share, read from their query string: the
    period (an end date counts to its last second), the box, category, channel, party and
    classification; a value that is not one is refused by its own name."""
    return {
        "start": instant(query["start"], "start"),
        "end": instant(query["end"], "end", end_of_day=True),
        "bbox": bbox(query["bbox"]),
        "category": enum_value(Category, query["category"], "category"),
        "channel": enum_value(Channel, query["channel"], "channel"),
        "party": optional(query["party"]),
        "classification": enum_value(Classification, query["classification"], "classification"),
    }


def page_link(path: str, query: Iterable[tuple[str, str]], **changes: str | None) -> str:
    """``path`` with the same query, some parameters changed (``None`` drops one)."""
    kept = [(k, v) for k, v in query if k not in changes and v != ""]
    kept += [(k, v) for k, v in changes.items() if v is not None]
    return path + (f"?{urlencode(kept)}" if kept else "")


def list_links(
    path: str, request: Request, next_cursor: str | None, cursor: str | None
) -> tuple[str | None, str | None]:
    """A list page's links to its next page (when there is one) and, past the first page,
    back to the first, keeping the filters of the query string."""
    query = request.query_params.multi_items()
    next_link = page_link(path, query, cursor=next_cursor) if next_cursor else None
    first_link = page_link(path, query, cursor=None) if cursor else None
    return next_link, first_link


LIST_FILTER_LABELS = {
    "start": N_("From"),
    "end": N_("To"),
    "bbox": N_("Area (west, south, east, north in degrees)"),
    "category": N_("Category"),
    "status": N_("Status"),
    "attribution": N_("Attribution"),
    "party": N_("Party"),
    "channel": N_("Channel"),
    "classification": N_("Classification"),
}
"""The report and incident lists' filters by the labels their forms show."""


def detail_message(item: dict[str, Any]) -> str:
    """A ``details`` entry's message as given: a worded one (``errors.WordedText``) keeps
    the wording the ``problem`` filter shows in the reader's language, which ``str()``
    would drop."""
    message = item.get("message", "")
    return message if isinstance(message, str) else str(message)


def origin_of(request: Request) -> str:
    """This site's origin as the request reached it (``scheme://host:port``, lower case)."""
    return f"{request.url.scheme}://{request.url.netloc}".lower()


def local_path(candidate: str | None) -> str:
    """``candidate`` where it is a path on this site, else ``/``: "//evil.example" or
    "https://..." would be an open redirect."""
    if not candidate or not candidate.startswith("/") or candidate.startswith(("//", "/\\")):
        return "/"
    return candidate


def referring_page(request: Request | None) -> str:
    """The page of this site the browser came from (its ``Referer``: path and query), or
    ``/`` where it names none, another site, or an address that is not a page of ours: the
    error page's way back to the form the reader filled in, never an open redirect."""
    referer = request.headers.get("referer") if request is not None else None
    if request is None or not referer:
        return "/"
    parts = urlsplit(referer)
    if f"{parts.scheme}://{parts.netloc}".lower() != origin_of(request):
        return "/"
    path = local_path(parts.path)
    if path == "/" or path.startswith("/api/"):
        return "/"
    return f"{path}?{parts.query}" if parts.query else path
