"""The Merkle tree over the *whole* ledger, as Certificate Transparency keeps it (RFC 9162).

Leaf ``i`` is entry ``seq = i + 1``; its hash is ``SHA-256(0x00 || entry_hash)`` and an inner
node is ``SHA-256(0x01 || left || right)`` (the same hashing as the daily trees of
:mod:`ceasefire.ledger.merkle`). The tree of the first ``n`` entries is MTH(D[n]) of
RFC 9162 section 2.1.1; a *signed tree head* (STH) names ``n``, that root and a time, signed
by the centre's key. Two heads are consistent when the smaller tree is a prefix of the
larger: RFC 9162 section 2.1.4 consistency proofs show it with O(log n) hashes, and
section 2.1.3 inclusion proofs show an entry is in a tree.

The proof generators take ``subtree(lo, hi)`` -- the MTH of leaves ``lo..hi-1`` -- rather
than a list of leaves, so that a store can answer from cached complete subtrees instead of
reading every leaf (``ceasefire.ledger.tree_heads``). Everything here is pure.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from ceasefire.errors import worded_text
from ceasefire.i18n.markers import N_
from ceasefire.ledger.keys import SigningKey, signature_is_valid
from ceasefire.ledger.merkle import (
    EMPTY_ROOT,
    TREE_ALGORITHM,
    largest_power_of_two_below,
    leaf_hash,
    node_hash,
    subtree_root,
    verify_inclusion,
)

__all__ = [
    "EMPTY_TREE_ROOT",
    "STH_FORMAT",
    "Frontier",
    "SignedTreeHead",
    "SubtreeHash",
    "aligned_pieces",
    "consistency_path",
    "inclusion_path",
    "mth",
    "root_from_pieces",
    "verify_consistency",
    "verify_inclusion",
]

EMPTY_TREE_ROOT = EMPTY_ROOT
"""MTH of the empty tree (RFC 9162: the hash of the empty string)."""

STH_FORMAT = "ceasefire-tree-head"

SubtreeHash = Callable[[int, int], bytes]
"""``subtree(lo, hi)``: the raw MTH of leaves ``lo .. hi-1`` (``lo < hi``)."""


def mth(leaves: Sequence[bytes]) -> bytes:
    """RFC 9162 MTH over leaf *hashes* (already ``SHA-256(0x00 || data)``), by its split
    definition. Meant for tests and small trees; stores use :class:`Frontier`."""
    return subtree_root(leaves) if leaves else bytes.fromhex(EMPTY_TREE_ROOT)


def aligned_pieces(lo: int, hi: int) -> list[tuple[int, int]]:
    """Split ``lo..hi`` into complete, aligned subtrees (``(level, index)``: leaves
    ``index * 2**level .. (index + 1) * 2**level``), largest first.

    Every range that RFC 9162 proofs ask for starts at a multiple of a power of two at least
    its length, so its pieces shrink from left to right and :func:`root_from_pieces` folds
    them into its MTH.
    """
    if not 0 <= lo < hi:
        raise ValueError(f"empty or negative range {lo}..{hi}")
    pieces = []
    while lo < hi:
        size = 1 << ((hi - lo).bit_length() - 1)
        while lo % size:
            size >>= 1
        level = size.bit_length() - 1
        pieces.append((level, lo >> level))
        lo += size
    return pieces


def root_from_pieces(hashes: Sequence[bytes]) -> bytes:
    """MTH of a range from the hashes of its :func:`aligned_pieces` (largest first)."""
    if not hashes:
        raise ValueError("no pieces")
    root = hashes[-1]
    for piece in reversed(hashes[:-1]):
        root = node_hash(piece, root)
    return root


def _check_sizes(m: int, n: int) -> None:
    if not 0 <= m <= n:
        raise ValueError(f"need 0 <= first <= second, got {m} and {n}")


def inclusion_path(index: int, size: int, subtree: SubtreeHash) -> list[bytes]:
    """RFC 9162 section 2.1.3.1 PATH(index, D[size]), leaf to root."""
    if not 0 <= index < size:
        raise IndexError(f"leaf {index} outside a tree of {size}")
    path: list[bytes] = []
    lo, hi = 0, size
    # Walk down from the root, remembering the sibling at each split; reversed at the end
    # because the RFC lists the path from the leaf up.
    while hi - lo > 1:
        k = largest_power_of_two_below(hi - lo)
        if index < lo + k:
            path.append(subtree(lo + k, hi))
            hi = lo + k
        else:
            path.append(subtree(lo, lo + k))
            lo = lo + k
    path.reverse()
    return path


def consistency_path(m: int, n: int, subtree: SubtreeHash) -> list[bytes]:
    """RFC 9162 section 2.1.4.1 PROOF(m, D[n]): empty when ``m`` is 0 or ``n``."""
    _check_sizes(m, n)
    if m == 0 or m == n:
        return []
    path: list[bytes] = []
    lo, hi, complete = 0, n, True
    # SUBPROOF(m, D[lo:hi], complete), unrolled: each step adds one sibling; the RFC adds
    # them after the recursive part, so they are collected and reversed.
    while True:
        if m == hi - lo:
            if not complete:
                path.append(subtree(lo, hi))
            break
        k = largest_power_of_two_below(hi - lo)
        if m <= k:
            path.append(subtree(lo + k, hi))
            hi = lo + k
        else:
            path.append(subtree(lo, lo + k))
            m -= k
            lo = lo + k
            complete = False
    # Appended from the root down; the RFC lists the deepest node first.
    path.reverse()
    return path


def verify_consistency(
    first: int, second: int, first_root: str, second_root: str, path: Sequence[str]
) -> bool:
    """RFC 9162 section 2.1.4.2: does ``path`` prove the tree of ``first`` leaves with root
    ``first_root`` a prefix of the tree of ``second`` leaves with root ``second_root``?"""
    if not 0 <= first <= second:
        return False
    try:
        nodes = [bytes.fromhex(p) for p in path]
        first_hash = bytes.fromhex(first_root)
        second_hash = bytes.fromhex(second_root)
    except ValueError:
        return False
    if first == 0:
        # Every tree extends the empty one; nothing to prove.
        return not nodes
    if first == second:
        return not nodes and first_hash == second_hash
    if first & (first - 1) == 0:
        nodes.insert(0, first_hash)
    if not nodes:
        return False
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = nodes[0]
    for c in nodes[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == first_hash and sr == second_hash


class Frontier:
    """The right edge of a growing tree: one complete subtree per set bit of its size.

    Feeding leaves in order costs O(1) amortised hashes each, and the root of the tree so
    far is O(log n) away, so a store can keep the frontier instead of reading every leaf
    again. ``completed`` (when given) is called with ``(level, index, hash)`` for every
    complete subtree as it closes.
    """

    def __init__(
        self,
        nodes: Iterable[tuple[int, bytes]] = (),
        *,
        size: int = 0,
        completed: Callable[[int, int, bytes], None] | None = None,
    ) -> None:
        self.nodes: list[tuple[int, bytes]] = list(nodes)
        self.size = size
        self._completed = completed
        expected = [lvl for lvl in range(size.bit_length() - 1, -1, -1) if size >> lvl & 1]
        if [lvl for lvl, _ in self.nodes] != expected:
            raise ValueError(f"a frontier of {size} leaves has subtrees of levels {expected}")

    def add_entry_hash(self, entry_hash: str) -> None:
        """Append the leaf of one entry (its hex entry hash)."""
        self.add_leaf(leaf_hash(bytes.fromhex(entry_hash)))

    def add_leaf(self, leaf: bytes) -> None:
        """Append one leaf hash."""
        level, node = 0, leaf
        index = self.size
        if self._completed is not None:
            self._completed(0, index, node)
        while self.nodes and self.nodes[-1][0] == level:
            _, left = self.nodes.pop()
            node = node_hash(left, node)
            level += 1
            index >>= 1
            if self._completed is not None:
                self._completed(level, index, node)
        self.nodes.append((level, node))
        self.size += 1

    def root(self) -> str:
        """Hex MTH of the leaves so far."""
        if not self.nodes:
            return EMPTY_TREE_ROOT
        return root_from_pieces([node for _, node in self.nodes]).hex()


@dataclass(frozen=True, slots=True)
class SignedTreeHead:
    """A tree size, its root and when it was issued, signed by one of the centre's keys.

    The signed bytes are the RFC 8785 form of ``{"format", "v", "tree", "tree_size",
    "root_hash", "timestamp", "key_id"}``: a verifier rebuilds them from these fields, so no
    extra canonicalisation library is needed (all values are strings or small integers).
    """

    tree_size: int
    root_hash: str
    timestamp: str
    key_id: str
    signature: str

    def signed_bytes(self) -> bytes:
        """The exact bytes the signature covers."""
        return signed_bytes(self.tree_size, self.root_hash, self.timestamp, self.key_id)

    def verify(self, public_key_hex: str) -> bool:
        """Whether the signature verifies with ``public_key_hex`` (raw Ed25519, hex)."""
        return signature_is_valid(public_key_hex, self.signature, self.signed_bytes())

    def as_dict(self) -> dict[str, Any]:
        return {"format": STH_FORMAT, "v": 1, "tree": TREE_ALGORITHM, **asdict(self)}

    @classmethod
    def from_dict(cls, data: Any) -> SignedTreeHead:
        """Read a head written by :meth:`as_dict`; ValueError names what is wrong."""
        check_format(
            data,
            STH_FORMAT,
            not_object=N_("a tree head must be a JSON object"),
            not_version=N_("not a ceasefire tree head of version 1"),
        )
        try:
            head = cls(
                tree_size=data["tree_size"],
                root_hash=data["root_hash"],
                timestamp=data["timestamp"],
                key_id=data["key_id"],
                signature=data["signature"],
            )
        except KeyError as exc:
            raise ValueError(f"tree head lacks {exc.args[0]!r}") from exc
        if type(head.tree_size) is not int or head.tree_size < 0:
            raise ValueError("tree_size must be a non-negative integer")
        for name in ("root_hash", "timestamp", "key_id", "signature"):
            if not isinstance(getattr(head, name), str):
                raise ValueError(f"{name} must be a string")
        if not _is_hex(head.root_hash, 64):
            raise ValueError("root_hash must be 64 lowercase hex digits")
        return head


def check_format(data: Any, name: str, *, not_object: str, not_version: str) -> None:
    """Raise ValueError unless ``data`` is a JSON object of format ``name``, version 1 (an
    object that names neither is taken as one); its message (:class:`WordedText`) is
    ``not_object`` or ``not_version`` (marked msgids naming what was read)."""
    if not isinstance(data, Mapping):
        raise ValueError(worded_text(not_object))
    if data.get("format", name) != name or data.get("v", 1) != 1:
        raise ValueError(worded_text(not_version))


def _is_hex(value: str, length: int) -> bool:
    return len(value) == length and all(c in "0123456789abcdef" for c in value)


def signed_bytes(tree_size: int, root_hash: str, timestamp: str, key_id: str) -> bytes:
    """RFC 8785 bytes of a tree head's signed fields (sorted keys, no white space)."""
    body = {
        "format": STH_FORMAT,
        "key_id": key_id,
        "root_hash": root_hash,
        "timestamp": timestamp,
        "tree": TREE_ALGORITHM,
        "tree_size": tree_size,
        "v": 1,
    }
    # Plain strings of ASCII hex and digits and a small integer: json.dumps with sorted keys
    # and no spaces is byte-for-byte RFC 8785 here.
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sign_tree_head(
    tree_size: int, root_hash: str, timestamp: str, key: SigningKey
) -> SignedTreeHead:
    """Sign a tree head with ``key`` (the centre's)."""
    message = signed_bytes(tree_size, root_hash, timestamp, key.key_id)
    return SignedTreeHead(tree_size, root_hash, timestamp, key.key_id, key.sign(message))
