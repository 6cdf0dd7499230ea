"""Merkle trees over a day's entry hashes, as in RFC 9162 (Certificate Transparency v2).

Leaves are the raw 32 bytes of each entry hash, in sequence order:
``leaf = SHA-256(0x00 || entry_hash)``, ``node = SHA-256(0x01 || left || right)``, and a tree
of ``n`` leaves splits at the largest power of two below ``n``. Inclusion proofs are the
RFC 9162 audit paths and verify with its algorithm (section 2.1.3.2).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

TREE_ALGORITHM = "rfc9162-sha256"
EMPTY_ROOT = hashlib.sha256(b"").hexdigest()


def leaf_hash(entry_hash: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + entry_hash).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def merkle_root(entry_hashes: Sequence[str]) -> str:
    """Hex root of the tree over hex entry hashes (bottom-up; equal to the RFC split)."""
    if not entry_hashes:
        return EMPTY_ROOT
    sha = hashlib.sha256
    level = [sha(b"\x00" + bytes.fromhex(h)).digest() for h in entry_hashes]
    while len(level) > 1:
        paired = [
            sha(b"\x01" + level[i] + level[i + 1]).digest() for i in range(0, len(level) - 1, 2)
        ]
        if len(level) % 2:
            # An odd last node moves up unchanged: this is exactly RFC 9162's split at the
            # largest power of two, computed level by level.
            paired.append(level[-1])
        level = paired
    return level[0].hex()


def largest_power_of_two_below(n: int) -> int:
    """The largest power of two strictly less than ``n`` (``n >= 2``): RFC 9162's split."""
    return 1 << ((n - 1).bit_length() - 1)


def subtree_root(leaves: Sequence[bytes]) -> bytes:
    """RFC 9162 MTH over one or more leaf *hashes*, by its split definition."""
    if len(leaves) == 1:
        return leaves[0]
    k = largest_power_of_two_below(len(leaves))
    return node_hash(subtree_root(leaves[:k]), subtree_root(leaves[k:]))


def _path(index: int, leaves: Sequence[bytes]) -> list[bytes]:
    if len(leaves) <= 1:
        return []
    k = largest_power_of_two_below(len(leaves))
    if index < k:
        return [*_path(index, leaves[:k]), subtree_root(leaves[k:])]
    return [*_path(index - k, leaves[k:]), subtree_root(leaves[:k])]


def inclusion_path(entry_hashes: Sequence[str], index: int) -> list[str]:
    """The RFC 9162 audit path (hex, leaf to root) of leaf ``index``."""
    if not 0 <= index < len(entry_hashes):
        raise IndexError(f"leaf {index} outside a tree of {len(entry_hashes)}")
    leaves = [leaf_hash(bytes.fromhex(h)) for h in entry_hashes]
    return [node.hex() for node in _path(index, leaves)]


def verify_inclusion(
    entry_hash: str, index: int, tree_size: int, path: Sequence[str], root: str
) -> bool:
    """RFC 9162 section 2.1.3.2: does ``path`` prove ``entry_hash`` at ``index`` under ``root``?"""
    if not 0 <= index < tree_size:
        return False
    try:
        r = leaf_hash(bytes.fromhex(entry_hash))
        nodes = [bytes.fromhex(p) for p in path]
    except ValueError:
        return False
    fn, sn = index, tree_size - 1
    for p in nodes:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r.hex() == root


@dataclass(frozen=True, slots=True)
class InclusionProof:
    """Everything needed to check one entry against its day's published root."""

    seq: int
    entry_hash: str
    day: str
    leaf_index: int
    tree_size: int
    path: tuple[str, ...]
    root: str
    root_seq: int | None
    """Sequence number of the ``ledger:root:sealed`` entry publishing ``root``; None while
    the day is still open (the root is then provisional)."""

    def verify(self) -> bool:
        return verify_inclusion(
            self.entry_hash, self.leaf_index, self.tree_size, self.path, self.root
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "algorithm": TREE_ALGORITHM,
            "seq": self.seq,
            "entry_hash": self.entry_hash,
            "day": self.day,
            "leaf_index": self.leaf_index,
            "tree_size": self.tree_size,
            "path": list(self.path),
            "root": self.root,
            "root_seq": self.root_seq,
            "provisional": self.root_seq is None,
        }

    @classmethod
    def from_dict(cls, data: Any) -> InclusionProof:
        """Read a proof written by :meth:`as_dict`; raises ValueError on a malformed one."""
        if not isinstance(data, dict) or data.get("algorithm") != TREE_ALGORITHM:
            raise ValueError(f"not a {TREE_ALGORITHM} inclusion proof")
        try:
            return cls(
                seq=int(data["seq"]),
                entry_hash=str(data["entry_hash"]),
                day=str(data["day"]),
                leaf_index=int(data["leaf_index"]),
                tree_size=int(data["tree_size"]),
                path=tuple(str(p) for p in data["path"]),
                root=str(data["root"]),
                root_seq=None if data.get("root_seq") is None else int(data["root_seq"]),
            )
        except (KeyError, TypeError) as exc:
            raise ValueError(f"incomplete inclusion proof: {exc}") from exc
