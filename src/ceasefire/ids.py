"""Time-ordered identifiers for intake records (reports, incidents, assessments...).

``<prefix>-<11 hex digits of Unix milliseconds><10 hex digits>``: sorting by id sorts by
creation time, so an id is also a paging cursor (and the fusion queue's order). Within one
millisecond a process counts up from a random start (as ULID's monotonic mode does), so ids
made by one process sort in the order they were made even when many share a millisecond (the
demo month's reports, a CSV import's rows), and ids made in parallel by several processes do
not collide: each starts at its own random point of a 2**40 space.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable, Collection

from ceasefire.errors import InvalidInput, problem
from ceasefire.i18n.markers import N_

_ID = re.compile(r"([a-z]+)-[0-9a-f]{1,32}")


_SPACE = 16**10
"""The ids one millisecond holds per process: 10 hex digits."""


class IdClock:
    """Makes ids that sort in the order they were made (within this process).

    The first id of a millisecond takes a random start in the lower half of the space, and
    every further id of that millisecond the next number; should a millisecond's space run
    out, or the wall clock step back, the stamp stays at the last one used and moves on from
    there, so the order holds. ``clock`` (nanoseconds) and ``entropy`` are the system's unless
    a test gives its own.
    """

    def __init__(
        self,
        clock: Callable[[], int] = time.time_ns,
        entropy: Callable[[int], bytes] = os.urandom,
    ) -> None:
        self._clock = clock
        self._entropy = entropy
        self._lock = threading.Lock()
        self._ms = -1
        self._next = 0

    def ids(self, prefix: str, count: int) -> list[str]:
        """``count`` fresh ids, ascending."""
        if count > _SPACE // 2:
            raise ValueError(f"at most {_SPACE // 2} ids at once")
        with self._lock:
            ms = max(self._clock() // 1_000_000, self._ms)
            if ms == self._ms and self._next + count <= _SPACE:
                start = self._next
            else:
                if ms == self._ms:
                    ms += 1  # this millisecond's space is spent: go on in the next one
                start = int.from_bytes(self._entropy(5), "big") >> 1
            self._ms, self._next = ms, start + count
        stamp = f"{prefix}-{ms:011x}"
        return [f"{stamp}{start + i:010x}" for i in range(count)]


_CLOCK = IdClock()


def new_id(prefix: str) -> str:
    """A fresh id such as ``rep-0175f3a2b1c4d9e8f7a6b5``."""
    return _CLOCK.ids(prefix, 1)[0]


def new_ids(prefix: str, count: int) -> list[str]:
    """``count`` fresh ids made at once, for bulk writes (ascending, like ``count`` calls of
    :func:`new_id`)."""
    return _CLOCK.ids(prefix, count)


_RECORD_ID = re.compile(r"(?<![0-9a-z])([a-z]+)-[0-9a-f]{21}(?![0-9a-z])")
"""An id as :func:`new_id` makes it (a prefix and 21 hex digits), not part of a longer word."""


def record_ids_in(text: str) -> list[tuple[str, str]]:
    """The ids the centre makes that ``text`` names, each with its prefix (``("rep",
    "rep-…")``), wherever they stand in it (``report:rep-…``, a URL ending in one); none in
    free text such as a document's name."""
    return [(found.group(1), found.group(0)) for found in _RECORD_ID.finditer(text)]


def replace_record_ids(text: str, replace: Callable[[str, str], str]) -> str:
    """``text`` with each id the centre makes it names (as :func:`record_ids_in` finds them)
    replaced by ``replace(prefix, id)``."""
    return _RECORD_ID.sub(lambda m: replace(m.group(1), m.group(0)), text)


def mask_record_ids(text: str, hidden: Collection[str], mark: str) -> str:
    """``text`` with each id of ``hidden`` it names replaced by ``mark``."""
    if not hidden:
        return text
    return replace_record_ids(text, lambda _, found: mark if found in hidden else found)


def check_cursor(cursor: str | None, prefix: str) -> str | None:
    """A paging cursor (the last id of a page of ``prefix`` records), or ``InvalidInput``
    naming ``cursor``: a malformed one would otherwise silently give an empty page."""
    if cursor is None:
        return None
    found = _ID.fullmatch(cursor)
    if found is None or found.group(1) != prefix:
        raise InvalidInput.worded(
            N_("cursor is not the next_cursor of a previous page"),
            details=[
                problem(
                    "cursor", N_("expected a %(prefix)s-... id from next_cursor"), prefix=prefix
                )
            ],
        )
    return cursor
