"""Ed25519 signing keys of member organisations, and which key is valid when.

Public keys are ledger entries themselves (``ledger:key:added``, ``ledger:key:rotated``,
``ledger:key:revoked``); :class:`KeyRing` replays them in chain order so a verifier knows,
for every entry, whether its key was valid at that point of the record.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import lru_cache

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from ceasefire.errors import WordedText, worded_text
from ceasefire.i18n.markers import N_

ALGORITHM = "ed25519"
CENTRE_MEMBER_ID = "centre"


def key_id_for(public_key_hex: str) -> str:
    """A key's id: the first 32 hex digits of SHA-256 over its 32 raw public-key bytes."""
    return hashlib.sha256(bytes.fromhex(public_key_hex)).hexdigest()[:32]


@lru_cache(maxsize=4096)
def public_key_from_hex(public_key_hex: str) -> Ed25519PublicKey:
    """Load (once per process) a raw 32-byte Ed25519 public key written as hex."""
    raw = bytes.fromhex(public_key_hex)
    if len(raw) != 32:
        raise ValueError("an Ed25519 public key is 32 bytes")
    return Ed25519PublicKey.from_public_bytes(raw)


def signature_is_valid(public_key_hex: str, signature_hex: str, message: bytes) -> bool:
    """Whether ``signature_hex`` is a valid Ed25519 signature of ``message``."""
    try:
        signature = bytes.fromhex(signature_hex)
        public_key_from_hex(public_key_hex).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


@dataclass(frozen=True)
class SigningKey:
    """A private Ed25519 key held by whoever signs for ``member_id``."""

    member_id: str
    private_key: Ed25519PrivateKey = field(repr=False)
    public_key_hex: str
    key_id: str

    @classmethod
    def generate(cls, member_id: str) -> SigningKey:
        return cls.from_private(member_id, Ed25519PrivateKey.generate())

    @classmethod
    def from_private(cls, member_id: str, private_key: Ed25519PrivateKey) -> SigningKey:
        public_hex = private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()
        return cls(member_id, private_key, public_hex, key_id_for(public_hex))

    @classmethod
    def from_private_hex(cls, member_id: str, private_hex: str) -> SigningKey:
        return cls.from_private(
            member_id, Ed25519PrivateKey.from_private_bytes(bytes.fromhex(private_hex))
        )

    def private_hex(self) -> str:
        from cryptography.hazmat.primitives.serialization import NoEncryption, PrivateFormat

        raw = self.private_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        return raw.hex()

    def sign(self, message: bytes) -> str:
        """Lowercase hex of the 64-byte Ed25519 signature of ``message``."""
        return self.private_key.sign(message).hex()


MEMBER_CUSTODY = "member"
"""Custody of a key whose private half the member keeps: the server never holds it."""


@dataclass
class KeyRecord:
    """One public key and the stretch of the chain in which it may sign."""

    key_id: str
    member_id: str
    public_key: str
    custody: str
    valid_from: str
    added_seq: int
    valid_until: str | None = None
    ended_seq: int | None = None
    end_reason: str | None = None

    @property
    def active(self) -> bool:
        return self.ended_seq is None


_ENDED = {
    "revoked": N_("key %(key)s was revoked at seq %(seq)s (%(until)s)"),
    "rotated": N_("key %(key)s was rotated at seq %(seq)s (%(until)s)"),
}
"""How a key's end is said, by its reason (``KeyRing.end``)."""


class KeyRing:
    """The keys known at a point of the chain, updated by replaying key entries in order."""

    def __init__(self) -> None:
        self.keys: dict[str, KeyRecord] = {}
        self.self_custody: dict[str, int] = {}
        """Members holding their own keys, and the seq from which they do: from then on only
        their custody-``member`` keys sign for them, and only those keys add new ones."""

    def get(self, key_id: str) -> KeyRecord | None:
        return self.keys.get(key_id)

    def validity_problem(self, key_id: str, member_id: str) -> WordedText | None:
        """Why ``key_id`` may not sign for ``member_id`` now; None when it may. The English
        (``--json``, the API) carries its catalogue wording, shown in the CLI's language."""
        record = self.keys.get(key_id)
        if record is None:
            return worded_text(N_("key %(key)s was never added before this entry"), key=key_id)
        if record.member_id != member_id:
            return worded_text(
                N_("key %(key)s belongs to member %(owner)s, not %(member)s"),
                key=key_id,
                owner=repr(record.member_id),
                member=repr(member_id),
            )
        if record.ended_seq is not None:
            return worded_text(
                _ENDED.get(record.end_reason or "revoked", _ENDED["revoked"]),
                key=key_id,
                seq=record.ended_seq,
                until=record.valid_until,
            )
        since = self.self_custody.get(member_id)
        if since is not None and record.custody != MEMBER_CUSTODY:
            return worded_text(
                N_(
                    "%(member)s holds its own signing keys since seq %(since)s: key %(key)s"
                    " is held by the server and cannot sign for it"
                ),
                member=repr(member_id),
                since=since,
                key=key_id,
            )
        return None

    def add(self, record: KeyRecord) -> None:
        self.keys[record.key_id] = record

    def end(self, key_id: str, *, seq: int, ts: str, reason: str) -> None:
        record = self.keys.get(key_id)
        if record is not None and record.ended_seq is None:
            record.ended_seq = seq
            record.valid_until = ts
            record.end_reason = reason
