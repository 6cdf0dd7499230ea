"""Ledger tags of the ledger area: the ledger's own keys and sealed daily roots.

One payload type per tag, written by ``ceasefire.ledger.service`` and read by
``ceasefire.ledger.verify``.
How tags and payloads are used: docs/ledger.md, "Writing entries".
"""

from enum import StrEnum
from typing import TypedDict


class Blinded(TypedDict, total=False):
    """The key the ledger writer adds to the payload of every tag whose payload type declares
    it (``ceasefire.ledger.service.append``, through ``ceasefire.ledger.entry.with_nonce``):
    128 random bits in hex, so that a header's payload digest, which every member reads,
    confirms no guess of a payload withheld from the reader. Declared by the payload types of
    the tags a payload rule may withhold (reports, incidents, fusion, compliance, alerts,
    posts, sensors, preferences). Entries written before it have none."""

    nonce: str


def blinded(payload_type: type) -> bool:
    """Whether ``payload_type`` (a tag's ``TypedDict``) declares :class:`Blinded`."""
    return "nonce" in getattr(payload_type, "__optional_keys__", ())


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
