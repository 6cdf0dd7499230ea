"""Reading an English message back into what it was worded from, to show it translated.

The API, the ledger and stored records keep messages in English (a decision's reason, a
finding's reason, a form's problem, an ``init`` step's line, Click's usage errors). Where one
is shown to a person it is read back into its catalogue msgid (or a code naming one) and its
parameters, and shown translated with the same parameters. A :class:`Readback` is that table:
patterns whose named groups are the parameters, each with what it reads back to, tried in
order (the first that matches the whole message wins). Pure Python, for model code too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Generic, NamedTuple, TypeVar

T = TypeVar("T")

PERCENT = re.compile(r"%\((\w+)\)s")
"""A ``%(name)s`` placeholder (the catalogues' msgids)."""
BRACES = re.compile(r"\{(\w+)\}")
"""A ``{name}`` placeholder (``str.format``)."""


def pattern_of(
    msgid: str, fields: Mapping[str, str] | None = None, placeholder: re.Pattern[str] = PERCENT
) -> str:
    """The pattern of the English ``msgid`` words: its text as it is, each placeholder a
    named group of the pattern ``fields`` gives its name (any text, the least, by default)."""
    parts = placeholder.split(msgid)
    return "".join(
        re.escape(part) if i % 2 == 0 else f"(?P<{part}>{(fields or {}).get(part, '.+?')})"
        for i, part in enumerate(parts)
    )


class Read(NamedTuple, Generic[T]):
    """What a message was read back into (a msgid, a code...) and its named parameters."""

    said: T
    params: dict[str, str | Any]


class Readback(Generic[T]):
    """Patterns (strings compiled with ``flags``, or compiled already), each with what a
    message it matches whole reads back to. ``longest``: messages longer than this are not
    read (a pattern with two free parts takes time quadratic in the message's length)."""

    __slots__ = ("_table", "longest")

    def __init__(
        self,
        table: Iterable[tuple[str | re.Pattern[str], T]],
        *,
        flags: int = 0,
        longest: int | None = None,
    ) -> None:
        self._table = tuple(
            (re.compile(pattern, flags) if isinstance(pattern, str) else pattern, said)
            for pattern, said in table
        )
        self.longest = longest

    @classmethod
    def worded(
        cls,
        msgids: Iterable[str],
        *,
        fields: Mapping[str, str] | None = None,
        placeholder: re.Pattern[str] = PERCENT,
        flags: int = 0,
        longest: int | None = None,
    ) -> Readback[str]:
        """A table that reads a message back into the msgid it says (see :func:`pattern_of`)."""
        return Readback(
            ((pattern_of(m, fields, placeholder), m) for m in msgids), flags=flags, longest=longest
        )

    def __iter__(self) -> Iterator[tuple[re.Pattern[str], T]]:
        return iter(self._table)

    def __len__(self) -> int:
        return len(self._table)

    def read(self, message: str) -> Read[T] | None:
        """What ``message`` was worded from, by the first pattern that matches it whole;
        ``None`` where none does, or where it is longer than :attr:`longest`."""
        if self.longest is not None and len(message) > self.longest:
            return None
        for pattern, said in self._table:
            found = pattern.fullmatch(message)
            if found is not None:
                return Read(said, found.groupdict())
        return None
