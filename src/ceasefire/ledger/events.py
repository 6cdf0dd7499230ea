"""Ledger tags of the ledger area: the ledger's own keys and sealed daily roots.

Tags have the form ``source:subject:action`` (warehouse's audit events). The writer and
the state checker both use these members, so a misspelt tag is an error, not a check
that silently never runs. A tag, once written to a ledger, never changes.

Each tag has one payload type below: the keys and values its writer puts in the entry
(``ceasefire.ledger.service``; ``ceasefire.ledger.verify`` reads them), checked by mypy at
the write site. At run time a payload is a plain ``dict``, so the canonical bytes, and every
ledger already written, are unchanged.
"""

from enum import StrEnum
from typing import TypedDict


class LedgerTag(StrEnum):
    """Every ledger tag the ledger area writes."""

    KEY_ADDED = "ledger:key:added"
    KEY_ROTATED = "ledger:key:rotated"
    KEY_REVOKED = "ledger:key:revoked"
    ROOT_SEALED = "ledger:root:sealed"


class KeyAdded(TypedDict):
    """``ledger:key:added``: a member's public key (hex), valid from this entry on."""

    key_id: str
    member_id: str
    algorithm: str
    public_key: str
    custody: str


class KeyRotated(KeyAdded):
    """``ledger:key:rotated``: a new key that ``replaces`` (ends) another of the member."""

    replaces: str


class KeyRevoked(TypedDict):
    """``ledger:key:revoked``: a key ended from this entry on."""

    key_id: str
    member_id: str
    reason: str


class RootSealed(TypedDict):
    """``ledger:root:sealed``: the Merkle root of one UTC day's entries."""

    day: str
    first_seq: int
    last_seq: int
    count: int
    root: str
    tree: str


PAYLOADS: dict[LedgerTag, type] = {
    LedgerTag.KEY_ADDED: KeyAdded,
    LedgerTag.KEY_ROTATED: KeyRotated,
    LedgerTag.KEY_REVOKED: KeyRevoked,
    LedgerTag.ROOT_SEALED: RootSealed,
}
"""The payload type of every tag."""
