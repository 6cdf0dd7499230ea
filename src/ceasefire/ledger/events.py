"""Ledger tags of the ledger area: the ledger's own keys and sealed daily roots.

One payload type per tag, written by ``ceasefire.ledger.service`` and read by
``ceasefire.ledger.verify``.
How tags and payloads are used: docs/ledger.md, "Writing entries".
"""

from enum import StrEnum
from typing import TypedDict


class Blinded(TypedDict, total=False):
    """The key ``ceasefire.ledger.entry.with_nonce`` adds to the payloads of the areas that
    blind them (incidents, fusion, compliance, alerts): 128 random bits in hex, so that a
    header's payload digest, which every member reads, confirms no guess of a payload
    withheld from the reader. Entries written before it have none."""

    nonce: str


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
