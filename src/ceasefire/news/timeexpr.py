"""Dates in news text: the page's publication line and time expressions in sentences.

Relative expressions are resolved against the article's date and the tense of the verb they
modify: "on Wednesday" in a past-tense sentence of a Thursday 26 November 2020 article is
2020-11-25; "on Nov. 10" in the same article is 2020-11-10.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ceasefire.news.article import PublicationTime

Tense = Literal["past", "present", "future"]
Precision = Literal["day", "week", "month", "year"]

MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4,
    "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9, "october": 10, "oct": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}  # fmt: skip
WEEKDAYS = {
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5,
    "sunday": 6,
}  # fmt: skip
_MONTH = (
    r"(?P<month>January|February|March|April|May|June|July|August|September|October|"
    r"November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
)
_WEEKDAY = r"(?P<weekday>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_ZONES = {"GMT": 0, "UTC": 0, "Z": 0, "BST": 60, "CET": 60, "CEST": 120, "EET": 120,
          "EEST": 180, "MSK": 180, "AST": 180, "TRT": 180, "AMT": 240, "AZT": 240,
          "EST": -300, "EDT": -240}  # fmt: skip


@dataclass(frozen=True)
class TimeMention:
    """A time expression found in a text, resolved to a date with a precision."""

    text: str
    start: int
    end: int
    date: date
    precision: Precision


# --- publication lines ---------------------------------------------------------------------

_PUB_PATTERNS = [
    # Thursday, 26 November, 2020 - 05:45   /  26 November 2020 05:45 GMT
    re.compile(
        rf"^(?:{_WEEKDAY},?\s+)?(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH},?\s+(?P<year>\d{{4}})"
        r"(?:\s*[-–,|@]?\s*(?:at\s+)?(?P<hour>\d{1,2})[:.](?P<minute>\d{2})\s*(?P<ampm>[ap]\.?m\.?)?"
        r"\s*(?P<zone>[A-Z]{1,4}|[+-]\d{2}:?\d{2}|(?:GMT|UTC)[+-]\d{1,2}(?::?\d{2})?)?)?\s*$",
        re.I,
    ),
    # Thursday, November 26, 2020 5:45 PM
    re.compile(
        rf"^(?:{_WEEKDAY},?\s+)?{_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>\d{{4}})"
        r"(?:\s*[-–,|@]?\s*(?:at\s+)?(?P<hour>\d{1,2})[:.](?P<minute>\d{2})\s*(?P<ampm>[ap]\.?m\.?)?"
        r"\s*(?P<zone>[A-Z]{1,4}|[+-]\d{2}:?\d{2}|(?:GMT|UTC)[+-]\d{1,2}(?::?\d{2})?)?)?\s*$",
        re.I,
    ),
]
_PUB_PREFIX = re.compile(r"^(published|updated|posted|last updated|date)\s*(on|:)?\s*", re.I)
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$")


def parse_publication_line(line: str, *, zone: str | None = None) -> PublicationTime | None:
    """Parse a page's date line; keep the wall time and the zone as given.

    ``zone`` is the outlet's known IANA zone, used only when the line names none.
    """
    raw = line.strip()
    text = _PUB_PREFIX.sub("", raw)
    if len(text) > 60 or not text:
        return None
    if _ISO.match(text):
        return _from_iso(raw, text, zone)
    for pattern in _PUB_PATTERNS:
        match = pattern.match(text)
        if not match:
            continue
        parts = match.groupdict()
        try:
            hour = int(parts["hour"]) if parts.get("hour") else 0
            minute = int(parts["minute"]) if parts.get("minute") else 0
            ampm = (parts.get("ampm") or "").lower().replace(".", "")
            if ampm == "pm" and hour < 12:
                hour += 12
            elif ampm == "am" and hour == 12:
                hour = 0
            local = datetime(  # noqa: DTZ001 - a wall time; its zone is kept beside it
                int(parts["year"]), MONTHS[parts["month"].lower()], int(parts["day"]),
                hour, minute,
            )  # fmt: skip
        except (ValueError, KeyError):
            return None
        return _with_zone(raw, local, parts.get("zone") or None, zone)
    return None


def _from_iso(raw: str, text: str, zone: str | None) -> PublicationTime | None:
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if value.tzinfo is not None:
        offset = value.utcoffset()
        return PublicationTime(
            text=raw,
            local=value.replace(tzinfo=None),
            zone=_format_offset(offset) if offset is not None else None,
            utc=value.astimezone(UTC),
        )
    return _with_zone(raw, value, None, zone)


def _with_zone(
    raw: str, local: datetime, given: str | None, default_zone: str | None
) -> PublicationTime:
    if given:
        offset = _offset_of(given)
        if offset is not None:
            aware = local.replace(tzinfo=timezone(offset))
            return PublicationTime(text=raw, local=local, zone=given, utc=aware.astimezone(UTC))
    if default_zone:
        try:
            aware = local.replace(tzinfo=ZoneInfo(default_zone))
        except ZoneInfoNotFoundError:
            return PublicationTime(text=raw, local=local)
        return PublicationTime(text=raw, local=local, zone=default_zone, utc=aware.astimezone(UTC))
    return PublicationTime(text=raw, local=local)


def _offset_of(zone: str) -> timedelta | None:
    upper = zone.upper()
    if upper in _ZONES:
        return timedelta(minutes=_ZONES[upper])
    match = re.fullmatch(r"(?:GMT|UTC)?([+-])(\d{1,2}):?(\d{2})?", upper)
    if not match:
        return None
    sign = 1 if match.group(1) == "+" else -1
    return sign * timedelta(hours=int(match.group(2)), minutes=int(match.group(3) or 0))


def _format_offset(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


# --- time expressions in sentences ---------------------------------------------------------

_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>\d{4})"
_REL_MONTH = r"(?:(?P<rel>last|this|next|early|late|mid-?)\s*)?"
_EXPRESSIONS: list[tuple[str, re.Pattern[str]]] = [
    ("mdy", re.compile(rf"\b{_MONTH}\s+{_DAY}(?:,?\s+{_YEAR})?\b")),
    ("dmy", re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH}(?:,?\s+{_YEAR})?\b")),
    ("my", re.compile(rf"\b{_REL_MONTH}{_MONTH}(?:\s+{_YEAR})?\b")),
    ("weekday", re.compile(rf"\b(?:(?P<rel>last|this|next|on|late|early)\s+)?{_WEEKDAY}\b")),
    ("word", re.compile(r"\b(?P<word>yesterday|today|tonight|last night|this morning|this week|"
                        r"last week|next week|this month|last month|next month|this year|"
                        r"last year|next year|earlier this week|earlier this month)\b", re.I)),
    ("year", re.compile(r"\b(?:in|since|during)\s+(?P<year>(?:19|20)\d{2})\b")),
]  # fmt: skip


def find_time_mentions(text: str, reference: date, tense: Tense = "past") -> list[TimeMention]:
    """All time expressions of ``text`` resolved against ``reference`` (the article date)."""
    return _resolved_mentions(_candidates(text), reference, tense)


def time_mentions_by_tense(
    text: str, reference: date, tenses: Sequence[Tense]
) -> dict[Tense, list[TimeMention]]:
    """``find_time_mentions(text, reference, tense)`` for each of ``tenses``, the expressions
    matched once (the matching does not depend on the tense, only their resolution)."""
    candidates = _candidates(text)
    return {tense: _resolved_mentions(candidates, reference, tense) for tense in tenses}


def _candidates(text: str) -> list[tuple[str, re.Match[str]]]:
    """Every match of every expression, in the order of :data:`_EXPRESSIONS` then position."""
    return [(kind, match) for kind, pattern in _EXPRESSIONS for match in pattern.finditer(text)]


def _resolved_mentions(
    candidates: list[tuple[str, re.Match[str]]], reference: date, tense: Tense
) -> list[TimeMention]:
    found: list[TimeMention] = []
    taken: list[tuple[int, int]] = []
    for kind, match in candidates:
        start, end = match.span()
        if any(start < e and s < end for s, e in taken):
            continue
        # "may" and "march" are verbs far more often than months without a day.
        if (
            kind == "my"
            and match.group("month").lower() in {"may", "march"}
            and not match.group("year")
            and not match.group("rel")
        ):
            continue
        resolved = _resolve(kind, match, reference, tense)
        if resolved is None:
            continue
        day, precision = resolved
        found.append(TimeMention(match.group(0), start, end, day, precision))
        taken.append((start, end))
    return sorted(found, key=lambda m: m.start)


def _resolve(
    kind: str, match: re.Match[str], ref: date, tense: Tense
) -> tuple[date, Precision] | None:
    groups = match.groupdict()
    try:
        if kind in {"mdy", "dmy"}:
            month = MONTHS[groups["month"].lower()]
            day = int(groups["day"])
            if groups.get("year"):
                return date(int(groups["year"]), month, day), "day"
            return _nearest_year(ref, month, day, tense), "day"
        if kind == "my":
            month = MONTHS[groups["month"].lower()]
            if groups.get("year"):
                return date(int(groups["year"]), month, 1), "month"
            rel = (groups.get("rel") or "").lower()
            year = ref.year
            if rel == "last" or (tense == "past" and month > ref.month):
                year -= 1
            elif rel == "next" or (tense == "future" and month < ref.month):
                year += 1
            return date(year, month, 1), "month"
        if kind == "weekday":
            weekday = WEEKDAYS[groups["weekday"].lower()]
            rel = (groups.get("rel") or "").lower()
            return _weekday(ref, weekday, "future" if rel == "next" else tense, rel), "day"
        if kind == "word":
            return _word(groups["word"].lower(), ref)
        if kind == "year":
            return date(int(groups["year"]), 1, 1), "year"
    except (ValueError, KeyError):
        return None
    return None


def _nearest_year(ref: date, month: int, day: int, tense: Tense) -> date:
    candidate = date(ref.year, month, day)
    if tense == "past" and candidate > ref + timedelta(days=1):
        return date(ref.year - 1, month, day)
    if tense == "future" and candidate < ref - timedelta(days=1):
        return date(ref.year + 1, month, day)
    return candidate


def _weekday(ref: date, weekday: int, tense: Tense, rel: str) -> date:
    if tense == "future":
        ahead = (weekday - ref.weekday()) % 7
        return ref + timedelta(days=ahead or (7 if rel == "next" else 0))
    back = (ref.weekday() - weekday) % 7
    if rel == "last" and back == 0:
        back = 7
    return ref - timedelta(days=back)


def _word(word: str, ref: date) -> tuple[date, Precision] | None:
    week_start = ref - timedelta(days=ref.weekday())
    table: dict[str, tuple[date, Precision]] = {
        "yesterday": (ref - timedelta(days=1), "day"),
        "last night": (ref - timedelta(days=1), "day"),
        "today": (ref, "day"),
        "tonight": (ref, "day"),
        "this morning": (ref, "day"),
        "this week": (week_start, "week"),
        "earlier this week": (week_start, "week"),
        "last week": (week_start - timedelta(days=7), "week"),
        "next week": (week_start + timedelta(days=7), "week"),
        "this month": (ref.replace(day=1), "month"),
        "earlier this month": (ref.replace(day=1), "month"),
        "last month": ((ref.replace(day=1) - timedelta(days=1)).replace(day=1), "month"),
        "next month": ((ref.replace(day=28) + timedelta(days=4)).replace(day=1), "month"),
        "this year": (ref.replace(month=1, day=1), "year"),
        "last year": (date(ref.year - 1, 1, 1), "year"),
        "next year": (date(ref.year + 1, 1, 1), "year"),
    }
    return table.get(word)
