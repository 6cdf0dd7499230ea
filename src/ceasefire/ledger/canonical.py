"""RFC 8785 (JSON Canonicalization Scheme) bytes, through the maintained ``rfc8785`` package."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import rfc8785

from ceasefire.errors import InvalidInput, problem


def canonical_json(value: Any, *, field: str = "payload") -> bytes:
    """The RFC 8785 canonical UTF-8 bytes of ``value``; an unrepresentable value names ``field``.

    Datetimes are not JSON: callers pass ISO 8601 strings. Integers beyond 2**53 and
    non-finite floats are refused by RFC 8785 itself.
    """
    try:
        return bytes(rfc8785.dumps(_plain(value)))
    except (rfc8785.CanonicalizationError, UnicodeError, RecursionError) as exc:
        raise InvalidInput(
            f"{field} is not canonical JSON: {exc}", details=[problem(field, str(exc))]
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
