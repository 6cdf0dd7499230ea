"""What the forms of the alerts, publications and administration pages share: a form's
fields as the API's request schema, and the one way such a form ends.

A form runs the same service call as the API route; the service decides. A refusal that
names a field (invalid input, a conflict, an unknown record the form named) comes back
with the page, each field's problem beside it and the input kept; any other refusal
(403, or 404 for a record the viewer may not know of) is the error page. A change ends on
its page with links to the ledger entries it made (``?done=``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData

from ceasefire.access import Viewer
from ceasefire.api.deps import ContextDep
from ceasefire.db.context import ServiceContext
from ceasefire.errors import (
    CeasefireError,
    CodedWords,
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    WordedText,
    Wording,
    validation_message,
)
from ceasefire.i18n.markers import N_
from ceasefire.web import common
from ceasefire.web.session import SignedInViewer

M = TypeVar("M", bound=BaseModel)
R = TypeVar("R")
E = TypeVar("E", bound=Callable[..., Any])


def validated(model: type[M], data: dict[str, Any]) -> M:
    """``data`` (a form's fields, empty ones left out) as the API's request ``model``, or
    an ``InvalidInput`` naming each field's problem as the API's 422 does."""
    try:
        return model.model_validate({k: v for k, v in data.items() if v not in ("", None)})
    except ValidationError as exc:
        details = [
            {
                "loc": ".".join(str(part) for part in err["loc"]) or "body",
                "message": validation_message(err),
            }
            for err in exc.errors()
        ]
        names = ", ".join(d["loc"] for d in details)
        raise InvalidInput.worded(
            N_("invalid form: %(fields)s"), details=details, fields=names
        ) from None


def words(text: str) -> list[str]:
    """A text field listing values separated by commas or spaces."""
    return [part for part in text.replace(",", " ").split() if part]


def refusal_of_form(exc: CeasefireError) -> bool:
    """Whether a service's refusal is about the form's input (shown beside the fields)
    rather than about who asks (the error page)."""
    if isinstance(exc, InvalidInput | Conflict):
        return True
    return isinstance(exc, NotFound | Forbidden) and bool(exc.details)


@dataclass(frozen=True)
class FormLabels:
    """One form's fields by name, each with the label the form shows (a catalogue msgid):
    the one table its template reads the labels from and a refusal's problems are named by,
    so a reader is never shown the API's name of a field (``secret``, ``observed.end``).

    ``places``: the form's field of a problem the service or the request schema names by
    another place in the API's body (``expires_at`` is the form's ``expires_in_days``); a
    place such as ``kinds.0`` or ``evidence[0].ref`` is otherwise the field its first part
    names. ``field_of`` replaces that reading for a form whose body is shaped otherwise (the
    report form's positions and casualties)."""

    labels: Mapping[str, str]
    places: Mapping[str, str] = field(default_factory=dict)
    field_of: Callable[[str], str] | None = None

    def field_of_problem(self, loc: str) -> str:
        """The form's field for a problem at ``loc`` (``loc`` itself when none is)."""
        if self.field_of is not None:
            return self.field_of(loc)
        if loc in self.labels:
            return loc
        if loc in self.places:
            return self.places[loc]
        head = loc.partition(".")[0].partition("[")[0]
        if head in self.places:
            return self.places[head]
        return head if head in self.labels else loc

    def listed(self, details: Any) -> list[tuple[str, str | None, str]]:
        """Each problem of ``details`` as (the form's field, its label or ``None`` where the
        form has no such field, the message with its wording kept)."""
        found = []
        for item in details or []:
            if isinstance(item, dict) and item.get("loc"):
                name = self.field_of_problem(str(item["loc"]))
                found.append((name, self.labels.get(name), self._message(item)))
        return found

    def _message(self, item: dict[str, Any]) -> str:
        """A problem's message with the other fields it names (``before %(field)s``) named
        by their labels where the page shows it (:meth:`reworded`)."""
        message = item.get("message", "")
        if isinstance(message, WordedText):
            wording = self.reworded(message.wording)
            if wording is not None:
                return WordedText(wording)
        return common.detail_message(item)

    def named(self, details: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """``details`` (an error's problems), each whose place is one of the form's fields
        with that field's ``label`` (a msgid) added: the error page names it so."""
        named = []
        for item in details:
            label = self.labels.get(self.field_of_problem(str(item.get("loc") or "")))
            item = {**item, "message": self._message(item)}
            named.append({**item, "label": label} if label else item)
        return named

    def reworded(self, wording: Wording | None) -> Wording | None:
        """``wording`` with the fields it names by the API's names (its ``field``,
        ``field_name`` or ``fields`` parameter: ``invalid request: days``) named by their
        labels where the page shows it; the English (the API's) keeps the names."""
        if wording is None:
            return None
        params = []
        for key, value in wording.params:
            if key in _FIELD_PARAMS and isinstance(value, str):
                names = [name.strip() for name in value.split(",")]
                labels = [self.labels.get(self.field_of_problem(name)) for name in names]
                if all(labels):
                    value = CodedWords(value, codes=tuple(names), words=tuple(map(str, labels)))
            params.append((key, value))
        return Wording(wording.msgid, tuple(params))


def names_fields(error: CeasefireError | None) -> bool:
    """Whether ``error`` is an invalid input whose message is only the list of its fields by
    the API's names (``invalid form: secret``, ``invalid status change: evidence[0]``) or
    names its field by the API's name (``title is required``, ``due_at: not an ISO 8601
    date or time``: a ``field_name`` or ``field`` parameter that is one of its problems'
    fields): a form shows a heading that names none instead,
    above its problems by their labels; a refusal worded otherwise keeps its own sentence."""
    if not isinstance(error, InvalidInput):
        return False
    locs = [str(d["loc"]) for d in error.details or [] if isinstance(d, dict) and d.get("loc")]
    message = str(error.message)
    params = dict(error.wording.params) if error.wording is not None else {}
    return bool(locs) and (
        any(params.get(key) in locs for key in _ONE_FIELD_PARAMS)
        or any(
            message.endswith(f": {', '.join(names)}") for names in (locs, list(dict.fromkeys(locs)))
        )
    )


_FIELD_PARAMS = frozenset({"field", "field_name", "fields", "option"})
"""The parameters of an error's wording that name fields by the API's names."""
_ONE_FIELD_PARAMS = ("field", "field_name")
"""Those of them that name the one field a message is worded for."""


def unrestated(wording: Wording | None, details: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``details`` less the problems the error's message states already: a message worded
    for one field (its ``field`` or ``field_name`` parameter: ``until: not a date
    (YYYY-MM-DD): 'x'``) says that field's problem as fully as its ``details`` entry (``not
    a date (YYYY-MM-DD)``) or more, so the error page says it once (the API keeps both)."""
    params = dict(wording.params) if wording is not None else {}
    named = {value for key in _ONE_FIELD_PARAMS if isinstance(value := params.get(key), str)}
    return [item for item in details if str(item.get("loc") or "") not in named]


def labelled(labels: FormLabels) -> Callable[[E], E]:
    """Marks a page's route with the labels of the form that sends it its fields (a filter
    form's query, a form's body): the one error handler (``pages.render_error``) names a
    refused field by the label the reader saw (``Period``), not the API's name (``days``)."""

    def mark(endpoint: E) -> E:
        endpoint.form_labels = labels  # type: ignore[attr-defined]
        return endpoint

    return mark


def labels_of(request: Request | None) -> FormLabels | None:
    """The labels of the form whose route ``request`` reached (``labelled``), if any."""
    endpoint = request.scope.get("endpoint") if request is not None else None
    labels = getattr(endpoint, "form_labels", None)
    return labels if isinstance(labels, FormLabels) else None


NO_LABELS = FormLabels({})
"""A form that names no field of its own (a button): its problems by their message only."""


def problems_shown(error: CeasefireError | None, labels: FormLabels | None) -> dict[str, Any]:
    """What a form renders about a refusal (``error``): each problem beside its field
    (``problems``) and listed by the field's label (``problem_list``, under a heading that
    names no field when ``fields_listed``)."""
    listed = (labels or NO_LABELS).listed(error.details if error is not None else None)
    beside: dict[str, str] = {}
    for name, _label, message in listed:
        beside.setdefault(name, message)
    return {
        "problems": beside,
        "problem_list": listed,
        "fields_listed": bool(listed)
        and all(label for _name, label, _message in listed)
        and names_fields(error),
    }


def shown(
    error: CeasefireError | None,
    done: list[int] | None = None,
    labels: FormLabels | None = None,
) -> dict[str, Any]:
    """What every form page renders about the last form: the refusal (``error``) with its
    problems by the labels of ``labels`` (:func:`problems_shown`), and the ledger entries
    the last change made (``done``)."""
    return {"error": error, **problems_shown(error, labels), "done": done or []}


@dataclass(frozen=True)
class FormPost:
    """A form posted from one page: the request, the context and the viewer of the sign-in
    cookie; the page, shown again with a refusal (``show(request, ctx, viewer, error=...,
    **kept)``); and ``path``, where a change ends unless it says otherwise."""

    request: Request
    ctx: ServiceContext
    viewer: Viewer
    show: Callable[..., Response]
    path: str

    def submit(
        self,
        change: Callable[[], R],
        subject: Callable[[R], str],
        *,
        back: Callable[[R], str] | None = None,
        **kept: Any,
    ) -> Response:
        """Run ``change`` (a service call) for a signed-in viewer; on success go to
        ``back(result)`` (else the page's path) naming the ledger entries about
        ``subject(result)`` it made, on a refusal of the input show the page again with the
        error, its status and ``kept`` (the input, the form's name)."""
        if self.viewer.is_public:
            return common.sign_in_first(self.request)
        before = common.head_seq(self.ctx)
        try:
            result = change()
        except (InvalidInput, Conflict, NotFound, Forbidden) as exc:
            if not refusal_of_form(exc):
                raise
            response = self.show(self.request, self.ctx, self.viewer, error=exc, **kept)
            response.status_code = exc.status
            return response
        done = common.done_since(self.ctx, self.viewer, before, subject(result))
        target = back(result) if back is not None else self.path
        joiner = "&" if "?" in target else "?"
        return RedirectResponse(f"{target}{joiner}done={done}#done", status_code=303)


def posted_to(
    show: Callable[..., Response], path: str
) -> Callable[[Request, ServiceContext, Viewer], FormPost]:
    """The dependency of the forms posted from the page that ``show`` renders at ``path``
    (``Annotated[FormPost, Depends(posted_to(show, path))]``): their viewer signed in."""

    def form_post(request: Request, ctx: ContextDep, viewer: SignedInViewer) -> FormPost:
        return FormPost(request, ctx, viewer, show, path)

    return form_post


async def _posted(request: Request) -> FormData:
    # Read once, within the application's body limit: the CSRF check has parsed it already.
    return await request.form()


Posted = Annotated[FormData, Depends(_posted)]
"""A form route's parsed body (after ``AuthFirst`` and the CSRF check)."""


def fields(form: FormData, *names: str) -> dict[str, str]:
    """The form's text fields ``names`` (empty when not sent)."""
    return {name: value if isinstance(value := form.get(name), str) else "" for name in names}


def choices(form: FormData, name: str) -> list[str]:
    """Every non-empty value of a multiple-choice field (ticked boxes)."""
    return [value for value in form.getlist(name) if isinstance(value, str) and value]


def text(value: str | None) -> str:
    """A form field's text, stripped."""
    return (value or "").strip()


def stripped(values: dict[str, str]) -> dict[str, str]:
    """A form's text fields, each stripped (an empty one is left out by ``validated``)."""
    return {name: text(value) for name, value in values.items()}


def instants(values: dict[str, str]) -> dict[str, datetime | None]:
    """A form's date or time fields as instants (a bare date: 00:00 UTC that day), each
    refused by its own name when it is not one."""
    return {name: common.instant(value, name) for name, value in values.items()}
