"""Time-ordered identifiers for intake records (reports, incidents, assessments...).

``<prefix>-<11 hex digits of Unix milliseconds><10 random hex digits>``: sorting by id sorts
by creation time (to the millisecond), so an id is also a paging cursor, and ids made in
parallel by several processes do not collide.
"""

from __future__ import annotations

import os
import re
import time

from ceasefire.errors import InvalidInput, problem

_ID = re.compile(r"([a-z]+)-[0-9a-f]{1,32}")


def new_id(prefix: str) -> str:
    """A fresh id such as ``rep-0175f3a2b1c4d9e8f7a6b5``."""
    return new_ids(prefix, 1)[0]


def new_ids(prefix: str, count: int) -> list[str]:
    """``count`` fresh ids made at once, for bulk writes: one clock reading and one read of
    random bytes for all of them."""
    stamp = f"{prefix}-{time.time_ns() // 1_000_000:011x}"
    randomness = os.urandom(5 * count).hex()
    return [stamp + randomness[i : i + 10] for i in range(0, 10 * count, 10)]


def check_cursor(cursor: str | None, prefix: str) -> str | None:
    """A paging cursor (the last id of a page of ``prefix`` records), or ``InvalidInput``
    naming ``cursor``: a malformed one would otherwise silently give an empty page."""
    if cursor is None:
        return None
    found = _ID.fullmatch(cursor)
    if found is None or found.group(1) != prefix:
        raise InvalidInput(
            "cursor is not the next_cursor of a previous page",
            details=[problem("cursor", f"expected a {prefix}-... id from next_cursor")],
        )
    return cursor
