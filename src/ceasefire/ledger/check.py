"""The state checker each area gives the ledger verifier (declared in its ``Area``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from ceasefire.ledger.verify import CollectedEntry, Finding

StateCheck = Callable[[Session, Sequence[CollectedEntry]], Iterable[Finding]]


@dataclass(frozen=True)
class StateChecker:
    """Compares one area's main tables with what the ledger says about them.

    ``tags`` are tag prefixes: the verifier hands ``check`` every entry whose tag starts
    with one of them (payload parsed), in chain order, and ``check`` returns a
    ``STATE_MISMATCH`` finding for every row that differs from its entries. Each area
    declares its checker in its ``Area`` (``ceasefire.areas``).
    """

    name: str
    tags: tuple[str, ...]
    check: StateCheck
