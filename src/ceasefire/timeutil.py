"""UTC-aware time helpers. Every instant stored or compared is timezone-aware UTC."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from ceasefire.errors import InvalidInput, WordedText, problem, worded_text
from ceasefire.i18n.markers import N_


def utcnow() -> datetime:
    """Now, as an aware UTC datetime."""
    return datetime.now(UTC)


def ensure_utc(value: datetime, *, field: str = "datetime") -> datetime:
    """Convert an aware datetime to UTC; a naive one is an error, never guessed."""
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise InvalidInput.worded(
            N_("%(field)s must carry a time zone"),
            details=[problem(field, N_("naive datetime"))],
            field=field,
        )
    return value.astimezone(UTC)


_DATE_ERRORS = (
    (re.compile(r"month must be in 1\.\.12"), N_("the month must be from 1 to 12")),
    (re.compile(r"day is out of range for month"), N_("that month has no such day")),
    (re.compile(r"year -?\d+ is out of range"), N_("the year is out of range")),
    (re.compile(r"hour must be in 0\.\.23"), N_("the hour must be from 0 to 23")),
    (re.compile(r"minute must be in 0\.\.59"), N_("the minute must be from 0 to 59")),
    (re.compile(r"second must be in 0\.\.59"), N_("the second must be from 0 to 59")),
    (re.compile(r"Invalid isoformat string: "), N_("not written as YYYY-MM-DD (ISO 8601)")),
)
"""Python's reasons for refusing a date or time (``date.fromisoformat``'s English) by the
catalogue's wording of each."""


def date_error(exc: ValueError) -> str:
    """Why ``exc`` (raised parsing a date or time) refused it, worded in the reader's
    language where Python's reason is one of :data:`_DATE_ERRORS` (``month must be in
    1..12``), else as the exception says it (a reason already worded stays so)."""
    said = exc.args[0] if len(exc.args) == 1 and isinstance(exc.args[0], str) else str(exc)
    if isinstance(said, WordedText):
        return said
    for pattern, msgid in _DATE_ERRORS:
        if pattern.match(said):
            return worded_text(msgid)
    return said


def parse_instant(text: str, *, field: str = "datetime") -> datetime:
    """Parse ISO 8601; a bare date means 00:00 UTC that day; naive times are taken as UTC."""
    raw = text.strip()
    try:
        if raw.endswith("Z"):
            raw = raw[:-1] + "+00:00"
        value = datetime.fromisoformat(raw)
    except ValueError as exc:
        raise InvalidInput.worded(
            N_("%(field)s: not an ISO 8601 date or time: %(text)s"),
            details=[
                problem(field, N_("not an ISO 8601 date or time: %(value)s"), value=repr(text))
            ],
            field=field,
            text=repr(text),
        ) from exc
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)
