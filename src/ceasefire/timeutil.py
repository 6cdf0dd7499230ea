"""UTC-aware time helpers. Every instant stored or compared is timezone-aware UTC."""

from __future__ import annotations

from datetime import UTC, datetime

from ceasefire.errors import InvalidInput, problem
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
            details=[problem(field, N_("not ISO 8601: %(text)s"), text=repr(text))],
            field=field,
            text=repr(text),
        ) from exc
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)
