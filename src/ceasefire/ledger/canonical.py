"""RFC 8785 (JSON Canonicalization Scheme) bytes, through the maintained ``rfc8785`` package."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import rfc8785

from ceasefire.errors import InvalidInput, WordedText, problem
from ceasefire.i18n.markers import N_


def unreadable(msgid: str, field: str, exc: Exception, /, **params: object) -> InvalidInput:
    """The error of ``field``, which could not be read or written as it must be: ``msgid``
    (marked ``N_``, naming the reason as ``%(error)s``) with ``params``; its details entry
    gives ``exc``'s own words for ``field``, worded in the reader's language where ``exc``
    was raised with a catalogue's wording (``errors.worded_text``)."""
    said = exc.args[0] if len(exc.args) == 1 and isinstance(exc.args[0], WordedText) else None
    reason = said if said is not None else str(exc)
    return InvalidInput.worded(
        msgid, details=[problem(field, reason)], code=None, **params, error=reason
    )


def canonical_json(value: Any, *, field: str = "payload") -> bytes:
    """The RFC 8785 canonical UTF-8 bytes of ``value``; an unrepresentable value names ``field``.

    Datetimes are not JSON: callers pass ISO 8601 strings. Integers beyond 2**53 and
    non-finite floats are refused by RFC 8785 itself.

    Values made only of strings, safe integers, booleans, null, lists and objects with
    ASCII keys (every payload the services write but a few) are encoded by the C ``json``
    encoder, which writes the same bytes for them (see :func:`canonical_header_json`) at a
    tenth of the cost; anything else (floats above all) goes through ``rfc8785``.
    """
    if _plain_json(value, 0):
        try:
            return _HEADER_ENCODER.encode(value).encode("utf-8")
        except UnicodeEncodeError:
            pass  # a lone surrogate: rfc8785 refuses it below, naming it
    try:
        try:
            return bytes(rfc8785.dumps(value))
        except rfc8785.CanonicalizationError:
            # Mappings other than dict (and nested ones) are what rfc8785 does not take.
            return bytes(rfc8785.dumps(_plain(value)))
    except (rfc8785.CanonicalizationError, UnicodeError, RecursionError) as exc:
        raise unreadable(
            N_("%(field)s is not canonical JSON: %(error)s"), field, exc, field=field
        ) from exc


def _plain(value: Any) -> Any:
    """Mappings and sequences as dicts and lists, which is what ``rfc8785`` accepts."""
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise rfc8785.CanonicalizationError(f"object key {key!r} is not a string")
            out[key] = _plain(item)
        return out
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


_HEADER_ENCODER = json.JSONEncoder(
    ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
)
_SAFE = 2**53
_MAX_DEPTH = 64


def _plain_json(value: Any, depth: int) -> bool:
    """Whether ``value`` is JSON that the C encoder writes exactly as RFC 8785 does."""
    kind = type(value)
    if kind is str or value is None or kind is bool:
        return True
    if kind is int:
        return bool(-_SAFE < value < _SAFE)
    if depth > _MAX_DEPTH:
        return False
    if kind is dict:
        return all(
            type(k) is str and k.isascii() and _plain_json(v, depth + 1) for k, v in value.items()
        )
    if kind is list:
        # Strings checked here rather than by a call each: a batch's [id, hash, key] rows
        # are thousands of them.
        for item in value:
            if type(item) is not str and not _plain_json(item, depth + 1):
                return False
        return True
    return False


def canonical_header_json(fields: dict[str, str | int | None]) -> bytes:
    """RFC 8785 bytes of an object whose values are strings, safe integers or null.

    For exactly these values (and ASCII keys) RFC 8785 and Python's compact, key-sorted
    ``json`` with ``ensure_ascii=False`` write the same bytes: the same short escapes
    (``\\b \\f \\n \\r \\t``), lowercase ``\\u00xx`` for other control characters, no
    other escaping. The C encoder is about five times faster than ``rfc8785``, which
    matters on the append path; a unit test holds the two to the same output.
    """
    for value in fields.values():
        if isinstance(value, int) and not -(2**53) < value < 2**53:
            raise InvalidInput.worded(
                N_("header integer outside the safe range"),
                details=[problem("header", N_("too large"))],
            )
    try:
        return _HEADER_ENCODER.encode(fields).encode("utf-8")
    except UnicodeEncodeError as exc:
        raise unreadable(N_("header is not canonical JSON: %(error)s"), "header", exc) from exc
