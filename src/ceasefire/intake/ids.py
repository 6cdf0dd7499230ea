"""Time-ordered identifiers for intake records (reports, incidents, assessments...).

``<prefix>-<11 hex digits of Unix milliseconds><10 random hex digits>``: sorting by id sorts
by creation time (to the millisecond), so an id is also a paging cursor, and ids made in
parallel by several processes do not collide.
"""

from __future__ import annotations

import secrets
import time


def new_id(prefix: str) -> str:
    """A fresh id such as ``rep-0175f3a2b1c4d9e8f7a6b5``."""
    return f"{prefix}-{time.time_ns() // 1_000_000:011x}{secrets.token_hex(5)}"
