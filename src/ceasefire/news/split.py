"""The fixed tune/held splits of the gold data.

A record (a PLOVER sentence, a GeoWebNews article) is **held** when the first byte of
``sha256(salt + its id)`` is below a bound, else **tune**: the split depends on nothing but
the id, so adding or reordering records never moves one. Each gold set has its own salt,
fixed once before any change it judges and never changed since.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Literal

Part = Literal["tune", "held"]


@dataclass(frozen=True)
class FixedSplit:
    """One gold set's split: its salt and the bound below which a record is held."""

    salt: str
    held_below: int = 85

    def part(self, key: str) -> Part:
        """The part the record ``key`` (its id) belongs to."""
        digest = hashlib.sha256((self.salt + key).encode("utf-8")).digest()
        return "held" if digest[0] < self.held_below else "tune"
