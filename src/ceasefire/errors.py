"""The one error hierarchy of ceasefire, and the one table of error codes.

Domain and service code raise these; each interface (HTTP, CLI) turns them into a response
in exactly one place. Every error has a stable ``code`` naming its condition (one row of
:data:`ERRORS`, spaCy's ``errors.py`` is the model) and an HTTP-like ``status``. A raise
site that knows a more precise condition than its class says so with ``code=``: a ledger
that does not verify is ``E601``, not a generic server error.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Self

from ceasefire.i18n.labels import LABELS
from ceasefire.i18n.markers import N_


@dataclass(frozen=True)
class ErrorCode:
    """One condition: its code, the HTTP status it answers with, and what it means."""

    code: str
    status: int
    title: str
    meaning: str


ERRORS: dict[str, ErrorCode] = {
    e.code: e
    for e in (
        ErrorCode("E401", 401, N_("unauthorized"), "no valid API token, session or password"),
        ErrorCode("E403", 403, N_("forbidden"), "the caller's role may not do this"),
        ErrorCode("E404", 404, N_("not found"), "no such record, or none the caller may read"),
        ErrorCode("E405", 405, N_("method not allowed"), "the path exists, not with this method"),
        ErrorCode("E409", 409, N_("conflict"), "the record's state forbids it, or a retry differs"),
        ErrorCode("E413", 413, N_("payload too large"), "a body, file or field over its limit"),
        ErrorCode("E422", 422, N_("invalid input"), "validation failed; details name each field"),
        ErrorCode("E429", 429, N_("too many requests"), "a rate limit or sign-in lockout"),
        ErrorCode("E500", 500, N_("internal error"), "an unexpected failure; nothing is leaked"),
        ErrorCode(
            "E503",
            503,
            N_("service unavailable"),
            "the database cannot be written, or a peer is down",
        ),
        ErrorCode("E600", 500, N_("integrity error"), "stored data is inconsistent"),
        ErrorCode("E601", 500, N_("ledger does not verify"), "the chain, a signature or a root"),
        ErrorCode(
            "E602", 500, N_("key file unusable"), "the signing key file is unsafe or unreadable"
        ),
        ErrorCode(
            "E603", 500, N_("stored file altered"), "a stored file no longer matches its hash"
        ),
        ErrorCode(
            "E604", 500, N_("proof does not hold"), "an inclusion proof fails against its root"
        ),
        ErrorCode(
            "E605", 500, N_("invalid setting"), "a CEASEFIRE_* variable has a value it refuses"
        ),
        ErrorCode("E-NLP001", 500, N_("model missing"), "the spaCy model is not installed"),
        ErrorCode("E-NLP002", 422, N_("pipeline misordered"), "a component's requirement is unmet"),
        ErrorCode("E-NLP003", 422, N_("not an article"), "the input is data, not a page"),
    )
}


@dataclass(frozen=True)
class Wording:
    """An error's message as the catalogue holds it: a marked ``msgid`` and its parameters
    (ids, numbers, values the user typed: nothing to translate). The English message is
    ``msgid % params``; a page or the CLI shows ``msgid`` translated with the same
    parameters (the API keeps the English message)."""

    msgid: str
    params: tuple[tuple[str, str | Wording], ...] = ()
    """A parameter that is itself English to translate (a decision's reason) is given as its
    own :class:`Wording`, rendered in the same language before it is put in."""

    def render(self, translate: Any = None) -> str:
        text = translate(self.msgid) if translate is not None else self.msgid
        return str(text) % {
            k: v.render(translate) if isinstance(v, Wording) else v for k, v in self.params
        }


@dataclass(frozen=True)
class CodedWords(Wording):
    """Values of the domain as a parameter of a :class:`Wording` (the values a field
    allows, an event's type): their codes in the English (what the API and ``--json``
    answer, what a program sends back), their labels (``words``, marked msgids) where a page
    or the CLI shows it in the reader's language."""

    codes: tuple[str, ...] = ()
    words: tuple[str, ...] = ()

    def render(self, translate: Any = None) -> str:
        if translate is None:
            return ", ".join(self.codes)
        return ", ".join(str(translate(word)) for word in self.words)


def coded_words(kind: str, values: Iterable[object]) -> CodedWords:
    """``values`` of ``kind`` (the values a field allows, or one value) as a message names
    them: the codes in the English (the API's), each value's label where the message is
    shown (a value the table does not know: its code)."""
    codes = tuple(str(getattr(value, "value", value)) for value in values)
    words = tuple(LABELS[kind].get(code, code) for code in codes)
    return CodedWords(", ".join(codes), codes=codes, words=words)


def _label_kind(field: str, codes: Sequence[str]) -> str | None:
    """The label table that names every one of ``codes``: of several, the one named as the
    field is (``severity``), else one whose name ends with it (``alert_channel`` for an
    alert's ``channel``), else the one with the fewest other values; None where none does."""
    covering = [kind for kind, table in LABELS.items() if all(c in table for c in codes)]
    if not codes or not covering:
        return None
    return min(
        covering,
        key=lambda kind: (kind != field, not kind.endswith("_" + field), len(LABELS[kind])),
    )


def allowed_values(field: str, codes: Sequence[str]) -> CodedWords:
    """The values ``field`` allows as a message names them: their codes in the English,
    their labels where shown (the label table that names them all, see ``_label_kind``);
    values no table names keep their codes."""
    label_kind = _label_kind(field, codes)
    if label_kind is None:
        return CodedWords(", ".join(codes), codes=tuple(codes), words=tuple(codes))
    return coded_words(label_kind, codes)


_QUOTED = re.compile(r"'((?:[^'\\]|\\.)*)'")
_VALIDATION_WORDS: dict[str, tuple[str, str | None]] = {
    "missing": (N_("required"), None),
    "string_too_short": (N_("at least %(n)s characters"), "min_length"),
    "string_too_long": (N_("at most %(n)s characters"), "max_length"),
    "greater_than_equal": (N_("%(n)s or more"), "ge"),
    "less_than_equal": (N_("%(n)s or less"), "le"),
    "too_short": (N_("at least %(n)s needed"), "min_length"),
    "too_long": (N_("at most %(n)s allowed"), "max_length"),
    "int_parsing": (N_("not a whole number"), None),
    "int_type": (N_("not a whole number"), None),
    "int_from_float": (N_("not a whole number"), None),
    "float_parsing": (N_("not a number"), None),
    "float_type": (N_("not a number"), None),
    "bool_parsing": (N_("not yes or no"), None),
    "bool_type": (N_("not yes or no"), None),
    "string_type": (N_("not text"), None),
    "list_type": (N_("not a list"), None),
    "dict_type": (N_("not an object with named fields"), None),
    "model_attributes_type": (N_("not an object with named fields"), None),
    "model_type": (N_("not an object with named fields"), None),
    "datetime_parsing": (N_("not a date or time"), None),
    "datetime_from_date_parsing": (N_("not a date or time"), None),
    "datetime_type": (N_("not a date or time"), None),
    "date_parsing": (N_("not a date or time"), None),
    "date_from_datetime_parsing": (N_("not a date or time"), None),
    "date_type": (N_("not a date or time"), None),
    "extra_forbidden": (N_("not a field of this request"), None),
    "json_invalid": (N_("not readable JSON"), None),
}
"""Pydantic's errors (by ``type``) as a problem is worded, with the context value a
message takes as ``n``: the words the web forms show and the API answers alike."""


def validation_message(error: Mapping[str, Any]) -> str:
    """One of Pydantic's errors (``ValidationError.errors()``) as a ``details`` message: in
    words of the catalogue (``WordedText``: the English is what the API answers, a page shows
    it translated), a value outside an enumeration naming the values it allows by their
    labels (``one of warning, critical``: the codes in the English, the labels on a page);
    a kind of error not worded here as Pydantic words it."""
    kind = str(error.get("type", ""))
    context = error.get("ctx") or {}
    if kind in ("enum", "literal_error"):
        codes = _QUOTED.findall(str(context.get("expected", "")))
        loc = error.get("loc") or ()
        field = next((str(part) for part in reversed(loc) if isinstance(part, str)), "")
        return worded_text(N_("one of %(choices)s"), choices=allowed_values(field, codes))
    found = _VALIDATION_WORDS.get(kind)
    if found is None:
        return str(error.get("msg", "invalid"))
    msgid, number = found
    if number is None:
        return worded_text(msgid)
    if number not in context:
        return str(error.get("msg", "invalid"))
    bound = context[number]
    # 90.0 as Pydantic says it, 90 (a float bound that is a whole number).
    if isinstance(bound, float) and bound.is_integer():
        bound = int(bound)
    return worded_text(msgid, n=bound)


@dataclass(frozen=True)
class JoinedWords(Wording):
    """Messages of their own (the reasons of a list) as one parameter of a :class:`Wording`,
    joined by ``msgid`` (the separator, ``"; "``): each part that keeps its wording is shown
    in the language of the message it is put in, the others as they are."""

    parts: tuple[str | Wording, ...] = ()

    def render(self, translate: Any = None) -> str:
        return self.msgid.join(
            part.render(translate) if isinstance(part, Wording) else part for part in self.parts
        )


def joined_words(messages: Iterable[object], separator: str = "; ") -> JoinedWords:
    """``messages`` (:class:`WordedText` or plain text) as one parameter, joined by
    ``separator``: the English joins their English, a page or the CLI their translations."""
    return JoinedWords(separator, parts=tuple(_param(message) for message in messages))


def _param(value: object) -> str | Wording:
    """A parameter as a :class:`Wording` keeps it: a marked msgid of its own; else its text."""
    if isinstance(value, WordedText):
        return value.wording
    return value if isinstance(value, Wording) else str(value)


class WordedText(str):
    """The English of a :class:`Wording` that keeps its wording: a ``details`` entry's
    ``message`` (:func:`problem`). It is the English string wherever it goes (the API's
    JSON, ``--json``, a stored record, an equality in a test); a page's ``problem`` filter
    and the CLI's error lines find ``wording`` on it and show it in the reader's language."""

    wording: Wording

    def __new__(cls, wording: Wording) -> Self:
        text = super().__new__(cls, wording.render() if wording.params else wording.msgid)
        text.wording = wording
        return text

    def __getnewargs__(self) -> tuple[Wording]:  # type: ignore[override]
        return (self.wording,)

    def shown(self, translate: Any) -> str:
        """This message by ``translate`` (the reader's gettext)."""
        if not self.wording.params:
            return str(translate(self.wording.msgid))
        return self.wording.render(translate)


class CeasefireError(Exception):
    """Base class: a coded, user-facing error.

    A subclass names its ``code``; its ``status`` and ``title`` are that row of :data:`ERRORS`.
    """

    code = "E500"
    status = 500
    title = "internal error"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.status = ERRORS[cls.code].status
        cls.title = ERRORS[cls.code].title

    wording: Wording | None = None
    """The message by its catalogue msgid, where the raise site gave one (:meth:`worded`)."""

    def __init__(self, message: str, *, details: Any = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details
        if code is not None:
            if code not in ERRORS:
                raise ValueError(f"error code {code} is not in ceasefire.errors.ERRORS")
            self.code = code
            self.status = ERRORS[code].status
            self.title = ERRORS[code].title

    @classmethod
    def worded(
        cls, msgid: str, *, details: Any = None, code: str | None = None, **params: object
    ) -> Self:
        """The error whose message is ``msgid`` (marked ``N_``) with ``params``: the API
        answers the English wording, a page shows it in the reader's language."""
        wording = Wording(msgid, tuple((k, _param(v)) for k, v in params.items()))
        error = cls(wording.render(), details=details, code=code)
        error.wording = wording
        return error

    def to_dict(self) -> dict[str, Any]:
        """The JSON body both the API and ``--json`` CLI output use."""
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


class NotFound(CeasefireError):
    code = "E404"

    @classmethod
    def unknown(cls, msgid: str, key: object, *, field: str, reason: str) -> Self:
        """The refusal of an id the caller named: ``msgid`` (``"no post %(id)s"``, marked
        ``N_``) quoting ``key``, and one detail saying what ``field`` is (``reason``)."""
        return cls.worded(msgid, details=[problem(field, reason)], id=repr(key))


class Forbidden(CeasefireError):
    code = "E403"


class Unauthorized(CeasefireError):
    code = "E401"


class Conflict(CeasefireError):
    code = "E409"


class InvalidInput(CeasefireError):
    """Input that fails validation; ``details`` lists every problem with its location."""

    code = "E422"


class PayloadTooLarge(CeasefireError):
    code = "E413"


class Unavailable(CeasefireError):
    """A dependency cannot do its part now: the database cannot be written (read-only file,
    full disk), or a server a witness asks does not answer. Retrying later may help."""

    code = "E503"


class TooManyRequests(CeasefireError):
    """Refused for a while (e.g. too many failed sign-ins); ``retry_after_s`` says how long."""

    code = "E429"

    def __init__(
        self,
        message: str,
        *,
        retry_after_s: int | None = None,
        details: Any = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message, details=details, code=code)
        self.retry_after_s = retry_after_s

    def retrying_after(self, seconds: int) -> Self:
        """This refusal, saying ``seconds`` in ``Retry-After`` (for one made ``worded``)."""
        self.retry_after_s = seconds
        return self


class InvalidSetting(CeasefireError):
    """A setting's environment variable holds a value the setting refuses (``E605``): the
    server or command stops before it starts; the message names the variable."""

    code = "E605"


class IntegrityError(CeasefireError):
    """The stored record is inconsistent (e.g. the ledger does not verify: ``E601``)."""

    code = "E600"


def worded_text(msgid: str, **params: object) -> WordedText:
    """``msgid`` (marked ``N_``) with ``params``, as a message that is its English wherever it
    goes and shows translated where it is shown: a problem that reaches a ``details`` entry
    by way of a checker's list (an agreement file's, its compliance rules')."""
    return WordedText(Wording(msgid, tuple((k, _param(v)) for k, v in params.items())))


def problem(
    loc: str, message: str | Wording, *, extra: dict[str, Any] | None = None, **params: object
) -> dict[str, Any]:
    """One entry of an ``InvalidInput.details`` list: where, and what is wrong.

    ``message`` is a marked msgid (``N_("longer than %(n)s characters")``) with its
    ``params`` (ids, numbers, values the user gave: nothing to translate), as
    :meth:`CeasefireError.worded` takes them, or a :class:`Wording`: the entry's ``message``
    is the English (what the API answers) and carries its wording (:class:`WordedText`),
    which pages and the CLI show in the reader's language. ``extra``: more keys of the entry
    (a number the caller may act on, ``{"tree_size": 12}``)."""
    if isinstance(message, Wording) and not params:
        text: object = WordedText(message)
    elif not isinstance(message, str) or (isinstance(message, WordedText) and not params):
        text = message  # passed on as it was given
    else:
        text = worded_text(message, **params)
    return {"loc": loc, "message": text, **(extra or {})}


def id_taken(what: str, record_id: str) -> Conflict:
    """Adding ``what`` ``record_id`` again with other details: the id is taken (the same
    details again would have been a retry, answered with the stored record)."""
    msgid = _ID_TAKEN.get(what)
    if msgid is None:
        return Conflict.worded(
            N_("%(what)s %(record_id)s already exists with other details"),
            details=[problem("id", N_("taken"))],
            what=what,
            record_id=repr(record_id),
        )
    return Conflict.worded(msgid, details=[problem("id", N_("taken"))], id=repr(record_id))


_ID_TAKEN = {
    "member": N_("member %(id)s already exists with other details"),
    "post": N_("post %(id)s already exists with other details"),
    "sensor": N_("sensor %(id)s already exists with other details"),
}
""":func:`id_taken`'s message for each kind of record, as the catalogue holds it."""
