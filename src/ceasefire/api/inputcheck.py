"""Text no storage accepts, refused at the edge with a 422 naming where it was.

Two kinds of character pass JSON and URL decoding but not what is behind them:

- **NUL** (U+0000): PostgreSQL refuses it in any text value, so a NUL in an id, a name or a
  query parameter was a server error on PostgreSQL (and on SQLite a silent mismatch);
- **lone surrogates** (U+D800–U+DFFF not in a pair): JSON's ``\\ud800`` escape decodes to
  one, and no UTF-8 encoder (the canonical form of a report, the database driver) takes it.

The middleware checks the decoded path and query string of every request, and the strings
(keys included) of JSON and form bodies, before any route runs; the first offending
location is named as the routes' validation errors name it (``loc``: the parameter or the
field path such as ``event_position.place_name``; ``in``: ``path``, ``query`` or ``body``).
A JSON body is parsed here only when its bytes contain a ``\\u`` escape (a raw NUL or a
raw surrogate is not valid JSON, and a body without escapes cannot hold either), so the usual
request costs one byte search. Domain validation (``ceasefire.reports.model``) refuses the same
characters again for input that does not come through HTTP (the CLI, CSV files).
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qsl

from starlette.types import Message, Receive, Scope, Send

from ceasefire.api.asgi import HttpMiddleware
from ceasefire.api.errors import error_response
from ceasefire.errors import CeasefireError, InvalidInput, problem
from ceasefire.i18n.markers import N_

# The largest values of the integer columns a path or query integer is compared with:
# PostgreSQL's ``integer`` (agreement versions) and ``bigint`` (ledger sequence numbers; also
# SQLite's 64-bit integers). A larger value is a 422 naming the parameter, not an overflow
# in the driver.
INT4_MAX = 2**31 - 1
INT8_MAX = 2**63 - 1

# NUL, or any surrogate code point (a str holding one is never valid UTF-8 text).
_BAD = re.compile("[\u0000\ud800-\udfff]")
_FORM = b"application/x-www-form-urlencoded"


def bad_text(value: str) -> str | None:
    """Why ``value`` cannot be stored, or None when it can."""
    found = _BAD.search(value)
    if found is None:
        return None
    return "contains a NUL character" if found.group() == "\u0000" else "contains a lone surrogate"


def find_bad_text(data: Any, loc: str) -> tuple[str, str] | None:
    """The first string in a decoded JSON value (keys included) no storage accepts:
    ``(location, reason)``, or None. Iterative, so a deeply nested body cannot overflow."""
    stack: list[tuple[Any, str]] = [(data, loc)]
    while stack:
        value, where = stack.pop()
        if isinstance(value, str):
            reason = bad_text(value)
            if reason is not None:
                return where, reason
        elif isinstance(value, dict):
            for key, item in value.items():
                reason = bad_text(key)
                if reason is not None:
                    return where, f"a key {reason}"
                stack.append((item, f"{where}.{key}"))
        elif isinstance(value, list):
            stack.extend((item, f"{where}.{index}") for index, item in enumerate(value))
    return None


def _refusal(where: str, loc: str, reason: str) -> InvalidInput:
    """The 422, with the location as the validation errors of the routes give it: the field
    or parameter name in ``loc`` and the part of the request in ``in``."""
    loc = loc.removeprefix(f"{where}.") if loc != where else loc
    return InvalidInput.worded(
        N_("invalid text in %(where)s %(loc)s"),
        where=where.replace("\x00", "\\0"),
        loc=loc.replace("\x00", "\\0"),
        details=[problem(loc.replace("\x00", "\\0"), reason, extra={"in": where})],
    )


def check_target(scope: Scope) -> InvalidInput | None:
    """The refusal for a bad path or query string, or None."""
    reason = bad_text(scope.get("path", ""))
    if reason is not None:
        return _refusal("path", "path", reason)
    query = scope.get("query_string", b"")
    if b"%00" in query or b"\x00" in query:  # the decoder keeps NUL: look only when present
        for name, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
            for text in (name, value):
                reason = bad_text(text)
                if reason is not None:
                    return _refusal("query", f"query.{name}", reason)
    return None


def check_body(content_type: bytes, body: bytes) -> InvalidInput | None:
    """The refusal for a bad JSON or form body, or None (a body that does not parse is left
    to the route, which names it)."""
    if content_type.startswith(_FORM):
        if b"%00" not in body and b"\x00" not in body:
            return None
        for name, value in parse_qsl(body.decode("latin-1"), keep_blank_values=True):
            for text in (name, value):
                if "\x00" in text:
                    return _refusal("body", f"body.{name}", "contains a NUL character")
        return None
    if b"json" not in content_type or b"\\u" not in body:
        return None
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return None
    found = find_bad_text(data, "body")
    return None if found is None else _refusal("body", *found)


class TextCheck(HttpMiddleware):
    """ASGI middleware: 422 for NUL or lone surrogates in the path, query or body."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        refusal = check_target(scope)
        if refusal is not None:
            await error_response(refusal)(scope, receive, send)
            return
        content_type = b""
        for name, value in scope.get("headers") or ():
            if name == b"content-type":
                content_type = value.lower()
                break
        if b"json" not in content_type and not content_type.startswith(_FORM):
            await self.app(scope, receive, send)
            return
        # Buffer the (size-limited) body once, check it, and hand the same bytes on.
        chunks: list[bytes] = []
        while True:
            try:
                message = await receive()
            except CeasefireError as exc:  # the body is over the size limit
                await error_response(exc)(scope, receive, send)
                return
            if message["type"] != "http.request":
                await self.app(scope, _replay([message]), send)
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        refusal = check_body(content_type, body)
        if refusal is not None:
            await error_response(refusal)(scope, receive, send)
            return
        await self.app(
            scope,
            _replay([{"type": "http.request", "body": body, "more_body": False}], receive),
            send,
        )


def _replay(messages: list[Message], then: Receive | None = None) -> Receive:
    pending = list(messages)

    async def receive() -> Message:
        if pending:
            return pending.pop(0)
        if then is None:
            return {"type": "http.disconnect"}
        return await then()

    return receive
